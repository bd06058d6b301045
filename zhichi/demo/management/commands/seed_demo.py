"""Demo data: the Wuhua organisations, one user per role, and a year of leads and cases.

Everything goes through the real services: intake (``validate_lead``, ``create_lead``,
``accept_lead``, ``decline_lead``), stage moves (``move_stage``) and hierarchical disposal
(``record_mediation``, ``propose_support_decision`` and the head's ``decide_approval``,
``record_court_event``, ``record_payment``, ``record_visit``, ``close_case``), so numbering,
encryption, the guards, the ledger, the derived deadlines, the timeline and the audit trail are
exercised exactly as in use.

The services read the clock for "today" and refuse dates after it; to give a year of history
rather than a year of work all done this afternoon, each step runs with the clock set to the
moment it is supposed to have happened, oldest first (``zhichi.common.clock.SimulatedClock``). Each accepted case gets a
life planned up front (``plan_leads``, pure): older cases are further along, every stage is
populated, money only ever comes from recorded payments, and the closing outcome agrees with the
ledger. The command is idempotent (organisations and users are matched by code and username and
repaired; leads are only generated when no demo user has filed one yet) and deterministic (one
``random.Random``).
"""

from __future__ import annotations

import random
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_DOWN, Decimal

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from zhichi.accounts.models import Department, Organisation, OrgKind, Role, User
from zhichi.audit.services import record
from zhichi.cases import ledger as ledger_mod
from zhichi.cases.models import (
    Approval,
    ApprovalStatus,
    Case,
    CaseDeadline,
    CaseStatus,
    CourtEvent,
    DeadlineStatus,
    Mediation,
    MediationOutcome,
    Payment,
    Stage,
    Visit,
    VisitTarget,
)
from zhichi.cases.services import move_stage
from zhichi.cases.services.approvals import decide_approval
from zhichi.cases.services.derived import deadline_state
from zhichi.cases.services.disposal import (
    close_case,
    propose_support_decision,
    record_court_event,
    record_mediation,
    record_payment,
    record_visit,
)
from zhichi.common import changes as edits
from zhichi.common.clock import SimulatedClock
from zhichi.core.identifiers import credit_check_char, id_check_char, org_check_char
from zhichi.core.routing import arbitration_first
from zhichi.demo.assistance import seed_assistance
from zhichi.demo.employers import seed_joint_actions
from zhichi.demo.imports import seed_import
from zhichi.demo.portal import seed_portal
from zhichi.demo.supervision import seed_suggestions
from zhichi.demo.transfers import seed_transfers
from zhichi.demo.vocabulary import (
    CATEGORY_WEIGHTS,
    DISTRICT,
    EVASIONS,
    HOME_PLACES,
    HRSS_NAME,
    ORG_CODE_CHARS,
    SOURCES,
    SURNAMES,
)
from zhichi.demo.vocabulary import (
    names_phrase as _names,
)
from zhichi.employers.models import JointAction
from zhichi.intake.models import Lead, LeadStatus
from zhichi.intake.services import accept_lead, create_lead, decline_lead
from zhichi.intake.validation import validate_lead
from zhichi.portal.models import Filing
from zhichi.transfers.models import Transfer

SEED = 20261128
DEMO_PASSWORD = "zhichi-demo"  # noqa: S105 - the documented demo password (API.md)
DEFAULT_LEADS = 120
PROVINCE = "53"

# --- organisations and users (API.md "Demo data", binding) ---------------------------------

ORGANISATIONS: list[dict] = [
    {
        "code": "WHPROC",
        "name": "五华区人民检察院",
        "short_name": "五华检",
        "kind": OrgKind.PROCURATORATE,
        "departments": [
            ("civil", "民事检察部"),
            ("criminal", "刑事检察部"),
            ("registry", "案件管理部"),
        ],
    },
    {
        "code": "WHHRSS",
        "name": HRSS_NAME,
        "short_name": "五华人社",
        "kind": OrgKind.LABOUR_BUREAU,
    },
    {
        "code": "WHWF",
        "name": "五华区妇女联合会",
        "short_name": "五华妇联",
        "kind": OrgKind.WOMENS_FEDERATION,
    },
    {
        "code": "WHLAC",
        "name": "五华区法律援助中心",
        "short_name": "五华法援",
        "kind": OrgKind.LEGAL_AID,
    },
    {"code": "WHCOURT", "name": "五华区人民法院", "short_name": "五华法院", "kind": OrgKind.COURT},
    {
        "code": "WHMED",
        "name": "五华区人民调解委员会",
        "short_name": "五华调委",
        "kind": OrgKind.MEDIATION,
    },
]

# username, role, organisation code, department code, name
USERS: list[tuple[str, str, str, str | None, str]] = [
    ("civil1", Role.OFFICER, "WHPROC", "civil", "李明"),
    ("civil2", Role.OFFICER, "WHPROC", "civil", "王芳"),
    ("civilhead", Role.HEAD, "WHPROC", "civil", "张建华"),
    ("criminal1", Role.OFFICER, "WHPROC", "criminal", "刘洋"),
    ("chief", Role.CHIEF, "WHPROC", None, "陈国强"),
    ("registrar1", Role.REGISTRAR, "WHPROC", "registry", "杨丽"),
    ("hrss1", Role.PARTNER, "WHHRSS", None, "赵磊"),
    ("wf1", Role.PARTNER, "WHWF", None, "周敏"),
    ("lac1", Role.PARTNER, "WHLAC", None, "吴静"),
    ("court1", Role.PARTNER, "WHCOURT", None, "孙伟"),
    ("sysadmin", Role.SYSADMIN, "WHPROC", None, "徐涛"),
    ("secadmin", Role.SECADMIN, "WHPROC", None, "马琳"),
    ("auditor", Role.AUDITOR, "WHPROC", None, "朱红"),
]
DEMO_USERNAMES = [u[0] for u in USERS]

# --- vocabulary for generated people and firms ---------------------------------------------


def _words(text: str) -> list[str]:
    return text.split()


GIVEN = {
    # (generation, sex) -> given names
    ("old", "m"): _words("建国 德明 国华 永福 志强 春生 树林 家富 有才 正荣"),
    ("old", "f"): _words("秀英 桂英 玉兰 淑珍 凤英 秀兰 桂芳 翠花 美华 玉珍"),
    ("mid", "m"): _words(
        "伟 强 磊 军 勇 杰 涛 斌 超 刚 海涛 文斌 永刚 建军 志勇 国庆 红军 小龙 云飞 发贵"
    ),
    ("mid", "f"): _words(
        "芳 娜 敏 静 丽 艳 娟 霞 春梅 海燕 雪梅 丽华 晓燕 红梅 美玲 小英 金花 丽萍 云仙 桂香"
    ),
    ("young", "m"): _words("子轩 浩然 宇航 梓豪 俊杰 一鸣 思远 明轩 博文 天佑"),
    ("young", "f"): _words("欣怡 梓涵 雨桐 诗琪 可馨 语嫣 思琪 紫萱 佳怡 若曦"),
}
ID_REGIONS = _words("530102 530103 530111 530112 530113 530381 532128 533001 532301")
STREETS = _words(
    "西昌路 人民西路 龙泉路 学府路 滇缅大道 黑林铺 普吉路 沙朗大道 "
    "红云路 莲华街道 丰宁街道 护国路 潘家湾 小康大道 昆瑞路"
)
VILLAGES = _words("村委会 社区 村民小组")
FIRM_WORDS = _words(
    "鑫达 恒通 宏远 滇峰 春城 金马 碧鸡 翠湖 盘龙 华宇 聚源 "
    "兴隆 荣昌 世纪 锦华 祥瑞 盛安 永安 佳和 云岭 腾冲 昆钢 "
    "七彩 远洋 鼎盛 汇丰源 金碧 弘毅 安宁 顺泰"
)
SECTORS = {
    "construction": {
        "suffixes": _words("建筑工程有限公司 建设工程有限公司 建筑劳务有限公司 市政工程有限公司"),
        "places": _words(
            "小区二期项目工地 商业综合体项目工地 安置房项目工地 "
            "棚户区改造项目工地 学校教学楼项目工地 道路提升改造工程"
        ),
        "jobs": _words("钢筋工 木工 泥瓦工 架子工 水电工 小工"),
    },
    "restaurant": {
        "suffixes": _words("餐饮管理有限公司 餐饮服务有限公司 酒店管理有限公司"),
        "places": _words("西昌路店 大观店 篆新农贸市场店 滇池路店 翠湖店"),
        "jobs": _words("厨师 服务员 洗碗工 配菜员 传菜员"),
    },
    "factory": {
        "suffixes": _words(
            "食品有限公司 服装有限公司 包装制品有限公司 电子科技有限公司 印刷有限公司"
        ),
        "places": _words("普吉厂区 海口工业园厂区 沙朗厂区 高新区车间"),
        "jobs": _words("流水线工人 包装工 搬运工 缝纫工 质检员"),
    },
    "property": {
        "suffixes": _words("物业服务有限公司 物业管理有限公司 房屋租赁有限公司"),
        "places": _words("公租房小区 安置房小区"),
        "jobs": _words("保洁员 保安"),
    },
}

# --- the case workflow ---------------------------------------------------------------------

# the share of accepted cases (oldest first) that have reached each stage by today
STAGE_SHARES = [
    (Stage.CLOSED, 0.35),
    (Stage.POST_LITIGATION, 0.15),
    (Stage.LITIGATION, 0.18),
    (Stage.PRE_LITIGATION, 0.17),
    (Stage.REVIEW, 0.15),
]
# how closed cases ended: (route, weight); money routes only for cases with an amount claimed
CLOSED_MONEY_ROUTES = [
    ("judgment_full", 5),
    ("judgment_part", 2),
    ("judgment_none", 1),
    ("agreement_full", 5),
    ("agreement_part", 1),
    ("paid_early", 1),
    ("withdrawn", 1),
    ("litigation_withdrawn", 1),
]
CLOSED_OTHER_ROUTES = [("decided", 5), ("withdrawn", 1)]
NON_MONETARY = ("domestic_violence", "guardianship")  # nothing to recover: no agreement either

