"""Demo transfers for seed_demo: each agency finds work in its inbox, in every state.

Runs through the real services with seed_demo's clock, after the cases' own lives, so the
transfers, their shares, deadlines, notifications, timeline events and audit rows are what use
would make. Deterministic: cases are taken in id order.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from zhichi.accounts.models import User
from zhichi.cases.criminal_flag import CRIMINAL_FLAGS
from zhichi.cases.models import Case, CaseStatus
from zhichi.cases.services.facts import update_case_facts
from zhichi.intake.models import Lead, LeadStatus
from zhichi.transfers import services

LABOUR_BASIS = "《劳动保障监察条例》第十一条、第二十六条"
AID_BASIS = "《中华人民共和国法律援助法》第三十一条"
MEDIATION_BASIS = "《中华人民共和国人民调解法》第十八条"

# (kind, receiver, legal basis, how far it got, days ago it was sent)
PLAN = [
    ("criminal_lead", ("WHPROC", "criminal"), "", "sent", 2),
    ("criminal_lead", ("WHPROC", "criminal"), "", "accepted", 24),
    ("criminal_lead", ("WHPROC", "criminal"), "", "closed", 70),
    ("labour_inspection", ("WHHRSS", ""), LABOUR_BASIS, "sent", 12),
    ("labour_inspection", ("WHHRSS", ""), LABOUR_BASIS, "answered", 45),
    ("labour_inspection", ("WHHRSS", ""), LABOUR_BASIS, "rejected", 30),
    ("legal_aid", ("WHLAC", ""), AID_BASIS, "received", 5),
    ("legal_aid", ("WHLAC", ""), AID_BASIS, "answered", 40),
    ("mediation", ("WHMED", ""), MEDIATION_BASIS, "sent", 3),
]

ANSWERS = {
    "criminal_lead": ("filed", "经审查，已将线索移送公安机关并开展立案监督，公安机关已立案侦查。"),
    "labour_inspection": (
        "order_issued",
        "已对用人单位下达《劳动保障监察限期改正指令书》，限十五日内支付拖欠工资。",
    ),
    "legal_aid": ("lawyer_assigned", "已指派云南某律师事务所律师为申请人提供法律援助。"),
}


def _cases(flagged: bool) -> list[Case]:
    qs = Case.objects.filter(status=CaseStatus.OPEN, category="wages").select_related("officer")
    rows = [c for c in qs.order_by("id") if c.officer_id]
    # a case the criminal-lead check pointed at: a candidate, or one waiting for the province's
    # figures (issue 13, item 4 told the two apart; the demo sends leads from both, as before)
    return [c for c in rows if bool(CRIMINAL_FLAGS & set(c.flags or [])) == flagged]


def seed_transfers(users: dict[str, User], clock, now: datetime) -> int:
    """Send and move the planned transfers; returns how many were made."""
    flagged, others = _cases(True), _cases(False)
    made = 0
    for kind, (org, dept), basis, reach, days in PLAN:
        pool = flagged if kind in {"criminal_lead", "labour_inspection"} and flagged else others
        if not pool:
            continue
        case = pool.pop(0)
        officer = case.officer
        sent_at = max(now - timedelta(days=days), _opened(case) + timedelta(hours=3))
        clock.set(sent_at)
        t = services.send_transfer(
            actor=officer,
            data={
                "to_org": org,
                "to_department": dept,
                "kind": kind,
                "reason": _reason(kind, case),
                "legal_basis": basis if not case.consent_to_share else "",
            },
            case_id=case.pk,
        )
        made += 1
        receiver = _receiver(users, org)
        step = sent_at
        for action in _path(reach):
            step = step + timedelta(days=2, hours=1)
            clock.set(min(step, now - timedelta(minutes=5)))
            if action == "receive":
                services.receive_transfer(transfer_id=t.pk, actor=receiver)
            elif action == "accept":
                services.accept_transfer(transfer_id=t.pk, actor=receiver)
            elif action == "reject":
                services.reject_transfer(
                    transfer_id=t.pk,
                    actor=receiver,
                    data={
                        "reason": "该用人单位注册地不在本区，已告知向注册地劳动保障监察机构反映。"
                    },
                )
            elif action == "answer":
                result, text = ANSWERS[kind]
                services.answer_transfer(
                    transfer_id=t.pk, actor=receiver, data={"text": text, "result": result}
                )
                if kind == "labour_inspection":
                    _order_to_pay(case, officer, clock.now())
            elif action == "close":
                services.close_transfer(
                    transfer_id=t.pk, actor=officer, data={"note": "已收到反馈，归档。"}
                )
    made += _lead_to_legal_aid(users, clock, now)
    return made


def _opened(case: Case) -> datetime:
    return timezone.make_aware(datetime.combine(case.opened_on, datetime.min.time()))


def _path(reach: str) -> list[str]:
    return {
        "sent": [],
        "received": ["receive"],
        "accepted": ["receive", "accept"],
        "rejected": ["receive", "reject"],
        "answered": ["receive", "accept", "answer"],
        "closed": ["receive", "accept", "answer", "close"],
    }[reach]


def _receiver(users: dict[str, User], org: str) -> User:
    return {
        "WHPROC": users["criminal1"],
        "WHHRSS": users["hrss1"],
        "WHLAC": users["lac1"],
        "WHMED": users.get("med1") or users["chief"],
    }[org]


def _reason(kind: str, case: Case) -> str:
    return {
        "criminal_lead": f"{case.number}：用人单位拖欠劳动报酬数额较大，经责令支付仍不支付，涉嫌拒不支付劳动报酬罪，移送审查。",
        "labour_inspection": f"{case.number}：请依法责令用人单位限期支付拖欠的劳动报酬，并反馈处理结果。",
        "legal_aid": f"{case.number}：申请人经济困难，请指派律师提供法律援助。",
        "mediation": f"{case.number}：双方同意调解，请组织人民调解并反馈结果。",
    }[kind]


def _order_to_pay(case: Case, officer: User, at: datetime) -> None:
    """Labour inspection's order to pay becomes a fact of the case: the criminal-lead check
    runs again (rule CR-5)."""
    case.refresh_from_db()
    issued = timezone.localdate(at)
    update_case_facts(
        case_id=case.pk,
        actor=officer,
        data={
            "payment_order": {
                "authority": "五华区人力资源和社会保障局",
                "issued_on": issued.isoformat(),
                "deadline": (issued + timedelta(days=15)).isoformat(),
            },
        },
        version=case.version,
    )


def _lead_to_legal_aid(users: dict[str, User], clock, now: datetime) -> int:
    """Civil intake asks legal aid for a lawyer before deciding a new lead (a lead transfer)."""
    lead = (
        Lead.objects.filter(status=LeadStatus.NEW, organisation__code="WHPROC")
        .order_by("created_at", "id")
        .first()
    )
    if lead is None:
        return 0
    clock.set(max(now - timedelta(days=4), lead.created_at + timedelta(hours=2)))
    services.send_transfer(
        actor=users["civil1"],
        data={
            "to_org": "WHLAC",
            "kind": "legal_aid",
            "reason": "申请人经济困难，起诉前需要律师代理，请指派法律援助律师后反馈。",
            "legal_basis": "" if lead.consent_to_share else AID_BASIS,
        },
        lead_id=lead.pk,
    )
    return 1
