"""Four eyes on every approval (issue 12, item 5; docs/decisions/0005-four-eyes.md): whoever
proposed an approval never decides it. A head's own proposal goes to the chief procurator
(visibly), or to another head of the department where there is one; the chief procurator's own
proposal goes to another chief, or is refused. Reopening a case one closed oneself needs a second
person too."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.db import transaction
from django.test import Client
from django.utils import translation

from tests.conftest import PASSWORD
from tests.transfers.conftest import wage_case
from zhichi.accounts.models import Notification, Role, User
from zhichi.audit.models import AuditEntry
from zhichi.cases import guards
from zhichi.cases.models import Approval, ApprovalKind, ApprovalStatus, Case
from zhichi.cases.presenters import SUPPORT_LABELS, describe_event
from zhichi.cases.selectors import approvals_inbox as pending_approvals_for
from zhichi.cases.services import approvals, disposal, reopening
from zhichi.common.errors import InvalidInput, NotPermitted

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

EN = {"Accept-Language": "en"}
SUPPORT = {
    "decision": "support",
    "reasons": "用人单位拖欠工资事实清楚，申请人系农民工，符合支持起诉条件",
}


def colleague(users, username: str, role: str, department: str | None = "civil") -> User:
    """Another user of WHPROC: a second head of the civil department, a deputy chief."""
    like = users["civilhead"] if department else users["chief"]
    return User.objects.create_user(
        username=username,
        password=PASSWORD,
        organisation=like.organisation,
        department=like.department if department else None,
        role=role,
        first_name=username,
        is_demo=True,  # a demo account: no second factor asked (tests/settings.py)
    )


def as_user(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def case(users) -> Case:
    return wage_case(users, consent=False, seq="41")


def inbox_ids(api, username: str) -> list[int]:
    r = api(username).get("/api/v1/approvals")
    assert r.status_code == 200, r.content
    return [a["id"] for a in r.json()]


# --- the reproduction: civilhead proposes a support decision and approves it --------------------
def test_a_heads_own_support_proposal_goes_to_the_chief_and_the_head_gets_403_item5(
    api, users, case
):
    r = api("civilhead").post(
        f"/api/v1/cases/{case.pk}/support-decision", SUPPORT, headers={"Accept-Language": "en"}
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert (body["required_role"], body["escalated_from"]) == ("chief", "head")
    with translation.override("en"):
        assert body["escalation_note"] == str(Approval.objects.get(pk=body["id"]).escalation_note)
    assert "chief procurator" in body["escalation_note"]

    refused = api("civilhead").post(f"/api/v1/approvals/{body['id']}/approve", {"reason": "同意"})

    assert refused.status_code == 403
    assert refused.json() == {"detail": approvals.OWN_PROPOSAL()}
    assert Approval.objects.get(pk=body["id"]).status == ApprovalStatus.PENDING
    denied = AuditEntry.objects.filter(action="approval.decide", outcome="denied")
    assert [(e.username, e.detail) for e in denied] == [("civilhead", {"reason": "own_proposal"})]
    assert inbox_ids(api, "civilhead") == []
    assert inbox_ids(api, "chief") == [body["id"]]

    done = api("chief").post(f"/api/v1/approvals/{body['id']}/approve", {"reason": "同意支持起诉"})

    assert done.status_code == 200, done.content
    assert (done.json()["status"], done.json()["decided_by"]) == ("approved", "chief")
    assert guards.approved_support(case)
    assert inbox_ids(api, "chief") == []


def test_the_escalation_is_audited_and_only_the_chief_is_told(users, case):
    approval = disposal.propose_support_decision(
        case_id=case.pk, actor=users["civilhead"], data=SUPPORT
    )

    entry = AuditEntry.objects.get(action="approval.escalate")
    assert (entry.username, entry.object_id) == ("civilhead", str(approval.pk))
    assert entry.detail == {"kind": "support_decision", "from": "head", "to": "chief"}
    told = Notification.objects.filter(kind="approval").values_list("user__username", flat=True)
    assert sorted(told) == ["chief"]


def test_an_officers_proposal_still_waits_for_the_head_unmoved(api, users, case):
    approval = disposal.propose_support_decision(
        case_id=case.pk, actor=users["civil1"], data=SUPPORT
    )

    assert (approval.required_role, approval.escalated_from) == ("head", "")
    assert approval.escalation_note == ""
    assert inbox_ids(api, "civilhead") == [approval.pk]
    assert inbox_ids(api, "chief") == []
    with pytest.raises(NotPermitted) as exc:
        approvals.decide_approval(approval_id=approval.pk, actor=users["civil1"], approve=True)
    assert str(exc.value) == approvals.OWN_PROPOSAL()


def test_another_head_of_the_department_decides_a_heads_proposal_before_the_chief(api, users, case):
    second = colleague(users, "civilhead2", Role.HEAD)
    approval = disposal.propose_support_decision(
        case_id=case.pk, actor=users["civilhead"], data=SUPPORT
    )

    assert (approval.required_role, approval.escalated_from) == ("head", "")
    assert list(pending_approvals_for(users["civilhead"])) == []
    assert list(pending_approvals_for(second)) == [approval]
    for who in (users["civilhead"], users["chief"]):
        with pytest.raises(NotPermitted):
            approvals.decide_approval(approval_id=approval.pk, actor=who, approve=True)
    approvals.decide_approval(approval_id=approval.pk, actor=second, approve=True)
    approval.refresh_from_db()
    assert (approval.status, approval.decided_by) == (ApprovalStatus.APPROVED, second)


def test_the_timeline_says_the_chief_procurator_decided_an_escalated_support_decision(users, case):
    approval = disposal.propose_support_decision(
        case_id=case.pk, actor=users["civilhead"], data=SUPPORT
    )
    approvals.decide_approval(approval_id=approval.pk, actor=users["chief"], approve=True)

    event = case.timeline.get(kind="approval_decided")
    with translation.override("en"):
        assert describe_event(event) == f"Chief procurator approved: {SUPPORT_LABELS['support']}"


# --- the chief procurator's own proposal (suggestions: the chief only) ---------------------------
def test_the_chief_alone_cannot_propose_what_only_a_chief_approves(users, case):
    with pytest.raises(InvalidInput) as exc, transaction.atomic(), translation.override("en"):
        approvals.request_approval(
            case=case,
            kind=ApprovalKind.SUGGESTION,
            required_role=Role.CHIEF,
            actor=users["chief"],
            payload={"reasons": "建议"},
            text="x",
        )

    assert [(e.field, e.code) for e in exc.value.errors] == [("approval", "no_other_approver")]
    assert "let the case officer or the department head propose it" in exc.value.detail
    assert Approval.objects.count() == 0


def test_another_chief_decides_the_chiefs_own_proposal(api, users, case):
    deputy = colleague(users, "deputychief", Role.CHIEF, department=None)
    approval = approvals.request_approval(
        case=case,
        kind=ApprovalKind.SUGGESTION,
        required_role=Role.CHIEF,
        actor=users["chief"],
        payload={"reasons": "建议"},
        text="x",
    )

    assert (approval.required_role, approval.escalated_from) == ("chief", "")
    assert list(pending_approvals_for(users["chief"])) == []
    assert list(pending_approvals_for(deputy)) == [approval]
    assert [n.user for n in Notification.objects.filter(kind="approval")] == [deputy]


def test_a_vacancy_is_not_an_escalation(users, case):
    users["civilhead"].is_active = False
    users["civilhead"].save(update_fields=["is_active"])

    approval = disposal.propose_support_decision(
        case_id=case.pk, actor=users["civil1"], data=SUPPORT
    )

    assert (approval.required_role, approval.escalated_from) == ("head", "")


# --- the pages --------------------------------------------------------------------------------
def test_pages_send_a_heads_proposal_to_the_chiefs_inbox_and_refuse_the_head(web, users, case):
    head = web("civilhead")
    r = head.post(f"/cases/{case.pk}/support-decision/", SUPPORT, headers=EN, follow=False)
    assert r.status_code == 302
    approval = Approval.objects.get(case=case)
    assert approval.required_role == "chief"

    assert head.get("/cases/approvals/").context["rows"] == []
    chief_inbox = web("chief").get("/cases/approvals/", headers=EN)
    assert [row["approval"].pk for row in chief_inbox.context["rows"]] == [approval.pk]
    assert approval.escalation_note in chief_inbox.content.decode()

    refused = head.post(f"/cases/approvals/{approval.pk}/approve/", {"reason": "同意"}, headers=EN)

    assert refused.status_code == 403
    with translation.override("en"):
        assert approvals.OWN_PROPOSAL() in refused.content.decode()
    approval.refresh_from_db()
    assert approval.status == ApprovalStatus.PENDING

    done = web("chief").post(f"/cases/approvals/{approval.pk}/approve/", {"reason": "同意"})
    assert done.status_code == 302
    approval.refresh_from_db()
    assert (approval.status, approval.decided_by.username) == ("approved", "chief")


def test_the_proposal_confirmation_says_where_it_went(users, case):
    client = as_user(users["civilhead"])
    r = client.post(f"/cases/{case.pk}/support-decision/", SUPPORT, headers=EN)

    assert r.status_code == 302
    shown = [str(m) for m in get_messages(r.wsgi_request)]
    with translation.override("en"):
        assert Approval.objects.get(case=case).escalation_note in shown


# --- reopening a closed case -----------------------------------------------------------------
def close(users, case: Case, who: str = "civil1") -> Case:
    case.refresh_from_db()
    return disposal.close_case(
        case_id=case.pk,
        actor=users[who],
        data={"outcome": "withdrawn", "note": "申请人撤回"},
        version=case.version,
    )


def test_a_head_reopens_a_case_an_officer_closed_back_at_its_stage(api, users, case):
    close(users, case, "civil1")

    r = api("civilhead").post(f"/api/v1/cases/{case.pk}/reopen", {"reason": "发现新的欠薪事实"})

    assert r.status_code == 200, r.content
    assert (r.json()["status"], r.json()["stage"], r.json()["outcome"]) == ("open", "review", None)
    case.refresh_from_db()
    assert (case.closed_on, case.closing_note) == (None, "")
    assert case.timeline.filter(kind="case_reopened").count() == 1
    assert AuditEntry.objects.filter(action="case.reopen", outcome="ok").count() == 1
    assert Approval.objects.count() == 0


def test_a_head_who_closed_the_case_cannot_reopen_it_alone_item5(api, users, case):
    close(users, case, "civilhead")

    r = api("civilhead").post(f"/api/v1/cases/{case.pk}/reopen", {"reason": "结案有误"})

    assert r.status_code == 202, r.content
    approval = r.json()
    assert (approval["kind"], approval["required_role"], approval["escalated_from"]) == (
        "reopening",
        "chief",
        "head",
    )
    case.refresh_from_db()
    assert case.status == "closed"
    refused = api("civilhead").post(f"/api/v1/approvals/{approval['id']}/approve", {})
    assert refused.status_code == 403
    again = api("civilhead").post(f"/api/v1/cases/{case.pk}/reopen", {"reason": "结案有误"})
    assert again.status_code == 422
    assert again.json()["errors"][0]["code"] == "pending"
    assert inbox_ids(api, "chief") == [approval["id"]]

    done = api("chief").post(f"/api/v1/approvals/{approval['id']}/approve", {"reason": "同意"})

    assert done.status_code == 200, done.content
    case.refresh_from_db()
    assert (case.status, case.stage) == ("open", "review")
    assert case.timeline.filter(kind="case_reopened", actor=users["chief"]).count() == 1


def test_a_rejected_reopening_leaves_the_case_closed(users, case):
    close(users, case, "civilhead")
    done = reopening.reopen_case(
        case_id=case.pk, actor=users["civilhead"], data={"reason": "结案有误"}
    )
    approvals.decide_approval(
        approval_id=done.approval.pk, actor=users["chief"], approve=False, reason="结案正确"
    )

    case.refresh_from_db()
    assert case.status == "closed"
    assert case.timeline.filter(kind="case_reopened").count() == 0


def test_the_case_officer_as_head_cannot_reopen_alone(users, case):
    Case.objects.filter(pk=case.pk).update(officer=users["civilhead"])
    close(users, case, "civilhead")
    second = colleague(users, "civilhead2", Role.HEAD)

    done = reopening.reopen_case(
        case_id=case.pk, actor=users["civilhead"], data={"reason": "补充调查"}
    )

    assert (done.approval.required_role, done.approval.escalated_from) == ("head", "")
    assert list(pending_approvals_for(second)) == [done.approval]


@pytest.mark.parametrize("who", ["civil1", "civil2", "chief", "registrar1"])
def test_only_a_head_reopens_403_for_others(api, users, case, who):
    close(users, case)

    r = api(who).post(f"/api/v1/cases/{case.pk}/reopen", {"reason": "发现新情况"})

    assert r.status_code == 403
    case.refresh_from_db()
    assert case.status == "closed"
    assert AuditEntry.objects.filter(action="case.reopen", outcome="denied").count() == 1


def test_reopening_an_open_case_or_without_a_reason_is_422(api, users, case):
    r = api("civilhead").post(f"/api/v1/cases/{case.pk}/reopen", {"reason": "x"})
    assert (r.status_code, r.json()["errors"][0]["code"]) == (422, "not_closed")
    close(users, case)
    r = api("civilhead").post(f"/api/v1/cases/{case.pk}/reopen", {"reason": "  "})
    assert (r.status_code, r.json()["errors"][0]["field"]) == (422, "reason")
    case.refresh_from_db()
    stale = api("civilhead").post(
        f"/api/v1/cases/{case.pk}/reopen", {"reason": "新情况", "version": case.version - 1}
    )
    assert stale.status_code == 409
    case.refresh_from_db()
    assert case.status == "closed"


def test_the_reopen_form_on_a_closed_case_page(web, users, case):
    case = close(users, case, "civilhead")
    head = web("civilhead")
    page = head.get(f"/cases/{case.pk}/", headers=EN)
    assert page.status_code == 200
    assert page.context["forms"]["reopen"] is not None
    assert page.context["reopen_needs_approval"] is True
    assert f'action="/cases/{case.pk}/reopen/"' in page.content.decode()
    assert "reopen" not in web("civil1").get(f"/cases/{case.pk}/").context["forms"]

    r = head.post(f"/cases/{case.pk}/reopen/", {"reason": "结案有误", "version": case.version})

    assert r.status_code == 302
    waiting = head.get(f"/cases/{case.pk}/", headers=EN)
    assert "reopen" not in waiting.context["forms"]
    assert "A reopening waits for the chief procurator's approval." in waiting.content.decode()
