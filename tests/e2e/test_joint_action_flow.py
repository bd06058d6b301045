"""A joint action against one employer in a real browser (C8).

Two open wage cases of civil1 name the same employer (set up through the intake services: leads
the labour bureau hrss1 referred with the people's consent to share, accepted by civil1). In the
browser civil1 records a joint action with the labour bureau: a first submit without the result
is refused at the field with nothing saved; the second records it, and the money paid on the spot
becomes payments per claimant that each case's ledger and the employer's profile count. The
bureau (a participant) reads the joint action; the women's federation (no part of it) gets 404.

Selectors are ids, names, form actions, data-testid attributes and href patterns, never translated
text: where the test reads words on the page it takes them from the same translation catalogue
the page uses (the UI's default language, zh-hans), or from what it typed itself.
"""

from __future__ import annotations

import os
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy
from playwright.sync_api import Locator, Page, expect

from tests.conftest import PASSWORD, lead_payload, make_credit_code, make_id
from zhichi.accounts.models import Organisation
from zhichi.cases.models import Case, Payment
from zhichi.employers.models import JointAction, JointActionPayment
from zhichi.intake import services as intake_services
from zhichi.intake.validation import validate_lead

pytestmark = pytest.mark.e2e

SCREENSHOTS = os.environ.get("ZHICHI_SCREENSHOTS") == "1"
SCREENSHOT_PATH = "docs/img/joint-action.png"
PAGE_LANGUAGE = "zh-hans"

EMPLOYER = make_credit_code()
EMPLOYER_NAME = "昆明某建材有限公司（E2E）"
# case A: two workers; case B: one (30,000.00 owed in all)
CASE_A_WORKERS = (("孙立军", "12000.00"), ("周美兰", "8000.00"))
CASE_B_WORKERS = (("吴国庆", "10000.00"),)
PAID_ON_SITE = Decimal("6000.00")
RESULT = "人社局与检察院联合约谈用工单位负责人，当场支付部分欠薪，余款限期十日内付清（E2E-联合）"


def zh(text) -> str:
    """A label or message as the page shows it (the UI's default language)."""
    with translation.override(PAGE_LANGUAGE):
        return str(text)


def yuan(amount: Decimal) -> str:
    """As the pages show money (the ``yuan`` filter)."""
    return f"¥{amount:,.2f}"


def read_yuan(text: str) -> Decimal:
    return Decimal(text.strip().removeprefix("¥").replace(",", ""))


# --- set-up through the services ------------------------------------------------------------


def wage_case(users, *, workers, seq: int) -> Case:
    """An open wage case of civil1 against EMPLOYER, from a lead hrss1 referred with consent."""
    claimants = [
        {
            "name": name,
            "id_number": make_id(birth="19880808", seq=f"{seq + i:03d}"),
            "groups": ["migrant_worker"],
            "amount_claimed": amount,
            "months_unpaid": 3,
        }
        for i, (name, amount) in enumerate(workers)
    ]
    lead = intake_services.create_lead(
        actor=users["hrss1"],
        data=validate_lead(
            lead_payload(
                consent_to_share=True,
                claimants=claimants,
                respondents=[
                    {"kind": "organisation", "name": EMPLOYER_NAME, "credit_code": EMPLOYER}
                ],
            )
        ),
    )
    return intake_services.accept_lead(lead_id=lead.pk, actor=users["civil1"])


# --- browser helpers --------------------------------------------------------------------------


def log_in(page: Page, username: str) -> None:
    page.goto("/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form:has(#id_password) [type=submit]").click()
    page.wait_for_url(re.compile(r"/$"))


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


# --- the test -------------------------------------------------------------------------------


