"""Labour-law amounts for the wage-claim calculator (rules LA-1, LA-3, LA-4, LA-5, LA-6, LA-7).

Pure Python (stdlib only). Money is ``Decimal`` in yuan, every amount rounded half up to the fen;
``float`` is refused. Local wage figures (the city's average monthly wage, the minimum wage) are
dated configuration or the user's entry, passed in as a ``Figure`` (source and effective date go
into the note) or a bare ``Decimal`` (noted as entered by the user). The ratios and month counts
below are the words of the statutes cited beside them, not configurable figures.

Invalid input raises ``WageInputError`` naming the API field, for a 422 on that field.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from zhichi.core.criminal import Figure

__all__ = [
    "ADDITIONAL_COMPENSATION",
    "DOUBLE_WAGES",
    "ECONOMIC_COMPENSATION",
    "KINDS",
    "UNPAID_WAGES",
    "ChildSupport",
    "Claim",
    "DisabilityGrant",
    "Item",
    "WageInputError",
    "as_dict",
    "child_support",
    "claim",
    "disability_grant",
]

UNPAID_WAGES = "unpaid_wages"
DOUBLE_WAGES = "double_wages"
ECONOMIC_COMPENSATION = "economic_compensation"
ADDITIONAL_COMPENSATION = "additional_compensation"
KINDS = (UNPAID_WAGES, DOUBLE_WAGES, ECONOMIC_COMPENSATION, ADDITIONAL_COMPENSATION)

# rule LA-1 (劳社部发〔2008〕3号): monthly wage-days.
WAGE_DAYS_PER_MONTH = Decimal("21.75")
MAX_MONTHS_UNPAID = 600
# A technical bound, not a legal figure: money columns hold 14 digits with 2 decimals.
MAX_MONEY = Decimal("999999999999.99")

# rule LA-4 (劳动合同法 art. 82; 实施条例 art. 7): at most 11 months of double wages.
DOUBLE_WAGE_MAX_MONTHS = 11
# rule LA-5 (劳动合同法 art. 47; 实施条例 art. 27).
HIGH_EARNER_MULTIPLE = 3
HIGH_EARNER_MAX_YEARS = 12
LABOUR_CONTRACT_LAW_IN_FORCE = date(2008, 1, 1)  # art. 97: service before follows old rules
# rule LA-3 (劳动合同法 art. 85): 50%–100%.
ADDITIONAL_MIN = Decimal("0.5")
ADDITIONAL_MAX = Decimal("1")
# rule LA-6 (工伤保险条例 arts. 35–37): months of own wage for grades 1–10; wage bounds.
DISABILITY_MONTHS = {1: 27, 2: 25, 3: 23, 4: 21, 5: 18, 6: 16, 7: 13, 8: 11, 9: 9, 10: 7}
DISABILITY_WAGE_FLOOR = Decimal("0.6")
DISABILITY_WAGE_CEILING = Decimal("3")
# rule LA-7 (婚姻家庭编解释（一） art. 49).
CHILD_SUPPORT_ONE = (Decimal("0.2"), Decimal("0.3"))
CHILD_SUPPORT_SEVERAL = (Decimal("0.2"), Decimal("0.5"))

_CENT = Decimal("0.01")


class WageInputError(ValueError):
    """Invalid calculator input: ``field`` is the API field, ``code`` stable, ``message`` English
    for the Django layer to translate."""

    def __init__(self, field: str, message: str, code: str = "invalid") -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Item:
    kind: str
    amount: Decimal
    amount_max: Decimal | None
    rule: str
    note: str


@dataclass(frozen=True)
class Claim:
    items: tuple[Item, ...]
    total: Decimal
    total_max: Decimal
    # What could not be computed and why (e.g. no start date for double wages).
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class DisabilityGrant:
    grade: int
    months: int
    base: Decimal
    amount: Decimal
    note: str
    rule: str = "LA-6"


@dataclass(frozen=True)
class ChildSupport:
    amount: Decimal
    amount_max: Decimal
    note: str
    rule: str = "LA-7"


def _fen(value: Decimal) -> Decimal:
    return value.quantize(_CENT, rounding=ROUND_HALF_UP)


def _yuan(value: Decimal) -> str:
    return f"{_fen(value):,.2f}"


def _num(value: Decimal | int) -> str:
    """A count without trailing zeros: 4.5, 5, 30."""
    return f"{Decimal(value).normalize():f}"


def _ymd(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _decimal(field: str, value: object, *, maximum: Decimal = MAX_MONEY) -> Decimal:
    # bool is an int; a float cannot hold fen exactly.
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise WageInputError(field, "Enter a number (Decimal or whole number).", "type")
    number = Decimal(value)
    if not number.is_finite():
        raise WageInputError(field, "Enter a finite number.", "not_finite")
    if number < 0:
        raise WageInputError(field, "The value cannot be negative.", "negative")
    if number > maximum:
        raise WageInputError(field, f"The value cannot exceed {maximum}.", "too_large")
    return number


def _figure(field: str, value: Decimal | Figure | None) -> tuple[Decimal | None, str]:
    """A local wage figure and the words naming where it comes from."""
    if value is None:
        return None, ""
    if isinstance(value, Figure):
        number = _decimal(field, value.value)
        origin = f"依据{value.source}，自{_ymd(value.effective_from)}起施行"
    else:
        number = _decimal(field, value)
        origin = "用户录入"
    if number == 0:
        raise WageInputError(field, "The value must be greater than zero.", "not_positive")
    return number, origin


def _date(field: str, value: object) -> date | None:
    if value is None:
        return None
    if not isinstance(value, date):
        raise WageInputError(field, "Enter a date.", "type")
    return value


def _add_months(day: date, months: int) -> date:
    """The corresponding day ``months`` later, or the month's last day when there is none."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    following = date(year + (month == 12), month % 12 + 1, 1)
    last = (following - timedelta(days=1)).day
    return date(year, month, min(day.day, last))


