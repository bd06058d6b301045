"""The money ledger on the case page (issue 13 item 1; C5, C6): the overpayment confirm step,
reversing a payment, each claimant's amount with the pro-rata helper, closing with a confirm
step, and a ledger section read in the same number of queries however many payments it has."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from tests.cases.ledger_cases import (
    AWARDS,
    NAMES,
    PRO_RATA,
    day,
    judge,
    party_ids,
    pay,
    three_worker_case,
)
from tests.conftest import lead_payload
from tests.transfers.conftest import send
from zhichi.cases.models import Case, CourtEvent, LedgerEntry, Mediation, Payment, PaymentReversal
from zhichi.cases.services import disposal, payments
from zhichi.intake import services as intake
from zhichi.intake.validation import validate_lead

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

EN = {"Accept-Language": "en"}


@pytest.fixture
def case(users) -> Case:
    # a lead filed before, never accepted: its people come first, so that the claimants' person
    # ids differ from their rows on the case (a split keyed by the wrong one fills the wrong field)
    intake.create_lead(actor=users["civil1"], data=validate_lead(lead_payload()))
    return three_worker_case(users["civil1"])


def url(case: Case, tail: str = "") -> str:
    return f"/cases/{case.pk}/{tail}"


def fresh(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


def payment_post(case: Case, party_id: int, amount: str, **extra) -> dict:
    return {
        "claimant_party_id": str(party_id),
        "paid_on": day(-1),
        "amount": amount,
        "payer": "某劳务队",
        "method": "银行转账",
        "version": str(fresh(case).version),
        **extra,
    }


# --- the overpayment confirm step ---------------------------------------------------------
def test_item1_page_an_overpayment_asks_for_its_reason_then_is_recorded(web, case, users):
    """Reproduction: 9,479.03 to a worker awarded 9,379.03 was accepted silently."""
    judge(case, users["civil1"])
    first = party_ids(case)[0]
    client = web("civil1")

    r = client.post(url(case, "payments/"), payment_post(case, first, "9479.03"), headers=EN)

    assert r.status_code == 422
    form = r.context["forms"]["payment"]
    assert form.over and "overpayment_reason" in form.fields
    assert form.errors["amount"] == [
        f"This is 100.00 yuan more than {NAMES[0]} is still owed (9,379.03 yuan). If that much "
        "really was paid, record it as an overpayment and give the reason."
    ]
    html = r.content.decode()
    assert 'name="overpayment_reason"' in html
    assert 'id="act-payment" open' in html
    assert ">Record the overpayment</button>" in html
    assert Payment.objects.count() == 0

    r = client.post(
        url(case, "payments/"),
        payment_post(case, first, "9479.03", overpayment_reason="用人单位多付利息"),
    )

    assert r.status_code == 302, r.content.decode()[:2000]
    assert Payment.objects.get().overpayment_reason == "用人单位多付利息"
    page = client.get(url(case), headers=EN)
    html = page.content.decode()
    assert '<td class="money text-warning-emphasis" data-testid="money-overpaid">¥100.00</td>' in (
        html
    )
    assert "用人单位多付利息" in html
    assert page.context["ledger"].row_for(first).outstanding == Decimal("0.00")


def test_item1_page_an_ordinary_payment_needs_no_confirm_step(web, case, users):
    judge(case, users["civil1"])

    r = web("civil1").post(
        url(case, "payments/"), payment_post(case, party_ids(case)[0], "1000.00")
    )

    assert r.status_code == 302
    assert Payment.objects.get().overpayment_reason == ""


# --- reversals ----------------------------------------------------------------------------
def test_item1_page_reverse_a_payment_which_stays_listed_as_reversed(web, case, users):
    judge(case, users["civil1"])
    wrong = pay(case, users["civil1"], party_ids(case)[0], "5000.00")
    client = web("civil1")
    page = client.get(url(case)).content.decode()
    action = url(case, f"payments/{wrong.pk}/reverse/")
    assert f'action="{action}"' in page

    r = client.post(action, {"reason": "", "version": fresh(case).version}, headers=EN)
    assert r.status_code == 422
    assert f'id="act-reverse{wrong.pk}" open' in r.content.decode()
    assert not PaymentReversal.objects.exists()

    r = client.post(action, {"reason": "金额录错，实际未付", "version": fresh(case).version})

    assert r.status_code == 302
    assert r["Location"] == url(case, "#money")
    page = client.get(url(case), headers=EN)
    html = page.content.decode()
    assert page.context["ledger"].totals["recovered"] == Decimal("0.00")
    row = html.split(f'id="payment-{wrong.pk}"')[1].split("</tr>")[0]
    assert "<del>¥5,000.00</del>" in row
    assert "金额录错，实际未付" in row
    assert "Reversed" in row
    assert f'action="{action}"' not in html  # reversed once
    assert '<td class="money" data-testid="money-recovered">¥0.00</td>' in html


def test_item1_page_a_second_reversal_says_so_and_changes_nothing(web, case, users):
    payment = pay(case, users["civil1"], party_ids(case)[0], "100.00")
    payments.reverse_payment(payment_id=payment.pk, actor=users["civil1"], data={"reason": "错"})

    client = web("civil1")

    r = client.post(url(case, f"payments/{payment.pk}/reverse/"), {"reason": "再错"}, headers=EN)

    assert r.status_code == 302
    assert PaymentReversal.objects.get().reason == "错"
    page = client.get(r["Location"], headers=EN)
    assert "This payment was already reversed." in page.content.decode()


def test_item1_page_a_colleague_may_not_reverse_and_sees_no_reverse_form(web, case, users):
    payment = pay(case, users["civil1"], party_ids(case)[0], "100.00")
    action = url(case, f"payments/{payment.pk}/reverse/")

    assert f'action="{action}"' not in web("civil2").get(url(case)).content.decode()
    assert web("civil2").post(action, {"reason": "错"}).status_code == 403
    assert web("outsider").post(action, {"reason": "错"}).status_code == 404
    assert not PaymentReversal.objects.exists()


def test_item1_page_a_payment_of_another_case_is_404_under_this_case(web, case, users):
    other = three_worker_case(users["civil1"], seq=640)
    payment = pay(other, users["civil1"], party_ids(other)[0], "100.00")

    r = web("civil1").post(url(case, f"payments/{payment.pk}/reverse/"), {"reason": "错"})

    assert r.status_code == 404


# --- each claimant's amount ---------------------------------------------------------------
def judgment_post(case: Case, **extra) -> dict:
    return {
        "kind": "judgment",
        "on": day(-5),
        "court": "五华区人民法院",
        "amount_awarded": "39000.00",
        "version": str(fresh(case).version),
        **extra,
    }


def test_item1_page_a_judgment_without_each_claimants_amount_is_not_split_silently(web, case):
    """Reproduction: a ¥39,000 judgment for three workers was split pro rata with no say."""
    ids = party_ids(case)

    r = web("civil1").post(url(case, "court-events/"), judgment_post(case), headers=EN)

    assert r.status_code == 422
    assert CourtEvent.objects.count() == 0 and LedgerEntry.objects.count() == 0
    form = r.context["forms"]["court"]
    # the split in proportion to the claims is filled in for the officer to check
    assert [form[f"share_{p}"].value() for p in ids] == [f"{a:.2f}" for a in PRO_RATA]
    assert form.share_errors == [
        "Enter each claimant's amount as the document states it; together they make the total."
    ]
    html = r.content.decode()
    assert 'data-testid="split-note"' in html
    assert f'name="share_{ids[0]}"' in html and 'value="9750.00"' in html


def test_item1_page_the_split_helper_fills_in_without_saving(web, case):
    ids = party_ids(case)

    r = web("civil1").post(url(case, "court-events/"), judgment_post(case, split="1"))

    assert r.status_code == 200
    assert CourtEvent.objects.count() == 0
    form = r.context["forms"]["court"]
    assert [form[f"share_{p}"].value() for p in ids] == [f"{a:.2f}" for a in PRO_RATA]
    assert 'id="act-court" open' in r.content.decode()


def test_item1_page_each_claimants_amount_is_recorded_as_typed(web, case):
    ids = party_ids(case)
    shares = {f"share_{p}": f"{a:.2f}" for p, a in zip(ids, AWARDS, strict=True)}

    r = web("civil1").post(url(case, "court-events/"), judgment_post(case, **shares))

    assert r.status_code == 302, r.content.decode()[:2000]
    page = web("civil1").get(url(case))
    assert [row.awarded for row in page.context["ledger"].rows] == list(AWARDS)


def test_item1_page_amounts_that_do_not_add_up_are_422_beside_them(web, case):
    ids = party_ids(case)
    shares = {f"share_{p}": "100" for p in ids}

    r = web("civil1").post(url(case, "court-events/"), judgment_post(case, **shares), headers=EN)

    assert r.status_code == 422
    assert r.context["forms"]["court"].share_errors == [
        "The claimants' amounts add up to 300.00 yuan, not the total of 39,000.00 yuan."
    ]
    assert 'id="court-amounts-error"' in r.content.decode()
    assert CourtEvent.objects.count() == 0


def test_item1_page_an_agreement_records_each_claimants_share(web, case):
    ids = party_ids(case)
    data = {
        "held_on": day(-2),
        "mediator_org": "五华区人民调解委员会",
        "outcome": "agreement",
        "agreed_amount": "39000.00",
        "version": str(fresh(case).version),
    }
    r = web("civil1").post(url(case, "mediations/"), data)
    assert r.status_code == 422 and Mediation.objects.count() == 0

    shares = {f"share_{p}": f"{a:.2f}" for p, a in zip(ids, AWARDS, strict=True)}
    r = web("civil1").post(url(case, "mediations/"), {**data, **shares})

    assert r.status_code == 302, r.content.decode()[:2000]
    assert [r.agreed for r in web("civil1").get(url(case)).context["ledger"].rows] == list(AWARDS)


def test_item1_page_a_single_claimant_case_has_no_per_claimant_fields(web, users):
    from tests.conftest import lead_payload, make_id
    from zhichi.intake import services as intake
    from zhichi.intake.validation import validate_lead

    lead = intake.create_lead(
        actor=users["civil1"],
        data=validate_lead(
            lead_payload(claimants=[{"name": "赵一", "id_number": make_id(seq="650")}])
        ),
    )
    single = intake.accept_lead(lead_id=lead.pk, actor=users["civil1"])

    page = web("civil1").get(url(single))
    assert page.context["forms"]["court"].share_names == {}
    r = web("civil1").post(
        url(single, "court-events/"),
        {"kind": "judgment", "on": day(-1), "amount_awarded": "5000", "version": single.version},
    )

    assert r.status_code == 302
    assert LedgerEntry.objects.get().amount == Decimal("5000.00")


# --- closing with a confirm step ----------------------------------------------------------
def test_item1_page_closing_refused_then_confirmed_with_the_ledgers_figures(web, case, users):
    """Reproduction: 部分追回 closed a case whose ledger showed ¥0.00 outstanding."""
    judge(case, users["civil1"])
    for p, amount in zip(party_ids(case), AWARDS, strict=True):
        pay(case, users["civil1"], p, amount)
    client = web("civil1")
    version = fresh(case).version

    r = client.post(
        url(case, "close/"), {"outcome": "partly_recovered", "version": version}, headers=EN
    )
    assert r.status_code == 422
    assert r.context["forms"]["close"].errors["outcome"] == [
        "Partly recovered needs money still outstanding, but the ledger shows nothing "
        "outstanding (39,000.00 yuan recovered): the outcome is recovered in full."
    ]

    r = client.post(
        url(case, "close/"),
        {"outcome": "recovered_in_full", "note": "全部履行", "version": version},
        headers=EN,
    )
    assert r.status_code == 200
    assert fresh(case).status == "open"
    html = r.content.decode()
    assert "Close the case as “Recovered in full”?" in html
    assert 'data-testid="closing-recovered">¥39,000.00<' in html
    assert 'data-testid="closing-outstanding">¥0.00<' in html
    confirm = html.split('id="close-confirm"')[1].split("</form>")[0]
    assert 'name="confirm" value="1"' in confirm
    assert 'name="outcome" value="recovered_in_full"' in confirm

    r = client.post(
        url(case, "close/"),
        {"outcome": "recovered_in_full", "note": "全部履行", "version": version, "confirm": "1"},
    )

    assert r.status_code == 302
    saved = fresh(case)
    assert (saved.status, saved.outcome, saved.closing_note) == (
        "closed",
        "recovered_in_full",
        "全部履行",
    )


def test_item1_page_the_head_reopens_at_the_stage_it_was_closed_from(web, case, users):
    stage = fresh(case).stage
    disposal.close_case(case_id=case.pk, actor=users["civil1"], data={"outcome": "withdrawn"})

    r = web("civilhead").post(
        url(case, "reopen/"), {"reason": "当事人要求继续", "version": fresh(case).version}
    )

    assert r.status_code == 302
    assert (fresh(case).status, fresh(case).stage) == ("open", stage)


# --- partners and query counts ------------------------------------------------------------
def test_item1_page_a_partner_sees_reversed_and_overpaid_but_not_the_reasons(web, case, users):
    judge(case, users["civil1"])
    payment = pay(case, users["civil1"], party_ids(case)[0], "9479.03", overpayment_reason="甲说明")
    payments.reverse_payment(
        payment_id=payment.pk, actor=users["civil1"], data={"reason": "乙说明"}
    )
    send(users, case, to_org="WHHRSS", kind="labour_inspection")

    html = web("hrss1").get(url(case)).content.decode()

    assert f'id="payment-{payment.pk}"' in html
    assert "<del>¥9,479.03</del>" in html
    assert "甲说明" not in html and "乙说明" not in html
    assert "reverse/" not in html
    # who reversed it stays internal, as in the API (reversed_by: null for partners)
    reversal = html.split('data-testid="reversal"', 1)[1].split("</div>", 1)[0]
    assert users["civil1"].display_name not in reversal


def _queries(client, path) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx)


def test_item1_the_ledger_section_reads_in_the_same_queries_for_one_and_three_payments(
    web, case, users
):
    judge(case, users["civil1"])
    ids = party_ids(case)
    client = web("civil1")
    pay(case, users["civil1"], ids[0], "100.00")
    client.get(url(case))
    one = _queries(client, url(case))

    reversed_one = pay(case, users["civil1"], ids[1], "200.00")
    payments.reverse_payment(
        payment_id=reversed_one.pk, actor=users["civil1"], data={"reason": "错"}
    )
    pay(case, users["civil1"], ids[2], "15100.00", overpayment_reason="多付")
    three = _queries(client, url(case))

    page = client.get(url(case))
    assert len(page.context["payment_rows"]) == 3
    assert page.context["ledger"].totals["overpaid"] == Decimal("100.00")
    assert escape("多付") in page.content.decode()
    assert three == one