COURT = "五华区人民法院"
ARBITRATION_COMMISSION = "五华区劳动人事争议仲裁委员会"
ENFORCEMENT_PAYER = "五华区人民法院执行局（执行款）"
MEDIATORS = {
    "wages": ["五华区人民调解委员会", "五华区劳动人事争议调解中心", "五华区人民法院诉前调解中心"],
    "work_injury": ["五华区劳动人事争议调解中心", "五华区人民调解委员会"],
    "support_payment": [
        "五华区妇女联合会婚姻家庭纠纷调解委员会",
        "莲华街道人民调解委员会",
        "丰宁街道人民调解委员会",
    ],
    "personal_injury": ["五华区道路交通事故纠纷人民调解委员会", "五华区人民法院诉前调解中心"],
    "other": ["五华区人民调解委员会", "护国街道人民调解委员会"],
}
MOVE_REASONS = {
    ("review", "pre_litigation"): [
        "经审查，申请人系弱势群体，符合支持起诉条件，先行开展诉前调解。",
        "审查终结，决定受理，启动诉前化解程序。",
    ],
    ("review", "litigation"): [
        "经审查符合支持起诉条件，被申请人明确拒绝调解，支持起诉决定已获批准。",
    ],
    ("review", "litigation", "urgent"): [
        "情况紧急，不宜调解，支持起诉决定已获批准，协助申请人向法院提出申请。",
    ],
    ("pre_litigation", "litigation"): [
        "诉前调解未能达成协议，支持起诉决定已获批准，向五华区人民法院提交支持起诉意见书。",
        "被申请人拒不履行调解义务，经部门负责人批准支持起诉。",
    ],
    ("pre_litigation", "litigation", "award"): [
        "劳动仲裁裁决后被申请人仍拒不履行，支持起诉决定已获批准，转入诉讼。",
    ],
    ("pre_litigation", "post_litigation"): [
        "诉前调解达成协议，转入履行跟踪和回访。",
        "双方达成分期支付协议，跟踪履行情况。",
    ],
    ("litigation", "post_litigation"): [
        "法院判决已生效，转入履行跟踪和回访。",
        "判决书已送达，上诉期届满未上诉，跟踪执行情况。",
    ],
    ("litigation", "post_litigation", "ruling"): [
        "法院已作出人身安全保护令，转入跟踪回访。",
    ],
}
DECLINES = {
    "arbitration": "双方存在劳动关系且无工资欠条，依法应先申请劳动人事争议仲裁，已告知仲裁途径。",
    "labour_inspection": "欠薪事实尚需劳动保障监察调查核实，已移交五华区人社局劳动保障监察大队处理。",
    "legal_aid": "申请人不属于支持起诉对象，但经济困难，已引导其向五华区法律援助中心申请法律援助。",
    "self_suit": "申请人具备自行诉讼能力，不符合支持起诉条件，已告知其可自行向人民法院起诉。",
}
SUPPORT_REASONS = {
    "wages": "申请人系农民工，被拖欠劳动报酬共计{total}元，{how}，自行诉讼能力不足，"
    "符合支持起诉条件，拟制发支持起诉意见书。",
    "work_injury": "申请人务工期间受伤致残，用人单位拒不支付工伤保险待遇{total}元，{how}，"
    "申请人经济困难、举证能力弱，符合支持起诉条件。",
    "support_payment": "义务人拒不履行赡养（抚养）义务，申请人生活困难、无力自行起诉，"
    "请求给付{total}元，{how}，符合支持起诉条件。",
    "personal_injury": "申请人受伤后经济困难，对方拒不赔偿{total}元，{how}，符合支持起诉条件。",
    "other": "申请人系困难群众，请求返还{total}元，{how}，无力自行诉讼，符合支持起诉条件。",
    "domestic_violence": "申请人长期遭受家庭暴力，取证困难，亟需申请人身安全保护令，"
    "符合支持起诉条件。",
    "guardianship": "被监护人合法权益受到侵害且无人依法履行监护职责，符合支持提起"
    "撤销监护人资格（指定监护人）申请的条件。",
}
SUPPORT_HOW = {
    "failed": "经诉前调解未果",
    "direct": "被申请人明确拒绝调解",
    "award": "经劳动仲裁裁决后被申请人仍拒不履行",
}
REJECT_REASONS = [
    "证据材料尚不完整，请补充劳动关系证明及欠款数额计算依据后重新报批。",
    "请补充申请人经济困难证明和调解过程材料后重新报批。",
    "支持起诉意见书对诉讼请求的表述不准确，请修改后重新报批。",
]
APPROVE_REASONS = ["同意支持起诉。", "同意，请尽快制发支持起诉意见书。", "同意。注意跟进庭审情况。"]
NOT_SUPPORT_REASONS = [
    "申请人已委托律师代理诉讼，具备自行诉讼能力，不符合支持起诉条件。",
    "经审查，争议系一般民事纠纷，申请人不属于支持起诉对象，建议自行起诉。",
]
NOT_SUPPORT_APPROVAL = "同意不支持起诉意见，做好释法说理工作。"
MEDIATION_NOTES = {
    "failed": [
        "被申请人经通知未到场，调解未能进行。",
        "双方对欠付金额分歧较大，调解未果。",
        "被申请人称资金困难，仅同意支付少部分，申请人不同意，调解失败。",
    ],
    "adjourned": [
        "被申请人要求核对考勤记录及工资表，调解延期。",
        "被申请人负责人未到场，委托代理人无权处理，调解延期。",
    ],
}
PAY_METHODS = ["银行转账", "银行转账", "微信转账", "现金"]
CLOSING_NOTES = {
    "judgment_full": "被申请人已按判决全额支付，申请人确认款项到位，案件办结。",
    "agreement_full": "调解协议约定款项已全部履行完毕，申请人确认收到，案件办结。",
    "paid_early": "经检察机关督促，被申请人已全额支付拖欠款项，申请人确认收到，案件办结。",
    "judgment_part": "经强制执行追回部分款项，被申请人名下暂无其他可供执行财产，"
    "法院裁定终结本次执行程序，案件办结。",
    "agreement_part": "被申请人仅履行部分调解协议后下落不明，已告知申请人可申请司法确认后"
    "强制执行，案件办结。",
    "judgment_none": "被申请人下落不明且无可供执行财产，法院裁定终结本次执行程序，未能追回款项；"
    "已协助申请人申请司法救助。",
    "withdrawn": "申请人撤回支持起诉申请，案件办结。",
    "litigation_withdrawn": "双方庭外和解，申请人撤回起诉，案件办结。",
    "not_support": "经审查不符合支持起诉条件，已告知申请人自行起诉途径，申请人撤回申请，案件办结。",
    "domestic_violence": "法院已作出人身安全保护令，后续帮扶移交五华区妇女联合会跟进，案件办结。",
    "guardianship": "法院已依法指定监护人，后续监护情况移交民政部门跟进，案件办结。",
}


# --- generated data ------------------------------------------------------------------------


@dataclass
class Step:
    """One thing done on a case at ``at`` (an aware datetime), in the shape the services take.

    ``kind`` is move | mediation | propose | decide | court | pay | visit | close. Amounts that
    depend on the ledger (payments) are worked out from the ledger when the step runs.
    """

    at: datetime
    kind: str
    data: dict = field(default_factory=dict)


@dataclass
class PlannedLead:
    """One lead to file, and what happens to it afterwards (times are aware datetimes)."""

    actor: str
    data: dict
    created_at: datetime
    decision: str = "new"  # new | accept | decline
    decided_by: str = ""
    officer: str = ""
    decided_at: datetime | None = None
    redirect: str = ""
    target: str = ""  # the stage an accepted case has reached by today
    steps: list[Step] = field(default_factory=list)


class Generator:
    """Deterministic people, firms and leads from one ``random.Random``."""

    def __init__(self, rng: random.Random, today: date):
        self.rng = rng
        self.today = today
        self.used_ids: set[str] = set()
        self.used_firms: set[str] = set()
        self.used_credit: set[str] = set()

    # people
    def name(self, generation: str, sex: str) -> str:
        return self.rng.choice(SURNAMES) + self.rng.choice(GIVEN[(generation, sex)])

    def id_number(self, first_year: int, last_year: int, sex: str) -> str:
        rng = self.rng
        while True:
            born = date(first_year, 1, 1) + timedelta(
                days=rng.randint(0, (date(last_year, 12, 31) - date(first_year, 1, 1)).days)
            )
            seq = rng.randint(0, 99)
            sex_digit = rng.choice("13579" if sex == "m" else "02468")
            first17 = f"{rng.choice(ID_REGIONS)}{born:%Y%m%d}{seq:02d}{sex_digit}"
            number = first17 + id_check_char(first17)
            if number not in self.used_ids:
                self.used_ids.add(number)
                return number

    def phone(self) -> str:
        return f"1{self.rng.randint(3, 9)}{self.rng.randint(0, 999_999_999):09d}"

    def address(self, id_number: str) -> str:
        place = HOME_PLACES.get(id_number[:6], "昆明市五华区")
        if id_number[:6] in ("530102", "530103", "530111", "530112"):
            return f"{place}{self.rng.choice(STREETS)}{self.rng.randint(1, 399)}号"
        return f"{place}{self.rng.choice(SURNAMES)}家{self.rng.choice(VILLAGES)}"

    def person(
        self,
        generation: str,
        years: tuple[int, int],
        *,
        sex: str | None = None,
        phone: bool = True,
        groups: list[str] | None = None,
        basis: list[str] | None = None,
    ) -> dict:
        sex = sex or self.rng.choice("mf")
        number = self.id_number(*years, sex)
        person = {
            "name": self.name(generation, sex),
            "id_number": number,
            "address": self.address(number),
            "groups": groups or [],
            "vulnerability_basis": basis or [],
        }
        if phone:
            person["phone"] = self.phone()
        return person

    def worker(self) -> dict:
        rng = self.rng
        sex = "m" if rng.random() < 0.75 else "f"
        groups = ["migrant_worker"] + (["woman"] if sex == "f" and rng.random() < 0.5 else [])
        if rng.random() < 0.1:
            groups.append("low_income")
        basis = rng.sample(
            ["economic_hardship", "no_legal_knowledge", "evidence_difficulty"],
            rng.choice([1, 1, 2]),
        )
        return self.person(
            "mid", (1965, 2000), sex=sex, phone=rng.random() < 0.85, groups=groups, basis=basis
        )

    def money(self, low: int, high: int) -> str:
        if self.rng.random() < 0.7:
            return f"{self.rng.randint(low // 10, high // 10) * 10}.00"
        return f"{self.rng.randint(low * 100, high * 100) / 100:.2f}"

    # firms
    def credit_code(self) -> str:
        rng = self.rng
        while True:
            body = "".join(rng.choice(ORG_CODE_CHARS) for _ in range(8))
            org9 = body + org_check_char(body)
            first17 = f"91{DISTRICT}{org9}"
            code = first17 + credit_check_char(first17)
            if code not in self.used_credit:
                self.used_credit.add(code)
                return code

    def firm(self, sector: str) -> dict:
        info = SECTORS[sector]
        while True:
            prefix = "昆明" if self.rng.random() < 0.6 else "云南"
            name = f"{prefix}{self.rng.choice(FIRM_WORDS)}{self.rng.choice(info['suffixes'])}"
            if name not in self.used_firms:
                self.used_firms.add(name)
                break
        return {
            "kind": "organisation",
            "name": name,
            "credit_code": self.credit_code(),
            "address": f"昆明市五华区{self.rng.choice(STREETS)}{self.rng.randint(1, 999)}号",
            "sector": sector,
        }


