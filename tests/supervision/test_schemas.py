"""A suggestion's steps are declared once (issue 14 item 1): ``supervision.schemas`` refuses a
bad value at its field with the project's code (the rules between the dates of one step too),
and the services given the same values as a dict (a page's form, a caller) refuse them the same
way, before anything is saved."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.refusals import refused
from tests.supervision.conftest import DRAFT, approve, draft, open_case
from zhichi.common.errors import InvalidInput
from zhichi.common.inputs import parse
from zhichi.supervision import services
from zhichi.supervision.models import Suggestion, SuggestionStatus
from zhichi.supervision.schemas import (
    EscalateIn,
    ReplyIn,
    ServeIn,
    SuggestionCloseIn,
    SuggestionIn,
    SuggestionWithdrawIn,
)


def day(n: int = 0) -> str:
    return (timezone.localdate() + timedelta(days=n)).isoformat()


@pytest.mark.parametrize(
    ("schema", "data", "errors"),
    [
        (SuggestionIn, {**DRAFT, "to_org_name": ""}, {"to_org_name": "required"}),
        (SuggestionIn, {**DRAFT, "issue": "  "}, {"issue": "required"}),
        (SuggestionIn, {**DRAFT, "issue": "x" * 8001}, {"issue": "max_length"}),
        (SuggestionIn, {**DRAFT, "served_on": day(-1)}, {"served_on": "past"}),
        (SuggestionIn, {**DRAFT, "served_on": "2026-02-30"}, {"served_on": "date"}),
        (ServeIn, {"method": "direct"}, {"served_on": "missing"}),
        (ServeIn, {"served_on": day(1), "method": "direct"}, {"served_on": "future"}),
        (ServeIn, {"served_on": "1899-12-31", "method": "direct"}, {"served_on": "date_range"}),
        (ServeIn, {"served_on": day(), "method": "pigeon"}, {"method": "choice"}),
        (
            ServeIn,
            {"served_on": day(), "received_on": day(-1), "method": "direct"},
            {"received_on": "before_service"},
        ),
        (
            ServeIn,
            {
                "served_on": day(-3),
                "received_on": day(-1),
                "reply_due_on": day(-1),
                "method": "post",
            },
            {"reply_due_on": "too_early"},
        ),
        (
            ServeIn,
            {"served_on": day(), "reply_due_on": day(), "method": "post"},
            {"reply_due_on": "too_early"},
        ),
        (
            ReplyIn,
            {"replied_on": day(1), "text": "x", "adoption": "adopted"},
            {"replied_on": "future"},
        ),
        (
            ReplyIn,
            {"replied_on": day(), "text": "", "adoption": "maybe"},
            {"text": "required", "adoption": "choice"},
        ),
        (EscalateIn, {"escalated_on": day(), "to": "press", "reason": "x"}, {"to": "choice"}),
        (SuggestionCloseIn, {"note": " "}, {"note": "required"}),
        (SuggestionWithdrawIn, {"reason": "x" * 4001}, {"reason": "max_length"}),
    ],
)
def test_the_schemas_refuse_a_bad_value_at_its_field(schema, data, errors):
    assert refused(schema, data) == errors


def test_received_defaults_to_the_day_of_service():
    serve = parse(ServeIn, {"served_on": day(-2), "method": "direct"})
    assert serve.received == serve.served_on


@settings(max_examples=25, deadline=None)
@given(st.text(min_size=4001).filter(lambda t: len(t.strip()) > 4000))
def test_any_close_note_longer_than_4000_characters_is_refused_with_max_length(note):
    assert refused(SuggestionCloseIn, {"note": note}) == {"note": "max_length"}


@pytest.mark.django_db
def test_the_services_refuse_a_dict_the_same_way_and_save_nothing(users):
    case = open_case(users)
    bad_draft = {**DRAFT, "to_org_name": "", "served_on": day(-1)}
    with pytest.raises(InvalidInput) as exc:
        services.draft_suggestion(case_id=case.pk, actor=users["civil1"], data=bad_draft)
    assert {e.field: e.code for e in exc.value.errors} == refused(SuggestionIn, bad_draft)
    assert not Suggestion.objects.exists()

    s = approve(users, draft(users, case))
    bad_serve = {"served_on": day(), "received_on": day(-1), "method": "direct"}
    with pytest.raises(InvalidInput) as exc:
        services.serve_suggestion(suggestion_id=s.pk, actor=users["civil1"], data=bad_serve)
    assert {e.field: e.code for e in exc.value.errors} == {"received_on": "before_service"}
    assert Suggestion.objects.get(pk=s.pk).status == s.status

    with pytest.raises(InvalidInput) as exc:
        services.withdraw_suggestion(suggestion_id=s.pk, actor=users["civil1"], data={"reason": ""})
    assert {e.field: e.code for e in exc.value.errors} == {"reason": "required"}
    assert Suggestion.objects.get(pk=s.pk).status != SuggestionStatus.WITHDRAWN
