"""The money ledger's services (issue 13 item 1; C5, C6): overpayments, reversals, each
claimant's amount of a decision or an agreement, and closing that agrees with the ledger."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.cases.ledger_cases import (
    AWARDS,
    NAMES,
    PAYER,
    PRO_RATA,
    TOTAL,
    awards,
    day,
    judge,
    party_ids,
    pay,
    three_worker_case,
)
from zhichi.audit.models import AuditEntry
from zhichi.cases import ledger
from zhichi.cases.models import (
    Case,
    CaseDeadline,
    LedgerEntry,
    Outcome,
    Payment,
    PaymentReversal,
    Stage,
    TimelineEvent,
)
from zhichi.cases.presenters import describe_event
from zhichi.cases.services import disposal, move_stage, payments, reopening
from zhichi.common.errors import InvalidInput, NotPermitted
from zhichi.documents import context as doc_context
from zhichi.documents import render
from zhichi.employers.profile import employer_profile

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


@pytest.fixture
def case(users):
    return three_worker_case(users["civil1"])


def errors(exc) -> list[tuple[str, str]]:
    return [(e.field, e.code) for e in exc.value.errors]


def fresh(case):
    case.refresh_from_db()
    return case


# --- overpayments -------------------------------------------------------------------------
def test_item1_a_payment_above_what_the_claimant_is_owed_is_refused_at_amount(case, users):
    """Reproduction: 9,479.03 to a worker awarded 9,379.03 was accepted silently."""
    judge(case, users["civil1"])
    first = party_ids(case)[0]

    with translation.override("en"), pytest.raises(InvalidInput) as exc:
        pay(case, users["civil1"], first, "9479.03")

    assert errors(exc) == [("amount", "above_outstanding")]
    assert exc.value.errors[0].message == (
        f"This is 100.00 yuan more than {NAMES[0]} is still owed (9,379.03 yuan). If that much "
        "really was paid, record it as an overpayment and give the reason."
    )
    assert Payment.objects.count() == 0
    assert fresh(case).version == 2  # the judgment only


def test_item1_an_overpayment_with_its_reason_is_shown_as_overpaid_never_negative(case, users):
    judge(case, users["civil1"])
    first, second, third = party_ids(case)
    pay(case, users["civil1"], second, AWARDS[1])
    pay(case, users["civil1"], third, AWARDS[2])

    payment = pay(
        case, users["civil1"], first, "9479.03", overpayment_reason="用人单位多付了一百元利息"
    )

    assert payment.overpayment_reason == "用人单位多付了一百元利息"
    book = ledger.ledger_for(case)
    row = book.row_for(first)
    assert (row.due, row.recovered, row.outstanding, row.overpaid) == (
        Decimal("9379.03"),
        Decimal("9479.03"),
        Decimal("0.00"),
        Decimal("100.00"),
    )
    assert book.totals == {
        "claimed": Decimal("40000.00"),
        "agreed": Decimal("0.00"),
        "awarded": TOTAL,
        "recovered": Decimal("39100.00"),
        "due": TOTAL,
        "outstanding": Decimal("0.00"),
        "overpaid": Decimal("100.00"),
    }
    event = TimelineEvent.objects.filter(case=case, kind="payment").last()
    assert event.data["overpaid"] == "100.00"
    with translation.override("en"):
        assert describe_event(event) == (
            f"{PAYER} paid 9,479.03 yuan to {NAMES[0]}, 100.00 yuan more than was owed"
        )
    audit = AuditEntry.objects.filter(action="case.payment").order_by("-id").first()
    assert audit.detail["overpaid"] == "100.00"


def test_item1_the_visit_record_states_the_overpayment(case, users):
    """Reproduction: the visit record printed 已付 ¥39,100.00 against ¥39,000.00 owed and
    nothing outstanding, with no word of the ¥100.00 over."""
    judge(case, users["civil1"])
    first, second, third = party_ids(case)
    pay(case, users["civil1"], second, AWARDS[1])
    pay(case, users["civil1"], third, AWARDS[2])
    pay(case, users["civil1"], first, "9479.03", overpayment_reason="多付利息")
    visit = disposal.plan_visit(
        case_id=case.pk,
        actor=users["civil1"],
        data={"planned_on": day(0), "target": "claimant", "method": "phone"},
    )
    disposal.record_visit(
        visit_id=visit.pk,
        actor=users["civil1"],
        data={"done_on": day(0), "findings": "已全部收到", "paid_in_full": True},
    )
    ctx = doc_context.build(fresh(case), "visit_record").context

    assert (ctx["owed_total"], ctx["paid_total"], ctx["outstanding"], ctx["overpaid"]) == (
        "¥39,000.00",
        "¥39,100.00",
        "¥0.00",
        "¥100.00",
    )
    # the document's number and date come when it is issued: the sample's stand in for them
    html = render.render_html("visit_record", {**doc_context.sample_context("visit_record"), **ctx})
    assert "已付¥39,100.00，尚欠¥0.00（人民币零元整）；多付¥100.00（人民币壹佰元整）。" in html


def test_item1_no_overpayment_no_clause_in_the_visit_record(case, users):
    judge(case, users["civil1"])
    pay(case, users["civil1"], party_ids(case)[0], "1000.00")
    ctx: dict = {}
    ctx.update(doc_context.sample_context("visit_record"))
    ctx.update(owed_total="¥39,000.00", paid_total="¥1,000.00", overpaid="")

    html = render.render_html("visit_record", ctx)

    assert "多付" not in html


def test_item1_a_reason_for_an_overpayment_that_is_none_is_refused(case, users):
    judge(case, users["civil1"])

    with pytest.raises(InvalidInput) as exc:
        pay(case, users["civil1"], party_ids(case)[0], "100.00", overpayment_reason="多付")

    assert errors(exc) == [("overpayment_reason", "not_over")]
    assert Payment.objects.count() == 0


def test_item1_without_an_award_the_claim_is_what_is_owed(case, users):
    first = party_ids(case)[0]
    pay(case, users["civil1"], first, "10000.00")  # exactly the claim

    with pytest.raises(InvalidInput) as exc:
        pay(case, users["civil1"], first, "0.01")

    assert errors(exc) == [("amount", "above_outstanding")]


# --- reversals ----------------------------------------------------------------------------
def test_item1_a_reversal_takes_the_payment_out_of_every_total_and_keeps_it(case, users):
    judge(case, users["civil1"])
    first = party_ids(case)[0]
    wrong = pay(case, users["civil1"], first, "5000.00")
    pay(case, users["civil1"], first, "1000.00")
    version = fresh(case).version

    reversal = payments.reverse_payment(
        payment_id=wrong.pk, actor=users["civil1"], data={"reason": "录入错误，实际未付"}
    )

    assert (reversal.payment_id, reversal.reason, reversal.reversed_by) == (
        wrong.pk,
        "录入错误，实际未付",
        users["civil1"],
    )
    assert Payment.objects.filter(case=case).count() == 2  # append-only: the payment stays
    row = ledger.ledger_for(case).row_for(first)
    assert (row.recovered, row.outstanding) == (Decimal("1000.00"), Decimal("8379.03"))
    assert fresh(case).version == version + 1
    event = TimelineEvent.objects.filter(case=case).last()
    assert (event.kind, event.summary, event.data["payment"], event.data["amount"]) == (
        "payment_reversed",
        "录入错误，实际未付",
        wrong.pk,
        "5000.00",
    )
    with translation.override("en"):
        assert describe_event(event, note=False) == (
            f"Payment of 5,000.00 yuan to {NAMES[0]} (paid on {day(-1)}) reversed"
        )
    audit = AuditEntry.objects.filter(action="case.payment_reverse").get()
    assert audit.detail == {"payment": wrong.pk, "reversal": reversal.pk, "amount": "5000.00"}


def test_item1_the_head_may_reverse_and_a_colleague_may_not(case, users):
    payment = pay(case, users["civil1"], party_ids(case)[0], "100.00")

    with pytest.raises(NotPermitted):
        payments.reverse_payment(payment_id=payment.pk, actor=users["civil2"], data={"reason": "x"})
    assert AuditEntry.objects.filter(action="case.payment_reverse", outcome="denied").count() == 1
    assert not PaymentReversal.objects.exists()

    payments.reverse_payment(
        payment_id=payment.pk, actor=users["civilhead"], data={"reason": "重复登记"}
    )
    assert PaymentReversal.objects.get().reversed_by == users["civilhead"]


def test_item1_a_payment_is_reversed_once_and_needs_a_reason(case, users):
    payment = pay(case, users["civil1"], party_ids(case)[0], "100.00")
    with pytest.raises(InvalidInput) as exc:
        payments.reverse_payment(payment_id=payment.pk, actor=users["civil1"], data={"reason": ""})
    assert errors(exc) == [("reason", "required")]

    payments.reverse_payment(payment_id=payment.pk, actor=users["civil1"], data={"reason": "错"})
    with pytest.raises(InvalidInput) as exc:
        payments.reverse_payment(
            payment_id=payment.pk, actor=users["civil1"], data={"reason": "再错"}
        )

    assert errors(exc) == [("status", "reversed")]
    assert PaymentReversal.objects.count() == 1


def test_item1_a_closed_case_is_reopened_before_a_reversal(case, users):
    payment = pay(case, users["civil1"], party_ids(case)[0], "100.00")
    disposal.close_case(case_id=case.pk, actor=users["civil1"], data={"outcome": "withdrawn"})

    with pytest.raises(InvalidInput) as exc:
        payments.reverse_payment(
            payment_id=payment.pk, actor=users["civil1"], data={"reason": "错"}
        )
    assert errors(exc) == [("case", "closed")]

    reopening.reopen_case(case_id=case.pk, actor=users["civilhead"], data={"reason": "需更正"})
    payments.reverse_payment(payment_id=payment.pk, actor=users["civil1"], data={"reason": "错"})
    assert ledger.ledger_for(case).totals["recovered"] == Decimal("0.00")


def test_item1_a_reversed_instalment_payment_makes_the_instalment_due_again(case, users):
    """The deadlines read recovered from the ledger, net of reversals (TL-6)."""
    disposal.record_mediation(
        case_id=case.pk,
        actor=users["civil1"],
        data={
            "held_on": day(-5),
            "mediator_org": "调委会",
            "outcome": "agreement",
            "agreed_amount": "3000.00",
            "shares": awards(case, (Decimal("1000"), Decimal("1000"), Decimal("1000"))),
            "instalments": [{"due": day(20), "amount": "3000.00"}],
        },
    )
    ids = party_ids(case)
    made = [pay(case, users["civil1"], p, "1000.00") for p in ids]
    instalment = CaseDeadline.objects.get(case=case, kind="instalment")
    assert instalment.status == "done"

    payments.reverse_payment(payment_id=made[0].pk, actor=users["civil1"], data={"reason": "退票"})

    instalment.refresh_from_db()
    assert instalment.status == "pending"


# --- each claimant's amount ---------------------------------------------------------------
def test_item1_a_judgment_records_each_claimants_amount(case, users):
    event = judge(case, users["civil1"])

    stored = dict(
        LedgerEntry.objects.filter(court_event=event).values_list("claimant__party_id", "amount")
    )
    assert stored == dict(zip(party_ids(case), AWARDS, strict=True))
    assert [r.awarded for r in ledger.ledger_for(case).rows] == list(AWARDS)


def test_item1_amounts_that_do_not_add_up_are_refused_at_awards(case, users):
    with translation.override("en"), pytest.raises(InvalidInput) as exc:
        judge(case, users["civil1"], amounts=(Decimal("9000"), Decimal("14000"), Decimal("15000")))

    assert errors(exc) == [("awards", "sum")]
    assert exc.value.errors[0].message == (
        "The claimants' amounts add up to 38,000.00 yuan, not the total of 39,000.00 yuan."
    )
    assert not LedgerEntry.objects.exists()


def test_item1_a_claimant_left_out_of_the_awards_is_awarded_nothing(case, users):
    first, second, third = party_ids(case)
    judge(
        case,
        users["civil1"],
        amounts=None,
        awards=[
            {"claimant_party_id": first, "amount": "19000.00"},
            {"claimant_party_id": second, "amount": "20000.00"},
        ],
    )

    book = ledger.ledger_for(case)
    assert [r.awarded for r in book.rows] == [Decimal("19000.00"), Decimal("20000.00"), 0]
    assert book.row_for(third).due == Decimal("0.00")  # not the claim


def test_item1_without_amounts_the_page_is_refused_and_the_api_gets_the_split(case, users):
    """Reproduction: a ¥39,000 judgment for three workers was split pro rata with no say. The
    page's call (split_missing=False) refuses; the API's applies the split and says so."""
    with pytest.raises(InvalidInput) as exc:
        disposal.record_court_event(
            case_id=case.pk,
            actor=users["civil1"],
            data={"kind": "judgment", "on": day(-1), "amount_awarded": "39000.00"},
            split_missing=False,
        )
    assert errors(exc) == [("awards", "required")]
    assert not LedgerEntry.objects.exists()

    judge(case, users["civil1"], amounts=None)
    assert [r.awarded for r in ledger.ledger_for(case).rows] == list(PRO_RATA)


def test_item1_an_agreement_records_each_claimants_share(case, users):
    disposal.record_mediation(
        case_id=case.pk,
        actor=users["civil1"],
        data={
            "held_on": day(-2),
            "mediator_org": "调委会",
            "outcome": "agreement",
            "agreed_amount": "39000.00",
            "shares": awards(case),
        },
    )

    assert [r.agreed for r in ledger.ledger_for(case).rows] == list(AWARDS)
    with pytest.raises(InvalidInput) as exc:
        disposal.record_mediation(
            case_id=case.pk,
            actor=users["civil1"],
            data={
                "held_on": day(-1),
                "mediator_org": "调委会",
                "outcome": "agreement",
                "agreed_amount": "100.00",
            },
            split_missing=False,
        )
    assert errors(exc) == [("shares", "required")]


def test_item1_awards_on_an_event_without_an_amount_are_refused(case, users):
    with pytest.raises(InvalidInput) as exc:
        disposal.record_court_event(
            case_id=case.pk,
            actor=users["civil1"],
            data={"kind": "hearing", "on": day(-1), "awards": awards(case)},
        )

    assert errors(exc) == [("awards", "not_applicable")]


# --- closing agrees with the ledger both ways ---------------------------------------------
def _close(case, users, outcome):
    return disposal.close_case(case_id=case.pk, actor=users["civil1"], data={"outcome": outcome})


def test_item1_partly_recovered_with_nothing_outstanding_is_refused(case, users):
    """Reproduction: 部分追回 closed a case whose ledger showed ¥0.00 outstanding."""
    judge(case, users["civil1"])
    for p, amount in zip(party_ids(case), AWARDS, strict=True):
        pay(case, users["civil1"], p, amount)

    with translation.override("en"), pytest.raises(InvalidInput) as exc:
        _close(case, users, Outcome.PARTLY_RECOVERED)

    assert errors(exc) == [("outcome", "nothing_outstanding")]
    assert exc.value.errors[0].message == (
        "Partly recovered needs money still outstanding, but the ledger shows nothing "
        "outstanding (39,000.00 yuan recovered): the outcome is recovered in full."
    )
    assert fresh(case).status == "open"
    assert _close(case, users, Outcome.RECOVERED_IN_FULL).outcome == "recovered_in_full"


@pytest.mark.parametrize(
    ("paid", "outcome", "code"),
    [
        (None, Outcome.RECOVERED_IN_FULL, "outstanding"),
        (None, Outcome.PARTLY_RECOVERED, "nothing_recovered"),
        ("100.00", Outcome.RECOVERED_IN_FULL, "outstanding"),
        ("100.00", Outcome.NOT_RECOVERED, "recovered"),
    ],
)
def test_item1_an_outcome_against_the_ledger_is_refused_naming_the_figures(
    case, users, paid, outcome, code
):
    judge(case, users["civil1"])
    if paid:
        pay(case, users["civil1"], party_ids(case)[0], paid)

    with translation.override("en"), pytest.raises(InvalidInput) as exc:
        _close(case, users, outcome)

    assert errors(exc) == [("outcome", code)]
    outstanding = f"{TOTAL - Decimal(paid or 0):,.2f} yuan outstanding"
    assert outstanding in exc.value.errors[0].message
    assert fresh(case).status == "open"


def test_item1_the_closing_check_refuses_as_closing_does_and_changes_nothing(case, users):
    judge(case, users["civil1"])
    version = fresh(case).version

    book = disposal.check_closing(
        case_id=case.pk, actor=users["civil1"], data={"outcome": "not_recovered"}
    )

    assert book.totals["outstanding"] == TOTAL
    assert (fresh(case).status, fresh(case).version) == ("open", version)
    with pytest.raises(InvalidInput):
        disposal.check_closing(
            case_id=case.pk, actor=users["civil1"], data={"outcome": "recovered_in_full"}
        )
    with pytest.raises(NotPermitted):
        disposal.check_closing(
            case_id=case.pk, actor=users["civil2"], data={"outcome": "not_recovered"}
        )


def test_item1_a_reopened_case_is_back_at_its_stage_and_the_ledger_rules_still_hold(case, users):
    officer = users["civil1"]
    move_stage(case_id=case.pk, to=Stage.PRE_LITIGATION, reason="调解", version=1, actor=officer)
    disposal.record_mediation(
        case_id=case.pk,
        actor=officer,
        data={
            "held_on": day(-3),
            "mediator_org": "调委会",
            "outcome": "agreement",
            "agreed_amount": "39000.00",
            "shares": awards(case),
        },
    )
    move_stage(
        case_id=case.pk,
        to=Stage.POST_LITIGATION,
        reason="履行",
        version=fresh(case).version,
        actor=officer,
    )
    first = party_ids(case)[0]
    payment = pay(case, officer, first, "1000.00")
    _close(case, users, Outcome.PARTLY_RECOVERED)

    reopening.reopen_case(case_id=case.pk, actor=users["civilhead"], data={"reason": "发现错账"})

    case = fresh(case)
    assert (case.status, case.stage, case.outcome) == ("open", Stage.POST_LITIGATION, "")
    payments.reverse_payment(payment_id=payment.pk, actor=officer, data={"reason": "错账"})
    with pytest.raises(InvalidInput) as exc:
        _close(case, users, Outcome.PARTLY_RECOVERED)
    assert errors(exc) == [("outcome", "nothing_recovered")]
    assert _close(case, users, Outcome.NOT_RECOVERED).outcome == "not_recovered"


# --- one source for every figure ----------------------------------------------------------
def test_item1_the_employer_profile_counts_payments_net_of_reversals(case, users):
    judge(case, users["civil1"])
    first = party_ids(case)[0]
    wrong = pay(case, users["civil1"], first, "5000.00")
    pay(case, users["civil1"], first, "1000.00")
    payments.reverse_payment(payment_id=wrong.pk, actor=users["civil1"], data={"reason": "错"})
    code = case.parties.get(role="respondent").party.credit_code

    profile = employer_profile(users["civil1"], code)

    book = ledger.ledger_for(case)
    assert (profile.money.recovered, profile.money.owed, profile.money.claimed) == (
        book.totals["recovered"],
        book.totals["outstanding"],
        book.totals["claimed"],
    )
    assert profile.money.recovered == Decimal("1000.00")


def test_item1_ledgers_for_many_cases_equal_each_cases_ledger(users):
    a = three_worker_case(users["civil1"], seq=620)
    b = three_worker_case(users["civil1"], seq=630)
    judge(a, users["civil1"])
    pay(a, users["civil1"], party_ids(a)[1], "700.00")
    pay(b, users["civil1"], party_ids(b)[2], "15000.00")

    many = ledger.ledgers_for([a.pk, b.pk])

    for one in (a, b):
        assert many[one.pk].totals == ledger.ledger_for(one).totals
        assert [r.recovered for r in many[one.pk].rows] == [
            r.recovered for r in ledger.ledger_for(one).rows
        ]


# --- the property -------------------------------------------------------------------------
AMOUNT = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("20000"), places=2)
OPERATION = st.one_of(
    st.tuples(st.just("award"), st.lists(st.decimals(0, 20000, places=2), min_size=3, max_size=3)),
    st.tuples(st.just("agree"), st.lists(st.decimals(0, 20000, places=2), min_size=3, max_size=3)),
    st.tuples(st.just("pay"), st.integers(0, 2), AMOUNT, st.booleans()),
    st.tuples(st.just("reverse"), st.integers(0, 20)),
)


class Oracle:
    """The ledger worked out by hand from the entries, independently of zhichi.cases.ledger."""

    def __init__(self, claims):
        self.claims = [Decimal(c) for c in claims]
        self.awarded = None
        self.agreed = None
        self.payments: list[list] = []  # [claimant index, amount, reversed]

    def due(self, i) -> Decimal:
        for shares in (self.awarded, self.agreed):
            if shares is not None:
                return shares[i]
        return self.claims[i]

    def recovered(self, i) -> Decimal:
        return sum((a for c, a, rev in self.payments if c == i and not rev), Decimal("0"))

    def outstanding(self, i) -> Decimal:
        return max(self.due(i) - self.recovered(i), Decimal("0"))

    def closing_ok(self, outcome) -> bool:
        outstanding = sum(self.outstanding(i) for i in range(3))
        recovered = sum(self.recovered(i) for i in range(3))
        return {
            Outcome.RECOVERED_IN_FULL: outstanding == 0,
            Outcome.PARTLY_RECOVERED: recovered > 0 and outstanding > 0,
            Outcome.NOT_RECOVERED: recovered == 0,
        }[outcome]


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(OPERATION, min_size=1, max_size=7))
def test_item1_property_the_ledger_is_the_sum_of_its_entries(case, users, operations):
    """For any sequence of awards, agreements, payments and reversals: the totals are the sum of
    the entries net of reversals; outstanding and overpaid are never negative and never both
    above zero for one claimant; a closing outcome is accepted exactly when the ledger agrees."""
    officer = users["civil1"]
    ids = party_ids(case)
    with transaction.atomic():
        oracle = Oracle(("10000.00", "15000.00", "15000.00"))
        made: list[Payment] = []
        for op in operations:
            if op[0] in ("award", "agree"):
                amounts = [Decimal(a).quantize(Decimal("0.01")) for a in op[1]]
                shares = awards(case, amounts)
                total = f"{sum(amounts):.2f}"
                if op[0] == "award":
                    judge(case, officer, amounts=None, amount_awarded=total, awards=shares)
                    oracle.awarded = amounts
                else:
                    disposal.record_mediation(
                        case_id=case.pk,
                        actor=officer,
                        data={
                            "held_on": day(-2),
                            "mediator_org": "调委会",
                            "outcome": "agreement",
                            "agreed_amount": total,
                            "shares": shares,
                        },
                    )
                    oracle.agreed = amounts
            elif op[0] == "pay":
                _, i, amount, reason = op
                over = amount > oracle.outstanding(i)
                try:
                    made.append(
                        pay(
                            case,
                            officer,
                            ids[i],
                            amount,
                            overpayment_reason="多付" if reason else "",
                        )
                    )
                except InvalidInput as exc:
                    codes = {e.code for e in exc.errors}
                    assert codes == ({"above_outstanding"} if over else {"not_over"})
                    assert over != reason
                else:
                    assert over == reason
                    oracle.payments.append([i, amount, False])
            elif made:
                k = op[1] % len(made)
                try:
                    payments.reverse_payment(
                        payment_id=made[k].pk, actor=officer, data={"reason": "更正"}
                    )
                except InvalidInput as exc:
                    assert [e.code for e in exc.errors] == ["reversed"]
                    assert oracle.payments[k][2]
                else:
                    assert not oracle.payments[k][2]
                    oracle.payments[k][2] = True

        book = ledger.ledger_for(case)
        standing = [a for _c, a, rev in oracle.payments if not rev]
        assert book.totals["recovered"] == sum(standing, Decimal("0.00"))
        assert book.totals["recovered"] == ledger.recovered(Payment.objects.filter(case=case))
        for i, row in enumerate(book.rows):
            assert row.recovered == oracle.recovered(i)
            assert row.outstanding == oracle.outstanding(i)
            assert row.outstanding >= 0 and row.overpaid >= 0
            assert not (row.outstanding > 0 and row.overpaid > 0)
            assert row.due - row.recovered == row.outstanding - row.overpaid
        assert book.totals["outstanding"] == sum((r.outstanding for r in book.rows), Decimal(0))
        assert book.totals["overpaid"] == sum((r.overpaid for r in book.rows), Decimal(0))
        # the totals kept on the case (issue 19, the employer profile's roll-up) say the same
        kept = Case.objects.values(*ledger.KEPT).get(pk=case.pk)
        assert kept == {
            "claimed_total": sum(oracle.claims, Decimal("0.00")),
            "recovered_total": sum(standing, Decimal("0.00")),
            "owed_total": sum((oracle.outstanding(i) for i in range(3)), Decimal("0.00")),
        }
        for outcome in (Outcome.RECOVERED_IN_FULL, Outcome.PARTLY_RECOVERED, Outcome.NOT_RECOVERED):
            try:
                disposal.check_closing(case_id=case.pk, actor=officer, data={"outcome": outcome})
            except InvalidInput:
                accepted = False
            else:
                accepted = True
            assert accepted == oracle.closing_ok(outcome), (outcome, operations)
        transaction.set_rollback(True)
