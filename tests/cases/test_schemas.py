"""The case inputs are declared once (issue 14 item 1): ``cases.schemas`` refuses a bad value at
its field with the project's code (the rules between fields of one input too), and a service
given the same values as a dict (a page's form, a caller) refuses them the same way, before
anything is saved."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.cases.ledger_cases import PAYER, day, party_ids, three_worker_case
from tests.refusals import refusal, refused
from zhichi.cases.models import (
    Case,
    CaseShare,
    CourtEvent,
    Mediation,
    Payment,
    Service,
    Visit,
)
from zhichi.cases.schemas import (
    CloseIn,
    CorrectionIn,
    CourtEventIn,
    FactsChangeIn,
    FactsIn,
    MediationIn,
    PaymentIn,
    ReopenIn,
    ReverseIn,
    RevokeIn,
    SupportDecisionIn,
    TotalIn,
    VisitIn,
    VisitRecordIn,
)
from zhichi.cases.services import disposal, facts, parties, payments, reopening
from zhichi.common.inputs import parse
from zhichi.parties.models import Party


def today() -> date:
    return timezone.localdate()


PAYMENT = {"claimant_party_id": 5, "paid_on": "2026-01-05", "amount": "1000", "payer": PAYER}
MEDIATION = {
    "held_on": "2026-01-05",
    "mediator_org": "五华区人民调解委员会",
    "outcome": "agreement",
    "agreed_amount": "3000",
}
COURT = {"kind": "judgment", "on": "2026-01-05"}
VISIT_RECORD = {"done_on": "2026-01-05", "findings": "已付清"}


# --- real types ---------------------------------------------------------------------------------
def test_a_good_payment_is_read_with_real_types_and_text_as_the_services_kept_it():
    p = parse(PaymentIn, {**PAYMENT, "amount": "1,000.5", "payer": f"  {PAYER} ", "method": ""})
    assert (p.paid_on, p.amount, p.payer, p.method) == (
        date(2026, 1, 5),
        Decimal("1000.50"),
        PAYER,
        "",
    )


def test_a_good_mediation_reads_its_instalments_and_shares():
    m = parse(
        MediationIn,
        {
            **MEDIATION,
            "kind": "",
            "instalments": [
                {"due": "2026-02-01", "amount": "1000"},
                {"due": "2026-03-01", "amount": "2000.00"},
            ],
            "shares": [{"claimant_party_id": 7, "amount": 3000}],
            "note": None,
        },
    )
    assert m.kind is None and m.agreed_amount == Decimal("3000.00")
    assert [(i.due, i.amount) for i in m.instalments] == [
        (date(2026, 2, 1), Decimal("1000.00")),
        (date(2026, 3, 1), Decimal("2000.00")),
    ]
    assert [(s.claimant_party_id, s.amount) for s in m.shares] == [(7, Decimal("3000.00"))]


def test_the_facts_name_only_what_was_sent():
    f = parse(FactsChangeIn, {"has_iou": True, "payment_order": {"authority": " 人社局 "}})
    assert f.sent() == {"has_iou", "payment_order"}
    assert f.payment_order.authority == "人社局"
    assert f.payment_order.model_fields_set == {"authority"}
    assert "version" in refused(FactsIn, {"has_iou": True})  # the API's body says its version


# --- each input refuses a bad value at its field -------------------------------------------------
@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({**PAYMENT, "amount": "0"}, {"amount": "positive"}),
        ({**PAYMENT, "amount": "-3"}, {"amount": "negative"}),
        ({**PAYMENT, "amount": "1.005"}, {"amount": "precision"}),
        ({**PAYMENT, "amount": 12.5}, {"amount": "money"}),
        ({**PAYMENT, "amount": ""}, {"amount": "required"}),
        ({**PAYMENT, "paid_on": "20260105"}, {"paid_on": "date"}),
        ({**PAYMENT, "paid_on": "1899-12-31"}, {"paid_on": "date_range"}),
        ({**PAYMENT, "payer": "  "}, {"payer": "required"}),
        ({**PAYMENT, "payer": 7}, {"payer": "type"}),
        ({**PAYMENT, "payer": "a\x00b"}, {"payer": "control_character"}),
        ({**PAYMENT, "method": "m" * 61}, {"method": "max_length"}),
        ({**PAYMENT, "claimant_party_id": None}, {"claimant_party_id": "unknown"}),
        ({**PAYMENT, "claimant_party_id": True}, {"claimant_party_id": "unknown"}),
    ],
)
def test_a_payment_refuses_a_bad_value_at_its_field(data, expected):
    assert refused(PaymentIn, data) == expected


def test_a_payment_in_the_future_is_refused():
    tomorrow = (today() + timedelta(days=1)).isoformat()
    assert refused(PaymentIn, {**PAYMENT, "paid_on": tomorrow}) == {"paid_on": "future"}


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({**MEDIATION, "outcome": "maybe"}, {"outcome": "choice"}),
        ({**MEDIATION, "kind": "duel"}, {"kind": "choice"}),
        ({**MEDIATION, "mediator_org": ""}, {"mediator_org": "required"}),
        ({**MEDIATION, "agreed_amount": None}, {"agreed_amount": "required"}),
        ({**MEDIATION, "outcome": "failed"}, {"outcome": "no_agreement"}),
        (
            {**MEDIATION, "instalments": [{"due": "2026-01-04", "amount": "3000"}]},
            {"instalments.0.due": "before"},
        ),
        (
            {**MEDIATION, "instalments": [{"due": "2026-02-01", "amount": "0"}]},
            {"instalments.0.amount": "positive"},
        ),
        (
            {**MEDIATION, "instalments": [{"due": "2026-02-01", "amount": "2999"}]},
            {"instalments": "sum"},
        ),
        ({**MEDIATION, "instalments": ["x"]}, {"instalments.0": "model_type"}),
        (
            {**MEDIATION, "instalments": [{"due": "2026-02-01", "amount": "1"}] * 121},
            {"instalments": "too_many"},
        ),
        (
            {**MEDIATION, "shares": [{"claimant_party_id": "x", "amount": "3000"}]},
            {"shares.0.claimant_party_id": "unknown"},
        ),
        (
            {
                **MEDIATION,
                "outcome": "failed",
                "agreed_amount": None,
                "shares": [{"claimant_party_id": 1, "amount": "1"}],
            },
            {"shares": "not_applicable"},
        ),
    ],
)
def test_a_mediation_refuses_a_bad_value_at_its_field(data, expected):
    assert refused(MediationIn, data) == expected


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({**COURT, "kind": "duel"}, {"kind": "choice"}),
        ({**COURT, "served_on": "2026-01-04"}, {"served_on": "before"}),
        (
            {**COURT, "kind": "hearing", "amount_awarded": "10"},
            {"amount_awarded": "not_applicable"},
        ),
        (
            {**COURT, "awards": [{"claimant_party_id": 1, "amount": "1"}]},
            {"awards": "not_applicable"},
        ),
        (
            {**COURT, "served": [{"person": "", "served_on": "2026-01-05"}]},
            {"served.0.person": "required"},
        ),
        ({**COURT, "performance_due": "soon"}, {"performance_due": "date"}),
    ],
)
def test_a_court_event_refuses_a_bad_value_at_its_field(data, expected):
    assert refused(CourtEventIn, data) == expected


@pytest.mark.parametrize(
    ("schema", "data", "expected"),
    [
        (SupportDecisionIn, {"decision": "perhaps", "reasons": "x"}, {"decision": "choice"}),
        (SupportDecisionIn, {"decision": "support", "reasons": " "}, {"reasons": "required"}),
        (
            VisitIn,
            {"planned_on": "", "target": "claimant", "method": "fax"},
            {
                "planned_on": "required",
                "method": "choice",
            },
        ),
        (VisitRecordIn, {**VISIT_RECORD, "paid_in_full": "yes"}, {"paid_in_full": "type"}),
        (
            VisitRecordIn,
            {**VISIT_RECORD, "next_visit_on": "2026-01-05"},
            {"next_visit_on": "before"},
        ),
        (CloseIn, {"outcome": ""}, {"outcome": "required"}),
        (ReopenIn, {"reason": ""}, {"reason": "required"}),
        (ReverseIn, {}, {"reason": "missing"}),
        (RevokeIn, {"reason": "r" * 201}, {"reason": "max_length"}),
        (CorrectionIn, {"reason": "typo"}, {"name": "nothing_to_correct"}),
        (CorrectionIn, {"reason": "typo", "name": " "}, {"name": "required"}),
        (CorrectionIn, {"reason": "typo", "phone": "12"}, {"phone": "format"}),
        (CorrectionIn, {"reason": "typo", "groups": ["kings"]}, {"groups.0": "choice"}),
        (FactsChangeIn, {"has_iou": None}, {"has_iou": "type"}),
        (FactsChangeIn, {"labour_relationship": ""}, {"labour_relationship": "required"}),
        (
            FactsChangeIn,
            {"payment_order": {"issued_on": "2026-01-05", "deadline": "2026-01-04"}},
            {"payment_order.deadline": "before_issue"},
        ),
        (FactsChangeIn, {"payment_order": "x"}, {"payment_order": "model_type"}),
        (TotalIn, {"amount": "1e3"}, {"amount": "money"}),
    ],
)
def test_each_input_refuses_a_bad_value_at_its_field(schema, data, expected):
    assert refused(schema, data) == expected


def test_a_visit_record_without_paid_in_full_is_not_paid():
    assert parse(VisitRecordIn, {**VISIT_RECORD, "paid_in_full": None}).paid_in_full is False


# --- text longer than the model's column ---------------------------------------------------------
LONG_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zs", "Zl", "Zp")), min_size=1
)


@settings(max_examples=25, deadline=None)
@given(extra=LONG_TEXT)
def test_any_text_longer_than_its_column_is_refused_with_max_length(extra):
    limits = [
        (PaymentIn, PAYMENT, "payer", Payment._meta.get_field("payer").max_length),
        (
            MediationIn,
            MEDIATION,
            "mediator_org",
            Mediation._meta.get_field("mediator_org").max_length,
        ),
        (CourtEventIn, COURT, "court", CourtEvent._meta.get_field("court").max_length),
        (RevokeIn, {}, "reason", CaseShare._meta.get_field("end_reason").max_length),
        (CorrectionIn, {"reason": "r"}, "name", Party._meta.get_field("name").max_length),
        (CorrectionIn, {"reason": "r"}, "address", Party._meta.get_field("address").max_length),
    ]
    for schema, base, field, limit in limits:
        value = ("字" * limit + extra)[: limit + len(extra)]
        assert len(value) > limit
        assert refused(schema, {**base, field: value}) == {field: "max_length"}
    served = {
        **COURT,
        "served": [
            {
                "person": "人" * Service._meta.get_field("person").max_length + extra,
                "served_on": "2026-01-05",
            }
        ],
    }
    assert refused(CourtEventIn, served) == {"served.0.person": "max_length"}


# --- the services refuse a dict the same way, before anything is saved --------------------------
@pytest.fixture
def case(users) -> Case:
    return three_worker_case(users["civil1"])


@pytest.mark.django_db
def test_the_services_refuse_a_bad_dict_as_the_schema_does(users, case):
    officer, head = users["civil1"], users["civilhead"]
    claimant = party_ids(case)[0]
    version = case.version
    bad_payment = {**PAYMENT, "claimant_party_id": claimant, "paid_on": day(-1), "amount": "0"}
    assert (
        refusal(lambda: payments.record_payment(case_id=case.pk, actor=officer, data=bad_payment))
        == refused(PaymentIn, bad_payment)
        == {"amount": "positive"}
    )
    bad_mediation = {**MEDIATION, "held_on": day(-1), "outcome": "failed"}
    assert refusal(
        lambda: disposal.record_mediation(case_id=case.pk, actor=officer, data=bad_mediation)
    ) == {"outcome": "no_agreement"}
    bad_court = {**COURT, "on": day(-1), "served_on": day(-2)}
    assert refusal(
        lambda: disposal.record_court_event(case_id=case.pk, actor=officer, data=bad_court)
    ) == {"served_on": "before"}
    assert refusal(
        lambda: disposal.propose_support_decision(
            case_id=case.pk, actor=officer, data={"decision": "x", "reasons": "y"}
        )
    ) == {"decision": "choice"}
    assert refusal(
        lambda: disposal.plan_visit(
            case_id=case.pk, actor=officer, data={"planned_on": "x", "target": "claimant"}
        )
    ) == {"planned_on": "date", "method": "missing"}
    assert refusal(
        lambda: disposal.close_case(case_id=case.pk, actor=officer, data={"outcome": "won"})
    ) == {"outcome": "choice"}
    assert refusal(
        lambda: facts.update_case_facts(
            case_id=case.pk, actor=officer, data={"evasion": ["x"]}, version=version
        )
    ) == {"evasion.0": "choice"}
    assert refusal(
        lambda: parties.correct_party(
            case_id=case.pk, party_id=claimant, actor=officer, data={"reason": "typo"}
        )
    ) == {"name": "nothing_to_correct"}
    assert refusal(
        lambda: reopening.reopen_case(case_id=case.pk, actor=head, data={"reason": " "})
    ) == {"reason": "required"}
    case.refresh_from_db()
    assert case.version == version
    assert not Payment.objects.filter(case=case).exists()
    assert not Mediation.objects.filter(case=case).exists()
    assert not CourtEvent.objects.filter(case=case).exists()
    assert not Visit.objects.filter(case=case, planned_by=officer, target="employer").exists()


@pytest.mark.django_db
def test_a_service_takes_the_parsed_input_as_it_is(users, case):
    claimant = party_ids(case)[0]
    data = parse(
        PaymentIn,
        {**PAYMENT, "claimant_party_id": claimant, "paid_on": day(-1), "amount": "100.5"},
    )
    payment = payments.record_payment(case_id=case.pk, actor=users["civil1"], data=data)
    assert (payment.amount, payment.payer) == (Decimal("100.50"), PAYER)
