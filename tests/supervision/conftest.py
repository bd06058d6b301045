"""Cases and suggestions in each state, made through the real services."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from django.utils import timezone

from tests.conftest import PASSWORD, lead_payload, make_id
from zhichi.accounts.models import Role, User
from zhichi.cases.services.approvals import decide_approval
from zhichi.intake import services as intake_services
from zhichi.intake.validation import validate_lead
from zhichi.supervision import services
from zhichi.supervision.models import Suggestion

DRAFT = {
    "to_org_name": "五华区人力资源和社会保障局",
    "issue": "对辖区建筑企业拖欠农民工工资问题监管不到位，未落实工资保证金制度。",
    "recommendations": "一、开展专项检查；二、督促落实工资保证金制度；三、建立欠薪预警机制。",
    "legal_basis": "《保障农民工工资支付条例》第十条",
}


def open_case(users, *, seq: str = "11", consent: bool = True):
    """A wage case of WHPROC/civil, officer civil1, referred by hrss1 (who sees it with consent)."""
    lead = intake_services.create_lead(
        actor=users["hrss1"],
        data=validate_lead(
            lead_payload(
                consent_to_share=consent,
                claimants=[{"name": f"工人{seq}", "id_number": make_id(seq=f"{int(seq):03d}")}],
            )
        ),
    )
    return intake_services.accept_lead(lead_id=lead.pk, actor=users["civil1"])


def draft(users, case, **data) -> Suggestion:
    return services.draft_suggestion(case_id=case.pk, actor=users["civil1"], data={**DRAFT, **data})


def approve(users, s: Suggestion, *, approved_on: date | None = None) -> Suggestion:
    decide_approval(approval_id=s.approval_id, actor=users["chief"], approve=True)
    if approved_on is not None:
        # an approval made earlier, so that service can be recorded on past dates
        at = timezone.make_aware(datetime.combine(approved_on, time(9)))
        Suggestion.objects.filter(pk=s.pk).update(approved_at=at)
    return Suggestion.objects.get(pk=s.pk)


def serve(users, s: Suggestion, served_on: date, **data) -> Suggestion:
    return services.serve_suggestion(
        suggestion_id=s.pk,
        actor=users["civil1"],
        data={"served_on": served_on.isoformat(), "method": "direct", **data},
    )


def served(users, case, served_on: date) -> Suggestion:
    """Approved (backdated to the day of service) and served on ``served_on``."""
    s = approve(users, draft(users, case), approved_on=served_on)
    return serve(users, s, served_on)


@pytest.fixture
def other_chief(orgs):
    """The chief procurator of another procuratorate (PJPROC)."""
    return User.objects.create_user(
        username="pjchief",
        password=PASSWORD,
        organisation=orgs["other"],
        role=Role.CHIEF,
        first_name="pjchief",
        is_demo=True,  # a demo account: no second factor asked (tests/settings.py)
    )
