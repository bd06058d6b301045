# Issue 13 item 5: a transfer records its sender's own department. Transfers sent before were
# recorded with the department of the case or lead (a criminal officer's transfer of the lead it
# filed, which sits in civil intake, read as coming from the civil department). This sets the
# sender department from the sending user where it was recorded otherwise, keeping what was
# recorded in SenderCorrection, from which going back restores it.

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models
from django.db.models import F


def set_sender_department(apps, schema_editor):
    Transfer = apps.get_model("transfers", "Transfer")
    SenderCorrection = apps.get_model("transfers", "SenderCorrection")
    wrong = (
        # a sender without a department (the chief procurator) sends for the subject's
        # department, as send_transfer does: nothing to correct
        Transfer.objects.filter(
            sent_by__department__isnull=False, sent_by__organisation_id=F("from_org_id")
        )
        .exclude(from_department_id=F("sent_by__department_id"))
        .values_list("pk", "from_department_id", "sent_by__department_id")
        .order_by("pk")
    )
    now = django.utils.timezone.now()
    for pk, recorded, sender in wrong.iterator(chunk_size=500):
        SenderCorrection.objects.create(
            transfer_id=pk,
            recorded_department_id=recorded,
            corrected_department_id=sender,
            corrected_at=now,
        )
        Transfer.objects.filter(pk=pk).update(from_department_id=sender)


def restore_recorded_department(apps, schema_editor):
    Transfer = apps.get_model("transfers", "Transfer")
    SenderCorrection = apps.get_model("transfers", "SenderCorrection")
    for c in SenderCorrection.objects.order_by("pk").iterator(chunk_size=500):
        Transfer.objects.filter(pk=c.transfer_id).update(
            from_department_id=c.recorded_department_id
        )
    SenderCorrection.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_token_name_and_expiry_required"),
        ("transfers", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="SenderCorrection",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("corrected_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "corrected_department",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="accounts.department",
                    ),
                ),
                (
                    "recorded_department",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="accounts.department",
                    ),
                ),
                (
                    "transfer",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="sender_correction",
                        to="transfers.transfer",
                    ),
                ),
            ],
            options={
                "ordering": ["id"],
            },
        ),
        migrations.RunPython(set_sender_department, restore_recorded_department),
    ]
