"""The system administrator's console in a real browser (rule R5, 三员分立).

The system administrator signs in, opens the console, creates an organisation, adds a department
to it, is told at the field that a second department cannot take the same code, renames the
department, and corrects a case number pattern the organisation refused at its field. Once the
organisation has a department its code is shown but can no longer be changed.

Selectors are ids, names, form actions and href patterns, never translated text.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import log_in
from zhichi.accounts.models import Department, Organisation
from zhichi.audit.models import AuditEntry

pytestmark = pytest.mark.e2e


def test_the_system_administrator_keeps_organisations_and_departments(page: Page, browser_errors):
    browser_errors.allow(r"Failed to load resource: the server responded with a status of 422")
    log_in(page, "sysadmin")

    page.goto("/system/")
    page.locator('#card-organisations a[href="/system/organisations/"]').click()
    page.wait_for_url(re.compile(r"/system/organisations/$"))

    # a new organisation
    page.locator("#id_new_code").fill("GDPROC")
    page.locator("#id_new_name").fill("官渡区人民检察院")
    page.locator("#id_new_short_name").fill("官渡检")
    page.locator("#id_new_kind").select_option("procuratorate")
    page.locator("#id_new_province").select_option("53")
    page.locator("#id_new_district").fill("530111")
    page.locator("#organisation-create [type=submit]").click()
    page.wait_for_url(re.compile(r"/system/organisations/\d+/$"))
    org = Organisation.objects.get(code="GDPROC")
    assert page.url.endswith(f"/system/organisations/{org.pk}/")
    expect(page.locator("h1")).to_contain_text("官渡区人民检察院")
    expect(page.locator("#department-list")).to_have_count(0)  # no department yet

    # a department, then another with the same code: refused at the field
    page.locator("#id_dept_code").fill("civil")
    page.locator("#id_dept_name").fill("民事检察部")
    page.locator("#department-create [type=submit]").click()
    page.wait_for_url(re.compile(rf"/system/organisations/{org.pk}/#departments$"))
    expect(page.locator('#department-list tr[data-code="civil"]')).to_contain_text("民事检察部")

    page.locator("#id_dept_code").fill("CIVIL")
    page.locator("#id_dept_name").fill("第二个民事部")
    page.locator("#department-create [type=submit]").click()
    expect(page.locator("#id_dept_code_error")).to_be_visible()
    expect(page.locator("#id_dept_code")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_dept_name")).to_have_value("第二个民事部")  # nothing typed is lost
    assert Department.objects.filter(organisation=org).count() == 1

    # rename the department on its page
    page.goto(f"/system/organisations/{org.pk}/")
    page.locator('#department-list tr[data-code="civil"] a').click()
    page.wait_for_url(re.compile(r"/system/departments/\d+/$"))
    page.locator("#id_name").fill("民事行政检察部")
    page.locator("#department-form [type=submit]").click()
    page.wait_for_url(re.compile(rf"/system/organisations/{org.pk}/#departments$"))
    expect(page.locator('#department-list tr[data-code="civil"]')).to_contain_text("民事行政检察部")

    # the organisation is in use now: its code is fixed; a bad pattern is refused at its field
    expect(page.locator("#id_code")).to_be_disabled()
    page.locator("#id_case_number_pattern").fill("{short}民支〔{year}〕号")
    page.locator("#organisation-form [type=submit]").click()
    expect(page.locator("#id_case_number_pattern_error")).to_be_visible()
    expect(page.locator("#id_case_number_pattern")).to_have_attribute("aria-invalid", "true")
    assert Organisation.objects.get(pk=org.pk).case_number_pattern == ""

    page.locator("#id_case_number_pattern").fill("{short}民支〔{year}〕{seq:03d}号")
    page.locator("#organisation-form [type=submit]").click()
    page.wait_for_url(re.compile(rf"/system/organisations/{org.pk}/$"))
    expect(page.locator("#id_case_number_pattern")).to_have_value(
        "{short}民支〔{year}〕{seq:03d}号"
    )
    assert (
        Organisation.objects.get(pk=org.pk).case_number_pattern
        == "{short}民支〔{year}〕{seq:03d}号"
    )

    done = list(
        AuditEntry.objects.filter(username="sysadmin", outcome="ok").values_list(
            "action", flat=True
        )
    )
    assert [a for a in done if a.startswith(("org.", "dept."))] == [
        "org.create",
        "dept.create",
        "dept.update",
        "org.update",
    ]
