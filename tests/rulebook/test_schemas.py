"""The law library's inputs are declared once (issue 14 item 1): ``rulebook.schemas`` refuses a
bad value at its field with the project's code (the rules between fields of one input too), and
the calculators and services given the same values as a dict (a page's form, a caller) refuse
them the same way, before anything is computed or saved."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.refusals import refusal, refused
from tests.rulebook.test_services import notice_2027, yunnan_threshold, yunnan_wage_2024
from zhichi.common.errors import InvalidInput
from zhichi.common.inputs import parse
from zhichi.rulebook import calculators, services
from zhichi.rulebook.models import (
    AverageWage,
    CriminalThreshold,
    HolidayYear,
    RuleSetting,
    WageSeries,
)
from zhichi.rulebook.schemas import (
    AssistanceCapIn,
    AverageWageIn,
    CapitalIn,
    CriminalLeadIn,
    DeadlineIn,
    HolidayYearIn,
    ProvinceCapIn,
    SeriesIn,
    ThresholdIn,
    WageClaimIn,
)

TOMORROW = (timezone.localdate() + timedelta(days=1)).isoformat()
LEAD = {"province": "53", "workers": [{"amount": "12000", "months": 4}]}


CALCULATOR_CASES = [
    (DeadlineIn, calculators.deadline, {"start": "2026-02-05"}, {"days": "required"}),
    (
        DeadlineIn,
        calculators.deadline,
        {"start": "2026-02-05", "days": 1, "months": 1},
        {"days": "one_unit"},
    ),
    (DeadlineIn, calculators.deadline, {"start": "1899-12-31", "days": 1}, {"start": "date_range"}),
    (
        DeadlineIn,
        calculators.deadline,
        {"kind": "appeal", "start": "2026-02-05"},
        {"kind": "choice"},
    ),
    (
        CriminalLeadIn,
        calculators.criminal_lead,
        {**LEAD, "province": "99"},
        {"province": "unknown"},
    ),
    (
        CriminalLeadIn,
        calculators.criminal_lead,
        {**LEAD, "payment_order": {"issued_on": "2026-10-31", "deadline": "2026-10-01"}},
        {"payment_order.deadline": "before_issue"},
    ),
    (
        CriminalLeadIn,
        calculators.criminal_lead,
        {**LEAD, "workers": [{"amount": "1.005"}]},
        {"workers.0.amount": "precision"},
    ),
    (
        CriminalLeadIn,
        calculators.criminal_lead,
        {**LEAD, "evasion": ["x"]},
        {"evasion.0": "choice"},
    ),
    (
        AssistanceCapIn,
        calculators.assistance_cap,
        {"province": "53", "wage_year": 1989},
        {"wage_year": "range"},
    ),
    (
        WageClaimIn,
        calculators.wage_claim,
        {"monthly_wage": "6000", "service_start": "2026-03-01", "service_end": "2026-02-28"},
        {"service_end": "before_start"},
    ),
    (WageClaimIn, calculators.wage_claim, {"monthly_wage": "-1"}, {"monthly_wage": "negative"}),
    (CapitalIn, calculators.rmb_capital, {"amount": ""}, {"amount": "required"}),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("schema", "calculate", "data", "errors"), CALCULATOR_CASES)
def test_a_calculator_refuses_what_its_schema_refuses(schema, calculate, data, errors):
    assert refused(schema, data) == errors
    with pytest.raises(InvalidInput) as exc:
        calculate(data)
    assert {e.field: e.code for e in exc.value.errors} == errors
    assert exc.value.detail == calculators.not_computed()


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({"days": ""}, {"days": "required"}),
        ({"days": "2027-02-30 春节"}, {"days": "date"}),
        ({"days": "2027-02-14 上班 春节"}, {"days": "no_holidays"}),
        ({"days": "2028-01-01 元旦"}, {"days": "year"}),
        ({"year": "1999"}, {"year": "range"}),
        ({"year": "abc"}, {"year": "integer"}),
        ({"published_on": TOMORROW}, {"published_on": "future"}),
        ({"source": "  "}, {"source": "required"}),
    ],
)
def test_the_holiday_notice_schema_refuses_at_the_field(data, errors):
    assert refused(HolidayYearIn, notice_2027(**data)) == errors


def test_a_notice_with_several_bad_lines_names_them_all_at_days():
    with pytest.raises(InvalidInput) as exc:
        parse(HolidayYearIn, notice_2027(days="2027-02-30 春节\n2027-03-01"))

    (error,) = exc.value.errors
    assert (error.field, error.code) == ("days", "date")
    assert "1" in error.message and "2" in error.message


@pytest.mark.parametrize(
    ("schema", "data", "errors"),
    [
        (ThresholdIn, yunnan_threshold(individual="0"), {"individual": "positive"}),
        (ThresholdIn, yunnan_threshold(province="5"), {"province": "unknown"}),
        (
            ThresholdIn,
            yunnan_threshold(
                effective_from=(timezone.localdate() + timedelta(days=400)).isoformat()
            ),
            {"effective_from": "too_late"},
        ),
        (AverageWageIn, yunnan_wage_2024(series="median"), {"series": "choice"}),
        (AverageWageIn, yunnan_wage_2024(published_on=TOMORROW), {"published_on": "future"}),
        (SeriesIn, {"series": WageSeries.values[0], "source": ""}, {"source": "required"}),
        (ProvinceCapIn, {"province": "43", "amount": "0", "source": "x"}, {"amount": "positive"}),
    ],
)
def test_the_law_library_schemas_refuse_at_the_field(schema, data, errors):
    assert refused(schema, data) == errors


def test_an_amount_is_kept_to_the_fen():
    assert str(
        parse(ProvinceCapIn, {"province": "43", "amount": "50000", "source": "x"}).amount
    ) == ("50000.00")


@pytest.mark.django_db
def test_the_services_refuse_a_dict_the_same_way_and_save_nothing(users):
    admin = users["sysadmin"]
    notice = notice_2027(days="2027-02-14 上班 春节")
    threshold = yunnan_threshold(individual="0")
    wage = yunnan_wage_2024(published_on=TOMORROW)
    cap = {"province": "43", "amount": "0", "source": "x"}

    assert refusal(lambda: services.enter_holiday_year(actor=admin, data=notice)) == refused(
        HolidayYearIn, notice
    )
    assert refusal(lambda: services.add_criminal_threshold(actor=admin, data=threshold)) == (
        refused(ThresholdIn, threshold)
    )
    assert refusal(lambda: services.add_average_wage(actor=admin, data=wage)) == refused(
        AverageWageIn, wage
    )
    assert refusal(lambda: services.set_province_cap(actor=admin, data=cap)) == refused(
        ProvinceCapIn, cap
    )
    assert refusal(
        lambda: services.set_assistance_series(actor=admin, series="median", source="x")
    ) == {"series": "choice"}
    assert not HolidayYear.objects.filter(year=2027).exists()
    assert not CriminalThreshold.objects.filter(province="53").exists()
    assert not AverageWage.objects.filter(province="53", wage_year=2024).exists()
    assert not RuleSetting.objects.filter(key="assistance_province_cap_43").exists()


@settings(max_examples=25, deadline=None)
@given(st.text(min_size=301).filter(lambda t: len(t.strip()) > 300))
def test_any_source_longer_than_300_characters_is_refused_with_max_length(source):
    assert refused(SeriesIn, {"series": WageSeries.values[0], "source": source}) == {
        "source": "max_length"
    }
