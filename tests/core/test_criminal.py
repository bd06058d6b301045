"""拒不支付劳动报酬罪 lead classification (rules CR-1 … CR-8)."""

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhichi.core.criminal import (
    BELOW_THRESHOLD,
    DEPENDS_ON_PROVINCE_CONFIG,
    NOT_APPLICABLE,
    ORDER_FIRST,
    REASON_CODES,
    SEVERITY,
    STEPS,
    TRANSFER,
    VERDICTS,
    Figure,
    LeadInputError,
    NationalRange,
    PaymentOrder,
    Thresholds,
    Worker,
    as_dict,
    evaluate,
)

pytestmark = pytest.mark.unit

D = Decimal
AS_OF = date(2026, 11, 20)

# Configuration as the apps would load it (test data: the DOMAIN.md CR-4 examples).
NATIONAL_SOURCE = "法释〔2013〕3号第三条"
NATIONAL_FROM = date(2013, 1, 23)
NATIONAL = NationalRange(
    individual_floor=Figure(D("5000"), NATIONAL_SOURCE, NATIONAL_FROM),
    individual_ceiling=Figure(D("20000"), NATIONAL_SOURCE, NATIONAL_FROM),
    collective_floor=Figure(D("30000"), NATIONAL_SOURCE, NATIONAL_FROM),
    collective_ceiling=Figure(D("100000"), NATIONAL_SOURCE, NATIONAL_FROM),
)


def province(code: str, individual: str, collective: str, name: str) -> Thresholds:
    source = f"{name}高级人民法院关于拒不支付劳动报酬罪数额标准的通知（测试数据）"
    effective = date(2013, 6, 1)
    return Thresholds(
        province=code,
        individual=Figure(D(individual), source, effective),
        collective=Figure(D(collective), source, effective),
    )


GUIZHOU = province("52", "10000", "50000", "贵州省")
HUNAN = province("43", "6000", "40000", "湖南省")
HENAN = province("41", "8000", "40000", "河南省")
LIAONING = province("21", "10000", "50000", "辽宁省")
JIANGSU = province("32", "10000", "60000", "江苏省")
CHONGQING = province("50", "10000", "60000", "重庆市")
HUBEI = province("42", "10000", "50000", "湖北省")
HUBEI_POVERTY_COUNTY = province("42", "5000", "30000", "湖北省（贫困县）")
EXAMPLES = [GUIZHOU, HUNAN, HENAN, LIAONING, JIANGSU, CHONGQING, HUBEI, HUBEI_POVERTY_COUNTY]

ORDER_PASSED = PaymentOrder(
    issued_on=date(2026, 10, 8), deadline=date(2026, 10, 31), authority="五华区人力资源和社会保障局"
)
ORDER_RUNNING = PaymentOrder(issued_on=date(2026, 11, 10), deadline=date(2026, 11, 30))


def run(workers, *, thresholds=GUIZHOU, order=ORDER_PASSED, paid=False, evasion=(), **kw):
    return evaluate(
        workers=list(workers),
        as_of=AS_OF,
        thresholds=thresholds,
        national=NATIONAL,
        payment_order=order,
        paid_after_order=paid,
        evasion=list(evasion),
        **kw,
    )


def codes(verdict):
    return [r.code for r in verdict.reasons]


def crew(count: int, each: str, months: int = 1):
    return [Worker(D(each), months) for _ in range(count)]


# --- CR-4: the amount test with a province's figures -------------------------------------------


@pytest.mark.parametrize("thresholds", EXAMPLES, ids=lambda t: t.individual.source[:4])
def test_cr4_individual_exactly_at_province_figure_meets(thresholds):
    verdict = run([Worker(thresholds.individual.value, 3)], thresholds=thresholds)
    assert verdict.verdict == TRANSFER
    assert "individual_meets" in codes(verdict)


@pytest.mark.parametrize("thresholds", EXAMPLES, ids=lambda t: t.individual.source[:4])
def test_cr4_individual_one_fen_below_province_figure_is_below_threshold(thresholds):
    verdict = run([Worker(thresholds.individual.value - D("0.01"), 6)], thresholds=thresholds)
    assert verdict.verdict == BELOW_THRESHOLD
    assert codes(verdict) == ["individual_below", "collective_workers_short"]


@pytest.mark.parametrize("thresholds", EXAMPLES, ids=lambda t: t.individual.source[:4])
def test_cr4_collective_exactly_at_province_figure_meets(thresholds):
    each = thresholds.collective.value / 10
    verdict = run(crew(10, str(each)), thresholds=thresholds)
    assert verdict.verdict == TRANSFER
    assert "collective_meets" in codes(verdict)


