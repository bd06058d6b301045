"""Working days and statutory periods (DOMAIN.md section 4, rules TL-1 … TL-9, JA-6, CR-8).

The 2025–2026 official calendar comes from the chinesecalendar package (tests only: zhichi/core
never imports it) and the key 2026 facts of the State Council notice are written out by hand and
checked against the package.
"""

import ast
from datetime import date, datetime, timedelta
from pathlib import Path

import chinese_calendar
import pytest
from chinese_calendar import constants as cc
from hypothesis import given, settings
from hypothesis import strategies as st

from zhichi.core import calendar as zcal
from zhichi.core.calendar import (
    PERIODS,
    Deadline,
    HolidayCalendar,
    StatutoryPeriod,
    add_days,
    add_months,
    add_working_days,
    add_years,
    compute,
    compute_custom,
)

pytestmark = pytest.mark.unit

YEARS = (2025, 2026)
CAL = HolidayCalendar(
    holidays=frozenset(d for d in cc.holidays if d.year in YEARS),
    workdays=frozenset(d for d in cc.workdays if d.year in YEARS),
    years=frozenset(YEARS),
)
EMPTY = HolidayCalendar(frozenset(), frozenset(), frozenset())


def days_between(first: date, last: date) -> set[date]:
    return {first + timedelta(days=i) for i in range((last - first).days + 1)}


# The 2026 notice (国务院办公厅关于2026年部分节假日安排的通知), as published, written out by hand.
SPRING_FESTIVAL_2026 = days_between(date(2026, 2, 15), date(2026, 2, 23))
SPRING_FESTIVAL_2026_WORKDAYS = {date(2026, 2, 14), date(2026, 2, 28)}
NATIONAL_DAY_2026 = days_between(date(2026, 10, 1), date(2026, 10, 7))
NATIONAL_DAY_2026_WORKDAYS = {date(2026, 9, 20), date(2026, 10, 10)}


def test_2026_spring_festival_facts_match_the_package():
    in_package = {
        d for d, name in cc.holidays.items() if name == "Spring Festival" and d.year == 2026
    }
    assert in_package == SPRING_FESTIVAL_2026
    workdays = {
        d for d, name in cc.workdays.items() if name == "Spring Festival" and d.year == 2026
    }
    assert workdays == SPRING_FESTIVAL_2026_WORKDAYS
    assert [d.weekday() for d in sorted(workdays)] == [5, 5]  # both Saturdays


def test_2026_national_day_facts_match_the_package():
    in_package = {d for d, name in cc.holidays.items() if name == "National Day" and d.year == 2026}
    assert in_package == NATIONAL_DAY_2026
    workdays = {d for d, name in cc.workdays.items() if name == "National Day" and d.year == 2026}
    assert workdays == NATIONAL_DAY_2026_WORKDAYS
    assert [d.weekday() for d in sorted(workdays)] == [6, 5]  # Sunday 20 Sep, Saturday 10 Oct


def test_tl1_is_working_day_agrees_with_the_package_for_2025_and_2026():
    for d in days_between(date(2025, 1, 1), date(2026, 12, 31)):
        assert CAL.is_working_day(d) == chinese_calendar.is_workday(d), d


def test_tl1_make_up_day_is_a_working_day_and_holiday_is_not():
    assert CAL.is_working_day(date(2026, 2, 14))  # Saturday, 调休上班
    assert not CAL.is_working_day(date(2026, 2, 16))  # Monday, Spring Festival
    assert not CAL.is_working_day(date(2026, 2, 21))  # Saturday inside the holiday
    assert CAL.is_working_day(date(2026, 3, 2))  # ordinary Monday
    assert not CAL.is_working_day(date(2026, 3, 7))  # ordinary Saturday


def test_tl1_uncovered_year_counts_weekends_only():
    assert not CAL.covers(2027)
    assert CAL.covers(2026)
    assert CAL.is_working_day(date(2027, 1, 1))  # New Year, but 2027 is not loaded
    assert not CAL.is_working_day(date(2027, 1, 2))  # Saturday
    # Data for a year not marked as loaded is ignored rather than half-trusted.
    partial = HolidayCalendar(frozenset({date(2027, 1, 1)}), frozenset(), frozenset({2026}))
    assert partial.is_working_day(date(2027, 1, 1))


