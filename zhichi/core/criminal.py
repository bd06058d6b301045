"""拒不支付劳动报酬罪 (Criminal Law art. 276-1): should a wage lead go to the criminal department?

Pure Python (stdlib only). Rules CR-1 … CR-8 of docs DOMAIN.md § 2. Every money figure (the
province's 数额较大 figures and the national range of 法释〔2013〕3号 art. 3) is dated
configuration passed in by the caller; the verdict names each figure it used with its source and
the date it took effect. A province whose figures are not entered (Yunnan, UNVERIFIED) is
evaluated against the national range in three states and never guessed.

Reason texts are plain Chinese for the officer who reads them; codes are stable for programs,
and each reason's ``params`` (and each verdict's ``step`` and ``step_params``) carry the values
its text is made of, so an application can store the code and put it into words in its
reader's language (zhichi/rulebook/words.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

__all__ = [
    "BELOW_THRESHOLD",
    "DEPENDS_ON_PROVINCE_CONFIG",
    "EVASION_KINDS",
    "NOT_APPLICABLE",
    "ORDER_FIRST",
    "REASON_CODES",
    "SEVERITY",
    "STEPS",
    "TRANSFER",
    "VERDICTS",
    "Figure",
    "LeadInputError",
    "NationalRange",
    "PaymentOrder",
    "Reason",
    "Thresholds",
    "Verdict",
    "Worker",
    "as_dict",
    "evaluate",
]

TRANSFER = "transfer"
ORDER_FIRST = "order_first"
BELOW_THRESHOLD = "below_threshold"
DEPENDS_ON_PROVINCE_CONFIG = "depends_on_province_config"
NOT_APPLICABLE = "not_applicable"
VERDICTS = (TRANSFER, ORDER_FIRST, BELOW_THRESHOLD, DEPENDS_ON_PROVINCE_CONFIG, NOT_APPLICABLE)

# How far a verdict goes toward a criminal transfer, for ordering and monotonicity checks.
SEVERITY = {
    NOT_APPLICABLE: 0,
    BELOW_THRESHOLD: 0,
    DEPENDS_ON_PROVINCE_CONFIG: 1,
    ORDER_FIRST: 2,
    TRANSFER: 2,
}

# rule CR-4: the individual branch needs at least three months' wages owed to one worker, the
# collective branch at least ten workers (法释〔2013〕3号 art. 3). These counts are the words of
# the interpretation, not provincial figures.
MIN_MONTHS_INDIVIDUAL = 3
MIN_WORKERS_COLLECTIVE = 10

# rule CR-3: evasion facts as the API records them (法释〔2013〕3号 art. 2; 人社部发〔2014〕100号).
EVASION_KINDS: dict[str, str] = {
    "transferred_assets": (
        "隐匿财产、恶意清偿、虚构债务、虚假破产、虚假倒闭或者以其他方法转移、处分财产"
        "（法释〔2013〕3号第二条第（一）项）"
    ),
    "absconded": "逃跑、藏匿（法释〔2013〕3号第二条第（二）项）",
    "destroyed_records": (
        "隐匿、销毁或者篡改账目、职工名册、工资支付记录、考勤记录等与劳动报酬相关的材料"
        "（法释〔2013〕3号第二条第（三）项）"
    ),
    "refused_summons": (
        "经人社部门以书面、电话、短信等能够确认其收悉的方式通知，在指定时间、地点未到场"
        "或者明确表示拒不支付，视为以逃匿方法逃避支付（人社部发〔2014〕100号）"
    ),
}

# rule CR-8 (Criminal Law art. 87): years of the prosecution limitation. Statute, not a figure.
LIMITATION_YEARS_BASIC = 5
LIMITATION_YEARS_SERIOUS = 10

# Every code a reason can carry and every next step a verdict can name, for the programs that
# put them into words (a test checks that ``evaluate`` gives no other).
REASON_CODES = frozenset(
    {
        "nothing_owed",
        "paid_after_order",
        "serious_consequences_check",
        "individual_months_short",
        "individual_meets",
        "individual_below",
        "individual_between",
        "collective_workers_short",
        "collective_meets",
        "collective_below",
        "collective_between",
        "province_figure_outside_national_range",
        "province_figure_missing",
        "no_payment_order",
        "order_by_posting",
        "order_deadline_running",
        "order_deadline_passed",
        "ability_to_pay_to_verify",
        "limitation_period",
        *(f"evasion_{kind}" for kind in EVASION_KINDS),
    }
)
STEPS = frozenset(
    {
        "add_workers",
        "follow_up_payment",
        "civil_remedies",
        "enter_province_figures",
        "order_first",
        "await_order_deadline",
        "transfer",
    }
)

_CENT = Decimal("0.01")
# A technical bound, not a legal figure: money columns hold 14 digits with 2 decimals.
MAX_MONEY = Decimal("999999999999.99")


@dataclass(frozen=True)
class Figure:
    """One dated figure of configuration: its value, where it comes from, when it took effect."""

    value: Decimal
    source: str
    effective_from: date


@dataclass(frozen=True)
class Thresholds:
    """A province's 数额较大 figures (rule CR-4): one worker, and ten or more workers cumulative."""

    province: str
    individual: Figure
    collective: Figure


