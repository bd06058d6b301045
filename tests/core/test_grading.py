"""Hierarchical-disposal grading (C3) and the mass-dispute risk score (rules EW-2, EW-3)."""

import json
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhichi.core.criminal import VERDICTS, Figure
from zhichi.core.grading import (
    CATEGORIES,
    GROUPS,
    LABOUR_RELATIONSHIPS,
    MAJOR,
    NATIONAL_COLLECTIVE_FLOOR,
    REASON_CODES,
    RISK_REASON_CODES,
    ROUTINE,
    STANDARD,
    Facts,
    GradingInputError,
    GradingRules,
    Risk,
    RiskRules,
    as_dict,
    campaign_window,
    grade,
    risk,
    risk_as_dict,
)

pytestmark = pytest.mark.unit

D = Decimal
AS_OF = date(2026, 6, 15)  # outside any winter campaign
SPRING_FESTIVAL_2026 = date(2026, 2, 17)

# Configuration as the apps would load it (test data: the DOMAIN.md CR-4 Guizhou example).
GUIZHOU_COLLECTIVE = Figure(
    D("50000"),
    "贵州省高级人民法院关于拒不支付劳动报酬罪数额标准的通知（测试数据）",
    date(2013, 6, 1),
)
RULES = GradingRules(standard_amount=GUIZHOU_COLLECTIVE)
RISK_RULES = RiskRules(collective_threshold=GUIZHOU_COLLECTIVE)


def facts(**kw) -> Facts:
    """A routine case: one employee owed 5,000 for one month, nothing else."""
    base = {
        "category": "wages",
        "claimants": 1,
        "total_claimed": D("5000"),
        "max_months_unpaid": 1,
        "groups": frozenset(),
        "labour_relationship": "employee",
        "evasion": frozenset(),
        "criminal_verdict": None,
        "as_of": AS_OF,
    }
    base.update(kw)
    return Facts(**base)


NO_RISK = risk(facts(), RISK_RULES)


def graded(f: Facts, rules: GradingRules = RULES, risk_rules: RiskRules = RISK_RULES):
    return grade(f, rules, risk(f, risk_rules))


def codes(result) -> list[str]:
    return [r.code for r in result.reasons]


def reason(result, code: str):
    (found,) = [r for r in result.reasons if r.code == code]
    return found


# --- C3: the routine level -----------------------------------------------------------------------


def test_c3_routine_case_is_level_1_with_one_reason():
    g = graded(facts())
    assert g.level == ROUTINE
    assert codes(g) == ["routine"]
    (only,) = g.reasons
    assert only.rule == "C3"
    assert only.level == ROUTINE
    assert "未发现需要提级的情形" in only.text
    assert "申请人1名（不足10名）" in only.text
    assert "5,000.00元" in only.text
    assert g.summary == "本案定为一级（简易）案件，未发现需要提级的情形。"


def test_c3_routine_reason_says_when_the_province_figure_is_missing():
    g = graded(facts(), rules=GradingRules())
    assert g.level == ROUTINE
    assert "尚未录入" in g.reasons[0].text
    assert "30,000.00元" in g.reasons[0].text
    assert g.threshold["basis"] == "national_floor"


# --- C3: claimants ------------------------------------------------------------------------------


def test_c3_nine_claimants_routine_ten_standard():
    assert graded(facts(claimants=9)).level == ROUTINE
    g = graded(facts(claimants=10))
    assert g.level == STANDARD
    assert codes(g) == ["claimants_standard"]
    assert reason(g, "claimants_standard").rule == "C3"
    assert reason(g, "claimants_standard").level == STANDARD
    assert "申请人10名" in g.reasons[0].text


def test_c3_twenty_nine_claimants_standard_thirty_major():
    # Risk is scored separately here, so that only the claimant count is seen.
    g29 = grade(facts(claimants=29), RULES, NO_RISK)
    assert g29.level == STANDARD
    assert codes(g29) == ["claimants_standard"]
    g30 = grade(facts(claimants=30), RULES, NO_RISK)
    assert g30.level == MAJOR
    assert codes(g30) == ["claimants_major"]  # one reason, at the higher threshold
    assert reason(g30, "claimants_major").level == MAJOR


