"""QUALITY.md U1 on the staff pages: axe-core (vendored) finds no serious or critical violation on
the pages each kind of user works in: an officer's lists and a case and a lead, a partner's, and
the three administrators' consoles. The portal's pages are checked in test_portal_flow.py."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.e2e.axe import violations
from tests.e2e.conftest import log_in
from tests.transfers.conftest import wage_case
from zhichi.intake.models import Lead

pytestmark = pytest.mark.e2e

OFFICER_PAGES = (
    "/",
    "/leads/",
    "/leads/new/",
    "/cases/",
    "/cases/?stage=review",
    "/transfers/inbox/",
    "/transfers/outbox/",
    "/stats/",
    "/stats/warnings/",
    "/assistance/",
    "/supervision/suggestions/",
    "/imports/",
    "/employers/",
    "/tools/calculators/",
    "/tools/law-library/",
    "/notifications/",
    "/account/tokens/",
    "/account/password/",
    "/joint-actions/",
)
PARTNER_PAGES = ("/", "/leads/", "/leads/new/", "/transfers/inbox/", "/integrations/webhooks/")
CONSOLES = {
    "sysadmin": ("/system/", "/system/organisations/"),
    "secadmin": ("/security/users/", "/security/sessions/", "/security/password-policy/"),
    "auditor": ("/audit/",),
}


def sweep(page: Page, paths) -> dict[str, list[dict]]:
    """Each page's serious and critical violations (only the pages that have any)."""
    found = {}
    for path in paths:
        answer = page.goto(path)
        assert answer is not None and answer.status == 200, path
        if bad := violations(page):
            found[path] = [(v["id"], v["targets"][:2]) for v in bad]
    return found


def test_u1_an_officers_pages_a_case_and_a_lead_pass_axe(page: Page, law_library):
    case = wage_case(law_library, consent=True, seq="71")
    lead = Lead.objects.exclude(pk=case.lead.pk).first() or case.lead
    log_in(page, "civil1")

    assert sweep(page, (*OFFICER_PAGES, f"/cases/{case.pk}/", f"/leads/{lead.pk}/")) == {}


def test_u1_a_partners_pages_pass_axe(page: Page, law_library):
    case = wage_case(law_library, consent=True, seq="72")
    log_in(page, "hrss1")

    assert sweep(page, (*PARTNER_PAGES, f"/cases/{case.pk}/")) == {}


@pytest.mark.parametrize("admin", sorted(CONSOLES))
def test_u1_the_administrators_consoles_pass_axe(page: Page, e2e_users, admin):
    log_in(page, admin)

    assert sweep(page, CONSOLES[admin]) == {}