@pytest.mark.parametrize("thresholds", EXAMPLES, ids=lambda t: t.individual.source[:4])
def test_cr4_collective_one_fen_below_province_figure_is_below_threshold(thresholds):
    workers = crew(9, str(thresholds.collective.value / 10))
    workers.append(Worker(thresholds.collective.value / 10 - D("0.01"), 1))
    verdict = run(workers, thresholds=thresholds)
    assert verdict.verdict == BELOW_THRESHOLD
    assert "collective_below" in codes(verdict)


def test_cr4_guizhou_reason_text_for_one_worker():
    verdict = run([Worker(D("12000"), 3)])
    assert verdict.reasons[0].rule == "CR-4"
    assert verdict.reasons[0].text == (
        "1名劳动者被拖欠3个月以上工资12,000.00元（3个月），达到本省“数额较大”标准（10,000.00元）"
    )


def test_cr4_two_months_is_not_enough_three_months_is():
    # rule CR-4: the individual branch needs ≥3 months' wages, whatever the amount.
    assert run([Worker(D("15000"), 2)]).verdict == BELOW_THRESHOLD
    assert codes(run([Worker(D("15000"), 2)]))[0] == "individual_months_short"
    assert run([Worker(D("15000"), 3)]).verdict == TRANSFER


def test_cr4_nine_workers_are_not_a_collective_ten_are():
    # Guizhou 50,000: 9 × 6,000 = 54,000 does not count; 10 × 5,000 = 50,000 does.
    nine = run(crew(9, "6000"))
    assert nine.verdict == BELOW_THRESHOLD
    assert "collective_workers_short" in codes(nine)
    assert run(crew(10, "5000")).verdict == TRANSFER


def test_cr4_collective_branch_needs_no_three_months():
    verdict = run(crew(10, "5000", months=1))
    assert codes(verdict)[:2] == ["individual_months_short", "collective_meets"]


def test_cr4_workers_owed_nothing_do_not_count_towards_ten():
    workers = [*crew(9, "6000"), Worker(D("0"), 0)]
    assert run(workers).verdict == BELOW_THRESHOLD


def test_cr4_hunan_6000_meets_where_guizhou_does_not():
    workers = [Worker(D("6000"), 4)]
    assert run(workers, thresholds=HUNAN).verdict == TRANSFER
    assert run(workers, thresholds=GUIZHOU).verdict == BELOW_THRESHOLD


def test_cr4_threshold_names_the_figures_used_with_source_and_date():
    verdict = run([Worker(D("12000"), 3)], thresholds=JIANGSU)
    assert verdict.threshold == {
        "basis": "province",
        "province": "32",
        "individual": {
            "value": "10000.00",
            "source": JIANGSU.individual.source,
            "effective_from": "2013-06-01",
        },
        "collective": {
            "value": "60000.00",
            "source": JIANGSU.collective.source,
            "effective_from": "2013-06-01",
        },
    }


def test_cr4_province_figure_outside_the_national_range_is_flagged():
    typo = province("52", "100000", "50000", "贵州省")
    verdict = run([Worker(D("120000"), 3)], thresholds=typo)
    assert "province_figure_outside_national_range" in codes(verdict)


def test_cr4_figure_not_yet_in_force_is_a_configuration_error():
    future = Thresholds(
        "52",
        Figure(D("10000"), "未来的通知", AS_OF + timedelta(days=1)),
        GUIZHOU.collective,
    )
    with pytest.raises(ValueError, match="takes effect"):
        run([Worker(D("12000"), 3)], thresholds=future)


# --- CR-4: Yunnan, province figures not entered --------------------------------------------------


def test_cr4_yunnan_individual_below_national_floor_is_below_threshold():
    verdict = run([Worker(D("4999.99"), 5)], thresholds=None, province="53")
    assert verdict.verdict == BELOW_THRESHOLD
    assert codes(verdict) == ["individual_below", "collective_workers_short"]
    assert verdict.threshold["basis"] == "national_range"
    assert verdict.threshold["individual_floor"] == {
        "value": "5000.00",
        "source": NATIONAL_SOURCE,
        "effective_from": "2013-01-23",
    }


def test_cr4_yunnan_at_national_floor_depends_on_province_config():
    verdict = run([Worker(D("5000"), 3)], thresholds=None, province="53", order=None)
    assert verdict.verdict == DEPENDS_ON_PROVINCE_CONFIG
    assert "individual_between" in codes(verdict)
    missing = next(r for r in verdict.reasons if r.code == "province_figure_missing")
    assert "53" in missing.text and "录入" in missing.text
    assert "录入本省" in verdict.next_step
    assert verdict.threshold["missing"] == "province_figures"
    assert verdict.threshold["province"] == "53"