def test_c3_claimant_thresholds_are_configurable():
    rules = replace(RULES, standard_claimants=5, major_claimants=8)
    assert grade(facts(claimants=4), rules, NO_RISK).level == ROUTINE
    assert grade(facts(claimants=5), rules, NO_RISK).level == STANDARD
    assert grade(facts(claimants=8), rules, NO_RISK).level == MAJOR


# --- C3: the amount against the CR-4 collective figure -------------------------------------------


def test_c3_amount_one_fen_below_the_standard_amount_is_routine():
    assert graded(facts(total_claimed=D("49999.99"))).level == ROUTINE


def test_c3_amount_at_the_standard_amount_is_standard():
    g = graded(facts(total_claimed=D("50000")))
    assert g.level == STANDARD
    assert codes(g) == ["amount_standard"]
    r = reason(g, "amount_standard")
    assert r.rule == "C3"
    assert "50,000.00元" in r.text
    assert GUIZHOU_COLLECTIVE.source in r.text
    assert g.threshold == {
        "basis": "province",
        "value": "50000.00",
        "source": GUIZHOU_COLLECTIVE.source,
        "effective_from": "2013-06-01",
        "major_value": "150000.00",
    }


def test_c3_amount_three_times_the_standard_amount_is_major():
    assert graded(facts(total_claimed=D("149999.99"))).level == STANDARD
    g = graded(facts(total_claimed=D("150000")))
    assert g.level == MAJOR
    assert codes(g) == ["amount_major"]
    assert "3倍" in g.reasons[0].text


def test_c3_major_amount_multiple_is_configurable():
    rules = replace(RULES, major_amount_multiple=D("2"))
    assert graded(facts(total_claimed=D("100000")), rules=rules).level == MAJOR


def test_c3_province_figure_missing_uses_the_national_floor_and_says_so():
    rules = GradingRules()  # standard_amount None
    assert rules.fallback_standard_amount == NATIONAL_COLLECTIVE_FLOOR
    assert rules.fallback_standard_amount.value == D("30000")
    assert graded(facts(total_claimed=D("29999.99")), rules=rules).level == ROUTINE
    g = graded(facts(total_claimed=D("30000")), rules=rules)
    assert g.level == STANDARD
    text = reason(g, "amount_standard").text
    assert "尚未录入" in text
    assert "法释〔2013〕3号" in text
    assert "30,000.00元" in text
    assert g.threshold["basis"] == "national_floor"
    assert g.threshold["value"] == "30000.00"
    major = graded(facts(total_claimed=D("90000")), rules=rules)
    assert major.level == MAJOR
    assert "尚未录入" in reason(major, "amount_major").text


def test_c3_figure_not_yet_in_force_is_a_configuration_error():
    future = Figure(D("50000"), "未来的通知", AS_OF + timedelta(days=1))
    with pytest.raises(ValueError, match="takes effect"):
        grade(facts(), GradingRules(standard_amount=future), NO_RISK)


# --- rule SP-3: vulnerable groups ----------------------------------------------------------------


@pytest.mark.parametrize("group", ["minor", "disabled", "elderly"])
def test_sp3_each_vulnerable_group_raises_to_standard(group):
    g = graded(facts(groups=frozenset({group})))
    assert g.level == STANDARD
    assert codes(g) == [f"vulnerable_{group}"]
    r = g.reasons[0]
    assert r.rule == "SP-3"
    assert r.level == STANDARD
    assert GROUPS[group] in r.text


@pytest.mark.parametrize("group", ["migrant_worker", "woman", "low_income", "veteran"])
def test_sp3_other_groups_do_not_raise_by_default(group):
    assert graded(facts(groups=frozenset({group}))).level == ROUTINE


def test_sp3_vulnerable_groups_are_configurable():
    rules = replace(RULES, vulnerable_groups=frozenset({"migrant_worker"}))
    assert graded(facts(groups=frozenset({"migrant_worker"})), rules=rules).level == STANDARD
    assert graded(facts(groups=frozenset({"minor"})), rules=rules).level == ROUTINE