def _span(first: date, last: date) -> tuple[int, int]:
    """Full months and remaining days from ``first`` to ``last``, both days included.

    A full month runs to the day before the corresponding day of the next month (rule TL-1's
    month counting: the last day of the month where there is no corresponding day).
    """
    after = last + timedelta(days=1)
    months = (after.year - first.year) * 12 + after.month - first.month
    if _add_months(first, months) > after:
        months -= 1
    return months, (after - _add_months(first, months)).days


def _double_wages(
    wage: Decimal, start: date, end: date | None
) -> tuple[Item | None, tuple[str, ...]]:
    """rule LA-4: one extra month's wage per full month without a written contract."""
    period_start = _add_months(start, 1)  # the day after the first full month of work
    year_eve = _add_months(start, 12) - timedelta(days=1)  # the day before the one-year mark
    period_end = year_eve if end is None or end > year_eve else end
    if period_end < period_start:
        return None, (
            "未签订书面劳动合同，但用工未超过一个月，不产生二倍工资差额（劳动合同法第八十二条）",
        )
    months, days = _span(period_start, period_end)
    capped = min(months, DOUBLE_WAGE_MAX_MONTHS)
    if capped == 0:
        return None, (
            f"未签订书面劳动合同，但{_ymd(period_start)}至{_ymd(period_end)}不足一个完整月，"
            "未计算二倍工资差额",
        )
    parts = [
        f"未签订书面劳动合同：自{_ymd(period_start)}至{_ymd(period_end)}共{capped}个完整月，"
        f"每月另付一倍工资{_yuan(wage)}元（劳动合同法第八十二条，实施条例第六条、第七条），"
        f"最多{DOUBLE_WAGE_MAX_MONTHS}个月"
    ]
    if days and capped < DOUBLE_WAGE_MAX_MONTHS:
        parts.append(f"另有{days}天不足一个月，未计入（实务中也有按日折算的）")
    if end is None:
        parts.append("未填写离职日期，按用工满一年的前一日计算")
    if end is None or end > year_eve:
        parts.append("用工满一年仍未订立书面合同的，视为已订立无固定期限劳动合同")
    parts.append(
        "二倍工资差额的仲裁时效如何起算在实务中有争议（按月分别计算或自用工满一年起算），请核实"
    )
    return Item(DOUBLE_WAGES, _fen(wage * capped), None, "LA-4", "；".join(parts)), ()


