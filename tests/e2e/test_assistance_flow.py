"""Judicial assistance and legal aid in a real browser (C9, rules JA-1 … JA-6).

A wage case of civil1 (set up through the services, as in tests/transfers/conftest.py). In the
browser civil1 records a judicial-assistance application from the case page — a first submit
without the amount is refused at the field with nothing saved — and gives the verification and
review opinion (every JA-3 exclusion answered, a grant of 20,000 yuan); the head of the civil
department and then the chief procurator approve it in the approvals inbox; civil1 records the
funds, the notice to the applicant and the payment, and the application is paid. Separately,
civil1 refers a claimant to the legal aid centre from the case's assistance section; the centre
(lac1) accepts the referral and names the lawyer, and civil1 reads the lawyer's name on the case.

Selectors are ids, names, form actions and href patterns, never translated text: where the test
reads words on the page (status badges, labels, messages) it takes them from the same translation
catalogue the page uses (the UI's default language, zh-hans), or from what it typed itself.
"""

from __future__ import annotations

import os
import re
from decimal import Decimal

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_lazy, ngettext
from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import log_in
from tests.transfers.conftest import wage_case
from zhichi.assistance.models import (
    AssistanceApplication,
    AssistanceStatus,
    Exclusion,
    LegalAidReferral,
    NoticeMethod,
    PaymentMethod,
    Proposal,
    Step,
)
from zhichi.cases.models import Approval, ApprovalStatus, PartyRole
from zhichi.cases.services.derived import working_days_left
from zhichi.core import calendar as cal_mod
from zhichi.rulebook import loaders
from zhichi.transfers.models import Transfer, TransferKind, TransferStatus

pytestmark = pytest.mark.e2e

SCREENSHOTS = os.environ.get("ZHICHI_SCREENSHOTS") == "1"
APPLICATION_SCREENSHOT = "docs/img/assistance-application.png"
REGISTER_SCREENSHOT = "docs/img/assistance-register.png"
PAGE_LANGUAGE = "zh-hans"

# rule JA-5: the seeded Yunnan 2023 on-post average wage, 112,908 a year, × 36 months
CAP = "¥338,724.00"
REQUESTED = Decimal("30000.00")
GRANTED = Decimal("20000.00")

HARDSHIP = "欠薪四个月，妻子重病住院，无力支付医疗费，两名子女面临辍学（E2E-救助）"
VERIFICATION = "走访社区与医院，核实家庭收入、医疗费票据，未获其他赔偿或社会救助（E2E-核实）"
OPINION = "符合国家司法救助条件，建议救助人民币贰万元（E2E-审查意见）"
HEAD_COMMENT = "同意救助（E2E-部门负责人）"
CHIEF_COMMENT = "同意救助贰万元（E2E-检察长）"
PAYMENT_REFERENCE = "ZH-E2E-20000-0001"

REFERRAL_REASON = "申请人经济困难，无力委托律师追索劳动报酬，请指派律师提供法律援助（E2E-援助）"
LAWYER = "李明远（E2E）"
LAW_FIRM = "云南某律师事务所（E2E）"
LAWYER_PHONE = "13812345678"


def zh(text) -> str:
    """A label or message as the page shows it (the UI's default language)."""
    with translation.override(PAGE_LANGUAGE):
        return str(text)


def zh_format(msgid: str, **values) -> str:
    """A message with placeholders, as the page shows it."""
    with translation.override(PAGE_LANGUAGE):
        return gettext(msgid) % values


def working_days_left_text(n: int) -> str:
    """ "3 working days left", as the deadline under a date reads (assistance/_due.html)."""
    with translation.override(PAGE_LANGUAGE):
        return ngettext("%(n)s working day left", "%(n)s working days left", n) % {"n": n}


def yuan(amount: Decimal) -> str:
    """As the pages show money (the ``yuan`` filter)."""
    return f"¥{amount:,.2f}"


# --- set-up through the services ------------------------------------------------------------


# --- browser helpers --------------------------------------------------------------------------


