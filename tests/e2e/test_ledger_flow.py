"""Issue 13 item 1 in a real browser: the money ledger of the case page (C5, C6).

Three workers of a crew, owed ¥40,000 (tests/cases/ledger_cases.py). In the pages, the officer
records an overpayment (refused at the amount, then confirmed with its reason), reverses a wrong
payment, records a judgment with each worker's own amount (with the split-in-proportion helper),
and closes the case through its confirm step; the department head reopens it.

The case and what happened before a flow are set up through the services, as the Django
test-client tests do (tests/cases/test_ledger_pages.py); each flow itself goes through the pages.
Selectors are form actions, names, ids and data- attributes, never translated text: the words
checked on the page come from the catalogue the page uses (zh-hans), or from what was typed.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import Locator, Page, expect

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
from tests.e2e.conftest import log_in
from tests.e2e.test_disposal_life import (
    PAGE_LANGUAGE,
    event_form,
    log_out,
    money,
    stage_badge,
    stage_label,
    submit,
    zh,
)
from zhichi.cases.ledger import ledger_for
from zhichi.cases.models import (
    Case,
    CaseStatus,
    CourtEvent,
    LedgerEntry,
    Outcome,
    Payment,
    PaymentReversal,
    TimelineEvent,
)
from zhichi.cases.services import move_stage
from zhichi.core import stages

pytestmark = pytest.mark.e2e

REFUSED = r"Failed to load resource: the server responded with a status of 422"

OVER_REASON = "用人单位连同迟延利息一并支付（E2E-多付）"
REVERSE_REASON = "金额录错，实际未付（E2E-冲正）"
COURT = "五华区人民法院（E2E）"
CLOSING_NOTE = "部分履行，余款由工人申请强制执行（E2E-结案）"
REOPEN_REASON = "当事人反映已付款有误，需继续跟进（E2E-重开）"


def tr(msgid: str, **values) -> str:
    """A message as the page shows it, with its figures filled in."""
    with translation.override(PAGE_LANGUAGE):
        text = gettext(msgid)
    return text % values if values else text


def yuan(amount) -> str:
    return f"¥{Decimal(amount):,.2f}"


def fresh(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


def send(page: Page, button: Locator) -> int:
    """Click a submit button and wait for the page the server answers with; its status."""
    with page.expect_navigation() as nav:
        button.click()
    response = nav.value
    assert response is not None
    return response.status


def refused(page: Page, button: Locator) -> None:
    """A post the server refuses: the same page again, 422, with the errors at the fields."""
    status = send(page, button)
    assert status == 422, f"{status} at {page.url}"
    expect(page.locator(".zc-messages .alert-success")).to_have_count(0)


def ledger_row(page: Page, party_id: int) -> Locator:
    return page.locator(f'#money table.zc-ledger tbody tr[data-claimant="{party_id}"]')


def cells(page: Page, party_id: int) -> dict[str, Locator]:
    """One claimant's figures in the ledger, by column."""
    tds = ledger_row(page, party_id).locator("td")
    cols = ("name", "claimed", "agreed", "awarded", "recovered", "outstanding", "overpaid")
    return {name: tds.nth(i) for i, name in enumerate(cols)}


@pytest.fixture
def case(law_library) -> Case:
    return three_worker_case(law_library["civil1"])


