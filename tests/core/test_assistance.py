"""National judicial assistance cap (rules JA-4, JA-5)."""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhichi.core.assistance import (
    DEFAULT_SERIES,
    EXCLUSIONS,
    SITUATIONS,
    MissingFigure,
    WageFigure,
    as_dict,
    cap,
    eligibility,
    find_figure,
    latest_figure,
    needs_special_approval,
)
from zhichi.core.criminal import Figure

pytestmark = pytest.mark.unit

D = Decimal
SOURCE = "云南发布：2023年云南省城镇单位就业人员年平均工资（测试数据）"
PUBLISHED = date(2024, 6, 3)

# rule JA-5: Yunnan 2023 figures, published 2024-06-03.
ON_POST = WageFigure("53", 2023, "urban_non_private_on_post", D("112908"), SOURCE, PUBLISHED)
EMPLOYED = WageFigure("53", 2023, "urban_non_private_employed", D("106769"), SOURCE, PUBLISHED)
FIGURES = [ON_POST, EMPLOYED]


def test_ja5_on_post_series_vector():
    result = cap(ON_POST)
    assert result.monthly_wage == D("9409.00")
    assert result.months == 36
    assert result.cap == D("338724.00")
    assert result.series == "urban_non_private_on_post"
    assert result.source == SOURCE
    assert result.wage_year == 2023
    assert result.published_on == PUBLISHED
    assert result.rule == "JA-4"


def test_ja5_employed_series_vector_cap_comes_from_the_annual_figure():
    result = cap(EMPLOYED)
    assert result.monthly_wage == D("8897.42")
    # 106,769 × 36 ÷ 12 = 320,307.00, not 8,897.42 × 36 = 320,307.12.
    assert result.cap == D("320307.00")


def test_ja5_default_series_is_on_post():
    assert DEFAULT_SERIES == "urban_non_private_on_post"
    assert find_figure(FIGURES, "53", 2023) is ON_POST
    assert find_figure(FIGURES, "53", 2023, "urban_non_private_employed") is EMPLOYED


def test_ja5_result_shows_the_series_chosen():
    assert any("在岗职工" in note and "系统默认" in note for note in cap(ON_POST).notes)
    assert any("就业人员" in note for note in cap(EMPLOYED).notes)


def test_ja4_missing_year_names_province_year_and_series():
    with pytest.raises(MissingFigure) as raised:
        find_figure(FIGURES, "53", 2024)
    error = raised.value
    assert (error.province, error.wage_year, error.series) == (
        "53",
        2024,
        "urban_non_private_on_post",
    )
    assert "53" in error.missing and "2024" in error.missing
    assert "urban_non_private_on_post" in error.missing


def test_ja4_missing_series_lists_what_was_entered_for_that_year():
    with pytest.raises(MissingFigure) as raised:
        find_figure([EMPLOYED], "53", 2023)
    assert raised.value.available_series == ("urban_non_private_employed",)
    assert "urban_non_private_employed" in raised.value.missing


def test_ja4_missing_province():
    with pytest.raises(MissingFigure, match="province 52"):
        find_figure(FIGURES, "52", 2023)


def test_ja4_corrected_publication_wins():
    corrected = WageFigure(
        "53", 2023, "urban_non_private_on_post", D("113000"), "更正", date(2024, 7, 1)
    )
    assert find_figure([ON_POST, corrected], "53", 2023) is corrected


def test_ja4_lower_province_cap_replaces_the_wage_cap():
    # Hunan: 原则上 ≤ ¥50,000 (configuration, test data).
    hunan = Figure(D("50000"), "湖南省司法救助实施办法（测试数据）", date(2022, 5, 31))
    result = cap(ON_POST, province_cap=hunan)
    assert result.cap == D("50000.00")
    assert result.wage_cap == D("338724.00")
    assert result.capped_by_province is True
    assert any("50,000.00" in note and "本省" in note for note in result.notes)
    assert as_dict(result)["province_cap"] == {
        "value": "50000.00",
        "source": hunan.source,
        "effective_from": "2022-05-31",
    }


