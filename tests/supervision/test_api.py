"""Procuratorial suggestions in the partner API: 201/200, 422 at the field, 403, 404, 409."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone, translation

from tests.supervision.conftest import DRAFT, approve, draft, open_case, served
from zhichi.common.errors import StaleVersion
from zhichi.supervision import services
from zhichi.supervision.models import Suggestion

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

EN = {"Accept-Language": "en"}


def test_post_suggestion_is_201_with_a_provisional_reply_due(users, api):
    case = open_case(users)
    planned = timezone.localdate() + timedelta(days=3)

    r = api("civil1").post(
        f"/api/v1/cases/{case.pk}/suggestions",
        {
            "to_org_name": DRAFT["to_org_name"],
            "issue": DRAFT["issue"],
            "recommendations": DRAFT["recommendations"],
            "served_on": planned.isoformat(),
        },
    )

    assert r.status_code == 201, r.content
    body = r.json()
    s = Suggestion.objects.get()
    assert body["id"] == s.pk
    assert (body["case_id"], body["case_number"], body["status"], body["number"]) == (
        case.pk,
        case.number,
        "pending",
        None,
    )
    expected = services.statutory_reply_due(planned)
    assert body["reply_due"] == expected.due.isoformat()
    assert (body["reply_due_provisional"], body["reply_rule"], body["calendar_complete"]) == (
        True,
        "TL-9",
        expected.calendar_complete,
    )
    assert (body["approval_id"], body["approval_status"]) == (s.approval_id, "pending")
    assert (body["overdue"], body["escalations"], body["version"]) == (False, [], 1)


def test_post_suggestion_without_a_planned_service_has_no_reply_due(users, api):
    case = open_case(users)

    body = api("civil1").post(f"/api/v1/cases/{case.pk}/suggestions", DRAFT).json()

    assert (body["reply_due"], body["reply_due_provisional"]) == (None, False)


def test_post_suggestion_with_an_empty_recommendation_is_422_at_the_field(users, api):
    case = open_case(users)

    r = api("civil1").post(
        f"/api/v1/cases/{case.pk}/suggestions", {**DRAFT, "recommendations": ""}, headers=EN
    )

    assert r.status_code == 422
    assert r.json()["errors"] == [
        {"field": "recommendations", "code": "required", "message": "This field is required."}
    ]
    assert Suggestion.objects.count() == 0


def test_post_suggestion_missing_a_field_is_422(users, api):
    case = open_case(users)

    r = api("civil1").post(f"/api/v1/cases/{case.pk}/suggestions", {"to_org_name": "某局"})

    assert r.status_code == 422
    assert {e["field"] for e in r.json()["errors"]} == {"issue", "recommendations"}


@pytest.mark.parametrize("username", ["hrss1", "outsider"])
def test_suggestions_of_a_case_are_404_outside_the_procuratorates_staff(users, api, username):
    case = open_case(users, consent=True)  # hrss1 referred it with consent: it sees the case
    draft(users, case)
    assert api("hrss1").get(f"/api/v1/cases/{case.pk}").status_code == 200

    listed = api(username).get(f"/api/v1/cases/{case.pk}/suggestions")
    posted = api(username).post(f"/api/v1/cases/{case.pk}/suggestions", DRAFT)
    missing = api(username).get("/api/v1/cases/999999/suggestions")

    assert (listed.status_code, posted.status_code) == (404, 404)
    assert listed.json() == missing.json()
    assert Suggestion.objects.count() == 1


def test_a_colleague_who_does_not_work_on_the_case_gets_403(users, api):
    case = open_case(users)

    r = api("civil2").post(f"/api/v1/cases/{case.pk}/suggestions", DRAFT)

    assert r.status_code == 403
    assert Suggestion.objects.count() == 0


def test_a_heads_own_draft_is_decided_by_the_chief_never_by_the_head_item5(users, api):
    case = open_case(users)
    body = api("civilhead").post(f"/api/v1/cases/{case.pk}/suggestions", DRAFT).json()
    approval = body["approval_id"]

    refused = api("civilhead").post(
        f"/api/v1/approvals/{approval}/approve", {"reason": "同意"}, headers=EN
    )

    assert refused.status_code == 403
    assert "you proposed this" in refused.json()["detail"].lower()
    assert api("civilhead").get("/api/v1/approvals").json() == []
    assert [x["id"] for x in api("chief").get("/api/v1/approvals").json()] == [approval]
    done = api("chief").post(f"/api/v1/approvals/{approval}/approve", {"reason": "同意"})
    assert (done.status_code, done.json()["decided_by"]) == (200, "chief")
    s = Suggestion.objects.get()
    assert (s.status, s.approved_by.username, s.drafted_by.username) == (
        "approved",
        "chief",
        "civilhead",
    )


def test_the_whole_life_through_the_api(users, api):
    case = open_case(users)
    s_id = api("civil1").post(f"/api/v1/cases/{case.pk}/suggestions", DRAFT).json()["id"]
    approval = Suggestion.objects.get(pk=s_id).approval_id

    assert api("civilhead").post(f"/api/v1/approvals/{approval}/approve").status_code == 403
    assert api("civil1").post(f"/api/v1/approvals/{approval}/approve").status_code == 403
    assert api("chief").post(f"/api/v1/approvals/{approval}/approve").status_code == 200

    body = api("civil1").get(f"/api/v1/suggestions/{s_id}").json()
    year = timezone.localdate().year
    assert (body["status"], body["number"], body["approval_status"]) == (
        "approved",
        f"五华检民建〔{year}〕1号",
        "approved",
    )
    today = timezone.localdate()
    r = api("civil1").post(
        f"/api/v1/suggestions/{s_id}/serve",
        {"served_on": today.isoformat(), "method": "post", "version": body["version"]},
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert (body["status"], body["served_on"], body["received_on"], body["method"]) == (
        "served",
        today.isoformat(),
        today.isoformat(),
        "post",
    )
    assert body["reply_due"] == services.statutory_reply_due(today).due.isoformat()
    assert body["reply_due_provisional"] is False
    deadlines = api("civil1").get(f"/api/v1/cases/{case.pk}").json()["deadlines"]
    assert {
        "kind": "suggestion_reply",
        "due": body["reply_due"],
        "status": "pending",
        "rule": "TL-9",
    }.items() <= next(d for d in deadlines if d["kind"] == "suggestion_reply").items()

    r = api("civil1").post(
        f"/api/v1/suggestions/{s_id}/reply",
        {"replied_on": today.isoformat(), "text": "已整改", "adoption": "partly_adopted"},
    )
    assert (r.status_code, r.json()["adoption"], r.json()["reply_text"]) == (
        200,
        "partly_adopted",
        "已整改",
    )
    r = api("civilhead").post(f"/api/v1/suggestions/{s_id}/close", {"note": "归档"})
    assert (r.status_code, r.json()["status"], r.json()["close_note"]) == (200, "closed", "归档")


def test_a_stale_version_is_409(users, api):
    s = approve(users, draft(users, open_case(users)))

    r = api("civil1").post(
        f"/api/v1/suggestions/{s.pk}/serve",
        {"served_on": timezone.localdate().isoformat(), "method": "post", "version": 1},
    )

    assert (r.status_code, r.json()["current_version"]) == (409, s.version)


def test_a_longer_custom_reply_date_is_422_at_the_field(users, api):
    s = approve(users, draft(users, open_case(users)))
    today = timezone.localdate()
    longer = services.statutory_reply_due(today).due + timedelta(days=1)

    r = api("civil1").post(
        f"/api/v1/suggestions/{s.pk}/serve",
        {"served_on": today.isoformat(), "method": "post", "reply_due_on": longer.isoformat()},
    )

    assert r.status_code == 422
    assert [e["field"] for e in r.json()["errors"]] == ["reply_due_on"]
    assert Suggestion.objects.get(pk=s.pk).status == "approved"


def test_escalate_and_withdraw_through_the_api(users, api):
    case = open_case(users)
    overdue = served(users, case, date(2026, 7, 31))
    approved = approve(users, draft(users, case))

    r = api("chief").post(
        f"/api/v1/suggestions/{overdue.pk}/escalate",
        {"escalated_on": "2026-10-09", "to": "superior_procuratorate", "reason": "逾期未回复"},
    )
    w = api("civil1").post(f"/api/v1/suggestions/{approved.pk}/withdraw", {"reason": "已自行整改"})

    assert r.status_code == 200, r.content
    assert r.json()["escalations"] == [
        {
            "escalated_on": "2026-10-09",
            "to": "superior_procuratorate",
            "reason": "逾期未回复",
            "by": "chief",
        }
    ]
    assert (r.json()["status"], r.json()["overdue"]) == ("escalated", True)
    assert (w.status_code, w.json()["status"], w.json()["withdraw_reason"]) == (
        200,
        "withdrawn",
        "已自行整改",
    )


def test_revise_through_the_api(users, api):
    s = draft(users, open_case(users))
    api("chief").post(f"/api/v1/approvals/{s.approval_id}/reject", {"reason": "请补充法律依据"})

    r = api("civil1").post(
        f"/api/v1/suggestions/{s.pk}/revise", {**DRAFT, "legal_basis": "《保障农民工工资支付条例》"}
    )

    assert r.status_code == 200, r.content
    body = r.json()
    assert (body["status"], body["legal_basis"], body["approval_status"]) == (
        "pending",
        "《保障农民工工资支付条例》",
        "pending",
    )
    assert body["approval_id"] != s.approval_id


def test_register_filters_by_status_overdue_and_search(users, api):
    case = open_case(users)
    late = served(users, case, date(2026, 7, 31))
    pending = draft(users, case, to_org_name="五华区住房和城乡建设局")
    other = open_case(users, seq="22")
    fresh = served(users, other, timezone.localdate())

    def ids(params):
        r = api("civil2").get("/api/v1/suggestions", params)
        assert r.status_code == 200, r.content
        return [i["id"] for i in r.json()["items"]]

    assert ids({}) == [fresh.pk, pending.pk, late.pk]
    assert ids({"status": "pending"}) == [pending.pk]
    assert ids({"overdue": "true"}) == [late.pk]
    assert ids({"overdue": "false"}) == [fresh.pk, pending.pk]
    assert ids({"q": "住房"}) == [pending.pk]
    assert ids({"q": late.number}) == [late.pk]
    assert ids({"q": other.number}) == [fresh.pk]
    assert api("civil2").get("/api/v1/suggestions", {"status": "nope"}).status_code == 422


def test_register_pages_with_a_cursor(users, api):
    case = open_case(users)
    made = [draft(users, case).pk for _ in range(3)]

    first = api("chief").get("/api/v1/suggestions", {"limit": 2}).json()
    second = (
        api("chief").get("/api/v1/suggestions", {"limit": 2, "cursor": first["next_cursor"]}).json()
    )

    assert [i["id"] for i in first["items"] + second["items"]] == made[::-1]
    assert second["next_cursor"] is None


@pytest.mark.parametrize("username", ["hrss1", "outsider"])
def test_register_is_empty_and_a_suggestion_404_outside_the_procuratorates_staff(
    users, api, username
):
    s = draft(users, open_case(users, consent=True))

    assert api(username).get("/api/v1/suggestions").json() == {"items": [], "next_cursor": None}
    hidden = api(username).get(f"/api/v1/suggestions/{s.pk}")
    missing = api(username).get("/api/v1/suggestions/999999")
    assert (hidden.status_code, hidden.json()) == (missing.status_code, missing.json())
    assert hidden.status_code == 404


def test_a_stale_version_names_the_suggestion_not_a_case(users, api):
    s = approve(users, draft(users, open_case(users)))

    r = api("civil1").post(
        f"/api/v1/suggestions/{s.pk}/serve",
        {"served_on": timezone.localdate().isoformat(), "method": "post", "version": 1},
    )

    assert r.status_code == 409
    with translation.override(r.headers.get("Content-Language", "zh-hans")):
        assert r.json()["detail"] == StaleVersion(0, record="suggestion").message
        assert r.json()["detail"] != StaleVersion(0, record="case").message
