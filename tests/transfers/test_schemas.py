"""The transfer inputs are declared once (issue 14 item 1): ``transfers.schemas`` refuses a bad
value at its field with the project's code, and a service given the same values as a dict (a
page's form, a caller) refuses them the same way, before anything is looked up or saved."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.refusals import refused
from tests.transfers.conftest import wage_case
from zhichi.common.errors import InvalidInput
from zhichi.common.inputs import parse
from zhichi.transfers import services
from zhichi.transfers.models import Transfer
from zhichi.transfers.schemas import FeedbackIn, RejectIn, TransferCloseIn, TransferIn

GOOD = {
    "to_org": "WHPROC",
    "to_department": "criminal",
    "kind": "criminal_lead",
    "reason": "涉嫌拒不支付劳动报酬",
}


def test_a_good_transfer_is_read_with_real_types():
    due = timezone.localdate() + timedelta(days=5)
    t = parse(
        TransferIn,
        {**GOOD, "reason": "  理由  ", "feedback_due_on": due.isoformat(), "evidence": ["7", 8]},
    )
    assert (t.reason, t.feedback_due_on, t.evidence) == ("理由", due, [7, 8])
    assert parse(TransferIn, t) is t  # the API's parsed body is taken as it is


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({"kind": ""}, {"kind": "required"}),
        ({"kind": "nonsense"}, {"kind": "choice"}),
        ({"reason": "   "}, {"reason": "required"}),
        ({"to_org": ""}, {"to_org": "required"}),
        ({"feedback_due_on": "2026/12/01"}, {"feedback_due_on": "date"}),
        ({"feedback_due_on": "2020-01-01"}, {"feedback_due_on": "past"}),
        ({"evidence": "12"}, {"evidence": "type"}),
        ({"evidence": [1, "x", True]}, {"evidence.1": "type", "evidence.2": "type"}),
    ],
)
def test_transfer_in_refuses_bad_values_at_the_field(data, errors):
    assert refused(TransferIn, {**GOOD, **data}) == errors


def test_the_step_inputs_refuse_at_the_field():
    assert refused(RejectIn, {"reason": ""}) == {"reason": "required"}
    assert refused(FeedbackIn, {"text": "已处理", "result": ""}) == {"result": "required"}
    assert refused(FeedbackIn, {"text": "", "result": "nonsense"}) == {
        "text": "required",
        "result": "choice",
    }
    assert refused(TransferCloseIn, {"note": "x" * 4001}) == {"note": "max_length"}
    assert parse(TransferCloseIn, {}).note == ""


@settings(max_examples=30, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet="移送理由ab", min_size=4001, max_size=4050))
def test_any_reason_longer_than_4000_characters_is_refused(reason):
    assert refused(RejectIn, {"reason": reason}) == {"reason": "max_length"}
    assert refused(TransferIn, {**GOOD, "reason": reason}) == {"reason": "max_length"}


@settings(max_examples=30)
@given(st.text(alphabet="ABCDEFGHWP", min_size=33, max_size=60))
def test_any_organisation_code_longer_than_the_column_is_refused(code):
    assert refused(TransferIn, {**GOOD, "to_org": code}) == {"to_org": "max_length"}


@settings(max_examples=20)
@given(st.integers(min_value=-3650, max_value=0))
def test_an_answer_date_not_after_today_is_refused(days):
    due = timezone.localdate() + timedelta(days=days)
    assert refused(TransferIn, {**GOOD, "feedback_due_on": due.isoformat()}) == {
        "feedback_due_on": "past"
    }


# --- the service reads a dict through the same schema -----------------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({"kind": "nonsense"}, {"kind": "choice"}),
        ({"reason": "x" * 4001}, {"reason": "max_length"}),
        ({"evidence": [1, "x"]}, {"evidence.1": "type"}),
        ({"feedback_due_on": "2020-01-01"}, {"feedback_due_on": "past"}),
    ],
)
def test_send_transfer_refuses_a_dict_as_the_schema_does(users, data, errors):
    case = wage_case(users, consent=True, seq="37")
    with pytest.raises(InvalidInput) as exc:
        services.send_transfer(actor=users["civil1"], data={**GOOD, **data}, case_id=case.pk)
    assert (
        {e.field: e.code for e in exc.value.errors}
        == errors
        == refused(TransferIn, {**GOOD, **data})
    )
    assert Transfer.objects.count() == 0
