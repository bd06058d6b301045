"""Rule EW-3 at the employer (issue 15 item 6): four small wage cases against one employer, none
of which reaches the alert score alone, together do; the department's head is told once."""

from __future__ import annotations

import pytest

from tests.cases.ledger_cases import day
from tests.conftest import make_credit_code, make_id
from zhichi.accounts.models import Notification
from zhichi.cases.models import Case
from zhichi.cases.services import facts as case_facts
from zhichi.employers.profile import employer_risks
from zhichi.intake import services as intake
from zhichi.intake.validation import validate_lead

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

EMPLOYER = "昆明某建筑工程有限公司"


def small_case(officer, code: str, seq: int) -> Case:
    """Three employees owed ¥1,000 each for one month on a finished construction site: +2 on
    its own (rule EW-3), below the alert score of 3."""
    data = validate_lead(
        {
            "source": "walk_in",
            "received_on": day(-10),
            "category": "wages",
            "summary": "工地拖欠三名工人一个月工资",
            "claimants": [
                {
                    "name": name,
                    "id_number": make_id(seq=f"{seq + i}"),
                    "groups": ["migrant_worker"],
                    "amount_claimed": "1000.00",
                    "months_unpaid": 1,
                }
                for i, name in enumerate(("王小明", "李大勇", "张秀英"))
            ],
            "respondents": [{"kind": "organisation", "name": EMPLOYER, "credit_code": code}],
            "voluntary": True,
            "consent_to_share": True,
            "labour_relationship": "employee",
            "signals": ["construction", "project_closing"],
        }
    )
    lead = intake.create_lead(actor=officer, data=data)
    return intake.accept_lead(lead_id=lead.pk, actor=officer)


def employer_alerts(user) -> list[Notification]:
    return list(Notification.objects.filter(user=user, kind="risk", url__startswith="/employers/"))


def test_small_cases_that_together_reach_the_alert_score_alert_the_head_once_rule_ew_3(
    users,
):
    civil1, head = users["civil1"], users["civilhead"]
    code = make_credit_code()
    cases = [small_case(civil1, code, seq) for seq in (700, 710, 720)]
    assert employer_alerts(head) == []  # nine workers: not yet

    cases.append(small_case(civil1, code, 730))

    # no case alone reaches the alert score
    assert all(c.risk_score < 3 for c in Case.objects.filter(pk__in=[c.pk for c in cases]))
    (risk,) = employer_risks(head, credit_code=code)
    assert risk.risk.level == "high" and risk.open_cases == 4
    assert "workers_many" in {r.code for r in risk.risk.reasons}  # twelve workers
    (alert,) = employer_alerts(head)
    assert str(risk.open_cases) in alert.text and str(risk.risk.score) in alert.text
    assert not Notification.objects.filter(user=users["civil1"], kind="risk").exists()

    # graded again (a fact recorded): the same alert is not sent twice
    case_facts.update_case_facts(
        case_id=cases[0].pk,
        actor=civil1,
        data={"has_iou": True},
        version=Case.objects.get(pk=cases[0].pk).version,
    )
    assert len(employer_alerts(head)) == 1