def log_out(page: Page) -> None:
    page.locator("#user-menu-button").click()
    with page.expect_navigation():
        page.locator("form[action$='/logout/'] [type=submit]").click()
    page.wait_for_url(re.compile(r"/login/"))


def submit(page: Page, button: Locator, *, expected_status: int = 200) -> None:
    """Click a submit button and wait for the page the server answers with (after redirects)."""
    with page.expect_navigation() as nav:
        button.click()
    response = nav.value
    assert response is not None and response.status == expected_status, (
        f"{response and response.status} at {page.url}: "
        + " | ".join(page.locator(".invalid-feedback, .alert-danger").all_inner_texts())
    )


def screenshot(page: Page, path: str) -> None:
    """A full-page picture from the top (the sticky sidebar follows the scroll position)."""
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=path, full_page=True)


def header_badge(page: Page) -> Locator:
    """The status badge next to the page's title."""
    return page.locator(".zc-page-header h1 + .badge")


def value_of(scope: Locator, label) -> Locator:
    """The <dd> after the <dt> that reads ``label`` (a translatable label) in ``scope``."""
    term = scope.locator("dt").filter(has_text=re.compile(rf"^\s*{re.escape(zh(label))}\s*$"))
    expect(term).to_have_count(1)
    return term.locator("xpath=following-sibling::dd[1]")


def approve_in_inbox(page: Page, approval: Approval, application_path: str, comment: str) -> None:
    """The approver opens the inbox from the sidebar and approves the one waiting item."""
    expect(page.locator('[data-testid="approvals-count"]')).to_have_text("1")
    page.locator("nav.zc-sidebar a[href='/cases/approvals/']").click()
    page.wait_for_url(re.compile(r"/cases/approvals/$"))
    item = page.locator(f"#approval-{approval.pk}")
    expect(item).to_be_visible()
    expect(item.locator(f"a[href='/cases/{approval.case_id}/']")).to_have_text(approval.case.number)
    expect(item.locator(f"a[href='{application_path}']")).to_have_count(1)
    expect(item).to_contain_text(approval.payload["applicant"])
    expect(item).to_contain_text(f"{GRANTED:,.2f}")
    expect(item).to_contain_text(OPINION)
    decide = item.locator(f"form[action$='/approvals/{approval.pk}/approve/']")
    decide.locator('[name="reason"]').fill(comment)
    submit(page, decide.locator("[type=submit]"))
    assert re.search(r"/cases/approvals/$", page.url), page.url
    expect(page.locator(".zc-messages .alert-success")).to_contain_text(approval.case.number)
    expect(page.locator(f"#approval-{approval.pk}")).to_have_count(0)
    approval.refresh_from_db()
    assert approval.status == ApprovalStatus.APPROVED


# --- the tests --------------------------------------------------------------------------------


