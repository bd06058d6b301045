"""Rule EW-2: the winter campaigns against wage arrears are yearly data the system administrator
enters on the law library page (issue 15, item 6); inside one, an open wage case scores the
campaign point of EW-3. The 2025 campaign (1 November 2025 to the 2026 Spring Festival) is seeded.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from tests.rulebook.test_risk_rules import wage_facts
from zhichi.audit.models import AuditEntry
from zhichi.common.errors import InvalidInput, NotPermitted
from zhichi.core import grading
from zhichi.rulebook import loaders, services
from zhichi.rulebook.models import CampaignWindow

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

CAMPAIGN_2026 = {
    "starts_on": "2026-11-01",
    "ends_on": "2027-02-06",
    "source": "2026年治理欠薪冬季行动通知（测试数据）",
}


def fields(exc) -> list[tuple[str, str]]:
    return [(e.field, e.code) for e in exc.value.errors]


def test_ew2_the_2025_campaign_is_seeded():
    (window,) = CampaignWindow.objects.all()
    assert (window.starts_on, window.ends_on) == (date(2025, 11, 1), date(2026, 2, 17))
    assert loaders.campaign(date(2026, 1, 10)) == {
        "campaign_start_month": 11,
        "campaign_start_day": 1,
        "campaign_end": date(2026, 2, 17),
    }
    assert loaders.campaign(date(2026, 2, 18)) == {}
    assert loaders.campaign(date(2025, 10, 31)) == {}


def test_ew2_inside_the_campaign_an_open_wage_case_scores_its_point():
    facts = wage_facts(
        claimants=3, total_claimed=Decimal("30000"), max_months_unpaid=1, as_of=date(2026, 1, 10)
    )
    inside = grading.risk(facts, loaders.risk_rules(facts.as_of, None))
    later = replace(facts, as_of=date(2026, 3, 1))
    outside = grading.risk(later, loaders.risk_rules(later.as_of, None))

    assert "campaign_window" in {r.code for r in inside.reasons}
    assert "campaign_window" not in {r.code for r in outside.reasons}


def test_ew2_the_system_administrator_enters_next_years_campaign(users):
    window = services.add_campaign_window(actor=users["sysadmin"], data=CAMPAIGN_2026)

    assert (window.starts_on, window.ends_on) == (date(2026, 11, 1), date(2027, 2, 6))
    assert loaders.campaign(date(2026, 12, 4))["campaign_end"] == date(2027, 2, 6)
    entry = AuditEntry.objects.get(action="rulebook.campaign")
    assert entry.detail["ends_on"] == "2027-02-06"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"ends_on": "2026-10-01"}, [("ends_on", "before_start")]),
        ({"ends_on": "2027-08-01"}, [("ends_on", "span")]),
        ({"starts_on": "2026-02-01", "ends_on": "2026-03-01"}, [("starts_on", "overlap")]),
        ({"source": "  "}, [("source", "required")]),
        ({"starts_on": "someday"}, [("starts_on", "date")]),
    ],
)
def test_ew2_a_campaign_that_does_not_hold_is_refused_at_its_field(users, change, expected):
    with pytest.raises(InvalidInput) as exc:
        services.add_campaign_window(actor=users["sysadmin"], data={**CAMPAIGN_2026, **change})

    assert fields(exc) == expected
    assert CampaignWindow.objects.count() == 1


@pytest.mark.parametrize("username", ["civil1", "chief", "auditor", "secadmin"])
def test_ew2_only_the_system_administrator_enters_a_campaign(users, username):
    with pytest.raises(NotPermitted):
        services.add_campaign_window(actor=users[username], data=CAMPAIGN_2026)

    assert CampaignWindow.objects.count() == 1
    assert AuditEntry.objects.filter(action="rulebook.campaign", outcome="denied").exists()


def test_ew2_the_law_library_page_lists_and_takes_a_campaign(web):
    client = web("sysadmin")
    page = client.get("/tools/law-library/")
    assert 'action="/tools/law-library/campaign/"' in page.content.decode()
    assert "2026-02-17" in page.content.decode()

    refused = client.post("/tools/law-library/campaign/", {**CAMPAIGN_2026, "ends_on": ""})
    assert refused.status_code == 422
    assert refused.context["campaign_form"].errors["ends_on"]

    saved = client.post("/tools/law-library/campaign/", CAMPAIGN_2026)
    assert saved.status_code == 302
    assert CampaignWindow.objects.filter(ends_on=date(2027, 2, 6)).exists()
    assert web("civil1").post("/tools/law-library/campaign/", CAMPAIGN_2026).status_code == 403