def test_sp3_several_groups_give_one_reason_each():
    g = graded(facts(groups=frozenset({"elderly", "disabled", "woman"})))
    assert codes(g) == ["vulnerable_elderly", "vulnerable_disabled"]


# --- C3: categories ------------------------------------------------------------------------------


@pytest.mark.parametrize("category", ["domestic_violence", "guardianship"])
def test_c3_category_is_at_least_standard(category):
    g = graded(facts(category=category, max_months_unpaid=0))
    assert g.level == STANDARD
    assert codes(g) == ["category_standard"]
    assert reason(g, "category_standard").rule == "C3"


@pytest.mark.parametrize("category", ["domestic_violence", "guardianship"])
def test_c3_minor_in_domestic_violence_or_guardianship_is_major(category):
    g = graded(facts(category=category, groups=frozenset({"minor"})))
    assert g.level == MAJOR
    assert codes(g) == ["vulnerable_minor", "category_standard", "minor_in_category"]
    assert reason(g, "minor_in_category").level == MAJOR
    assert "未成年人" in reason(g, "minor_in_category").text
    assert "另有2项较低级别的情形" in g.summary


def test_c3_minor_in_a_wage_case_is_standard_only():
    assert graded(facts(groups=frozenset({"minor"}))).level == STANDARD


# --- rules CR-1, CR-4, CR-5: the criminal verdict ------------------------------------------------


def test_cr1_criminal_transfer_is_major():
    g = graded(facts(criminal_verdict="transfer"))
    assert g.level == MAJOR
    assert codes(g) == ["criminal_transfer"]
    assert g.reasons[0].rule == "CR-1"


def test_cr5_criminal_order_first_is_standard():
    g = graded(facts(criminal_verdict="order_first"))
    assert g.level == STANDARD
    assert codes(g) == ["criminal_order_first"]
    assert g.reasons[0].rule == "CR-5"


def test_cr4_criminal_depends_on_province_config_is_standard():
    g = graded(facts(criminal_verdict="depends_on_province_config"))
    assert g.level == STANDARD
    assert g.reasons[0].rule == "CR-4"
    assert "尚未录入" in g.reasons[0].text


@pytest.mark.parametrize("verdict", [None, "below_threshold", "not_applicable"])
def test_cr4_other_verdicts_do_not_raise(verdict):
    assert graded(facts(criminal_verdict=verdict)).level == ROUTINE


# --- EW-3 in grading: a high risk is major -------------------------------------------------------


def test_ew3_high_risk_is_major():
    f = facts(past_petitions=True)  # +3 = alert score
    r = risk(f, RISK_RULES)
    assert r.level == "high"
    g = grade(f, RULES, r)
    assert g.level == MAJOR
    assert codes(g) == ["risk_high"]
    assert g.reasons[0].rule == "EW-3"
    assert "3分" in g.reasons[0].text


def test_ew3_low_risk_does_not_raise_the_grade():
    f = facts(construction=True, max_months_unpaid=3)
    r = risk(f, RISK_RULES)
    assert (r.score, r.level) == (2, "low")
    assert grade(f, RULES, r).level == ROUTINE


def test_c3_summary_names_the_reasons_at_the_final_level():
    f = facts(claimants=30, criminal_verdict="transfer", groups=frozenset({"elderly"}))
    g = grade(f, RULES, NO_RISK)
    assert g.summary == (
        "本案定为三级（重大）案件，依据：申请人30名以上、刑事线索应移送；另有1项较低级别的情形。"
    )


def test_c3_as_dict_is_json_friendly():
    f = facts(claimants=12, total_claimed=D("60000.5"), groups=frozenset({"minor"}))
    data = as_dict(graded(f))
    assert json.loads(json.dumps(data)) == data
    assert data["level"] == STANDARD
    assert set(data) == {"level", "reasons", "summary", "threshold"}
    assert [set(r) for r in data["reasons"]] == [{"code", "rule", "text", "level"}] * 3