def test_ja4_higher_province_cap_does_not_raise_the_cap():
    generous = Figure(D("500000"), "某省规定（测试数据）", date(2022, 1, 1))
    result = cap(ON_POST, province_cap=generous)
    assert result.cap == D("338724.00")
    assert result.capped_by_province is False


def test_ja4_other_month_count():
    assert cap(ON_POST, months=24).cap == D("225816.00")  # 112,908 × 2


@pytest.mark.parametrize(
    ("requested", "expected"),
    [(D("338724.00"), False), (D("338724.01"), True), (D("0"), False)],
)
def test_ja4_special_approval_only_above_the_cap(requested, expected):
    assert needs_special_approval(requested, cap(ON_POST)) is expected


def test_ja4_special_approval_against_the_province_cap():
    hunan = Figure(D("50000"), "湖南（测试数据）", date(2022, 5, 31))
    assert needs_special_approval(D("60000"), cap(ON_POST, province_cap=hunan)) is True


@pytest.mark.parametrize("months", [0, -1, True])
def test_ja4_months_must_be_positive_whole_number(months):
    with pytest.raises(ValueError, match="months"):
        cap(ON_POST, months=months)


@pytest.mark.parametrize("annual", [D("0"), D("-1"), D("NaN")])
def test_ja4_annual_wage_must_be_positive(annual):
    figure = WageFigure("53", 2023, "urban_non_private_on_post", annual, SOURCE, PUBLISHED)
    with pytest.raises(ValueError, match="annual"):
        cap(figure)


def test_ja4_requested_amount_must_be_non_negative():
    with pytest.raises(ValueError):
        needs_special_approval(D("-1"), cap(ON_POST))


def test_ja4_as_dict_has_the_api_fields_as_strings():
    data = as_dict(cap(ON_POST))
    assert {k: data[k] for k in ("monthly_wage", "months", "cap", "series", "source")} == {
        "monthly_wage": "9409.00",
        "months": 36,
        "cap": "338724.00",
        "series": "urban_non_private_on_post",
        "source": SOURCE,
    }
    assert data["published_on"] == "2024-06-03"
    assert data["province_cap"] is None


annual_st = st.integers(min_value=1, max_value=10**10).map(lambda c: Decimal(c) / 100)


@settings(max_examples=500, deadline=None)
@given(a=annual_st, b=annual_st, months=st.integers(min_value=1, max_value=120))
def test_ja4_cap_is_monotonic_in_the_annual_wage(a, b, months):
    low, high = (
        cap(WageFigure("53", 2023, DEFAULT_SERIES, annual, SOURCE, PUBLISHED), months=months)
        for annual in sorted((a, b))
    )
    assert low.cap <= high.cap
    assert low.monthly_wage <= high.monthly_wage


@settings(max_examples=500, deadline=None)
@given(annual=annual_st, months=st.integers(min_value=1, max_value=120))
def test_ja4_cap_is_annual_times_months_over_twelve_to_the_fen(annual, months):
    result = cap(WageFigure("53", 2023, DEFAULT_SERIES, annual, SOURCE, PUBLISHED), months=months)
    exact = annual * months / 12
    assert result.cap == exact.quantize(D("0.01"), rounding=ROUND_HALF_UP)
    assert abs(result.cap - exact) <= D("0.005")
    assert result.cap.as_tuple().exponent == -2
    assert result.monthly_wage.as_tuple().exponent == -2


# --- eligibility (rules JA-1, JA-2, JA-3; one aid per applicant per case, JA-4) ----------------

NONE_APPLY = dict.fromkeys(EXCLUSIONS, False)


@pytest.mark.parametrize("situation", sorted(SITUATIONS))
def test_ja2_each_situation_with_no_exclusion_is_eligible(situation):
    result = eligibility(
        situation=situation,
        exclusions=NONE_APPLY,
        hardship_caused_by_case=True,
        other_aid_on_case=False,
    )
    assert result.eligible
    assert ("JA-2", f"救助情形：{SITUATIONS[situation]}") in result.reasons


@pytest.mark.parametrize("exclusion", sorted(EXCLUSIONS))
def test_ja3_each_exclusion_makes_the_applicant_ineligible(exclusion):
    result = eligibility(
        situation="civil_tort",
        exclusions={**NONE_APPLY, exclusion: True},
        hardship_caused_by_case=True,
        other_aid_on_case=False,
    )
    assert not result.eligible
    assert ("JA-3", f"不予救助：{EXCLUSIONS[exclusion]}") in result.reasons


