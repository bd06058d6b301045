"""Wage-claim calculator (rules LA-1, LA-3, LA-4, LA-5) and LA-6, LA-7."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhichi.core.criminal import Figure
from zhichi.core.wages import (
    KINDS,
    WageInputError,
    as_dict,
    child_support,
    claim,
    disability_grant,
)

pytestmark = pytest.mark.unit

D = Decimal


def calc(**kw):
    args = {
        "monthly_wage": D("6000"),
        "months_unpaid": 0,
        "amount_paid": D("0"),
        "service_start": None,
        "service_end": None,
        "written_contract": True,
        "local_avg_monthly_wage": None,
        "order_deadline_passed": False,
    }
    args.update(kw)
    return claim(**args)


def item(result, kind):
    found = [i for i in result.items if i.kind == kind]
    assert len(found) == 1, [i.kind for i in result.items]
    return found[0]


def kinds(result):
    return [i.kind for i in result.items]


# --- LA-1 -----------------------------------------------------------------------------------------


def test_la1_unpaid_is_due_minus_paid_with_daily_wage_note():
    # 6,000 × 3 − 1,000 = 17,000; daily 6,000 ÷ 21.75 = 275.862… → 275.86;
    # hourly 6,000 ÷ 174 = 34.482… → 34.48.
    result = calc(months_unpaid=3, amount_paid=D("1000"))
    unpaid = item(result, "unpaid_wages")
    assert unpaid.amount == D("17000.00")
    assert unpaid.amount_max is None
    assert unpaid.rule == "LA-1"
    assert "21.75" in unpaid.note and "275.86" in unpaid.note and "34.48" in unpaid.note
    assert kinds(result) == ["unpaid_wages"]
    assert result.total == D("17000.00")


def test_la1_overpayment_floors_at_zero():
    unpaid = item(
        calc(monthly_wage=D("3000"), months_unpaid=1, amount_paid=D("3500")), "unpaid_wages"
    )
    assert unpaid.amount == D("0.00")
    assert "按0计" in unpaid.note


def test_la1_part_months_and_rounding_to_the_fen():
    # 3,333.33 × 2.5 = 8,333.325 → 8,333.33 (half up).
    unpaid = item(calc(monthly_wage=D("3333.33"), months_unpaid=D("2.5")), "unpaid_wages")
    assert unpaid.amount == D("8333.33")


# --- LA-5 -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("end", "n", "amount"),
    [
        (date(2024, 7, 31), "5", "30000.00"),  # 4 years 7 months → 4 + 1
        (date(2024, 3, 31), "4.5", "27000.00"),  # 4 years 3 months → 4 + 0.5
        (date(2023, 12, 31), "4", "24000.00"),  # exactly 4 years → 4
        (date(2024, 1, 1), "4.5", "27000.00"),  # 4 years 1 day → 4 + 0.5
        (date(2024, 6, 30), "5", "30000.00"),  # 4 years 6 months → 4 + 1
        (date(2024, 6, 29), "4.5", "27000.00"),  # 4 years 5 months 29 days → 4 + 0.5
        (date(2020, 3, 10), "0.5", "3000.00"),  # 2 months 10 days → 0.5
    ],
)
def test_la5_years_of_service(end, n, amount):
    result = calc(service_start=date(2020, 1, 1), service_end=end)
    compensation = item(result, "economic_compensation")
    assert compensation.amount == D(amount)
    assert compensation.rule == "LA-5"
    assert f"N={n}" in compensation.note


def test_la5_high_earner_base_is_3a_and_years_capped_at_12():
    # 15 years, W 30,000 > 3 × 8,000 = 24,000 → 12 × 24,000 = 288,000.00.
    result = calc(
        monthly_wage=D("30000"),
        service_start=date(2009, 1, 1),
        service_end=date(2023, 12, 31),
        local_avg_monthly_wage=D("8000"),
    )
    compensation = item(result, "economic_compensation")
    assert compensation.amount == D("288000.00")
    assert "24,000.00" in compensation.note and "12年" in compensation.note


def test_la5_exactly_3a_is_not_capped():
    # W 24,000 = 3A is not "higher than" 3A: 15 × 24,000 = 360,000.00.
    result = calc(
        monthly_wage=D("24000"),
        service_start=date(2009, 1, 1),
        service_end=date(2023, 12, 31),
        local_avg_monthly_wage=D("8000"),
    )
    assert item(result, "economic_compensation").amount == D("360000.00")


def test_la5_below_3a_keeps_all_years():
    # 15 × 20,000 = 300,000.00.
    result = calc(
        monthly_wage=D("20000"),
        service_start=date(2009, 1, 1),
        service_end=date(2023, 12, 31),
        local_avg_monthly_wage=D("8000"),
    )
    assert item(result, "economic_compensation").amount == D("300000.00")


def test_la5_without_local_average_computes_with_w_and_says_cap_unchecked():
    result = calc(
        monthly_wage=D("30000"), service_start=date(2009, 1, 1), service_end=date(2023, 12, 31)
    )
    compensation = item(result, "economic_compensation")
    assert compensation.amount == D("450000.00")  # 15 × 30,000
    assert "未能核对三倍封顶" in compensation.note


def test_la5_local_average_as_dated_figure_names_its_source():
    avg = Figure(D("8000"), "昆明市统计局公报（测试数据）", date(2024, 6, 1))
    result = calc(
        monthly_wage=D("30000"),
        service_start=date(2009, 1, 1),
        service_end=date(2023, 12, 31),
        local_avg_monthly_wage=avg,
    )
    note = item(result, "economic_compensation").note
    assert "昆明市统计局公报（测试数据）" in note and "2024年6月1日" in note


def test_la5_base_never_below_minimum_wage():
    # 2 years × max(1,500, 1,900) = 3,800.00.
    minimum = Figure(D("1900"), "云南省最低工资标准（测试数据）", date(2023, 10, 1))
    result = calc(
        monthly_wage=D("1500"),
        service_start=date(2022, 1, 1),
        service_end=date(2023, 12, 31),
        local_min_monthly_wage=minimum,
    )
    assert item(result, "economic_compensation").amount == D("3800.00")


def test_la5_notes_article_46_87_and_flags_pre_2008_service():
    before = item(
        calc(service_start=date(2005, 3, 1), service_end=date(2010, 2, 28)),
        "economic_compensation",
    )
    after = item(
        calc(service_start=date(2008, 1, 1), service_end=date(2010, 2, 28)),
        "economic_compensation",
    )
    for note in (before.note, after.note):
        assert "第四十六条" in note and "第八十七条" in note and "二倍" in note
    assert "第九十七条" in before.note
    assert "第九十七条" not in after.note


def test_la5_only_when_service_ended():
    assert "economic_compensation" not in kinds(calc(service_start=date(2020, 1, 1)))


def test_la5_end_without_start_is_noted_not_guessed():
    result = calc(service_end=date(2024, 1, 1))
    assert "economic_compensation" not in kinds(result)
    assert any("入职日期" in note for note in result.notes)


# --- LA-4 -----------------------------------------------------------------------------------------


def test_la4_full_first_year_is_capped_at_11_months():
    # Start 2024-03-01: 2024-04-01 to 2025-02-28 = 11 full months → 11 × 5,000 = 55,000.00.
    result = calc(monthly_wage=D("5000"), service_start=date(2024, 3, 1), written_contract=False)
    double = item(result, "double_wages")
    assert double.amount == D("55000.00")
    assert double.rule == "LA-4"
    assert "2024年4月1日" in double.note and "2025年2月28日" in double.note
    assert "争议" in double.note


def test_la4_long_service_still_11_months():
    result = calc(
        monthly_wage=D("5000"),
        service_start=date(2018, 1, 15),
        service_end=date(2024, 1, 1),
        written_contract=False,
    )
    assert item(result, "double_wages").amount == D("55000.00")
    assert "无固定期限" in item(result, "double_wages").note


def test_la4_only_within_service_full_months():
    # 2024-04-01 to 2024-06-15: two full months and 15 days → 2 × 5,000 = 10,000.00.
    result = calc(
        monthly_wage=D("5000"),
        service_start=date(2024, 3, 1),
        service_end=date(2024, 6, 15),
        written_contract=False,
    )
    double = item(result, "double_wages")
    assert double.amount == D("10000.00")
    assert "15天" in double.note


@pytest.mark.parametrize("end", [date(2024, 3, 31), date(2024, 4, 15)])
def test_la4_no_full_month_after_the_first_means_no_item(end):
    result = calc(service_start=date(2024, 3, 1), service_end=end, written_contract=False)
    assert "double_wages" not in kinds(result)
    assert result.notes


def test_la4_not_with_a_written_contract():
    result = calc(service_start=date(2024, 3, 1), written_contract=True)
    assert "double_wages" not in kinds(result)


def test_la4_without_start_date_is_noted():
    result = calc(written_contract=False)
    assert "double_wages" not in kinds(result)
    assert any("LA-4" in note for note in result.notes)


# --- LA-3 -----------------------------------------------------------------------------------------


def test_la3_only_when_the_order_deadline_passed():
    result = calc(months_unpaid=3, amount_paid=D("1000"), order_deadline_passed=True)
    extra = item(result, "additional_compensation")
    assert (extra.amount, extra.amount_max) == (D("8500.00"), D("17000.00"))  # 50%, 100%
    assert extra.rule == "LA-3"
    assert "责令" in extra.note
    assert result.total == D("25500.00")
    assert result.total_max == D("34000.00")


def test_la3_absent_without_a_passed_deadline_and_nothing_else_added():
    result = calc(months_unpaid=3, amount_paid=D("1000"), order_deadline_passed=False)
    assert kinds(result) == ["unpaid_wages"]
    assert result.notes == ()
    assert result.total_max == result.total


def test_la3_nothing_unpaid_means_no_item():
    result = calc(months_unpaid=0, order_deadline_passed=True)
    assert "additional_compensation" not in kinds(result)


# --- the whole claim ------------------------------------------------------------------------------


def test_la_full_claim_totals():
    # 17,000 (LA-1) + 66,000 (LA-4: 11 × 6,000) + 30,000 (LA-5: 5 × 6,000) + 8,500 (LA-3)
    # = 121,500; with LA-3 at 100%: 130,000.
    result = calc(
        months_unpaid=3,
        amount_paid=D("1000"),
        service_start=date(2020, 1, 1),
        service_end=date(2024, 7, 31),
        written_contract=False,
        order_deadline_passed=True,
    )
    assert kinds(result) == [
        "unpaid_wages",
        "double_wages",
        "economic_compensation",
        "additional_compensation",
    ]
    assert result.total == D("121500.00")
    assert result.total_max == D("130000.00")
    data = as_dict(result)
    assert data["total"] == "121500.00"
    assert [row["amount_max"] for row in data["items"]] == [None, None, None, "17000.00"]
    assert data["items"][0]["amount"] == "17000.00"


@pytest.mark.parametrize(
    ("kwargs", "field", "code"),
    [
        ({"monthly_wage": D("-1")}, "monthly_wage", "negative"),
        ({"monthly_wage": 6000.0}, "monthly_wage", "type"),
        ({"monthly_wage": D("Infinity")}, "monthly_wage", "not_finite"),
        ({"monthly_wage": D("1e13")}, "monthly_wage", "too_large"),
        ({"months_unpaid": -1}, "months_unpaid", "negative"),
        ({"months_unpaid": 601}, "months_unpaid", "too_large"),
        ({"amount_paid": D("-0.01")}, "amount_paid", "negative"),
        ({"local_avg_monthly_wage": D("-5")}, "local_avg_monthly_wage", "negative"),
        ({"local_avg_monthly_wage": D("0")}, "local_avg_monthly_wage", "not_positive"),
        ({"service_start": "2020-01-01"}, "service_start", "type"),
        (
            {"service_start": date(2024, 1, 2), "service_end": date(2024, 1, 1)},
            "service_end",
            "before_start",
        ),
        ({"written_contract": None}, "written_contract", "type"),
    ],
)
def test_la_invalid_input_names_the_field(kwargs, field, code):
    with pytest.raises(WageInputError) as raised:
        calc(**kwargs)
    assert raised.value.field == field
    assert raised.value.code == code
    assert isinstance(raised.value, ValueError)


def test_la_600_months_is_allowed_and_one_day_service_is_fine():
    assert item(calc(months_unpaid=600), "unpaid_wages").amount == D("3600000.00")
    same_day = calc(service_start=date(2024, 1, 1), service_end=date(2024, 1, 1))
    assert item(same_day, "economic_compensation").amount == D("3000.00")  # N = 0.5


# --- LA-6, LA-7 -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("grade", "months"),
    [(1, 27), (2, 25), (3, 23), (4, 21), (5, 18), (6, 16), (7, 13), (8, 11), (9, 9), (10, 7)],
)
def test_la6_months_by_grade(grade, months):
    # Own wage 5,000 lies inside 60%–300% of 6,000 (3,600–18,000).
    grant = disability_grant(
        grade=grade, own_monthly_wage=D("5000"), local_avg_monthly_wage=D("6000")
    )
    assert grant.months == months
    assert grant.amount == D(5000 * months)
    assert grant.rule == "LA-6"


def test_la6_wage_floor_and_ceiling():
    # 60% of 8,000 = 4,800 × 9 = 43,200; 300% of 8,000 = 24,000 × 7 = 168,000.
    low = disability_grant(grade=9, own_monthly_wage=D("3000"), local_avg_monthly_wage=D("8000"))
    high = disability_grant(grade=10, own_monthly_wage=D("30000"), local_avg_monthly_wage=D("8000"))
    assert (low.base, low.amount) == (D("4800.00"), D("43200.00"))
    assert (high.base, high.amount) == (D("24000.00"), D("168000.00"))


def test_la6_without_local_average_says_bounds_unchecked():
    grant = disability_grant(grade=10, own_monthly_wage=D("3000"), local_avg_monthly_wage=None)
    assert grant.amount == D("21000.00")
    assert "未能核对" in grant.note


@pytest.mark.parametrize("grade", [0, 11, True])
def test_la6_grade_must_be_1_to_10(grade):
    with pytest.raises(WageInputError) as raised:
        disability_grant(grade=grade, own_monthly_wage=D("3000"), local_avg_monthly_wage=None)
    assert raised.value.field == "grade"


def test_la7_one_child_20_to_30_percent():
    support = child_support(monthly_income=D("5000"))
    assert (support.amount, support.amount_max) == (D("1000.00"), D("1500.00"))
    assert support.rule == "LA-7"


def test_la7_two_children_at_most_50_percent():
    support = child_support(monthly_income=D("5000"), children=2)
    assert (support.amount, support.amount_max) == (D("1000.00"), D("2500.00"))
    assert "50%" in support.note


def test_la7_children_must_be_at_least_one():
    with pytest.raises(WageInputError):
        child_support(monthly_income=D("5000"), children=0)


# --- properties -----------------------------------------------------------------------------------

money_st = st.integers(min_value=0, max_value=10_000_000).map(lambda c: Decimal(c) / 100)
months_st = st.one_of(
    st.integers(min_value=0, max_value=600),
    st.integers(min_value=0, max_value=1200).map(lambda h: Decimal(h) / 2),
)
start_st = st.one_of(
    st.none(),
    st.integers(min_value=0, max_value=12_000).map(lambda n: date(1995, 1, 1) + timedelta(n)),
)


@settings(max_examples=500, deadline=None)
@given(
    wage=money_st,
    months=months_st,
    paid=money_st,
    start=start_st,
    length=st.one_of(st.none(), st.integers(min_value=0, max_value=9000)),
    written=st.booleans(),
    local_avg=st.one_of(st.none(), money_st.filter(lambda m: m > 0)),
    passed=st.booleans(),
)
def test_la_total_is_sum_of_items_and_nothing_is_negative(
    wage, months, paid, start, length, written, local_avg, passed
):
    end = None if start is None or length is None else start + timedelta(length)
    result = claim(
        monthly_wage=wage,
        months_unpaid=months,
        amount_paid=paid,
        service_start=start,
        service_end=end,
        written_contract=written,
        local_avg_monthly_wage=local_avg,
        order_deadline_passed=passed,
    )
    assert result.total == sum((i.amount for i in result.items), Decimal(0))
    assert result.total_max == sum(
        (i.amount if i.amount_max is None else i.amount_max for i in result.items), Decimal(0)
    )
    assert result.total_max >= result.total >= 0
    for i in result.items:
        assert i.kind in KINDS
        assert i.amount >= 0
        assert i.amount.as_tuple().exponent == -2
        assert i.amount_max is None or i.amount_max >= i.amount
    assert len(set(kinds(result))) == len(result.items)
    unpaid = item(result, "unpaid_wages").amount
    assert ("additional_compensation" in kinds(result)) == (passed and unpaid > 0)
    assert ("economic_compensation" in kinds(result)) == (end is not None)
    if "double_wages" in kinds(result):
        assert item(result, "double_wages").amount <= wage * 11
