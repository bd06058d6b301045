"""Demo data: the Wuhua organisations, one user per role, and a year of leads and cases.

Everything goes through the real services (``validate_lead``, ``create_lead``, ``accept_lead``,
``decline_lead``, ``move_stage``), so numbering, encryption, the timeline and the audit trail are
exercised exactly as in use. The services read the clock for "today"; to give a year of history
rather than a year of leads all decided this afternoon, each step runs with ``timezone.now``
set to the moment it is supposed to have happened, oldest first. The command is idempotent
(organisations and users are matched by code and username and repaired; leads are only
generated when no demo user has filed one yet) and deterministic (one ``random.Random``).
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from unittest import mock

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from zhichi.accounts.models import Department, Organisation, OrgKind, Role, User
from zhichi.audit.services import record
from zhichi.cases.models import Case, Stage, TimelineEvent
from zhichi.cases.services import move_stage
from zhichi.core.identifiers import credit_check_char, id_check_char
from zhichi.intake.models import Lead, LeadStatus
from zhichi.intake.services import accept_lead, create_lead, decline_lead
from zhichi.intake.validation import validate_lead
from zhichi.parties.models import Party

SEED = 20261128
DEMO_PASSWORD = "zhichi-demo"  # noqa: S105 - the documented demo password (API.md)
DEFAULT_LEADS = 120
PROVINCE = "53"
DISTRICT = "530102"
HRSS_NAME = "五华区人力资源和社会保障局"

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

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"


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
HOME_PLACES = {
    "530102": "昆明市五华区",
    "530103": "昆明市盘龙区",
    "530111": "昆明市官渡区",
    "530112": "昆明市西山区",
    "530113": "昆明市东川区",
    "530381": "宣威市",
    "532128": "镇雄县",
    "533001": "保山市隆阳区",
    "532301": "楚雄市",
}
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
ORG_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # the credit-code charset (no I O S V Z)
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)  # GB 11714
EVASIONS = [
    ["absconded"],
    ["refused_summons"],
    ["transferred_assets", "absconded"],
    ["destroyed_records"],
    ["transferred_assets"],
]

# --- the case workflow ---------------------------------------------------------------------

PATHS = {
    Stage.REVIEW: [([], 1)],
    Stage.PRE_LITIGATION: [(["pre_litigation"], 1)],
    Stage.LITIGATION: [(["pre_litigation", "litigation"], 3), (["litigation"], 1)],
    Stage.POST_LITIGATION: [
        (["pre_litigation", "litigation", "post_litigation"], 3),
        (["pre_litigation", "post_litigation"], 2),
    ],
    Stage.CLOSED: [
        (["pre_litigation", "litigation", "post_litigation", "closed"], 10),
        (["pre_litigation", "post_litigation", "closed"], 5),
        (["pre_litigation", "closed"], 2),
        (["closed"], 2),
    ],
}
# the share of accepted cases (oldest first) that have reached each stage by today
STAGE_SHARES = [
    (Stage.CLOSED, 0.35),
    (Stage.POST_LITIGATION, 0.15),
    (Stage.LITIGATION, 0.18),
    (Stage.PRE_LITIGATION, 0.17),
    (Stage.REVIEW, 0.15),
]
MOVE_REASONS = {
    ("review", "pre_litigation"): [
        "经审查，申请人系弱势群体，符合支持起诉条件，先行开展诉前调解。",
        "审查终结，决定受理，启动诉前化解程序。",
    ],
    ("review", "litigation"): [
        "经审查符合支持起诉条件，被申请人明确拒绝调解，制发支持起诉意见书。",
    ],
    ("review", "closed"): [
        "申请人撤回支持起诉申请，审查终结。",
        "经审查，申请人已自行委托律师起诉，不再支持起诉，结案。",
    ],
    ("pre_litigation", "litigation"): [
        "诉前调解未能达成协议，向五华区人民法院提交支持起诉意见书。",
        "被申请人拒不到场调解，转入支持起诉。",
    ],
    ("pre_litigation", "post_litigation"): [
        "诉前调解达成协议并经司法确认，转入履行跟踪。",
        "双方达成分期支付协议，跟踪履行情况。",
    ],
    ("pre_litigation", "closed"): [
        "被申请人已全额支付，申请人撤回申请，结案。",
    ],
    ("litigation", "post_litigation"): [
        "法院已作出民事判决，支持申请人诉讼请求，跟踪执行情况。",
        "案件经法院主持调解结案，跟踪调解书履行。",
    ],
    ("litigation", "closed"): [
        "申请人与被申请人庭外和解，申请人撤诉，结案。",
    ],
    ("post_litigation", "closed"): [
        "款项已执行到位，回访申请人满意，案件办结。",
        "判决已履行完毕，案件办结归档。",
    ],
}
DECLINES = {
    "arbitration": "双方存在劳动关系且无工资欠条，依法应先申请劳动人事争议仲裁，已告知仲裁途径。",
    "labour_inspection": "欠薪事实尚需劳动保障监察调查核实，已移交五华区人社局劳动保障监察大队处理。",
    "legal_aid": "申请人不属于支持起诉对象，但经济困难，已引导其向五华区法律援助中心申请法律援助。",
    "self_suit": "申请人具备自行诉讼能力，不符合支持起诉条件，已告知其可自行向人民法院起诉。",
}


# --- generated data ------------------------------------------------------------------------


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
    moves: list[tuple[datetime, str]] = field(default_factory=list)


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
            total = sum(int(ch, 36) * w for ch, w in zip(body, _ORG_WEIGHTS, strict=True))
            check = 11 - total % 11
            org9 = body + ("X" if check == 10 else "0" if check == 11 else str(check))
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


def _names(people: list[dict]) -> str:
    if len(people) == 1:
        return people[0]["name"]
    if len(people) <= 3:
        return "、".join(p["name"] for p in people)
    return f"{people[0]['name']}等{len(people)}人"


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
    if count >= 10:
        data["summary"] += "涉及人数较多，工人情绪激动。"
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


CATEGORY_WEIGHTS = [
    ("wages", 64),
    ("support_payment", 10),
    ("domestic_violence", 8),
    ("work_injury", 6),
    ("personal_injury", 5),
    ("guardianship", 4),
    ("other", 3),
]
# (source, filed by) per category; officers file walk-ins, calls and their own findings
SOURCES = {
    "wages": [
        ("walk_in", 35),
        ("hotline", 20),
        ("agency:hrss1", 25),
        ("ex_officio", 10),
        ("internal", 10),
    ],
    "work_injury": [("walk_in", 50), ("agency:hrss1", 30), ("hotline", 20)],
    "support_payment": [("walk_in", 40), ("hotline", 25), ("agency:wf1", 35)],
    "domestic_violence": [("agency:wf1", 55), ("walk_in", 30), ("hotline", 15)],
    "personal_injury": [("walk_in", 60), ("hotline", 40)],
    "guardianship": [("agency:wf1", 40), ("internal", 30), ("walk_in", 30)],
    "other": [("walk_in", 50), ("hotline", 30), ("ex_officio", 20)],
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
    offsets = sorted((rng.randint(0, 364) for _ in range(count)), reverse=True)
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

    # decisions: the newest stay new; of the rest about one in nine is declined
    undecided = max(1, round(count * 0.15)) if count else 0
    decided = list(range(count - undecided))
    declines = set(rng.sample(decided, min(len(decided) // 5, round(count * 0.10))))
    for i in decided:
        plan = plans[i]
        plan.decided_at = min(plan.created_at + timedelta(hours=rng.randint(2, 24 * 7)), now)
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
    for plan, target in zip(accepted, _stage_targets(len(accepted)), strict=True):
        paths = PATHS[target]
        steps = rng.choices([p for p, _ in paths], weights=[w for _, w in paths])[0]
        if not steps:
            continue
        assert plan.decided_at is not None
        durations = [timedelta(days=rng.randint(7, 60), hours=rng.randint(0, 8)) for _ in steps]
        available = now - plan.decided_at - timedelta(minutes=1)
        total = sum(durations, timedelta())
        if total > available:
            scale = max(available, timedelta()) / total * 0.95
            durations = [d * scale for d in durations]
        at = plan.decided_at
        for step, duration in zip(steps, durations, strict=True):
            at = min(at + duration, now)
            plan.moves.append((at, step))
    return plans


@contextmanager
def _clock(at: datetime) -> Iterator[None]:
    """Run services as if it were ``at``: they read ``timezone.now()``/``localdate()``."""
    # In UTC, like the real timezone.now(): the audit hash covers ``at.isoformat()``, and the
    # database hands datetimes back in UTC, so a +08:00 value would not verify later.
    utc_at = at.astimezone(UTC)
    with mock.patch.object(timezone, "now", lambda: utc_at):
        yield


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
            elif any(getattr(org, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(org, k, v)
                org.save()
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
            }
            user = User.objects.filter(username=username).first()
            created = user is None
            if created:
                user = User(username=username)
            changed = [k for k, v in wanted.items() if getattr(user, k) != v]
            for k in changed:
                setattr(user, k, wanted[k])
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
    def _generate(self, users: dict[str, User], count: int) -> int:
        now = timezone.now()
        today = timezone.localdate()
        plans = plan_leads(count, today, now)
        # every step, in the order it happened: (when, lead, step number, what)
        events: list[tuple[datetime, int, int, str, str]] = []
        for i, plan in enumerate(plans):
            events.append((plan.created_at, i, 0, "create", ""))
            if plan.decision != "new":
                assert plan.decided_at is not None
                events.append((plan.decided_at, i, 1, plan.decision, ""))
            for n, (at, to) in enumerate(plan.moves, start=2):
                events.append((at, i, n, "move", to))
        events.sort(key=lambda e: (e[0], e[1], e[2]))

        lead_ids: dict[int, int] = {}
        case_ids: dict[int, int] = {}
        for at, i, _n, kind, to in events:
            plan = plans[i]
            with _clock(at):
                if kind == "create":
                    lead = create_lead(actor=users[plan.actor], data=validate_lead(plan.data))
                    lead_ids[i] = lead.pk
                    Lead.objects.filter(pk=lead.pk).update(created_at=at)
                    Party.objects.filter(lead_roles__lead=lead, created_at__gt=at).update(
                        created_at=at
                    )
                elif kind == "accept":
                    case = accept_lead(
                        lead_id=lead_ids[i],
                        actor=users[plan.decided_by],
                        officer=users[plan.officer] if plan.officer != plan.decided_by else None,
                    )
                    case_ids[i] = case.pk
                    Case.objects.filter(pk=case.pk).update(created_at=at, updated_at=at)
                    TimelineEvent.objects.filter(case_id=case.pk).update(at=at)
                elif kind == "decline":
                    decline_lead(
                        lead_id=lead_ids[i],
                        actor=users[plan.decided_by],
                        data={"reason": DECLINES[plan.redirect], "redirect": plan.redirect},
                    )
                else:
                    case = Case.objects.get(pk=case_ids[i])
                    move_stage(
                        case_id=case.pk,
                        to=to,
                        reason=_move_reason(case.stage, to, i),
                        version=case.version,
                        actor=users[plan.officer],
                    )
                    TimelineEvent.objects.filter(case_id=case.pk, at__gt=at).update(at=at)
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


def _move_reason(current: str, to: str, salt: int) -> str:
    """A Chinese reason for the move, chosen deterministically."""
    options = MOVE_REASONS[(current, to)]
    return options[salt % len(options)]