def test_assistance_from_application_to_payment(page: Page, browser_errors, law_library):
    # the refused form answers HTTP 422 by design; Chromium logs it as a failed load
    browser_errors.allow(r"Failed to load resource: the server responded with a status of 422")
    users = law_library
    today = timezone.localdate()
    cal = loaders.holiday_calendar()
    case = wage_case(users, consent=False, seq="71")
    claimant = case.parties.get(role=PartyRole.CLAIMANT)
    applicant = claimant.party.name
    case_path = f"/cases/{case.pk}/"
    new_path = f"/assistance/cases/{case.pk}/new/"

    # --- civil1 opens the case's assistance section and the form ---------------------------------
    log_in(page, "civil1")
    page.goto(case_path)
    section = page.locator("section#assistance")
    expect(section.locator("#h-assistance")).to_have_text(
        zh(gettext_lazy("Assistance and legal aid"))
    )
    expect(section.locator("tbody tr")).to_have_count(0)
    section.locator(f'a[href="{new_path}"]').click()
    page.wait_for_url(re.compile(re.escape(new_path) + "$"))
    form = page.locator("form#application-form")
    expect(form).to_be_visible()
    # the cap beside the form: the seeded Yunnan figure (rules JA-4, JA-5)
    expect(page.locator("aside #cap-box strong.tabular-nums")).to_have_text(CAP)
    # the applicant is one of the case's claimants
    assert page.locator("#id_application_applicant_party_id option").evaluate_all(
        "os => os.map(o => o.value)"
    ) == ["", str(claimant.party_id)]
    page.locator("#id_application_applicant_party_id").select_option(str(claimant.party_id))
    expect(page.locator("#id_application_form")).to_have_value("written")
    page.locator("#id_application_basis").select_option("other")
    page.locator("#id_application_hardship").fill(HARDSHIP)
    expect(page.locator("#id_application_hardship_caused_by_case")).to_be_checked()

    # --- first without the amount: refused at the field, nothing saved ----------------------------
    save = form.locator("button.btn-primary[type=submit]")
    submit(page, save, expected_status=422)
    assert re.search(re.escape(new_path) + "$", page.url), page.url
    amount = page.locator("#id_application_requested_amount")
    expect(amount).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_application_requested_amount_error")).to_have_text(
        zh(gettext_lazy("Enter an amount."))
    )
    expect(page.locator('#form-errors a[href="#id_application_requested_amount"]')).to_have_count(1)
    # the amount is the only field in error, and what was typed is kept
    expect(form.locator("[aria-invalid=true]")).to_have_count(1)
    expect(page.locator("#id_application_applicant_party_id")).to_have_value(str(claimant.party_id))
    expect(page.locator("#id_application_basis")).to_have_value("other")
    expect(page.locator("#id_application_hardship")).to_have_value(HARDSHIP)
    expect(page.locator("#id_application_hardship_caused_by_case")).to_be_checked()
    expect(page.locator("aside #cap-box strong.tabular-nums")).to_have_text(CAP)
    assert not AssistanceApplication.objects.exists()

    # --- then with the amount: recorded, and the application's page shows it ----------------------
    amount.fill("30000")
    submit(page, save)
    page.wait_for_url(re.compile(r"/assistance/\d+/$"))
    application = AssistanceApplication.objects.get()
    application_path = f"/assistance/{application.pk}/"
    assert page.url.endswith(application_path), page.url
    assert application.requested_amount == REQUESTED
    assert application.received_on == today
    assert application.cap == Decimal("338724.00")
    expect(page.locator(".zc-messages .alert-success")).to_have_text(
        zh(gettext_lazy("Application recorded."))
    )
    expect(page.locator("main h1")).to_contain_text(applicant)
    expect(header_badge(page)).to_have_text(zh(AssistanceStatus.RECEIVED.label))
    facts = page.locator("section[aria-labelledby='h-application']")
    expect(value_of(facts, gettext_lazy("Requested"))).to_have_text(yuan(REQUESTED))
    expect(facts.locator("#cap-box strong.tabular-nums")).to_have_text(CAP)
    expect(facts).to_contain_text(HARDSHIP)
    # the decision is due 10 working days after the application (rule JA-6)
    decision_due = cal_mod.compute("assistance_decision", today, cal).due
    left = working_days_left(decision_due, today, cal)
    assert left > 0
    due = value_of(facts, gettext_lazy("Decision due"))
    expect(due.locator("span.date")).to_have_text(decision_due.isoformat())
    expect(due.locator("div.small")).to_have_text(
        f"{zh(gettext_lazy('Decision'))} · {working_days_left_text(left)} · JA-6"
    )
    # the only step now: the opinion (no funds, notice or payment yet)
    expect(page.locator("form#form-opinion")).to_be_visible()
    for later in ("funds", "notice", "payment", "follow_up"):
        expect(page.locator(f"form#form-{later}")).to_have_count(0)

    # --- the verification and review opinion, every exclusion answered ---------------------------
    opinion = page.locator("form#form-opinion")
    radios = opinion.locator("input[type=radio][name^='exclusion_']")
    expect(radios).to_have_count(2 * len(Exclusion.values))
    expect(opinion.locator("input[type=radio][name^='exclusion_']:checked")).to_have_count(0)
    for value in Exclusion.values:
        opinion.locator(f'input[name="exclusion_{value}"][value="no"]').check()
    opinion.locator("#id_opinion_verification").fill(VERIFICATION)
    opinion.locator("#id_opinion_proposal").select_option(Proposal.GRANT.value)
    opinion.locator("#id_opinion_proposed_amount").fill("20000")
    opinion.locator("#id_opinion_opinion").fill(OPINION)
    submit(page, opinion.locator("button[type=submit]"))
    assert page.url.endswith(application_path), page.url
    expect(page.locator(".zc-messages .alert-success")).to_have_text(
        zh(gettext_lazy("Opinion sent for approval."))
    )
    expect(header_badge(page)).to_have_text(zh(AssistanceStatus.IN_APPROVAL.label))
    expect(page.locator("form#form-opinion")).to_have_count(0)
    given = page.locator("section[aria-labelledby='h-opinion']")
    expect(given).to_contain_text(zh(Proposal.GRANT.label))
    expect(given).to_contain_text(yuan(GRANTED))
    expect(given).to_contain_text(VERIFICATION)
    expect(given).to_contain_text(OPINION)
    expect(given.locator("li")).to_have_count(len(Exclusion.values))
    expect(given.locator("li .text-success")).to_have_count(len(Exclusion.values))
    expect(given.locator("li .text-danger")).to_have_count(0)
    # under the cap: the usual chain, the head's review then the chief's decision
    chain = page.locator("section[aria-labelledby='h-chain'] li")
    expect(chain).to_have_count(3)
    expect(chain.nth(1)).to_contain_text(zh(Step.REVIEW.label))
    expect(chain.nth(1).locator(".badge")).to_have_text(zh(gettext_lazy("waiting")))
    expect(chain.nth(2)).to_contain_text(zh(Step.DECISION.label))
    expect(chain.nth(2).locator(".badge")).to_have_text(zh(gettext_lazy("to come")))
    # still waiting for the decision: the due date is still shown
    due = value_of(
        page.locator("section[aria-labelledby='h-application']"), gettext_lazy("Decision due")
    )
    expect(due.locator("span.date")).to_have_text(decision_due.isoformat())
    application.refresh_from_db()
    assert application.status == AssistanceStatus.IN_APPROVAL
    assert application.exclusions == dict.fromkeys(Exclusion.values, False)
    assert application.proposed_amount == GRANTED
    review = Approval.objects.select_related("case").get(pk=application.approval_id)
    assert review.required_role == "head" and review.status == ApprovalStatus.PENDING
    log_out(page)

    # --- the head of the civil department approves in the approvals inbox ------------------------
    log_in(page, "civilhead")
    approve_in_inbox(page, review, application_path, HEAD_COMMENT)
    expect(page.locator(f"#approval-{review.pk}")).to_have_count(0)
    page.goto(application_path)
    expect(header_badge(page)).to_have_text(zh(AssistanceStatus.IN_APPROVAL.label))
    chain = page.locator("section[aria-labelledby='h-chain'] li")
    expect(chain.nth(1).locator(".badge")).to_have_text(zh(gettext_lazy("approved")))
    expect(chain.nth(1)).to_contain_text(HEAD_COMMENT)
    expect(chain.nth(2).locator(".badge")).to_have_text(zh(gettext_lazy("waiting")))
    log_out(page)

    # --- the chief procurator decides there too -----------------------------------------------------
    application.refresh_from_db()
    decision = Approval.objects.select_related("case").get(pk=application.approval_id)
    assert decision.pk != review.pk and decision.required_role == "chief"
    log_in(page, "chief")
    approve_in_inbox(page, decision, application_path, CHIEF_COMMENT)
    log_out(page)

    # --- civil1: the aid is granted; funds, notice and payment --------------------------------------
    log_in(page, "civil1")
    page.goto(application_path)
    expect(header_badge(page)).to_have_text(zh(AssistanceStatus.GRANTED.label))
    decided = value_of(
        page.locator("section[aria-labelledby='h-application']"), gettext_lazy("Decision due")
    )
    expect(decided.locator("span.date")).to_have_text(today.isoformat())
    expect(decided.locator(".badge")).to_have_text(zh(gettext_lazy("decided")))
    outcome = page.locator("section[aria-labelledby='h-decision']")
    expect(value_of(outcome, gettext_lazy("Decided on"))).to_have_text(today.isoformat())
    expect(value_of(outcome, gettext_lazy("Granted"))).to_have_text(yuan(GRANTED))
    chain = page.locator("section[aria-labelledby='h-chain'] li")
    expect(chain.nth(2).locator(".badge")).to_have_text(zh(gettext_lazy("approved")))
    expect(chain.nth(2)).to_contain_text(CHIEF_COMMENT)
    expect(page.locator("form#form-notice")).to_have_count(0)
    expect(page.locator("form#form-payment")).to_have_count(0)

    funds = page.locator("form#form-funds")
    funds.locator("#id_funds_arrived_on").fill(today.isoformat())
    submit(page, funds.locator("button[type=submit]"))
    expect(page.locator(".zc-messages .alert-success")).to_have_text(
        zh(gettext_lazy("Funds recorded."))
    )
    outcome = page.locator("section[aria-labelledby='h-decision']")
    expect(value_of(outcome, gettext_lazy("Funds arrived"))).to_have_text(today.isoformat())
    # the applicant must be told within 2 working days of the money arriving (rule JA-6)
    notice_due = cal_mod.compute("assistance_notification", today, cal).due
    told = value_of(outcome, gettext_lazy("Applicant told"))
    expect(told.locator("span.date")).to_have_text(notice_due.isoformat())
    expect(told.locator("div.small")).to_have_text(
        f"{zh(gettext_lazy('Tell the applicant'))} · "
        f"{working_days_left_text(working_days_left(notice_due, today, cal))} · JA-6"
    )
    expect(header_badge(page)).to_have_text(zh(AssistanceStatus.GRANTED.label))

    notice = page.locator("form#form-notice")
    notice.locator("#id_notice_notified_on").fill(today.isoformat())
    notice.locator("#id_notice_method").select_option(NoticeMethod.PHONE.value)
    submit(page, notice.locator("button[type=submit]"))
    expect(page.locator(".zc-messages .alert-success")).to_have_text(
        zh(gettext_lazy("Notice recorded."))
    )
    told = value_of(
        page.locator("section[aria-labelledby='h-decision']"), gettext_lazy("Applicant told")
    )
    expect(told).to_have_text(f"{today.isoformat()} · {zh(NoticeMethod.PHONE.label)}")

    payment = page.locator("form#form-payment")
    # the amount granted is offered
    expect(payment.locator("#id_payment_amount")).to_have_value(f"{GRANTED}")
    payment.locator("#id_payment_paid_on").fill(today.isoformat())
    payment.locator("#id_payment_amount").fill("20000")
    payment.locator("#id_payment_method").select_option(PaymentMethod.BANK.value)
    payment.locator("#id_payment_reference").fill(PAYMENT_REFERENCE)
    submit(page, payment.locator("button[type=submit]"))
    assert page.url.endswith(application_path), page.url
    expect(page.locator(".zc-messages .alert-success")).to_have_text(
        zh(gettext_lazy("Payment recorded."))
    )
    expect(header_badge(page)).to_have_text(zh(AssistanceStatus.PAID.label))
    paid = value_of(page.locator("section[aria-labelledby='h-decision']"), gettext_lazy("Paid"))
    expect(paid).to_have_text(
        f"{today.isoformat()} · {yuan(GRANTED)} · {zh(PaymentMethod.BANK.label)}"
        f" · {PAYMENT_REFERENCE}"
    )
    # all that is left is the follow-up
    expect(page.locator("form#form-follow_up")).to_be_visible()
    for done in ("opinion", "funds", "notice", "payment"):
        expect(page.locator(f"form#form-{done}")).to_have_count(0)
    history = page.locator("section[aria-labelledby='h-history'] ol.timeline > li")
    # recorded, opinion, the head's approval, the chief's approval, decided, funds, notice, paid
    expect(history).to_have_count(8)
    expect(history.last).to_contain_text(
        zh_format("Assistance paid: %(amount)s yuan", amount=f"{GRANTED:,.2f}")
    )
    application.refresh_from_db()
    assert application.status == AssistanceStatus.PAID
    assert (application.granted_amount, application.paid_amount) == (GRANTED, GRANTED)
    assert application.payment_method == PaymentMethod.BANK
    assert application.payment_reference == PAYMENT_REFERENCE
    assert application.notice_method == NoticeMethod.PHONE
    if SCREENSHOTS:
        screenshot(page, APPLICATION_SCREENSHOT)

    # --- the case page's section shows the aid paid ---------------------------------------------------
    page.locator(f".breadcrumb a[href='{case_path}#assistance']").click()
    page.wait_for_url(re.compile(re.escape(case_path) + "#assistance$"))
    rows = page.locator("section#assistance tbody tr")
    expect(rows).to_have_count(1)
    cells = rows.first.locator("td")
    expect(cells.nth(0).locator(f'a[href="{application_path}"]')).to_have_text(applicant)
    expect(cells.nth(1)).to_have_text(today.isoformat())
    expect(cells.nth(2)).to_have_text(yuan(REQUESTED))
    expect(cells.nth(3)).to_have_text(yuan(GRANTED))
    expect(cells.nth(4).locator(".badge")).to_have_text(zh(AssistanceStatus.PAID.label))

    # --- the register lists it, paid, with no deadline left -----------------------------------------
    page.goto("/assistance/")
    rows = page.locator("main table tbody tr")
    expect(rows).to_have_count(1)
    cells = rows.first.locator("td")
    expect(cells.nth(0).locator(f'a[href="{application_path}"]')).to_have_text(case.number)
    expect(cells.nth(1)).to_have_text(applicant)
    expect(cells.nth(3)).to_have_text(yuan(REQUESTED))
    expect(cells.nth(4)).to_have_text(yuan(GRANTED))
    expect(cells.nth(5).locator(".badge")).to_have_text(zh(AssistanceStatus.PAID.label))
    expect(cells.nth(6)).to_have_text("—")
    paid_count = page.locator(".zc-counts a[href='?status=paid'] + .badge")
    expect(paid_count).to_have_text("1")
    if SCREENSHOTS:
        screenshot(page, REGISTER_SCREENSHOT)