@dataclass(frozen=True)
class NationalRange:
    """The national bounds inside which provinces fix their figures (法释〔2013〕3号 art. 3)."""

    individual_floor: Figure
    individual_ceiling: Figure
    collective_floor: Figure
    collective_ceiling: Figure


@dataclass(frozen=True)
class Worker:
    """One worker's unpaid 劳动报酬 (rule CR-2: wages, bonuses, allowances, overtime pay …;
    not economic compensation or damages) and how many months' wages it covers."""

    amount: Decimal
    months: int


AUTHORITY_MAX_LENGTH = 200  # the order to pay's issuing authority, as stored and as sent


@dataclass(frozen=True)
class PaymentOrder:
    """The order to pay (责令支付, rule CR-5) issued by 人社 or another government department.
    ``authority`` is at most ``AUTHORITY_MAX_LENGTH`` characters wherever it is stored or sent."""

    issued_on: date | None
    deadline: date | None
    authority: str = ""


@dataclass(frozen=True)
class Reason:
    """``params``: the values in ``text`` (amounts as "12000.00", dates as ISO strings)."""

    code: str
    rule: str
    text: str
    params: dict = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class Verdict:
    """``step`` names ``next_step`` for programs; ``step_params`` are the values in it."""

    verdict: str
    reasons: tuple[Reason, ...]
    threshold: dict | None
    next_step: str
    step: str = ""
    step_params: dict = field(default_factory=dict, hash=False)


class LeadInputError(ValueError):
    """Invalid lead facts: ``field`` uses the API's names (``workers.0.amount``), ``code`` is
    stable, ``message`` is English for the Django layer to translate (as in identifiers)."""

    def __init__(self, field: str, message: str, code: str = "invalid") -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.code = code
        self.message = message


def _yuan(value: Decimal) -> str:
    """Money for reason texts: 12,000.00."""
    return f"{value.quantize(_CENT, rounding=ROUND_HALF_UP):,.2f}"


def _money(value: Decimal) -> str:
    """Money for JSON: "12000.00"."""
    return str(value.quantize(_CENT, rounding=ROUND_HALF_UP))