def test_cr4_yunnan_just_below_ceiling_depends():
    verdict = run([Worker(D("19999.99"), 3)], thresholds=None)
    assert verdict.verdict == DEPENDS_ON_PROVINCE_CONFIG


def test_cr4_yunnan_at_individual_ceiling_meets_for_sure():
    verdict = run([Worker(D("20000"), 3)], thresholds=None, province="53")
    assert verdict.verdict == TRANSFER
    assert "province_figure_missing" not in codes(verdict)
    assert verdict.threshold["individual_ceiling"]["value"] == "20000.00"


def test_cr4_yunnan_collective_bands():
    assert run(crew(10, "2999.99"), thresholds=None).verdict == BELOW_THRESHOLD
    assert run(crew(10, "3000"), thresholds=None).verdict == DEPENDS_ON_PROVINCE_CONFIG
    assert run(crew(10, "10000"), thresholds=None).verdict == TRANSFER


def test_cr4_yunnan_depends_when_any_branch_is_in_between():
    # The individual branch is below the floor, the collective one in between: not decidable.
    workers = [Worker(D("4000"), 3), *crew(9, "4000")]  # 10 workers, 40,000 in all
    assert run(workers, thresholds=None).verdict == DEPENDS_ON_PROVINCE_CONFIG


def test_cr4_yunnan_depends_keeps_verdict_but_lists_order_facts():
    verdict = run([Worker(D("12000"), 3)], thresholds=None, evasion=["absconded"])
    assert verdict.verdict == DEPENDS_ON_PROVINCE_CONFIG
    assert codes(verdict) == [
        "individual_between",
        "collective_workers_short",
        "province_figure_missing",
        "order_deadline_passed",
        "evasion_absconded",
        "limitation_period",
    ]


def test_cr4_yunnan_depends_without_order_suggests_ordering_payment_meanwhile():
    verdict = run([Worker(D("12000"), 3)], thresholds=None, order=None)
    assert "no_payment_order" in codes(verdict)
    assert "责令支付" in verdict.next_step


# --- CR-5: the order to pay ----------------------------------------------------------------------


def test_cr5_no_payment_order_means_order_first():
    verdict = run([Worker(D("12000"), 3)], order=None)
    assert verdict.verdict == ORDER_FIRST
    assert codes(verdict) == [
        "individual_meets",
        "collective_workers_short",
        "no_payment_order",
        "limitation_period",
    ]
    assert "先移送人社部门/劳动保障监察责令支付" in verdict.next_step


def test_cr5_order_without_deadline_means_order_first():
    order = PaymentOrder(issued_on=date(2026, 11, 1), deadline=None)
    verdict = run([Worker(D("12000"), 3)], order=order)
    assert verdict.verdict == ORDER_FIRST
    assert "未载明支付期限" in verdict.reasons[2].text


def test_cr5_absconded_employer_without_order_gets_the_posting_hint():
    verdict = run([Worker(D("12000"), 3)], order=None, evasion=["absconded"])
    assert "order_by_posting" in codes(verdict)


def test_cr5_deadline_still_running_means_order_first_until_that_day():
    verdict = run([Worker(D("12000"), 3)], order=ORDER_RUNNING)
    assert verdict.verdict == ORDER_FIRST
    running = next(r for r in verdict.reasons if r.code == "order_deadline_running")
    assert "2026年11月30日" in running.text
    assert "2026年11月30日" in verdict.next_step


def test_cr5_deadline_on_the_day_evaluated_has_not_passed():
    # Deadlines end at 24:00 (rule TL-1), so on the day itself the deadline still runs.
    order = PaymentOrder(issued_on=date(2026, 11, 1), deadline=AS_OF)
    assert run([Worker(D("12000"), 3)], order=order).verdict == ORDER_FIRST
    order = PaymentOrder(issued_on=date(2026, 11, 1), deadline=AS_OF - timedelta(days=1))
    assert run([Worker(D("12000"), 3)], order=order).verdict == TRANSFER


def test_cr5_deadline_passed_without_payment_means_transfer():
    verdict = run([Worker(D("12000"), 3)])
    assert verdict.verdict == TRANSFER
    passed = next(r for r in verdict.reasons if r.code == "order_deadline_passed")
    assert passed.text == (
        "五华区人力资源和社会保障局于2026年10月8日责令支付，支付期限已于2026年10月31日届满，"
        "仍未支付"
    )
    assert "线索移送函" in verdict.next_step and "刑事检察部门" in verdict.next_step