# --- 1. an overpayment: refused at the amount, then recorded with its reason --------------------
def test_issue13_item1_an_overpayment_is_refused_then_confirmed_with_its_reason(
    page: Page, case: Case, e2e_users, browser_errors
):
    browser_errors.allow(REFUSED)
    judge(case, e2e_users["civil1"])  # 王小明 is awarded 9,379.03
    first = party_ids(case)[0]
    log_in(page, "civil1")
    page.goto(f"/cases/{case.pk}/")
    expect(cells(page, first)["awarded"]).to_have_text(yuan(AWARDS[0]))
    expect(cells(page, first)["outstanding"]).to_have_text(yuan(AWARDS[0]))
    expect(page.locator('#money [data-testid="money-overpaid"]')).to_have_count(0)

    # 100.00 more than is owed: refused at the amount, with a confirm step asking why
    form = event_form(page, "/payments/")
    form.locator('select[name="claimant_party_id"]').select_option(str(first))
    form.locator('[name="paid_on"]').fill(day(-1))
    form.locator('[name="amount"]').fill("9479.03")
    form.locator('[name="payer"]').fill("昆明某劳务分包队")
    form.locator('[name="method"]').fill("银行转账")
    expect(form.locator('[name="overpayment_reason"]')).to_have_count(0)
    refused(page, form.locator("[type=submit]").first)

    assert Payment.objects.count() == 0
    expect(page.locator("#act-payment")).to_have_attribute("open", "")
    amount = page.locator("#id_payment_amount")
    expect(amount).to_have_value("9479.03")  # nothing typed is lost
    expect(amount).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_payment_amount_error")).to_have_text(
        tr(
            "This is %(over)s yuan more than %(name)s is still owed (%(owed)s yuan). "
            "If that much really was paid, record it as an overpayment and give the reason.",
            over="100.00",
            name=NAMES[0],
            owed="9,379.03",
        )
    )
    reason = page.locator("#id_payment_overpayment_reason")
    expect(reason).to_be_visible()
    expect(page.locator('label[for="id_payment_overpayment_reason"]')).to_contain_text(
        tr("Reason for the overpayment")
    )
    confirm = page.locator("#act-payment form [type=submit]").first
    expect(confirm).to_have_text(tr("Record the overpayment"))

    # the officer says why and confirms
    reason.fill(OVER_REASON)
    submit(page, page.locator("#act-payment form"))

    saved = Payment.objects.get()
    assert (saved.amount, saved.overpayment_reason) == (Decimal("9479.03"), OVER_REASON)
    row = page.locator(f"#payment-{saved.pk}")
    expect(row).to_contain_text(NAMES[0])
    expect(row).to_contain_text(yuan("9479.03"))
    expect(row).to_contain_text(tr("Overpayment"))
    expect(row).to_contain_text(OVER_REASON)
    # the claimant is overpaid by 100.00: outstanding stops at nothing, never below it
    figures = cells(page, first)
    expect(figures["recovered"]).to_have_text(yuan("9479.03"))
    expect(figures["outstanding"]).to_have_text(yuan(0))
    expect(figures["overpaid"]).to_have_text(yuan(100))
    expect(ledger_row(page, first)).not_to_contain_text("-")
    expect(money(page, "overpaid")).to_have_text(yuan(100))
    # and the overpayment is not set against what the two others are owed
    expect(money(page, "recovered")).to_have_text(yuan("9479.03"))
    expect(money(page, "outstanding")).to_have_text(yuan(AWARDS[1] + AWARDS[2]))
    row_for = ledger_for(fresh(case)).row_for(first)
    assert (row_for.outstanding, row_for.overpaid) == (Decimal("0.00"), Decimal("100.00"))


# --- 2. a reversal: the payment stays listed, marked reversed, and leaves the totals -----------
def test_issue13_item1_a_reversed_payment_stays_listed_and_leaves_the_totals(
    page: Page, case: Case, e2e_users
):
    officer = e2e_users["civil1"]
    judge(case, officer)
    first, second, _third = party_ids(case)
    wrong = pay(case, officer, first, "5000.00")
    kept = pay(case, officer, second, "1000.00")
    log_in(page, "civil1")
    page.goto(f"/cases/{case.pk}/")
    expect(money(page, "recovered")).to_have_text(yuan(6000))
    expect(money(page, "outstanding")).to_have_text(yuan(33000))
    expect(cells(page, first)["recovered"]).to_have_text(yuan(5000))

    card = page.locator(f"#act-reverse{wrong.pk}")
    card.locator("summary").click()
    form = card.locator("form")
    expect(form).to_be_visible()
    form.locator('[name="reason"]').fill(REVERSE_REASON)
    status = send(page, form.locator("[type=submit]"))
    assert status == 200
    expect(page.locator(".zc-messages .alert-success")).to_have_text(
        tr("Payment reversed; it stays in the record and leaves the totals.")
    )

    reversal = PaymentReversal.objects.get()
    assert (reversal.payment_id, reversal.reason) == (wrong.pk, REVERSE_REASON)
    assert Payment.objects.filter(case=case).count() == 2  # nothing deleted
    # still listed, struck through, marked reversed with the reason, and no second reversal
    row = page.locator(f"#payment-{wrong.pk}")
    expect(row).to_be_visible()
    expect(row).to_have_class("zc-payment-reversed")
    expect(row.locator("del")).to_have_text(yuan(5000))
    expect(row.locator('[data-testid="reversal"]')).to_contain_text(tr("Reversed"))
    expect(row.locator('[data-testid="reversal"]')).to_contain_text(REVERSE_REASON)
    expect(page.locator(f"#act-reverse{wrong.pk}")).to_have_count(0)
    # the other payment is untouched and can still be reversed
    other = page.locator(f"#payment-{kept.pk}")
    expect(other.locator("del")).to_have_count(0)
    expect(other).to_contain_text(yuan(1000))
    expect(page.locator(f"#act-reverse{kept.pk}")).to_have_count(1)
    # the totals move by the 5,000.00 taken out
    expect(money(page, "recovered")).to_have_text(yuan(1000))
    expect(money(page, "outstanding")).to_have_text(yuan(38000))
    expect(cells(page, first)["recovered"]).to_have_text(yuan(0))
    expect(cells(page, first)["outstanding"]).to_have_text(yuan(AWARDS[0]))
    expect(cells(page, second)["recovered"]).to_have_text(yuan(1000))
    assert ledger_for(fresh(case)).totals["recovered"] == Decimal("1000.00")


