# Issue 13 item 11: a case's timeline starts with its lead's own history (received, the
# duplicate check, accepted), then "case opened". New acceptances write it (accept_lead); this
# carries it onto the cases accepted before, at the lead's own times. The events it writes are
# marked (data "carried": MARK), so going back removes exactly those.
#
# The events are built by the code that builds them for new acceptances (intake.history) and the
# duplicate check is intake's own rule (find_duplicates), both run on this migration's
# historical models: they read only fields these models have. The check is run as it stood at
# the decision: over the procuratorate's leads filed up to then.

from datetime import timedelta

from django.db import migrations

MARK = "intake.0003"
KINDS = ("lead_received", "lead_duplicate_check", "lead_accepted")
BATCH = 500


def carry_lead_history(apps, schema_editor):
    Lead = apps.get_model("intake", "Lead")
    TimelineEvent = apps.get_model("cases", "TimelineEvent")
    done = TimelineEvent.objects.filter(kind="lead_received").values("case_id")
    ids = list(
        Lead.objects.filter(case__isnull=False)
        .exclude(case_id__in=done)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for start in range(0, len(ids), BATCH):
        leads = (
            Lead.objects.filter(pk__in=ids[start : start + BATCH])
            .select_related("referring_org", "created_by", "decided_by")
            .order_by("pk")
        )
        TimelineEvent.objects.bulk_create(
            [event for lead in leads for event in _history(apps, lead)]
        )


def _history(apps, lead):
    from zhichi.intake.history import lead_history
    from zhichi.intake.services import find_duplicates

    Lead = apps.get_model("intake", "Lead")
    Case = apps.get_model("cases", "Case")
    TimelineEvent = apps.get_model("cases", "TimelineEvent")
    opened = (
        TimelineEvent.objects.filter(case_id=lead.case_id, kind="case_opened")
        .order_by("at", "id")
        .values_list("at", flat=True)
        .first()
    )
    decided_at = lead.decided_at or opened or lead.created_at
    if opened is not None:
        # accepting opened the case: the decision comes just before "case opened" (the code
        # before this stamped the lead a moment after it)
        decided_at = min(decided_at, opened - timedelta(microseconds=1))
    duplicates = find_duplicates(
        lead,
        visible=Lead.objects.filter(
            organisation_id=lead.organisation_id, created_at__lte=decided_at
        ),
        visible_cases=Case.objects.filter(organisation_id=lead.organisation_id),
    )
    return [
        TimelineEvent(
            case_id=lead.case_id,
            kind=prior.kind,
            at=prior.at,
            actor_id=prior.actor.pk if prior.actor else None,
            summary="",
            data={**prior.data, "carried": MARK},
        )
        for prior in lead_history(
            lead, decided_at=decided_at, decider=lead.decided_by, duplicates=duplicates
        )
    ]


def remove_carried_history(apps, schema_editor):
    TimelineEvent = apps.get_model("cases", "TimelineEvent")
    TimelineEvent.objects.filter(kind__in=KINDS, data__carried=MARK).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0002_sharing"),
        ("cases", "0008_payment_reversal_overpayment"),
    ]

    operations = [migrations.RunPython(carry_lead_history, remove_carried_history)]