def test_holiday_calendar_accepts_sets_and_refuses_contradictions():
    cal = HolidayCalendar({date(2026, 1, 1)}, set(), [2026])
    assert cal.holidays == frozenset({date(2026, 1, 1)})
    assert cal.years == frozenset({2026})
    assert cal == HolidayCalendar(frozenset({date(2026, 1, 1)}), frozenset(), frozenset({2026}))
    hash(cal)
    with pytest.raises(ValueError):
        HolidayCalendar({date(2026, 1, 1)}, {date(2026, 1, 1)}, {2026})
    with pytest.raises(TypeError):
        HolidayCalendar({"2026-01-01"}, set(), {2026})
    with pytest.raises(TypeError):
        HolidayCalendar(set(), set(), {"2026"})


# --- TL-1 counting --------------------------------------------------------------------------


def test_tl1_start_day_excluded_and_ordinary_day_not_rolled():
    dl = add_days(date(2026, 3, 2), 15, CAL)
    assert dl == Deadline(
        due=date(2026, 3, 17),
        unrolled=date(2026, 3, 17),
        rolled_from=None,
        rule="TL-1",
        basis="",
        calendar_complete=True,
        missing_years=(),
        start=date(2026, 3, 2),
        period="15 days",
        unit="days",
        count=15,
    )


def test_tl1_ending_on_make_up_saturday_2026_02_14_does_not_roll():
    dl = add_days(date(2026, 1, 30), 15, CAL)
    assert (dl.due, dl.unrolled, dl.rolled_from) == (date(2026, 2, 14), date(2026, 2, 14), None)


def test_tl1_ending_on_make_up_saturday_2026_02_28_does_not_roll():
    dl = add_days(date(2026, 2, 13), 15, CAL)
    assert (dl.due, dl.rolled_from) == (date(2026, 2, 28), None)


def test_tl1_ending_inside_spring_festival_rolls_to_first_working_day_after():
    dl = add_days(date(2026, 2, 1), 15, CAL)
    assert dl.unrolled == date(2026, 2, 16)
    assert dl.rolled_from == date(2026, 2, 16)
    assert dl.due == date(2026, 2, 24)  # Tuesday after the holiday ending Monday 23 Feb


def test_tl1_ending_on_weekend_rolls_to_monday():
    saturday = add_days(date(2026, 2, 20), 15, CAL)
    assert (saturday.unrolled, saturday.due) == (date(2026, 3, 7), date(2026, 3, 9))
    sunday = add_days(date(2026, 2, 21), 15, CAL)
    assert (sunday.unrolled, sunday.due) == (date(2026, 3, 8), date(2026, 3, 9))
    assert date(2026, 3, 9).weekday() == 0


def test_tl1_ending_in_national_day_rolls_to_8_october():
    dl = add_days(date(2026, 9, 16), 15, CAL)
    assert dl.rolled_from == date(2026, 10, 1)
    assert dl.due == date(2026, 10, 8)


def test_tl1_national_day_make_up_saturday_10_october_does_not_roll():
    dl = add_days(date(2026, 9, 25), 15, CAL)
    assert (dl.due, dl.rolled_from) == (date(2026, 10, 10), None)


def test_tl1_month_end_rule():
    assert add_months(date(2026, 1, 31), 1, CAL).unrolled == date(2026, 2, 28)
    assert add_months(date(2024, 1, 31), 1, EMPTY).unrolled == date(2024, 2, 29)
    assert add_months(date(2026, 3, 31), 1, CAL).unrolled == date(2026, 4, 30)
    assert add_months(date(2026, 1, 15), 1, CAL).unrolled == date(2026, 2, 15)
    assert add_months(date(2025, 11, 30), 3, CAL).unrolled == date(2026, 2, 28)


def test_tl1_month_end_2026_01_31_plus_one_month_is_make_up_saturday_not_rolled():
    dl = add_months(date(2026, 1, 31), 1, CAL)
    assert (dl.due, dl.rolled_from, dl.period) == (date(2026, 2, 28), None, "1 month")


def test_tl1_2025_12_31_plus_two_months_is_28_february_a_make_up_working_day():
    dl = add_months(date(2025, 12, 31), 2, CAL)
    assert dl.unrolled == date(2026, 2, 28)
    assert CAL.is_working_day(date(2026, 2, 28))
    assert (dl.due, dl.rolled_from) == (date(2026, 2, 28), None)
    assert dl.calendar_complete
    assert dl.period == "2 months"


def test_tl1_month_end_without_make_up_day_rolls_past_weekend():
    # 2026-02-28 + 1 month = 2026-03-28, an ordinary Saturday.
    dl = add_months(date(2026, 2, 28), 1, CAL)
    assert (dl.unrolled, dl.due) == (date(2026, 3, 28), date(2026, 3, 30))