# --- 3. each claimant's amount of a judgment -------------------------------------------------
def test_issue13_item1_a_judgment_records_each_claimants_amount_as_typed(
    page: Page, case: Case, browser_errors
):
    browser_errors.allow(REFUSED)
    ids = party_ids(case)
    shares = [page.locator(f"#id_court_share_{p}") for p in ids]
    log_in(page, "civil1")
    page.goto(f"/cases/{case.pk}/")
    expect(money(page, "awarded")).to_have_text("—")

    # a total and no amounts per claimant: refused, nothing saved
    form = event_form(page, "/court-events/")
    form.locator('select[name="kind"]').select_option("judgment")
    form.locator('[name="on"]').fill(day(-5))
    form.locator('[name="court"]').fill(COURT)
    form.locator('[name="amount_awarded"]').fill("39000.00")
    for field in shares:
        expect(field).to_have_value("")
    refused(page, form.locator("[type=submit]").first)

    assert CourtEvent.objects.count() == 0 and LedgerEntry.objects.count() == 0
    expect(page.locator("#act-court")).to_have_attribute("open", "")
    expect(page.locator("#court-amounts-error")).to_have_text(
        tr("Enter each claimant's amount as the document states it; together they make the total.")
    )
    expect(money(page, "awarded")).to_have_text("—")

    # the helper fills in a split in proportion to the claims, for review: nothing saved yet
    for field in shares:
        field.fill("")
    helper = page.locator('#act-court form button[name="split"]')
    expect(helper).to_have_text(tr("Fill in a split in proportion to the claims"))
    assert send(page, helper) == 200
    for field, amount in zip(shares, PRO_RATA, strict=True):
        expect(field).to_have_value(f"{amount:.2f}")
    expect(page.locator('#act-court [data-testid="split-note"]')).to_be_visible()
    expect(page.locator("#act-court")).to_have_attribute("open", "")
    expect(page.locator('#act-court [name="amount_awarded"]')).to_have_value("39000.00")
    expect(page.locator('#act-court [name="court"]')).to_have_value(COURT)
    assert CourtEvent.objects.count() == 0 and LedgerEntry.objects.count() == 0
    expect(money(page, "awarded")).to_have_text("—")

    # one amount corrected against the judgment: they no longer make the total, so refused
    shares[0].fill(f"{AWARDS[0]:.2f}")
    refused(page, page.locator("#act-court form [type=submit]").first)
    expect(page.locator("#court-amounts-error")).to_have_text(
        tr(
            "The claimants' amounts add up to %(given)s yuan, not the total of %(total)s yuan.",
            given="38,629.03",
            total="39,000.00",
        )
    )
    expect(shares[0]).to_have_value(f"{AWARDS[0]:.2f}")  # kept as typed, never adjusted
    assert CourtEvent.objects.count() == 0

    # the third as the judgment states it: recorded exactly as typed
    typed = (AWARDS[0], PRO_RATA[1], Decimal("39000.00") - AWARDS[0] - PRO_RATA[1])
    shares[2].fill(f"{typed[2]:.2f}")
    submit(page, page.locator("#act-court form"))

    assert CourtEvent.objects.count() == 1
    for p, amount in zip(ids, typed, strict=True):
        expect(cells(page, p)["awarded"]).to_have_text(yuan(amount))
        expect(cells(page, p)["outstanding"]).to_have_text(yuan(amount))
    expect(money(page, "awarded")).to_have_text(yuan(39000))
    expect(page.locator("#litigation table tbody tr")).to_contain_text(yuan(39000))
    assert [r.awarded for r in ledger_for(fresh(case)).rows] == list(typed)