def _ymd(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _figure_dict(figure: Figure) -> dict:
    return {
        "value": _money(figure.value),
        "source": figure.source,
        "effective_from": figure.effective_from.isoformat(),
    }


def _add_years(day: date, years: int) -> date:
    """The corresponding day ``years`` later; 29 February falls back to 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def _check_inputs(
    workers: list[Worker],
    as_of: date,
    thresholds: Thresholds | None,
    national: NationalRange,
    payment_order: PaymentOrder | None,
    evasion: list[str],
) -> None:
    for i, worker in enumerate(workers):
        amount = worker.amount
        if not isinstance(amount, Decimal) or not amount.is_finite():
            raise LeadInputError(f"workers.{i}.amount", "Enter an amount in yuan.", "type")
        if amount < 0:
            raise LeadInputError(
                f"workers.{i}.amount", "The amount cannot be negative.", "negative"
            )
        if amount > MAX_MONEY:
            raise LeadInputError(
                f"workers.{i}.amount", f"The amount cannot exceed {MAX_MONEY}.", "too_large"
            )
        if isinstance(worker.months, bool) or not isinstance(worker.months, int):
            raise LeadInputError(f"workers.{i}.months", "Enter a whole number of months.", "type")
        if worker.months < 0:
            raise LeadInputError(
                f"workers.{i}.months", "The number of months cannot be negative.", "negative"
            )
    for i, kind in enumerate(evasion):
        if kind not in EVASION_KINDS:
            raise LeadInputError(f"evasion.{i}", f"Unknown evasion fact: {kind}.", "choice")
    if (
        payment_order is not None
        and payment_order.issued_on is not None
        and payment_order.deadline is not None
        and payment_order.deadline < payment_order.issued_on
    ):
        raise LeadInputError(
            "payment_order.deadline",
            "The deadline cannot be before the day the order was issued.",
            "before_issued",
        )
    # A figure that was not yet in force on the day evaluated is a configuration error of the
    # caller (it must pick the figure in effect on as_of), not something to decide on.
    figures = [
        national.individual_floor,
        national.individual_ceiling,
        national.collective_floor,
        national.collective_ceiling,
    ]
    if thresholds is not None:
        figures += [thresholds.individual, thresholds.collective]
    for figure in figures:
        if figure.effective_from > as_of:
            raise ValueError(
                f"figure {figure.value} ({figure.source}) takes effect on "
                f"{figure.effective_from.isoformat()}, after as_of {as_of.isoformat()}"
            )


# Amount test states.
_MEETS = "meets"
_BETWEEN = "between"
_BELOW = "below"


def _months_short() -> Reason:
    return Reason(
        "individual_months_short",
        "CR-4",
        "没有劳动者被拖欠满3个月的工资，不符合单个劳动者的“数额较大”情形（须拖欠3个月以上）",
        {"months": MIN_MONTHS_INDIVIDUAL},
    )


def _workers_short(count: int) -> Reason:
    return Reason(
        "collective_workers_short",
        "CR-4",
        f"被拖欠工资的劳动者{count}名，不足10名，不符合多名劳动者累计的“数额较大”情形",
        {"workers": count, "minimum": MIN_WORKERS_COLLECTIVE},
    )


def _amount_test_known(
    owed: list[Worker], thresholds: Thresholds, national: NationalRange
) -> tuple[str, list[Reason]]:
    """rule CR-4 with the province's figures."""
    reasons: list[Reason] = []
    individual = thresholds.individual.value
    collective = thresholds.collective.value
    long_owed = [w for w in owed if w.months >= MIN_MONTHS_INDIVIDUAL]
    met = False

    if long_owed:
        top = max(long_owed, key=lambda w: w.amount)
        reaching = [w for w in long_owed if w.amount >= individual]
        if reaching:
            met = True
            if len(reaching) == 1:
                text = (
                    f"1名劳动者被拖欠3个月以上工资{_yuan(top.amount)}元（{top.months}个月），"
                    f"达到本省“数额较大”标准（{_yuan(individual)}元）"
                )
            else:
                text = (
                    f"{len(reaching)}名劳动者各被拖欠3个月以上工资且金额达到本省“数额较大”"
                    f"标准（{_yuan(individual)}元），其中最高1名被拖欠{top.months}个月工资"
                    f"{_yuan(top.amount)}元"
                )
            params = {
                "basis": "province",
                "workers": len(reaching),
                "amount": _money(top.amount),
                "months": top.months,
                "threshold": _money(individual),
            }
            reasons.append(Reason("individual_meets", "CR-4", text, params))
        else:
            reasons.append(
                Reason(
                    "individual_below",
                    "CR-4",
                    f"被拖欠3个月以上工资的劳动者中，最高1名被拖欠{_yuan(top.amount)}元，"
                    f"低于本省“数额较大”标准（{_yuan(individual)}元）",
                    {
                        "basis": "province",
                        "amount": _money(top.amount),
                        "threshold": _money(individual),
                    },
                )
            )
    else:
        reasons.append(_months_short())

    total = sum((w.amount for w in owed), Decimal(0))
    if len(owed) >= MIN_WORKERS_COLLECTIVE:
        if total >= collective:
            met = True
            reasons.append(
                Reason(
                    "collective_meets",
                    "CR-4",
                    f"{len(owed)}名劳动者被拖欠工资累计{_yuan(total)}元，达到本省10名以上"
                    f"劳动者“数额较大”标准（{_yuan(collective)}元）",
                    {
                        "basis": "province",
                        "workers": len(owed),
                        "total": _money(total),
                        "threshold": _money(collective),
                    },
                )
            )
        else:
            reasons.append(
                Reason(
                    "collective_below",
                    "CR-4",
                    f"{len(owed)}名劳动者被拖欠工资累计{_yuan(total)}元，低于本省10名以上"
                    f"劳动者“数额较大”标准（{_yuan(collective)}元）",
                    {
                        "basis": "province",
                        "workers": len(owed),
                        "total": _money(total),
                        "threshold": _money(collective),
                    },
                )
            )
    else:
        reasons.append(_workers_short(len(owed)))

    # A province figure outside the national range is most likely a typing error in the
    # configuration; say so rather than decide silently on it.
    outside = []
    outside_params = {}
    if not national.individual_floor.value <= individual <= national.individual_ceiling.value:
        outside.append(f"单个劳动者标准{_yuan(individual)}元")
        outside_params["individual"] = _money(individual)
    if not national.collective_floor.value <= collective <= national.collective_ceiling.value:
        outside.append(f"10名以上劳动者标准{_yuan(collective)}元")
        outside_params["collective"] = _money(collective)
    if outside:
        reasons.append(
            Reason(
                "province_figure_outside_national_range",
                "CR-4",
                f"本省配置的{'、'.join(outside)}超出法释〔2013〕3号第三条规定的全国幅度，"
                "请核对配置",
                outside_params,
            )
        )
    return (_MEETS if met else _BELOW), reasons


def _amount_test_national(
    owed: list[Worker], national: NationalRange, province: str | None
) -> tuple[str, list[Reason]]:
    """rule CR-4 when the province's figures are not entered: three states on the national range."""
    reasons: list[Reason] = []
    states: list[str] = []
    i_floor, i_ceiling = national.individual_floor.value, national.individual_ceiling.value
    c_floor, c_ceiling = national.collective_floor.value, national.collective_ceiling.value

    long_owed = [w for w in owed if w.months >= MIN_MONTHS_INDIVIDUAL]
    if long_owed:
        top = max(long_owed, key=lambda w: w.amount).amount
        head = f"被拖欠3个月以上工资的劳动者中，最高1名被拖欠{_yuan(top)}元"
        if top >= i_ceiling:
            states.append(_MEETS)
            reasons.append(
                Reason(
                    "individual_meets",
                    "CR-4",
                    f"{head}，达到全国幅度的上限（{_yuan(i_ceiling)}元），"
                    "无论本省标准如何均属“数额较大”",
                    {
                        "basis": "national_range",
                        "amount": _money(top),
                        "ceiling": _money(i_ceiling),
                    },
                )
            )
        elif top < i_floor:
            states.append(_BELOW)
            reasons.append(
                Reason(
                    "individual_below",
                    "CR-4",
                    f"{head}，低于全国幅度的下限（{_yuan(i_floor)}元），"
                    "无论本省标准如何均未达“数额较大”",
                    {"basis": "national_range", "amount": _money(top), "floor": _money(i_floor)},
                )
            )
        else:
            states.append(_BETWEEN)
            reasons.append(
                Reason(
                    "individual_between",
                    "CR-4",
                    f"{head}，在全国幅度（{_yuan(i_floor)}元至{_yuan(i_ceiling)}元）之内，"
                    "是否“数额较大”取决于本省标准",
                    {
                        "basis": "national_range",
                        "amount": _money(top),
                        "floor": _money(i_floor),
                        "ceiling": _money(i_ceiling),
                    },
                )
            )
    else:
        states.append(_BELOW)
        reasons.append(_months_short())

    total = sum((w.amount for w in owed), Decimal(0))
    if len(owed) >= MIN_WORKERS_COLLECTIVE:
        head = f"{len(owed)}名劳动者被拖欠工资累计{_yuan(total)}元"
        counted = {"basis": "national_range", "workers": len(owed), "total": _money(total)}
        if total >= c_ceiling:
            states.append(_MEETS)
            reasons.append(
                Reason(
                    "collective_meets",
                    "CR-4",
                    f"{head}，达到全国幅度的上限（{_yuan(c_ceiling)}元），"
                    "无论本省标准如何均属“数额较大”",
                    {**counted, "ceiling": _money(c_ceiling)},
                )
            )
        elif total < c_floor:
            states.append(_BELOW)
            reasons.append(
                Reason(
                    "collective_below",
                    "CR-4",
                    f"{head}，低于全国幅度的下限（{_yuan(c_floor)}元），"
                    "无论本省标准如何均未达“数额较大”",
                    {**counted, "floor": _money(c_floor)},
                )
            )
        else:
            states.append(_BETWEEN)
            reasons.append(
                Reason(
                    "collective_between",
                    "CR-4",
                    f"{head}，在全国幅度（{_yuan(c_floor)}元至{_yuan(c_ceiling)}元）之内，"
                    "是否“数额较大”取决于本省标准",
                    {**counted, "floor": _money(c_floor), "ceiling": _money(c_ceiling)},
                )
            )
    else:
        states.append(_BELOW)
        reasons.append(_workers_short(len(owed)))

    if _MEETS in states:
        return _MEETS, reasons
    if all(state == _BELOW for state in states):
        return _BELOW, reasons
    where = f"（省份代码{province}）" if province else ""
    reasons.append(
        Reason(
            "province_figure_missing",
            "CR-4",
            f"本省{where}“数额较大”的具体标准尚未录入系统（单个劳动者标准、10名以上劳动者"
            "累计标准）。请系统管理员录入省高级人民法院确定的标准及其依据、施行日期后重新研判；"
            "在此之前不作最终认定",
            {"province": province or ""},
        )
    )
    return _BETWEEN, reasons


def _order_facts(
    payment_order: PaymentOrder | None, as_of: date, evasion: list[str]
) -> tuple[str, list[Reason]]:
    """rule CR-5: has a government order to pay been made, and has its deadline passed?"""
    absconding = any(kind in ("absconded", "refused_summons") for kind in evasion)
    if payment_order is None or payment_order.deadline is None:
        text = (
            "尚无政府有关部门的责令支付文书（限期整改指令书、行政处理决定书等）"
            if payment_order is None
            else "责令支付文书未载明支付期限"
        )
        reasons = [
            Reason(
                "no_payment_order",
                "CR-5",
                f"{text}，不具备“经责令支付仍不支付”的条件，应先移送人社部门/劳动保障监察责令支付",
                {"order": "none" if payment_order is None else "no_deadline"},
            )
        ]
        if absconding:
            reasons.append(
                Reason(
                    "order_by_posting",
                    "CR-5",
                    "用人单位或其负责人逃匿、无法送达的，将责令支付文书在其住所地、生产经营场所"
                    "张贴并以拍照、录像等方式记录的，视为已责令支付",
                )
            )
        return "none", reasons
    who = payment_order.authority or "政府有关部门"
    issued = f"于{_ymd(payment_order.issued_on)}" if payment_order.issued_on else ""
    deadline = payment_order.deadline
    order = {
        "authority": payment_order.authority,
        "issued_on": payment_order.issued_on.isoformat() if payment_order.issued_on else "",
        "deadline": deadline.isoformat(),
    }
    if deadline >= as_of:
        # A deadline ends at 24:00 of its last day, so on that day it has not yet passed.
        return "running", [
            Reason(
                "order_deadline_running",
                "CR-5",
                f"{who}{issued}责令支付，支付期限至{_ymd(deadline)}止，尚未届满；"
                "期限届满仍不支付的，方可作为刑事线索移送",
                order,
            )
        ]
    return "passed", [
        Reason(
            "order_deadline_passed",
            "CR-5",
            f"{who}{issued}责令支付，支付期限已于{_ymd(deadline)}届满，仍未支付",
            order,
        )
    ]


def _evasion_reasons(evasion: list[str]) -> list[Reason]:
    return [Reason(f"evasion_{kind}", "CR-3", EVASION_KINDS[kind]) for kind in evasion]


def _ability_reason() -> Reason:
    return Reason(
        "ability_to_pay_to_verify",
        "CR-1",
        "未记录转移财产、逃匿等逃避支付情形；移送时须核实用人单位“有能力支付而不支付”"
        "（刑法第二百七十六条之一）",
    )


def _limitation_reason(payment_order: PaymentOrder | None, order_state: str) -> Reason:
    text = (
        f"追诉时效：基本犯{LIMITATION_YEARS_BASIC}年，造成严重后果的"
        f"{LIMITATION_YEARS_SERIOUS}年（刑法第八十七条）"
    )
    params: dict = {"basic": LIMITATION_YEARS_BASIC, "serious": LIMITATION_YEARS_SERIOUS}
    if order_state == "passed" and payment_order is not None and payment_order.deadline:
        start = payment_order.deadline + timedelta(days=1)
        params.update(
            start=start.isoformat(),
            basic_end=_add_years(payment_order.deadline, LIMITATION_YEARS_BASIC).isoformat(),
            serious_end=_add_years(payment_order.deadline, LIMITATION_YEARS_SERIOUS).isoformat(),
        )
        text += (
            f"。如以责令支付期限届满为犯罪成立之时，自{_ymd(start)}起算，基本犯至"
            f"{_ymd(_add_years(payment_order.deadline, LIMITATION_YEARS_BASIC))}、严重后果至"
            f"{_ymd(_add_years(payment_order.deadline, LIMITATION_YEARS_SERIOUS))}届满；"
            "起算点以刑事检察部门认定为准，临近届满的线索应优先办理"
        )
    else:
        text += "，自犯罪成立（责令支付期限届满仍不支付）之日起计算"
    return Reason("limitation_period", "CR-8", text, params)


def evaluate(
    *,
    workers: list[Worker],
    as_of: date,
    thresholds: Thresholds | None,
    national: NationalRange,
    payment_order: PaymentOrder | None,
    paid_after_order: bool,
    evasion: list[str],
    province: str | None = None,
) -> Verdict:
    """Classify a wage-arrears lead under Criminal Law art. 276-1 (rules CR-1 … CR-8).

    ``thresholds`` is the province's configuration in force on ``as_of``, or None when it has not
    been entered; ``province`` (optional, the GB/T 2260 code) only names the province in the
    reason when its figures are missing. Raises ``LeadInputError`` for invalid facts and
    ``ValueError`` for a figure not yet in force on ``as_of``.
    """
    _check_inputs(workers, as_of, thresholds, national, payment_order, evasion)
    evasion = list(dict.fromkeys(evasion))  # field names above keep the caller's indexes

    owed = [w for w in workers if w.amount > 0]
    if not owed:
        return Verdict(
            NOT_APPLICABLE,
            (
                Reason(
                    "nothing_owed",
                    "CR-1",
                    "未记录被拖欠劳动报酬的劳动者或拖欠金额，不构成拒不支付劳动报酬的刑事线索",
                ),
            ),
            None,
            "无需移送刑事线索；如有欠薪事实，请补充劳动者及金额后重新研判",
            "add_workers",
        )
    if paid_after_order:
        # rules CR-6, CR-7: payment in full before 立案 without serious consequences.
        return Verdict(
            NOT_APPLICABLE,
            (
                Reason(
                    "paid_after_order",
                    "CR-7",
                    "经责令支付后已全额支付劳动报酬。在刑事立案前支付且未造成严重后果的，"
                    "可以不认为是犯罪，可以不予立案追诉（法释〔2013〕3号第六条；立案追诉标准）",
                ),
                Reason(
                    "serious_consequences_check",
                    "CR-6",
                    "如拖欠已造成劳动者或其被赡养人、被扶养人基本生活受到严重影响、重大疾病无法"
                    "及时医治、子女失学，或者对讨薪劳动者使用暴力、以暴力相威胁等严重后果的，"
                    "请另行研判",
                ),
            ),
            None,
            "不移送刑事线索；跟踪相关赔偿责任的履行情况",
            "follow_up_payment",
        )

    if thresholds is not None:
        state, reasons = _amount_test_known(owed, thresholds, national)
        threshold: dict = {
            "basis": "province",
            "province": thresholds.province,
            "individual": _figure_dict(thresholds.individual),
            "collective": _figure_dict(thresholds.collective),
        }
    else:
        state, reasons = _amount_test_national(owed, national, province)
        threshold = {
            "basis": "national_range",
            "province": province,
            "missing": "province_figures",
            "individual_floor": _figure_dict(national.individual_floor),
            "individual_ceiling": _figure_dict(national.individual_ceiling),
            "collective_floor": _figure_dict(national.collective_floor),
            "collective_ceiling": _figure_dict(national.collective_ceiling),
        }

    if state == _BELOW:
        return Verdict(
            BELOW_THRESHOLD,
            tuple(reasons),
            threshold,
            "未达“数额较大”标准，不作刑事线索移送；通过劳动保障监察、劳动仲裁或支持起诉追索欠薪",
            "civil_remedies",
        )

    order_state, order_reasons = _order_facts(payment_order, as_of, evasion)
    deadline = payment_order.deadline if payment_order is not None else None
    reasons += order_reasons
    reasons += _evasion_reasons(evasion)
    if order_state == "passed" and not evasion:
        reasons.append(_ability_reason())
    reasons.append(_limitation_reason(payment_order, order_state))

    if state == _BETWEEN:
        next_step = "录入本省“数额较大”标准后重新研判，在此之前不作最终认定"
        if order_state == "none":
            next_step += "；同时可先移送人社部门/劳动保障监察责令支付"
        return Verdict(
            DEPENDS_ON_PROVINCE_CONFIG,
            tuple(reasons),
            threshold,
            next_step,
            "enter_province_figures",
            {"order_first": order_state == "none"},
        )
    if order_state == "none":
        return Verdict(
            ORDER_FIRST,
            tuple(reasons),
            threshold,
            "先移送人社部门/劳动保障监察责令支付，期限届满仍不支付的再研判移送刑事线索",
            "order_first",
        )
    if deadline is not None and deadline >= as_of:
        return Verdict(
            ORDER_FIRST,
            tuple(reasons),
            threshold,
            f"待责令支付期限（至{_ymd(deadline)}）届满后核实是否支付，仍不支付的移送刑事线索",
            "await_order_deadline",
            {"deadline": deadline.isoformat()},
        )
    return Verdict(
        TRANSFER,
        tuple(reasons),
        threshold,
        "制作线索移送函，移送本院刑事检察部门（可依法开展立案监督），并跟踪反馈",
        "transfer",
    )


def as_dict(verdict: Verdict) -> dict:
    """The API shape: ``{"verdict", "reasons": [{"code", "rule", "text"}], "threshold", "next_step"}``."""
    return {
        "verdict": verdict.verdict,
        "reasons": [{"code": r.code, "rule": r.rule, "text": r.text} for r in verdict.reasons],
        "threshold": verdict.threshold,
        "next_step": verdict.next_step,
    }