def _claimant_count(rng: random.Random) -> int:
    roll = rng.random()
    if roll < 0.6:
        return rng.randint(1, 4)
    if roll < 0.85:
        return rng.randint(5, 12)
    return rng.randint(13, 30)


def _wage_lead(g: Generator, received: date, firm: dict, shared: dict | None) -> dict:
    rng = g.rng
    sector = firm["sector"]
    info = SECTORS[sector]
    count = _claimant_count(rng)
    claimants = [g.worker() for _ in range(count)]
    if shared is not None:
        claimants[0] = dict(shared)
    months = rng.randint(1, 12)
    for c in claimants:
        c["amount_claimed"] = g.money(3000, 60000)
        c["months_unpaid"] = max(1, min(12, months + rng.randint(-1, 1)))
    total = sum(float(c["amount_claimed"]) for c in claimants)
    respondents = [{k: v for k, v in firm.items() if k != "sector"}]
    relationship = rng.choices(
        ["employee", "contractor_crew", "unknown", "none"], weights=[45, 35, 15, 5]
    )[0]
    if sector != "construction" and relationship == "contractor_crew":
        relationship = "employee"
    place = f"{firm['name']}{rng.choice(info['places'])}"
    job = rng.choice(info["jobs"])
    who = _names(claimants)
    start = received - timedelta(days=30 * months + rng.randint(0, 20))
    summary = (
        f"{who}自{start.year}年{start.month}月起在{place}从事{job}工作，"
        f"被拖欠工资{months}个月，共计{total:,.2f}元，多次讨要未果。"
    )
    if relationship == "contractor_crew" or (sector == "construction" and rng.random() < 0.3):
        boss = g.person("mid", (1965, 1990), sex="m", phone=False)
        respondents.append(
            {
                "kind": "person",
                "name": boss["name"],
                "id_number": boss["id_number"],
                "address": boss["address"],
            }
        )
        summary += f"工人由包工头{boss['name']}招用，工程款已结算，但其未向工人发放工资。"
    has_iou = rng.random() < 0.25
    if has_iou:
        summary += "申请人持有用工方出具的工资欠条。"
    data = {
        "category": "wages",
        "summary": summary,
        "claimants": claimants,
        "respondents": respondents,
        "labour_relationship": relationship,
        "has_iou": has_iou,
    }
    signals = ["construction"] if sector == "construction" else []  # rule EW-3
    if rng.random() < 0.3:
        issued = received - timedelta(days=rng.randint(20, 90))
        deadline = issued + timedelta(days=15)
        data["payment_order"] = {
            "authority": HRSS_NAME,
            "issued_on": issued.isoformat(),
            "deadline": deadline.isoformat(),
        }
        data["summary"] += (
            f"{HRSS_NAME}已于{issued.month}月{issued.day}日责令限期支付，"
            f"至{deadline.month}月{deadline.day}日期限届满仍未支付。"
        )
        if rng.random() < 0.6:
            data["evasion"] = rng.choice(EVASIONS)
            data["summary"] += "用人单位负责人存在逃匿、转移财产等逃避支付行为。"
            if count >= 10:  # rule EW-1 (ii)
                signals.append("mass_incident")
                data["summary"] += "期限届满后，工人因讨薪聚集堵路，造成恶劣社会影响。"
    if count >= 10:
        data["summary"] += "涉及人数较多，工人情绪激动。"
    data["signals"] = signals
    return data


def _support_lead(g: Generator, received: date) -> dict:
    rng = g.rng
    if rng.random() < 0.6:  # elderly parents and their children
        parent = g.person("old", (1940, 1960), groups=["elderly"], basis=["age_or_health"])
        if rng.random() < 0.4:
            parent["vulnerability_basis"].append("economic_hardship")
        parent["amount_claimed"] = g.money(6000, 36000)
        children = [g.person("mid", (1965, 1990), phone=False) for _ in range(rng.randint(1, 3))]
        age = received.year - int(parent["id_number"][6:10])
        summary = (
            f"{parent['name']}现年{age}岁，年老多病，无固定收入，其子女{_names(children)}"
            f"长期未尽赡养义务，拒绝支付赡养费，申请人无力自行起诉。"
        )
        claimants = [parent]
    else:  # a child's maintenance, claimed through the mother
        child = g.person(
            "young",
            (2010, 2018),
            phone=False,
            groups=["minor"],
            basis=["age_or_health", "economic_hardship"],
        )
        months = rng.randint(3, 24)
        child["amount_claimed"] = g.money(6000, 36000)
        child["months_unpaid"] = months
        mother = g.name("mid", "f")
        father = g.person("mid", (1975, 1992), sex="m", phone=False)
        children = [father]
        summary = (
            f"未成年人{child['name']}随母亲{mother}生活，其父{father['name']}离婚后"
            f"拒不支付抚养费已{months}个月，母亲收入微薄，生活困难。"
        )
        claimants = [child]
    respondents = [
        {"kind": "person", "name": c["name"], "id_number": c["id_number"], "address": c["address"]}
        for c in children
    ]
    return {
        "category": "support_payment",
        "summary": summary,
        "claimants": claimants,
        "respondents": respondents,
        "labour_relationship": "none",
    }


def _violence_lead(g: Generator, received: date) -> dict:
    rng = g.rng
    woman = g.person(
        "mid",
        (1970, 2000),
        sex="f",
        groups=["woman"],
        basis=rng.sample(["evidence_difficulty", "economic_hardship"], rng.randint(1, 2)),
    )
    if rng.random() < 0.3:
        woman["groups"].append("low_income")
    husband = g.person("mid", (1965, 1998), sex="m", phone=False)
    times = rng.randint(2, 6)
    summary = (
        f"{woman['name']}婚后长期遭受丈夫{husband['name']}殴打、威胁，曾{times}次报警，"
        f"公安机关出具告诫书后仍未改正，申请人身安全保护令并请求离婚损害赔偿，取证困难。"
    )
    return {
        "category": "domestic_violence",
        "summary": summary,
        "claimants": [woman],
        "respondents": [
            {
                "kind": "person",
                "name": husband["name"],
                "id_number": husband["id_number"],
                "address": husband["address"],
            }
        ],
        "labour_relationship": "none",
    }


def _injury_lead(g: Generator, received: date, *, work: bool) -> dict:
    rng = g.rng
    if work:
        worker = g.worker()
        if rng.random() < 0.5:
            worker["groups"].append("disabled")
            worker["vulnerability_basis"].append("age_or_health")
        worker["amount_claimed"] = g.money(30000, 180000)
        firm = g.firm(rng.choice(["construction", "factory"]))
        grade = rng.randint(7, 10)
        summary = (
            f"{worker['name']}在{firm['name']}务工期间因安全防护缺失受伤，经鉴定为{grade}级伤残，"
            f"单位未缴纳工伤保险且拒绝支付工伤待遇。"
        )
        return {
            "category": "work_injury",
            "summary": summary,
            "claimants": [worker],
            "respondents": [{k: v for k, v in firm.items() if k != "sector"}],
            "labour_relationship": "employee",
        }
    old = rng.random() < 0.5
    victim = (
        g.person("old", (1940, 1960), groups=["elderly"], basis=["age_or_health"])
        if old
        else g.person("mid", (1965, 2000), groups=["low_income"], basis=["economic_hardship"])
    )
    victim["amount_claimed"] = g.money(5000, 80000)
    other = g.person("mid", (1970, 2000), sex="m", phone=False)
    summary = (
        f"{victim['name']}在{rng.choice(STREETS)}路口被{other['name']}驾驶的电动车撞伤，"
        f"住院治疗{rng.randint(7, 45)}天，对方仅垫付部分医疗费后拒绝赔偿。"
    )
    return {
        "category": "personal_injury",
        "summary": summary,
        "claimants": [victim],
        "respondents": [
            {
                "kind": "person",
                "name": other["name"],
                "id_number": other["id_number"],
                "address": other["address"],
            }
        ],
        "labour_relationship": "none",
    }


