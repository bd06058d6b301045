"""Judicial assistance (rules JA-1 … JA-6): recording, the eligibility check, the cap and its
special approval, the approval chain (each role only its step), funds, notice, payment."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import override_settings
from django.utils import timezone

from tests.assistance.conftest import application_data, claimant_of, opinion_data, record
from tests.transfers.conftest import wage_case
from zhichi.accounts.models import Notification
from zhichi.assistance import services
from zhichi.assistance.models import AssistanceApplication, AssistanceStatus
from zhichi.audit.models import AuditEntry
from zhichi.cases.models import Approval, ApprovalStatus, CaseDeadline
from zhichi.cases.services.approvals import decide_approval
from zhichi.common.errors import InvalidInput, NotPermitted

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


def fields(exc) -> dict[str, str]:
    return {e.field: e.code for e in exc.value.errors}


def approve(users, application, who: str, ok: bool = True, reason: str = ""):
    application.refresh_from_db()
    return decide_approval(
        approval_id=application.approval_id, actor=users[who], approve=ok, reason=reason
    )


def granted(users, case, **opinion):
    a = record(users, case)
    services.submit_opinion(
        application_id=a.pk, actor=users["civil1"], data=opinion_data(**opinion)
    )
    approve(users, a, "civilhead")
    approve(users, a, "chief")
    a.refresh_from_db()
    return a


# --- recording ---------------------------------------------------------------------------------
def test_record_application_sets_cap_and_decision_deadline_ja6(users, acase):
    a = record(users, acase)

    assert a.status == AssistanceStatus.RECEIVED
    # rule JA-5: the seeded Yunnan 2023 on-post figure, 112,908 a year → 338,724.00 for 36 months
    assert a.cap == Decimal("338724.00")
    wanted = timezone.localdate().year - 1
    assert a.cap_detail["wage_year"] == 2023
    assert a.cap_detail["wage_year_wanted"] == wanted
    assert a.cap_detail["complete"] is (wanted == 2023)
    d = CaseDeadline.objects.get(case=acase, key=f"assistance:{a.pk}")
    assert (d.kind, d.rule, d.status) == ("assistance_decision", "JA-6", "pending")
    assert d.due > a.received_on + timedelta(days=11)  # 10 working days span two weekends
    assert acase.timeline.filter(kind="assistance_received").count() == 1
    assert AuditEntry.objects.filter(action="assistance.record", outcome="ok").count() == 1


def test_one_aid_per_applicant_per_case_ja4(users, acase):
    record(users, acase)
    with pytest.raises(InvalidInput) as exc:
        record(users, acase)
    assert fields(exc) == {"applicant_party_id": "one_aid"}
    assert AssistanceApplication.objects.count() == 1


def test_refused_application_allows_a_new_one_ja4(users, acase):
    a = record(users, acase)
    services.withdraw_application(
        application_id=a.pk, actor=users["civil1"], data={"reason": "撤回"}
    )
    assert record(users, acase).status == AssistanceStatus.RECEIVED


def test_bad_input_is_refused_at_each_field_and_nothing_is_saved(users, acase):
    with pytest.raises(InvalidInput) as exc:
        services.record_application(
            case_id=acase.pk,
            actor=users["civil1"],
            data={
                "applicant_party_id": 999999,
                "requested_amount": "0",
                "hardship": "",
                "basis": "wages",
                "received_on": (timezone.localdate() + timedelta(days=1)).isoformat(),
                "urgent": True,
            },
        )
    assert fields(exc) == {
        "requested_amount": "positive",
        "hardship": "required",
        "basis": "choice",
        "received_on": "future",
        "urgent_reason": "required",
    }
    # the input's own rules are judged first (ApplicationIn), then against the case
    with pytest.raises(InvalidInput) as exc:
        services.record_application(
            case_id=acase.pk,
            actor=users["civil1"],
            data=application_data(acase, applicant_party_id=999999),
        )
    assert fields(exc) == {"applicant_party_id": "not_claimant"}
    assert AssistanceApplication.objects.count() == 0


def test_application_before_the_case_opened_is_refused_ja1(users, acase):
    day = (acase.opened_on - timedelta(days=3)).isoformat()
    with pytest.raises(InvalidInput) as exc:
        record(users, acase, received_on=day)
    assert fields(exc) == {"received_on": "before_case"}


def test_hardship_not_caused_by_the_case_is_refused_under_other_ja2(users, acase):
    with pytest.raises(InvalidInput) as exc:
        record(users, acase, hardship_caused_by_case=False)
    assert fields(exc) == {"hardship_caused_by_case": "not_caused"}


def test_only_officer_or_head_records_and_denial_is_audited(users, acase):
    for who in ("civil2", "chief", "criminal1", "hrss1"):
        with pytest.raises(NotPermitted):
            services.record_application(
                case_id=acase.pk, actor=users[who], data=application_data(acase)
            )
    assert AuditEntry.objects.filter(action="assistance.record", outcome="denied").count() == 4
    assert AssistanceApplication.objects.count() == 0


# --- the opinion: eligibility and the cap ------------------------------------------------------
def test_exclusion_blocks_a_grant_ja3(users, acase):
    a = record(users, acase)
    with pytest.raises(InvalidInput) as exc:
        services.submit_opinion(
            application_id=a.pk,
            actor=users["civil1"],
            data=opinion_data(exclusions={**opinion_data()["exclusions"], "serious_fault": True}),
        )
    assert fields(exc) == {"proposal": "not_eligible"}
    a.refresh_from_db()
    assert a.status == AssistanceStatus.RECEIVED and a.approval_id is None


def test_every_exclusion_must_be_answered_ja3(users, acase):
    a = record(users, acase)
    partial = {"serious_fault": False, "bogus": True}
    with pytest.raises(InvalidInput) as exc:
        services.submit_opinion(
            application_id=a.pk, actor=users["civil1"], data=opinion_data(exclusions=partial)
        )
    got = fields(exc)
    assert got["exclusions.bogus"] == "unknown"
    assert got["exclusions.already_compensated"] == "required"
    assert "exclusions.serious_fault" not in got


def test_refusal_may_be_proposed_when_an_exclusion_applies_ja3(users, acase):
    a = record(users, acase)
    data = opinion_data(
        proposal="refuse",
        proposed_amount=None,
        exclusions={**opinion_data()["exclusions"], "already_compensated": True},
        opinion="已获社会救助，不予救助",
    )
    services.submit_opinion(application_id=a.pk, actor=users["civil1"], data=data)
    approve(users, a, "civilhead")
    approve(users, a, "chief")
    a.refresh_from_db()
    assert a.status == AssistanceStatus.REFUSED
    assert a.granted_amount is None and a.decided_on == timezone.localdate()
    assert a.eligibility["eligible"] is False


def test_proposal_above_request_is_refused(users, acase):
    a = record(users, acase)
    with pytest.raises(InvalidInput) as exc:
        services.submit_opinion(
            application_id=a.pk,
            actor=users["civil1"],
            data=opinion_data(proposed_amount="30000.01"),
        )
    assert fields(exc) == {"proposed_amount": "above_request"}


def test_above_the_cap_needs_court_award_and_special_approval_ja4(users, acase):
    a = record(users, acase, requested_amount="400000.00")
    with pytest.raises(InvalidInput) as exc:
        services.submit_opinion(
            application_id=a.pk, actor=users["civil1"], data=opinion_data(proposed_amount="350000")
        )
    assert fields(exc) == {"court_award_limit": "required"}
    with pytest.raises(InvalidInput) as exc:
        services.submit_opinion(
            application_id=a.pk,
            actor=users["civil1"],
            data=opinion_data(proposed_amount="350000", court_award_limit="340000"),
        )
    assert fields(exc) == {"proposed_amount": "above_award"}

    services.submit_opinion(
        application_id=a.pk,
        actor=users["civil1"],
        data=opinion_data(proposed_amount="350000", court_award_limit="360000"),
    )
    a.refresh_from_db()
    assert [s["step"] for s in a.steps] == ["review", "decision", "special"]
    approve(users, a, "civilhead")
    approve(users, a, "chief")
    a.refresh_from_db()
    assert a.status == AssistanceStatus.IN_APPROVAL and a.current_step["step"] == "special"
    approve(users, a, "chief", reason="经检察委员会讨论，特别批准")
    a.refresh_from_db()
    assert a.status == AssistanceStatus.GRANTED and a.granted_amount == Decimal("350000.00")


def test_at_the_cap_needs_no_special_approval_ja4(users, acase):
    a = record(users, acase, requested_amount="338724.00")
    services.submit_opinion(
        application_id=a.pk, actor=users["civil1"], data=opinion_data(proposed_amount="338724.00")
    )
    a.refresh_from_db()
    assert [s["step"] for s in a.steps] == ["review", "decision"]


def test_province_cap_lowers_the_cap_ja4(users, acase):
    from zhichi.rulebook.models import RuleSetting

    RuleSetting.objects.create(
        key="assistance_province_cap_53", value="50000", source="省级规定（测试）"
    )
    a = record(users, acase, requested_amount="60000")
    assert a.cap == Decimal("50000.00") and a.cap_detail["capped_by_province"] is True


def test_no_average_wage_at_all_blocks_a_grant_ja4(users, acase):
    from zhichi.rulebook.models import AverageWage

    AverageWage.objects.all().delete()
    a = record(users, acase)
    assert a.cap is None
    with pytest.raises(InvalidInput) as exc:
        services.submit_opinion(application_id=a.pk, actor=users["civil1"], data=opinion_data())
    assert fields(exc) == {"proposed_amount": "no_cap"}


# --- the approval chain ------------------------------------------------------------------------
def test_chain_officer_head_chief_each_role_only_its_step_ja6(users, acase):
    a = record(users, acase)
    services.submit_opinion(application_id=a.pk, actor=users["civil1"], data=opinion_data())
    a.refresh_from_db()
    assert a.status == AssistanceStatus.IN_APPROVAL
    first = Approval.objects.get(pk=a.approval_id)
    assert (first.required_role, first.payload["step"]) == ("head", "review")
    # the head is told; the officer, a chief and the other department may not decide it
    assert Notification.objects.filter(user=users["civilhead"], kind="approval").exists()
    for who in ("civil1", "civil2", "chief", "criminal1"):
        with pytest.raises(NotPermitted):
            decide_approval(approval_id=first.pk, actor=users[who], approve=True)
    approve(users, a, "civilhead", reason="同意")
    a.refresh_from_db()
    second = Approval.objects.get(pk=a.approval_id)
    assert (second.required_role, second.payload["step"]) == ("chief", "decision")
    assert Notification.objects.filter(user=users["chief"], kind="approval").exists()
    with pytest.raises(NotPermitted):
        decide_approval(approval_id=second.pk, actor=users["civilhead"], approve=True)
    approve(users, a, "chief")
    a.refresh_from_db()
    assert a.status == AssistanceStatus.GRANTED
    assert a.granted_amount == Decimal("20000.00") and a.decided_on == timezone.localdate()
    d = CaseDeadline.objects.get(case=acase, key=f"assistance:{a.pk}")
    assert (d.status, d.done_on) == ("done", timezone.localdate())


def test_rejection_returns_the_opinion_for_revision(users, acase):
    a = record(users, acase)
    services.submit_opinion(application_id=a.pk, actor=users["civil1"], data=opinion_data())
    with pytest.raises(InvalidInput):
        approve(users, a, "civilhead", ok=False)  # a rejection needs a reason
    approve(users, a, "civilhead", ok=False, reason="医疗费用票据不全，请补充核实")
    a.refresh_from_db()
    assert a.status == AssistanceStatus.RECEIVED and a.returned_reason.startswith("医疗费用")
    services.submit_opinion(
        application_id=a.pk, actor=users["civil1"], data=opinion_data(proposed_amount="15000")
    )
    approve(users, a, "civilhead")
    approve(users, a, "chief")
    a.refresh_from_db()
    assert a.status == AssistanceStatus.GRANTED and a.granted_amount == Decimal("15000.00")
    assert Approval.objects.filter(kind="assistance", status=ApprovalStatus.REJECTED).count() == 1


def test_a_heads_own_opinion_goes_to_the_chief_and_the_head_gets_403_four_eyes(users, acase):
    # issue 12, item 5: the shared rule of cases.services.approvals, no longer the chain's own
    a = record(users, acase)
    services.submit_opinion(application_id=a.pk, actor=users["civilhead"], data=opinion_data())
    a.refresh_from_db()
    review = Approval.objects.get(pk=a.approval_id)
    assert (review.payload["step"], review.required_role, review.escalated_from) == (
        "review",
        "chief",
        "head",
    )
    assert not Notification.objects.filter(user=users["civilhead"], kind="approval").exists()
    with pytest.raises(NotPermitted):
        approve(users, a, "civilhead")
    a.refresh_from_db()
    assert a.status == AssistanceStatus.IN_APPROVAL and a.step_index == 0
    assert AuditEntry.objects.filter(action="approval.decide", outcome="denied").count() == 1

    approve(users, a, "chief")  # the review, in the head's place
    a.refresh_from_db()
    decision = Approval.objects.get(pk=a.approval_id)
    assert (decision.payload["step"], decision.required_role, decision.escalated_from) == (
        "decision",
        "chief",
        "",
    )
    with pytest.raises(NotPermitted):
        approve(users, a, "civilhead")
    approve(users, a, "chief")
    a.refresh_from_db()
    assert a.status == AssistanceStatus.GRANTED
    deciders = Approval.objects.filter(kind="assistance").values_list(
        "decided_by__username", flat=True
    )
    assert list(deciders) == ["chief", "chief"]


@override_settings()
def test_urgent_aid_first_goes_straight_to_the_chief_ja6(users, acase, settings):
    a = record(users, acase, urgent=True, urgent_reason="妻子急需手术，无力支付")
    services.submit_opinion(application_id=a.pk, actor=users["civil1"], data=opinion_data())
    a.refresh_from_db()
    assert [s["role"] for s in a.steps] == ["chief"]
    approve(users, a, "chief")
    a.refresh_from_db()
    assert a.status == AssistanceStatus.GRANTED


def test_chain_is_configurable(users, acase, settings):
    settings.ZHICHI = {**settings.ZHICHI, "ASSISTANCE_CHAIN": ["chief"]}
    a = record(users, acase)
    services.submit_opinion(application_id=a.pk, actor=users["civil1"], data=opinion_data())
    a.refresh_from_db()
    assert a.steps == [{"step": "decision", "role": "chief"}]


# --- after the decision ------------------------------------------------------------------------
def test_funds_notice_payment_and_follow_up_ja6(users, acase):
    a = granted(users, acase)
    today = timezone.localdate().isoformat()
    with pytest.raises(InvalidInput) as exc:
        services.record_payment(
            application_id=a.pk,
            actor=users["civil1"],
            data={"paid_on": today, "amount": "20000", "method": "cash"},
        )
    assert fields(exc) == {"status": "state"}  # funds and notice first

    services.record_funds(application_id=a.pk, actor=users["civil1"], data={"arrived_on": today})
    notice = CaseDeadline.objects.get(case=acase, key=f"assistance-notice:{a.pk}")
    assert (notice.kind, notice.rule, notice.status) == (
        "assistance_notification",
        "JA-6",
        "pending",
    )
    assert notice.due > timezone.localdate()

    services.record_notice(
        application_id=a.pk, actor=users["civil1"], data={"notified_on": today, "method": "phone"}
    )
    notice.refresh_from_db()
    assert notice.status == "done"

    with pytest.raises(InvalidInput) as exc:
        services.record_payment(
            application_id=a.pk,
            actor=users["civil1"],
            data={"paid_on": today, "amount": "20000.01", "method": "bank_transfer"},
        )
    # the input's own rules are judged first (AssistancePaymentIn), then against the grant
    assert fields(exc) == {"reference": "required"}
    with pytest.raises(InvalidInput) as exc:
        services.record_payment(
            application_id=a.pk,
            actor=users["civil1"],
            data={
                "paid_on": today,
                "amount": "20000.01",
                "method": "bank_transfer",
                "reference": "T1",
            },
        )
    assert fields(exc) == {"amount": "above_grant"}
    services.record_payment(
        application_id=a.pk,
        actor=users["civil1"],
        data={"paid_on": today, "amount": "20000", "method": "bank_transfer", "reference": "T1"},
    )
    a.refresh_from_db()
    assert a.status == AssistanceStatus.PAID and a.paid_amount == Decimal("20000.00")
    services.record_follow_up(
        application_id=a.pk, actor=users["civil1"], data={"on": today, "note": "已用于治疗"}
    )
    a.refresh_from_db()
    assert a.follow_up_on == timezone.localdate()
    kinds = list(acase.timeline.filter(data__application=a.pk).values_list("kind", flat=True))
    assert kinds[-4:] == [
        "assistance_funds",
        "assistance_notice",
        "assistance_paid",
        "assistance_follow_up",
    ]


def test_funds_cannot_arrive_before_the_decision(users, acase):
    a = granted(users, acase)
    day = (a.decided_on - timedelta(days=1)).isoformat()
    with pytest.raises(InvalidInput) as exc:
        services.record_funds(application_id=a.pk, actor=users["civil1"], data={"arrived_on": day})
    assert fields(exc) == {"arrived_on": "before_decision"}


def test_withdrawing_withdraws_the_open_approval(users, acase):
    a = record(users, acase)
    services.submit_opinion(application_id=a.pk, actor=users["civil1"], data=opinion_data())
    a.refresh_from_db()
    approval_id = a.approval_id
    services.withdraw_application(
        application_id=a.pk, actor=users["civil1"], data={"reason": "申请人撤回"}
    )
    assert Approval.objects.get(pk=approval_id).status == ApprovalStatus.WITHDRAWN
    a.refresh_from_db()
    assert a.status == AssistanceStatus.WITHDRAWN
    with pytest.raises(InvalidInput) as exc:  # nothing left to decide
        decide_approval(approval_id=approval_id, actor=users["civilhead"], approve=True)
    assert fields(exc) == {"status": "decided"}


def test_stale_version_is_refused(users, acase):
    from zhichi.common.errors import StaleVersion

    a = record(users, acase)
    with pytest.raises(StaleVersion):
        services.submit_opinion(
            application_id=a.pk, actor=users["civil1"], data=opinion_data(), version=a.version + 5
        )


def test_other_claimant_gets_own_application(users):
    case = wage_case(users, consent=False, seq="62", workers=2)
    claimants = list(case.parties.filter(role="claimant"))
    for cp in claimants:
        services.record_application(
            case_id=case.pk,
            actor=users["civil1"],
            data=application_data(case, applicant_party_id=cp.party_id),
        )
    assert AssistanceApplication.objects.filter(case=case).count() == 2
    assert claimant_of(case) in claimants