# --- EW-3: each point separately -----------------------------------------------------------------


def score_of(**kw) -> Risk:
    return risk(facts(**kw), RISK_RULES)


def test_ew3_nothing_scores_zero_and_level_none():
    r = score_of()
    assert (r.score, r.level) == (0, "none")
    assert codes(r) == ["no_risk_factor"]


@pytest.mark.parametrize(
    ("kw", "code", "points"),
    [
        ({"claimants": 10}, "workers_many", 1),
        ({"total_claimed": D("50000")}, "amount_reaches_collective_threshold", 1),
        ({"max_months_unpaid": 3}, "months_long", 1),
        ({"construction": True}, "construction", 1),
        ({"labour_relationship": "contractor_crew"}, "contractor_crew", 1),
        ({"evasion": frozenset({"absconded"})}, "employer_evading", 1),
        ({"evasion": frozenset({"transferred_assets"})}, "employer_evading", 1),
        ({"project_finished_or_closing": True}, "project_ending", 1),
        ({"past_petitions": True}, "past_petitions", 3),
        ({"self_harm_threats": True}, "self_harm_threats", 3),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_ew3_each_point_alone(kw, code, points):
    r = score_of(**kw)
    assert r.score == points
    assert r.level == ("high" if points >= 3 else "low")
    scoring = [x for x in r.reasons if x.weight]
    assert [x.code for x in scoring] == [code]
    assert scoring[0].rule == "EW-3"
    assert f"（+{points}分）" in scoring[0].text


def test_ew3_just_below_each_threshold_scores_nothing():
    assert score_of(claimants=9).score == 0
    assert score_of(total_claimed=D("49999.99")).score == 0
    assert score_of(max_months_unpaid=2).score == 0
    assert score_of(claimants=29).score == 1


def test_ew3_thirty_workers_score_both_worker_points():
    r = score_of(claimants=30)
    assert r.score == 4
    assert codes(r)[:2] == ["workers_many", "workers_mass"]
    assert r.level == "high"


def test_ew3_absconding_and_moving_assets_count_once():
    r = score_of(evasion=frozenset({"absconded", "transferred_assets"}))
    assert r.score == 1
    assert "逃匿、转移财产" in reason(r, "employer_evading").text


@pytest.mark.parametrize(
    "kind", ["destroyed_records", "refused_summons"], ids=["destroyed", "refused"]
)
def test_ew3_other_evasion_does_not_score(kind):
    assert score_of(evasion=frozenset({kind})).score == 0


@pytest.mark.parametrize("relationship", ["employee", "none", "unknown"])
def test_ew3_only_a_contractor_crew_scores(relationship):
    assert score_of(labour_relationship=relationship).score == 0


def test_ew3_province_figure_missing_skips_the_amount_point_and_says_so():
    r = risk(facts(total_claimed=D("999999")), RiskRules())
    assert r.score == 0
    missing = reason(r, "collective_threshold_missing")
    assert missing.weight == 0
    assert missing.rule == "EW-3"
    assert "尚未录入" in missing.text


def test_ew3_amount_reason_names_the_figure_and_its_source():
    text = reason(score_of(total_claimed=D("50000")), "amount_reaches_collective_threshold").text
    assert "50,000.00元" in text
    assert GUIZHOU_COLLECTIVE.source in text
    assert "2013年6月1日施行" in text


def test_ew3_figure_not_yet_in_force_is_a_configuration_error():
    future = Figure(D("50000"), "未来的通知", AS_OF + timedelta(days=1))
    with pytest.raises(ValueError, match="takes effect"):
        risk(facts(), RiskRules(collective_threshold=future))


# --- EW-3: combined -----------------------------------------------------------------------------


def test_ew3_two_points_low_three_points_high_alert():
    two = score_of(construction=True, project_finished_or_closing=True)
    assert (two.score, two.level) == (2, "low")
    assert "alert" not in codes(two)
    three = score_of(construction=True, project_finished_or_closing=True, max_months_unpaid=5)
    assert (three.score, three.level) == (3, "high")
    alert = reason(three, "alert")
    assert alert.weight == 0
    assert "人社" in alert.text


def test_ew3_everything_at_once():
    rules = replace(RISK_RULES, campaign_end=SPRING_FESTIVAL_2026)
    f = facts(
        claimants=40,
        total_claimed=D("300000"),
        max_months_unpaid=6,
        construction=True,
        labour_relationship="contractor_crew",
        evasion=frozenset({"absconded"}),
        project_finished_or_closing=True,
        as_of=date(2025, 12, 1),
        past_petitions=True,
        self_harm_threats=True,
    )
    r = risk(f, rules)
    assert r.score == 8 * 1 + 3 * 3
    assert r.level == "high"
    assert codes(r) == [
        "workers_many",
        "amount_reaches_collective_threshold",
        "months_long",
        "construction",
        "contractor_crew",
        "employer_evading",
        "project_ending",
        "campaign_window",
        "workers_mass",
        "past_petitions",
        "self_harm_threats",
        "alert",
    ]
    assert sum(x.weight for x in r.reasons) == r.score


def test_ew3_weights_and_alert_score_are_configurable():
    rules = replace(RISK_RULES, weight=2, heavy_weight=5, alert_score=6)
    r = risk(facts(construction=True, past_petitions=True), rules)
    assert (r.score, r.level) == (7, "high")
    assert risk(facts(past_petitions=True), rules).level == "low"


def test_ew3_risk_as_dict_is_json_friendly():
    data = risk_as_dict(score_of(claimants=30, construction=True))
    assert json.loads(json.dumps(data)) == data
    assert data["score"] == 5
    assert data["level"] == "high"
    assert {frozenset(r) for r in data["reasons"]} == {
        frozenset({"code", "rule", "text", "weight"})
    }


# --- EW-2: the campaign window -------------------------------------------------------------------

CAMPAIGN = replace(RISK_RULES, campaign_end=SPRING_FESTIVAL_2026)


def in_window(day: date, rules: RiskRules = CAMPAIGN) -> bool:
    return "campaign_window" in codes(risk(facts(as_of=day), rules))


def test_ew2_window_runs_from_1_november_to_the_spring_festival():
    assert campaign_window(CAMPAIGN) == (date(2025, 11, 1), SPRING_FESTIVAL_2026)


def test_ew2_31_october_is_outside():
    assert not in_window(date(2025, 10, 31))


def test_ew2_1_november_is_inside():
    assert in_window(date(2025, 11, 1))
    r = risk(facts(as_of=date(2025, 11, 1)), CAMPAIGN)
    assert r.score == 1
    assert reason(r, "campaign_window").rule == "EW-2"
    assert "2025年11月1日至2026年2月17日" in reason(r, "campaign_window").text


def test_ew2_the_spring_festival_itself_is_inside():
    assert in_window(SPRING_FESTIVAL_2026)


def test_ew2_the_day_after_the_spring_festival_is_outside():
    assert not in_window(SPRING_FESTIVAL_2026 + timedelta(days=1))


def test_ew2_the_previous_campaign_does_not_count():
    assert not in_window(date(2024, 12, 1))


def test_ew2_no_campaign_end_means_never():
    rules = replace(CAMPAIGN, campaign_end=None)
    assert campaign_window(rules) is None
    for day in (date(2025, 11, 1), date(2025, 12, 25), SPRING_FESTIVAL_2026):
        assert not in_window(day, rules)


def test_ew2_start_day_is_configurable():
    rules = replace(CAMPAIGN, campaign_start_day=15)
    assert not in_window(date(2025, 11, 14), rules)
    assert in_window(date(2025, 11, 15), rules)


def test_ew2_invalid_start_day_is_refused():
    with pytest.raises(ValueError):
        RiskRules(campaign_start_month=2, campaign_start_day=29)


# --- input checks --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kw", "field", "code"),
    [
        ({"category": "tax"}, "category", "choice"),
        ({"claimants": -1}, "claimants", "negative"),
        ({"claimants": True}, "claimants", "type"),
        ({"total_claimed": 5000}, "total_claimed", "type"),
        ({"total_claimed": D("NaN")}, "total_claimed", "type"),
        ({"total_claimed": D("-0.01")}, "total_claimed", "negative"),
        ({"total_claimed": D("1000000000000")}, "total_claimed", "too_large"),
        ({"max_months_unpaid": -1}, "max_months_unpaid", "negative"),
        ({"groups": frozenset({"child"})}, "groups", "choice"),
        ({"groups": "minor"}, "groups", "type"),
        ({"labour_relationship": "boss"}, "labour_relationship", "choice"),
        ({"evasion": frozenset({"lied"})}, "evasion", "choice"),
        ({"criminal_verdict": "guilty"}, "criminal_verdict", "choice"),
        ({"as_of": "2026-06-15"}, "as_of", "type"),
        ({"construction": 1}, "construction", "type"),
    ],
)
def test_invalid_facts_are_refused(kw, field, code):
    with pytest.raises(GradingInputError) as err:
        facts(**kw)
    assert (err.value.field, err.value.code) == (field, code)


def test_sets_of_choices_may_be_lists():
    f = facts(groups=["minor", "minor"], evasion=("absconded",))
    assert f.groups == frozenset({"minor"})
    assert f.evasion == frozenset({"absconded"})


def test_rules_with_unknown_choices_are_refused():
    with pytest.raises(ValueError, match="child"):
        GradingRules(vulnerable_groups=frozenset({"child"}))
    with pytest.raises(ValueError):
        GradingRules(major_amount_multiple=D("0"))
    with pytest.raises(ValueError):
        RiskRules(alert_score=0)


# --- properties ----------------------------------------------------------------------------------

amounts = st.decimals(min_value=0, max_value=D("2000000"), places=2)
counts = st.integers(min_value=0, max_value=80)
figures = st.one_of(
    st.none(),
    st.sampled_from([D("30000"), D("40000"), D("50000"), D("60000"), D("100000")]).map(
        lambda v: Figure(v, "省高级人民法院通知（测试数据）", date(2013, 6, 1))
    ),
)
facts_st = st.builds(
    Facts,
    category=st.sampled_from(list(CATEGORIES)),
    claimants=counts,
    total_claimed=amounts,
    max_months_unpaid=st.integers(min_value=0, max_value=24),
    groups=st.frozensets(st.sampled_from(list(GROUPS))),
    labour_relationship=st.sampled_from(LABOUR_RELATIONSHIPS),
    evasion=st.frozensets(
        st.sampled_from(["transferred_assets", "absconded", "destroyed_records", "refused_summons"])
    ),
    criminal_verdict=st.one_of(st.none(), st.sampled_from(VERDICTS)),
    construction=st.booleans(),
    project_finished_or_closing=st.booleans(),
    past_petitions=st.booleans(),
    self_harm_threats=st.booleans(),
    as_of=st.dates(min_value=date(2024, 1, 1), max_value=date(2027, 12, 31)),
)
risk_rules_st = st.builds(
    RiskRules,
    collective_threshold=figures,
    campaign_end=st.one_of(st.none(), st.sampled_from([date(2025, 1, 29), SPRING_FESTIVAL_2026])),
)
grading_rules_st = st.builds(GradingRules, standard_amount=figures)


@settings(max_examples=500, deadline=None)
@given(
    f=facts_st,
    g_rules=grading_rules_st,
    r_rules=risk_rules_st,
    more=st.integers(min_value=0, max_value=40),
    extra=amounts,
)
def test_c3_level_never_drops_when_claimants_or_amount_rise(f, g_rules, r_rules, more, extra):
    before = grade(f, g_rules, risk(f, r_rules)).level
    for bigger in (
        replace(f, claimants=f.claimants + more),
        replace(f, total_claimed=f.total_claimed + extra),
        replace(f, claimants=f.claimants + more, total_claimed=f.total_claimed + extra),
    ):
        assert grade(bigger, g_rules, risk(bigger, r_rules)).level >= before


POINTS = [
    lambda f: replace(f, claimants=f.claimants + 1),
    lambda f: replace(f, claimants=f.claimants + 20),
    lambda f: replace(f, total_claimed=f.total_claimed + D("25000")),
    lambda f: replace(f, max_months_unpaid=f.max_months_unpaid + 1),
    lambda f: replace(f, construction=True),
    lambda f: replace(f, labour_relationship="contractor_crew"),
    lambda f: replace(f, evasion=f.evasion | {"absconded"}),
    lambda f: replace(f, evasion=f.evasion | {"transferred_assets"}),
    lambda f: replace(f, project_finished_or_closing=True),
    lambda f: replace(f, past_petitions=True),
    lambda f: replace(f, self_harm_threats=True),
    lambda f: replace(f, groups=f.groups | {"minor"}),
]
LEVEL_ORDER = {"none": 0, "low": 1, "high": 2}


@settings(max_examples=500, deadline=None)
@given(f=facts_st, rules=risk_rules_st, point=st.sampled_from(range(len(POINTS))))
def test_ew3_risk_score_never_drops_when_a_point_is_added(f, rules, point):
    before = risk(f, rules)
    after = risk(POINTS[point](f), rules)
    assert after.score >= before.score
    assert LEVEL_ORDER[after.level] >= LEVEL_ORDER[before.level]


@settings(max_examples=500, deadline=None)
@given(f=facts_st, rules=risk_rules_st)
def test_ew3_score_is_the_sum_of_the_weights_and_level_follows_it(f, rules):
    r = risk(f, rules)
    assert r.score == sum(x.weight for x in r.reasons)
    assert r.reasons
    assert all(x.rule in ("EW-2", "EW-3") for x in r.reasons)
    expected = "high" if r.score >= rules.alert_score else ("low" if r.score else "none")
    assert r.level == expected
    assert json.loads(json.dumps(risk_as_dict(r))) == risk_as_dict(r)


@settings(max_examples=500, deadline=None)
@given(f=facts_st, g_rules=grading_rules_st, r_rules=risk_rules_st)
def test_c3_every_grade_has_reasons_and_its_level_is_their_max(f, g_rules, r_rules):
    g = grade(f, g_rules, risk(f, r_rules))
    assert g.reasons
    assert g.level in (ROUTINE, STANDARD, MAJOR)
    assert g.level == max(r.level for r in g.reasons)
    assert all(r.level in (ROUTINE, STANDARD, MAJOR) for r in g.reasons)
    assert all(r.rule in ("C3", "CR-1", "CR-4", "CR-5", "EW-3", "SP-3") for r in g.reasons)
    if g.level == ROUTINE:
        assert [r.code for r in g.reasons] == ["routine"]
    else:
        assert "routine" not in [r.code for r in g.reasons]
    assert g.summary.startswith("本案定为") and g.summary.endswith("。")
    assert json.loads(json.dumps(as_dict(g))) == as_dict(g)


@settings(max_examples=500, deadline=None)
@given(f=facts_st, g_rules=grading_rules_st, r_rules=risk_rules_st)
def test_item6_codes_are_declared_and_params_are_json_values(f, g_rules, r_rules):
    # issue 13 item 6: the case stores the codes with their values and puts them into words in
    # its reader's language; every code it can meet is declared, and the values survive JSON
    r = risk(f, r_rules)
    g = grade(f, g_rules, r)
    assert {x.code for x in r.reasons} <= RISK_REASON_CODES
    assert {x.code for x in g.reasons} <= REASON_CODES
    for x in r.reasons + g.reasons:
        assert json.loads(json.dumps(x.params)) == x.params
    assert all(x.params["weight"] == x.weight for x in r.reasons)


def test_item6_chinese_reasons_use_chinese_quotation_marks():
    f = facts(claimants=12, total_claimed=D("60000"))
    texts = [x.text for x in graded(f, GradingRules()).reasons]
    texts += [x.text for x in risk(f, RiskRules()).reasons]
    assert any("“数额较大”" in t for t in texts)
    assert not any("'" in t for t in texts)
