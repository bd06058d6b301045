"""Cases for the money-ledger tests (issue 13 item 1; C5, C6): three workers owed wages by one
crew boss, whose judgment of ¥39,000 awards each of them their own amount."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from tests.conftest import make_credit_code, make_id
from zhichi.cases.models import Case
from zhichi.cases.services import disposal
from zhichi.intake import services as intake
from zhichi.intake.validation import validate_lead

CLAIMS = ("10000.00", "15000.00", "15000.00")  # ¥40,000 claimed
NAMES = ("王小明", "李大勇", "张秀英")
# what the judgment awards each worker: ¥39,000 in all, not in proportion to the claims
AWARDS = (Decimal("9379.03"), Decimal("14620.97"), Decimal("15000.00"))
# what a proportional split of ¥39,000 would have given them
PRO_RATA = (Decimal("9750.00"), Decimal("14625.00"), Decimal("14625.00"))
TOTAL = Decimal("39000.00")
PAYER = "昆明某劳务分包队"


def day(offset: int = 0) -> str:
    return (timezone.localdate() + timedelta(days=offset)).isoformat()


def three_worker_case(officer, *, seq: int = 610) -> Case:
    """A wage case of three workers of a crew (no arbitration first, rule SP-6), accepted."""
    data = validate_lead(
        {
            "source": "walk_in",
            "received_on": day(-30),
            "category": "wages",
            "summary": "包工头拖欠三名农民工工资",
            "claimants": [
                {
                    "name": name,
                    "id_number": make_id(seq=f"{seq + i}"),
                    "groups": ["migrant_worker"],
                    "amount_claimed": claim,
                    "months_unpaid": 3,
                }
                for i, (name, claim) in enumerate(zip(NAMES, CLAIMS, strict=True))
            ],
            "respondents": [
                {"kind": "organisation", "name": PAYER, "credit_code": make_credit_code()}
            ],
            "voluntary": True,
            "consent_to_share": True,
            "labour_relationship": "contractor_crew",
            "has_iou": False,
        }
    )
    lead = intake.create_lead(actor=officer, data=data)
    return intake.accept_lead(lead_id=lead.pk, actor=officer)


def party_ids(case: Case) -> list[int]:
    return list(
        case.parties.filter(role="claimant").order_by("position").values_list("party_id", flat=True)
    )


def awards(case: Case, amounts=AWARDS) -> list[dict]:
    return [
        {"claimant_party_id": p, "amount": f"{a:.2f}"}
        for p, a in zip(party_ids(case), amounts, strict=True)
    ]


def judge(case: Case, officer, amounts=AWARDS, **extra):
    """The ¥39,000 judgment with each worker's amount."""
    data = {
        "kind": "judgment",
        "on": day(-10),
        "court": "五华区人民法院",
        "amount_awarded": "39000.00",
    }
    if amounts is not None:
        data["awards"] = awards(case, amounts)
    data.update(extra)
    return disposal.record_court_event(case_id=case.pk, actor=officer, data=data)


def pay(case: Case, officer, party_id: int, amount, **extra):
    data = {
        "claimant_party_id": party_id,
        "paid_on": day(-1),
        "amount": f"{Decimal(amount):.2f}",
        "payer": PAYER,
        "method": "银行转账",
    }
    data.update(extra)
    return disposal.record_payment(case_id=case.pk, actor=officer, data=data)