# --- 4. closing: refused, confirmed, then reopened by the head ---------------------------------
def test_issue13_item1_closing_is_refused_confirmed_and_reopened_by_the_head(
    page: Page, case: Case, e2e_users, browser_errors
):
    browser_errors.allow(REFUSED)
    officer = e2e_users["civil1"]
    move_stage(
        case_id=case.pk,
        to=stages.PRE_LITIGATION,
        reason="诉前调解",
        version=fresh(case).version,
        actor=officer,
    )
    judge(case, officer)
    first, second, _third = party_ids(case)
    pay(case, officer, first, AWARDS[0])
    pay(case, officer, second, "5000.00")
    recovered, outstanding = AWARDS[0] + Decimal("5000.00"), Decimal("24620.97")
    case_path = f"/cases/{case.pk}/"
    log_in(page, "civil1")
    page.goto(case_path)
    expect(stage_badge(page)).to_have_text(stage_label(stages.PRE_LITIGATION))
    expect(money(page, "recovered")).to_have_text(yuan(recovered))
    expect(money(page, "outstanding")).to_have_text(yuan(outstanding))

    # "recovered in full" with 24,620.97 outstanding: refused, with the ledger's figures
    form = event_form(page, "/close/")
    form.locator('select[name="outcome"]').select_option(Outcome.RECOVERED_IN_FULL)
    form.locator('[name="note"]').fill(CLOSING_NOTE)
    refused(page, form.locator("[type=submit]").first)

    expect(page.locator("#id_close_outcome_error")).to_have_text(
        tr(
            "Recovered in full needs nothing outstanding, but the ledger shows %(outstanding)s "
            "yuan outstanding (%(recovered)s yuan recovered).",
            outstanding="24,620.97",
            recovered="14,379.03",
        )
    )
    expect(page.locator("#close-confirm")).to_have_count(0)
    assert fresh(case).status == CaseStatus.OPEN

    # "partly recovered": a confirm step with the ledger's figures, the case still open
    form = page.locator("#act-close form")
    expect(form.locator('[name="note"]')).to_have_value(CLOSING_NOTE)
    form.locator('select[name="outcome"]').select_option(Outcome.PARTLY_RECOVERED)
    assert send(page, form.locator("[type=submit]").first) == 200
    step = page.locator("#close-confirm")
    expect(step).to_be_visible()
    expect(step).to_contain_text(zh(Outcome.PARTLY_RECOVERED.label))
    expect(step.locator('[data-testid="closing-due"]')).to_have_text(yuan(39000))
    expect(step.locator('[data-testid="closing-recovered"]')).to_have_text(yuan(recovered))
    expect(step.locator('[data-testid="closing-outstanding"]')).to_have_text(yuan(outstanding))
    expect(step).to_contain_text(CLOSING_NOTE)
    expect(stage_badge(page)).to_have_text(stage_label(stages.PRE_LITIGATION))
    assert fresh(case).status == CaseStatus.OPEN

    submit(page, step.locator("form"))
    closed = fresh(case)
    assert (closed.status, closed.stage, closed.outcome, closed.closing_note) == (
        CaseStatus.CLOSED,
        stages.CLOSED,
        Outcome.PARTLY_RECOVERED,
        CLOSING_NOTE,
    )
    expect(stage_badge(page)).to_have_text(stage_label(stages.CLOSED))
    expect(
        page.locator(".zc-page-header .badge").filter(has_text=zh(Outcome.PARTLY_RECOVERED.label))
    ).to_have_count(1)
    for action in ("/close/", "/payments/", "/court-events/", "/reopen/"):
        expect(page.locator(f"form[action$='{action}']")).to_have_count(0)
    log_out(page)

    # the department head reopens it with a reason: back at the stage it was closed from
    log_in(page, "civilhead")
    page.goto(case_path)
    expect(stage_badge(page)).to_have_text(stage_label(stages.CLOSED))
    form = event_form(page, "/reopen/")
    form.locator('[name="reason"]').fill(REOPEN_REASON)
    submit(page, form)
    expect(page.locator(".zc-messages .alert-success")).to_have_text(
        tr("Case reopened at its stage before closing.")
    )

    reopened = fresh(case)
    assert (reopened.status, reopened.stage, reopened.outcome) == (
        CaseStatus.OPEN,
        stages.PRE_LITIGATION,
        "",
    )
    expect(stage_badge(page)).to_have_text(stage_label(stages.PRE_LITIGATION))
    expect(
        page.locator(".zc-page-header .badge").filter(has_text=zh(Outcome.PARTLY_RECOVERED.label))
    ).to_have_count(0)
    expect(page.locator("form[action$='/reopen/']")).to_have_count(0)
    expect(page.locator("form[action$='/close/']")).to_have_count(1)
    # the ledger is as it was
    expect(money(page, "recovered")).to_have_text(yuan(recovered))
    expect(money(page, "outstanding")).to_have_text(yuan(outstanding))

    # the timeline ends with the closing and then the reopening, with its reason
    kinds = list(
        TimelineEvent.objects.filter(case=case).order_by("at", "id").values_list("kind", flat=True)
    )
    assert kinds[-2:] == ["case_closed", "case_reopened"], kinds
    timeline = page.locator("#timeline ol.timeline > li")
    expect(timeline).to_have_count(len(kinds))
    last = timeline.nth(len(kinds) - 1)
    expect(last).to_contain_text(
        tr("Case reopened at %(stage)s", stage=stage_label(stages.PRE_LITIGATION))
    )
    expect(last).to_contain_text(REOPEN_REASON)
    expect(last.locator(".timeline-meta")).to_contain_text("civilhead")
    expect(timeline.nth(len(kinds) - 2)).to_contain_text(CLOSING_NOTE)