def test_joint_action_pays_claimants_on_site_and_shows_in_ledgers_and_employer_profile(
    page: Page, browser_errors, e2e_users
):
    # the refused form answers HTTP 422 by design; Chromium logs it as a failed load
    browser_errors.allow(r"Failed to load resource: the server responded with a status of 422")
    today = timezone.localdate()
    case_a = wage_case(e2e_users, workers=CASE_A_WORKERS, seq=610)
    case_b = wage_case(e2e_users, workers=CASE_B_WORKERS, seq=620)
    hrss = Organisation.objects.get(code="WHHRSS")
    organiser = Organisation.objects.get(code="WHPROC")
    payments_before = Payment.objects.count()

    # --- civil1 opens the form and lists the employer's cases ---------------------------------
    log_in(page, "civil1")
    page.goto("/joint-actions/new/")
    form = page.locator('main form[action="/joint-actions/new/"]')
    expect(form).to_be_visible()
    page.locator("#id_on").fill((today - timedelta(days=1)).isoformat())
    page.locator("#id_employer").fill(EMPLOYER)
    submit(page, form.locator("button[type=submit][name=find]"))
    options = page.locator("#id_case_ids option")
    expect(options).to_have_count(2)
    assert sorted(options.evaluate_all("os => os.map(o => o.value)")) == sorted(
        [str(case_a.pk), str(case_b.pk)]
    )
    assert not JointAction.objects.exists()  # listing the cases saves nothing

    page.locator('input[name="organisations"][value="WHHRSS"]').check()
    page.locator("#id_case_ids").select_option([str(case_a.pk), str(case_b.pk)])
    page.locator("#id_amount_paid_on_site").fill(f"{PAID_ON_SITE}")

    # --- first without the result: refused at the field, nothing saved -------------------------
    save = form.locator("button.btn-primary[type=submit][name=save]")
    submit(page, save, expected_status=422)
    assert re.search(r"/joint-actions/new/$", page.url), page.url
    result = page.locator("#id_result")
    expect(result).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_result_error")).to_have_text(
        zh(gettext_lazy("This field is required."))
    )
    expect(page.locator('#form-errors a[href="#id_result"]')).to_have_count(1)
    # the result is the only field in error, and what was chosen is kept
    expect(page.locator("main form [aria-invalid=true]")).to_have_count(1)
    expect(page.locator('input[name="organisations"][value="WHHRSS"]')).to_be_checked()
    selected = page.locator("#id_case_ids option:checked").evaluate_all(
        "os => os.map(o => o.value)"
    )
    assert sorted(selected) == sorted([str(case_a.pk), str(case_b.pk)])
    expect(page.locator("#id_amount_paid_on_site")).to_have_value(f"{PAID_ON_SITE}")
    expect(page.locator("#id_employer")).to_have_value(EMPLOYER)
    assert not JointAction.objects.exists()
    assert Payment.objects.count() == payments_before

    # --- then complete: recorded, and the joint action's page shows it ------------------------
    result.fill(RESULT)
    submit(page, save)
    page.wait_for_url(re.compile(r"/joint-actions/\d+/$"))
    action_path = re.search(r"/joint-actions/\d+/$", page.url).group(0)
    action = JointAction.objects.get()
    assert action_path == f"/joint-actions/{action.pk}/"
    assert action.amount_paid_on_site == PAID_ON_SITE
    assert action.on == today - timedelta(days=1)
    expect(page.locator(".zc-messages .alert-success")).to_be_visible()
    expect(page.locator("section[aria-labelledby='h-result']")).to_contain_text(RESULT)

    orgs = page.locator("section[aria-labelledby='h-orgs'] li")
    expect(orgs).to_have_count(2)
    expect(orgs.nth(0)).to_contain_text(organiser.name)
    expect(orgs.nth(1)).to_have_text(hrss.name)

    cases = page.locator("section[aria-labelledby='h-cases']")
    for case in (case_a, case_b):
        expect(cases.locator(f'a[href="/cases/{case.pk}/"]')).to_have_text(case.number)

    # one payment per claimant, split in proportion to what each is owed, adding up to the total
    parts = {
        link.payment.claimant.party.name: link.payment
        for link in JointActionPayment.objects.filter(joint_action=action).select_related(
            "payment__claimant__party"
        )
    }
    assert set(parts) == {name for name, _amount in CASE_A_WORKERS + CASE_B_WORKERS}
    assert sum(p.amount for p in parts.values()) == PAID_ON_SITE
    rows = page.locator("section[aria-labelledby='h-payments'] tbody tr")
    expect(rows).to_have_count(len(parts))
    for name, payment in parts.items():
        row = rows.filter(has_text=name)
        expect(row).to_have_count(1)
        expect(row.locator(f'a[href="/cases/{payment.case_id}/#money"]')).to_have_count(1)
        expect(row.locator("td.money")).to_have_text(yuan(payment.amount))
    expect(page.locator("section[aria-labelledby='h-payments'] tfoot td.money")).to_have_text(
        yuan(PAID_ON_SITE)
    )
    if SCREENSHOTS:
        screenshot(page, SCREENSHOT_PATH)

    # --- each case's ledger counts what was paid on the spot ---------------------------------
    recovered = Decimal("0.00")
    for case in (case_a, case_b):
        page.goto(f"/cases/{case.pk}/")
        expect(page.locator("main h1")).to_have_text(case.number)
        cell = page.locator("#money [data-testid=money-recovered]")
        expected = sum((p.amount for p in parts.values() if p.case_id == case.pk), Decimal("0.00"))
        assert expected > 0
        expect(cell).to_have_text(yuan(expected))
        recovered += read_yuan(cell.inner_text())
    assert recovered == PAID_ON_SITE

    # --- the employer's profile: both cases, the joint action and the money recovered -----------
    page.goto(f"/employers/{EMPLOYER}/")
    expect(page.locator("main h1")).to_have_text(EMPLOYER_NAME)
    case_rows = page.locator("section#cases tbody tr")
    expect(case_rows).to_have_count(2)
    for case in (case_a, case_b):
        expect(page.locator(f'section#cases a[href="/cases/{case.pk}/"]')).to_have_text(case.number)
    expect(page.locator("[data-testid=employer-recovered]")).to_have_text(yuan(PAID_ON_SITE))
    expect(page.locator(f'section#joint-actions a[href="{action_path}"]')).to_have_count(1)
    expect(page.locator(f'section#payments a[href="{action_path}"]')).to_have_count(len(parts))
    log_out(page)

    # --- the labour bureau took part: it reads the joint action ---------------------------------
    log_in(page, "hrss1")
    response = page.goto(action_path)
    assert response is not None and response.status == 200, response and response.status
    expect(page.locator("section[aria-labelledby='h-result']")).to_contain_text(RESULT)
    expect(page.locator("section[aria-labelledby='h-orgs'] li").nth(1)).to_have_text(hrss.name)
    for case in (case_a, case_b):
        expect(page.locator("section[aria-labelledby='h-cases']")).to_contain_text(case.number)
    expect(page.locator("section[aria-labelledby='h-payments'] tfoot td.money")).to_have_text(
        yuan(PAID_ON_SITE)
    )
    log_out(page)

    # --- the women's federation took no part: the page does not exist for it --------------------
    log_in(page, "wf1")
    browser_errors.allow(rf"status of 404 .*\(https?://[^/]+{re.escape(action_path)}(:\d+)?\)$")
    response = page.goto(action_path)
    assert response is not None and response.status == 404, response and response.status
    html = page.content()
    assert RESULT not in html
    for case in (case_a, case_b):
        assert case.number not in html