def _guardianship_lead(g: Generator, received: date) -> dict:
    rng = g.rng
    if rng.random() < 0.5:
        child = g.person(
            "young", (2010, 2018), phone=False, groups=["minor"], basis=["age_or_health"]
        )
        parent = g.person("mid", (1975, 1992), phone=False)
        summary = (
            f"未成年人{child['name']}父母长期外出务工、下落不明，现由年迈祖母照看，"
            f"其父（母）{parent['name']}怠于履行监护职责，申请撤销监护人资格并另行指定监护人。"
        )
        return {
            "category": "guardianship",
            "summary": summary,
            "claimants": [child],
            "respondents": [
                {
                    "kind": "person",
                    "name": parent["name"],
                    "id_number": parent["id_number"],
                    "address": parent["address"],
                }
            ],
            "labour_relationship": "none",
        }
    elder = g.person(
        "old", (1940, 1955), phone=False, groups=["elderly", "disabled"], basis=["age_or_health"]
    )
    summary = (
        f"{elder['name']}患阿尔茨海默病，无配偶子女，长期独居，社区申请认定其为无民事行为能力人"
        f"并指定监护人。"
    )
    return {
        "category": "guardianship",
        "summary": summary,
        "claimants": [elder],
        "respondents": [],
        "labour_relationship": "none",
    }


def _other_lead(g: Generator, received: date) -> dict:
    rng = g.rng
    person = g.person(
        "mid",
        (1960, 1995),
        groups=rng.choice([["disabled"], ["low_income"], ["veteran"]]),
        basis=["economic_hardship"],
    )
    person["amount_claimed"] = g.money(3000, 20000)
    firm = g.firm("property")
    summary = (
        f"{person['name']}系困难群众，租住{firm['name']}管理的公租房，退租后对方无故扣留押金"
        f"及多收取的费用，经社区调解未果。"
    )
    return {
        "category": "other",
        "summary": summary,
        "claimants": [person],
        "respondents": [{k: v for k, v in firm.items() if k != "sector"}],
        "labour_relationship": "none",
    }


def _pick(rng: random.Random, weighted: list[tuple[str, int]]) -> str:
    return rng.choices([v for v, _ in weighted], weights=[w for _, w in weighted])[0]


def _at(rng: random.Random, day: date, now: datetime) -> datetime:
    """A working-hours moment on ``day`` (local time), never after ``now``."""
    moment = timezone.make_aware(
        datetime(
            day.year, day.month, day.day, rng.randint(8, 17), rng.randint(0, 59), rng.randint(0, 59)
        )
    )
    return min(moment, now)


def _stage_targets(count: int) -> list[str]:
    """Target stage per accepted case, oldest first; every stage gets one when count >= 5."""
    targets: list[str] = []
    cumulative, bounds = 0.0, []
    for stage, share in STAGE_SHARES:
        cumulative += share
        bounds.append((cumulative, stage))
    for i in range(count):
        rank = (i + 0.5) / count
        targets.append(next((s for b, s in bounds if rank < b), Stage.REVIEW))
    if count >= len(STAGE_SHARES):
        for pos, (stage, _share) in enumerate(STAGE_SHARES):
            if stage in targets:
                continue
            # take a case from a stage that has more than one, nearest to where this one belongs
            want = round((pos + 0.5) / len(STAGE_SHARES) * (count - 1))
            counts = Counter(targets)
            candidates = [i for i in range(count) if counts[targets[i]] > 1]
            i = min(candidates, key=lambda i: abs(i - want))
            targets[i] = stage
        # keep "older cases further along": re-sort the targets by how far along they are
        order = [s for s, _ in STAGE_SHARES]
        targets.sort(key=order.index)
    return targets


