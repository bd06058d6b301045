"""Entering the law library's dated configuration (zhichi.rulebook.services) and its effect on the
calculators: the 2027 holiday notice (TL-1), a province's CR-4 figures, an average wage (JA-4) and
the assistance series (JA-5). Only the system administrator may change them; every change and
every refusal is audited.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from zhichi.audit.models import AuditEntry
from zhichi.common.errors import InvalidInput, NotPermitted
from zhichi.rulebook import calculators, loaders, services
from zhichi.rulebook.models import (
    AverageWage,
    CalendarDay,
    CriminalThreshold,
    HolidayYear,
    RuleSetting,
)

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

ON_POST = "urban_non_private_on_post"
EMPLOYED = "urban_non_private_employed"
NON_EDITORS = ["civil1", "chief", "auditor", "secadmin"]

# A notice in the format of parse_days (the layout of the State Council's yearly notice).
NOTICE_2027_SOURCE = "测试用通知文本（仿国务院办公厅节假日安排通知格式）"
NOTICE_2027_DAYS = """\
# 国务院办公厅关于2027年部分节假日安排的通知（测试数据）
2027-01-01..2027-01-03 元旦
2027-02-05..2027-02-13 春节
2027-02-14 上班 春节
2027-02-20 上班 春节
2027-04-03..2027-04-05 清明节
2027-05-01..2027-05-05 劳动节
2027-04-25 上班 劳动节
2027-06-09..2027-06-11 端午节
2027-09-15..2027-09-17 中秋节
2027-10-01..2027-10-07 国庆节
2027-09-26 上班 国庆节
2027-10-09 上班 国庆节
"""
NOTICE_2027_DAY_COUNT = 3 + 9 + 1 + 1 + 3 + 5 + 1 + 3 + 3 + 7 + 1 + 1


def notice_2027(**overrides) -> dict:
    data = {
        "year": "2027",
        "notice_title": "国务院办公厅关于2027年部分节假日安排的通知",
        "notice_number": "国办发明电〔2026〕X号",
        "published_on": timezone.localdate().isoformat(),
        "source": NOTICE_2027_SOURCE,
        "days": NOTICE_2027_DAYS,
    }
    data.update(overrides)
    return data


def yunnan_threshold(**overrides) -> dict:
    data = {
        "province": "53",
        "individual": "10000",
        "collective": "50000",
        "effective_from": "2026-01-01",
        "source": "云南省高级人民法院等关于拒不支付劳动报酬罪数额标准的通知（测试）",
    }
    data.update(overrides)
    return data


def yunnan_wage_2024(**overrides) -> dict:
    data = {
        "province": "53",
        "wage_year": "2024",
        "series": ON_POST,
        "annual": "118000",
        "published_on": "2025-06-01",
        "source": "云南省统计局：2024年城镇非私营单位在岗职工年平均工资（测试）",
    }
    data.update(overrides)
    return data


def audit_rows(action: str, outcome: str = "ok"):
    return AuditEntry.objects.filter(action=action, outcome=outcome)


def field_codes(exc: InvalidInput) -> set[tuple[str, str]]:
    return {(e.field, e.code) for e in exc.errors}


# --- TL-1: the holiday notice ------------------------------------------------------------------
def test_tl1_seeded_calendar_covers_2004_to_2026_only():
    calendar = loaders.holiday_calendar()
    assert calendar.covers(2004)
    assert calendar.covers(2026)
    assert not calendar.covers(2027)
    assert HolidayYear.objects.get(year=2026).days.filter(date=date(2026, 2, 14)).get().kind == (
        "workday"
    )


def test_tl1_entering_the_2027_notice_completes_2027_deadlines_and_rolls_around_its_days(users):
    before = calculators.deadline({"kind": "appeal_judgment", "start": "2027-01-26"})
    assert before["due"] == "2027-02-10"  # a Wednesday when only weekends are known
    assert before["calendar_complete"] is False
    assert before["missing_years"] == [2027]

    notice = services.enter_holiday_year(actor=users["sysadmin"], data=notice_2027())

    assert notice.year == 2027
    assert notice.days.count() == NOTICE_2027_DAY_COUNT
    assert notice.entered_by == users["sysadmin"]
    after = calculators.deadline({"kind": "appeal_judgment", "start": "2027-01-26"})
    # 2027-02-10 is now a 春节 day off; 02-11 … 02-13 too; Sunday 02-14 is a make-up working day
    assert after["unrolled"] == "2027-02-10"
    assert after["rolled_from"] == "2027-02-10"
    assert after["due"] == "2027-02-14"
    assert after["calendar_complete"] is True
    assert after["missing_years"] == []
    new_year = calculators.deadline({"kind": "appeal_judgment", "start": "2026-12-17"})
    assert new_year["due"] == "2027-01-04"  # 元旦 2027-01-01 … 03 is now known
    assert new_year["rolled_from"] == "2027-01-01"
    assert new_year["calendar_complete"] is True
    # working days skip the entered National Day and count the entered make-up Saturday
    decision = calculators.deadline({"kind": "assistance_decision", "start": "2027-09-29"})
    # 09-30, 10-08, 10-09 (make-up Saturday), 10-11 … 10-15, 10-18, 10-19
    assert decision["due"] == "2027-10-19"
    assert decision["rule"] == "JA-6"


def test_tl1_entering_a_notice_writes_one_audit_row_with_its_source(users):
    notice = services.enter_holiday_year(actor=users["sysadmin"], data=notice_2027())
    rows = list(audit_rows("rulebook.holidays"))
    assert len(rows) == 1
    row = rows[0]
    assert row.username == "sysadmin"
    assert row.object_id == str(notice.pk)
    assert row.detail["source"] == NOTICE_2027_SOURCE
    assert row.detail["year"] == 2027
    assert row.detail["days"] == NOTICE_2027_DAY_COUNT
    assert row.detail["created"] is True


def test_tl1_re_entering_the_same_year_replaces_its_days(users):
    services.enter_holiday_year(actor=users["sysadmin"], data=notice_2027())
    corrected = "2027-01-01 元旦\n2027-02-06..2027-02-12 春节\n2027-02-13 上班 春节\n"
    notice = services.enter_holiday_year(
        actor=users["sysadmin"],
        data=notice_2027(days=corrected, source="更正后的通知（测试）"),
    )
    assert HolidayYear.objects.filter(year=2027).count() == 1
    days = {(d.date, d.kind) for d in CalendarDay.objects.filter(year__year=2027)}
    assert len(days) == 9
    assert (date(2027, 2, 13), "workday") in days
    assert not CalendarDay.objects.filter(date=date(2027, 10, 1)).exists()
    assert not CalendarDay.objects.filter(date=date(2027, 2, 14)).exists()
    assert notice.source == "更正后的通知（测试）"
    # the calculators see the corrected days at once (the calendar cache follows the change)
    result = calculators.deadline({"kind": "appeal_judgment", "start": "2027-09-16"})
    assert result["due"] == "2027-10-01"
    assert result["calendar_complete"] is True
    rows = list(audit_rows("rulebook.holidays").order_by("id"))
    assert len(rows) == 2
    assert rows[1].detail["created"] is False
    assert rows[1].detail["replaced_days"] == NOTICE_2027_DAY_COUNT
    assert rows[1].detail["source"] == "更正后的通知（测试）"


def test_tl1_re_entering_a_seeded_year_replaces_the_seeded_days(users):
    seeded = HolidayYear.objects.get(year=2026).days.count()
    assert seeded > 0
    services.enter_holiday_year(
        actor=users["sysadmin"],
        data=notice_2027(year="2026", days="2026-10-01..2026-10-08 国庆节"),
    )
    assert HolidayYear.objects.get(year=2026).days.count() == 8
    # Saturday 2026-10-10 is no longer a make-up working day
    result = calculators.deadline({"kind": "appeal_ruling", "start": "2026-09-30"})
    assert result["due"] == "2026-10-12"


@pytest.mark.parametrize(
    ("days", "code"),
    [
        ("2027-02-30 春节", "date"),
        ("二〇二七年二月五日 春节", "date"),
        ("2027-02-05..2027-02-01 春节", "range"),
        ("2027-01-01..2027-03-01 春节", "range"),
        ("2027-03-01", "name"),
        ("2026-12-31..2027-01-02 元旦", "year"),
        ("2028-01-01 元旦", "year"),
        ("2027-01-01 元旦\n2027-01-01 上班 元旦", "duplicate"),
        ("2027-02-14 上班 春节", "no_holidays"),
        ("", "required"),
        ("   \n# only a comment\n", None),
    ],
)
def test_tl1_bad_day_lines_are_days_errors_and_nothing_is_saved(users, days, code):
    with pytest.raises(InvalidInput) as caught:
        services.enter_holiday_year(
            actor=users["sysadmin"],
            data=notice_2027(days=NOTICE_2027_DAYS + days if code == "duplicate" else days),
        )
    fields = {e.field for e in caught.value.errors}
    assert "days" in fields
    if code:
        assert ("days", code) in field_codes(caught.value)
    assert not HolidayYear.objects.filter(year=2027).exists()
    assert not CalendarDay.objects.filter(date__year=2027).exists()
    assert not audit_rows("rulebook.holidays").exists()


def test_tl1_a_bad_line_leaves_an_existing_year_untouched(users):
    services.enter_holiday_year(actor=users["sysadmin"], data=notice_2027())
    with pytest.raises(InvalidInput):
        services.enter_holiday_year(
            actor=users["sysadmin"],
            data=notice_2027(days="2027-10-01..2027-10-07 国庆节\n2027-02-30 春节"),
        )
    assert CalendarDay.objects.filter(year__year=2027).count() == NOTICE_2027_DAY_COUNT
    assert audit_rows("rulebook.holidays").count() == 1


def test_tl1_the_error_names_the_line(users):
    with pytest.raises(InvalidInput) as caught:
        services.enter_holiday_year(
            actor=users["sysadmin"],
            data=notice_2027(days="2027-01-01 元旦\n\n2027-02-30 春节"),
        )
    (error,) = caught.value.errors
    assert error.field == "days"
    assert "3" in error.message


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"year": ""}, "year"),
        ({"year": "abc"}, "year"),
        ({"year": "1999"}, "year"),
        ({"notice_title": ""}, "notice_title"),
        ({"source": "  "}, "source"),
        ({"published_on": "2027-02-30"}, "published_on"),
        ({"published_on": (timezone.localdate() + timedelta(days=1)).isoformat()}, "published_on"),
    ],
)
def test_tl1_notice_fields_are_checked(users, overrides, field):
    with pytest.raises(InvalidInput) as caught:
        services.enter_holiday_year(actor=users["sysadmin"], data=notice_2027(**overrides))
    assert field in {e.field for e in caught.value.errors}
    assert not HolidayYear.objects.filter(year=2027).exists()


@pytest.mark.parametrize("username", NON_EDITORS)
def test_tl1_only_the_system_administrator_may_enter_a_notice(users, username):
    with pytest.raises(NotPermitted):
        services.enter_holiday_year(actor=users[username], data=notice_2027())
    assert not HolidayYear.objects.filter(year=2027).exists()
    denied = list(audit_rows("rulebook.holidays", "denied"))
    assert [row.username for row in denied] == [username]
    assert not audit_rows("rulebook.holidays").exists()


# --- CR-4: a province's figures -----------------------------------------------------------------
def yunnan_lead(as_of: str, deadline: str) -> dict:
    return {
        "province": "53",
        "as_of": as_of,
        "workers": [{"amount": "12000.00", "months": 4}],
        "payment_order": {"issued_on": "2025-10-01", "deadline": deadline},
    }


def test_cr4_yunnan_figures_make_the_verdict_definite_from_their_effective_date(users):
    before = calculators.criminal_lead(yunnan_lead("2026-03-01", "2026-02-01"))
    assert before["verdict"] == "depends_on_province_config"

    row = services.add_criminal_threshold(actor=users["sysadmin"], data=yunnan_threshold())
    assert (row.province, row.effective_from) == ("53", date(2026, 1, 1))

    after = calculators.criminal_lead(yunnan_lead("2026-03-01", "2026-02-01"))
    assert after["verdict"] == "transfer"
    threshold = after["threshold"]
    assert threshold["basis"] == "province"
    assert threshold["individual"] == {
        "value": "10000.00",
        "source": yunnan_threshold()["source"],
        "effective_from": "2026-01-01",
    }
    assert threshold["collective"]["value"] == "50000.00"
    assert "province_figure_missing" not in {r["code"] for r in after["reasons"]}

    # dated configuration: a lead evaluated as of a day before the figures took effect
    earlier = calculators.criminal_lead(yunnan_lead("2025-12-31", "2025-11-30"))
    assert earlier["verdict"] == "depends_on_province_config"
    assert earlier["threshold"]["basis"] == "national_range"


def test_cr4_yunnan_figures_can_also_make_a_lead_below_threshold(users):
    services.add_criminal_threshold(
        actor=users["sysadmin"], data=yunnan_threshold(individual="15000", collective="60000")
    )
    result = calculators.criminal_lead(yunnan_lead("2026-03-01", "2026-02-01"))
    assert result["verdict"] == "below_threshold"


def test_cr4_a_later_figure_replaces_the_earlier_one_only_from_its_date(users):
    services.add_criminal_threshold(actor=users["sysadmin"], data=yunnan_threshold())
    services.add_criminal_threshold(
        actor=users["sysadmin"],
        data=yunnan_threshold(individual="15000", collective="60000", effective_from="2026-07-01"),
    )
    assert calculators.criminal_lead(yunnan_lead("2026-06-30", "2026-06-01"))["verdict"] == (
        "transfer"
    )
    assert calculators.criminal_lead(yunnan_lead("2026-07-01", "2026-06-01"))["verdict"] == (
        "below_threshold"
    )
    assert CriminalThreshold.objects.filter(province="53").count() == 2


def test_cr4_adding_figures_writes_one_audit_row_with_its_source(users):
    row = services.add_criminal_threshold(actor=users["sysadmin"], data=yunnan_threshold())
    (entry,) = audit_rows("rulebook.threshold")
    assert entry.object_id == str(row.pk)
    assert entry.detail["source"] == yunnan_threshold()["source"]
    assert entry.detail["province"] == "53"
    assert entry.detail["effective_from"] == "2026-01-01"


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"individual": "4999.99"}, "individual", "out_of_range"),
        ({"individual": "20000.01"}, "individual", "out_of_range"),
        ({"collective": "29999"}, "collective", "out_of_range"),
        ({"collective": "100000.01"}, "collective", "out_of_range"),
        ({"individual": "0"}, "individual", "positive"),
        ({"individual": "abc"}, "individual", "money"),
        ({"collective": ""}, "collective", "required"),
        ({"province": "99"}, "province", "unknown"),
        ({"province": "00"}, "province", "unknown"),
        ({"effective_from": "2026-02-30"}, "effective_from", "date"),
        ({"effective_from": ""}, "effective_from", "required"),
        ({"source": ""}, "source", "required"),
    ],
)
def test_cr4_invalid_figures_are_refused_on_their_field(users, overrides, field, code):
    with pytest.raises(InvalidInput) as caught:
        services.add_criminal_threshold(actor=users["sysadmin"], data=yunnan_threshold(**overrides))
    assert (field, code) in field_codes(caught.value)
    assert not CriminalThreshold.objects.filter(province="53").exists()
    assert not audit_rows("rulebook.threshold").exists()


def test_cr4_the_national_range_bounds_are_inclusive(users):
    services.add_criminal_threshold(
        actor=users["sysadmin"], data=yunnan_threshold(individual="5000", collective="100000")
    )
    assert CriminalThreshold.objects.filter(province="53").count() == 1


def test_cr4_a_duplicate_province_and_date_is_refused(users):
    services.add_criminal_threshold(actor=users["sysadmin"], data=yunnan_threshold())
    with pytest.raises(InvalidInput) as caught:
        services.add_criminal_threshold(
            actor=users["sysadmin"], data=yunnan_threshold(individual="12000")
        )
    assert ("effective_from", "exists") in field_codes(caught.value)
    with pytest.raises(InvalidInput):  # the seeded Guizhou figures
        services.add_criminal_threshold(
            actor=users["sysadmin"],
            data=yunnan_threshold(province="52", effective_from="2013-01-23"),
        )
    assert CriminalThreshold.objects.filter(province="53").count() == 1
    assert audit_rows("rulebook.threshold").count() == 1


@pytest.mark.parametrize("username", NON_EDITORS)
def test_cr4_only_the_system_administrator_may_add_figures(users, username):
    with pytest.raises(NotPermitted):
        services.add_criminal_threshold(actor=users[username], data=yunnan_threshold())
    assert not CriminalThreshold.objects.filter(province="53").exists()
    assert [e.username for e in audit_rows("rulebook.threshold", "denied")] == [username]


# --- JA-4, JA-5: average wages and the series -----------------------------------------------
def test_ja4_adding_the_2024_average_wage_makes_the_2024_cap_computable(users):
    with pytest.raises(InvalidInput) as caught:
        calculators.assistance_cap({"province": "53", "wage_year": 2024})
    assert ("wage_year", "missing_figure") in field_codes(caught.value)

    row = services.add_average_wage(actor=users["sysadmin"], data=yunnan_wage_2024())
    assert (row.wage_year, row.series) == (2024, ON_POST)

    result = calculators.assistance_cap({"province": "53", "wage_year": 2024})
    assert result["monthly_wage"] == "9833.33"
    assert result["cap"] == "354000.00"
    assert result["series"] == ON_POST
    assert result["source"] == yunnan_wage_2024()["source"]
    assert result["published_on"] == "2025-06-01"
    # the other series for 2024 is still unknown
    with pytest.raises(InvalidInput):
        calculators.assistance_cap({"province": "53", "wage_year": 2024, "series": EMPLOYED})


def test_ja4_adding_a_wage_writes_one_audit_row_with_its_source(users):
    row = services.add_average_wage(actor=users["sysadmin"], data=yunnan_wage_2024())
    (entry,) = audit_rows("rulebook.wage")
    assert entry.object_id == str(row.pk)
    assert entry.detail["source"] == yunnan_wage_2024()["source"]
    assert entry.detail["wage_year"] == 2024
    assert entry.detail["series"] == ON_POST


def test_ja4_a_duplicate_average_wage_is_refused(users):
    services.add_average_wage(actor=users["sysadmin"], data=yunnan_wage_2024())
    with pytest.raises(InvalidInput) as caught:
        services.add_average_wage(actor=users["sysadmin"], data=yunnan_wage_2024(annual="119000"))
    assert ("wage_year", "exists") in field_codes(caught.value)
    with pytest.raises(InvalidInput):  # the seeded 2023 figure
        services.add_average_wage(actor=users["sysadmin"], data=yunnan_wage_2024(wage_year="2023"))
    assert AverageWage.objects.filter(province="53", wage_year=2024).count() == 1
    assert audit_rows("rulebook.wage").count() == 1
    # the other series of the same year is a different figure
    services.add_average_wage(
        actor=users["sysadmin"], data=yunnan_wage_2024(series=EMPLOYED, annual="110000")
    )
    assert AverageWage.objects.filter(province="53", wage_year=2024).count() == 2


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"wage_year": "abc"}, "wage_year"),
        ({"wage_year": ""}, "wage_year"),
        ({"series": "median"}, "series"),
        ({"annual": "-1"}, "annual"),
        ({"annual": "0"}, "annual"),
        ({"province": "5"}, "province"),
        ({"published_on": ""}, "published_on"),
        ({"published_on": (timezone.localdate() + timedelta(days=1)).isoformat()}, "published_on"),
        ({"source": ""}, "source"),
    ],
)
def test_ja4_invalid_wage_figures_are_refused_on_their_field(users, overrides, field):
    with pytest.raises(InvalidInput) as caught:
        services.add_average_wage(actor=users["sysadmin"], data=yunnan_wage_2024(**overrides))
    assert field in {e.field for e in caught.value.errors}
    assert not AverageWage.objects.filter(wage_year=2024).exists()


@pytest.mark.parametrize("username", NON_EDITORS)
def test_ja4_only_the_system_administrator_may_add_a_wage(users, username):
    with pytest.raises(NotPermitted):
        services.add_average_wage(actor=users[username], data=yunnan_wage_2024())
    assert not AverageWage.objects.filter(wage_year=2024).exists()
    assert [e.username for e in audit_rows("rulebook.wage", "denied")] == [username]


def test_ja5_switching_the_default_series_changes_the_cap_and_says_so(users):
    default = calculators.assistance_cap({"province": "53", "wage_year": 2023})
    assert (default["series"], default["series_is_default"], default["cap"]) == (
        ON_POST,
        True,
        "338724.00",
    )

    source = "本部署决定采用就业人员口径（测试）"
    services.set_assistance_series(actor=users["sysadmin"], series=EMPLOYED, source=source)

    switched = calculators.assistance_cap({"province": "53", "wage_year": 2023})
    assert switched["series"] == EMPLOYED
    assert switched["series_is_default"] is True
    assert switched["monthly_wage"] == "8897.42"
    assert switched["cap"] == "320307.00"
    asked = calculators.assistance_cap({"province": "53", "wage_year": 2023, "series": ON_POST})
    assert (asked["series"], asked["series_is_default"], asked["cap"]) == (
        ON_POST,
        False,
        "338724.00",
    )
    setting = RuleSetting.objects.get(key="assistance_wage_series")
    assert (setting.value, setting.source, setting.changed_by) == (
        EMPLOYED,
        source,
        users["sysadmin"],
    )
    (entry,) = audit_rows("rulebook.setting")
    assert entry.detail == {"series": EMPLOYED, "source": source}


@pytest.mark.parametrize(
    ("series", "source", "field"),
    [("median", "理由", "series"), ("", "理由", "series"), (EMPLOYED, "", "source")],
)
def test_ja5_an_invalid_series_setting_is_refused(users, series, source, field):
    with pytest.raises(InvalidInput) as caught:
        services.set_assistance_series(actor=users["sysadmin"], series=series, source=source)
    assert field in {e.field for e in caught.value.errors}
    assert RuleSetting.objects.get(key="assistance_wage_series").value == ON_POST
    assert not audit_rows("rulebook.setting").exists()


@pytest.mark.parametrize("username", NON_EDITORS)
def test_ja5_only_the_system_administrator_may_switch_the_series(users, username):
    with pytest.raises(NotPermitted):
        services.set_assistance_series(actor=users[username], series=EMPLOYED, source="理由")
    assert RuleSetting.objects.get(key="assistance_wage_series").value == ON_POST
    assert [e.username for e in audit_rows("rulebook.setting", "denied")] == [username]


# --- a province's own lower cap (rule JA-4) ------------------------------------------------------
def test_ja4_province_cap_is_set_used_and_removed(users):
    from decimal import Decimal

    from zhichi.rulebook import loaders

    row = services.set_province_cap(
        actor=users["sysadmin"],
        data={"province": "43", "amount": "50000", "source": "湖南省司法救助实施办法（测试）"},
    )
    assert row.key == "assistance_province_cap_43" and row.value == "50000.00"
    figure = loaders.province_cap("43")
    assert figure.value == Decimal("50000.00") and figure.source.startswith("湖南省")
    assert loaders.province_cap("53") is None
    assert audit_rows("rulebook.setting").count() == 1

    services.set_province_cap(
        actor=users["sysadmin"], data={"province": "43", "amount": "", "source": "废止（测试）"}
    )
    assert loaders.province_cap("43") is None
    assert audit_rows("rulebook.setting").count() == 2


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"province": "99", "amount": "1000", "source": "x"}, "province"),
        ({"province": "43", "amount": "0", "source": "x"}, "amount"),
        ({"province": "43", "amount": "abc", "source": "x"}, "amount"),
        ({"province": "43", "amount": "1000", "source": ""}, "source"),
    ],
)
def test_ja4_an_invalid_province_cap_is_refused(users, data, field):
    with pytest.raises(InvalidInput) as caught:
        services.set_province_cap(actor=users["sysadmin"], data=data)
    assert field in {e.field for e in caught.value.errors}
    assert not RuleSetting.objects.filter(key__startswith="assistance_province_cap_").exists()


def test_ja4_only_the_law_library_editor_sets_a_province_cap(users):
    with pytest.raises(NotPermitted):
        services.set_province_cap(
            actor=users["civil1"], data={"province": "43", "amount": "1", "source": "x"}
        )


def test_r14_unapplying_the_seed_keeps_what_an_administrator_entered(users):
    """Going back past rulebook 0002 removes the seeded rows only: a holiday year, a province's
    figures and a setting an administrator entered or changed later stay."""
    import importlib

    from django.apps import apps

    seed = importlib.import_module("zhichi.rulebook.migrations.0002_seed")
    admin = users["sysadmin"]
    notice = services.enter_holiday_year(actor=admin, data=notice_2027())
    threshold = services.add_criminal_threshold(actor=admin, data=yunnan_threshold())
    seeded_years = HolidayYear.objects.filter(entered_by__isnull=True).count()
    assert seeded_years > 0

    seed.unseed(apps, None)

    assert list(HolidayYear.objects.values_list("pk", flat=True)) == [notice.pk]
    assert CalendarDay.objects.exclude(year=notice).count() == 0
    assert notice.days.count() > 0
    assert list(CriminalThreshold.objects.values_list("pk", flat=True)) == [threshold.pk]
    assert not AverageWage.objects.exists() and not RuleSetting.objects.exists()


def test_the_holiday_calendar_checks_its_cache_in_one_query():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from zhichi.rulebook import loaders

    first = loaders.holiday_calendar()
    with CaptureQueriesContext(connection) as ctx:
        again = loaders.holiday_calendar()

    assert again is first
    assert len(ctx) == 1


def test_tl1_the_holiday_seed_reads_its_frozen_days_not_the_installed_package(monkeypatch):
    """rulebook 0002 seeds the calendar from the days frozen beside it (chinesecalendar 1.11.0),
    so migrating gives the same calendar whichever version of the package is installed."""
    import importlib
    import sys

    from django.apps import apps

    seed = importlib.import_module("zhichi.rulebook.migrations.0002_seed")
    before = sorted(CalendarDay.objects.values_list("date", "kind", "name"))
    years = sorted(HolidayYear.objects.values_list("year", "source"))
    seed.unseed(apps, None)
    assert not CalendarDay.objects.exists()
    monkeypatch.setitem(sys.modules, "chinese_calendar", None)  # importing it would fail

    seed.seed(apps, None)

    assert sorted(CalendarDay.objects.values_list("date", "kind", "name")) == before
    assert sorted(HolidayYear.objects.values_list("year", "source")) == years
    assert (years[0][0], years[-1][0]) == (2004, 2026)