def test_tl1_year_rule_leap_day():
    dl = add_years(date(2024, 2, 29), 1, CAL)
    assert dl.unrolled == date(2025, 2, 28)
    assert dl.due == date(2025, 2, 28)  # a Friday
    assert dl.missing_years == (2024,)
    assert add_years(date(2024, 2, 29), 4, EMPTY).unrolled == date(2028, 2, 29)


def test_tl1_year_period_rolls_off_national_day():
    dl = add_years(date(2025, 10, 3), 1, CAL)
    assert (dl.unrolled, dl.due, dl.period) == (date(2026, 10, 3), date(2026, 10, 8), "1 year")


def test_ja6_ten_working_days_across_spring_festival():
    # After Monday 9 Feb: 10, 11, 12, 13, 14 (make-up Saturday), then the holiday 15–23,
    # then 24, 25, 26, 27, 28 (make-up Saturday) = the 10th.
    dl = add_working_days(date(2026, 2, 9), 10, CAL)
    assert dl.due == date(2026, 2, 28)
    assert dl.rolled_from is None
    assert dl.period == "10 working days"


def test_ja6_working_days_skip_weekend_and_holiday():
    assert add_working_days(date(2026, 2, 12), 2, CAL).due == date(2026, 2, 14)
    assert add_working_days(date(2026, 2, 14), 1, CAL).due == date(2026, 2, 24)
    assert add_working_days(date(2026, 3, 6), 1, CAL).due == date(2026, 3, 9)


def test_tl1_reaching_into_2027_is_flagged_and_counts_weekends_only():
    # 2027-01-01 is New Year's Day in reality, but the 2027 notice is not loaded.
    dl = add_days(date(2026, 12, 17), 15, CAL)
    assert dl.due == date(2027, 1, 1)
    assert dl.rolled_from is None
    assert dl.calendar_complete is False
    assert dl.missing_years == (2027,)


def test_tl1_rolling_into_uncovered_year_is_flagged():
    # Thursday 31 Dec 2026 + 2 days = Saturday 2 Jan 2027, rolled by weekends only.
    dl = add_days(date(2026, 12, 31), 2, CAL)
    assert (dl.unrolled, dl.due) == (date(2027, 1, 2), date(2027, 1, 4))
    assert dl.missing_years == (2027,)


def test_tl1_missing_years_lists_every_uncovered_year_from_start_to_due():
    dl = add_years(date(2024, 6, 3), 5, CAL)
    assert dl.missing_years == (2024, 2027, 2028, 2029)
    assert dl.calendar_complete is False
    dl = add_days(date(2026, 3, 2), 15, EMPTY)
    assert dl.missing_years == (2026,)


def test_tl1_working_days_reaching_2027_are_flagged():
    dl = add_working_days(date(2026, 12, 28), 5, CAL)
    assert dl.due == date(2027, 1, 4)  # 29, 30, 31 Dec, 1 Jan (weekends only), 4 Jan
    assert dl.missing_years == (2027,)


def test_tl4_appeal_deadline_is_per_person_served():
    served = {"plaintiff": date(2026, 3, 2), "defendant": date(2026, 3, 6)}
    deadlines = {who: compute("appeal_judgment", d, CAL) for who, d in served.items()}
    assert deadlines["plaintiff"].due == date(2026, 3, 17)
    assert deadlines["defendant"].unrolled == date(2026, 3, 21)  # Saturday
    assert deadlines["defendant"].due == date(2026, 3, 23)
    assert {dl.rule for dl in deadlines.values()} == {"TL-4"}
    assert "第171条" in deadlines["plaintiff"].basis


def test_tl4_appeal_against_ruling_is_ten_days():
    dl = compute("appeal_ruling", date(2026, 3, 2), CAL)
    assert (dl.due, dl.period, dl.rule) == (date(2026, 3, 12), "10 days", "TL-4")


def test_tl5_enforcement_application_two_years():
    dl = compute("enforcement_application", date(2024, 10, 1), CAL)
    assert dl.unrolled == date(2026, 10, 1)
    assert dl.due == date(2026, 10, 8)
    assert (dl.rule, dl.period) == ("TL-5", "2 years")


def test_tl6_judicial_confirmation_thirty_days():
    dl = compute("judicial_confirmation", date(2026, 1, 16), CAL)
    assert dl.unrolled == date(2026, 2, 15)  # first day of the Spring Festival
    assert dl.due == date(2026, 2, 24)
    assert dl.rule == "TL-6"


