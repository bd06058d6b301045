"""The money ledger in the partner API (issue 13 item 1; API.md § Cases; C5, C6): overpayments
at ``amount``, reversals, ``awards`` and ``shares`` as sent or as split, closing outcomes."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.cases.ledger_cases import (
    AWARDS,
    PRO_RATA,
    awards,
    day,
    judge,
    party_ids,
    pay,
    three_worker_case,
)
from tests.transfers.conftest import send
from zhichi.cases.models import Case, LedgerEntry, Payment, PaymentReversal
from zhichi.cases.services import disposal, payments

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

EN = {"Accept-Language": "en"}


@pytest.fixture
def case(users) -> Case:
    return three_worker_case(users["civil1"])


def version(case: Case) -> int:
    return Case.objects.get(pk=case.pk).version


def payment_body(party_id, amount, **extra) -> dict:
    return {
        "claimant_party_id": party_id,
        "paid_on": day(-1),
        "amount": amount,
        "payer": "某劳务队",
        **extra,
    }


def codes(r) -> list[tuple[str, str]]:
    return [(e["field"], e["code"]) for e in r.json()["errors"]]


# --- payments -----------------------------------------------------------------------------
def test_item1_api_an_overpayment_is_422_at_amount_unless_its_reason_is_given(api, case, users):
    judge(case, users["civil1"])
    first = party_ids(case)[0]
    client = api("civil1")

    r = client.post(f"/api/v1/cases/{case.pk}/payments", payment_body(first, "9479.03"), EN)

    assert r.status_code == 422
    assert codes(r) == [("amount", "above_outstanding")]
    assert "100.00 yuan more" in r.json()["errors"][0]["message"]
    assert Payment.objects.count() == 0

    r = client.post(
        f"/api/v1/cases/{case.pk}/payments",
        payment_body(first, "9479.03", overpayment_reason="多付利息"),
    )

    assert r.status_code == 201, r.content
    body = r.json()
    assert body["payment_id"] == Payment.objects.get().pk
    assert body["money"]["overpaid"] == "100.00"
    assert body["money"]["outstanding"] == f"{sum(AWARDS[1:]):.2f}"  # never less for the others
    assert body["money"]["recovered"] == "9479.03"


def test_item1_api_money_carries_overpaid_as_zero_when_there_is_none(api, case):
    body = api("civil1").get(f"/api/v1/cases/{case.pk}").json()

    assert body["money"] == {
        "claimed": "40000.00",
        "agreed": "0.00",
        "awarded": "0.00",
        "recovered": "0.00",
        "outstanding": "40000.00",
        "overpaid": "0.00",
    }


# --- reversals ----------------------------------------------------------------------------
def test_item1_api_reverse_a_payment(api, case, users):
    judge(case, users["civil1"])
    first = party_ids(case)[0]
    wrong = pay(case, users["civil1"], first, "5000.00")

    r = api("civilhead").post(f"/api/v1/payments/{wrong.pk}/reverse", {"reason": "重复登记"})

    assert r.status_code == 200, r.content
    body = r.json()
    assert (body["id"], body["amount"], body["reversal"]["reason"]) == (
        wrong.pk,
        "5000.00",
        "重复登记",
    )
    assert body["reversal"]["reversed_by"] == "civilhead"
    case_body = api("civil1").get(f"/api/v1/cases/{case.pk}").json()
    assert case_body["money"]["recovered"] == "0.00"
    ledger = api("civil1").get(f"/api/v1/cases/{case.pk}/ledger").json()
    assert [(p["id"], p["reversal"] is not None) for p in ledger["payments"]] == [(wrong.pk, True)]
    assert ledger["totals"]["recovered"] == "0.00"
    timeline = api("civil1").get(f"/api/v1/cases/{case.pk}/timeline").json()
    assert timeline[-1]["kind"] == "payment_reversed"

    again = api("civil1").post(f"/api/v1/payments/{wrong.pk}/reverse", {"reason": "再次"})
    assert (again.status_code, codes(again)) == (422, [("status", "reversed")])


def test_item1_api_reversal_needs_a_reason_and_an_open_case(api, case, users):
    payment = pay(case, users["civil1"], party_ids(case)[0], "100.00")
    r = api("civil1").post(f"/api/v1/payments/{payment.pk}/reverse", {"reason": ""})
    assert (r.status_code, codes(r)) == (422, [("reason", "required")])

    disposal.close_case(case_id=case.pk, actor=users["civil1"], data={"outcome": "withdrawn"})
    r = api("civil1").post(f"/api/v1/payments/{payment.pk}/reverse", {"reason": "错"})

    assert (r.status_code, codes(r)) == (422, [("case", "closed")])
    assert not PaymentReversal.objects.exists()


@pytest.mark.parametrize(("user", "status"), [("civil2", 403), ("outsider", 404), ("hrss1", 404)])
def test_item1_api_only_the_officer_or_the_head_reverses(api, case, users, user, status):
    payment = pay(case, users["civil1"], party_ids(case)[0], "100.00")

    r = api(user).post(f"/api/v1/payments/{payment.pk}/reverse", {"reason": "错"})

    assert r.status_code == status
    assert not PaymentReversal.objects.exists()


def test_item1_api_an_unknown_payment_is_404(api):
    assert api("civil1").post("/api/v1/payments/999999/reverse", {"reason": "x"}).status_code == 404


# --- each claimant's amount ---------------------------------------------------------------
def test_item1_api_awards_are_recorded_as_sent(api, case):
    r = api("civil1").post(
        f"/api/v1/cases/{case.pk}/court-events",
        {"kind": "judgment", "on": day(-3), "amount_awarded": "39000.00", "awards": awards(case)},
    )

    assert r.status_code == 201, r.content
    body = r.json()
    assert body["awards"] == [
        {"claimant_party_id": p, "amount": f"{a:.2f}"}
        for p, a in zip(party_ids(case), AWARDS, strict=True)
    ]
    assert body["awards_split"] == "given"
    assert body["court_event_id"] == LedgerEntry.objects.first().court_event_id


def test_item1_api_without_awards_the_answer_shows_the_split_applied(api, case):
    r = api("civil1").post(
        f"/api/v1/cases/{case.pk}/court-events",
        {"kind": "judgment", "on": day(-3), "amount_awarded": "39000.00"},
    )

    assert r.status_code == 201, r.content
    assert [a["amount"] for a in r.json()["awards"]] == [f"{a:.2f}" for a in PRO_RATA]
    assert r.json()["awards_split"] == "pro_rata"


def test_item1_api_awards_that_do_not_add_up_are_422_at_awards(api, case):
    wrong = awards(case, (Decimal("1"), Decimal("2"), Decimal("3")))
    r = api("civil1").post(
        f"/api/v1/cases/{case.pk}/court-events",
        {"kind": "ruling", "on": day(-3), "amount_awarded": "39000.00", "awards": wrong},
    )

    assert (r.status_code, codes(r)) == (422, [("awards", "sum")])
    assert not LedgerEntry.objects.exists()


def test_item1_api_an_agreement_answers_its_shares(api, case):
    r = api("civil1").post(
        f"/api/v1/cases/{case.pk}/mediations",
        {
            "held_on": day(-3),
            "mediator_org": "调委会",
            "outcome": "agreement",
            "agreed_amount": "39000.00",
            "shares": awards(case),
        },
    )

    assert r.status_code == 201, r.content
    assert [s["amount"] for s in r.json()["shares"]] == [f"{a:.2f}" for a in AWARDS]
    assert r.json()["shares_split"] == "given"
    failed = api("civil1").post(
        f"/api/v1/cases/{case.pk}/mediations",
        {"held_on": day(-2), "mediator_org": "调委会", "outcome": "failed"},
    )
    assert (failed.json()["shares"], failed.json()["shares_split"]) == ([], None)


# --- closing ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("paid", "outcome", "ok"),
    [
        ("all", "partly_recovered", False),
        ("all", "not_recovered", False),
        ("all", "recovered_in_full", True),
        ("some", "recovered_in_full", False),
        ("some", "not_recovered", False),
        ("some", "partly_recovered", True),
        ("none", "partly_recovered", False),
        ("none", "recovered_in_full", False),
        ("none", "not_recovered", True),
    ],
)
def test_item1_api_closing_agrees_with_the_ledger_both_ways(api, case, users, paid, outcome, ok):
    judge(case, users["civil1"])
    ids = party_ids(case)
    if paid == "all":
        for p, a in zip(ids, AWARDS, strict=True):
            pay(case, users["civil1"], p, a)
    elif paid == "some":
        pay(case, users["civil1"], ids[0], "100.00")

    r = api("civil1").post(
        f"/api/v1/cases/{case.pk}/close", {"outcome": outcome, "version": version(case)}, EN
    )

    if ok:
        assert (r.status_code, r.json()["outcome"]) == (200, outcome)
    else:
        assert r.status_code == 422
        assert [e["field"] for e in r.json()["errors"]] == ["outcome"]
        assert "yuan" in r.json()["errors"][0]["message"]  # the figures are named
        assert Case.objects.get(pk=case.pk).status == "open"


# --- partners -----------------------------------------------------------------------------
def test_item1_api_a_partner_sees_the_reversal_but_not_the_officers_words(api, case, users):
    judge(case, users["civil1"])
    first = party_ids(case)[0]
    payment = pay(case, users["civil1"], first, "9479.03", overpayment_reason="内部说明甲")
    payments.reverse_payment(
        payment_id=payment.pk, actor=users["civil1"], data={"reason": "内部说明乙"}
    )
    share_with_hrss(case, users)

    ledger = api("hrss1").get(f"/api/v1/cases/{case.pk}/ledger")
    timeline = api("hrss1").get(f"/api/v1/cases/{case.pk}/timeline")

    assert ledger.status_code == 200
    row = ledger.json()["payments"][0]
    assert (row["overpayment_reason"], row["recorded_by"]) == ("", None)
    assert (row["reversal"]["reason"], row["reversal"]["reversed_by"]) == ("", None)
    assert "payment_reversed" in [e["kind"] for e in timeline.json()]
    assert "内部说明" not in ledger.content.decode() + timeline.content.decode()


def share_with_hrss(case: Case, users) -> None:
    """Share the case with WHHRSS through a transfer sent to it (the person consented)."""
    send(users, case, to_org="WHHRSS", kind="labour_inspection")
    assert Case.objects.visible_to(users["hrss1"]).filter(pk=case.pk).exists()
