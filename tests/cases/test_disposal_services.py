"""Services of hierarchical disposal: guards (C3, SP-6), ledger (C6), deadlines (TL-4/5/6)."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import make_id
from zhichi.cases import ledger
from zhichi.cases.models import CaseDeadline, CaseParty
from zhichi.cases.services import approvals, disposal, move_stage, override_level
from zhichi.cases.words import level_reason_words
from zhichi.common.errors import InvalidInput, NotPermitted, StaleVersion
from zhichi.intake import services as intake
from zhichi.intake.validation import validate_lead

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


def open_case(users, payload, **overrides):
    lead = intake.create_lead(actor=users["civil1"], data=validate_lead(payload(**overrides)))
    return intake.accept_lead(lead_id=lead.pk, actor=users["civil1"])


def fresh(case):
    case.refresh_from_db()
    return case


def approve_support(case, users):
    approval = disposal.propose_support_decision(
        case_id=case.pk, actor=users["civil1"], data={"decision": "support", "reasons": "符合条件"}
    )
    approvals.decide_approval(approval_id=approval.pk, actor=users["civilhead"], approve=True)


def test_sp6_litigation_needs_an_arbitration_award_when_arbitration_comes_first(users, payload):
    case = open_case(users, payload)  # employee without IOU: arbitration first
    approve_support(case, users)
    with pytest.raises(InvalidInput) as exc:
        move_stage(
            case_id=case.pk,
            to="litigation",
            reason="起诉",
            version=fresh(case).version,
            actor=users["civil1"],
        )
    assert "SP-6" in exc.value.errors[0].message
    disposal.record_court_event(
        case_id=case.pk,
        actor=users["civil1"],
        data={
            "kind": "arbitration_award",
            "on": "2026-11-01",
            "court": "五华区劳动人事争议仲裁委员会",
        },
    )
    moved = move_stage(
        case_id=case.pk,
        to="litigation",
        reason="仲裁后起诉",
        version=fresh(case).version,
        actor=users["civil1"],
    )
    assert moved.stage == "litigation"


def test_c5_litigation_needs_an_approved_support_decision(users, payload):
    case = open_case(users, payload, labour_relationship="contractor_crew")
    approval = disposal.propose_support_decision(
        case_id=case.pk, actor=users["civil1"], data={"decision": "support", "reasons": "符合条件"}
    )
    with pytest.raises(NotPermitted):
        approvals.decide_approval(approval_id=approval.pk, actor=users["civil2"], approve=True)
    with pytest.raises(InvalidInput):
        move_stage(
            case_id=case.pk,
            to="litigation",
            reason="x",
            version=fresh(case).version,
            actor=users["civil1"],
        )
    approvals.decide_approval(approval_id=approval.pk, actor=users["civilhead"], approve=True)
    assert (
        move_stage(
            case_id=case.pk,
            to="litigation",
            reason="支持起诉",
            version=fresh(case).version,
            actor=users["civil1"],
        ).stage
        == "litigation"
    )


def test_c5_a_rejected_or_not_support_decision_does_not_open_litigation(users, payload):
    case = open_case(users, payload, labour_relationship="contractor_crew")
    approval = disposal.propose_support_decision(
        case_id=case.pk,
        actor=users["civil1"],
        data={"decision": "not_support", "reasons": "已有律师"},
    )
    with pytest.raises(InvalidInput):  # rejecting needs a reason
        approvals.decide_approval(approval_id=approval.pk, actor=users["civilhead"], approve=False)
    approvals.decide_approval(approval_id=approval.pk, actor=users["civilhead"], approve=True)
    with pytest.raises(InvalidInput):
        move_stage(
            case_id=case.pk,
            to="litigation",
            reason="x",
            version=fresh(case).version,
            actor=users["civil1"],
        )


def test_c6_post_litigation_needs_a_judgment_ruling_or_agreement(users, payload):
    case = open_case(users, payload)
    move_stage(
        case_id=case.pk, to="pre_litigation", reason="调解", version=1, actor=users["civil1"]
    )
    with pytest.raises(InvalidInput):
        move_stage(
            case_id=case.pk, to="post_litigation", reason="x", version=2, actor=users["civil1"]
        )
    disposal.record_mediation(
        case_id=case.pk,
        actor=users["civil1"],
        data={
            "held_on": "2026-11-02",
            "mediator_org": "调委会",
            "outcome": "agreement",
            "agreed_amount": "18000.00",
            "instalments": [
                {"due": "2026-11-30", "amount": "9000.00"},
                {"due": "2026-12-31", "amount": "9000.00"},
            ],
        },
    )
    case = move_stage(
        case_id=case.pk,
        to="post_litigation",
        reason="履行",
        version=fresh(case).version,
        actor=users["civil1"],
    )
    assert case.stage == "post_litigation"


def test_tl6_agreement_starts_the_confirmation_window_and_instalments(users, payload):
    case = open_case(users, payload)
    disposal.record_mediation(
        case_id=case.pk,
        actor=users["civil1"],
        data={
            "held_on": "2026-11-02",
            "mediator_org": "调委会",
            "outcome": "agreement",
            "agreed_amount": "18000.00",
            "instalments": [
                {"due": "2026-11-20", "amount": "9000.00"},
                {"due": "2026-12-31", "amount": "9000.00"},
            ],
        },
    )
    deadlines = {d.kind: d for d in CaseDeadline.objects.filter(case=case)}
    assert (deadlines["judicial_confirmation"].due, deadlines["judicial_confirmation"].rule) == (
        date(2026, 12, 2),
        "TL-6",
    )
    instalments = CaseDeadline.objects.filter(case=case, kind="instalment").order_by("due")
    assert [d.status for d in instalments] == ["pending", "pending"]
    claimant = case.parties.filter(role="claimant").order_by("position").first()
    disposal.record_payment(
        case_id=case.pk,
        actor=users["civil1"],
        data={
            "claimant_party_id": claimant.party_id,
            "paid_on": "2026-11-19",
            "amount": "9000.00",
            "payer": "某公司",
        },
    )
    assert [d.status for d in instalments.all()] == ["done", "pending"]


def test_tl6_instalments_must_add_up_to_the_agreement(users, payload):
    case = open_case(users, payload)
    with pytest.raises(InvalidInput) as exc:
        disposal.record_mediation(
            case_id=case.pk,
            actor=users["civil1"],
            data={
                "held_on": "2026-11-02",
                "mediator_org": "调委会",
                "outcome": "agreement",
                "agreed_amount": "18000.00",
                "instalments": [{"due": "2026-11-20", "amount": "1.00"}],
            },
        )
    assert exc.value.errors[0].field == "instalments"
    assert case.mediations.count() == 0


def test_tl4_appeal_periods_run_per_person_served(users, payload):
    case = open_case(users, payload)
    with translation.override("en"):  # deadline labels are written in the active language
        disposal.record_court_event(
            case_id=case.pk,
            actor=users["civil1"],
            data={
                "kind": "judgment",
                "on": "2026-09-01",
                "amount_awarded": "20000.50",
                "served": [
                    {"person": "王建国", "served_on": "2026-09-02"},
                    {"person": "某公司", "served_on": "2026-09-20"},
                ],
            },
        )
    appeals = CaseDeadline.objects.filter(case=case, kind="appeal").order_by("due")
    # 2026-09-17 is a Thursday; 2026-10-05 falls in the National Day holiday: rolled to 10-08
    assert [(d.label, d.due) for d in appeals] == [
        ("王建国的上诉期", date(2026, 9, 17)),
        ("某公司的上诉期", date(2026, 10, 8)),
    ]
    # stored as a code with the person, read in the reader's language (issue 13, item 6)
    assert appeals[0].label_words == {"code": "appeal", "params": {"person": "王建国"}}
    with translation.override("en"):
        assert [d.label for d in appeals] == [
            "Appeal period for 王建国",
            "Appeal period for 某公司",
        ]
    enforcement = CaseDeadline.objects.get(case=case, kind="enforcement_application")
    assert (enforcement.due, enforcement.rule) == (date(2028, 10, 9), "TL-5")
    assert enforcement.calendar_complete is False  # 2028's holiday notice is not loaded


def test_c6_recovered_is_only_the_sum_of_payments(users, payload):
    case = open_case(users, payload)
    disposal.record_court_event(
        case_id=case.pk,
        actor=users["civil1"],
        data={"kind": "judgment", "on": "2026-10-01", "amount_awarded": "20000.50"},
    )
    claimants = list(case.parties.filter(role="claimant").order_by("position"))
    for cp, amount in zip(claimants, ("3000.00", "500.25"), strict=True):
        disposal.record_payment(
            case_id=case.pk,
            actor=users["civil1"],
            data={
                "claimant_party_id": cp.party_id,
                "paid_on": "2026-11-01",
                "amount": amount,
                "payer": "某公司",
            },
        )
    book = ledger.ledger_for(case)
    assert book.totals["recovered"] == Decimal("3500.25")
    assert book.totals["awarded"] == Decimal("20000.50")
    assert book.totals["claimed"] == Decimal("20000.50")
    assert [r.awarded for r in book.rows] == [Decimal("12000.00"), Decimal("8000.50")]
    assert book.totals["outstanding"] == Decimal("16500.25")
    with pytest.raises(InvalidInput):
        disposal.close_case(
            case_id=case.pk, actor=users["civil1"], data={"outcome": "recovered_in_full"}
        )
    closed = disposal.close_case(
        case_id=case.pk, actor=users["civil1"], data={"outcome": "partly_recovered"}
    )
    assert (closed.status, closed.outcome) == ("closed", "partly_recovered")


def test_payment_for_someone_not_a_claimant_is_refused(users, payload):
    case = open_case(users, payload)
    with pytest.raises(InvalidInput) as exc:
        disposal.record_payment(
            case_id=case.pk,
            actor=users["civil1"],
            data={
                "claimant_party_id": 999999,
                "paid_on": "2026-11-01",
                "amount": "1.00",
                "payer": "x",
            },
        )
    assert exc.value.errors[0].field == "claimant_party_id"


def test_a_stale_version_is_refused_for_events(users, payload):
    case = open_case(users, payload)
    with pytest.raises(StaleVersion):
        disposal.record_mediation(
            case_id=case.pk,
            actor=users["civil1"],
            version=case.version + 5,
            data={"held_on": "2026-11-02", "mediator_org": "调委会", "outcome": "failed"},
        )


def test_c3_twelve_workers_are_at_least_standard_and_heads_may_override(users, payload):
    workers = [
        {
            "name": f"工人{i}",
            "id_number": make_id(seq=f"{300 + i}"),
            "amount_claimed": "10000.00",
            "months_unpaid": 4,
            "groups": ["migrant_worker"],
        }
        for i in range(12)
    ]
    case = fresh(open_case(users, payload, claimants=workers))
    assert case.level >= 2
    assert any("12" in r for r in level_reason_words(case.level_reasons))
    with pytest.raises(NotPermitted):
        override_level(
            case_id=case.pk, level=1, reason="x", actor=users["civil1"], version=case.version
        )
    override_level(
        case_id=case.pk,
        level=3,
        reason="涉众风险突出",
        actor=users["civilhead"],
        version=case.version,
    )
    case = fresh(case)
    assert case.level == 3
    assert level_reason_words(case.level_reasons)[0].endswith("涉众风险突出")


@given(
    st.lists(st.decimals(min_value=0, max_value=100000, places=2), min_size=1, max_size=30),
    st.decimals(min_value=0, max_value=10**8, places=2),
)
def test_c6_allocation_always_adds_up_exactly(claims, total):
    claimants = [CaseParty(pk=i + 1, amount_claimed=c) for i, c in enumerate(claims)]
    shares = ledger.allocate(total, claimants)
    assert sum(shares.values()) == total
    assert all(v >= 0 for v in shares.values()) or total == 0


def test_c4_a_reconciliation_is_recorded_as_its_own_kind_of_session(users, payload):
    case = open_case(users, payload)
    session = disposal.record_mediation(
        case_id=case.pk,
        actor=users["civil1"],
        data={
            "held_on": "2026-11-02",
            "mediator_org": "双方自行和解",
            "kind": "reconciliation",
            "outcome": "failed",
        },
    )
    assert session.kind == "reconciliation"
    with pytest.raises(InvalidInput) as exc:
        disposal.record_mediation(
            case_id=case.pk,
            actor=users["civil1"],
            data={
                "held_on": "2026-11-02",
                "mediator_org": "x",
                "kind": "arbitration",
                "outcome": "failed",
            },
        )
    assert exc.value.errors[0].field == "kind"


def test_c4_an_overdue_instalment_suggests_the_next_step(users, payload):
    case = open_case(users, payload)
    disposal.record_mediation(
        case_id=case.pk,
        actor=users["civil1"],
        data={
            "held_on": "2026-10-02",
            "mediator_org": "调委会",
            "outcome": "agreement",
            "agreed_amount": "100.00",
            "instalments": [{"due": "2026-10-20", "amount": "100.00"}],
        },
    )
    with translation.override("en"):
        from zhichi.cases.services.derived import refresh_deadlines

        refresh_deadlines(case)
    instalment = CaseDeadline.objects.get(case=case, kind="instalment")
    assert instalment.status == "pending"
    assert instalment.basis  # the next step is written next to the deadline


def test_deadlines_of_agreements_read_in_the_same_queries_however_many_instalments(users, payload):
    """Issue 14 item 10: the instalments and the last payment are not read once per agreement
    inside every case write."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from zhichi.cases.models import Case
    from zhichi.cases.services.derived import desired_deadlines

    case = open_case(users, payload)

    def agree(amounts):
        disposal.record_mediation(
            case_id=case.pk,
            actor=users["civil1"],
            data={
                "held_on": "2026-11-02",
                "mediator_org": "调委会",
                "outcome": "agreement",
                "agreed_amount": f"{sum(amounts):.2f}",
                "instalments": [
                    {"due": f"2026-12-{10 + i:02d}", "amount": f"{a:.2f}"}
                    for i, a in enumerate(amounts)
                ],
            },
        )

    def queries() -> int:
        fresh_case = Case.objects.get(pk=case.pk)
        with CaptureQueriesContext(connection) as ctx:
            desired_deadlines(fresh_case)
        return len(ctx)

    agree([1000, 1000])
    one = queries()
    agree([500, 500, 500, 500])
    agree([300, 300, 300])
    assert queries() == one