def _economic_compensation(
    wage: Decimal,
    start: date,
    end: date,
    local_avg: Decimal | None,
    avg_origin: str,
    local_min: Decimal | None,
    min_origin: str,
) -> Item:
    """rule LA-5: N × base, with the high-earner cap of 3A and 12 years."""
    months, days = _span(start, end)
    years, rest = divmod(months, 12)
    if rest >= 6:
        n = Decimal(years + 1)
    elif rest or days:
        n = years + Decimal("0.5")
    else:
        n = Decimal(years)
    length = f"{years}年{rest}个月" + (f"{days}天" if days else "")
    parts = [
        f"工作年限{_ymd(start)}至{_ymd(end)}，计{length}，N={_num(n)}"
        "（满1年计1个月；不满6个月计半个月，6个月以上计1个月）"
    ]
    base = wage
    if local_min is not None and wage < local_min:
        base = local_min
        parts.append(
            f"月工资低于当地最低工资标准{_yuan(local_min)}元（{min_origin}），按最低工资计"
        )
    if local_avg is None:
        parts.append("未提供当地（设区的市）上年度职工月平均工资，未能核对三倍封顶")
    else:
        three_a = HIGH_EARNER_MULTIPLE * local_avg
        if wage > three_a:
            base = three_a
            if n > HIGH_EARNER_MAX_YEARS:
                n = Decimal(HIGH_EARNER_MAX_YEARS)
            parts.append(
                f"月工资高于当地上年度职工月平均工资{_yuan(local_avg)}元（{avg_origin}）的三倍，"
                f"按{_yuan(three_a)}元计，年限最高不超过{HIGH_EARNER_MAX_YEARS}年"
                f"（劳动合同法第四十七条第二款），N按{_num(n)}计"
            )
    amount = _fen(n * base)
    parts.insert(1, f"{_num(n)}×{_yuan(base)}元={_yuan(amount)}元")
    parts.append("仅在劳动合同依劳动合同法第四十六条规定的情形解除或终止时适用")
    if start < LABOUR_CONTRACT_LAW_IN_FORCE:
        parts.append(
            "2008年1月1日前的工作年限应按当时的规定计算（劳动合同法第九十七条），"
            "本结果按第四十七条统一计算，请核实"
        )
    parts.append("违法解除或终止的，按经济补偿的二倍支付赔偿金（第八十七条）")
    return Item(ECONOMIC_COMPENSATION, amount, None, "LA-5", "；".join(parts))


def claim(
    *,
    monthly_wage: Decimal,
    months_unpaid: Decimal | int,
    amount_paid: Decimal = Decimal(0),
    service_start: date | None = None,
    service_end: date | None = None,
    written_contract: bool = True,
    local_avg_monthly_wage: Decimal | Figure | None = None,
    order_deadline_passed: bool = False,
    local_min_monthly_wage: Decimal | Figure | None = None,
) -> Claim:
    """The items a worker may claim (rules LA-1, LA-3, LA-4, LA-5); only items that apply.

    ``monthly_wage`` stands for both the agreed monthly wage (LA-1, LA-4) and the average of the
    last 12 months (LA-5). ``service_end`` is the last day worked and, when given, means the
    contract has ended.
    """
    wage = _decimal("monthly_wage", monthly_wage)
    months = _decimal("months_unpaid", months_unpaid, maximum=Decimal(MAX_MONTHS_UNPAID))
    paid = _decimal("amount_paid", amount_paid)
    start = _date("service_start", service_start)
    end = _date("service_end", service_end)
    if not isinstance(written_contract, bool):
        raise WageInputError("written_contract", "Enter true or false.", "type")
    if not isinstance(order_deadline_passed, bool):
        raise WageInputError("order_deadline_passed", "Enter true or false.", "type")
    local_avg, avg_origin = _figure("local_avg_monthly_wage", local_avg_monthly_wage)
    local_min, min_origin = _figure("local_min_monthly_wage", local_min_monthly_wage)
    if start is not None and end is not None and end < start:
        raise WageInputError(
            "service_end", "The end of service cannot be before its start.", "before_start"
        )

    items: list[Item] = []
    notes: list[str] = []

    # rule LA-1
    due = wage * months
    unpaid = _fen(max(due - paid, Decimal(0)))
    daily = _fen(wage / WAGE_DAYS_PER_MONTH)
    hourly = _fen(wage / (WAGE_DAYS_PER_MONTH * 8))
    note = (
        f"应发工资{_yuan(wage)}元×{_num(months)}个月={_yuan(due)}元，已付{_yuan(paid)}元，"
        f"欠付{_yuan(unpaid)}元；日工资={_yuan(wage)}÷21.75={_yuan(daily)}元，"
        f"小时工资={_yuan(hourly)}元（劳社部发〔2008〕3号）"
    )
    if paid > due:
        note += "；已付金额超过应发工资，欠付按0计"
    items.append(Item(UNPAID_WAGES, unpaid, None, "LA-1", note))

    # rule LA-4
    if not written_contract:
        if start is None:
            notes.append("未签订书面劳动合同，但未填写入职日期，无法计算二倍工资差额（LA-4）")
        else:
            item, more = _double_wages(wage, start, end)
            if item is not None:
                items.append(item)
            notes.extend(more)

    # rule LA-5
    if end is not None:
        if start is None:
            notes.append("已填写离职日期，但未填写入职日期，无法计算经济补偿（LA-5）")
        else:
            items.append(
                _economic_compensation(
                    wage, start, end, local_avg, avg_origin, local_min, min_origin
                )
            )

    # rule LA-3: only once the labour administration's deadline has passed.
    if order_deadline_passed:
        if unpaid > 0:
            items.append(
                Item(
                    ADDITIONAL_COMPENSATION,
                    _fen(unpaid * ADDITIONAL_MIN),
                    _fen(unpaid * ADDITIONAL_MAX),
                    "LA-3",
                    f"劳动行政部门责令限期支付、逾期仍未支付的，按欠付工资{_yuan(unpaid)}元的"
                    "50%至100%加付赔偿金（劳动合同法第八十五条）；须有责令支付文书及期限。"
                    "逾期未支付经济补偿的，亦可按其数额加付",
                )
            )
        else:
            notes.append("没有欠付工资，不计算加付赔偿金（LA-3）")

    total = sum((i.amount for i in items), Decimal(0))
    total_max = sum(
        (i.amount_max if i.amount_max is not None else i.amount for i in items), Decimal(0)
    )
    return Claim(tuple(items), _fen(total), _fen(total_max), tuple(notes))