# --- CR-1, CR-3: conduct ---------------------------------------------------------------------------


def test_cr1_transfer_without_evasion_asks_to_verify_ability_to_pay():
    verdict = run([Worker(D("12000"), 3)])
    ability = next(r for r in verdict.reasons if r.code == "ability_to_pay_to_verify")
    assert ability.rule == "CR-1"
    assert "有能力支付而不支付" in ability.text


def test_cr3_transfer_lists_each_evasion_fact_once():
    verdict = run(
        [Worker(D("12000"), 3)],
        evasion=[
            "transferred_assets",
            "destroyed_records",
            "refused_summons",
            "absconded",
            "absconded",
        ],
    )
    assert verdict.verdict == TRANSFER
    evasion = [r for r in verdict.reasons if r.rule == "CR-3"]
    assert [r.code for r in evasion] == [
        "evasion_transferred_assets",
        "evasion_destroyed_records",
        "evasion_refused_summons",
        "evasion_absconded",
    ]
    assert "ability_to_pay_to_verify" not in codes(verdict)


def test_cr3_refused_summons_counts_as_absconding():
    verdict = run([Worker(D("12000"), 3)], evasion=["refused_summons"])
    summons = next(r for r in verdict.reasons if r.code == "evasion_refused_summons")
    assert "视为以逃匿方法逃避支付" in summons.text
    assert "人社部发〔2014〕100号" in summons.text


# --- CR-6, CR-7: payment after the order; nothing owed -------------------------------------------


def test_cr7_paid_in_full_after_order_is_not_applicable():
    verdict = run([Worker(D("50000"), 6)], paid=True)
    assert verdict.verdict == NOT_APPLICABLE
    assert codes(verdict) == ["paid_after_order", "serious_consequences_check"]
    assert "可以不予立案追诉" in verdict.reasons[0].text
    assert verdict.reasons[1].rule == "CR-6"
    assert verdict.threshold is None


def test_cr1_no_workers_is_not_applicable():
    verdict = run([])
    assert verdict.verdict == NOT_APPLICABLE
    assert codes(verdict) == ["nothing_owed"]


def test_cr1_all_amounts_zero_is_not_applicable():
    assert run(crew(12, "0", months=4)).verdict == NOT_APPLICABLE


# --- CR-8: limitation ---------------------------------------------------------------------------


def test_cr8_limitation_dates_counted_from_the_deadline():
    verdict = run([Worker(D("12000"), 3)])
    limitation = verdict.reasons[-1]
    assert limitation.rule == "CR-8"
    assert "2031年10月31日" in limitation.text  # 5 years
    assert "2036年10月31日" in limitation.text  # 10 years with serious consequences


def test_cr8_limitation_rule_stated_when_no_deadline_passed():
    verdict = run([Worker(D("12000"), 3)], order=None)
    assert verdict.reasons[-1].code == "limitation_period"
    assert "5年" in verdict.reasons[-1].text and "10年" in verdict.reasons[-1].text


def test_cr8_limitation_on_29_february_deadline():
    order = PaymentOrder(issued_on=date(2024, 2, 1), deadline=date(2024, 2, 29))
    verdict = run([Worker(D("12000"), 3)], order=order)
    assert "2029年2月28日" in verdict.reasons[-1].text


# --- input errors and the API shape --------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "field", "code"),
    [
        ({"workers": [Worker(D("1"), 1), Worker(D("-1"), 3)]}, "workers.1.amount", "negative"),
        ({"workers": [Worker(D("NaN"), 3)]}, "workers.0.amount", "type"),
        ({"workers": [Worker(D("1e15"), 3)]}, "workers.0.amount", "too_large"),
        ({"workers": [Worker(D("1"), -1)]}, "workers.0.months", "negative"),
        ({"evasion": ["absconded", "absconded", "bribery"]}, "evasion.2", "choice"),
        (
            {"order": PaymentOrder(issued_on=date(2026, 11, 1), deadline=date(2026, 10, 1))},
            "payment_order.deadline",
            "before_issued",
        ),
    ],
)
def test_cr_invalid_lead_facts_name_the_field(kwargs, field, code):
    workers = kwargs.pop("workers", [Worker(D("12000"), 3)])
    with pytest.raises(LeadInputError) as raised:
        run(workers, **kwargs)
    assert raised.value.field == field
    assert raised.value.code == code
    assert isinstance(raised.value, ValueError)


