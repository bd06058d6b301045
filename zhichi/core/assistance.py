"""National judicial assistance (国家司法救助): the amount cap (rules JA-4, JA-5).

Pure Python (stdlib only). The average wage is dated configuration passed in as a ``WageFigure``
(province, statistical year, series, source, publication date); a province's own lower cap is a
``Figure``. The result names every figure it used. An average wage that is not entered is an
error the caller reports (``MissingFigure``), never a guess.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from zhichi.core.criminal import Figure

__all__ = [
    "DEFAULT_MONTHS",
    "DEFAULT_SERIES",
    "SERIES",
    "CapResult",
    "MissingFigure",
    "WageFigure",
    "as_dict",
    "cap",
    "find_figure",
    "needs_special_approval",
]

ON_POST = "urban_non_private_on_post"
EMPLOYED = "urban_non_private_employed"

# rule JA-5: which series is "职工月平均工资" is UNVERIFIED; Zhichi defaults to 在岗职工 and shows
# the series on every result so a deployment that switches can be seen to have switched.
DEFAULT_SERIES = ON_POST
SERIES = {
    ON_POST: "城镇非私营单位在岗职工年平均工资",
    EMPLOYED: "城镇非私营单位就业人员年平均工资",
}

# rule JA-4: "generally no more than 36 months" of the average monthly wage (细则); a caller may
# pass another count, e.g. when a deployment's rules say so.
DEFAULT_MONTHS = 36

_CENT = Decimal("0.01")


def _fen(value: Decimal) -> Decimal:
    return value.quantize(_CENT, rounding=ROUND_HALF_UP)


def _yuan(value: Decimal) -> str:
    return f"{_fen(value):,.2f}"


def _ymd(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


@dataclass(frozen=True)
class WageFigure:
    """A published average wage: province (GB/T 2260 code), statistical year, series, annual
    amount, and where and when it was published."""

    province: str
    wage_year: int
    series: str
    annual: Decimal
    source: str
    published_on: date


@dataclass(frozen=True)
class CapResult:
    monthly_wage: Decimal
    months: int
    cap: Decimal
    series: str
    source: str
    wage_year: int
    published_on: date
    province: str
    annual: Decimal
    # The cap from the average wage alone (annual × months ÷ 12), before any province cap.
    wage_cap: Decimal
    province_cap: Figure | None
    capped_by_province: bool
    notes: tuple[str, ...]
    rule: str = "JA-4"


class MissingFigure(Exception):
    """The average wage needed is not entered; ``missing`` says which (for a 422)."""

    def __init__(
        self,
        *,
        province: str,
        wage_year: int,
        series: str,
        available_series: tuple[str, ...] = (),
    ) -> None:
        self.province = province
        self.wage_year = wage_year
        self.series = series
        self.available_series = available_series
        self.missing = (
            f"average wage for province {province}, wage year {wage_year}, series {series}"
        )
        if available_series:
            self.missing += f" (entered for that year: {', '.join(available_series)})"
        super().__init__(f"not entered: {self.missing}")


def find_figure(
    figures: Iterable[WageFigure],
    province: str,
    wage_year: int,
    series: str = DEFAULT_SERIES,
) -> WageFigure:
    """The figure for a province, statistical year and series; raises ``MissingFigure``.

    When the same figure was entered more than once (a corrected publication), the one published
    last wins.
    """
    same_year = [f for f in figures if f.province == province and f.wage_year == wage_year]
    matching = [f for f in same_year if f.series == series]
    if not matching:
        raise MissingFigure(
            province=province,
            wage_year=wage_year,
            series=series,
            available_series=tuple(sorted({f.series for f in same_year})),
        )
    return max(matching, key=lambda f: f.published_on)


def cap(
    figure: WageFigure,
    *,
    months: int = DEFAULT_MONTHS,
    province_cap: Figure | None = None,
) -> CapResult:
    """The judicial-assistance cap (rule JA-4): ``months`` of the province's average monthly wage.

    The monthly wage is annual ÷ 12 and the cap annual × months ÷ 12, each rounded half up to the
    fen, so the cap is not the rounded monthly wage times the months (rule JA-5: 106,769 gives
    8,897.42 a month and 320,307.00 for 36 months). A lower province cap replaces it.
    """
    annual = figure.annual
    if not isinstance(annual, Decimal) or not annual.is_finite() or annual <= 0:
        raise ValueError(f"annual average wage must be a positive Decimal, got {annual!r}")
    if isinstance(months, bool) or not isinstance(months, int) or months < 1:
        raise ValueError(f"months must be a positive whole number, got {months!r}")
    if province_cap is not None and (
        not isinstance(province_cap.value, Decimal)
        or not province_cap.value.is_finite()
        or province_cap.value <= 0
    ):
        raise ValueError(f"province cap must be a positive Decimal, got {province_cap.value!r}")

    monthly = _fen(annual / 12)
    wage_cap = _fen(annual * months / 12)
    label = SERIES.get(figure.series, figure.series)
    notes = [
        f"以{figure.wage_year}年度{label}{_yuan(annual)}元为基数（月平均{_yuan(monthly)}元），"
        f"一般不超过{months}个月，即{_yuan(wage_cap)}元（来源：{figure.source}，"
        f"{_ymd(figure.published_on)}发布）",
        f"采用的统计口径：{label}"
        + ("（系统默认）" if figure.series == DEFAULT_SERIES else "（本部署配置）"),
    ]
    result_cap = wage_cap
    capped = False
    if province_cap is not None:
        limit = _fen(province_cap.value)
        if limit < wage_cap:
            result_cap = limit
            capped = True
            notes.append(
                f"本省规定救助金额原则上不超过{_yuan(limit)}元（依据{province_cap.source}，"
                f"自{_ymd(province_cap.effective_from)}起施行），低于按平均工资计算的"
                f"{_yuan(wage_cap)}元，以本省标准为上限"
            )
        else:
            notes.append(
                f"本省上限{_yuan(limit)}元（依据{province_cap.source}）不低于按平均工资计算的"
                "数额，不另行限制"
            )
    notes.append("超过上限的须经特别审批，且不得超过人民法院依法应当判决的赔偿数额")
    return CapResult(
        monthly_wage=monthly,
        months=months,
        cap=result_cap,
        series=figure.series,
        source=figure.source,
        wage_year=figure.wage_year,
        published_on=figure.published_on,
        province=figure.province,
        annual=_fen(annual),
        wage_cap=wage_cap,
        province_cap=province_cap,
        capped_by_province=capped,
        notes=tuple(notes),
    )


def needs_special_approval(requested: Decimal, result: CapResult) -> bool:
    """rule JA-4: an amount above the cap needs special approval."""
    if not isinstance(requested, Decimal) or not requested.is_finite() or requested < 0:
        raise ValueError(f"requested amount must be a non-negative Decimal, got {requested!r}")
    return requested > result.cap


def as_dict(result: CapResult) -> dict:
    """The API shape (money as strings with two decimals, dates as YYYY-MM-DD)."""
    province_cap = None
    if result.province_cap is not None:
        province_cap = {
            "value": str(_fen(result.province_cap.value)),
            "source": result.province_cap.source,
            "effective_from": result.province_cap.effective_from.isoformat(),
        }
    return {
        "monthly_wage": str(result.monthly_wage),
        "months": result.months,
        "cap": str(result.cap),
        "series": result.series,
        "source": result.source,
        "wage_year": result.wage_year,
        "published_on": result.published_on.isoformat(),
        "province": result.province,
        "annual": str(result.annual),
        "wage_cap": str(result.wage_cap),
        "province_cap": province_cap,
        "capped_by_province": result.capped_by_province,
        "notes": list(result.notes),
        "rule": result.rule,
    }