def plan_leads(count: int, today: date, now: datetime, seed: int = SEED) -> list[PlannedLead]:
    """Every lead and what happens to it, oldest first. Pure: no database access."""
    rng = random.Random(seed)
    g = Generator(rng, today)
    # more leads in the winter wage campaign (November to the Spring Festival): arrears peak then
    weights = [_season_weight(today - timedelta(days=o)) for o in range(365)]
    offsets = sorted(rng.choices(range(365), weights=weights, k=count), reverse=True)
    days = [today - timedelta(days=o) for o in offsets]
    categories = [_pick(rng, CATEGORY_WEIGHTS) for _ in range(count)]
    # a few deliberate duplicates: the same worker again, the same firm within 180 days
    wage_positions = [i for i, c in enumerate(categories) if c == "wages"]
    dup_claimant = {
        wage_positions[int(len(wage_positions) * f)]
        for f in (0.3, 0.6, 0.93)
        if len(wage_positions) >= 6
    }
    dup_firm = {
        wage_positions[int(len(wage_positions) * f)]
        for f in (0.45, 0.75, 0.97)
        if len(wage_positions) >= 6
    } - dup_claimant

    plans: list[PlannedLead] = []
    wage_history: list[tuple[date, dict, dict]] = []  # (received, firm, first claimant)
    for i, (day, category) in enumerate(zip(days, categories, strict=True)):
        if category == "wages":
            recent = [h for h in wage_history if (day - h[0]).days <= 150]
            firm = g.firm(_pick(rng, [("construction", 55), ("restaurant", 20), ("factory", 25)]))
            if i in dup_firm and recent:
                firm = rng.choice(recent)[1]
            shared = None
            if i in dup_claimant and wage_history:
                earlier = rng.choice(wage_history)[2]
                shared = {
                    k: list(v) if isinstance(v, list) else v
                    for k, v in earlier.items()
                    if k not in ("amount_claimed", "months_unpaid")
                }
            data = _wage_lead(g, day, firm, shared)
            wage_history.append((day, firm, data["claimants"][0]))
        elif category == "support_payment":
            data = _support_lead(g, day)
        elif category == "domestic_violence":
            data = _violence_lead(g, day)
        elif category in ("work_injury", "personal_injury"):
            data = _injury_lead(g, day, work=category == "work_injury")
        elif category == "guardianship":
            data = _guardianship_lead(g, day)
        else:
            data = _other_lead(g, day)

        source = _pick(rng, SOURCES[category])
        if source.startswith("agency:"):
            actor, source = source.split(":", 1)[1], "agency"
            consent = rng.random() < 0.85
        else:
            actor = rng.choice(["civil1", "civil2", "civil1", "civil2", "civilhead"])
            consent = rng.random() < 0.5
        data.update(
            source=source,
            received_on=day.isoformat(),
            voluntary=rng.random() < (0.6 if source == "ex_officio" else 0.93),
            consent_to_share=consent,
        )
        data.setdefault("has_iou", False)
        if source == "internal":
            data["summary"] = (
                "刑事检察部在办理拒不支付劳动报酬案件中发现并移送："
                if category == "wages"
                else "本院刑事检察部在办案中发现并移送："
            ) + data["summary"]
        elif source == "ex_officio":
            data["summary"] = "依职权排查发现：" + data["summary"]
        plans.append(PlannedLead(actor=actor, data=data, created_at=_at(rng, day, now)))

    # decisions: the newest stay new, and a few older ones still wait for documents; most are
    # decided within the week, about one in nine declined
    waiting = max(1, round(count * 0.15)) if count else 0
    newest = min(waiting, max(5, waiting * 2 // 3))
    window = range(max(0, count - max(waiting * 2, round(count * 0.3))), count - newest)
    undecided = set(range(count - newest, count))
    undecided |= set(rng.sample(list(window), min(len(window), waiting - newest)))
    decided = [i for i in range(count) if i not in undecided]
    declines = set(rng.sample(decided, min(len(decided) // 5, round(count * 0.10))))
    for i in decided:
        plan = plans[i]
        day = _weekday(_day(plan.created_at + timedelta(hours=rng.randint(2, 24 * 7))))
        decided_at = _at(rng, day, now)
        if decided_at <= plan.created_at:
            decided_at = min(plan.created_at + timedelta(minutes=rng.randint(30, 180)), now)
        plan.decided_at = decided_at
        if i in declines:
            plan.decision = "decline"
            plan.decided_by = rng.choice(["civil1", "civil2"])
            lr = plan.data.get("labour_relationship")
            if plan.data["category"] == "wages":
                plan.redirect = "arbitration" if lr == "employee" else "labour_inspection"
            else:
                plan.redirect = rng.choice(["legal_aid", "self_suit"])
        else:
            plan.decision = "accept"
            plan.decided_by = rng.choice(["civil1"] * 9 + ["civil2"] * 9 + ["civilhead"] * 2)
            plan.officer = (
                rng.choice(["civil1", "civil2"])
                if plan.decided_by == "civilhead"
                else plan.decided_by
            )

    accepted = [plans[i] for i in decided if i not in declines]
    _plan_lives(rng, accepted, now)
    return plans


def _season_weight(day: date) -> float:
    if day.month in (11, 12):
        return 2.5
    if day.month == 1 or (day.month == 2 and day.day <= 10):
        return 1.8
    return 1.0


# --- the life of a case --------------------------------------------------------------------

YUAN = Decimal("1")


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


def _yuan(value: Decimal) -> str:
    return f"{value:,.2f}"


def _share(total: Decimal, pct: float) -> Decimal:
    """``pct`` of ``total`` in whole yuan (all of it from 97 % up)."""
    if pct >= 0.97:
        return total
    return max((total * Decimal(str(round(pct, 4)))).quantize(YUAN, rounding=ROUND_DOWN), YUAN)


def _split(amount: Decimal, parts: int) -> list[Decimal]:
    """Instalments in round hundreds, the last taking the rest: they add up to ``amount``."""
    if parts <= 1:
        return [amount]
    each = (amount / parts / 100).quantize(YUAN, rounding=ROUND_DOWN) * 100
    if each <= 0:  # a small sum: split to the fen
        each = (amount / parts).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    return [each] * (parts - 1) + [amount - each * (parts - 1)]


def _weekday(day: date) -> date:
    """Courts, mediators and officers work on weekdays: a Saturday or Sunday becomes Monday."""
    return day + timedelta(days=7 - day.weekday()) if day.weekday() >= 5 else day


def _day(at: datetime) -> date:
    return timezone.localtime(at).date()


@dataclass
class _Proto:
    """A step before it has its moment: a pace (days after the previous step) and what it is."""

    gap: float
    kind: str
    spec: dict
    ghost: bool = False  # laid out only to date something, e.g. an instalment never paid
    at: datetime | None = None


class _Life:
    """The life of one accepted case up to today: ``build`` the steps, ``lay_out`` them in time,
    ``add_visits`` once the dates are known, then ``steps`` gives what the services are told."""

    def __init__(self, rng: random.Random, plan: PlannedLead, target: str, role: str):
        self.rng, self.plan, self.target, self.role = rng, plan, target, role
        data = plan.data
        self.category = data["category"]
        self.claims = [Decimal(c.get("amount_claimed") or "0") for c in data["claimants"]]
        self.total = sum(self.claims, Decimal("0"))
        self.monetary = self.total > 0 and self.category not in NON_MONETARY
        self.arbitration = arbitration_first(
            labour_relationship=data["labour_relationship"], has_iou=bool(data.get("has_iou"))
        )
        self.respondent = data["respondents"][0]["name"] if data["respondents"] else ""
        self.protos: list[_Proto] = []
        self.anchor = -1  # the last step that must have happened by today
        self.title: _Proto | None = None  # the agreement, judgment or ruling followed up
        self.stage: str = Stage.REVIEW
        self.enforced = False
        self.route = ""

    # building blocks
    def add(self, lo: float, hi: float, what: str, /, **spec) -> _Proto:
        proto = _Proto(gap=self.rng.uniform(lo, hi), kind=what, spec=spec)
        self.protos.append(proto)
        return proto

    def must(self) -> None:
        self.anchor = len(self.protos) - 1

    def move(self, lo: float, hi: float, to: str, variant: str = "") -> None:
        key = (self.stage, to, variant) if (self.stage, to, variant) in MOVE_REASONS else None
        options = MOVE_REASONS[key or (self.stage, to)]
        self.add(lo, hi, "move", to=to, reason=self.rng.choice(options))
        self.stage = to

    def mediate(self, outcome: str, *, min_instalments: int = 1) -> None:
        rng = self.rng
        mediator = rng.choice(MEDIATORS.get(self.category, MEDIATORS["other"]))
        if outcome != "adjourned" and rng.random() < 0.3:
            note = rng.choice(MEDIATION_NOTES["adjourned"])
            self.add(5, 20, "mediation", outcome="adjourned", mediator=mediator, note=note)
        if outcome == MediationOutcome.AGREEMENT:
            self.title = self.add(
                5,
                20,
                "mediation",
                outcome=outcome,
                mediator=mediator,
                pct=rng.uniform(0.7, 1.0),
                instalments=max(min_instalments, rng.choice([1, 2, 2, 3, 3])),
            )
        else:
            note = rng.choice(MEDIATION_NOTES[outcome])
            self.add(5, 20, "mediation", outcome=outcome, mediator=mediator, note=note)

    def support(self, how: str, *, pending: bool = False) -> None:
        rng = self.rng
        reasons = SUPPORT_REASONS[self.category].format(
            total=_yuan(self.total), how=SUPPORT_HOW[how]
        )
        self.add(3, 10, "propose", decision="support", reasons=reasons)
        if pending:
            return
        if rng.random() < 0.15:  # the head sends it back once
            self.add(1, 5, "decide", approve=False, reason=rng.choice(REJECT_REASONS))
            self.add(3, 12, "propose", decision="support", reasons=reasons)
        self.add(1, 5, "decide", approve=True, reason=rng.choice(APPROVE_REASONS))

    def not_support(self) -> None:
        reasons = self.rng.choice(NOT_SUPPORT_REASONS)
        self.add(5, 20, "propose", decision="not_support", reasons=reasons)
        self.add(1, 5, "decide", approve=True, reason=NOT_SUPPORT_APPROVAL)

    def to_litigation(self) -> None:
        """Review (and mostly mediation first) to litigation, through the guards: an approved
        support decision and, with the arbitration_first flag, an arbitration award."""
        rng = self.rng
        if not self.monetary:
            self.support("direct")
            self.move(1, 4, Stage.LITIGATION, "urgent")
            return
        how = "direct"
        if rng.random() < (0.85 if self.category == "wages" else 0.6):
            self.move(2, 12, Stage.PRE_LITIGATION)
            self.mediate(MediationOutcome.FAILED)
            how = "failed"
        if self.arbitration:
            self.add(40, 60, "court", kind="arbitration_award", pct=rng.uniform(0.85, 1.0), lag=2)
            how = "award"
        self.support(how)
        self.move(1, 4, Stage.LITIGATION, "award" if how == "award" else "")

    def court(self, depth: int) -> None:
        """Filed (1), hearing (2), decision (3); a protection order is a ruling right after filing."""
        if depth >= 1:
            self.add(3, 10, "court", kind="filed")
        if self.category == "domestic_violence":
            if depth >= 2:
                self.title = self.add(1, 3, "court", kind="ruling", lag=0)
            return
        if depth >= 2:
            self.add(20, 45, "court", kind="hearing")
        if depth >= 3:
            self.title = self.add(
                15, 40, "court", kind="judgment", pct=self.rng.uniform(0.8, 1.0), lag=3
            )

    def to_post(self) -> None:
        assert self.title is not None
        if self.title.kind == "mediation":
            self.move(1, 5, Stage.POST_LITIGATION)
        elif self.title.spec["kind"] == "ruling":
            self.move(2, 7, Stage.POST_LITIGATION, "ruling")
        else:  # after the appeal period
            self.move(16, 25, Stage.POST_LITIGATION)

    def _payer(self) -> str:
        return ENFORCEMENT_PAYER if self.enforced else self.respondent

    def pay_some(self, lo: float, hi: float) -> None:
        """Money to some of the claimants, never all that is owed."""
        rng = self.rng
        count = len(self.claims)
        chosen = sorted(rng.sample(range(count), rng.randint(1, max(1, (count + 1) // 2))))
        shares = [[i, rng.choice([1.0, 0.5, 0.3, 0.6])] for i in chosen]
        self.add(lo, hi, "pay", mode="some", shares=shares, payer=self._payer(), method=self._how())

    def pay_full(self, lo: float, hi: float) -> None:
        self.add(lo, hi, "pay", mode="full", payer=self._payer(), method=self._how())

    def _how(self) -> str:
        return "法院执行款划转" if self.enforced else self.rng.choice(PAY_METHODS)

    def instalments(self, paid: int) -> None:
        """A payment per instalment of the agreement; those from ``paid`` on were never made."""
        assert self.title is not None
        rng = self.rng
        count = self.title.spec["instalments"]
        for k in range(count):
            lo, hi = ((0, 2) if rng.random() < 0.3 else (7, 30)) if k == 0 else (26, 35)
            proto = self.add(
                lo,
                hi,
                "pay",
                mode="instalment",
                index=k,
                last=k == count - 1,
                late=rng.choice([0, 0, 0, 1, 2, 5]),
                payer=self.respondent,
                method=self._how(),
            )
            proto.ghost = k >= paid

    def enforcement(self, lo: float, hi: float) -> None:
        self.add(lo, hi, "court", kind="enforcement_filed")
        self.enforced = True

    def close(self, lo: float, hi: float, outcome: str, note: str) -> None:
        self.add(lo, hi, "close", outcome=outcome, note=CLOSING_NOTES[note])

    # routes
    def build(self) -> None:
        rng, target, role = self.rng, self.target, self.role
        if target == Stage.REVIEW:
            if role == "not_support":
                self.not_support()
            elif role == "pending":
                self.support("direct", pending=True)
            self.must()
        elif target == Stage.PRE_LITIGATION:
            self.move(2, 12, Stage.PRE_LITIGATION)
            if role == "pending":
                if self.monetary:
                    self.mediate(MediationOutcome.FAILED)
                self.support("failed" if self.monetary else "direct", pending=True)
            elif self.monetary:
                roll = rng.random()
                if roll < 0.2:
                    self.mediate(MediationOutcome.ADJOURNED)
                elif roll < 0.75:
                    self.mediate(MediationOutcome.FAILED)
                elif roll < 0.9:  # approved; waiting for the award or about to file
                    self.mediate(MediationOutcome.FAILED)
                    self.support("failed")
            self.must()
        elif target == Stage.LITIGATION:
            self.to_litigation()
            depths = [0, 1, 1] if self.category == "domestic_violence" else [0, 1, 1, 2, 2, 3]
            self.court(rng.choice(depths))
            self.must()
        elif target == Stage.POST_LITIGATION:
            self._build_post()
        else:
            self._build_closed()

    def _build_post(self) -> None:
        rng = self.rng
        if self.monetary and (self.role == "visit_soon" or rng.random() < 0.5):
            self.route = "agreement"
            self.move(2, 12, Stage.PRE_LITIGATION)
            self.mediate(MediationOutcome.AGREEMENT)
            self.to_post()
            self.must()
            count = self.title.spec["instalments"] if self.title else 1
            # some respondents stop paying: the unpaid instalment shows as overdue
            self.instalments(rng.randint(0, count - 1) if rng.random() < 0.4 else count)
            return
        self.route = "judgment"
        self.to_litigation()
        self.court(3 if self.category != "domestic_violence" else 2)
        self.to_post()
        self.must()
        if self.monetary:
            roll = rng.random()
            if 0.35 <= roll < 0.7:
                self.pay_some(10, 60)
            elif roll >= 0.7:
                self.enforcement(20, 40)
                self.pay_some(20, 90)

    def _build_closed(self) -> None:
        rng = self.rng
        if self.role == "not_support":
            self.route = "not_support"
            self.not_support()
            self.close(3, 15, "withdrawn", "not_support")
            self.must()
            return
        if not self.monetary:
            self.route = _pick(rng, CLOSED_OTHER_ROUTES)
            if self.route == "decided":
                self.to_litigation()
                self.court(2 if self.category == "domestic_violence" else 3)
                self.to_post()
                self.close(40, 120, "transferred", self.category)
            else:
                self.close(10, 60, "withdrawn", "withdrawn")
            self.must()
            return
        route = self.route = _pick(rng, CLOSED_MONEY_ROUTES)
        if route.startswith("judgment"):
            self.to_litigation()
            self.court(3)
            self.to_post()
            if route == "judgment_full":
                if rng.random() < 0.4:
                    self.pay_some(10, 40)
                self.pay_full(10, 60)
                self.close(5, 25, "recovered_in_full", route)
            elif route == "judgment_part":
                self.enforcement(15, 40)
                self.pay_some(20, 90)
                if rng.random() < 0.5:
                    self.pay_some(20, 60)
                self.close(30, 90, "partly_recovered", route)
            else:
                self.enforcement(15, 40)
                self.close(60, 150, "not_recovered", route)
        elif route.startswith("agreement"):
            self.move(2, 12, Stage.PRE_LITIGATION)
            full = route == "agreement_full"
            self.mediate(MediationOutcome.AGREEMENT, min_instalments=1 if full else 2)
            self.to_post()
            count = self.title.spec["instalments"] if self.title else 1
            self.instalments(count if full else rng.randint(1, count - 1))
            if full:
                self.close(3, 20, "recovered_in_full", route)
            else:
                self.close(30, 90, "partly_recovered", route)
        elif route == "paid_early":
            self.move(2, 12, Stage.PRE_LITIGATION)
            if rng.random() < 0.3:
                self.mediate(MediationOutcome.ADJOURNED)
            self.pay_full(10, 40)
            self.close(3, 10, "recovered_in_full", route)
        elif route == "withdrawn":
            if rng.random() < 0.5:
                self.move(2, 12, Stage.PRE_LITIGATION)
            self.close(10, 60, "withdrawn", route)
        else:  # litigation_withdrawn
            self.to_litigation()
            self.court(rng.choice([1, 2]))
            self.close(10, 40, "withdrawn", route)
        self.must()

    # time
    def lay_out(self, start: datetime, now: datetime, fix: date | None = None) -> None:
        """Give each step its moment. The steps up to the anchor are stretched or squeezed to
        end at a random point of the case's life so far (closed cases: a while ago); with
        ``fix`` the followed-up agreement or decision is recorded on that day. Later steps keep
        their pace (those after today are dropped when the life is read)."""
        rng = self.rng
        gaps = [p.gap for p in self.protos]
        span = (now - start).total_seconds() / 86400
        must = gaps[: self.anchor + 1]
        scales = [1.0] * len(gaps)
        if fix is not None and self.title is not None:
            title = self.protos.index(self.title)
            offset = timezone.make_aware(datetime(fix.year, fix.month, fix.day, 12)) - start
            offset_days = offset.total_seconds() / 86400
            before = sum(gaps[: title + 1])
            between = sum(gaps[title + 1 : self.anchor + 1])
            s1 = max(offset_days, 0.01) / before if before else 1.0
            s2 = min(1.0, max(span - offset_days, 0.01) * 0.8 / between) if between else 1.0
            scales = [s1] * (title + 1) + [s2] * (self.anchor - title) + scales[self.anchor + 1 :]
        elif must and sum(must) > 0:
            if self.target == Stage.CLOSED:
                limit, most = span - rng.uniform(1, 45), 1.25
            else:
                limit, most = span * rng.uniform(0.5, 0.95), 3.0
            scale = min(most, max(limit, 0.01) / sum(must))
            scales = [scale] * len(must) + scales[len(must) :]
        t, prev = 0.0, start
        for i, proto in enumerate(self.protos):
            t += gaps[i] * scales[i]
            day = _day(start + timedelta(days=t))
            if proto.kind != "pay":
                day = _weekday(day)
            if fix is not None and proto is self.title:
                day = fix
            moment = _at(rng, day, datetime.max.replace(tzinfo=UTC))
            if moment <= prev:
                moment = prev + timedelta(minutes=rng.randint(5, 40))
            if i <= self.anchor and moment > now:
                moment = max(prev, now)  # must have happened: today at the latest
            proto.at = prev = moment
        # a decision is dated before it is served (and never before the step before it)
        for i, proto in enumerate(self.protos):
            if proto.kind == "court":
                served = _day(proto.at)
                floor = _day(self.protos[i - 1].at) if i else _day(start)
                lag = proto.spec.get("lag", 0)
                lag += rng.randint(0, 7) if lag else 0
                proto.spec["on"] = max(floor, served - timedelta(days=lag))

    def settle_open(self, now: datetime) -> None:
        """An open case is not paid in full: the respondent has not paid the last instalment."""
        if self.target == Stage.CLOSED:
            return
        settling = [p for p in self.protos if self._settles(p) and not p.ghost and p.at <= now]
        for proto in settling:
            proto.ghost = True

    @staticmethod
    def _settles(proto: _Proto) -> bool:
        return proto.kind == "pay" and (
            proto.spec["mode"] == "full"
            or (proto.spec["mode"] == "instalment" and proto.spec["last"])
        )

    def first_visit_day(self, now: datetime) -> date | None:
        if self.title is None or self.title.ghost or self.title.at is None or self.title.at > now:
            return None
        after = self.title.spec.get("on") or _day(self.title.at)
        return after + timedelta(days=settings.ZHICHI["VISIT_FIRST_DAYS"])

    def add_visits(self, now: datetime, *, skip: bool) -> None:
        """Record the return visits that fell due before today (or before closing); the service
        plans the next one while money is outstanding."""
        planned = self.first_visit_day(now)
        if planned is None or skip:
            return
        close = next((p for p in self.protos if p.kind == "close"), None)
        end = close.at if close is not None and close.at is not None else now
        settled = [p.at for p in self.protos if self._settles(p) and not p.ghost and p.at]
        paid_at = min(settled, default=None)
        visits = []
        while True:
            done = _weekday(planned + timedelta(days=self.rng.choice([0, 0, 1, 2, 3])))
            at = _at(self.rng, done, datetime.max.replace(tzinfo=UTC))
            if at >= end or at > now:
                # closing once paid (or decided): the officer calls the claimant first
                settled = not self.monetary or (paid_at is not None and paid_at < end)
                if close is not None and settled:
                    at = end - timedelta(minutes=self.rng.randint(30, 90))
                    if (paid_at is None or at > paid_at) and (not visits or at > visits[-1].at):
                        visits.append(_Proto(gap=0, kind="visit", spec={}, at=at))
                break
            visits.append(_Proto(gap=0, kind="visit", spec={}, at=at))
            if not self.monetary or (paid_at is not None and paid_at < at):
                break  # paid in full (or nothing to pay): no further visit is planned
            planned = done + timedelta(days=settings.ZHICHI["VISIT_EVERY_DAYS"])
        self.protos = sorted(self.protos + visits, key=lambda p: p.at or now)

    # what the services are told
    def steps(self, now: datetime) -> list[Step]:
        steps: list[Step] = []
        dues = self._instalment_dues()
        amounts: list[Decimal] = []
        for proto in self.protos:
            if proto.ghost or proto.at is None or proto.at > now:
                continue
            day, spec = _day(proto.at), proto.spec
            if proto.kind == "move":
                data = {"to": spec["to"], "reason": spec["reason"]}
            elif proto.kind == "mediation":
                data = {"held_on": day.isoformat(), "mediator_org": spec["mediator"]}
                data["outcome"] = spec["outcome"]
                if spec["outcome"] == MediationOutcome.AGREEMENT:
                    agreed = _share(self.total, spec["pct"])
                    amounts = _split(agreed, spec["instalments"])
                    data["agreed_amount"] = _money(agreed)
                    data["instalments"] = [
                        {"due": due.isoformat(), "amount": _money(amount)}
                        for due, amount in zip(dues, amounts, strict=True)
                    ]
                    data["note"] = self._agreement_note(agreed, dues, amounts)
                else:
                    data["note"] = spec["note"]
            elif proto.kind == "propose":
                data = {"decision": spec["decision"], "reasons": spec["reasons"]}
            elif proto.kind == "decide":
                data = {"approve": spec["approve"], "reason": spec["reason"]}
            elif proto.kind == "court":
                data = self._court(spec, day)
            elif proto.kind == "pay":
                data = {k: v for k, v in spec.items() if k not in ("late", "index")}
                data["paid_on"] = day.isoformat()
                if spec["mode"] == "instalment":
                    data["amount"] = _money(amounts[spec["index"]])
            elif proto.kind == "visit":
                data = {"done_on": day.isoformat()}
            else:
                data = {"outcome": spec["outcome"], "note": spec["note"]}
            steps.append(Step(at=proto.at, kind=proto.kind, data=data))
        return steps

    def _instalment_dues(self) -> list[date]:
        if self.title is None or self.title.kind != "mediation" or self.title.at is None:
            return []
        held = _day(self.title.at)
        dues, floor = [], held
        for proto in self.protos:
            if proto.kind == "pay" and proto.spec["mode"] == "instalment" and proto.at:
                due = max(floor, _day(proto.at) - timedelta(days=proto.spec["late"]))
                dues.append(due)
                floor = due
        return dues

    def _agreement_note(self, agreed: Decimal, dues: list[date], amounts: list[Decimal]) -> str:
        who = self.respondent or "被申请人"
        if len(amounts) == 1:
            return (
                f"双方自愿达成调解协议：{who}于{dues[0].month}月{dues[0].day}日前"
                f"一次性支付{_yuan(agreed)}元，申请人放弃其余请求。"
            )
        return (
            f"双方自愿达成调解协议：{who}同意支付{_yuan(agreed)}元，分{len(amounts)}期履行，"
            f"首期{_yuan(amounts[0])}元于{dues[0].month}月{dues[0].day}日前支付。"
        )

    def _court(self, spec: dict, day: date) -> dict:
        kind, on = spec["kind"], spec["on"]
        data: dict = {"kind": kind, "on": on.isoformat(), "court": COURT}
        amount = _share(self.total, spec["pct"]) if self.monetary and "pct" in spec else None
        if kind == "filed":
            data["note"] = {
                "domestic_violence": "申请人身安全保护令，法院当日立案。",
                "guardianship": "法院按特别程序立案受理，本院派员出庭支持。",
            }.get(self.category, "法院立案受理，本院派员出庭支持起诉。")
        elif kind == "hearing":
            data["note"] = "开庭审理，检察官出庭宣读支持起诉意见书。"
        elif kind == "arbitration_award":
            data["court"] = ARBITRATION_COMMISSION
            data["served_on"] = day.isoformat()
            what = "工伤保险待遇" if self.category == "work_injury" else "拖欠工资"
            data["note"] = (
                f"裁决{self.respondent}支付申请人{what}{_yuan(amount or 0)}元，逾期未履行。"
            )
        elif kind == "enforcement_filed":
            data["note"] = "被申请人未按期履行，申请人向五华区人民法院申请强制执行。"
        elif kind == "ruling":
            data["served_on"] = day.isoformat()
            data["note"] = "裁定作出人身安全保护令，禁止被申请人对申请人实施家庭暴力。"
        else:  # judgment
            data["served_on"] = day.isoformat()
            if amount is not None:
                data["performance_due"] = (day + timedelta(days=25)).isoformat()
                data["note"] = f"判决被告于判决生效之日起十日内支付原告{_yuan(amount)}元。"
            else:
                data["note"] = "判决支持申请人的请求，依法指定监护人。"
        if amount is not None and kind in ("judgment", "arbitration_award"):
            data["amount_awarded"] = _money(amount)
        return data


def _roles(rng: random.Random, accepted: list[PlannedLead], now: datetime) -> list[str]:
    """A few cases with a particular part to play, so every page has something to show."""
    roles = [""] * len(accepted)
    by_target: dict[str, list[int]] = {}
    for i, plan in enumerate(accepted):
        by_target.setdefault(plan.target, []).append(i)
    review = by_target.get(Stage.REVIEW, [])
    if len(review) >= 2:
        roles[review[0]] = "not_support"  # approved not-support, the applicant not yet told
    if len(review) >= 3:
        roles[review[-2]] = "pending"  # a support decision waiting for the head
    pre = by_target.get(Stage.PRE_LITIGATION, [])
    if len(pre) >= 2:
        roles[pre[len(pre) // 2]] = "pending"
    closed = by_target.get(Stage.CLOSED, [])
    for f in (0.3, 0.75) if len(closed) >= 6 else (0.5,) if len(closed) >= 3 else ():
        roles[closed[int(len(closed) * f)]] = "not_support"
    # a post-litigation case accepted some 75 days ago: its first visit falls due this week
    post = [i for i in by_target.get(Stage.POST_LITIGATION, []) if accepted[i].decided_at]
    old_enough = [i for i in post if now - accepted[i].decided_at > timedelta(days=45)]
    money = [i for i in old_enough if _monetary(accepted[i].data)]
    if money or old_enough:
        pick = min(money or old_enough, key=lambda i: abs((now - accepted[i].decided_at).days - 75))
        roles[pick] = "visit_soon"
    return roles


def _monetary(data: dict) -> bool:
    return data["category"] not in NON_MONETARY and any(
        c.get("amount_claimed") for c in data["claimants"]
    )


def _plan_lives(rng: random.Random, accepted: list[PlannedLead], now: datetime) -> None:
    """Give each accepted case its life up to ``now``, oldest cases furthest along."""
    today = _day(now)
    for plan, target in zip(accepted, _stage_targets(len(accepted)), strict=True):
        plan.target = target
    lives = []
    for plan, role in zip(accepted, _roles(rng, accepted, now), strict=True):
        assert plan.decided_at is not None
        life = _Life(rng, plan, plan.target, role)
        life.build()
        fix = None
        if role == "visit_soon":
            # recorded 24-29 days ago: the first return visit is due within the coming week
            choices = [today - timedelta(days=d) for d in range(24, 30)]
            fix = rng.choice([d for d in choices if d.weekday() < 5])
        elif plan.target == Stage.LITIGATION and life.title is not None:
            # a judgment served in the last fortnight: the appeal period is still running
            choices = [today - timedelta(days=d) for d in range(2, 13)]
            fix = rng.choice([d for d in choices if d.weekday() < 5])
            if fix - _day(plan.decided_at) < timedelta(days=60):
                fix = None
        life.lay_out(plan.decided_at, now, fix)
        life.settle_open(now)
        lives.append(life)
    # one open case whose return visit fell due a while ago and was not done: overdue
    waiting = [
        life
        for life in lives
        if life.target != Stage.CLOSED
        and life.role != "visit_soon"
        and (first := life.first_visit_day(now)) is not None
        and today - timedelta(days=60) <= first <= today - timedelta(days=3)
    ]
    late = rng.choice(waiting) if waiting else None
    for life in lives:
        life.add_visits(now, skip=life is late)
        life.plan.steps = life.steps(now)


# --- running the steps ---------------------------------------------------------------------


def _payments(case: Case, data: dict) -> list[tuple[int, Decimal]]:
    """(claimant party id, amount) for a planned payment, worked out from the ledger."""
    rows = ledger_mod.ledger_for(case).rows
    mode = data["mode"]
    if mode == "full" or (mode == "instalment" and data["last"]):
        out = [(row, row.outstanding) for row in rows]
    elif mode == "instalment":
        shares = ledger_mod.allocate(Decimal(data["amount"]), [row.claimant for row in rows])
        out = [(row, min(shares[row.claimant.pk], row.outstanding)) for row in rows]
    else:  # some claimants, some of what they are owed
        out = []
        for index, fraction in data["shares"]:
            row = rows[index % len(rows)]
            part = (row.due * Decimal(str(fraction))).quantize(YUAN, rounding=ROUND_DOWN)
            out.append((row, min(row.outstanding, part if fraction < 1 else row.outstanding)))
        left = {row.claimant.pk: row.outstanding for row in rows}
        for row, amount in out:
            left[row.claimant.pk] -= amount
        if out and not any(left.values()):  # "some" never settles the case
            row, amount = out[-1]
            out[-1] = (row, (amount / 2).quantize(YUAN, rounding=ROUND_DOWN))
    return [(row.claimant.party_id, amount) for row, amount in out if amount > 0]


def _visit_findings(plan: PlannedLead, book: ledger_mod.Ledger) -> tuple[str, str]:
    claimants = plan.data["claimants"]
    who = claimants[0]["name"] + (f"等{len(claimants)}人" if len(claimants) > 1 else "")
    totals = book.totals
    category = plan.data["category"]
    if category == "guardianship":
        return f"实地回访{who}，指定监护人履职正常，被监护人生活起居有人照料。", ""
    if category == "domestic_violence":
        return (
            f"回访申请人{who}，保护令作出后未再发生家庭暴力，申请人情绪稳定，"
            "已协调妇联提供心理疏导。",
            "",
        )
    if book.paid_in_full:
        return f"电话回访申请人{who}，确认应得款项已全部到位，对支持起诉工作表示满意。", ""
    owed = f"尚有{_yuan(totals['outstanding'])}元未支付。"
    if totals["recovered"] > 0:
        return (
            f"电话回访申请人{who}，已收到{_yuan(totals['recovered'])}元，{owed}"
            "已督促被申请人继续履行。",
            owed,
        )
    return (
        f"回访申请人{who}，被申请人仍未履行，申请人生活较为困难；已告知其申请强制执行，"
        "并协助申请司法救助。",
        owed,
    )


def _run(step: Step, case_id: int, plan: PlannedLead, users: dict[str, User]) -> None:
    """One planned step through the service that does it (the clock is already set)."""
    officer, data = users[plan.officer], step.data
    if step.kind == "move":
        case = Case.objects.get(pk=case_id)
        move_stage(
            case_id=case_id,
            to=data["to"],
            reason=data["reason"],
            version=case.version,
            actor=officer,
        )
    elif step.kind == "mediation":
        record_mediation(case_id=case_id, actor=officer, data=data)
    elif step.kind == "propose":
        propose_support_decision(case_id=case_id, actor=officer, data=data)
    elif step.kind == "decide":
        approval = (
            Approval.objects.filter(case_id=case_id, status=ApprovalStatus.PENDING)
            .order_by("-requested_at", "-id")
            .first()
        )
        if approval is None:
            raise CommandError(f"seed_demo: no approval waiting on case {case_id}")
        decide_approval(
            approval_id=approval.pk,
            actor=users["civilhead"],
            approve=data["approve"],
            reason=data["reason"],
        )
    elif step.kind == "court":
        record_court_event(case_id=case_id, actor=officer, data=data)
    elif step.kind == "pay":
        case = Case.objects.get(pk=case_id)
        for party_id, amount in _payments(case, data):
            record_payment(
                case_id=case_id,
                actor=officer,
                data={
                    "claimant_party_id": party_id,
                    "paid_on": data["paid_on"],
                    "amount": _money(amount),
                    "payer": data["payer"],
                    "method": data["method"],
                },
            )
    elif step.kind == "visit":
        visit = (
            Visit.objects.filter(case_id=case_id, done_on__isnull=True, target=VisitTarget.CLAIMANT)
            .order_by("planned_on", "id")
            .first()
        )
        if visit is None:
            raise CommandError(f"seed_demo: no return visit due on case {case_id}")
        book = ledger_mod.ledger_for(Case.objects.get(pk=case_id))
        findings, problems = _visit_findings(plan, book)
        record_visit(
            visit_id=visit.pk,
            actor=officer,
            data={
                "done_on": data["done_on"],
                "findings": findings,
                "remaining_problems": problems,
                "paid_in_full": book.paid_in_full,
            },
        )
    elif step.kind == "close":
        close_case(case_id=case_id, actor=officer, data=data)
    else:  # pragma: no cover - a planning mistake
        raise CommandError(f"seed_demo: unknown step {step.kind!r}")


# --- the command ---------------------------------------------------------------------------


class Command(BaseCommand):
    help = (
        "Create the demo organisations, users (password zhichi-demo) and a year of leads and "
        "cases. Idempotent. Refuses to run with ZHICHI_DEBUG off unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="run even though DEBUG is off (creates accounts with a published password)",
        )
        parser.add_argument(
            "--leads",
            type=int,
            default=DEFAULT_LEADS,
            help=f"how many leads to generate on a fresh database (default {DEFAULT_LEADS})",
        )

    def handle(self, *args, force: bool = False, leads: int = DEFAULT_LEADS, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo creates accounts with the published password 'zhichi-demo' and is "
                "meant for development only; it refuses to run with ZHICHI_DEBUG off. "
                "Use --force if you really want demo data here."
            )
        if leads < 0:
            raise CommandError("--leads must be zero or more")
        started = time.monotonic()
        with transaction.atomic():
            orgs, org_changes = self._organisations()
            users, user_changes = self._users(orgs)
            if Lead.objects.filter(created_by__username__in=DEMO_USERNAMES).exists():
                generated = 0
                self.stdout.write("Demo leads already exist; no new leads were generated.")
            else:
                generated = self._generate(users, leads)
        elapsed = time.monotonic() - started
        self._summary(org_changes, user_changes, generated, elapsed)
        self._logins()

    # organisations and users
    def _organisations(self) -> tuple[dict[str, Organisation], int]:
        orgs: dict[str, Organisation] = {}
        changes = 0
        for spec in ORGANISATIONS:
            values = {
                "name": spec["name"],
                "short_name": spec["short_name"],
                "kind": spec["kind"],
                "province": PROVINCE,
                "district": DISTRICT,
                "is_active": True,
            }
            org = Organisation.objects.filter(code=spec["code"]).first()
            if org is None:
                org = Organisation.objects.create(code=spec["code"], **values)
                record(
                    action="organisation.create",
                    obj=org,
                    username="seed_demo",
                    detail={"code": org.code},
                )
                changes += 1
            elif repaired := edits.diff(org, values):
                org.save(update_fields=edits.apply(org, repaired))
                record(
                    action="organisation.update",
                    obj=org,
                    username="seed_demo",
                    detail={"code": org.code},
                )
                changes += 1
            for code, name in spec.get("departments", []):
                _dept, created = Department.objects.update_or_create(
                    organisation=org, code=code, defaults={"name": name}
                )
                changes += int(created)
            orgs[org.code] = org
        return orgs, changes

    def _users(self, orgs: dict[str, Organisation]) -> tuple[dict[str, User], int]:
        users: dict[str, User] = {}
        changes = 0
        for username, role, org_code, dept_code, full_name in USERS:
            org = orgs[org_code]
            dept = org.departments.get(code=dept_code) if dept_code else None
            wanted = {
                "role": role,
                "organisation_id": org.pk,
                "department_id": dept.pk if dept else None,
                "first_name": full_name,
                "last_name": "",
                "is_active": True,
                "is_staff": False,
                "is_superuser": False,
                # with ZHICHI_DEMO=1 (loopback only) it signs in without a second factor
                "is_demo": True,
            }
            user = User.objects.filter(username=username).first()
            created = user is None
            if created:
                user = User(username=username)
            changed = edits.apply(user, edits.diff(user, wanted))
            if created or not user.check_password(DEMO_PASSWORD):
                # set_password deliberately skips the password validators: a demo password
                user.set_password(DEMO_PASSWORD)
                changed.append("password")
            if created or changed:
                user.save()
                record(
                    action="user.create" if created else "user.update",
                    obj=user,
                    username="seed_demo",
                    detail={"username": username, "fields": [] if created else sorted(changed)},
                )
                changes += 1
            users[username] = user
        return users, changes

    # leads and cases
    # leads and cases
    def _generate(self, users: dict[str, User], count: int) -> int:
        now = timezone.now()
        today = timezone.localdate()
        plans = plan_leads(count, today, now)
        # every step, in the order it happened: (when, lead, step number, what, planned step)
        events: list[tuple[datetime, int, int, str, Step | None]] = []
        for i, plan in enumerate(plans):
            events.append((plan.created_at, i, 0, "create", None))
            if plan.decision != "new":
                assert plan.decided_at is not None
                events.append((plan.decided_at, i, 1, plan.decision, None))
            for n, step in enumerate(plan.steps, start=2):
                events.append((step.at, i, n, "step", step))
        events.sort(key=lambda e: (e[0], e[1], e[2]))

        lead_ids: dict[int, int] = {}
        case_ids: dict[int, int] = {}
        clock = SimulatedClock()
        with clock.installed():
            for at, i, _n, kind, step in events:
                plan = plans[i]
                clock.set(at)
                if kind == "create":
                    lead = create_lead(actor=users[plan.actor], data=validate_lead(plan.data))
                    lead_ids[i] = lead.pk
                elif kind == "accept":
                    case = accept_lead(
                        lead_id=lead_ids[i],
                        actor=users[plan.decided_by],
                        officer=users[plan.officer] if plan.officer != plan.decided_by else None,
                    )
                    case_ids[i] = case.pk
                elif kind == "decline":
                    decline_lead(
                        lead_id=lead_ids[i],
                        actor=users[plan.decided_by],
                        data={"reason": DECLINES[plan.redirect], "redirect": plan.redirect},
                    )
                else:
                    assert step is not None
                    _run(step, case_ids[i], plan, users)
            seed_transfers(users, clock, now)
            seed_suggestions(users, clock, now)
            seed_joint_actions(users, clock, now)
            seed_assistance(users, clock, now)
            seed_import(users, clock, now)
            seed_portal(users, clock, now)
        return len(plans)

    # output
    def _summary(self, org_changes: int, user_changes: int, generated: int, elapsed: float):
        w = self.stdout.write
        w(self.style.SUCCESS(f"seed_demo finished in {elapsed:.1f}s."))
        org_count = Organisation.objects.filter(code__in=[o["code"] for o in ORGANISATIONS]).count()
        w(f"  organisations: {org_count} (created or repaired: {org_changes})")
        w(
            f"  users:         {User.objects.filter(username__in=DEMO_USERNAMES).count()}"
            f" (created or repaired: {user_changes})"
        )
        statuses = Counter(Lead.objects.values_list("status", flat=True))
        by_status = ", ".join(f"{s} {statuses.get(s, 0)}" for s in LeadStatus.values)
        w(f"  leads:         {statuses.total()} ({by_status}; generated now: {generated})")
        stages = Counter(Case.objects.values_list("stage", flat=True))
        by_stage = ", ".join(f"{s} {stages.get(s, 0)}" for s in Stage.values)
        w(f"  cases:         {stages.total()} ({by_stage})")
        outcomes = Counter(Case.objects.exclude(outcome="").values_list("outcome", flat=True))
        if outcomes:
            w("  outcomes:      " + ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items())))
        mediations = Counter(Mediation.objects.values_list("outcome", flat=True))
        by_outcome = ", ".join(f"{k} {mediations.get(k, 0)}" for k in MediationOutcome.values)
        w(f"  mediations:    {mediations.total()} ({by_outcome})")
        approvals = Counter(Approval.objects.values_list("status", flat=True))
        by_status = ", ".join(f"{k} {approvals.get(k, 0)}" for k in ApprovalStatus.values)
        w(f"  approvals:     {approvals.total()} ({by_status})")
        events = Counter(CourtEvent.objects.values_list("kind", flat=True))
        by_kind = ", ".join(f"{k} {v}" for k, v in sorted(events.items()))
        w(f"  court events:  {events.total()} ({by_kind})")
        recovered = ledger_mod.recovered(Payment.objects.all())  # net of reversals (C6)
        w(f"  payments:      {Payment.objects.count()} (recovered {_yuan(recovered)} yuan)")
        done = Visit.objects.filter(done_on__isnull=False).count()
        planned = Visit.objects.filter(done_on__isnull=True, case__status=CaseStatus.OPEN).count()
        w(f"  visits:        {done} done, {planned} planned on open cases")
        today = timezone.localdate()
        pending = list(CaseDeadline.objects.filter(status=DeadlineStatus.PENDING))
        overdue = sum(deadline_state(d, today) == "overdue" for d in pending)
        soon = sum(today <= d.due <= today + timedelta(days=7) for d in pending)
        w(f"  deadlines:     {len(pending)} pending ({overdue} overdue, {soon} due within 7 days)")
        transfers = Counter(Transfer.objects.values_list("status", flat=True))
        by_status = ", ".join(f"{k} {v}" for k, v in sorted(transfers.items()))
        w(f"  transfers:     {transfers.total()} ({by_status})")
        w(f"  joint actions: {JointAction.objects.count()}")
        # the public portal (/portal/): what to type in its status lookup
        for filing in Filing.objects.select_related("lead").order_by("pk"):
            w(
                f"  portal:        receipt {filing.lead.receipt_code}, phone ending "
                f"{filing.phone[-4:]} ({filing.lead.status})"
            )

    def _logins(self):
        w = self.stdout.write
        users = {
            u.username: u
            for u in User.objects.filter(username__in=DEMO_USERNAMES).select_related(
                "organisation", "department"
            )
        }
        w("")
        w("Demo logins (password for all: zhichi-demo)")
        w(f"  {'username':<11} {'role':<10} {'password':<12} organisation")
        for username in DEMO_USERNAMES:
            u = users.get(username)
            if u is None:
                continue
            where = u.organisation.code if u.organisation else "-"
            if u.organisation:
                where += f" {u.organisation.name}"
            if u.department:
                where += f" / {u.department.name}"
            w(f"  {username:<11} {u.role:<10} {DEMO_PASSWORD:<12} {where}")