def as_dict(result: Claim) -> dict:
    """The API shape: money as strings; ``amount_max`` is null unless the law gives a range."""
    items = []
    for item in result.items:
        items.append(
            {
                "kind": item.kind,
                "amount": str(item.amount),
                "amount_max": None if item.amount_max is None else str(item.amount_max),
                "rule": item.rule,
                "note": item.note,
            }
        )
    return {
        "items": items,
        "total": str(result.total),
        "total_max": str(result.total_max),
        "notes": list(result.notes),
    }


def disability_grant(
    *,
    grade: int,
    own_monthly_wage: Decimal,
    local_avg_monthly_wage: Decimal | Figure | None,
) -> DisabilityGrant:
    """rule LA-6: 一次性伤残补助金, months of the worker's own wage by disability grade.

    The own wage (average of the 12 months before the injury) is bounded to 60%–300% of the
    local (统筹地区) average monthly wage; without that figure the bound is not checked.
    """
    if isinstance(grade, bool) or not isinstance(grade, int) or grade not in DISABILITY_MONTHS:
        raise WageInputError("grade", "The disability grade must be 1 to 10.", "choice")
    wage = _decimal("own_monthly_wage", own_monthly_wage)
    local_avg, origin = _figure("local_avg_monthly_wage", local_avg_monthly_wage)
    months = DISABILITY_MONTHS[grade]
    base = wage
    parts = []
    if local_avg is None:
        parts.append("未提供统筹地区职工月平均工资，未能核对60%至300%的上下限")
    else:
        floor, ceiling = (
            _fen(local_avg * DISABILITY_WAGE_FLOOR),
            _fen(local_avg * DISABILITY_WAGE_CEILING),
        )
        if wage < floor:
            base = floor
            parts.append(
                f"本人工资低于统筹地区职工月平均工资{_yuan(local_avg)}元（{origin}）的60%，按{_yuan(floor)}元计"
            )
        elif wage > ceiling:
            base = ceiling
            parts.append(
                f"本人工资高于统筹地区职工月平均工资{_yuan(local_avg)}元（{origin}）的300%，按{_yuan(ceiling)}元计"
            )
    amount = _fen(base * months)
    parts.insert(
        0,
        f"{grade}级伤残：{months}个月×本人工资{_yuan(base)}元={_yuan(amount)}元"
        "（工伤保险条例第三十五条至第三十七条）",
    )
    parts.append("用人单位未参加工伤保险的，由用人单位按同等标准支付（第六十二条）")
    return DisabilityGrant(grade, months, _fen(base), amount, "；".join(parts))


def child_support(*, monthly_income: Decimal, children: int = 1) -> ChildSupport:
    """rule LA-7: child support as a range of the payer's monthly income.

    One child: 20%–30%. Two or more: the share "may be raised appropriately" but generally not
    above 50%; the law names no new floor, so the range is 20%–50% of the total.
    """
    income = _decimal("monthly_income", monthly_income)
    if isinstance(children, bool) or not isinstance(children, int) or children < 1:
        raise WageInputError("children", "Enter the number of children (1 or more).", "choice")
    low, high = CHILD_SUPPORT_ONE if children == 1 else CHILD_SUPPORT_SEVERAL
    amount, amount_max = _fen(income * low), _fen(income * high)
    if children == 1:
        text = "有固定收入的，一般按月总收入的20%至30%给付"
    else:
        text = f"负担{children}名子女抚养费的，比例可以适当提高，但一般不超过月总收入的50%"
    note = (
        f"{text}：{_yuan(amount)}元至{_yuan(amount_max)}元（婚姻家庭编解释（一）第四十九条）；"
        "无固定收入的，依据当年总收入或者同行业平均收入确定"
    )
    return ChildSupport(amount, amount_max, note)
