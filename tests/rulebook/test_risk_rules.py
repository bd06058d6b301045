"""Rule EW-3: the risk score's weights and thresholds are the system administrator's to set on the
law library page (issue 15, item 6), audited with what they were before; the case page, the
employer profile and everything that scores a risk read them from one place
(``loaders.risk_rules``)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from tests.cases.ledger_cases import three_worker_case
from zhichi.accounts.models import Notification
from zhichi.audit.models import AuditEntry
from zhichi.cases.models import Case
from zhichi.cases.services import regrade
from zhichi.common.errors import InvalidInput, NotPermitted
from zhichi.core import grading
from zhichi.rulebook import loaders, services

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

DEFAULTS = {
    "weight": 1,
    "heavy_weight": 3,
    "alert_score": 3,
    "workers_many": 10,
    "workers_mass": 30,
    "months_long": 3,
}
STRICTER = {**DEFAULTS, "weight": 2, "alert_score": 2, "source": "某区欠薪应急预案（测试）"}


def test_ew3_without_settings_the_score_uses_the_plans_defaults():
    rules = loaders.risk_rules(date(2026, 12, 4), None)
    assert {k: getattr(rules, k) for k in DEFAULTS} == DEFAULTS


def test_ew3_the_system_administrator_sets_the_weights_and_the_change_is_audited(users):
    services.set_risk_rules(actor=users["sysadmin"], data=STRICTER)

    rules = loaders.risk_rules(date(2026, 12, 4), None)
    assert (rules.weight, rules.alert_score) == (2, 2)
    entry = AuditEntry.objects.get(action="rulebook.risk")
    assert entry.detail["before"] == {}
    assert entry.detail["after"]["weight"] == 2
    services.set_risk_rules(actor=users["sysadmin"], data={**STRICTER, "weight": 1})
    latest = AuditEntry.objects.filter(action="rulebook.risk").order_by("-id").first()
    assert (latest.detail["before"]["weight"], latest.detail["after"]["weight"]) == (2, 1)


def test_ew3_a_case_is_scored_with_the_settings_from_its_next_change(users):
    case = three_worker_case(users["civil1"], seq=801)
    before = Case.objects.get(pk=case.pk).risk_score
    services.set_risk_rules(actor=users["sysadmin"], data={**STRICTER, "weight": 5})

    regrade(Case.objects.get(pk=case.pk))

    after = Case.objects.get(pk=case.pk).risk_score
    # every ordinary factor now weighs 5 instead of 1
    assert before > 0 and after == before * 5


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"weight": -1}, [("weight", "range")]),
        ({"alert_score": 0}, [("alert_score", "range")]),
        ({"workers_mass": 10}, [("workers_mass", "not_above")]),
        ({"months_long": "x"}, [("months_long", "integer")]),
        ({"source": ""}, [("source", "required")]),
    ],
)
def test_ew3_settings_that_do_not_hold_are_refused_at_their_field(users, change, expected):
    with pytest.raises(InvalidInput) as exc:
        services.set_risk_rules(actor=users["sysadmin"], data={**STRICTER, **change})

    assert [(e.field, e.code) for e in exc.value.errors] == expected
    assert loaders.risk_settings() == {}


@pytest.mark.parametrize("username", ["civil1", "chief", "auditor", "secadmin"])
def test_ew3_only_the_system_administrator_sets_the_weights(users, username):
    with pytest.raises(NotPermitted):
        services.set_risk_rules(actor=users[username], data=STRICTER)

    assert loaders.risk_settings() == {}
    assert AuditEntry.objects.filter(action="rulebook.risk", outcome="denied").exists()


def test_ew3_the_law_library_page_shows_and_takes_the_settings(web):
    client = web("sysadmin")
    page = client.get("/tools/law-library/")
    assert 'action="/tools/law-library/risk/"' in page.content.decode()
    assert page.context["risk_form"].initial["alert_score"] == 3

    refused = client.post("/tools/law-library/risk/", {**STRICTER, "workers_mass": "5"})
    assert refused.status_code == 422
    assert refused.context["risk_form"].errors["workers_mass"]

    saved = client.post("/tools/law-library/risk/", STRICTER)
    assert saved.status_code == 302
    assert loaders.risk_settings()["alert_score"] == 2
    assert web("civil1").post("/tools/law-library/risk/", STRICTER).status_code == 403


def wage_facts(**changes) -> grading.Facts:
    """An employer's wage dispute as the risk score reads it (12 workers, 4 months unpaid)."""
    facts = {
        "category": "wages",
        "claimants": 12,
        "total_claimed": Decimal("50000"),
        "max_months_unpaid": 4,
        "groups": frozenset(),
        "labour_relationship": "employee",
        "evasion": frozenset(),
        "criminal_verdict": None,
        "as_of": date(2026, 12, 4),
    }
    return grading.Facts(**{**facts, **changes})


def test_ew3_the_weights_change_the_score_as_the_core_computes_it():
    facts = wage_facts()
    plain = grading.risk(facts, grading.RiskRules())
    doubled = grading.risk(facts, grading.RiskRules(weight=2))
    assert doubled.score == plain.score * 2


def test_ew3_the_department_head_is_alerted_once_when_a_case_reaches_the_alert_score(users):
    case = three_worker_case(users["civil1"], seq=811)
    score = Case.objects.get(pk=case.pk).risk_score
    assert 0 < score < 3  # below the plan's alert score: no alert yet
    assert not Notification.objects.filter(kind="risk").exists()

    services.set_risk_rules(actor=users["sysadmin"], data={**STRICTER, "alert_score": score})
    regrade(Case.objects.get(pk=case.pk))
    regrade(Case.objects.get(pk=case.pk))  # still high: no second alert

    alerts = Notification.objects.filter(kind="risk")
    assert [n.user.username for n in alerts] == ["civilhead"]
    assert case.number in alerts[0].text and alerts[0].url == f"/cases/{case.pk}/"
    assert "mass_dispute_risk" in Case.objects.get(pk=case.pk).flags
