"""The issue inputs are declared once (issue 14 item 1): ``documents.schemas`` refuses a bad
value at its field with the project's code, and the services given the same reason (a page's
form, a caller) refuse it the same way, before anything is numbered or saved."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.documents.conftest import declined_lead
from tests.refusals import refusal, refused
from zhichi.common.inputs import parse
from zhichi.documents import services
from zhichi.documents.models import IssuedDocument
from zhichi.documents.schemas import REASON, IssueIn, LeadIssueIn


def test_the_issue_inputs_are_read_with_real_types():
    issue = parse(IssueIn, {"kind": "visit_record", "subject_id": "7", "reason": "  更正  "})
    assert (issue.kind, issue.subject_id, issue.reason) == ("visit_record", 7, "更正")
    assert parse(IssueIn, issue) is issue  # the API's parsed body is taken as it is
    assert parse(IssueIn, {"kind": "visit_record"}).reason == ""
    assert parse(LeadIssueIn, {}).reason == ""
    assert parse(LeadIssueIn, {"reason": None}).reason == ""
    assert parse(LeadIssueIn, {"reason": " 补正 "}).reason == "补正"


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({"kind": ""}, {"kind": "required"}),
        ({"kind": "nonsense"}, {"kind": "choice"}),
        ({"kind": ["visit_record"]}, {"kind": "choice"}),
        ({"subject_id": "²"}, {"subject_id": "integer"}),
        ({"subject_id": 0}, {"subject_id": "range"}),
        ({"subject_id": True}, {"subject_id": "integer"}),
        ({"reason": {"why": "x"}}, {"reason": "type"}),
        ({"reason": "x" * (REASON + 1)}, {"reason": "max_length"}),
        ({"reason": "更正\x00"}, {"reason": "control_character"}),
    ],
)
def test_issue_in_refuses_bad_values_at_the_field(data, errors):
    assert refused(IssueIn, {"kind": "visit_record", **data}) == errors


@settings(max_examples=30)
@given(st.text(alphabet="补正理由ab ", min_size=REASON + 1, max_size=REASON + 40))
def test_any_reason_longer_than_the_limit_is_refused(reason):
    expected = {"reason": "max_length"} if len(reason.strip()) > REASON else {}
    if expected:
        assert refused(LeadIssueIn, {"reason": reason}) == expected
        assert refused(IssueIn, {"kind": "visit_record", "reason": reason}) == expected
    else:
        assert parse(LeadIssueIn, {"reason": reason}).reason == reason.strip()


@pytest.mark.django_db
def test_the_services_refuse_a_reason_as_the_schema_does(users, full_case):
    lead = declined_lead(users)
    too_long = "理" * (REASON + 1)

    assert (
        refusal(
            lambda: services.issue_lead_document(
                lead_id=lead.pk, actor=users["civil1"], reason=too_long
            )
        )
        == refused(LeadIssueIn, {"reason": too_long})
        == {"reason": "max_length"}
    )
    assert refusal(
        lambda: services.issue_document(
            case_id=full_case.pk,
            kind="acceptance_notice",
            actor=users["civil1"],
            reason=too_long,
        )
    ) == {"reason": "max_length"}
    assert IssuedDocument.objects.count() == 0
