"""Demo judicial assistance and legal aid for seed_demo: applications at each step of the chain,
and the legal aid centre's lawyer on the legal aid transfers that were answered.

Runs through the real services with seed_demo's clock, after the transfers; deterministic (cases
in id order).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from zhichi.accounts.models import User
from zhichi.assistance import services
from zhichi.assistance.models import AssistanceApplication, LegalAidReferral
from zhichi.cases.models import Case, CaseParty, CaseStatus, PartyRole
from zhichi.cases.services.approvals import decide_approval
from zhichi.transfers.models import Transfer, TransferKind, TransferStatus

NONE_APPLY = {
    "serious_fault": False,
    "refused_cooperation": False,
    "false_statements": False,
    "waived_compensation": False,
    "not_caused_by_case": False,
    "already_compensated": False,
}

# (how far it got, days ago the application came in, amount asked, amount proposed, urgent)
PLAN = [
    ("received", 3, "30000.00", None, False),
    ("head_approved", 8, "50000.00", "40000.00", False),
    ("funds_arrived", 20, "20000.00", "20000.00", False),
    ("paid", 45, "36000.00", "30000.00", False),
    ("urgent_waiting", 1, "80000.00", "60000.00", True),
]

HARDSHIP = {
    False: "被拖欠工资{months}个月，家中唯一劳动力，妻子长期患病，两名子女就学，已向亲友借款维持生活，"
    "经多次讨要未果，生活陷入困难。",
    True: "被拖欠工资期间突发工伤，需立即手术，医院要求预交费用，本人及家庭无力支付，"
    "用人单位拒不垫付，情况紧急。",
}

LAWYERS = [
    ("赵明", "云南滇池律师事务所", "13908712345"),
    ("孙丽", "云南春城律师事务所", "13708765432"),
]


def _cases() -> list[Case]:
    used = set(AssistanceApplication.objects.values_list("case_id", flat=True))
    qs = (
        Case.objects.filter(status=CaseStatus.OPEN, category="wages", officer__isnull=False)
        .exclude(pk__in=used)
        .select_related("officer")
        .order_by("id")
    )
    return list(qs)


def _at(day, now: datetime) -> datetime:
    moment = timezone.make_aware(datetime.combine(day, datetime.min.time())) + timedelta(hours=10)
    return min(moment, now - timedelta(minutes=5))


def seed_assistance(users: dict[str, User], clock, now: datetime) -> int:
    """Record and move the planned applications; name lawyers on answered legal aid transfers."""
    made = 0
    cases = _cases()
    for (reach, days, asked, proposed, urgent), case in zip(PLAN, cases, strict=False):
        claimant = CaseParty.objects.filter(case=case, role=PartyRole.CLAIMANT).first()
        if claimant is None:
            continue
        officer = case.officer
        received = max(case.opened_on + timedelta(days=1), (now - timedelta(days=days)).date())
        if received > now.date():
            continue
        clock.set(_at(received, now))
        application = services.record_application(
            case_id=case.pk,
            actor=officer,
            data={
                "applicant_party_id": claimant.party_id,
                "requested_amount": asked,
                "hardship": HARDSHIP[urgent].format(months=claimant.months_unpaid or 3),
                "basis": "civil_tort" if urgent else "other",
                "form": "written",
                "received_on": received.isoformat(),
                "urgent": urgent,
                "urgent_reason": "需立即手术，无法等待正常审批" if urgent else "",
            },
        )
        made += 1
        if reach == "received":
            continue
        step = _at(received + timedelta(days=2), now)
        clock.set(step)
        services.submit_opinion(
            application_id=application.pk,
            actor=officer,
            data={
                "exclusions": NONE_APPLY,
                "verification": "经走访社区居委会、调取医疗费用票据、核实家庭收入，申请人生活确有困难，"
                "且未获得其他补偿或社会救助。",
                "proposal": "grant",
                "proposed_amount": proposed,
                "opinion": "申请人因案件导致生活困难，符合国家司法救助条件，建议予以救助。",
            },
        )
        if reach == "urgent_waiting":
            continue
        chain = [users["civilhead"]] + ([users["chief"]] if reach != "head_approved" else [])
        for approver in chain:
            step = min(step + timedelta(days=1, hours=2), now - timedelta(minutes=4))
            clock.set(step)
            application.refresh_from_db()
            decide_approval(
                approval_id=application.approval_id, actor=approver, approve=True, reason="同意。"
            )
        if reach == "head_approved":
            continue
        step = min(step + timedelta(days=7), now - timedelta(minutes=3))
        clock.set(step)
        services.record_funds(
            application_id=application.pk,
            actor=officer,
            data={"arrived_on": timezone.localdate().isoformat()},
        )
        if reach == "funds_arrived":
            continue
        step = min(step + timedelta(days=1), now - timedelta(minutes=2))
        clock.set(step)
        day = timezone.localdate().isoformat()
        services.record_notice(
            application_id=application.pk,
            actor=officer,
            data={"notified_on": day, "method": "phone"},
        )
        services.record_payment(
            application_id=application.pk,
            actor=officer,
            data={
                "paid_on": day,
                "amount": proposed,
                "method": "bank_transfer",
                "reference": f"JZ{case.pk:06d}",
            },
        )
        step = min(step + timedelta(days=14), now - timedelta(minutes=1))
        clock.set(step)
        services.record_follow_up(
            application_id=application.pk,
            actor=officer,
            data={
                "on": timezone.localdate().isoformat(),
                "note": "回访：救助金已用于家庭生活和子女学费，申请人情绪稳定，表示感谢。",
            },
        )
    made += _lawyers(users, clock, now)
    return made


def _lawyers(users: dict[str, User], clock, now: datetime) -> int:
    """The centre names a lawyer on each answered legal aid transfer; the first also reports."""
    answered = Transfer.objects.filter(
        kind=TransferKind.LEGAL_AID, status=TransferStatus.ANSWERED
    ).order_by("id")
    made = 0
    for i, t in enumerate(answered):
        if LegalAidReferral.objects.filter(transfer=t).exists():
            continue
        name, firm, phone = LAWYERS[i % len(LAWYERS)]
        at = (t.answered_at or now) + timedelta(hours=1)
        clock.set(min(at, now - timedelta(minutes=1)))
        services.assign_lawyer(
            transfer_id=t.pk,
            actor=users["lac1"],
            data={
                "lawyer_name": name,
                "law_firm": firm,
                "lawyer_phone": phone,
                "assigned_on": timezone.localdate().isoformat(),
            },
        )
        if i == 0:
            services.record_legal_aid_outcome(
                transfer_id=t.pk,
                actor=users["lac1"],
                data={
                    "outcome": "representing",
                    "outcome_on": timezone.localdate().isoformat(),
                    "note": "律师已会见申请人，正在准备劳动仲裁申请材料。",
                },
            )
        made += 1
    return made
