"""The assistance and legal aid inputs are declared once (issue 14 item 1):
``assistance.schemas`` refuses a bad value at its field with the project's code (the rules
between fields of one input too), and a service given the same values as a dict (a page's form,
a caller) refuses them the same way, before anything is saved."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.assistance.conftest import EXCLUSIONS_NONE, application_data, opinion_data, record
from tests.refusals import refused
from zhichi.assistance import services
from zhichi.assistance.models import AssistanceApplication
from zhichi.assistance.schemas import (
    ApplicationIn,
    AssistancePaymentIn,
    AssistanceWithdrawIn,
    FollowUpIn,
    FundsIn,
    LawyerIn,
    NoticeIn,
    OpinionIn,
    OutcomeIn,
)
from zhichi.common.errors import InvalidInput
from zhichi.common.inputs import parse

APPLICATION = {
    "applicant_party_id": 5,
    "requested_amount": "30000.00",
    "hardship": "欠薪四个月，妻子重病住院",
    "basis": "other",
}
OPINION = {
    "exclusions": dict(EXCLUSIONS_NONE),
    "verification": "走访社区、医院",
    "proposal": "grant",
    "proposed_amount": "20000.00",
    "opinion": "符合救助条件",
}


def test_a_good_application_is_read_with_real_types():
    a = parse(ApplicationIn, {**APPLICATION, "applicant_party_id": "5", "form": ""})
    assert a.applicant_party_id == 5
    assert str(a.requested_amount) == "30000.00"
    assert str(
        parse(ApplicationIn, {**APPLICATION, "requested_amount": 30000}).requested_amount
    ) == ("30000.00")
    assert (a.form, a.received_on, a.hardship_caused_by_case, a.urgent) == (
        "written",
        None,
        True,
        False,
    )
    day = parse(FundsIn, {"arrived_on": "2026-01-05"}).arrived_on
    assert day == date(2026, 1, 5)


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({"applicant_party_id": None}, {"applicant_party_id": "required"}),
        ({"applicant_party_id": "abc"}, {"applicant_party_id": "integer"}),
        ({"applicant_party_id": 0}, {"applicant_party_id": "range"}),
        ({"requested_amount": ""}, {"requested_amount": "required"}),
        ({"requested_amount": "0"}, {"requested_amount": "positive"}),
        ({"requested_amount": "-5"}, {"requested_amount": "negative"}),
        ({"requested_amount": "1.001"}, {"requested_amount": "precision"}),
        ({"requested_amount": "10000000000"}, {"requested_amount": "too_large"}),
        ({"hardship": " "}, {"hardship": "required"}),
        ({"hardship": "x" * 10001}, {"hardship": "max_length"}),
        ({"basis": ""}, {"basis": "required"}),
        ({"basis": "wages"}, {"basis": "choice"}),
        ({"form": "fax"}, {"form": "choice"}),  # a field named like a request section
        ({"received_on": "2026/01/01"}, {"received_on": "date"}),
        ({"received_on": "1899-12-31"}, {"received_on": "date_range"}),
        ({"urgent": "yes"}, {"urgent": "type"}),
        ({"urgent": True}, {"urgent_reason": "required"}),
        ({"hardship_caused_by_case": False}, {"hardship_caused_by_case": "not_caused"}),
        # the rules between fields are reported with the others (as the Collector did)
        (
            {"hardship": "", "urgent": True, "requested_amount": "0"},
            {"hardship": "required", "urgent_reason": "required", "requested_amount": "positive"},
        ),
    ],
)
def test_application_in_refuses_bad_values_at_the_field(data, errors):
    assert refused(ApplicationIn, {**APPLICATION, **data}) == errors


def test_hardship_not_caused_by_the_case_is_fine_under_a_crime_situation():
    ok = parse(
        ApplicationIn, {**APPLICATION, "basis": "crime_injury", "hardship_caused_by_case": False}
    )
    assert ok.hardship_caused_by_case is False


@settings(max_examples=25)
@given(st.integers(min_value=1, max_value=3650))
def test_any_day_after_today_is_refused_as_future(days):
    day = (timezone.localdate() + timedelta(days=days)).isoformat()
    assert refused(ApplicationIn, {**APPLICATION, "received_on": day}) == {"received_on": "future"}
    assert refused(FundsIn, {"arrived_on": day}) == {"arrived_on": "future"}
    assert refused(LawyerIn, {"lawyer_name": "张", "law_firm": "所", "assigned_on": day}) == {
        "assigned_on": "future"
    }


@settings(max_examples=25)
@given(
    st.text(alphabet="张王律师 ab", min_size=101, max_size=140).filter(
        lambda s: len(s.strip()) > 100
    )
)
def test_any_lawyer_name_longer_than_the_column_is_refused(name):
    data = {"lawyer_name": name, "law_firm": "所", "assigned_on": "2026-01-05"}
    assert refused(LawyerIn, data) == {"lawyer_name": "max_length"}


@settings(max_examples=25)
@given(st.decimals(min_value=Decimal("-1000"), max_value=Decimal("0"), places=2))
def test_no_amount_at_or_below_zero_is_paid(amount):
    data = {"paid_on": "2026-01-05", "amount": str(amount), "method": "cash"}
    assert refused(AssistancePaymentIn, data) == {
        "amount": "positive" if amount == 0 else "negative"
    }


def test_each_exclusion_must_be_answered_and_no_other():
    got = refused(OpinionIn, {**OPINION, "exclusions": {"serious_fault": False, "bogus": True}})
    assert got["exclusions.bogus"] == "unknown"
    assert got["exclusions.already_compensated"] == "required"
    assert "exclusions.serious_fault" not in got
    assert refused(OpinionIn, {**OPINION, "exclusions": "none"}) == {"exclusions": "required"}


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({"proposed_amount": None}, {"proposed_amount": "required"}),
        ({"proposed_amount": "0"}, {"proposed_amount": "positive"}),
        ({"proposal": "maybe"}, {"proposal": "choice"}),
        ({"verification": "", "opinion": ""}, {"verification": "required", "opinion": "required"}),
        ({"court_award_limit": "abc"}, {"court_award_limit": "money"}),
    ],
)
def test_opinion_in_refuses_bad_values_at_the_field(data, errors):
    assert refused(OpinionIn, {**OPINION, **data}) == errors


def test_a_refusal_needs_no_amount():
    assert parse(OpinionIn, {**OPINION, "proposal": "refuse", "proposed_amount": ""}).proposal


def test_the_later_steps_refuse_at_the_field():
    assert refused(FundsIn, {"arrived_on": ""}) == {"arrived_on": "required"}
    assert refused(NoticeIn, {"notified_on": "2026-01-05", "method": ""}) == {"method": "required"}
    assert refused(
        AssistancePaymentIn, {"paid_on": "2026-01-05", "amount": "1", "method": "bank_transfer"}
    ) == {"reference": "required"}
    assert refused(FollowUpIn, {"on": "x", "note": ""}) == {"on": "date", "note": "required"}
    assert refused(AssistanceWithdrawIn, {"reason": "   "}) == {"reason": "required"}
    assert refused(
        LawyerIn, {"lawyer_name": "", "law_firm": "所", "lawyer_phone": "12", "assigned_on": ""}
    ) == {"lawyer_name": "required", "lawyer_phone": "invalid", "assigned_on": "required"}
    assert refused(OutcomeIn, {"outcome": "nonsense", "outcome_on": "2026-01-05"}) == {
        "outcome": "choice"
    }


def test_a_lawyers_phone_is_kept_in_its_normal_form():
    lawyer = parse(
        LawyerIn,
        {
            "lawyer_name": "张律师",
            "law_firm": "某律师事务所",
            "lawyer_phone": "138 0013 8000",
            "assigned_on": "2026-01-05",
        },
    )
    assert lawyer.lawyer_phone == "13800138000"


# --- the services read a dict through the same schemas -----------------------------------------
@pytest.mark.django_db
@pytest.mark.integration
def test_record_application_refuses_a_dict_as_the_schema_does(users, acase):
    data = application_data(acase, requested_amount="0", hardship="", urgent=True)
    with pytest.raises(InvalidInput) as exc:
        services.record_application(case_id=acase.pk, actor=users["civil1"], data=data)
    got = {e.field: e.code for e in exc.value.errors}
    assert (
        got
        == refused(ApplicationIn, data)
        == {
            "requested_amount": "positive",
            "hardship": "required",
            "urgent_reason": "required",
        }
    )
    assert AssistanceApplication.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.integration
def test_submit_opinion_refuses_a_dict_as_the_schema_does(users, acase):
    a = record(users, acase)
    data = opinion_data(proposed_amount="", exclusions={"bogus": True})
    with pytest.raises(InvalidInput) as exc:
        services.submit_opinion(application_id=a.pk, actor=users["civil1"], data=data)
    assert {e.field: e.code for e in exc.value.errors} == refused(OpinionIn, data)
    a.refresh_from_db()
    assert a.approval_id is None
