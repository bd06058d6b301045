"""Each workflow is one table (issue 14, item 5): transfers, judicial assistance applications,
legal aid referrals and procuratorial suggestions.

For every state and every role: ``allowed_actions`` is what the table says; the API's ``actions``
equals it; every action not in it is refused (403, 404 or 422) and every action in it is accepted
with valid input (each attempt is rolled back, so the states stay as built). The pages show the
forms of exactly ``allowed_actions``.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from tests.assistance.conftest import application_data, opinion_data
from tests.supervision.conftest import DRAFT, approve, draft, open_case, serve
from tests.transfers.conftest import send, wage_case
from zhichi.assistance import services as assistance_services
from zhichi.assistance import workflow as assistance_workflow
from zhichi.assistance.models import AssistanceApplication
from zhichi.cases.models import CaseParty
from zhichi.cases.services.approvals import decide_approval
from zhichi.supervision import services as supervision_services
from zhichi.supervision import workflow as supervision_workflow
from zhichi.supervision.models import Suggestion
from zhichi.transfers import services as transfer_services
from zhichi.transfers import workflow as transfer_workflow
from zhichi.transfers.models import Transfer

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

REFUSED = {403, 404, 422}


class Rollback(Exception):
    """Undo one attempt, so the next one starts from the same state."""


def attempt(client, path: str, body: dict):
    """The answer to POST ``path``, with everything it wrote rolled back."""
    result = {}
    try:
        with transaction.atomic():
            result["response"] = client.post(path, body)
            raise Rollback
    except Rollback:
        pass
    return result["response"]


def _today() -> str:
    return timezone.localdate().isoformat()


def test_the_tables_name_the_codes_of_the_urls():
    assert list(transfer_workflow.MOVES) == ["receive", "accept", "reject", "feedback", "close"]
    assert list(assistance_workflow.MOVES) == [
        "opinion",
        "funds",
        "notice",
        "payment",
        "follow_up",
        "withdraw",
    ]
    assert list(assistance_workflow.REFERRAL_MOVES) == ["lawyer", "outcome"]
    assert list(supervision_workflow.MOVES) == [
        "revise",
        "serve",
        "reply",
        "escalate",
        "close",
        "withdraw",
    ]
    for app, table in (
        ("transfers", transfer_workflow.MOVES),
        ("assistance", assistance_workflow.MOVES),
        ("supervision", supervision_workflow.MOVES),
    ):
        for code in table:
            assert reverse(f"{app}:{code}", args=[1])  # a page posts each action
    for code in assistance_workflow.REFERRAL_MOVES:
        assert reverse(f"assistance:legal_aid_{code}", args=[1])


# --- transfers ---------------------------------------------------------------------------------
CRIMINAL = {"to_org": "WHPROC", "to_department": "criminal"}
TRANSFER_BODIES = {
    "receive": {},
    "accept": {},
    "reject": {"reason": "不属于本部门管辖"},
    "feedback": {"text": "已立案侦查", "result": "filed"},
    "close": {"note": "已反馈，结束移送"},
}
# state → role → actions (civil1 and civilhead send for the civil department; criminal1
# receives for the criminal one; the chief procurator, of no department, acts for both sides)
TRANSFER_TABLE = {
    "sent": {
        "criminal1": ["receive", "accept", "reject"],
        "chief": ["receive", "accept", "reject"],
    },
    "received": {"criminal1": ["accept", "reject"], "chief": ["accept", "reject"]},
    "accepted": {"criminal1": ["feedback"], "chief": ["feedback"]},
    "rejected": {"civil1": ["close"], "civilhead": ["close"], "chief": ["close"]},
    "answered": {"civil1": ["close"], "civilhead": ["close"], "chief": ["close"]},
    "closed": {},
}
TRANSFER_ROLES = ("civil1", "civilhead", "criminal1", "chief", "registrar1")


def _transfers(users) -> dict[str, Transfer]:
    """One internal transfer (civil → criminal) in each state, on one case."""
    case = wage_case(users, consent=True, seq="81")
    receiver, sender = users["criminal1"], users["civil1"]

    def new(kind: str = "criminal_lead") -> Transfer:
        return send(users, case, kind=kind, **CRIMINAL)

    rejected = new()
    transfer_services.reject_transfer(
        transfer_id=rejected.pk, actor=receiver, data={"reason": "不属于本部门管辖"}
    )
    done = []
    for _ in range(2):  # answered, and answered then closed (one open at a time per kind)
        t = new()
        transfer_services.accept_transfer(transfer_id=t.pk, actor=receiver)
        transfer_services.answer_transfer(
            transfer_id=t.pk, actor=receiver, data={"text": "已立案", "result": "filed"}
        )
        done.append(t)
    answered, closed = done
    transfer_services.close_transfer(transfer_id=closed.pk, actor=sender)
    sent = new()
    received = new("civil_support")
    transfer_services.receive_transfer(transfer_id=received.pk, actor=receiver)
    accepted = new("other")
    transfer_services.accept_transfer(transfer_id=accepted.pk, actor=receiver)
    built = {
        "sent": sent,
        "received": received,
        "accepted": accepted,
        "rejected": rejected,
        "answered": answered,
        "closed": closed,
    }
    return {state: Transfer.objects.get(pk=t.pk) for state, t in built.items()}


def test_transfer_actions_follow_the_table_in_every_state(users, api):
    transfers = _transfers(users)
    for state, t in transfers.items():
        assert t.status == state
        for role in TRANSFER_ROLES:
            expected = TRANSFER_TABLE[state].get(role, [])
            assert transfer_workflow.allowed_actions(users[role], t) == expected, (state, role)
            r = api(role).get(f"/api/v1/transfers/{t.pk}")
            assert r.status_code == 200, (state, role)
            assert r.json()["actions"] == expected, (state, role)
            for code in transfer_workflow.ACTIONS:
                path = f"/api/v1/transfers/{t.pk}/{code}"
                r = attempt(api(role), path, TRANSFER_BODIES[code])
                if code in expected:
                    assert r.status_code == 200, (state, role, code, r.content)
                    assert r.json()["status"] == transfer_workflow.MOVES[code].target
                else:
                    assert r.status_code in REFUSED, (state, role, code, r.content)
        # a partner agency that is no side of an internal transfer does not see it
        assert api("hrss1").post(f"/api/v1/transfers/{t.pk}/accept", {}).status_code == 404


def test_the_transfer_page_shows_exactly_the_allowed_buttons(users, web):
    t = _transfers(users)["sent"]
    for role in ("criminal1", "civil1"):
        allowed = transfer_workflow.allowed_actions(users[role], t)
        html = web(role).get(f"/transfers/{t.pk}/").content.decode()
        shown = [
            c for c in transfer_workflow.ACTIONS if reverse(f"transfers:{c}", args=[t.pk]) in html
        ]
        assert shown == allowed, role
    assert shown == []  # the sender waits for the receiving side


# --- judicial assistance -----------------------------------------------------------------------
APPLICATION_PATHS = {"follow_up": "follow-up"}
WORKERS = ("civil1", "civilhead")  # the case officer and the head of the case's department
APPLICATION_ROLES = ("civil1", "civilhead", "civil2", "chief", "registrar1")
APPLICATION_TABLE = {
    "received": ["opinion", "withdraw"],
    "in_approval": ["withdraw"],
    "granted": ["funds"],
    "funded": ["notice"],
    "notified": ["payment"],
    "paid": ["follow_up"],
    "followed_up": [],
    "refused": [],
    "withdrawn": [],
}


def _application_bodies() -> dict:
    today = _today()
    return {
        "opinion": opinion_data(),
        "funds": {"arrived_on": today},
        "notice": {"notified_on": today, "method": "phone"},
        "payment": {"paid_on": today, "amount": "1000.00", "method": "cash"},
        "follow_up": {"on": today, "note": "已用于治疗"},
        "withdraw": {"reason": "申请人撤回申请"},
    }


def _applications(users) -> dict[str, AssistanceApplication]:
    """One application in each state, each of another claimant of one case. The later states are
    written directly (tests/assistance/test_services.py walks the real steps)."""
    case = wage_case(users, consent=True, seq="82", workers=len(APPLICATION_TABLE))
    claimants = list(CaseParty.objects.filter(case=case, role="claimant").order_by("id"))
    today = timezone.localdate()
    granted = {
        "status": "granted",
        "proposal": "grant",
        "proposed_amount": Decimal("1000"),
        "granted_amount": Decimal("1000"),
        "decided_on": today,
    }
    funded = {**granted, "funds_arrived_on": today}
    notified = {**funded, "notified_on": today}
    paid = {**notified, "status": "paid", "paid_on": today, "paid_amount": Decimal("1000")}
    states = {
        "received": {},
        "in_approval": {"status": "in_approval"},
        "granted": granted,
        "funded": funded,
        "notified": notified,
        "paid": paid,
        "followed_up": {**paid, "follow_up_on": today, "follow_up_note": "已回访"},
        "refused": {"status": "refused", "proposal": "refuse", "decided_on": today},
        "withdrawn": {"status": "withdrawn", "withdrawn_reason": "撤回", "decided_on": today},
    }
    built = {}
    for (state, fields), claimant in zip(states.items(), claimants, strict=True):
        a = assistance_services.record_application(
            case_id=case.pk,
            actor=users["civil1"],
            data=application_data(case, applicant_party_id=claimant.party_id),
        )
        AssistanceApplication.objects.filter(pk=a.pk).update(**fields)
        built[state] = AssistanceApplication.objects.select_related("case").get(pk=a.pk)
    return built


def test_application_actions_follow_the_table_in_every_state(users, api):
    applications = _applications(users)
    bodies = _application_bodies()
    for state, a in applications.items():
        for role in APPLICATION_ROLES:
            expected = APPLICATION_TABLE[state] if role in WORKERS else []
            assert assistance_workflow.allowed_actions(users[role], a) == expected, (state, role)
            r = api(role).get(f"/api/v1/assistance/{a.pk}")
            assert r.status_code == 200, (state, role)
            assert r.json()["actions"] == expected, (state, role)
            for code in assistance_workflow.MOVES:
                path = f"/api/v1/assistance/{a.pk}/{APPLICATION_PATHS.get(code, code)}"
                r = attempt(api(role), path, bodies[code])
                if code in expected:
                    assert r.status_code == 200, (state, role, code, r.content)
                    target = assistance_workflow.MOVES[code].target
                    assert r.json()["status"] == (target or a.status), (state, code)
                    assert code not in r.json()["actions"]  # each step is taken once
                else:
                    assert r.status_code in REFUSED, (state, role, code, r.content)
        assert api("hrss1").get(f"/api/v1/assistance/{a.pk}").status_code == 404


def test_the_application_page_shows_exactly_the_allowed_forms(users, web):
    applications = _applications(users)
    for state in ("received", "notified"):
        a = applications[state]
        for role in ("civil1", "civil2"):
            allowed = assistance_workflow.allowed_actions(users[role], a)
            r = web(role).get(f"/assistance/{a.pk}/")
            html = r.content.decode()
            assert list(r.context["forms"]) == allowed
            shown = [
                c
                for c in assistance_workflow.MOVES
                if f'action="{reverse(f"assistance:{c}", args=[a.pk])}"' in html
            ]
            assert shown == allowed, (state, role)
    assert shown == []  # another officer of the department only reads


# --- legal aid referrals -----------------------------------------------------------------------
REFERRAL_TABLE = {
    "sent": [],
    "accepted": ["lawyer"],
    "answered": ["lawyer", "outcome"],
    "closed": [],
}


def _referrals(users) -> dict[str, Transfer]:
    case = wage_case(users, consent=True, seq="83")
    centre = users["lac1"]
    lawyer = {"lawyer_name": "李律师", "law_firm": "某律师事务所", "assigned_on": _today()}

    def new() -> Transfer:
        return send(users, case, to_org="WHLAC", kind="legal_aid")

    closed = new()
    transfer_services.accept_transfer(transfer_id=closed.pk, actor=centre)
    assistance_services.assign_lawyer(transfer_id=closed.pk, actor=centre, data=lawyer)
    transfer_services.close_transfer(transfer_id=closed.pk, actor=users["civil1"])
    answered = new()
    transfer_services.accept_transfer(transfer_id=answered.pk, actor=centre)
    assistance_services.assign_lawyer(transfer_id=answered.pk, actor=centre, data=lawyer)
    accepted = new()
    transfer_services.accept_transfer(transfer_id=accepted.pk, actor=centre)
    # one open referral to a centre per case: the sent one is of another case
    sent = send(users, wage_case(users, consent=True, seq="85"), to_org="WHLAC", kind="legal_aid")
    built = {"sent": sent, "accepted": accepted, "answered": answered, "closed": closed}
    return {state: Transfer.objects.get(pk=t.pk) for state, t in built.items()}


def test_referral_actions_follow_the_table_in_every_state(users, api):
    referrals = _referrals(users)
    bodies = {
        "lawyer": {"lawyer_name": "王律师", "law_firm": "某律师事务所", "assigned_on": _today()},
        "outcome": {"outcome": "representing", "outcome_on": _today()},
    }
    for state, t in referrals.items():
        assert t.status == state
        for role in ("lac1", "civil1", "civilhead"):
            expected = REFERRAL_TABLE[state] if role == "lac1" else []
            assert assistance_workflow.allowed_actions(users[role], t) == expected, (state, role)
            r = api(role).get(f"/api/v1/transfers/{t.pk}/legal-aid")
            assert r.status_code == 200, (state, role)
            assert r.json()["actions"] == expected, (state, role)
            for code in assistance_workflow.REFERRAL_MOVES:
                path = f"/api/v1/transfers/{t.pk}/legal-aid/{code}"
                r = attempt(api(role), path, bodies[code])
                if code in expected:
                    assert r.status_code == 200, (state, role, code, r.content)
                    assert r.json()["status"] == "answered"
                else:
                    assert r.status_code in REFUSED, (state, role, code, r.content)


def test_the_legal_aid_section_shows_exactly_the_allowed_forms(users, web):
    t = _referrals(users)["answered"]
    for role in ("lac1", "civil1"):
        allowed = assistance_workflow.allowed_actions(users[role], t)
        html = web(role).get(f"/transfers/{t.pk}/").content.decode()
        shown = [
            c
            for c in assistance_workflow.REFERRAL_MOVES
            if reverse(f"assistance:legal_aid_{c}", args=[t.pk]) in html
        ]
        assert shown == allowed, role
    assert shown == []


# --- procuratorial suggestions -----------------------------------------------------------------
DRAFTERS = ("civil1", "civilhead")  # the case officer and the head: revise, and follow up
FOLLOWERS = ("civil1", "civilhead", "chief")  # who follows up after approval
SUGGESTION_ROLES = ("civil1", "civilhead", "chief", "civil2", "registrar1")
# state → (what the drafters may do, what the chief procurator may do)
SUGGESTION_TABLE = {
    "pending": ([], []),
    "returned": (["revise", "withdraw"], ["withdraw"]),
    "approved": (["serve", "withdraw"], ["serve", "withdraw"]),
    "served": (["reply"], ["reply"]),
    "served_overdue": (["reply", "escalate"], ["reply", "escalate"]),
    "replied_adopted": (["close"], ["close"]),
    "replied_partly": (["escalate", "close"], ["escalate", "close"]),
    "escalated": (["reply", "escalate", "close"], ["reply", "escalate", "close"]),
    "closed": ([], []),
    "withdrawn": ([], []),
}


def _suggestion_bodies() -> dict:
    today = _today()
    return {
        "revise": DRAFT,
        "serve": {"served_on": today, "method": "post"},
        "reply": {"replied_on": today, "text": "已整改", "adoption": "adopted"},
        "escalate": {"escalated_on": today, "to": "superior_procuratorate", "reason": "未整改"},
        "close": {"note": "结案"},
        "withdraw": {"reason": "情况已变化，撤回"},
    }


def _suggestions(users) -> dict[str, Suggestion]:
    case = open_case(users, seq="84")
    civil1, today = users["civil1"], timezone.localdate()
    long_ago = today - timedelta(days=120)

    def reply(s, adoption):
        return supervision_services.record_reply(
            suggestion_id=s.pk,
            actor=civil1,
            data={"replied_on": today.isoformat(), "text": "已收到", "adoption": adoption},
        )

    def served_on(day):
        return serve(users, approve(users, draft(users, case), approved_on=day), day)

    returned = draft(users, case)
    decide_approval(
        approval_id=returned.approval_id, actor=users["chief"], approve=False, reason="请修改"
    )
    escalated = served_on(long_ago)
    supervision_services.escalate_suggestion(
        suggestion_id=escalated.pk,
        actor=civil1,
        data={"escalated_on": today.isoformat(), "to": "competent_authority", "reason": "逾期"},
    )
    closed = reply(served_on(today), "adopted")
    supervision_services.close_suggestion(
        suggestion_id=closed.pk, actor=civil1, data={"note": "结"}
    )
    withdrawn = approve(users, draft(users, case))
    supervision_services.withdraw_suggestion(
        suggestion_id=withdrawn.pk, actor=civil1, data={"reason": "撤回"}
    )
    built = {
        "pending": draft(users, case),
        "returned": returned,
        "approved": approve(users, draft(users, case)),
        "served": served_on(today),
        "served_overdue": served_on(long_ago),
        "replied_adopted": reply(served_on(today), "adopted"),
        "replied_partly": reply(served_on(today), "partly_adopted"),
        "escalated": escalated,
        "closed": closed,
        "withdrawn": withdrawn,
    }
    return {
        state: Suggestion.objects.select_related("case").get(pk=s.pk) for state, s in built.items()
    }


def test_suggestion_actions_follow_the_table_in_every_state(users, api):
    suggestions = _suggestions(users)
    bodies = _suggestion_bodies()
    for state, s in suggestions.items():
        drafters, chief = SUGGESTION_TABLE[state]
        for role in SUGGESTION_ROLES:
            expected = drafters if role in DRAFTERS else chief if role == "chief" else []
            assert supervision_workflow.allowed_actions(users[role], s) == expected, (state, role)
            r = api(role).get(f"/api/v1/suggestions/{s.pk}")
            assert r.status_code == 200, (state, role)
            assert r.json()["actions"] == expected, (state, role)
            for code in supervision_workflow.MOVES:
                path = f"/api/v1/suggestions/{s.pk}/{code}"
                r = attempt(api(role), path, bodies[code])
                if code in expected:
                    assert r.status_code == 200, (state, role, code, r.content)
                    assert r.json()["status"] == supervision_workflow.MOVES[code].target
                else:
                    assert r.status_code in REFUSED, (state, role, code, r.content)
        assert api("hrss1").get(f"/api/v1/suggestions/{s.pk}").status_code == 404


def test_the_suggestion_page_shows_exactly_the_allowed_forms(users, web):
    s = _suggestions(users)["returned"]
    for role in ("civil1", "chief", "civil2"):
        allowed = supervision_workflow.allowed_actions(users[role], s)
        r = web(role).get(f"/supervision/suggestions/{s.pk}/")
        html = r.content.decode()
        assert list(r.context["forms"]) == allowed, role
        shown = [
            c
            for c in supervision_workflow.MOVES
            if reverse(f"supervision:{c}", args=[s.pk]) in html
        ]
        assert shown == allowed, role
    assert shown == []
