"""Case pages: workbench, list with search, the case page, stage moves, unmask; sign-in and out."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.conftest import PASSWORD, make_credit_code, make_id
from zhichi.audit.models import AuditEntry
from zhichi.cases.models import Case

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

EN = {"Accept-Language": "en"}


def open_case(api, body, user="civil1") -> dict:
    client = api(user)
    r = client.post("/api/v1/leads", body)
    assert r.status_code == 201, r.content
    r = client.post(f"/api/v1/leads/{r.json()['id']}/accept")
    assert r.status_code == 200, r.content
    return r.json()


@pytest.fixture
def case(api, payload) -> dict:
    return open_case(api, payload())


# --- the case page -----------------------------------------------------------------------------
def test_case_page_shows_number_masked_ids_money_and_timeline(web, case):
    r = web("civil1").get(f"/cases/{case['case_id']}/", headers=EN)

    assert r.status_code == 200
    html = r.content.decode()
    assert case["case_number"] in html
    assert "530102********1110" in html
    assert "138****1111" in html
    assert make_id(seq="111") not in html
    assert "13800001111" not in html
    assert '<td class="money" data-testid="money-claimed">¥20,000.50</td>' in html
    code = Case.objects.get().lead.receipt_code
    texts = [text for _event, text in r.context["timeline"]]
    # the story starts with the lead's own history (issue 13, item 11)
    assert texts[0].startswith(f"Lead {code} received on ")
    assert texts[1:] == [
        "Duplicate check: no possible duplicate among the leads and cases on record",
        f"Lead {code} accepted by civil1",
        f"Case opened as {case['case_number']} from lead {code}",
    ]
    assert r["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"


def test_id3_unmask_on_the_page_shows_the_full_id_to_the_officer_and_is_audited(web, case):
    r = web("civil1").post(f"/cases/{case['case_id']}/unmask/", headers=EN)

    assert r.status_code == 200
    html = r.content.decode()
    assert make_id(seq="111") in html
    assert "13800001111" in html
    assert "Full identifiers shown; this view was logged." in html
    rows = AuditEntry.objects.filter(action="case.unmask")
    assert [(e.username, e.outcome, e.detail) for e in rows] == [("civil1", "ok", {"via": "page"})]


def test_id3_unmask_on_the_page_is_403_for_the_registrar_and_audited_denied(web, case):
    r = web("registrar1").post(f"/cases/{case['case_id']}/unmask/")

    assert r.status_code == 403
    assert make_id(seq="111") not in r.content.decode()
    rows = AuditEntry.objects.filter(action="case.unmask")
    assert [(e.username, e.outcome) for e in rows] == [("registrar1", "denied")]


def test_unmask_is_post_only(web, case):
    r = web("civil1").get(f"/cases/{case['case_id']}/unmask/")

    assert r.status_code == 405
    assert AuditEntry.objects.filter(action="case.unmask").count() == 0


def test_registrar_sees_the_case_page_without_the_unmask_button(web, case):
    r = web("registrar1").get(f"/cases/{case['case_id']}/")

    assert r.status_code == 200
    assert f'action="/cases/{case["case_id"]}/unmask/"' not in r.content.decode()
    assert r.context["can_unmask"] is False


def test_sp7_stage_move_on_the_page_redirects_and_changes_the_stage(web, case):
    r = web("civil1").post(
        f"/cases/{case['case_id']}/stage/",
        {"to": "pre_litigation", "reason": "先行调解", "version": 1},
    )

    assert r.status_code == 302
    assert r["Location"] == f"/cases/{case['case_id']}/"
    saved = Case.objects.get()
    assert (saved.stage, saved.version) == ("pre_litigation", 2)
    assert [e.kind for e in saved.timeline.all()][-2:] == ["case_opened", "stage_changed"]


def test_stage_move_on_the_page_without_reason_is_422(web, case):
    r = web("civil1").post(
        f"/cases/{case['case_id']}/stage/", {"to": "pre_litigation", "reason": "", "version": 1}
    )

    assert r.status_code == 422
    assert 'id="id_reason_error"' in r.content.decode()
    assert Case.objects.get().stage == "review"


def test_stale_stage_move_on_the_page_redirects_with_a_message_and_changes_nothing(web, case):
    client = web("civil1")
    client.post(
        f"/cases/{case['case_id']}/stage/", {"to": "pre_litigation", "reason": "调解", "version": 1}
    )

    r = client.post(
        f"/cases/{case['case_id']}/stage/", {"to": "litigation", "reason": "起诉", "version": 1}
    )

    assert r.status_code == 302
    assert (Case.objects.get().stage, Case.objects.get().version) == ("pre_litigation", 2)


def test_stage_move_on_the_page_by_a_colleague_is_403(web, case):
    r = web("civil2").post(
        f"/cases/{case['case_id']}/stage/", {"to": "pre_litigation", "reason": "调解", "version": 1}
    )

    assert r.status_code == 403
    assert Case.objects.get().stage == "review"


def test_issue12_item10_a_colleagues_incomplete_stage_form_is_403_not_422(web, case):
    """Permission before the body: a colleague learns nothing from how the form is judged."""
    r = web("civil2").post(f"/cases/{case['case_id']}/stage/", {"to": "", "version": "x"})

    assert r.status_code == 403
    assert Case.objects.get().stage == "review"


# --- the list and search -----------------------------------------------------------------------
def test_case_list_finds_a_case_by_two_characters_of_a_name(web, api, payload):
    wang = open_case(api, payload(claimants=[{"name": "王建国", "id_number": make_id(seq="111")}]))
    zhang = open_case(
        api,
        payload(
            claimants=[{"name": "张三丰", "id_number": make_id(seq="222")}],
            respondents=[
                {
                    "kind": "organisation",
                    "name": "昆明某厂",
                    "credit_code": make_credit_code("91530102MA6K2P3Q1"),
                }
            ],
        ),
    )

    r = web("civil1").get("/cases/", {"q": "王建"})

    assert r.status_code == 200
    assert [c.pk for c in r.context["page_obj"]] == [wang["case_id"]]
    html = r.content.decode()
    assert wang["case_number"] in html
    assert zhang["case_number"] not in html


def test_case_list_shows_only_visible_cases(web, api, payload, case):
    open_case(api, payload(), user="outsider")

    r = web("civil1").get("/cases/")

    assert [c.pk for c in r.context["page_obj"]] == [case["case_id"]]


def test_case_list_mine_filters_by_officer(web, api, payload, case):
    open_case(
        api, payload(claimants=[{"name": "张三", "id_number": make_id(seq="222")}]), user="civil2"
    )

    r = web("civil1").get("/cases/", {"mine": "on"})

    assert [c.pk for c in r.context["page_obj"]] == [case["case_id"]]


def test_workbench_lists_my_open_cases_and_new_leads(web, api, payload, case):
    new = (
        api("civil1")
        .post(
            "/api/v1/leads", payload(claimants=[{"name": "张三", "id_number": make_id(seq="222")}])
        )
        .json()
    )

    r = web("civil1").get("/")

    assert r.status_code == 200
    assert [c.pk for c in r.context["my_cases"]] == [case["case_id"]]
    assert [lead.pk for lead in r.context["my_leads"]] == [new["id"]]


# --- query counts ------------------------------------------------------------------------------
def _cases(api, payload, seqs):
    for seq in seqs:
        open_case(api, payload(claimants=[{"name": "甲乙", "id_number": make_id(seq=seq)}]))


@pytest.mark.parametrize("url", ["/cases/", "/"], ids=["case-list", "workbench"])
def test_page_query_count_is_the_same_for_one_and_three_items(web, api, payload, url):
    client = web("civil1")
    _cases(api, payload, ["701"])
    api("civil1").post(
        "/api/v1/leads", payload(claimants=[{"name": "新", "id_number": make_id(seq="801")}])
    )
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200

    _cases(api, payload, ["702", "703"])
    for seq in ("802", "803"):
        api("civil1").post(
            "/api/v1/leads", payload(claimants=[{"name": "新", "id_number": make_id(seq=seq)}])
        )
    with CaptureQueriesContext(connection) as three:
        r = client.get(url)
    if url == "/":
        assert (len(r.context["my_cases"]), len(r.context["my_leads"])) == (3, 3)
    else:
        assert len(r.context["page_obj"]) == 3
    assert len(three) == len(one)


# --- sign in and out ---------------------------------------------------------------------------
def test_login_page_is_200():
    assert Client().get("/login/").status_code == 200


def test_login_with_real_credentials_signs_in_and_is_audited(users):
    client = Client()

    r = client.post("/login/", {"username": "civil1", "password": PASSWORD})

    assert r.status_code == 302
    assert r["Location"] == "/"
    assert client.session["_auth_user_id"] == str(users["civil1"].pk)
    assert client.get("/").status_code == 200
    rows = AuditEntry.objects.filter(action="auth.login")
    assert [(e.username, e.outcome) for e in rows] == [("civil1", "ok")]


def test_wrong_password_is_refused_and_audited_failed(users):
    client = Client()

    r = client.post("/login/", {"username": "civil1", "password": "wrong-password-1"})

    assert r.status_code == 200
    assert "_auth_user_id" not in client.session
    rows = AuditEntry.objects.filter(action="auth.login")
    assert [(e.username, e.outcome) for e in rows] == [("civil1", "failed")]


def test_r6_five_failed_logins_lock_the_account(users):
    client = Client()
    for _ in range(5):
        client.post("/login/", {"username": "civil1", "password": "wrong-password-1"})
    failed = AuditEntry.objects.filter(action="auth.login", outcome="failed", username="civil1")
    assert failed.count() == 5

    r = client.post("/login/", {"username": "civil1", "password": PASSWORD})

    assert r.status_code == 429
    assert "_auth_user_id" not in client.session
    assert Client().post("/login/", {"username": "civil1", "password": PASSWORD}).status_code == 429
    assert AuditEntry.objects.filter(action="auth.login", outcome="ok").count() == 0


def test_the_lock_is_per_account_not_per_office(users):
    client = Client()
    for _ in range(5):
        client.post("/login/", {"username": "civil1", "password": "wrong-password-1"})

    r = client.post("/login/", {"username": "civil2", "password": PASSWORD})

    assert r.status_code == 302


def test_logout_is_post_only(web, users):
    client = web("civil1")

    r = client.get("/logout/")

    assert r.status_code == 405
    assert client.get("/").status_code == 200


def test_logout_by_post_signs_out_and_is_audited(web, users):
    client = web("civil1")

    r = client.post("/logout/")

    assert r.status_code == 302
    assert r["Location"] == "/login/"
    assert client.get("/").status_code == 302
    assert [e.username for e in AuditEntry.objects.filter(action="auth.logout")] == ["civil1"]


def test_a_disabled_user_loses_the_session(web, users):
    client = web("civil1")
    users["civil1"].is_active = False
    users["civil1"].save(update_fields=["is_active"])

    r = client.get("/")

    assert r.status_code == 302
    assert r["Location"] == "/login/?next=/"