def test_tl9_suggestion_reply_two_months():
    dl = compute("suggestion_reply", date(2026, 7, 31), CAL)
    assert dl.unrolled == date(2026, 9, 30)
    assert dl.due == date(2026, 9, 30)  # Wednesday before National Day
    assert dl.rule == "TL-9"


def test_ja6_assistance_periods_count_working_days():
    decision = compute("assistance_decision", date(2026, 9, 28), CAL)
    # 29, 30 Sep, then National Day 1–7 Oct, 8, 9, 10 (make-up Sat), 12, 13, 14, 15, 16.
    assert decision.due == date(2026, 10, 16)
    assert decision.rule == "JA-6"
    notify = compute("assistance_notification", date(2026, 2, 13), CAL)
    assert notify.due == date(2026, 2, 24)


@pytest.mark.parametrize(
    ("kind", "unit", "count", "rule"),
    [
        ("appeal_judgment", "days", 15, "TL-4"),
        ("appeal_ruling", "days", 10, "TL-4"),
        ("enforcement_application", "years", 2, "TL-5"),
        ("judicial_confirmation", "days", 30, "TL-6"),
        ("suggestion_reply", "months", 2, "TL-9"),
        ("assistance_decision", "working_days", 10, "JA-6"),
        ("assistance_notification", "working_days", 2, "JA-6"),
        ("arbitration_limitation", "years", 1, "TL-2"),
        ("arbitration_acceptance", "days", 5, "TL-2"),
        ("arbitration_award", "days", 45, "TL-2"),
        ("sue_after_award", "days", 15, "TL-2"),
        ("civil_limitation", "years", 3, "TL-3"),
        ("labour_inspection_limit", "years", 2, "TL-7"),
        ("prosecution_limitation", "years", 5, "CR-8"),
        ("prosecution_limitation_serious", "years", 10, "CR-8"),
    ],
)
def test_named_periods_table(kind, unit, count, rule):
    period = PERIODS[kind]
    assert period == StatutoryPeriod(unit, count, rule, period.basis)
    assert "第" in period.basis or "《" in period.basis
    assert "：" in period.basis
    assert "\n" not in period.basis
    dl = compute(kind, date(2026, 3, 2), CAL)
    assert (dl.rule, dl.basis) == (rule, period.basis)


def test_periods_table_has_exactly_the_named_kinds():
    assert len(PERIODS) == 15


def test_tl2_arbitration_limitation_one_year():
    dl = compute("arbitration_limitation", date(2025, 2, 3), CAL)
    assert dl.unrolled == date(2026, 2, 3)
    assert dl.due == date(2026, 2, 3)
    assert (dl.rule, dl.missing_years) == ("TL-2", ())


def test_compute_unknown_kind():
    with pytest.raises(ValueError, match="unknown period"):
        compute("appeal", date(2026, 3, 2), CAL)


def test_compute_custom_each_unit():
    start = date(2026, 3, 2)
    assert compute_custom(start, CAL, days=15).due == date(2026, 3, 17)
    assert compute_custom(start, CAL, months=1).due == date(2026, 4, 2)
    assert compute_custom(start, CAL, years=1).due == date(2027, 3, 2)
    assert compute_custom(start, CAL, working_days=5).due == date(2026, 3, 9)
    urgent = compute_custom(start, CAL, days=7, rule="TL-9", basis="检察建议书载明：七日内回复")
    assert (urgent.rule, urgent.basis, urgent.period, urgent.due) == (
        "TL-9",
        "检察建议书载明：七日内回复",
        "7 days",
        date(2026, 3, 9),
    )


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"days": 1, "months": 1},
        {"days": 0},
        {"days": -1},
        {"months": 0},
        {"years": -2},
        {"working_days": 0},
        {"days": 36501},
        {"months": 1201},
        {"years": 101},
        {"working_days": 10001},
    ],
)
def test_compute_custom_rejects_bad_periods(kwargs):
    with pytest.raises(ValueError):
        compute_custom(date(2026, 3, 2), CAL, **kwargs)


def test_compute_custom_accepts_the_upper_bounds():
    start = date(2026, 3, 2)
    # A century from 2 March 2026 holds 24 leap days (2100 is not one): 36,524 days.
    assert compute_custom(start, CAL, days=36500).unrolled == date(2126, 2, 6)
    assert compute_custom(start, CAL, months=1200).unrolled == date(2126, 3, 2)
    assert compute_custom(start, CAL, years=100).unrolled == date(2126, 3, 2)
    assert compute_custom(start, CAL, working_days=10000).calendar_complete is False


