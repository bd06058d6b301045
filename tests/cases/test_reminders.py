"""C12: deadline reminders to the officer, escalation of overdue ones to the head."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from zhichi.accounts.models import Notification
from zhichi.audit.models import AuditEntry
from zhichi.cases.models import CaseDeadline
from zhichi.cases.services import disposal
from zhichi.cases.services.reminders import send_reminders
from zhichi.cases.tasks import send_reminders_task
from zhichi.intake import services as intake
from zhichi.intake.validation import validate_lead

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


@pytest.fixture
def case(users, payload):
    users["civil1"].email = "civil1@example.org"
    users["civil1"].save()
    users["civilhead"].email = "head@example.org"
    users["civilhead"].save()
    lead = intake.create_lead(actor=users["civil1"], data=validate_lead(payload()))
    return intake.accept_lead(lead_id=lead.pk, actor=users["civil1"])


def plan(case, user, days):
    return disposal.plan_visit(
        case_id=case.pk,
        actor=user,
        data={
            "planned_on": (timezone.localdate() + timedelta(days=days)).isoformat(),
            "target": "claimant",
            "method": "phone",
        },
    )


def test_c12_due_soon_reminds_the_officer_once(case, users, django_capture_on_commit_callbacks):
    plan(case, users["civil1"], 2)

    with django_capture_on_commit_callbacks(execute=True):  # mail goes out after the commit
        first = send_reminders()
        second = send_reminders()

    notes = Notification.objects.filter(user=users["civil1"], kind="deadline_due")
    assert notes.count() == 1
    assert (first.reminded, second.reminded) == (1, 0)
    assert first.escalated == 0
    assert [m.to for m in mail.outbox] == [["civil1@example.org"]]


def test_c12_overdue_is_escalated_to_the_department_head(
    case, users, django_capture_on_commit_callbacks
):
    plan(case, users["civil1"], -3)

    with django_capture_on_commit_callbacks(execute=True):
        run = send_reminders()

    assert (run.reminded, run.escalated) == (1, 1)
    assert Notification.objects.filter(user=users["civil1"], kind="deadline_overdue").count() == 1
    head_note = Notification.objects.get(user=users["civilhead"], kind="escalation")
    assert case.number in head_note.text
    assert sorted(m.to[0] for m in mail.outbox) == ["civil1@example.org", "head@example.org"]
    assert AuditEntry.objects.filter(action="reminders.run").count() == 1


def test_c12_far_deadlines_and_done_ones_send_nothing(case, users):
    visit = plan(case, users["civil1"], 30)
    disposal.record_visit(
        visit_id=plan(case, users["civil1"], -1).pk,
        actor=users["civil1"],
        data={
            "done_on": timezone.localdate().isoformat(),
            "findings": "已回访",
            "paid_in_full": True,
        },
    )

    run = send_reminders()

    assert CaseDeadline.objects.get(key=f"visit:{visit.pk}").status == "pending"
    assert (run.reminded, run.escalated) == (0, 0)


def test_c12_the_task_and_the_command_run_the_same_service(case, users):
    plan(case, users["civil1"], 1)

    result = send_reminders_task.enqueue()
    call_command("send_reminders")

    assert result.return_value == {
        "reminded": 1,
        "escalated": 0,
        "checked": result.return_value["checked"],
    }
    assert Notification.objects.filter(user=users["civil1"]).count() == 1
