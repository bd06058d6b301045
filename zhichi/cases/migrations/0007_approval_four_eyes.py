# Four eyes on every approval: an approval records the role it was moved up from when its
# proposer was the only one who could decide it; closed cases may be reopened through an approval.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0006_approval_kinds'),
    ]

    operations = [
        migrations.AddField(
            model_name='approval',
            name='escalated_from',
            field=models.CharField(blank=True, default='', max_length=16),
        ),
        migrations.AlterField(
            model_name='approval',
            name='kind',
            field=models.CharField(choices=[('support_decision', 'Support decision'), ('assistance', 'Judicial assistance'), ('suggestion', 'Procuratorial suggestion'), ('reopening', 'Reopening a closed case')], max_length=30),
        ),
    ]
