"""Hierarchical disposal (分层处置, C3) and the mass-dispute risk score (rules EW-2, EW-3).

Pure Python (stdlib only). ``risk`` scores a matter for a collective wage dispute (群体性欠薪风险)
as DOMAIN.md EW-3 suggests; ``grade`` puts every case on one of three levels (1 routine, 2 standard,
3 major). Every number is a field of ``RiskRules`` or ``GradingRules`` with the DOMAIN default; the
province's CR-4 collective figure and the end of the winter campaign are dated configuration passed
in by the caller. Each result lists every condition that counted, with its rule and a plain Chinese
text for the officer; codes are stable for programs, and each reason's ``params`` carry the values
its text is made of, so an application can store the code and put it into words in its reader's
language (zhichi/cases/words.py).

A missing province figure is never guessed: the risk score skips that point and says so; the grade
compares with the national floor (法释〔2013〕3号, ¥30,000) and says so. Every province figure is at
or above that floor, so a "not reached" on the floor is final; a "reached" may be lower than the
province's own figure would give, and its reason says the figure is missing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from zhichi.core.criminal import (
    DEPENDS_ON_PROVINCE_CONFIG,
    EVASION_KINDS,
    ORDER_FIRST,
    TRANSFER,
    VERDICTS,
    Figure,
)

__all__ = [
    "CATEGORIES",
    "GROUPS",
    "LABOUR_RELATIONSHIPS",
    "LEVEL_NAMES",
    "MAJOR",
    "NATIONAL_COLLECTIVE_FLOOR",
    "REASON_CODES",
    "RISK_LEVELS",
    "RISK_NAMES",
    "RISK_REASON_CODES",
    "ROUTINE",
    "STANDARD",
    "Facts",
    "Grade",
    "GradingInputError",
    "GradingRules",
    "Reason",
    "Risk",
    "RiskRules",
    "as_dict",
    "campaign_window",
    "grade",
    "risk",
    "risk_as_dict",
]

# The case categories (SP-4), with the words an officer reads.
CATEGORIES: dict[str, str] = {
    "wages": "追索劳动报酬",
    "work_injury": "工伤赔偿",
    "support_payment": "追索赡养费、抚养费、扶养费",
    "domestic_violence": "家庭暴力",
    "personal_injury": "人身损害赔偿",
    "guardianship": "撤销或者变更监护",
    "other": "其他",
}

# rule SP-3: the groups a claimant may belong to.
GROUPS: dict[str, str] = {
    "migrant_worker": "农民工",
    "woman": "妇女",
    "minor": "未成年人",
    "elderly": "老年人",
    "disabled": "残疾人",
    "low_income": "低收入人员",
    "veteran": "退役军人",
}

EMPLOYEE = "employee"
CONTRACTOR_CREW = "contractor_crew"
LABOUR_RELATIONSHIPS = (EMPLOYEE, CONTRACTOR_CREW, "none", "unknown")

ROUTINE = 1
STANDARD = 2
MAJOR = 3
LEVEL_NAMES = {ROUTINE: "一级（简易）", STANDARD: "二级（普通）", MAJOR: "三级（重大）"}

RISK_NONE = "none"
RISK_LOW = "low"
RISK_HIGH = "high"
RISK_LEVELS = (RISK_NONE, RISK_LOW, RISK_HIGH)
RISK_NAMES = {RISK_NONE: "无风险", RISK_LOW: "低风险", RISK_HIGH: "高风险"}

# Every code a reason of ``grade`` or ``risk`` can carry, for the programs that put the codes
# into words (a test checks that the functions give no other).
REASON_CODES = frozenset(
    {
        "routine",
        "claimants_major",
        "claimants_standard",
        "amount_major",
        "amount_standard",
        "category_standard",
        "minor_in_category",
        *(f"vulnerable_{group}" for group in GROUPS),
        *(f"criminal_{verdict}" for verdict in VERDICTS),
        *(f"risk_{level}" for level in RISK_LEVELS),
    }
)
RISK_REASON_CODES = frozenset(
    {
        "workers_many",
        "collective_threshold_missing",
        "amount_reaches_collective_threshold",
        "months_long",
        "construction",
        "contractor_crew",
        "employer_evading",
        "project_ending",
        "campaign_window",
        "workers_mass",
        "past_petitions",
        "self_harm_threats",
        "alert",
        "no_risk_factor",
    }
)

# The national floor of the ten-or-more-workers figure (法释〔2013〕3号第三条, in force 2013-01-23):
# the grading default when the province's CR-4 collective figure is not entered.
NATIONAL_COLLECTIVE_FLOOR = Figure(
    Decimal("30000"), "法释〔2013〕3号第三条（全国幅度下限）", date(2013, 1, 23)
)

_CENT = Decimal("0.01")
# A technical bound, not a legal figure: money columns hold 14 digits with 2 decimals.
MAX_MONEY = Decimal("999999999999.99")


# --- values ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reason:
    """One condition that counted. ``level`` is the grade it raises to (grading reasons; 0 for risk
    reasons); ``weight`` the points it adds (risk reasons; 0 for grading reasons)."""

    code: str
    rule: str
    text: str
    level: int
    weight: int = 0
    # the values in ``text``: counts, amounts as "12000.00", dates as ISO strings, codes
    params: dict = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class Risk:
    score: int
    level: str
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class Grade:
    level: int
    reasons: tuple[Reason, ...]
    summary: str
    # The amount standard compared with: basis "province" or "national_floor", value, source, date.
    threshold: dict = field(default_factory=dict)


class GradingInputError(ValueError):
    """Invalid facts: ``field`` uses the API's names, ``code`` is stable, ``message`` is English for
    the Django layer to translate (as ``LeadInputError``)."""

    def __init__(self, field: str, message: str, code: str = "invalid") -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.code = code
        self.message = message


def _strings(value: object, name: str, allowed) -> frozenset[str]:
    if isinstance(value, str) or not isinstance(value, (set, frozenset, list, tuple)):
        raise GradingInputError(name, "Enter a set of choices.", "type")
    for item in value:
        if item not in allowed:
            raise GradingInputError(name, f"Unknown choice: {item}.", "choice")
    return frozenset(value)


def _count(value: object, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise GradingInputError(name, "Enter a whole number.", "type")
    if value < 0:
        raise GradingInputError(name, "The number cannot be negative.", "negative")


@dataclass(frozen=True, kw_only=True)
class Facts:
    """What grading and the risk score look at, as the case records it.

    ``claimants`` counts the people claiming (for a wage case, the workers); ``total_claimed`` is
    their claims together; ``max_months_unpaid`` the longest run of unpaid wages of any of them
    (0 when none); ``groups`` the union of their groups (rule SP-3); ``evasion`` the CR-3 facts;
    ``criminal_verdict`` the criminal evaluator's verdict, or None when it was not run. Fields are
    keyword-only; sets of choices may be given as any set, list or tuple and are kept as frozensets.
    """

    category: str
    claimants: int
    total_claimed: Decimal
    max_months_unpaid: int
    groups: frozenset[str]
    labour_relationship: str
    evasion: frozenset[str]
    criminal_verdict: str | None
    construction: bool = False
    project_finished_or_closing: bool = False
    past_petitions: bool = False
    self_harm_threats: bool = False
    as_of: date

    def __post_init__(self) -> None:
        if self.category not in CATEGORIES:
            raise GradingInputError("category", f"Unknown category: {self.category}.", "choice")
        _count(self.claimants, "claimants")
        amount = self.total_claimed
        if not isinstance(amount, Decimal) or not amount.is_finite():
            raise GradingInputError("total_claimed", "Enter an amount in yuan.", "type")
        if amount < 0:
            raise GradingInputError("total_claimed", "The amount cannot be negative.", "negative")
        if amount > MAX_MONEY:
            raise GradingInputError(
                "total_claimed", f"The amount cannot exceed {MAX_MONEY}.", "too_large"
            )
        _count(self.max_months_unpaid, "max_months_unpaid")
        object.__setattr__(self, "groups", _strings(self.groups, "groups", GROUPS))
        object.__setattr__(self, "evasion", _strings(self.evasion, "evasion", EVASION_KINDS))
        if self.labour_relationship not in LABOUR_RELATIONSHIPS:
            raise GradingInputError(
                "labour_relationship",
                f"Unknown labour relationship: {self.labour_relationship}.",
                "choice",
            )
        if self.criminal_verdict is not None and self.criminal_verdict not in VERDICTS:
            raise GradingInputError(
                "criminal_verdict", f"Unknown verdict: {self.criminal_verdict}.", "choice"
            )
        if isinstance(self.as_of, datetime) or not isinstance(self.as_of, date):
            raise GradingInputError("as_of", "Enter a date.", "type")
        for name in (
            "construction",
            "project_finished_or_closing",
            "past_petitions",
            "self_harm_threats",
        ):
            if not isinstance(getattr(self, name), bool):
                raise GradingInputError(name, "Enter true or false.", "type")


# --- rules -------------------------------------------------------------------------------------


def _positive(value: object, name: str, *, zero: bool = False) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < (0 if zero else 1):
        raise ValueError(f"{name} must be a whole number {'≥ 0' if zero else '≥ 1'}, not {value!r}")


def _subset(value: frozenset[str], name: str, allowed) -> None:
    unknown = sorted(set(value) - set(allowed))
    if unknown:
        raise ValueError(f"{name}: unknown {', '.join(unknown)}")


@dataclass(frozen=True)
class RiskRules:
    """rule EW-3 (a local design, all configurable) and the EW-2 campaign window.

    ``campaign_end`` is the last day of the current 治理欠薪冬季行动 (the Spring Festival, from the
    yearly configuration); None means no campaign is configured, so the window never counts.
    ``collective_threshold`` is the province's CR-4 ten-or-more-workers figure in force on the day
    scored, or None when it is not entered (that point is skipped and a reason says so).
    """

    workers_many: int = 10
    workers_mass: int = 30
    months_long: int = 3
    campaign_start_month: int = 11
    campaign_start_day: int = 1
    campaign_end: date | None = None
    alert_score: int = 3
    collective_threshold: Figure | None = None
    weight: int = 1
    heavy_weight: int = 3

    def __post_init__(self) -> None:
        for name in ("workers_many", "workers_mass", "months_long", "alert_score"):
            _positive(getattr(self, name), name)
        for name in ("weight", "heavy_weight"):
            _positive(getattr(self, name), name, zero=True)
        # A non-leap year, so 29 February is refused: the window must start every year.
        date(2001, self.campaign_start_month, self.campaign_start_day)


@dataclass(frozen=True)
class GradingRules:
    """C3 grading conditions, each raising a case to a level (defaults are Zhichi's design [L]).

    ``standard_amount`` is the province's CR-4 ten-or-more-workers figure in force on the day
    graded; when None, ``fallback_standard_amount`` (the national floor) is used and said.
    """

    standard_claimants: int = 10
    major_claimants: int = 30
    standard_amount: Figure | None = None
    fallback_standard_amount: Figure = NATIONAL_COLLECTIVE_FLOOR
    major_amount_multiple: Decimal = Decimal("3")
    vulnerable_groups: frozenset[str] = frozenset({"minor", "disabled", "elderly"})
    standard_categories: frozenset[str] = frozenset({"domestic_violence", "guardianship"})
    minor_major_categories: frozenset[str] = frozenset({"domestic_violence", "guardianship"})
    major_verdicts: frozenset[str] = frozenset({TRANSFER})
    standard_verdicts: frozenset[str] = frozenset({ORDER_FIRST, DEPENDS_ON_PROVINCE_CONFIG})
    major_risk_levels: frozenset[str] = frozenset({RISK_HIGH})

    def __post_init__(self) -> None:
        _positive(self.standard_claimants, "standard_claimants")
        _positive(self.major_claimants, "major_claimants")
        multiple = self.major_amount_multiple
        if not isinstance(multiple, Decimal) or not multiple.is_finite() or multiple <= 0:
            raise ValueError(f"major_amount_multiple must be a positive Decimal, not {multiple!r}")
        _subset(self.vulnerable_groups, "vulnerable_groups", GROUPS)
        _subset(self.standard_categories, "standard_categories", CATEGORIES)
        _subset(self.minor_major_categories, "minor_major_categories", CATEGORIES)
        _subset(self.major_verdicts, "major_verdicts", VERDICTS)
        _subset(self.standard_verdicts, "standard_verdicts", VERDICTS)
        _subset(self.major_risk_levels, "major_risk_levels", RISK_LEVELS)


# --- helpers -----------------------------------------------------------------------------------


def _yuan(value: Decimal) -> str:
    """Money for reason texts: 12,000.00."""
    return f"{value.quantize(_CENT, rounding=ROUND_HALF_UP):,.2f}"


def _money(value: Decimal) -> str:
    """Money for JSON: "12000.00"."""
    return str(value.quantize(_CENT, rounding=ROUND_HALF_UP))


def _ymd(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _check_in_force(figure: Figure, as_of: date, name: str) -> None:
    # As in the criminal evaluator: a figure not yet in force on the day is the caller's error.
    if figure.effective_from > as_of:
        raise ValueError(
            f"{name} {figure.value} ({figure.source}) takes effect on "
            f"{figure.effective_from.isoformat()}, after as_of {as_of.isoformat()}"
        )


# --- rule EW-2: the campaign window ------------------------------------------------------------


def campaign_window(rules: RiskRules) -> tuple[date, date] | None:
    """rule EW-2: the first and last day of the winter campaign ending on ``rules.campaign_end``.

    It starts on the last campaign start day (1 November by default) on or before the end, so an
    end at the Spring Festival of year Y gives 1 November of Y − 1 to that day, both included.
    """
    end = rules.campaign_end
    if end is None:
        return None
    start = date(end.year, rules.campaign_start_month, rules.campaign_start_day)
    if start > end:
        start = date(end.year - 1, rules.campaign_start_month, rules.campaign_start_day)
    return start, end


# --- rule EW-3: the risk score -----------------------------------------------------------------


def _point(code: str, text: str, weight: int, rule: str = "EW-3", **params) -> Reason:
    return Reason(code, rule, f"{text}（+{weight}分）", 0, weight, {**params, "weight": weight})


def risk(facts: Facts, rules: RiskRules) -> Risk:
    """Score the risk of a collective wage dispute (rule EW-3; the campaign window is EW-2).

    +``weight`` (1) for each of: ``workers_many`` or more claimants; the amount at or above the
    province's CR-4 collective figure; ``months_long`` or more months unpaid; a construction
    project; a 包工头 crew; the employer absconded or moving assets; the project finished or the
    company closing; inside the campaign window. +``heavy_weight`` (3) for each of: ``workers_mass``
    or more claimants; past petitions or blockades; self-harm threats. ``level`` is "high" at
    ``alert_score`` or more, "low" above 0, else "none". Raises ``ValueError`` for a figure not yet
    in force on ``facts.as_of``.
    """
    if rules.collective_threshold is not None:
        _check_in_force(rules.collective_threshold, facts.as_of, "collective_threshold")
    w, heavy = rules.weight, rules.heavy_weight
    reasons: list[Reason] = []

    if facts.claimants >= rules.workers_many:
        reasons.append(
            _point(
                "workers_many",
                f"涉及{facts.claimants}人，达到{rules.workers_many}人以上",
                w,
                claimants=facts.claimants,
                minimum=rules.workers_many,
            )
        )
    threshold = rules.collective_threshold
    if threshold is None:
        reasons.append(
            Reason(
                "collective_threshold_missing",
                "EW-3",
                "本省拒不支付劳动报酬罪10名以上劳动者“数额较大”标准尚未录入系统，"
                "“金额达到本省标准”一项未计分；请系统管理员录入后重新评分（+0分）",
                0,
                0,
                {"weight": 0},
            )
        )
    elif facts.total_claimed >= threshold.value:
        reasons.append(
            _point(
                "amount_reaches_collective_threshold",
                f"涉及金额{_yuan(facts.total_claimed)}元，达到本省10名以上劳动者“数额较大”标准"
                f"{_yuan(threshold.value)}元（{threshold.source}，"
                f"{_ymd(threshold.effective_from)}施行）",
                w,
                amount=_money(facts.total_claimed),
                threshold=_money(threshold.value),
                source=threshold.source,
                effective_from=threshold.effective_from.isoformat(),
            )
        )
    if facts.max_months_unpaid >= rules.months_long:
        reasons.append(
            _point(
                "months_long",
                f"最长拖欠{facts.max_months_unpaid}个月，达到{rules.months_long}个月以上",
                w,
                months=facts.max_months_unpaid,
                minimum=rules.months_long,
            )
        )
    if facts.construction:
        reasons.append(_point("construction", "属于工程建设领域", w))
    if facts.labour_relationship == CONTRACTOR_CREW:
        reasons.append(_point("contractor_crew", "由包工头招用或者存在违法分包、转包", w))
    moving = [k for k in ("absconded", "transferred_assets") if k in facts.evasion]
    if moving:
        what = "、".join({"absconded": "逃匿", "transferred_assets": "转移财产"}[k] for k in moving)
        reasons.append(_point("employer_evading", f"用人单位或其负责人{what}", w, kinds=moving))
    if facts.project_finished_or_closing:
        reasons.append(_point("project_ending", "项目已完工或者企业停业、关闭", w))
    window = campaign_window(rules)
    if window is not None and window[0] <= facts.as_of <= window[1]:
        reasons.append(
            _point(
                "campaign_window",
                f"处于治理欠薪冬季专项行动期间（{_ymd(window[0])}至{_ymd(window[1])}），"
                "应提高处理优先级",
                w,
                rule="EW-2",
                start=window[0].isoformat(),
                end=window[1].isoformat(),
            )
        )
    if facts.claimants >= rules.workers_mass:
        reasons.append(
            _point(
                "workers_mass",
                f"涉及{facts.claimants}人，达到{rules.workers_mass}人以上",
                heavy,
                claimants=facts.claimants,
                minimum=rules.workers_mass,
            )
        )
    if facts.past_petitions:
        reasons.append(_point("past_petitions", "曾发生集体上访、静坐或者堵路、堵工地", heavy))
    if facts.self_harm_threats:
        reasons.append(_point("self_harm_threats", "有人以自伤、自残等极端方式相威胁", heavy))

    score = sum(r.weight for r in reasons)
    if score >= rules.alert_score:
        level = RISK_HIGH
        reasons.append(
            Reason(
                "alert",
                "EW-3",
                f"风险评分{score}分，达到预警分值{rules.alert_score}分：应向部门负责人预警，"
                "并建议联系人社部门或者根治拖欠农民工工资工作机构（+0分）",
                0,
                0,
                {"score": score, "alert_score": rules.alert_score, "weight": 0},
            )
        )
    elif score > 0:
        level = RISK_LOW
    else:
        level = RISK_NONE
        reasons.append(
            Reason(
                "no_risk_factor",
                "EW-3",
                "按已录入的信息，未发现群体性欠薪风险因素（+0分）",
                0,
                0,
                {"weight": 0},
            )
        )
    return Risk(score, level, tuple(reasons))


# --- C3: grading -------------------------------------------------------------------------------


def grade(facts: Facts, rules: GradingRules, risk: Risk) -> Grade:
    """Grade a case: 1 routine, 2 standard, 3 major (C3), the highest level any condition raises to.

    ``risk`` is the EW-3 result for the same facts (``risk(facts, risk_rules)``). Raises
    ``ValueError`` for an amount figure not yet in force on ``facts.as_of``.
    """
    if risk.level not in RISK_LEVELS:
        raise ValueError(f"unknown risk level {risk.level!r}")
    province = rules.standard_amount
    figure = province if province is not None else rules.fallback_standard_amount
    _check_in_force(figure, facts.as_of, "standard_amount")
    # the values of ``standard_words``, for a reader in another language
    standard_params = {
        "basis": "national_floor" if province is None else "province",
        "standard": _money(figure.value),
        "source": figure.source,
        "effective_from": figure.effective_from.isoformat(),
    }
    if province is None:
        basis = "national_floor"
        standard_words = (
            f"本省10名以上劳动者“数额较大”标准尚未录入系统，按{figure.source}"
            f"{_yuan(figure.value)}元计"
        )
    else:
        basis = "province"
        standard_words = (
            f"本省10名以上劳动者“数额较大”标准{_yuan(figure.value)}元（{figure.source}，"
            f"{_ymd(figure.effective_from)}施行）"
        )
    standard = figure.value
    major = standard * rules.major_amount_multiple
    reasons: list[tuple[Reason, str]] = []

    def add(code: str, rule: str, text: str, level: int, short: str, **params) -> None:
        reasons.append((Reason(code, rule, text, level, params=params), short))

    # C3: how many people claim (one reason, at the higher threshold reached).
    n = facts.claimants
    if n >= rules.major_claimants:
        add(
            "claimants_major",
            "C3",
            f"申请人{n}名，达到{rules.major_claimants}名以上，按重大案件办理",
            MAJOR,
            f"申请人{rules.major_claimants}名以上",
            claimants=n,
            minimum=rules.major_claimants,
        )
    elif n >= rules.standard_claimants:
        add(
            "claimants_standard",
            "C3",
            f"申请人{n}名，达到{rules.standard_claimants}名以上",
            STANDARD,
            f"申请人{rules.standard_claimants}名以上",
            claimants=n,
            minimum=rules.standard_claimants,
        )

    # C3: the amount claimed against the CR-4 collective figure (or the national floor).
    amount = facts.total_claimed
    if amount >= major:
        add(
            "amount_major",
            "C3",
            f"请求金额合计{_yuan(amount)}元，达到标准金额的{rules.major_amount_multiple}倍"
            f"（{_yuan(major)}元；{standard_words}），按重大案件办理",
            MAJOR,
            "金额重大",
            amount=_money(amount),
            multiple=str(rules.major_amount_multiple),
            major=_money(major),
            **standard_params,
        )
    elif amount >= standard:
        add(
            "amount_standard",
            "C3",
            f"请求金额合计{_yuan(amount)}元，达到标准金额（{standard_words}）",
            STANDARD,
            "金额较大",
            amount=_money(amount),
            **standard_params,
        )

    # rule SP-3: claimants in a vulnerable group.
    for group, name in GROUPS.items():
        if group in rules.vulnerable_groups and group in facts.groups:
            add(
                f"vulnerable_{group}",
                "SP-3",
                f"申请人中有{name}，属于需要特别保护的特定群体",
                STANDARD,
                f"涉及{name}",
                group=group,
            )

    # C3: categories handled at least as standard, and major when a minor is involved.
    category = CATEGORIES[facts.category]
    if facts.category in rules.standard_categories:
        add(
            "category_standard",
            "C3",
            f"案件类型为{category}，至少按二级案件办理",
            STANDARD,
            f"{category}案件",
            category=facts.category,
        )
    if facts.category in rules.minor_major_categories and "minor" in facts.groups:
        add(
            "minor_in_category",
            "C3",
            f"{category}案件涉及未成年人（未成年人保护法第一百零六条），按重大案件办理",
            MAJOR,
            f"{category}案件涉及未成年人",
            category=facts.category,
        )

    # rules CR-1, CR-4, CR-5: the criminal evaluator's verdict.
    verdict = facts.criminal_verdict
    if verdict in rules.major_verdicts or verdict in rules.standard_verdicts:
        level = MAJOR if verdict in rules.major_verdicts else STANDARD
        rule, text, short = {
            TRANSFER: (
                "CR-1",
                "刑事线索研判结论为移送（拒不支付劳动报酬罪各项条件均已具备）",
                "刑事线索应移送",
            ),
            ORDER_FIRST: (
                "CR-5",
                "刑事线索研判结论为先移送人社部门责令支付（数额已达“数额较大”，尚待责令支付）",
                "刑事线索待责令支付",
            ),
            DEPENDS_ON_PROVINCE_CONFIG: (
                "CR-4",
                "刑事线索研判结论取决于本省“数额较大”标准（尚未录入），在此之前不作最终认定",
                "刑事线索待本省标准",
            ),
        }.get(verdict, ("CR-1", f"刑事线索研判结论为{verdict}", "刑事线索研判"))
        add(f"criminal_{verdict}", rule, text, level, short, verdict=verdict)

    # rule EW-3: a high mass-dispute risk.
    if risk.level in rules.major_risk_levels:
        add(
            "risk_high" if risk.level == RISK_HIGH else f"risk_{risk.level}",
            "EW-3",
            f"群体性欠薪风险评分{risk.score}分（{RISK_NAMES[risk.level]}），按重大案件办理",
            MAJOR,
            f"群体性欠薪风险{risk.score}分",
            score=risk.score,
            risk_level=risk.level,
        )

    threshold = {
        "basis": basis,
        "value": _money(figure.value),
        "source": figure.source,
        "effective_from": figure.effective_from.isoformat(),
        "major_value": _money(major),
    }
    if not reasons:
        text = (
            f"未发现需要提级的情形：申请人{n}名（不足{rules.standard_claimants}名），"
            f"请求金额合计{_yuan(amount)}元（低于标准金额；{standard_words}），"
            "无特定群体、案件类型、刑事线索或群体性欠薪风险方面的提级事由，按一级案件办理"
        )
        reason = Reason(
            "routine",
            "C3",
            text,
            ROUTINE,
            params={
                "claimants": n,
                "minimum": rules.standard_claimants,
                "amount": _money(amount),
                **standard_params,
            },
        )
        return Grade(
            ROUTINE,
            (reason,),
            f"本案定为{LEVEL_NAMES[ROUTINE]}案件，未发现需要提级的情形。",
            threshold,
        )

    level = max(r.level for r, _ in reasons)
    top = [short for r, short in reasons if r.level == level]
    lower = len(reasons) - len(top)
    summary = f"本案定为{LEVEL_NAMES[level]}案件，依据：{'、'.join(top)}"
    if lower:
        summary += f"；另有{lower}项较低级别的情形"
    summary += "。"
    return Grade(level, tuple(r for r, _ in reasons), summary, threshold)


# --- JSON --------------------------------------------------------------------------------------


def as_dict(result: Grade) -> dict:
    """``{"level", "reasons": [{"code", "rule", "text", "level"}], "summary", "threshold"}``."""
    return {
        "level": result.level,
        "reasons": [
            {"code": r.code, "rule": r.rule, "text": r.text, "level": r.level}
            for r in result.reasons
        ],
        "summary": result.summary,
        "threshold": dict(result.threshold),
    }


def risk_as_dict(result: Risk) -> dict:
    """The API shape: ``{"score", "level", "reasons": [{"code", "rule", "text", "weight"}]}``."""
    return {
        "score": result.score,
        "level": result.level,
        "reasons": [
            {"code": r.code, "rule": r.rule, "text": r.text, "weight": r.weight}
            for r in result.reasons
        ],
    }