def test_cr_as_dict_is_json_ready():
    data = as_dict(run([Worker(D("12000"), 3)], evasion=["absconded"]))
    assert set(data) == {"verdict", "reasons", "threshold", "next_step"}
    assert data["verdict"] == "transfer"
    assert data["reasons"][0] == {
        "code": "individual_meets",
        "rule": "CR-4",
        "text": "1名劳动者被拖欠3个月以上工资12,000.00元（3个月），"
        "达到本省“数额较大”标准（10,000.00元）",
    }
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data


# --- properties -----------------------------------------------------------------------------------

cents = st.integers(min_value=0, max_value=15_000_000).map(lambda c: Decimal(c) / 100)
workers_st = st.lists(
    st.tuples(cents, st.integers(min_value=0, max_value=12)), min_size=0, max_size=14
)
province_st = st.builds(
    lambda i, c: province("99", str(i), str(c), "测试省"),
    st.integers(min_value=5000, max_value=20000),
    st.integers(min_value=30000, max_value=100000),
)
orders_st = st.sampled_from([None, ORDER_RUNNING, ORDER_PASSED, PaymentOrder(None, None)])
evasion_st = st.lists(
    st.sampled_from(["transferred_assets", "absconded", "destroyed_records", "refused_summons"]),
    unique=True,
)


@settings(max_examples=500, deadline=None)
@given(
    workers=workers_st,
    raises=st.lists(cents, min_size=14, max_size=14),
    thresholds=st.one_of(st.none(), province_st),
    order=orders_st,
    evasion=evasion_st,
)
def test_cr4_verdict_never_less_severe_when_amounts_rise(
    workers, raises, thresholds, order, evasion
):
    before = [Worker(amount, months) for amount, months in workers]
    after = [Worker(w.amount + extra, w.months) for w, extra in zip(before, raises, strict=False)]
    low = run(before, thresholds=thresholds, order=order, evasion=evasion)
    high = run(after, thresholds=thresholds, order=order, evasion=evasion)
    assert low.verdict in VERDICTS and high.verdict in VERDICTS
    assert SEVERITY[high.verdict] >= SEVERITY[low.verdict]


@settings(max_examples=500, deadline=None)
@given(workers=workers_st, thresholds=province_st, order=orders_st)
def test_cr4_unknown_province_never_contradicts_any_figure_inside_the_range(
    workers, thresholds, order
):
    # Whatever the province fixes inside the national range, a sure answer without it holds.
    staff = [Worker(amount, months) for amount, months in workers]
    unknown = run(staff, thresholds=None, order=order)
    known = run(staff, thresholds=thresholds, order=order)
    if unknown.verdict == DEPENDS_ON_PROVINCE_CONFIG:
        return
    assert unknown.verdict == known.verdict


@settings(max_examples=500, deadline=None)
@given(workers=workers_st, thresholds=st.one_of(st.none(), province_st), order=orders_st)
def test_cr_every_verdict_carries_reasons_and_a_next_step(workers, thresholds, order):
    verdict = run([Worker(a, m) for a, m in workers], thresholds=thresholds, order=order)
    assert verdict.reasons and verdict.next_step
    assert all(r.rule.startswith("CR-") and r.text for r in verdict.reasons)
    if verdict.verdict in (ORDER_FIRST, TRANSFER, DEPENDS_ON_PROVINCE_CONFIG):
        assert verdict.reasons[-1].rule == "CR-8"
    json.dumps(as_dict(verdict))


@settings(max_examples=500, deadline=None)
@given(
    workers=workers_st,
    thresholds=st.one_of(st.none(), province_st),
    order=orders_st,
    evasion=evasion_st,
    paid=st.booleans(),
)
def test_item6_codes_are_declared_and_params_are_json_values(
    workers, thresholds, order, evasion, paid
):
    # issue 13 item 6: an application stores the codes with their values and puts them into
    # words itself; every code it can meet is declared, and the values survive JSON
    verdict = run(
        [Worker(a, m) for a, m in workers],
        thresholds=thresholds,
        order=order,
        evasion=evasion,
        paid=paid,
        province="53",
    )
    assert {r.code for r in verdict.reasons} <= REASON_CODES
    assert verdict.step in STEPS
    for params in [r.params for r in verdict.reasons] + [verdict.step_params]:
        assert json.loads(json.dumps(params)) == params


def test_item6_chinese_reasons_use_chinese_quotation_marks():
    verdict = run([Worker(D("12000"), 3)] * 10, thresholds=None, order=None)
    texts = [r.text for r in verdict.reasons] + [verdict.next_step]
    assert any("“数额较大”" in t for t in texts)
    assert not any("'" in t for t in texts)
