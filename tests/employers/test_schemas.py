"""The joint action's input and the employer's credit code are declared once (issue 14 item 1):
``employers.schemas`` refuses a bad value at its field with the project's code, and the service
given the same values as a dict (a page's form, a caller) refuses them the same way, before any
case is looked up or anything saved."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from django.utils.translation import gettext as _
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.employers.conftest import EMPLOYER
from tests.refusals import refusal, refused
from zhichi.common.errors import InvalidInput
from zhichi.common.inputs import parse
from zhichi.employers import services
from zhichi.employers.models import JointAction
from zhichi.employers.profile import normalised_code, search_employers
from zhichi.employers.schemas import CreditCodeIn, JointActionIn, valid_credit_code

TODAY = timezone.localdate()
GOOD = {
    "on": TODAY.isoformat(),
    "employer": EMPLOYER,
    "organisations": ["WHHRSS"],
    "case_ids": [],
    "result": "联合约谈",
}
PART = {"case_id": 1, "claimant_party_id": 2, "amount": "100.00"}


def test_a_good_joint_action_is_read_with_real_types():
    action = parse(
        JointActionIn,
        {
            **GOOD,
            "employer": " " + EMPLOYER.lower() + " ",
            "result": "  联合约谈  ",
            "case_ids": [3, "4"],
            "amount_paid_on_site": "1,000",
            "payments": [{**PART, "amount": "1000"}],
        },
    )
    assert (action.on, action.employer, action.result, action.case_ids) == (
        TODAY,
        EMPLOYER,
        "联合约谈",
        [3, 4],
    )
    assert action.amount_paid_on_site == Decimal("1000.00")
    assert action.payments[0].amount == Decimal("1000.00")
    assert parse(JointActionIn, action) is action  # the API's parsed body is taken as it is
    blank = parse(JointActionIn, {**GOOD, "amount_paid_on_site": "", "legal_basis": None})
    assert (blank.amount_paid_on_site, blank.legal_basis, blank.payments) == (None, None, None)


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({"on": ""}, {"on": "required"}),
        ({"on": "2026/01/01"}, {"on": "date"}),
        ({"on": "1899-12-31"}, {"on": "date_range"}),
        ({"on": (TODAY + timedelta(days=1)).isoformat()}, {"on": "future"}),
        ({"employer": ""}, {"employer": "required"}),
        ({"employer": {"code": EMPLOYER}}, {"employer": "type"}),
        ({"employer": EMPLOYER[:-1] + "0"}, {"employer": "checksum"}),
        ({"result": " "}, {"result": "required"}),
        ({"result": 7}, {"result": "type"}),
        ({"amount_paid_on_site": "1e3"}, {"amount_paid_on_site": "money"}),
        ({"amount_paid_on_site": 1.5}, {"amount_paid_on_site": "money"}),
        ({"amount_paid_on_site": "-1"}, {"amount_paid_on_site": "negative"}),
        ({"amount_paid_on_site": "1.001"}, {"amount_paid_on_site": "precision"}),
        (
            {"organisations": ["WHHRSS", " ", 7]},
            {"organisations.1": "type", "organisations.2": "type"},
        ),
        ({"organisations": ["X"] * 51}, {"organisations": "too_many"}),
        (
            {"case_ids": [1, "x", True, 1]},
            {"case_ids.1": "type", "case_ids.2": "type", "case_ids.3": "duplicate"},
        ),
        ({"case_ids": list(range(1, 202))}, {"case_ids": "too_many"}),
        ({"payments": ["x"]}, {"payments.0": "model_type"}),
        ({"payments": [{**PART, "amount": ""}]}, {"payments.0.amount": "required"}),
        ({"payments": [{**PART, "amount": "0"}]}, {"payments.0.amount": "positive"}),
        ({"payments": [{**PART, "case_id": [1]}]}, {"payments.0.case_id": "integer"}),
        ({"payments": [PART]}, {"payments": "sum"}),
        ({"legal_basis": "x" * 2001}, {"legal_basis": "max_length"}),
    ],
)
def test_joint_action_in_refuses_bad_values_at_the_field(data, errors):
    assert refused(JointActionIn, {**GOOD, **data}) == errors


def test_the_required_words_are_the_ones_the_pages_have_always_shown():
    with pytest.raises(InvalidInput) as exc:
        parse(JointActionIn, {**GOOD, "on": "", "payments": [{**PART, "amount": None}]})
    messages = {e.field: e.message for e in exc.value.errors}
    assert messages == {"on": _("Enter a date."), "payments.0.amount": _("Enter an amount.")}


@settings(max_examples=30, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet="联合约谈结果ab", min_size=10001, max_size=10050))
def test_any_result_longer_than_10000_characters_is_refused(result):
    assert refused(JointActionIn, {**GOOD, "result": result}) == {"result": "max_length"}


@settings(max_examples=30)
@given(st.integers(min_value=1, max_value=3650))
def test_any_day_after_today_is_refused(days):
    on = (TODAY + timedelta(days=days)).isoformat()
    assert refused(JointActionIn, {**GOOD, "on": on}) == {"on": "future"}


@settings(max_examples=30)
@given(st.lists(st.integers(min_value=1, max_value=10**6), min_size=1, max_size=20))
def test_a_repeated_case_is_refused_at_its_second_place(ids):
    listed = [*ids, ids[0]]
    first = {v: i for i, v in reversed(list(enumerate(listed)))}
    expected = {f"case_ids.{i}": "duplicate" for i, v in enumerate(listed) if first[v] != i}
    assert refused(JointActionIn, {**GOOD, "case_ids": listed}) == expected


# --- the credit code ----------------------------------------------------------------------------
def test_the_credit_code_is_normalised_or_refused_at_credit_code():
    assert parse(CreditCodeIn, {"credit_code": EMPLOYER.lower()}).credit_code == EMPLOYER
    assert refused(CreditCodeIn, {"credit_code": ""}) == {"credit_code": "required"}
    assert refused(CreditCodeIn, {"credit_code": EMPLOYER[:-1] + "0"}) == {
        "credit_code": "checksum"
    }
    assert refusal(lambda: normalised_code(EMPLOYER[:-1] + "0")) == {"credit_code": "checksum"}
    assert normalised_code(EMPLOYER) == EMPLOYER
    assert (valid_credit_code(EMPLOYER), valid_credit_code("某建筑公司"), valid_credit_code(7)) == (
        EMPLOYER,
        "",
        "",
    )


# --- the service reads a dict through the same schema -------------------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({"on": (TODAY + timedelta(days=1)).isoformat()}, {"on": "future"}),
        ({"employer": EMPLOYER[:-1] + "0"}, {"employer": "checksum"}),
        ({"result": "x" * 10001}, {"result": "max_length"}),
        ({"amount_paid_on_site": "1e3"}, {"amount_paid_on_site": "money"}),
        ({"organisations": [7]}, {"organisations.0": "type"}),
        ({"case_ids": [10**30, "x"]}, {"case_ids.1": "type"}),
        ({"payments": [{**PART, "amount": "-1"}]}, {"payments.0.amount": "negative"}),
        ({"payments": [PART]}, {"payments": "sum"}),
    ],
)
def test_record_joint_action_refuses_a_dict_as_the_schema_does(users, data, errors):
    with pytest.raises(InvalidInput) as exc:
        services.record_joint_action(actor=users["civil1"], data={**GOOD, **data})
    assert (
        {e.field: e.code for e in exc.value.errors}
        == errors
        == refused(JointActionIn, {**GOOD, **data})
    )
    assert exc.value.detail == _("The joint action has errors; nothing was saved.")
    assert JointAction.objects.count() == 0


@pytest.mark.django_db
def test_the_profile_and_the_search_read_the_code_alike(users):
    assert refusal(lambda: normalised_code("")) == {"credit_code": "required"}
    assert search_employers(users["civil1"], EMPLOYER[:-1] + "0") == []


@pytest.mark.django_db
def test_the_api_list_refuses_a_day_before_1900_at_the_field(users, api):
    r = api("civil1").get("/api/v1/joint-actions", {"from": "1899-12-31"})
    assert r.status_code == 422, r.content
    assert [(e["field"], e["code"]) for e in r.json()["errors"]] == [("from", "date_range")]
