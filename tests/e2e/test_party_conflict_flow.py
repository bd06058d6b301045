"""Issue 13 item 2 in a real browser: the party-conflict warning on the lead form.

李秀英 is on record (phone 135****1122). The officer types a lead as 王小二 with her ID number and
phone 18600000000: the form says so at the claimant's name, shows both names and asks which is
right; the officer says the typed name is right, with a reason; the lead is saved as 王小二, and
after acceptance the case page lists the new phone as current with the earlier one below it.

Selectors are ids, names and data- attributes, never translated text.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import lead_payload, make_id
from tests.e2e.conftest import log_in
from tests.e2e.test_intake_flow import fill_claimant, fill_matter, submit_lead
from zhichi.intake import services
from zhichi.intake.models import Lead
from zhichi.intake.validation import validate_lead
from zhichi.parties.models import ContactKind

pytestmark = pytest.mark.e2e

LI_ID = make_id(birth="19760315", seq="112")


@pytest.fixture
def li_on_record(law_library):
    users = law_library
    lead = services.create_lead(
        actor=users["civil1"],
        data=validate_lead(
            lead_payload(claimants=[{"name": "李秀英", "id_number": LI_ID, "phone": "13500001122"}])
        ),
    )
    return lead.parties.get(role="claimant").party


def test_issue13_item2_the_lead_form_asks_which_name_is_right_and_keeps_the_new_phone(
    page: Page, li_on_record, browser_errors
):
    browser_errors.allow(r"Failed to load resource: the server responded with a status of 422")
    log_in(page, "civil1")
    page.goto("/leads/new/")
    fill_matter(page)
    fill_claimant(page, 0, name="王小二", id_number=LI_ID, amount="6000", phone="18600000000")
    submit_lead(page)

    # the warning at the claimant's name: both names, the choice, nothing typed lost
    conflict = page.locator("[data-name-conflict]")
    expect(conflict).to_be_visible()
    expect(conflict).to_contain_text("李秀英")
    expect(conflict).to_contain_text("王小二")
    expect(page.locator("#id_claimants-0-name")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_claimants-0-name_error")).to_contain_text("李秀英")
    expect(page.locator("#id_claimants-0-name")).to_have_value("王小二")
    expect(page.locator("#id_claimants-0-phone")).to_have_value("18600000000")
    assert Lead.objects.count() == 1  # nothing was saved

    page.locator('input[name="claimants-0-name_choice"][value="typed"]').check()
    page.locator("#id_claimants-0-name_reason").fill("与身份证核对，原登记姓名有误")
    submit_lead(page)

    page.wait_for_url(re.compile(r"/leads/\d+/$"))
    claimants = page.locator("section[aria-labelledby=h-claimants] tbody tr")
    expect(claimants).to_have_count(1)
    expect(claimants.first).to_contain_text("王小二")
    expect(claimants.first).to_contain_text("186****0000")

    li_on_record.refresh_from_db()
    assert li_on_record.name == "王小二"
    phones = [c.phone for c in li_on_record.contacts.filter(kind=ContactKind.PHONE)]
    assert phones == ["18600000000", "13500001122"]

    # accepted, the case page lists the contacts: the new phone current, the earlier one kept
    page.on("dialog", lambda dialog: dialog.accept())
    page.locator('form[action$="/accept/"] [type=submit]').click()
    page.wait_for_url(re.compile(r"/cases/\d+/$"))
    contacts = page.locator(f'[data-contacts="{li_on_record.pk}"]')
    contacts.locator("summary").click()
    phones_shown = contacts.locator('li[data-contact="phone"]')
    expect(phones_shown).to_have_count(2)
    expect(phones_shown.nth(0)).to_contain_text("186****0000")
    expect(phones_shown.nth(0)).to_have_class(re.compile("fw-semibold"))
    expect(phones_shown.nth(1)).to_contain_text("135****1122")
    assert "18600000000" not in page.content()


def test_issue13_item2_choosing_the_name_on_record_saves_the_lead_under_it(
    page: Page, li_on_record, browser_errors
):
    browser_errors.allow(r"Failed to load resource: the server responded with a status of 422")
    log_in(page, "civil1")
    page.goto("/leads/new/")
    fill_matter(page)
    fill_claimant(page, 0, name="王小二", id_number=LI_ID, amount="6000", phone="18600000000")
    submit_lead(page)

    expect(page.locator("[data-name-conflict]")).to_be_visible()
    page.locator('input[name="claimants-0-name_choice"][value="record"]').check()
    submit_lead(page)

    page.wait_for_url(re.compile(r"/leads/\d+/$"))
    row = page.locator("section[aria-labelledby=h-claimants] tbody tr").first
    expect(row).to_contain_text("李秀英")
    expect(row).to_contain_text("186****0000")
