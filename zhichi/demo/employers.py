"""Demo joint actions for seed_demo: the labour bureau and the procuratorate at one employer,
money paid on the spot into each case's ledger (through the real service and seed_demo's clock)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from decimal import ROUND_DOWN, Decimal

from zhichi.accounts.models import User
from zhichi.cases.models import Case, CaseStatus, PartyRole
from zhichi.employers.services import record_joint_action

BASIS = "《保障农民工工资支付条例》第四十九条、第五十条"


def seed_joint_actions(users: dict[str, User], clock, now: datetime, limit: int = 2) -> int:
    """Up to ``limit`` joint actions, each at one employer with open wage cases of one officer."""
    groups: dict[tuple[str, int], list[Case]] = defaultdict(list)
    cases = (
        Case.objects.filter(status=CaseStatus.OPEN, category="wages", officer__isnull=False)
        .prefetch_related("parties__party")
        .order_by("id")
    )
    for case in cases:
        for cp in case.parties.all():
            if cp.role == PartyRole.RESPONDENT and cp.party.credit_code:
                groups[(cp.party.credit_code, case.officer_id)].append(case)
    chosen = sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[1][0].pk))[:limit]
    made = 0
    for n, ((code, officer_id), group) in enumerate(chosen):
        group = group[:3]
        owed = sum((c.owed_total for c in group), Decimal("0"))  # kept by the ledger
        if owed <= 0:
            continue
        clock.set(now - timedelta(days=6 + 9 * n))
        record_joint_action(
            actor=User.objects.get(pk=officer_id),
            data={
                "on": clock.now().date().isoformat(),
                "employer": code,
                "organisations": ["WHHRSS"],
                "case_ids": [c.pk for c in group],
                "result": "检察院会同人社局劳动保障监察大队到用人单位现场督促，用人单位当场支付部分"
                "拖欠工资，并书面承诺余款于十五日内付清。",
                # about a third paid on the spot, the rest promised
                "amount_paid_on_site": str(
                    (owed * Decimal("0.3")).quantize(Decimal("1"), rounding=ROUND_DOWN)
                ),
                "legal_basis": BASIS,
            },
        )
        made += 1
    return made
