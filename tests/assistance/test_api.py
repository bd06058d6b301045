"""The assistance API (API.md § Judicial assistance): the answer carries ``cap`` and
``decision_due`` (rule JA-6); 422 per field; the chain through /approvals; legal aid."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.assistance.conftest import application_data, opinion_data
from tests.transfers.conftest import send, wage_case
from zhichi.assistance.models import AssistanceApplication
from zhichi.core import calendar as cal_mod
from zhichi.rulebook import loaders
from zhichi.transfers import services as transfer_services

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


def test_post_assistance_answers_cap_and_decision_due_ja6(users, api, acase):
    r = api("civil1").post(f"/api/v1/cases/{acase.pk}/assistance", application_data(acase))

    assert r.status_code == 201, r.content
    body = r.json()
    today = timezone.localdate()
    due = cal_mod.compute("assistance_decision", today, loaders.holiday_calendar())
    assert body["decision_due"] == {
        "due": due.due.isoformat(),
        "rule": "JA-6",
        "calendar_complete": due.calendar_complete,
        "done_on": None,
    }
    assert body["cap"]["cap"] == "338724.00"
    assert body["cap"]["wage_year"] == 2023 and body["cap"]["rule"] == "JA-4"
    assert body["cap"]["complete"] is (today.year - 1 == 2023)
    assert (body["status"], body["requested_amount"], body["above_cap"]) == (
        "received",
        "30000.00",
        False,
    )


def test_post_assistance_422_names_each_field(users, api, acase):
    r = api("civil1").post(
        f"/api/v1/cases/{acase.pk}/assistance",
        {"applicant_party_id": "x", "requested_amount": "abc", "hardship": "", "basis": ""},
    )
    assert r.status_code == 422
    got = {e["field"] for e in r.json()["errors"]}
    assert got == {"applicant_party_id", "requested_amount", "hardship", "basis"}
    assert AssistanceApplication.objects.count() == 0


def test_decision_due_rolls_over_the_national_day_holiday_ja6_tl1(users, api, acase):
    """Received 2026-09-25 (Fri): ten working days, the National Day week (10-01 … 10-08) and the
    weekends excluded, and the make-up working day on Sunday 09-27 counted (2026 notice)."""
    cal = loaders.holiday_calendar()
    if 2026 not in cal.years:
        pytest.skip("the 2026 holiday notice is not loaded")
    acase.opened_on = timezone.localdate().replace(year=2026, month=9, day=1)
    acase.save(update_fields=["opened_on"])
    r = api("civil1").post(
        f"/api/v1/cases/{acase.pk}/assistance",
        application_data(acase, received_on="2026-09-25"),
    )
    assert r.status_code == 201, r.content
    expected = cal_mod.add_working_days(
        timezone.datetime(2026, 9, 25).date(), 10, cal, rule="JA-6"
    ).due
    assert r.json()["decision_due"]["due"] == expected.isoformat()
    # past the holiday week: at least 10 working days and the 8 days of National Day
    assert expected >= timezone.datetime(2026, 10, 9).date()


def test_chain_through_the_approvals_api(users, api, acase):
    a = api("civil1").post(f"/api/v1/cases/{acase.pk}/assistance", application_data(acase)).json()
    r = api("civil1").post(f"/api/v1/assistance/{a['id']}/opinion", opinion_data())
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["status"] == "in_approval"
    assert body["current_step"] == {"step": "review", "role": "head"}

    assert api("chief").post(f"/api/v1/approvals/{body['approval_id']}/approve").status_code == 403
    inbox = api("civilhead").get("/api/v1/approvals").json()
    assert [x["id"] for x in inbox] == [body["approval_id"]]
    assert inbox[0]["payload"]["step"] == "review"
    assert (
        api("civilhead").post(f"/api/v1/approvals/{body['approval_id']}/approve").status_code == 200
    )

    body = api("civil1").get(f"/api/v1/assistance/{a['id']}").json()
    assert body["current_step"] == {"step": "decision", "role": "chief"}
    assert api("chief").post(f"/api/v1/approvals/{body['approval_id']}/approve").status_code == 200
    body = api("civil1").get(f"/api/v1/assistance/{a['id']}").json()
    assert (body["status"], body["granted_amount"]) == ("granted", "20000.00")
    assert body["decision_due"]["done_on"] == timezone.localdate().isoformat()

    today = timezone.localdate().isoformat()
    funds = api("civil1").post(f"/api/v1/assistance/{a['id']}/funds", {"arrived_on": today}).json()
    assert funds["notification_due"]["rule"] == "JA-6"
    assert funds["notification_due"]["due"] > today


def test_a_heads_own_opinion_waits_in_the_chiefs_inbox_and_the_head_gets_403_item5(
    users, api, acase
):
    a = api("civil1").post(f"/api/v1/cases/{acase.pk}/assistance", application_data(acase)).json()
    body = api("civilhead").post(f"/api/v1/assistance/{a['id']}/opinion", opinion_data()).json()
    review = body["approval_id"]

    refused = api("civilhead").post(
        f"/api/v1/approvals/{review}/approve", {"reason": "同意"}, headers={"Accept-Language": "en"}
    )

    assert refused.status_code == 403
    assert "another person must decide" in refused.json()["detail"]
    assert api("civilhead").get("/api/v1/approvals").json() == []
    inbox = api("chief").get("/api/v1/approvals").json()
    assert [(x["id"], x["escalated_from"], x["payload"]["step"]) for x in inbox] == [
        (review, "head", "review")
    ]
    waiting = api("civil1").get(f"/api/v1/assistance/{a['id']}").json()["current_step"]
    assert waiting == {"step": "review", "role": "chief"}  # who really decides, not the chain's
    assert api("chief").post(f"/api/v1/approvals/{review}/approve").status_code == 200
    body = api("civil1").get(f"/api/v1/assistance/{a['id']}").json()
    decision = body["approval_id"]
    assert api("civilhead").post(f"/api/v1/approvals/{decision}/approve").status_code == 403
    assert api("chief").post(f"/api/v1/approvals/{body['approval_id']}/approve").status_code == 200
    body = api("civil1").get(f"/api/v1/assistance/{a['id']}").json()
    assert (body["status"], body["granted_amount"]) == ("granted", "20000.00")


def test_opinion_above_cap_adds_special_step_ja4(users, api, acase):
    a = (
        api("civil1")
        .post(
            f"/api/v1/cases/{acase.pk}/assistance",
            application_data(acase, requested_amount="400000"),
        )
        .json()
    )
    r = api("civil1").post(
        f"/api/v1/assistance/{a['id']}/opinion",
        opinion_data(proposed_amount="350000", court_award_limit="380000"),
    )
    assert r.status_code == 200
    assert [s["step"] for s in r.json()["steps"]] == ["review", "decision", "special"]
    assert r.json()["above_cap"] is True


def test_register_lists_and_filters(users, api, acase):
    api("civil1").post(f"/api/v1/cases/{acase.pk}/assistance", application_data(acase))
    assert len(api("civil1").get("/api/v1/assistance").json()["items"]) == 1
    assert api("civil1").get("/api/v1/assistance", {"status": "paid"}).json()["items"] == []
    assert api("civil1").get("/api/v1/assistance", {"status": "nope"}).status_code == 422
    # another department and the partner see none
    assert api("criminal1").get("/api/v1/assistance").json()["items"] == []
    assert api("hrss1").get("/api/v1/assistance").json()["items"] == []


def test_legal_aid_lawyer_and_outcome_in_the_api(users, api):
    case = wage_case(users, consent=True, seq="65")
    t = send(users, case, to_org="WHLAC", kind="legal_aid")
    today = timezone.localdate()
    # not yet accepted: 422, nothing recorded
    early = api("lac1").post(
        f"/api/v1/transfers/{t.pk}/legal-aid/lawyer",
        {"lawyer_name": "李律师", "law_firm": "某所", "assigned_on": today.isoformat()},
    )
    assert early.status_code == 422
    transfer_services.accept_transfer(transfer_id=t.pk, actor=users["lac1"])
    bad = api("lac1").post(
        f"/api/v1/transfers/{t.pk}/legal-aid/lawyer",
        {
            "lawyer_name": "",
            "law_firm": "某所",
            "lawyer_phone": "123",
            "assigned_on": (today + timedelta(days=1)).isoformat(),
        },
    )
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {
        "lawyer_name",
        "lawyer_phone",
        "assigned_on",
    }
    ok = api("lac1").post(
        f"/api/v1/transfers/{t.pk}/legal-aid/lawyer",
        {
            "lawyer_name": "李律师",
            "law_firm": "某所",
            "lawyer_phone": "13812345678",
            "assigned_on": today.isoformat(),
        },
    )
    assert ok.status_code == 200 and ok.json()["lawyer_name"] == "李律师"
    assert ok.json()["status"] == "answered"
    api("lac1").post(
        f"/api/v1/transfers/{t.pk}/legal-aid/outcome",
        {"outcome": "won", "outcome_on": today.isoformat(), "note": "胜诉"},
    )
    rows = api("civil1").get(f"/api/v1/cases/{case.pk}/legal-aid").json()
    assert [(r["lawyer_name"], r["outcome"]) for r in rows] == [("李律师", "won")]
    assert api("lac1").get(f"/api/v1/cases/{case.pk}/legal-aid").status_code == 404


# --- issue 12, item 10: any JSON where a choice is expected is 422 at the field -----------------
@pytest.mark.parametrize("odd", [{}, [], ["phone"], 3, True], ids=repr)
def test_a_step_with_a_non_text_choice_is_422_at_the_field_issue12_item10(users, api, acase, odd):
    """{"method": {}} on /notice and /payment and {"proposal": {}} on /opinion reached
    ``raw not in valid`` with an unhashable value: TypeError, a 500."""
    from tests.assistance.test_services import granted
    from zhichi.assistance import services

    today = timezone.localdate().isoformat()
    fresh = api("civil1").post(f"/api/v1/cases/{acase.pk}/assistance", application_data(acase))
    opinion = api("civil1").post(
        f"/api/v1/assistance/{fresh.json()['id']}/opinion", opinion_data(proposal=odd)
    )
    a = granted(users, wage_case(users, consent=False, seq="62"))
    services.record_funds(application_id=a.pk, actor=users["civil1"], data={"arrived_on": today})
    notice = api("civil1").post(
        f"/api/v1/assistance/{a.pk}/notice", {"notified_on": today, "method": odd}
    )
    services.record_notice(
        application_id=a.pk, actor=users["civil1"], data={"notified_on": today, "method": "phone"}
    )
    payment = api("civil1").post(
        f"/api/v1/assistance/{a.pk}/payment",
        {"paid_on": today, "amount": "100.00", "method": odd, "reference": "x"},
    )

    for response, field in ((opinion, "proposal"), (notice, "method"), (payment, "method")):
        assert response.status_code == 422, response.content
        assert [e["field"] for e in response.json()["errors"]] == [field]
    assert AssistanceApplication.objects.get(pk=fresh.json()["id"]).status == "received"
    assert AssistanceApplication.objects.get(pk=a.pk).status == "granted"


def test_a_step_with_a_bad_body_is_404_or_403_before_422_issue12_item10(users, api, acase):
    a = api("civil1").post(f"/api/v1/cases/{acase.pk}/assistance", application_data(acase)).json()
    path = f"/api/v1/assistance/{a['id']}/opinion"
    bad = opinion_data(proposal={})

    assert api("outsider").post(path, bad).status_code == 404
    assert api("civil2").post(path, bad).status_code == 403  # sees it, may not act
    assert api("civil2").post(path, {"version": "x"}).status_code == 403
    assert api("civil1").post(path, bad).status_code == 422