def test_ja3_an_unanswered_exclusion_is_not_eligible_and_named():
    partial = {k: False for k in list(EXCLUSIONS)[:4]}
    result = eligibility(
        situation="other", exclusions=partial, hardship_caused_by_case=True, other_aid_on_case=False
    )
    assert not result.eligible
    assert result.unanswered == tuple(list(EXCLUSIONS)[4:])


def test_ja2_wage_hardship_under_6_or_7_must_be_caused_by_the_case():
    for situation in ("civil_tort", "other"):
        result = eligibility(
            situation=situation,
            exclusions=NONE_APPLY,
            hardship_caused_by_case=False,
            other_aid_on_case=False,
        )
        assert not result.eligible
    # a crime victim's situation names its own cause
    assert eligibility(
        situation="crime_injury",
        exclusions=NONE_APPLY,
        hardship_caused_by_case=False,
        other_aid_on_case=False,
    ).eligible


def test_ja4_one_aid_per_applicant_per_case():
    result = eligibility(
        situation="other",
        exclusions=NONE_APPLY,
        hardship_caused_by_case=True,
        other_aid_on_case=True,
    )
    assert not result.eligible and any(rule == "JA-4" for rule, _text in result.reasons)


def test_ja1_only_while_the_case_is_handled():
    result = eligibility(
        situation="other",
        exclusions=NONE_APPLY,
        hardship_caused_by_case=True,
        other_aid_on_case=False,
        case_open=False,
    )
    assert not result.eligible and result.reasons[0][0] == "JA-1"


def test_eligibility_refuses_unknown_codes():
    with pytest.raises(ValueError):
        eligibility(
            situation="wages", exclusions={}, hardship_caused_by_case=True, other_aid_on_case=False
        )
    with pytest.raises(ValueError):
        eligibility(
            situation="other",
            exclusions={"bogus": False},
            hardship_caused_by_case=True,
            other_aid_on_case=False,
        )


@given(
    situation=st.sampled_from(sorted(SITUATIONS)),
    answers=st.dictionaries(st.sampled_from(sorted(EXCLUSIONS)), st.booleans()),
    caused=st.booleans(),
    other=st.booleans(),
    open_=st.booleans(),
)
def test_ja3_property_eligible_only_when_every_exclusion_is_answered_no(
    situation, answers, caused, other, open_
):
    result = eligibility(
        situation=situation,
        exclusions=answers,
        hardship_caused_by_case=caused,
        other_aid_on_case=other,
        case_open=open_,
    )
    all_no = len(answers) == len(EXCLUSIONS) and not any(answers.values())
    cause_ok = caused or situation not in {"civil_tort", "other"}
    assert result.eligible == (all_no and cause_ok and not other and open_)
    # every reason names its rule
    assert all(rule in {"JA-1", "JA-2", "JA-3", "JA-4"} for rule, _text in result.reasons)


# --- the year of the average wage (JA-4: the previous year's, published mid-year) -------------
def _fig(year: int, annual: str, published: date) -> WageFigure:
    return WageFigure("53", year, DEFAULT_SERIES, Decimal(annual), "云南省统计局", published)


def test_ja4_latest_figure_uses_the_wanted_year_when_entered():
    figures = [_fig(2023, "112908", date(2024, 6, 3)), _fig(2024, "115000", date(2025, 6, 1))]
    figure, complete = latest_figure(figures, "53", 2024)
    assert (figure.wage_year, complete) == (2024, True)


def test_ja4_latest_figure_falls_back_and_says_so():
    figures = [_fig(2022, "110000", date(2023, 6, 1)), _fig(2023, "112908", date(2024, 6, 3))]
    figure, complete = latest_figure(figures, "53", 2025)
    assert (figure.wage_year, complete) == (2023, False)


def test_ja4_latest_figure_never_uses_a_later_year():
    figures = [_fig(2026, "130000", date(2027, 6, 1))]
    with pytest.raises(MissingFigure):
        latest_figure(figures, "53", 2025)