def test_legal_aid_centre_names_the_lawyer(page: Page, e2e_users):
    today = timezone.localdate()
    # shared with another agency: the person consented
    case = wage_case(e2e_users, consent=True, seq="72")
    case_path = f"/cases/{case.pk}/"
    send_path = f"/transfers/new/case/{case.pk}/"

    # --- civil1 refers the person to the legal aid centre from the assistance section --------------
    log_in(page, "civil1")
    page.goto(case_path)
    section = page.locator("section#assistance")
    expect(section.locator("ul li")).to_have_count(0)
    refer = section.locator(f'a[href="{send_path}?kind=legal_aid&to=WHLAC"]')
    expect(refer).to_have_count(1)
    refer.click()
    page.wait_for_url(re.compile(re.escape(send_path) + r"\?"))
    # the kind and the centre are chosen already
    expect(page.locator("#id_kind")).to_have_value(TransferKind.LEGAL_AID.value)
    expect(page.locator("#id_receiver")).to_have_value("WHLAC")
    page.locator("#id_reason").fill(REFERRAL_REASON)
    submit(page, page.locator("main form[method=post] button[type=submit]"))
    page.wait_for_url(re.compile(r"/transfers/\d+/$"))
    transfer = Transfer.objects.get(case=case)
    transfer_path = f"/transfers/{transfer.pk}/"
    assert page.url.endswith(transfer_path), page.url
    assert (transfer.kind, transfer.to_org.code) == (TransferKind.LEGAL_AID, "WHLAC")
    expect(page.locator(".zc-page-header h1 + .badge")).to_have_text(zh(TransferStatus.SENT.label))
    # nothing from the centre yet: no lawyer section for the sender
    expect(page.locator("section#legal_aid")).to_have_count(0)
    page.goto(case_path)
    referrals = page.locator("section#assistance ul li")
    expect(referrals).to_have_count(1)
    expect(referrals.first.locator(f'a[href="{transfer_path}"]')).to_have_text(transfer.number)
    expect(referrals.first).to_contain_text(zh(gettext_lazy("No lawyer named yet.")))
    log_out(page)

    # --- the legal aid centre accepts it and names the lawyer -----------------------------------
    log_in(page, "lac1")
    page.goto(transfer_path)
    expect(page.locator("section[aria-labelledby='h-reason']")).to_contain_text(REFERRAL_REASON)
    # not accepted yet: no lawyer to name
    expect(page.locator("section#legal_aid")).to_have_count(0)
    submit(page, page.locator(f'form[action$="{transfer_path}accept/"] [type=submit]'))
    assert page.url.endswith(transfer_path), page.url
    expect(page.locator(".zc-page-header h1 + .badge")).to_have_text(
        zh(TransferStatus.ACCEPTED.label)
    )
    legal_aid = page.locator("section#legal_aid")
    expect(legal_aid.locator("#h-legal_aid")).to_have_text(
        zh(gettext_lazy("Legal aid: lawyer and outcome"))
    )
    lawyer_form = legal_aid.locator("form#form-lawyer")
    expect(lawyer_form).to_be_visible()
    lawyer_form.locator("#id_lawyer_lawyer_name").fill(LAWYER)
    lawyer_form.locator("#id_lawyer_law_firm").fill(LAW_FIRM)
    lawyer_form.locator("#id_lawyer_lawyer_phone").fill(LAWYER_PHONE)
    lawyer_form.locator("#id_lawyer_assigned_on").fill(today.isoformat())
    submit(page, lawyer_form.locator("button[type=submit]"))
    assert page.url.endswith(transfer_path), page.url
    expect(page.locator(".zc-messages .alert-success")).to_have_text(
        zh(gettext_lazy("Lawyer recorded; the referring procuratorate is told."))
    )
    # naming the lawyer answers the referral
    expect(page.locator(".zc-page-header h1 + .badge")).to_have_text(
        zh(TransferStatus.ANSWERED.label)
    )
    legal_aid = page.locator("section#legal_aid")
    named = value_of(legal_aid, gettext_lazy("Lawyer"))
    expect(named.locator("strong")).to_have_text(LAWYER)
    expect(named).to_contain_text(LAW_FIRM)
    expect(value_of(legal_aid, gettext_lazy("Assigned on"))).to_have_text(today.isoformat())
    referral = LegalAidReferral.objects.get(transfer=transfer)
    assert (referral.lawyer_name, referral.law_firm) == (LAWYER, LAW_FIRM)
    assert referral.assigned_on == today
    log_out(page)

    # --- civil1 reads the lawyer's name on the case page --------------------------------------------
    log_in(page, "civil1")
    page.goto(case_path)
    referrals = page.locator("section#assistance ul li")
    expect(referrals).to_have_count(1)
    expect(referrals.first.locator(f'a[href="{transfer_path}"]')).to_have_text(transfer.number)
    expect(referrals.first.locator(".badge")).to_have_text(zh(TransferStatus.ANSWERED.label))
    expect(referrals.first.locator("strong")).to_have_text(LAWYER)
    expect(referrals.first).to_contain_text(LAW_FIRM)
    expect(referrals.first).to_contain_text(today.isoformat())
    expect(referrals.first).not_to_contain_text(zh(gettext_lazy("No lawyer named yet.")))
