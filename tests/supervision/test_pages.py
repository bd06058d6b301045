"""The suggestion pages: the register, the draft form, a suggestion with its steps, and the
sections on the case page and the workbench."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.supervision.conftest import DRAFT, approve, draft, open_case, served
from zhichi.cases.services import disposal
from zhichi.supervision import services
from zhichi.supervision.models import Suggestion

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

EN = {"Accept-Language": "en"}


def english(client):
    client.cookies["django_language"] = "en"
    return client


# --- the register -------------------------------------------------------------------------------
def test_register_lists_counts_and_marks_an_overdue_reply_in_red(users, web):
    case = open_case(users)
    late = served(users, case, date(2026, 7, 31))
    draft(users, case)

    r = english(web("civil1")).get("/supervision/suggestions/", headers=EN)

    assert r.status_code == 200
    html = r.content.decode()
    assert r.context["total"] == 2
    assert dict((v, n) for v, _label, n in r.context["counts"])["served"] == 1
    assert r.context["overdue_count"] == 1
    assert f'class="zc-row-overdue" data-suggestion="{late.pk}"' in html
    assert "2026-09-30" in html
    row = next(row for row in r.context["rows"] if row.suggestion.pk == late.pk)
    assert row.due.overdue and row.due.days_left < 0
    assert row.due.text == f"Overdue by {-row.due.days_left} working days"
    assert "2 items" in html


def test_register_filters_stay_in_the_url_and_search_by_case_number(users, web):
    case = open_case(users)
    s = draft(users, case)
    draft(users, open_case(users, seq="22"), to_org_name="五华区住房和城乡建设局")

    r = web("chief").get("/supervision/suggestions/", {"q": case.number, "status": "pending"})

    assert [row.suggestion.pk for row in r.context["rows"]] == [s.pk]
    assert r.context["filters"]["q"].value() == case.number


def test_register_empty_state_says_what_to_do_next(users, web):
    r = english(web("civil1")).get("/supervision/suggestions/", headers=EN)

    assert r.status_code == 200
    assert "No procuratorial suggestion yet." in r.content.decode()
    assert 'class="empty-state"' in r.content.decode()


@pytest.mark.parametrize("username", ["hrss1", "sysadmin", "outsider"])
def test_register_shows_nothing_to_those_outside_the_procuratorates_staff(users, web, username):
    draft(users, open_case(users, consent=True))

    r = web(username).get("/supervision/suggestions/")

    assert (r.status_code, r.context["total"], r.context["rows"]) == (200, 0, [])


def test_register_query_count_does_not_grow_with_rows(users, web):
    case = open_case(users)
    client = web("civil1")
    served(users, case, date(2026, 7, 31))
    client.get("/supervision/suggestions/")  # warm caches (calendar, session)
    with CaptureQueriesContext(connection) as one:
        client.get("/supervision/suggestions/")
    served(users, case, date(2026, 8, 3))
    draft(users, case)
    with CaptureQueriesContext(connection) as three:
        r = client.get("/supervision/suggestions/")

    assert len(r.context["rows"]) == 3
    assert len(three) == len(one)


# --- drafting -------------------------------------------------------------------------------------
def test_draft_form_refuses_an_empty_recommendation_at_the_field_and_keeps_the_text(users, web):
    case = open_case(users)
    client = english(web("civil1"))

    r = client.post(
        f"/supervision/cases/{case.pk}/new/",
        {**DRAFT, "recommendations": "  "},
        headers=EN,
    )

    assert r.status_code == 422
    form = r.context["form"]
    assert form.errors == {"recommendations": ["This field is required."]}
    html = r.content.decode()
    assert DRAFT["issue"] in html  # nothing typed is lost
    assert 'id="id_recommendations_error"' in html
    assert Suggestion.objects.count() == 0


def test_draft_form_submits_and_lands_on_the_suggestion(users, web):
    case = open_case(users)

    r = web("civil1").post(f"/supervision/cases/{case.pk}/new/", DRAFT)

    s = Suggestion.objects.get()
    assert (r.status_code, r["Location"]) == (302, f"/supervision/suggestions/{s.pk}/")
    assert (s.status, s.drafted_by, s.legal_basis) == (
        "pending",
        users["civil1"],
        DRAFT["legal_basis"],
    )


def test_draft_form_is_403_for_a_colleague_and_on_a_closed_case(users, web):
    case = open_case(users)
    assert web("civil2").get(f"/supervision/cases/{case.pk}/new/").status_code == 403
    disposal.close_case(
        case_id=case.pk, actor=users["civil1"], data={"outcome": "withdrawn", "note": "撤回"}
    )

    assert web("civil1").get(f"/supervision/cases/{case.pk}/new/").status_code == 403


# --- a suggestion -----------------------------------------------------------------------------------
def test_detail_shows_the_steps_allowed_now(users, web):
    s = approve(users, draft(users, open_case(users)))

    officer = web("civil1").get(f"/supervision/suggestions/{s.pk}/")
    registrar = web("registrar1").get(f"/supervision/suggestions/{s.pk}/")

    assert officer.status_code == registrar.status_code == 200
    assert sorted(officer.context["forms"]) == ["serve", "withdraw"]
    assert registrar.context["forms"] == {}
    assert 'id="act-serve"' in officer.content.decode()


def test_detail_for_the_chief_points_to_the_approvals_inbox(users, web):
    s = draft(users, open_case(users))

    r = web("chief").get(f"/supervision/suggestions/{s.pk}/")

    assert r.context["may_decide"] is True
    assert f'href="/cases/approvals/#approval-{s.approval_id}"' in r.content.decode()


def test_serve_form_errors_stay_at_the_field_and_nothing_is_lost(users, web):
    s = approve(users, draft(users, open_case(users)))
    today = timezone.localdate()
    longer = services.statutory_reply_due(today).due + timedelta(days=1)

    r = english(web("civil1")).post(
        f"/supervision/suggestions/{s.pk}/serve/",
        {
            "serve-served_on": today.isoformat(),
            "serve-method": "post",
            "serve-reply_due_on": longer.isoformat(),
            "version": s.version,
        },
        headers=EN,
    )

    assert r.status_code == 422
    form = r.context["forms"]["serve"]
    assert list(form.errors) == ["reply_due_on"]
    assert form["served_on"].value() == today.isoformat()
    assert form["method"].value() == "post"
    assert Suggestion.objects.get(pk=s.pk).status == "approved"


def test_serve_shows_the_reply_due_and_a_warning_when_the_calendar_is_incomplete(users, web):
    s = approve(users, draft(users, open_case(users)))
    today = timezone.localdate()
    client = english(web("civil1"))

    r = client.post(
        f"/supervision/suggestions/{s.pk}/serve/",
        {"serve-served_on": today.isoformat(), "serve-method": "direct", "version": s.version},
    )
    page = client.get(f"/supervision/suggestions/{s.pk}/", headers=EN)

    assert (r.status_code, r["Location"]) == (302, f"/supervision/suggestions/{s.pk}/")
    due = services.statutory_reply_due(today)
    html = page.content.decode()
    assert due.due.isoformat() in html
    assert page.context["due"].text.endswith("working days left")
    warning = "The official holiday notice for that year is not loaded"
    assert (warning in html) is (not due.calendar_complete)


def test_reply_and_close_from_the_page(users, web):
    s = served(users, open_case(users), date(2026, 7, 31))
    client = web("civil1")

    r1 = client.post(
        f"/supervision/suggestions/{s.pk}/reply/",
        {"reply-replied_on": "2026-09-15", "reply-adoption": "adopted", "reply-text": "已整改"},
    )
    r2 = client.post(f"/supervision/suggestions/{s.pk}/close/", {"close-note": "归档"})

    assert (r1.status_code, r2.status_code) == (302, 302)
    s.refresh_from_db()
    assert (s.status, s.replied_on, s.close_note) == ("closed", date(2026, 9, 15), "归档")


def test_a_step_already_taken_elsewhere_is_reported_not_shown_as_a_field_error(users, web):
    s = served(users, open_case(users), date(2026, 7, 31))
    client = web("civil1")

    r = client.post(f"/supervision/suggestions/{s.pk}/close/", {"close-note": "归档"})

    assert (r.status_code, r["Location"]) == (302, f"/supervision/suggestions/{s.pk}/")
    assert Suggestion.objects.get(pk=s.pk).status == "served"


@pytest.mark.parametrize("username", ["hrss1", "outsider", "sysadmin"])
def test_detail_and_steps_are_404_outside_the_procuratorates_staff(users, web, username):
    s = approve(users, draft(users, open_case(users, consent=True)))
    client = web(username)

    assert client.get(f"/supervision/suggestions/{s.pk}/").status_code == 404
    assert client.post(f"/supervision/suggestions/{s.pk}/withdraw/", {}).status_code == 404
    assert client.get(f"/supervision/cases/{s.case_id}/new/").status_code == 404


# --- sections on other pages ------------------------------------------------------------------------
def test_case_page_lists_suggestions_and_offers_drafting_to_the_officer(users, web):
    case = open_case(users, consent=True)
    s = served(users, case, date(2026, 7, 31))

    officer = web("civil1").get(f"/cases/{case.pk}/").content.decode()
    colleague = web("civil2").get(f"/cases/{case.pk}/").content.decode()
    partner = web("hrss1").get(f"/cases/{case.pk}/")

    assert f'href="/supervision/suggestions/{s.pk}/"' in officer
    assert f'href="/supervision/cases/{case.pk}/new/"' in officer
    assert f'href="/supervision/suggestions/{s.pk}/"' in colleague
    assert f'href="/supervision/cases/{case.pk}/new/"' not in colleague
    assert partner.status_code == 200
    assert "/supervision/" not in partner.content.decode()
    assert 'id="suggestions"' not in partner.content.decode()


def test_case_page_shows_the_reply_deadline(users, web):
    case = open_case(users)
    s = served(users, case, date(2026, 7, 31))

    r = web("civil1").get(f"/cases/{case.pk}/")

    rows = [row for row in r.context["deadline_rows"] if row.deadline.kind == "suggestion_reply"]
    assert [(row.deadline.due, row.deadline.rule, row.due.overdue) for row in rows] == [
        (date(2026, 9, 30), "TL-9", True)
    ]
    assert s.number in rows[0].deadline.label


def test_workbench_lists_replies_waiting_overdue_first(users, web):
    case = open_case(users)
    fresh = served(users, case, timezone.localdate())
    late = served(users, case, date(2026, 7, 31))
    approve(users, draft(users, case))  # not served: nothing to wait for

    r = web("civil1").get("/")
    section = next(s for s in r.context["extra_sections"] if s["key"] == "suggestions")

    assert [row.suggestion.pk for row in section["ctx"]["rows"]] == [late.pk, fresh.pk]
    assert section["ctx"]["count"] == 2
    mine = [row for row in r.context["my_deadlines"] if row.deadline.kind == "suggestion_reply"]
    assert [row.deadline.key for row in mine][:1] == [f"suggestion:{late.pk}"]


@pytest.mark.parametrize("username", ["civil2", "registrar1", "hrss1", "sysadmin"])
def test_workbench_section_is_left_out_when_nothing_waits_for_the_user(users, web, username):
    served(users, open_case(users), date(2026, 7, 31))

    r = web(username).get("/")

    assert "suggestions" not in [s["key"] for s in r.context.get("extra_sections", [])]


@pytest.mark.parametrize("username", ["civil1", "civilhead", "registrar1"])
def test_approving_in_the_inbox_is_403_for_officer_head_and_registrar(users, web, username):
    s = draft(users, open_case(users))

    r = web(username).post(f"/cases/approvals/{s.approval_id}/approve/", {"reason": ""})

    assert r.status_code == 403
    assert Suggestion.objects.get(pk=s.pk).status == "pending"


def test_a_chief_of_another_procuratorate_does_not_even_see_the_approval(users, other_chief):
    s = draft(users, open_case(users))
    client = Client()
    client.force_login(other_chief)

    r = client.post(f"/cases/approvals/{s.approval_id}/approve/", {"reason": ""})

    assert r.status_code == 404
    assert Suggestion.objects.get(pk=s.pk).status == "pending"


def test_the_chief_approves_in_the_inbox_and_the_suggestion_gets_its_number(users, web):
    s = draft(users, open_case(users))
    inbox = web("chief").get("/cases/approvals/").content.decode()
    assert f'href="/supervision/suggestions/{s.pk}/"' in inbox

    r = web("chief").post(f"/cases/approvals/{s.approval_id}/approve/", {"reason": "同意"})

    s.refresh_from_db()
    assert (r.status_code, s.status) == (302, "approved")
    assert s.number == f"五华检民建〔{timezone.localdate().year}〕1号"
