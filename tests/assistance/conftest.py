"""Judicial assistance on a wage case of civil1 (WHPROC/civil)."""

from __future__ import annotations

import pytest

from tests.transfers.conftest import wage_case
from zhichi.assistance import services
from zhichi.cases.models import PartyRole

EXCLUSIONS_NONE = {
    "serious_fault": False,
    "refused_cooperation": False,
    "false_statements": False,
    "waived_compensation": False,
    "not_caused_by_case": False,
    "already_compensated": False,
}


def claimant_of(case):
    return case.parties.filter(role=PartyRole.CLAIMANT).first()


def application_data(case, **overrides) -> dict:
    data = {
        "applicant_party_id": claimant_of(case).party_id,
        "requested_amount": "30000.00",
        "hardship": "欠薪四个月，妻子重病住院，无力支付医疗费，家中两名子女面临辍学",
        "basis": "other",
    }
    data.update(overrides)
    return data


def opinion_data(**overrides) -> dict:
    data = {
        "exclusions": dict(EXCLUSIONS_NONE),
        "verification": "走访社区、医院，核实收入与医疗费用票据",
        "proposal": "grant",
        "proposed_amount": "20000.00",
        "opinion": "符合救助条件，建议救助人民币贰万元",
    }
    data.update(overrides)
    return data


def record(users, case, **overrides):
    return services.record_application(
        case_id=case.pk, actor=users["civil1"], data=application_data(case, **overrides)
    )


@pytest.fixture
def acase(users):
    return wage_case(users, consent=False, seq="61")
