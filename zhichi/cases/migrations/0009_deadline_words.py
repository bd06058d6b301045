# Issue 13 item 6: a deadline's label and basis are stored as codes with values (put into words
# in the reader's language when shown). The new columns come first; 0010 fills them from the
# texts, 0011 drops the texts.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("cases", "0008_payment_reversal_overpayment")]

    operations = [
        migrations.AddField(
            model_name="casedeadline",
            name="label_words",
            field=models.JSONField(default=dict),
        ),
        migrations.AddField(
            model_name="casedeadline",
            name="basis_words",
            field=models.JSONField(blank=True, default=dict),
        ),
    ]
