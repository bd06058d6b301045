"""Demo procuratorial suggestions for seed_demo: one in each stage of its life.

Runs through the real services with seed_demo's clock, after the transfers, so approvals,
numbers, reply deadlines, timeline events, notifications and audit rows are what use would make:
one waits for the chief procurator, one is approved and not yet served, one is served with its
reply running, one was answered, and one went unanswered and was escalated. Deterministic: cases
are taken in the order they were opened.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from zhichi.accounts.models import User
from zhichi.cases.models import Case, CaseStatus
from zhichi.cases.services.approvals import decide_approval
from zhichi.supervision import services
from zhichi.supervision.models import Suggestion

# (how far it got, days ago it was drafted, the suggestion's text)
PLAN = [
    (
        "escalated",
        125,
        {
            "to_org_name": "五华区住房和城乡建设局",
            "issue": (
                "办理农民工追索劳动报酬案件中发现，辖区多个在建工程项目未按规定存储工资保证金、"
                "未开设农民工工资专用账户，行业主管部门监管缺位，导致欠薪问题反复发生。"
            ),
            "recommendations": (
                "一、对辖区在建工程项目工资保证金存储和工资专用账户开设情况开展全面排查；"
                "二、对未落实制度的建设单位、施工总承包单位依法责令限期改正；"
                "三、建立欠薪线索与检察机关的信息共享机制。"
            ),
            "legal_basis": "《保障农民工工资支付条例》第二十六条、第三十二条",
        },
    ),
    (
        "replied",
        100,
        {
            "to_org_name": "五华区人力资源和社会保障局",
            "to_org": "WHHRSS",
            "issue": (
                "部分劳动保障监察案件在下达限期改正指令书后，未跟踪用人单位履行情况，"
                "逾期未支付的也未及时移送，致使劳动者权益长期得不到保障。"
            ),
            "recommendations": (
                "一、建立限期改正指令书履行情况跟踪台账；二、对逾期仍不支付的，"
                "依法及时移送公安机关或检察机关；三、定期向检察机关通报处理情况。"
            ),
            "legal_basis": "《劳动保障监察条例》第十八条、第二十六条",
        },
    ),
    (
        "served",
        30,
        {
            "to_org_name": "五华区红云街道办事处",
            "issue": (
                "辖区内劳动争议多发，基层调解组织对欠薪纠纷排查化解不及时，"
                "群体性讨薪风险未能提前预警。"
            ),
            "recommendations": (
                "一、将欠薪纠纷纳入网格化管理，按月排查；二、发现群体性欠薪苗头及时报告"
                "并会同人社部门处置。"
            ),
            "legal_basis": "《中华人民共和国人民调解法》第八条",
        },
    ),
    (
        "approved",
        8,
        {
            "to_org_name": "五华区交通运输局",
            "issue": (
                "交通建设项目分包单位拖欠农民工工资，总承包单位未履行代发工资责任，"
                "主管部门未督促落实。"
            ),
            "recommendations": (
                "一、督促总承包单位落实农民工工资代发制度；二、将拖欠工资情况纳入信用评价。"
            ),
        },
    ),
    (
        "pending",
        2,
        {
            "to_org_name": "五华区财政局",
            "issue": (
                "政府投资项目工程款拨付滞后，施工单位以此为由拖欠农民工工资，影响劳动者合法权益。"
            ),
            "recommendations": (
                "一、对政府投资项目工程款拨付情况开展清查；"
                "二、优先保障人工费用按时足额拨付到农民工工资专用账户。"
            ),
            "legal_basis": "《保障农民工工资支付条例》第二十三条",
        },
    ),
]


def _opened(case: Case) -> datetime:
    return timezone.make_aware(datetime.combine(case.opened_on, datetime.min.time()))


def seed_suggestions(users: dict[str, User], clock, now: datetime) -> int:
    """Draft and move the planned suggestions on civil1's open cases; returns how many."""
    if Suggestion.objects.exists():
        return 0
    officer, chief = users["civil1"], users["chief"]
    cases = list(
        Case.objects.filter(officer=officer, status=CaseStatus.OPEN).order_by("opened_on", "id")
    )
    latest = now - timedelta(minutes=5)
    made = 0
    for reach, days, text in PLAN:
        if not cases:
            break
        case = cases.pop(0)
        drafted = max(now - timedelta(days=days), _opened(case) + timedelta(hours=4))

        def at(offset: timedelta, drafted=drafted) -> datetime:
            moment = min(drafted + offset, latest)
            clock.set(moment)
            return moment

        at(timedelta())
        planned = timezone.localdate(drafted) + timedelta(days=5)
        s = services.draft_suggestion(
            case_id=case.pk,
            actor=officer,
            data={**text, "served_on": planned.isoformat() if reach == "approved" else ""},
        )
        made += 1
        if reach == "pending":
            continue
        at(timedelta(days=1, hours=2))
        decide_approval(approval_id=s.approval_id, actor=chief, approve=True)
        if reach == "approved":
            continue
        # recorded on the day of receipt, which for the one sent by post came two days later
        recorded = at(timedelta(days=5))
        received_on = timezone.localdate(recorded)
        served_on = received_on - timedelta(days=2 if reach == "served" else 0)
        s = services.serve_suggestion(
            suggestion_id=s.pk,
            actor=officer,
            data={
                "served_on": served_on.isoformat(),
                "method": "post" if reach == "served" else "direct",
                "received_on": received_on.isoformat(),
            },
        )
        if reach == "replied":
            replied_at = at(timedelta(days=48))
            s = services.record_reply(
                suggestion_id=s.pk,
                actor=officer,
                data={
                    "replied_on": timezone.localdate(replied_at).isoformat(),
                    "text": (
                        "已建立限期改正指令书履行跟踪台账；对逾期仍不支付的两家用人单位"
                        "已依法移送公安机关，今后每季度向检察机关通报。"
                    ),
                    "adoption": "adopted",
                },
            )
        elif reach == "escalated" and s.reply_due is not None:
            escalated_at = at(timedelta(days=(s.reply_due - served_on).days + 10))
            if s.is_overdue(timezone.localdate(escalated_at)):
                services.escalate_suggestion(
                    suggestion_id=s.pk,
                    actor=chief,
                    data={
                        "escalated_on": timezone.localdate(escalated_at).isoformat(),
                        "to": "competent_authority",
                        "reason": (
                            "回复期限届满未书面回复，经电话督促仍未整改，无正当理由，"
                            "报请其上级主管机关督促落实。"
                        ),
                    },
                )
    return made
