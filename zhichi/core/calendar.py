"""Working days and statutory periods (rules TL-1 … TL-9, JA-6, CR-8).

Pure Python (stdlib only). The official holiday data is not known here: an app loads the State
Council notices it has (seeded from chinesecalendar, editable by an administrator) into a
``HolidayCalendar`` and passes it in. A year whose notice is not loaded is counted with weekends
only, and every ``Deadline`` says so (``calendar_complete``, ``missing_years``) instead of guessing.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

__all__ = [
    "MAX_DAYS",
    "MAX_MONTHS",
    "MAX_WORKING_DAYS",
    "MAX_YEARS",
    "PERIODS",
    "Deadline",
    "HolidayCalendar",
    "StatutoryPeriod",
    "add_days",
    "add_months",
    "add_working_days",
    "add_years",
    "compute",
    "compute_custom",
]

# Upper bounds for custom periods (compute_custom): a century in any unit.
MAX_DAYS = 36500
MAX_MONTHS = 1200
MAX_YEARS = 100
MAX_WORKING_DAYS = 10000

_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class HolidayCalendar:
    """Official days off and make-up working days, for the years whose notice is loaded.

    ``holidays``: the days off of the holiday periods (weekends inside them included);
    ``workdays``: the 调休上班日 (make-up working days, usually a Saturday or Sunday);
    ``years``: the years whose State Council notice is loaded. Data for other years is ignored.
    Any iterable is accepted and stored as a frozenset.
    """

    holidays: frozenset[date] = field(default_factory=frozenset)
    workdays: frozenset[date] = field(default_factory=frozenset)
    years: frozenset[int] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        holidays = frozenset(self.holidays)
        workdays = frozenset(self.workdays)
        years = frozenset(self.years)
        for d in holidays | workdays:
            if isinstance(d, datetime) or not isinstance(d, date):
                raise TypeError(f"calendar days must be dates, got {d!r}")
        for y in years:
            if isinstance(y, bool) or not isinstance(y, int):
                raise TypeError(f"calendar years must be ints, got {y!r}")
        both = holidays & workdays
        if both:
            raise ValueError(f"days both holiday and make-up working day: {sorted(both)}")
        object.__setattr__(self, "holidays", holidays)
        object.__setattr__(self, "workdays", workdays)
        object.__setattr__(self, "years", years)

    def covers(self, year: int) -> bool:
        """Whether the official notice for ``year`` is loaded."""
        return year in self.years

    def is_working_day(self, d: date) -> bool:
        """rule TL-1: a make-up working day works, an official holiday does not, else Mon–Fri.

        For a year not covered, weekends only.
        """
        if d.year in self.years:
            if d in self.workdays:
                return True
            if d in self.holidays:
                return False
        return d.weekday() < 5


@dataclass(frozen=True)
class Deadline:
    """A computed last day (the deadline ends at 24:00 on ``due``, Asia/Shanghai).

    ``unrolled`` is the last day by counting alone; ``rolled_from`` equals it when TL-1 moved the
    deadline past a weekend or holiday, else None. When ``calendar_complete`` is False the years
    in ``missing_years`` were counted with weekends only and the result must be checked.
    """

    due: date
    unrolled: date
    rolled_from: date | None
    rule: str
    basis: str
    calendar_complete: bool
    missing_years: tuple[int, ...]
    start: date
    period: str
    # the period as values, for an application to put into words in its reader's language
    unit: str = ""  # days | months | years | working_days
    count: int = 0
    kind: str = ""  # the statutory period's key in PERIODS ("" for a custom period)


def _check_start(start: object) -> date:
    # A datetime is a date too, but a deadline is a whole day (ending at 24:00).
    if isinstance(start, datetime) or not isinstance(start, date):
        raise TypeError(f"start must be a date, got {type(start).__name__}")
    return start


def _check_count(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if value <= 0:
        raise ValueError(f"{name} must be positive, got {value}")
    return value


_UNIT_WORDS = {"days": "day", "months": "month", "years": "year", "working_days": "working day"}


def _describe(count: int, unit: str) -> str:
    return f"{count} {unit}" if count == 1 else f"{count} {unit}s"


def _shift(start: date, days: int) -> date:
    try:
        return start + timedelta(days=days)
    except OverflowError:
        raise ValueError("deadline falls outside the supported date range")


def _finish(
    start: date,
    unrolled: date,
    cal: HolidayCalendar,
    *,
    roll: bool,
    rule: str,
    basis: str,
    unit: str,
    count: int,
) -> Deadline:
    due = unrolled
    if roll:
        # rule TL-1: a last day on a weekend or 法定休假日 moves to the next working day; a
        # 调休上班日 is a working day and does not extend the deadline.
        while not cal.is_working_day(due):
            due = _shift(due, 1)
    # Every year from the start's through the due's was looked at; each one without its notice
    # was counted with weekends only.
    missing = tuple(y for y in range(start.year, due.year + 1) if not cal.covers(y))
    return Deadline(
        due=due,
        unrolled=unrolled,
        rolled_from=unrolled if due != unrolled else None,
        rule=rule,
        basis=basis,
        calendar_complete=not missing,
        missing_years=missing,
        start=start,
        period=_describe(count, _UNIT_WORDS[unit]),
        unit=unit,
        count=count,
    )


def add_days(
    start: date, days: int, cal: HolidayCalendar, *, rule: str = "TL-1", basis: str = ""
) -> Deadline:
    """rule TL-1: the starting day is excluded, so the last day is ``start + days``, then rolled."""
    start = _check_start(start)
    days = _check_count(days, "days")
    return _finish(
        start,
        _shift(start, days),
        cal,
        roll=True,
        rule=rule,
        basis=basis,
        unit="days",
        count=days,
    )


def _month_end(year: int, month: int) -> int:
    if month == 12:
        return 31
    return (date(year, month + 1, 1) - _ONE_DAY).day


def _add_months_to(start: date, months: int) -> date:
    index = start.year * 12 + (start.month - 1) + months
    year, month0 = divmod(index, 12)
    if year > date.max.year:
        raise ValueError("deadline falls outside the supported date range")
    month = month0 + 1
    # rule TL-1 (民法典 art. 202): the corresponding day, or the month's last day if none.
    return date(year, month, min(start.day, _month_end(year, month)))


def add_months(
    start: date, months: int, cal: HolidayCalendar, *, rule: str = "TL-1", basis: str = ""
) -> Deadline:
    """rule TL-1: the same day ``months`` later (or that month's last day), then rolled."""
    start = _check_start(start)
    months = _check_count(months, "months")
    return _finish(
        start,
        _add_months_to(start, months),
        cal,
        roll=True,
        rule=rule,
        basis=basis,
        unit="months",
        count=months,
    )


def add_years(
    start: date, years: int, cal: HolidayCalendar, *, rule: str = "TL-1", basis: str = ""
) -> Deadline:
    """rule TL-1: the same date ``years`` later (29 February → 28 February), then rolled."""
    start = _check_start(start)
    years = _check_count(years, "years")
    return _finish(
        start,
        _add_months_to(start, years * 12),
        cal,
        roll=True,
        rule=rule,
        basis=basis,
        unit="years",
        count=years,
    )


def add_working_days(
    start: date, n: int, cal: HolidayCalendar, *, rule: str = "TL-1", basis: str = ""
) -> Deadline:
    """The n-th working day after ``start`` (start excluded). Already a working day: never rolled."""
    start = _check_start(start)
    n = _check_count(n, "working days")
    d = start
    remaining = n
    while remaining:
        d = _shift(d, 1)
        if cal.is_working_day(d):
            remaining -= 1
    return _finish(
        start,
        d,
        cal,
        roll=False,
        rule=rule,
        basis=basis,
        unit="working_days",
        count=n,
    )


@dataclass(frozen=True)
class StatutoryPeriod:
    """A named statutory period: ``count`` of ``unit`` (days, months, years, working_days)."""

    unit: str
    count: int
    rule: str
    basis: str


_ADDERS = {
    "days": add_days,
    "months": add_months,
    "years": add_years,
    "working_days": add_working_days,
}

_ASSISTANCE_OPINION = "《关于建立完善国家司法救助制度的意见（试行）》（2014）"

PERIODS: dict[str, StatutoryPeriod] = {
    "appeal_judgment": StatutoryPeriod(
        "days", 15, "TL-4", "民事诉讼法第171条：判决书送达之日起十五日内上诉"
    ),
    "appeal_ruling": StatutoryPeriod(
        "days", 10, "TL-4", "民事诉讼法第171条：裁定书送达之日起十日内上诉"
    ),
    "enforcement_application": StatutoryPeriod(
        "years",
        2,
        "TL-5",
        "民事诉讼法第250条：申请执行的期间为二年，自法律文书规定履行期间的最后一日起计算",
    ),
    "judicial_confirmation": StatutoryPeriod(
        "days", 30, "TL-6", "民事诉讼法第205条：调解协议生效之日起三十日内共同申请司法确认"
    ),
    "suggestion_reply": StatutoryPeriod(
        "months",
        2,
        "TL-9",
        "《人民检察院检察建议工作规定》：收到检察建议书之日起二个月内书面回复",
    ),
    "assistance_decision": StatutoryPeriod(
        "working_days", 10, "JA-6", f"{_ASSISTANCE_OPINION}：十个工作日内提出救助审批意见"
    ),
    "assistance_notification": StatutoryPeriod(
        "working_days", 2, "JA-6", f"{_ASSISTANCE_OPINION}：救助金到位后二个工作日内通知申请人"
    ),
    "arbitration_limitation": StatutoryPeriod(
        "years",
        1,
        "TL-2",
        "劳动争议调解仲裁法第27条：仲裁时效期间为一年，自知道或者应当知道权利被侵害之日起计算",
    ),
    "arbitration_acceptance": StatutoryPeriod(
        "days", 5, "TL-2", "劳动争议调解仲裁法第29条：收到仲裁申请之日起五日内决定是否受理"
    ),
    "arbitration_award": StatutoryPeriod(
        "days",
        45,
        "TL-2",
        "劳动争议调解仲裁法第43条：受理仲裁申请之日起四十五日内结束（经批准可延长不超过十五日）",
    ),
    "sue_after_award": StatutoryPeriod(
        "days",
        15,
        "TL-2",
        "劳动争议调解仲裁法第48条、第50条：收到仲裁裁决书之日起十五日内向人民法院提起诉讼",
    ),
    "civil_limitation": StatutoryPeriod(
        "years", 3, "TL-3", "民法典第188条：向人民法院请求保护民事权利的诉讼时效期间为三年"
    ),
    "labour_inspection_limit": StatutoryPeriod(
        "years",
        2,
        "TL-7",
        "劳动保障监察条例第20条：违法行为二年内未被发现、未被举报投诉的，不再查处",
    ),
    "prosecution_limitation": StatutoryPeriod(
        "years",
        5,
        "CR-8",
        "刑法第87条：法定最高刑为不满五年有期徒刑的，经过五年不再追诉",
    ),
    "prosecution_limitation_serious": StatutoryPeriod(
        "years",
        10,
        "CR-8",
        "刑法第87条：法定最高刑为五年以上不满十年有期徒刑的，经过十年不再追诉",
    ),
}


def compute(kind: str, start: date, cal: HolidayCalendar) -> Deadline:
    """The deadline of the named statutory period ``kind`` (a key of PERIODS) from ``start``."""
    try:
        period = PERIODS[kind]
    except KeyError:
        raise ValueError(f"unknown period {kind!r}; known: {', '.join(sorted(PERIODS))}")
    adder = _ADDERS[period.unit]
    return replace(adder(start, period.count, cal, rule=period.rule, basis=period.basis), kind=kind)


def compute_custom(
    start: date,
    cal: HolidayCalendar,
    *,
    days: int | None = None,
    months: int | None = None,
    years: int | None = None,
    working_days: int | None = None,
    rule: str = "TL-1",
    basis: str = "",
) -> Deadline:
    """A deadline for a custom period (e.g. a shorter TL-9 reply time): give exactly one unit."""
    given = {
        unit: value
        for unit, value in (
            ("days", days),
            ("months", months),
            ("years", years),
            ("working_days", working_days),
        )
        if value is not None
    }
    if len(given) != 1:
        raise ValueError("give exactly one of days, months, years, working_days")
    ((unit, value),) = given.items()
    count = _check_count(value, unit)
    limit = {
        "days": MAX_DAYS,
        "months": MAX_MONTHS,
        "years": MAX_YEARS,
        "working_days": MAX_WORKING_DAYS,
    }[unit]
    if count > limit:
        raise ValueError(f"{unit} must be at most {limit}, got {count}")
    return _ADDERS[unit](start, count, cal, rule=rule, basis=basis)
