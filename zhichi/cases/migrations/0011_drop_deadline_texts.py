# Issue 13 item 6: the deadlines' texts, now kept as codes with values (0010), are dropped.
# Going back, 0010 writes them again (in Chinese, the default language).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("cases", "0010_words_from_texts")]

    operations = [
        # a default first, so that going back the column can be added to the rows there are
        # before 0010 writes their texts again
        migrations.AlterField(
            model_name="casedeadline",
            name="label",
            field=models.CharField(default="", max_length=200),
        ),
        migrations.RemoveField(model_name="casedeadline", name="label"),
        migrations.RemoveField(model_name="casedeadline", name="basis"),
    ]
