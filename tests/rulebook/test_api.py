"""The law library over the API (API.md § Rules): happy paths with the DOMAIN.md vectors, a 422 with
the exact field for every malformed input, and 401 without a token.

The seeded configuration (migration rulebook 0002) is what these tests read: the State Council
holiday notices 2004–2026 (chinesecalendar), the national CR-4 range 5k–20k / 30k–100k, seven
provinces' figures (Guizhou 52: 10k/50k), Yunnan's 2023 average wages in two series, and the
default series setting (在岗职工).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from tests.conftest import make_credit_code, make_id
from zhichi.rulebook.models import AverageWage, CriminalThreshold

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

RULES = "/api/v1/rules"
ENDPOINTS = ("validate", "deadline", "criminal-lead", "assistance-cap", "wage-claim", "rmb-capital")
AS_OF = "2026-11-20"
INTERPRETATION_DATE = "2013-01-23"  # 法释〔2013〕3号, the date the seeded figures are dated from


def post(api, endpoint: str, body, user: str = "civil1"):
    return api(user).post(f"{RULES}/{endpoint}", body)


def ok(response) -> dict:
    assert response.status_code == 200, response.content
    return response.json()


def invalid(response, field: str, code: str | None = None) -> dict:
    """A 422 in the API.md shape that names ``field`` (and ``code`` when given)."""
    assert response.status_code == 422, response.content
    body = response.json()
    assert isinstance(body.get("detail"), str) and body["detail"], body
    assert isinstance(body.get("errors"), list) and body["errors"], body
    for error in body["errors"]:
        assert set(error) == {"field", "code", "message"}, error
        assert error["message"], error
    named = [e for e in body["errors"] if e["field"] == field]
    assert named, f"no error on {field!r}: {body['errors']}"
    if code is not None:
        assert code in {e["code"] for e in named}, body["errors"]
    return body


# --- validate (ID-1, ID-2, phone) --------------------------------------------------------------
def test_id1_validate_accepts_a_valid_id_number(api):
    number = make_id()
    body = ok(post(api, "validate", {"id_number": number}))
    assert body["valid"] is True
    assert body["normalised"] == number
    assert body["errors"] == []


def test_id1_validate_reports_a_wrong_check_character(api):
    number = make_id()
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
    body = ok(post(api, "validate", {"id_number": wrong}))
    assert body["valid"] is False
    assert body["normalised"] == ""
    assert body["errors"] and all(e["code"] and e["message"] for e in body["errors"])


def test_id2_validate_accepts_a_valid_credit_code(api):
    code = make_credit_code()
    body = ok(post(api, "validate", {"credit_code": code}))
    assert body["valid"] is True
    assert body["normalised"] == code


@pytest.mark.parametrize(
    "body",
    [{}, {"id_number": make_id(), "phone": "13800001111"}],
    ids=["none", "two"],
)
def test_validate_needs_exactly_one_identifier(api, body):
    invalid(post(api, "validate", body), "body", "one_of")


# --- deadline (TL-1 … TL-9, JA-6) --------------------------------------------------------------
def test_tl4_appeal_from_judgment_served_2026_02_05_rolls_past_spring_festival_to_02_24(api):
    body = ok(post(api, "deadline", {"kind": "appeal_judgment", "start": "2026-02-05"}))
    assert body["due"] == "2026-02-24"
    assert body["unrolled"] == "2026-02-20"
    assert body["rolled_from"] == "2026-02-20"
    assert body["rule"] == "TL-4"
    assert "171" in body["basis"]
    assert body["calendar_complete"] is True
    assert body["missing_years"] == []
    assert body["kind"] == "appeal_judgment"
    assert body["start"] == "2026-02-05"


@pytest.mark.parametrize(
    ("payload", "due", "rule"),
    [
        # 15 days from 2026-01-30 end on Saturday 2026-02-14, a 调休上班日
        ({"kind": "custom", "start": "2026-01-30", "days": 15}, "2026-02-14", "TL-1"),
        # 15 days from 2026-02-13 end on Saturday 2026-02-28, a 调休上班日
        ({"kind": "appeal_judgment", "start": "2026-02-13"}, "2026-02-28", "TL-4"),
        # one month from 31 January: no 31 February, so the last day of February (a 调休上班日)
        ({"start": "2026-01-31", "months": 1}, "2026-02-28", "TL-1"),
        # 10 days from 2026-09-10 end on Sunday 2026-09-20, a National Day 调休上班日
        ({"kind": "appeal_ruling", "start": "2026-09-10"}, "2026-09-20", "TL-4"),
        # 10 days from 2026-09-30 end on Saturday 2026-10-10, a National Day 调休上班日
        ({"kind": "appeal_ruling", "start": "2026-09-30"}, "2026-10-10", "TL-4"),
        # two years from 29 February 2024 → 28 February 2026, a 调休上班日
        ({"kind": "enforcement_application", "start": "2024-02-29"}, "2026-02-28", "TL-5"),
    ],
    ids=["days-to-02-14", "appeal-to-02-28", "month-end-02-28", "09-20", "10-10", "tl5-leap"],
)
def test_tl1_a_period_ending_on_a_make_up_working_day_does_not_roll(api, payload, due, rule):
    body = ok(post(api, "deadline", payload))
    assert body["due"] == due
    assert body["unrolled"] == due
    assert body["rolled_from"] is None
    assert body["rule"] == rule
    assert body["calendar_complete"] is True


def test_tl4_appeal_ending_on_national_day_rolls_to_2026_10_08(api):
    body = ok(post(api, "deadline", {"kind": "appeal_judgment", "start": "2026-09-16"}))
    assert (body["unrolled"], body["rolled_from"], body["due"]) == (
        "2026-10-01",
        "2026-10-01",
        "2026-10-08",
    )
    assert body["rule"] == "TL-4"


def test_tl9_suggestion_reply_two_months_rolls_out_of_national_day(api):
    body = ok(post(api, "deadline", {"kind": "suggestion_reply", "start": "2026-08-01"}))
    assert body["rule"] == "TL-9"
    assert body["rolled_from"] == "2026-10-01"
    assert body["due"] == "2026-10-08"


def test_tl9_a_shortened_suggestion_reply_keeps_its_rule(api):
    body = ok(
        post(api, "deadline", {"kind": "suggestion_reply", "start": "2026-03-02", "days": 15})
    )
    assert body["rule"] == "TL-9"
    assert body["due"] == "2026-03-17"


def test_ja6_assistance_decision_counts_ten_working_days_across_national_day(api):
    # 09-29, 09-30, 10-08, 10-09, 10-10 (make-up Saturday), 10-12 … 10-16
    body = ok(post(api, "deadline", {"kind": "assistance_decision", "start": "2026-09-28"}))
    assert body["rule"] == "JA-6"
    assert body["due"] == "2026-10-16"
    assert body["rolled_from"] is None
    assert body["calendar_complete"] is True


def test_tl1_custom_working_days_count_the_make_up_day_and_skip_the_festival(api):
    # 02-13 (Fri), 02-14 (make-up Saturday), then 02-15 … 02-23 off, 02-24
    body = ok(post(api, "deadline", {"start": "2026-02-12", "working_days": 3}))
    assert body["due"] == "2026-02-24"
    assert body["rule"] == "TL-1"
    assert body["kind"] == "custom"


def test_tl1_a_deadline_reaching_into_2027_is_marked_incomplete(api):
    # 2027's notice is not loaded: 2027-01-02 is a Saturday, counted with weekends only
    body = ok(post(api, "deadline", {"kind": "appeal_judgment", "start": "2026-12-18"}))
    assert body["unrolled"] == "2027-01-02"
    assert body["due"] == "2027-01-04"
    assert body["calendar_complete"] is False
    assert body["missing_years"] == [2027]


def test_tl1_weekends_only_in_2027_so_new_years_day_is_not_guessed(api):
    body = ok(post(api, "deadline", {"kind": "appeal_judgment", "start": "2026-12-17"}))
    assert body["due"] == "2027-01-01"
    assert body["rolled_from"] is None
    assert body["calendar_complete"] is False
    assert body["missing_years"] == [2027]


@pytest.mark.parametrize(
    ("kind", "rule"),
    [
        ("appeal_judgment", "TL-4"),
        ("appeal_ruling", "TL-4"),
        ("enforcement_application", "TL-5"),
        ("judicial_confirmation", "TL-6"),
        ("suggestion_reply", "TL-9"),
        ("assistance_decision", "JA-6"),
        ("assistance_notification", "JA-6"),
        ("arbitration_limitation", "TL-2"),
        ("sue_after_award", "TL-2"),
        ("civil_limitation", "TL-3"),
        ("labour_inspection_limit", "TL-7"),
        ("prosecution_limitation", "CR-8"),
    ],
)
def test_named_periods_carry_their_rule_id(api, kind, rule):
    body = ok(post(api, "deadline", {"kind": kind, "start": "2020-03-02"}))
    assert body["rule"] == rule
    assert body["basis"]
    assert body["period"]


DEADLINE_INVALID = [
    ({"kind": "appeal_judgment"}, "start", None),
    ({"kind": "appeal_judgment", "start": ""}, "start", "required"),
    ({"kind": "appeal_judgment", "start": "abc"}, "start", "date"),
    ({"kind": "appeal_judgment", "start": "2026-02-30"}, "start", "date"),
    ({"kind": "appeal_judgment", "start": "2026-13-01"}, "start", "date"),
    ({"kind": "appeal_judgment", "start": 20260205}, "start", "date"),
    ({"start": "2026-02-05", "days": 0}, "days", "range"),
    ({"start": "2026-02-05", "days": -15}, "days", "range"),
    ({"start": "2026-02-05", "days": 36501}, "days", "range"),
    ({"start": "2026-02-05", "days": "abc"}, "days", "integer"),
    ({"start": "2026-02-05", "days": 1.5}, "days", "integer"),
    ({"start": "2026-02-05", "days": "7.5"}, "days", "integer"),
    ({"start": "2026-02-05", "days": True}, "days", "integer"),
    ({"start": "2026-02-05", "months": 0}, "months", "range"),
    ({"start": "2026-02-05", "months": 1201}, "months", "range"),
    ({"start": "2026-02-05", "years": -1}, "years", "range"),
    ({"start": "2026-02-05", "years": 101}, "years", "range"),
    ({"start": "2026-02-05", "working_days": 0}, "working_days", "range"),
    ({"start": "2026-02-05", "working_days": 10001}, "working_days", "range"),
    ({"start": "2026-02-05", "working_days": "x"}, "working_days", "integer"),
    ({"start": "2026-02-05", "days": 15, "months": 1}, "days", "one_unit"),
    ({"start": "2026-02-05", "years": 1, "working_days": 5}, "days", "one_unit"),
    ({"start": "2026-02-05"}, "days", "required"),
    ({"kind": "custom", "start": "2026-02-05"}, "days", "required"),
    ({"kind": "appeal", "start": "2026-02-05"}, "kind", "choice"),
    ({"kind": "APPEAL_JUDGMENT", "start": "2026-02-05"}, "kind", "choice"),
    ({"kind": 5, "start": "2026-02-05"}, "kind", None),
    ({"kind": "appeal_judgment", "start": "9999-12-25"}, "start", "range"),
    ({"start": "9999-01-01", "years": 5}, "start", "range"),
]


@pytest.mark.parametrize(("payload", "field", "code"), DEADLINE_INVALID)
def test_deadline_rejects_malformed_input_with_422_on_the_field(api, payload, field, code):
    invalid(post(api, "deadline", payload), field, code)


@pytest.mark.parametrize("start", ["20260205", "2026-W06-4", "2026W064"])
def test_dates_are_yyyy_mm_dd_only(api, start):
    # API.md § Conventions: "Dates: YYYY-MM-DD". Python's date.fromisoformat also reads the ISO
    # basic and week forms, which would silently turn "2026-W06-4" into 2026-02-05.
    invalid(post(api, "deadline", {"kind": "appeal_judgment", "start": start}), "start", "date")
    invalid(
        post(api, "wage-claim", {"monthly_wage": "6000", "service_start": start}),
        "service_start",
        "date",
    )


# --- criminal-lead (CR-1 … CR-8) -------------------------------------------------------------
PASSED_ORDER = {"issued_on": "2026-10-01", "deadline": "2026-10-31", "authority": "五华区人社局"}


def lead(province="52", workers=None, **extra) -> dict:
    body = {
        "province": province,
        "as_of": AS_OF,
        "workers": workers if workers is not None else [{"amount": "12000.00", "months": 4}],
    }
    body.update(extra)
    return body


def reason_codes(body) -> set[str]:
    return {r["code"] for r in body["reasons"]}


def test_cr4_cr5_guizhou_one_worker_above_10k_with_passed_order_is_transfer(api):
    body = ok(post(api, "criminal-lead", lead(payment_order=PASSED_ORDER)))
    assert body["verdict"] == "transfer"
    assert body["province"] == "52"
    assert body["as_of"] == AS_OF
    rules = {r["rule"] for r in body["reasons"]}
    assert {"CR-4", "CR-5", "CR-8"} <= rules
    assert {"individual_meets", "order_deadline_passed"} <= reason_codes(body)
    assert all(r["text"] for r in body["reasons"])
    threshold = body["threshold"]
    assert threshold["basis"] == "province"
    assert threshold["province"] == "52"
    assert threshold["individual"]["value"] == "10000.00"
    assert threshold["collective"]["value"] == "50000.00"
    guizhou = CriminalThreshold.objects.get(province="52")
    for figure in (threshold["individual"], threshold["collective"]):
        assert figure["source"] == guizhou.source
        assert figure["effective_from"] == INTERPRETATION_DATE
    assert body["next_step"]


def test_cr4_guizhou_ten_workers_cumulative_50k_meets_the_collective_figure(api):
    workers = [{"amount": "5000.00", "months": 1} for _ in range(10)]
    body = ok(post(api, "criminal-lead", lead(workers=workers, payment_order=PASSED_ORDER)))
    assert body["verdict"] == "transfer"
    assert "collective_meets" in reason_codes(body)


def test_cr5_guizhou_without_an_order_is_order_first(api):
    body = ok(post(api, "criminal-lead", lead()))
    assert body["verdict"] == "order_first"
    assert "no_payment_order" in reason_codes(body)
    assert any(r["rule"] == "CR-5" for r in body["reasons"])


def test_cr5_guizhou_with_the_order_deadline_still_running_is_order_first(api):
    order = {"issued_on": "2026-11-10", "deadline": AS_OF}  # ends at 24:00 of that day
    body = ok(post(api, "criminal-lead", lead(payment_order=order)))
    assert body["verdict"] == "order_first"
    assert "order_deadline_running" in reason_codes(body)


@pytest.mark.parametrize(
    "workers",
    [
        [{"amount": "9999.99", "months": 4}],  # below Guizhou's 10,000
        [{"amount": "15000.00", "months": 2}],  # under three months' wages
        [{"amount": "4900.00", "months": 1} for _ in range(10)],  # 49,000 < 50,000
    ],
    ids=["amount", "months", "collective"],
)
def test_cr4_guizhou_below_the_province_figure_is_below_threshold(api, workers):
    body = ok(post(api, "criminal-lead", lead(workers=workers, payment_order=PASSED_ORDER)))
    assert body["verdict"] == "below_threshold"
    assert body["threshold"]["basis"] == "province"


def test_cr7_paid_in_full_after_the_order_is_not_applicable(api):
    body = ok(post(api, "criminal-lead", lead(payment_order=PASSED_ORDER, paid_after_order=True)))
    assert body["verdict"] == "not_applicable"
    assert "paid_after_order" in reason_codes(body)
    assert any(r["rule"] == "CR-7" for r in body["reasons"])


def test_cr1_nothing_owed_is_not_applicable(api):
    body = ok(post(api, "criminal-lead", lead(workers=[])))
    assert body["verdict"] == "not_applicable"


def test_cr3_evasion_facts_are_reasons_with_their_rule(api):
    body = ok(
        post(
            api,
            "criminal-lead",
            lead(payment_order=PASSED_ORDER, evasion=["absconded", "transferred_assets"]),
        )
    )
    assert body["verdict"] == "transfer"
    assert {"evasion_absconded", "evasion_transferred_assets"} <= reason_codes(body)
    assert all(r["rule"] == "CR-3" for r in body["reasons"] if r["code"].startswith("evasion_"))


def test_cr4_yunnan_between_floor_and_ceiling_depends_on_province_config(api):
    body = ok(post(api, "criminal-lead", lead(province="53", payment_order=PASSED_ORDER)))
    assert body["verdict"] == "depends_on_province_config"
    missing = [r for r in body["reasons"] if r["code"] == "province_figure_missing"]
    assert len(missing) == 1
    assert missing[0]["rule"] == "CR-4"
    assert "53" in missing[0]["text"]
    assert "单个劳动者标准" in missing[0]["text"]  # names the figure that is missing
    threshold = body["threshold"]
    assert threshold["basis"] == "national_range"
    assert threshold["missing"] == "province_figures"
    assert threshold["province"] == "53"
    assert threshold["individual_floor"]["value"] == "5000.00"
    assert threshold["individual_ceiling"]["value"] == "20000.00"
    assert threshold["collective_floor"]["value"] == "30000.00"
    assert threshold["collective_ceiling"]["value"] == "100000.00"
    national = CriminalThreshold.objects.get(province="00")
    assert national.source
    for key in ("individual_floor", "individual_ceiling", "collective_floor", "collective_ceiling"):
        assert threshold[key]["source"] == national.source
        assert threshold[key]["effective_from"] == INTERPRETATION_DATE


def test_cr4_yunnan_between_without_an_order_still_depends_on_province_config(api):
    body = ok(post(api, "criminal-lead", lead(province="53")))
    assert body["verdict"] == "depends_on_province_config"
    assert "no_payment_order" in reason_codes(body)


def test_cr4_yunnan_at_the_national_ceiling_with_a_passed_order_is_transfer(api):
    workers = [{"amount": "20000.00", "months": 3}]
    body = ok(
        post(api, "criminal-lead", lead(province="53", workers=workers, payment_order=PASSED_ORDER))
    )
    assert body["verdict"] == "transfer"
    assert "individual_meets" in reason_codes(body)
    assert body["threshold"]["basis"] == "national_range"


def test_cr4_yunnan_below_the_national_floor_is_below_threshold(api):
    workers = [{"amount": "4999.99", "months": 6}]
    body = ok(post(api, "criminal-lead", lead(province="53", workers=workers)))
    assert body["verdict"] == "below_threshold"


def test_cr4_as_of_defaults_to_today(api):
    body = ok(post(api, "criminal-lead", {"province": "52", "workers": []}))
    assert body["as_of"] == timezone.localdate().isoformat()


CRIMINAL_INVALID = [
    (lead(province="99"), "province", "unknown"),
    (lead(province="5"), "province", "unknown"),
    (lead(province="530"), "province", None),
    (lead(province=""), "province", "required"),
    (lead(province=53), "province", None),
    ({"as_of": AS_OF, "workers": []}, "province", None),
    ({"province": "52", "as_of": AS_OF}, "workers", None),
    (lead(workers="12000"), "workers", None),
    (lead(workers={"amount": "12000"}), "workers", None),
    (lead(workers=[5]), "workers.0", "model_type"),
    (lead(workers=[{"months": 4}]), "workers.0.amount", None),
    (lead(workers=[{"amount": "abc", "months": 4}]), "workers.0.amount", "money"),
    (lead(workers=[{"amount": "-1.00", "months": 4}]), "workers.0.amount", "negative"),
    (lead(workers=[{"amount": True, "months": 4}]), "workers.0.amount", "money"),
    (lead(workers=[{"amount": "1.005", "months": 4}]), "workers.0.amount", "precision"),
    (
        lead(workers=[{"amount": "1.00", "months": 4}, {"amount": "x", "months": 4}]),
        "workers.1.amount",
        "money",
    ),
    (lead(workers=[{"amount": "100", "months": "four"}]), "workers.0.months", "integer"),
    (lead(workers=[{"amount": "100", "months": -1}]), "workers.0.months", "range"),
    (lead(as_of="2026-02-30"), "as_of", "date"),
    (lead(as_of="yesterday"), "as_of", "date"),
    (
        lead(payment_order={"issued_on": "2026-10-31", "deadline": "2026-10-01"}),
        "payment_order.deadline",
        "before_issue",
    ),
    (
        lead(payment_order={"issued_on": "2026-13-01", "deadline": "2026-10-01"}),
        "payment_order.issued_on",
        "date",
    ),
    (lead(payment_order={"deadline": "abc"}), "payment_order.deadline", "date"),
    (lead(evasion=["bribery"]), "evasion.0", "choice"),
    (lead(evasion=["absconded", "ran_away"]), "evasion.1", "choice"),
    (lead(evasion="absconded"), "evasion", None),
    (lead(paid_after_order="maybe"), "paid_after_order", None),
    # before the national range takes effect nothing is configured
    (lead(as_of="2012-12-31"), "as_of", "missing_configuration"),
]


@pytest.mark.parametrize(("payload", "field", "code"), CRIMINAL_INVALID)
def test_criminal_lead_rejects_malformed_input_with_422_on_the_field(api, payload, field, code):
    invalid(post(api, "criminal-lead", payload), field, code)


@pytest.mark.parametrize("order", ["2026-10-31", 20261031, ["2026-10-01", "2026-10-31"]])
def test_cr5_a_payment_order_that_is_not_an_object_is_422(api, order):
    # the order to pay is {"issued_on", "deadline", "authority"}; anything else is not an order
    invalid(post(api, "criminal-lead", lead(payment_order=order)), "payment_order")


# --- assistance-cap (JA-4, JA-5) --------------------------------------------------------------
def test_ja5_yunnan_2023_default_series_on_post_cap_338724(api):
    body = ok(post(api, "assistance-cap", {"province": "53", "wage_year": 2023}))
    assert body["monthly_wage"] == "9409.00"
    assert body["months"] == 36
    assert body["cap"] == "338724.00"
    assert body["series"] == "urban_non_private_on_post"
    assert body["series_is_default"] is True
    assert body["series_label"]
    seeded = AverageWage.objects.get(province="53", wage_year=2023, series=body["series"])
    assert body["source"] == seeded.source
    assert body["published_on"] == "2024-06-03"
    assert body["wage_year"] == 2023
    assert body["province"] == "53"
    assert body["rule"].startswith("JA-")
    assert body["cap_in_words"] == "人民币叁拾叁万捌仟柒佰贰拾肆元整"


def test_ja5_yunnan_2023_employed_series_cap_320307(api):
    body = ok(
        post(
            api,
            "assistance-cap",
            {"province": "53", "wage_year": "2023", "series": "urban_non_private_employed"},
        )
    )
    assert body["monthly_wage"] == "8897.42"
    assert body["cap"] == "320307.00"  # annual × 3, not the rounded monthly wage × 36
    assert body["series"] == "urban_non_private_employed"
    assert body["series_is_default"] is False
    seeded = AverageWage.objects.get(province="53", wage_year=2023, series=body["series"])
    assert body["source"] == seeded.source


def test_ja4_a_year_without_a_figure_is_422_naming_wage_year(api):
    body = invalid(
        post(api, "assistance-cap", {"province": "53", "wage_year": 2024}),
        "wage_year",
        "missing_figure",
    )
    assert "2024" in body["detail"]


def test_ja4_a_province_without_a_figure_is_422_naming_wage_year(api):
    invalid(
        post(api, "assistance-cap", {"province": "52", "wage_year": 2023}),
        "wage_year",
        "missing_figure",
    )


CAP_INVALID = [
    ({"province": "53", "wage_year": "abc"}, "wage_year", "integer"),
    ({"province": "53", "wage_year": 2023.5}, "wage_year", "integer"),
    ({"province": "53", "wage_year": 1989}, "wage_year", "range"),
    ({"province": "53", "wage_year": ""}, "wage_year", "required"),
    ({"province": "53"}, "wage_year", None),
    ({"province": "53", "wage_year": 2023, "series": "median"}, "series", "choice"),
    ({"province": "99", "wage_year": 2023}, "province", "unknown"),
    ({"province": "5", "wage_year": 2023}, "province", "unknown"),
    ({"province": 53, "wage_year": 2023}, "province", None),
    ({"wage_year": 2023}, "province", None),
]


@pytest.mark.parametrize(("payload", "field", "code"), CAP_INVALID)
def test_assistance_cap_rejects_malformed_input_with_422_on_the_field(api, payload, field, code):
    invalid(post(api, "assistance-cap", payload), field, code)


# --- wage-claim (LA-1 … LA-5) -----------------------------------------------------------------
def items_by_rule(body) -> dict[str, dict]:
    rules = [i["rule"] for i in body["items"]]
    assert len(rules) == len(set(rules)), rules
    return {i["rule"]: i for i in body["items"]}


def assert_total_is_the_sum(body) -> None:
    total = sum((Decimal(i["amount"]) for i in body["items"]), Decimal(0))
    assert Decimal(body["total"]) == total
    assert body["total"] == f"{total:.2f}"
    total_max = sum((Decimal(i["amount_max"] or i["amount"]) for i in body["items"]), Decimal(0))
    assert Decimal(body["total_max"]) == total_max


def test_la1_unpaid_wages_only(api):
    body = ok(
        post(
            api,
            "wage-claim",
            {"monthly_wage": "6000.00", "months_unpaid": 3, "amount_paid": "2000.00"},
        )
    )
    items = items_by_rule(body)
    assert set(items) == {"LA-1"}
    assert items["LA-1"]["kind"] == "unpaid_wages"
    assert items["LA-1"]["amount"] == "16000.00"
    assert items["LA-1"]["amount_max"] is None
    assert "21.75" in items["LA-1"]["note"]
    assert body["total"] == "16000.00"
    assert_total_is_the_sum(body)


def test_la3_additional_compensation_only_when_the_order_deadline_passed(api):
    base = {"monthly_wage": "6000.00", "months_unpaid": 3, "amount_paid": "2000.00"}
    without = items_by_rule(ok(post(api, "wage-claim", {**base, "order_deadline_passed": False})))
    assert "LA-3" not in without
    body = ok(post(api, "wage-claim", {**base, "order_deadline_passed": True}))
    la3 = items_by_rule(body)["LA-3"]
    assert la3["kind"] == "additional_compensation"
    assert (la3["amount"], la3["amount_max"]) == ("8000.00", "16000.00")
    assert body["total"] == "24000.00"
    assert body["total_max"] == "32000.00"
    assert_total_is_the_sum(body)


def test_la1_la3_la4_la5_full_claim_total_is_the_sum_of_the_items(api):
    body = ok(
        post(
            api,
            "wage-claim",
            {
                "monthly_wage": "6000.00",
                "months_unpaid": 3,
                "amount_paid": "2000.00",
                "service_start": "2025-03-01",
                "service_end": "2026-01-31",
                "written_contract": False,
                "order_deadline_passed": True,
            },
        )
    )
    items = items_by_rule(body)
    assert set(items) == {"LA-1", "LA-3", "LA-4", "LA-5"}
    assert items["LA-4"]["kind"] == "double_wages"
    # 2025-04-01 … 2026-01-31: ten full months of an extra month's wage
    assert items["LA-4"]["amount"] == "60000.00"
    assert items["LA-5"]["kind"] == "economic_compensation"
    # 11 months of service: N = 1
    assert items["LA-5"]["amount"] == "6000.00"
    assert all(i["note"] for i in body["items"])
    assert body["total"] == "90000.00"
    assert_total_is_the_sum(body)


def test_la4_no_double_wages_with_a_written_contract(api):
    body = ok(
        post(
            api,
            "wage-claim",
            {
                "monthly_wage": "6000.00",
                "months_unpaid": 1,
                "service_start": "2025-03-01",
                "written_contract": True,
            },
        )
    )
    assert set(items_by_rule(body)) == {"LA-1"}


def test_la4_double_wages_at_most_11_months_without_service_end(api):
    body = ok(
        post(
            api,
            "wage-claim",
            {
                "monthly_wage": "5000.00",
                "months_unpaid": 0,
                "service_start": "2024-01-01",
                "written_contract": False,
            },
        )
    )
    items = items_by_rule(body)
    assert "LA-5" not in items  # no service_end: the contract has not ended
    assert items["LA-4"]["amount"] == "55000.00"
    assert_total_is_the_sum(body)


def test_la5_economic_compensation_only_with_service_end(api):
    body = ok(
        post(
            api,
            "wage-claim",
            {
                "monthly_wage": "8000.00",
                "months_unpaid": 0,
                "service_start": "2020-01-01",
                "service_end": "2023-08-31",
            },
        )
    )
    items = items_by_rule(body)
    assert set(items) == {"LA-1", "LA-5"}
    assert items["LA-5"]["amount"] == "32000.00"  # 3 years 8 months: N = 4
    assert_total_is_the_sum(body)


WAGE_INVALID = [
    ({}, "monthly_wage", None),
    ({"monthly_wage": ""}, "monthly_wage", "required"),
    ({"monthly_wage": "-100.00"}, "monthly_wage", "negative"),
    ({"monthly_wage": "abc"}, "monthly_wage", "money"),
    ({"monthly_wage": "6000.001"}, "monthly_wage", "precision"),
    ({"monthly_wage": "6000", "months_unpaid": 601}, "months_unpaid", "range"),
    ({"monthly_wage": "6000", "months_unpaid": -1}, "months_unpaid", "range"),
    ({"monthly_wage": "6000", "months_unpaid": "three"}, "months_unpaid", "integer"),
    ({"monthly_wage": "6000", "amount_paid": "-1"}, "amount_paid", "negative"),
    ({"monthly_wage": "6000", "amount_paid": "abc"}, "amount_paid", "money"),
    ({"monthly_wage": "6000", "service_start": "2026-02-30"}, "service_start", "date"),
    (
        {"monthly_wage": "6000", "service_start": "2026-03-01", "service_end": "2026-02-28"},
        "service_end",
        "before_start",
    ),
    ({"monthly_wage": "6000", "local_avg_monthly_wage": "-5"}, "local_avg_monthly_wage", None),
    ({"monthly_wage": "6000", "local_avg_monthly_wage": "0"}, "local_avg_monthly_wage", None),
    ({"monthly_wage": "6000", "written_contract": "maybe"}, "written_contract", None),
    ({"monthly_wage": "6000", "order_deadline_passed": "maybe"}, "order_deadline_passed", None),
]


@pytest.mark.parametrize(("payload", "field", "code"), WAGE_INVALID)
def test_wage_claim_rejects_malformed_input_with_422_on_the_field(api, payload, field, code):
    invalid(post(api, "wage-claim", payload), field, code)


# --- rmb-capital (DOC-2) -----------------------------------------------------------------------
DOC2_VECTORS = [
    ("4000000", "人民币肆佰万元整"),
    ("1409.50", "人民币壹仟肆佰零玖元伍角"),
    ("6007.14", "人民币陆仟零柒元壹角肆分"),
    ("1680.32", "人民币壹仟陆佰捌拾元零叁角贰分"),
    ("107000.53", "人民币壹拾万柒仟元零伍角叁分"),
    ("16409.02", "人民币壹万陆仟肆佰零玖元零贰分"),
    ("325.04", "人民币叁佰贰拾伍元零肆分"),
    ("100500", "人民币壹拾万零伍佰元整"),
    ("0.53", "人民币伍角叁分"),
    ("100010000", "人民币壹亿零壹万元整"),
]


@pytest.mark.parametrize(("amount", "text"), DOC2_VECTORS)
def test_doc2_rmb_capital_vectors(api, amount, text):
    body = ok(post(api, "rmb-capital", {"amount": amount}))
    assert body["text"] == text
    assert body["rule"] == "DOC-2"
    assert Decimal(body["amount"]) == Decimal(amount)
    assert body["amount"] == f"{Decimal(amount):.2f}"


def test_doc2_rmb_capital_accepts_a_whole_number_and_the_largest_amount(api):
    assert ok(post(api, "rmb-capital", {"amount": 100500}))["text"] == "人民币壹拾万零伍佰元整"
    body = ok(post(api, "rmb-capital", {"amount": "999999999999.99"}))
    assert body["text"] == "人民币玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"


CAPITAL_INVALID = [
    ({"amount": "-1.00"}, "negative"),
    ({"amount": "1.005"}, "precision"),
    ({"amount": "1000000000000"}, "too_large"),
    ({"amount": "1000000000000.00"}, "too_large"),
    ({"amount": "abc"}, "money"),
    ({"amount": ""}, "required"),
    ({"amount": True}, "money"),
    ({"amount": 1680.32}, "money"),  # money is a string (API.md § Conventions), never a float
    ({"amount": "NaN"}, "money"),
    ({}, None),
]


@pytest.mark.parametrize(("payload", "code"), CAPITAL_INVALID)
def test_doc2_rmb_capital_rejects_malformed_amounts(api, payload, code):
    invalid(post(api, "rmb-capital", payload), "amount", code)


@pytest.mark.parametrize("amount", ["1e3", "1E+3", "1680.32e0"])
def test_money_follows_the_documented_pattern(api, amount):
    # the OpenAPI document says money matches ^\d+(\.\d{1,2})?$; exponent forms are not money
    invalid(post(api, "rmb-capital", {"amount": amount}), "amount", "money")


# --- authentication, documentation --------------------------------------------------------------
@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("token", [None, "not-a-token"], ids=["none", "bad"])
def test_every_rules_endpoint_is_401_without_a_valid_token(db, endpoint, token):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    r = Client().post(
        f"{RULES}/{endpoint}", {"amount": "1"}, content_type="application/json", headers=headers
    )
    assert r.status_code == 401, r.content
    assert r.json()["detail"]


@pytest.mark.parametrize("user", ["hrss1", "wf1", "registrar1", "outsider"])
def test_every_token_holder_may_use_the_law_library(api, user):
    assert ok(post(api, "rmb-capital", {"amount": "1680.32"}, user=user))["text"]
    assert ok(post(api, "deadline", {"kind": "appeal_judgment", "start": "2026-02-05"}, user=user))


def test_openapi_documents_every_rules_endpoint_with_its_errors(api):
    r = api("civil1").get("/api/v1/openapi.json")
    assert r.status_code == 200
    paths = r.json()["paths"]
    for endpoint in ENDPOINTS:
        operation = paths[f"{RULES}/{endpoint}"]["post"]
        assert {"200", "401", "422"} <= set(operation["responses"]), endpoint