def test_adders_reject_bad_arguments():
    with pytest.raises(TypeError):
        add_days(date(2026, 3, 2), 1.5, CAL)
    with pytest.raises(TypeError):
        add_days(date(2026, 3, 2), True, CAL)
    with pytest.raises(TypeError):
        add_days(datetime(2026, 3, 2, 9, 0), 15, CAL)
    with pytest.raises(TypeError):
        add_months("2026-03-02", 1, CAL)
    with pytest.raises(ValueError):
        add_working_days(date(2026, 3, 2), 0, CAL)
    with pytest.raises(ValueError):
        add_days(date(9999, 12, 20), 30, EMPTY)
    with pytest.raises(ValueError):
        add_years(date(9999, 1, 1), 1, EMPTY)


def test_core_calendar_imports_only_the_standard_library():
    tree = ast.parse(Path(zcal.__file__).read_text(encoding="utf-8"))
    modules = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {
        node.module.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module
    }
    assert modules <= {"__future__", "collections", "dataclasses", "datetime"}


# --- properties -----------------------------------------------------------------------------

starts = st.dates(min_value=date(2024, 6, 1), max_value=date(2027, 6, 30))


@st.composite
def calendars(draw):
    """The real 2025–2026 calendar, no calendar, or a random synthetic one."""
    choice = draw(st.sampled_from(["real", "empty", "random"]))
    if choice == "real":
        return CAL
    if choice == "empty":
        return EMPTY
    days = st.dates(min_value=date(2024, 1, 1), max_value=date(2028, 12, 31))
    holidays = draw(st.frozensets(days, max_size=60))
    workdays = draw(st.frozensets(days, max_size=15)) - holidays
    years = draw(st.frozensets(st.integers(2024, 2028)))
    return HolidayCalendar(holidays, workdays, years)


@settings(max_examples=1000)
@given(
    start=starts,
    cal=calendars(),
    unit=st.sampled_from(["days", "months", "years"]),
    count=st.integers(min_value=1, max_value=400),
)
def test_tl1_property_rolled_due_is_a_working_day_not_before_unrolled(start, cal, unit, count):
    if unit == "months":
        count = count % 36 + 1
    if unit == "years":
        count = count % 5 + 1
    dl = compute_custom(start, cal, **{unit: count})
    assert cal.is_working_day(dl.due)
    assert dl.due >= dl.unrolled
    assert dl.due >= start + timedelta(days=1)
    assert (dl.rolled_from is None) == (dl.due == dl.unrolled)
    if dl.rolled_from is not None:
        assert not cal.is_working_day(dl.rolled_from)
        # No working day between the unrolled and the rolled due date.
        between = days_between(dl.unrolled, dl.due - timedelta(days=1))
        assert not any(cal.is_working_day(d) for d in between)
    expected_missing = tuple(y for y in range(start.year, dl.due.year + 1) if not cal.covers(y))
    assert dl.missing_years == expected_missing
    assert dl.calendar_complete == (expected_missing == ())


@settings(max_examples=1000)
@given(start=starts, cal=calendars(), n=st.integers(min_value=1, max_value=60))
def test_ja6_property_working_day_result_is_a_working_day_after_start(start, cal, n):
    dl = add_working_days(start, n, cal)
    assert cal.is_working_day(dl.due)
    assert dl.due > start
    assert dl.rolled_from is None
    assert dl.due == dl.unrolled
    counted = [d for d in days_between(start + timedelta(days=1), dl.due) if cal.is_working_day(d)]
    assert len(counted) == n


@settings(max_examples=1000)
@given(start=starts, days=st.integers(min_value=1, max_value=800))
def test_tl1_property_add_days_counts_from_the_day_after_start(start, days):
    dl = add_days(start, days, CAL)
    assert dl.unrolled == start + timedelta(days=days)
    assert dl.due >= start + timedelta(days=1)
    assert dl.period == f"{days} day" + ("s" if days != 1 else "")


@settings(max_examples=1000)
@given(
    start=st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)),
    months=st.integers(1, 1200),
)
def test_tl1_property_month_end_rule(start, months):
    dl = add_months(start, months, EMPTY)
    end = dl.unrolled
    assert (end.year * 12 + end.month) - (start.year * 12 + start.month) == months
    if end.day != start.day:
        assert end.day < start.day
        assert (end + timedelta(days=1)).day == 1  # the month's last day
