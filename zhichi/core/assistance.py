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
    "EXCLUSIONS",
    "SERIES",
    "SITUATIONS",
    "CapResult",
    "Eligibility",
    "MissingFigure",
    "WageFigure",
    "as_dict",
    "cap",
    "eligibility",
    "find_figure",
    "latest_figure",
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


def latest_figure(
    figures: Iterable[WageFigure],
    province: str,
    wage_year: int,
    series: str = DEFAULT_SERIES,
) -> tuple[WageFigure, bool]:
    """The figure of ``wage_year``, or — when that year is not entered yet (a year's figure is
    published in the middle of the next) — the latest earlier year's, with ``False`` so the caller
    shows that the year it should use is missing. Raises ``MissingFigure`` when none is entered.
    """
    try:
        return find_figure(figures, province, wage_year, series), True
    except MissingFigure as missing:
        earlier = [
            f
            for f in figures
            if f.province == province and f.series == series and f.wage_year < wage_year
        ]
        if not earlier:
            raise missing from None
        return max(earlier, key=lambda f: (f.wage_year, f.published_on)), False


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


# rule JA-2: the eligible situations of 细则 art. 7 (wage arrears is not listed as such: use 6 or 7
# and require hardship the case caused)
SITUATIONS: dict[str, str] = {
    "crime_injury": "刑事案件被害人受到犯罪侵害致重伤或者严重残疾，案件无法侦破或者被告人无赔偿能力，造成生活困难",
    "crime_treatment": "刑事案件被害人受到犯罪侵害危及生命，急需救治，无力承担医疗救治费用",
    "crime_dependants": "刑事案件被害人受到犯罪侵害而死亡或者丧失劳动能力，依靠其收入为主要生活来源的近亲属生活困难",
    "crime_property": "刑事案件被害人受到犯罪侵害，致使财产遭受重大损失，造成生活困难",
    "retaliation": "举报人、证人、鉴定人因举报、作证、鉴定受到打击报复，致使人身受到伤害或者财产受到重大损失，造成生活困难",
    "civil_tort": "因道路交通事故等民事侵权行为造成人身伤害，无法通过诉讼获得赔偿，造成生活困难",
    "other": "人民检察院根据实际情况认为需要救助的其他情形",
}

# rule JA-3: the exclusions of 细则 art. 8
EXCLUSIONS: dict[str, str] = {
    "serious_fault": "对案件发生有重大过错",
    "refused_cooperation": "无正当理由，拒绝配合查明案件事实",
    "false_statements": "故意作虚假陈述或者伪造证据，妨害刑事诉讼",
    "waived_compensation": "在诉讼中主动放弃民事赔偿请求或者拒绝加害责任人及其近亲属赔偿",
    "not_caused_by_case": "生活困难非案件原因所导致",
    "already_compensated": "已经通过社会救助措施，得到合理补偿、救助",
}


@dataclass(frozen=True)
class Eligibility:
    """Whether aid may be granted: ``eligible``, and every reason with the rule it comes from."""

    eligible: bool
    reasons: tuple[tuple[str, str], ...]  # (rule id, text)
    unanswered: tuple[str, ...] = ()


def eligibility(
    *,
    situation: str,
    exclusions: dict[str, bool],
    hardship_caused_by_case: bool,
    other_aid_on_case: bool,
    case_open: bool = True,
) -> Eligibility:
    """rules JA-1, JA-2, JA-3 and one aid per applicant per case (JA-4).

    ``exclusions`` answers each JA-3 exclusion (True: it applies). Every exclusion must be
    answered: an unanswered one makes the result not eligible, named in ``unanswered``.
    """
    if situation not in SITUATIONS:
        raise ValueError(f"unknown situation {situation!r}; one of {', '.join(SITUATIONS)}")
    unknown = set(exclusions) - set(EXCLUSIONS)
    if unknown:
        raise ValueError(f"unknown exclusions: {', '.join(sorted(unknown))}")
    reasons: list[tuple[str, str]] = []
    eligible = True
    if not case_open:
        eligible = False
        reasons.append(("JA-1", "司法救助只在办理案件过程中进行，本案已办结"))
    reasons.append(("JA-2", f"救助情形：{SITUATIONS[situation]}"))
    if situation in {"civil_tort", "other"} and not hardship_caused_by_case:
        eligible = False
        reasons.append(("JA-2", "须因案件导致生活困难"))
    unanswered = tuple(k for k in EXCLUSIONS if k not in exclusions)
    if unanswered:
        eligible = False
        reasons.append(
            ("JA-3", "以下不予救助情形尚未核实：" + "、".join(EXCLUSIONS[k] for k in unanswered))
        )
    for key, applies in exclusions.items():
        if applies:
            eligible = False
            reasons.append(("JA-3", f"不予救助：{EXCLUSIONS[key]}"))
    if other_aid_on_case:
        eligible = False
        reasons.append(("JA-4", "同一案件中同一申请人只能救助一次，已有救助申请或已获救助"))
    if eligible:
        reasons.append(("JA-3", "经核实不存在不予救助的情形"))
    return Eligibility(eligible=eligible, reasons=tuple(reasons), unanswered=unanswered)
