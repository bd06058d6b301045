"""Cases against one employer, built the way intake builds them (lead → accepted case)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.conftest import lead_payload, make_credit_code, make_id
from zhichi.employers import services as employer_services
from zhichi.intake import services as intake_services
from zhichi.intake.validation import validate_lead

EMPLOYER = make_credit_code()  # the employer of tests.conftest.lead_payload
OTHER_EMPLOYER = make_credit_code("91530102MA6K2P3R1")


def claimants(seq: int, amounts=("12000.00", "8000.50")) -> list[dict]:
    """Distinct people per case (the same ID number would be a duplicate claim)."""
    return [
        {
            "name": name,
            "id_number": make_id(seq=f"{seq + n:03d}"),
            "groups": ["migrant_worker"],
            "amount_claimed": amount,
            "months_unpaid": 4,
        }
        for n, (name, amount) in enumerate(zip(("王建国", "李秀英", "张伟"), amounts, strict=False))
    ]


def file_lead(user, *, seq: int, code: str = EMPLOYER, name="云南某建筑劳务有限公司", **overrides):
    data = lead_payload(
        claimants=overrides.pop("claimants", None) or claimants(seq),
        respondents=[{"kind": "organisation", "name": name, "credit_code": code}],
        **overrides,
    )
    return intake_services.create_lead(actor=user, data=validate_lead(data))


def open_case(users, *, seq: int, officer="civil1", filer=None, **overrides):
    """A case accepted by ``officer`` (who becomes its officer) from a lead filed by ``filer``."""
    lead = file_lead(users[filer or officer], seq=seq, **overrides)
    return intake_services.accept_lead(lead_id=lead.pk, actor=users[officer])


def joint_action(user, cases, *, paid: str = "10.00", on: str | None = None):
    """A joint interview of EMPLOYER with the human resources bureau about ``cases``, recorded
    by ``user``, ``paid`` on the spot."""
    return employer_services.record_joint_action(
        actor=user,
        data={
            "on": on or timezone.localdate().isoformat(),
            "employer": EMPLOYER,
            "organisations": ["WHHRSS"],
            "case_ids": [c.pk for c in cases],
            "result": "联合约谈",
            "amount_paid_on_site": paid,
        },
    )


@pytest.fixture
def two_cases(users):
    """Two of civil1's cases against EMPLOYER: the first with consent to share, the second
    without (12,000.00 + 8,000.50 claimed in each)."""
    first = open_case(users, seq=100, consent_to_share=True)
    second = open_case(users, seq=200, consent_to_share=False)
    return first, second
