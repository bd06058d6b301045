"""What every request passes before a view (zhichi/common/request_guard.py, issue 12 items 9 and 10):
our own error pages for 400, 403, 404, 413 and 500 (never Django's debug page); form and query
values with NUL, control characters or lone surrogates refused naming the field; and one audit
row ``access.not_found`` for a 404 on an object route (rule R7: every denial), kept even when
the view's transaction is rolled back."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client

from tests.conftest import lead_payload
from tests.intake.test_views import NEW, WANG, form_data
from zhichi.audit.models import AuditEntry
from zhichi.intake import services as intake_services
from zhichi.intake.models import Lead
from zhichi.intake.validation import validate_lead

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


def probes():
    return list(
        AuditEntry.objects.filter(action="access.not_found").values_list(
            "username", "outcome", "object_id", "detail"
        )
    )


# --- probing: 404 on object routes (R7) ----------------------------------------------------------
def test_page_404_on_an_object_route_is_our_page_and_one_audit_row(web, users):
    response = web("civil1").get("/cases/999999/")

    assert response.status_code == 404
    assert "404.html" in [t.name for t in response.templates]
    assert probes() == [("civil1", "denied", "999999", {"path": "/cases/999999/", "method": "GET"})]


def test_api_404_on_an_object_route_writes_one_audit_row(api, users):
    response = api("hrss1").get("/api/v1/cases/999999/timeline")

    assert response.status_code == 404
    assert probes() == [
        ("hrss1", "denied", "999999", {"path": "/api/v1/cases/999999/timeline", "method": "GET"})
    ]


def test_hidden_object_is_audited_like_a_missing_one(api, users):
    lead = intake_services.create_lead(actor=users["civil1"], data=validate_lead(lead_payload()))

    assert api("outsider").get(f"/api/v1/leads/{lead.pk}").status_code == 404
    assert [(u, o) for u, o, *_ in probes()] == [("outsider", "denied")]


def test_404_without_an_object_route_is_not_audited(web, api, users):
    assert web("civil1").get("/no/such/page/").status_code == 404
    assert api("civil1").get("/api/v1/nothing-here").status_code == 404
    assert probes() == []


def test_the_probe_row_survives_a_rolled_back_request_transaction(api, users, monkeypatch):
    """With ATOMIC_REQUESTS the view's transaction is rolled back on the 404: the row is written
    after it, so it stays."""
    monkeypatch.setitem(connection.settings_dict, "ATOMIC_REQUESTS", True)

    assert api("civil1").get("/api/v1/cases/999999").status_code == 404

    assert len(probes()) == 1


# --- our own error pages -------------------------------------------------------------------------
def test_page_500_is_our_own_page_never_the_debug_page(users, monkeypatch, settings):
    assert settings.DEBUG is False

    def broken(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr("zhichi.accounts.views.paginate", broken)
    client = Client(raise_request_exception=False)
    client.force_login(users["civil1"])

    response = client.get("/notifications/")

    assert response.status_code == 500
    body = response.content.decode()
    assert "secret internals" not in body and "Traceback" not in body
    assert 'class="empty-state' in body


def test_page_403_is_our_own_page(web, users):
    from tests.transfers.conftest import wage_case

    case = wage_case(users, consent=False, seq="91")
    move = {"to": "pre_litigation", "reason": "材料齐全", "version": case.version}
    response = web("civil2").post(f"/cases/{case.pk}/stage/", move)

    assert response.status_code == 403
    assert "403.html" in [t.name for t in response.templates]
    assert response.context["detail"]  # the service's reason, in words for the user


def test_a_form_without_a_valid_csrf_token_gets_our_403_page_saying_why(users):
    client = Client(enforce_csrf_checks=True)
    client.force_login(users["civil1"])

    response = client.post(NEW, form_data([WANG]))

    assert response.status_code == 403
    assert "403.html" in [t.name for t in response.templates]
    assert response.context["detail"]
    assert Lead.objects.count() == 0


# --- bad characters on the pages -------------------------------------------------------------------
@pytest.mark.parametrize("text", ["张\x00三", "张\x0b三", "\x1b[0m"], ids=["nul", "vtab", "escape"])
def test_form_value_with_a_control_character_is_refused_naming_the_field(web, users, text):
    response = web("civil1").post(NEW, form_data([{**WANG, "name": text}]))

    assert response.status_code == 400
    assert "400.html" in [t.name for t in response.templates]
    assert response.context["field"] == "claimants-0-name"
    assert "claimants-0-name" in response.content.decode()  # named on the page
    assert Lead.objects.count() == 0


def test_query_value_with_nul_is_refused_on_a_page(web, users):
    response = web("civil1").get("/leads/", {"q": "abc\x00"})

    assert response.status_code == 400
    assert response.context["field"] == "q"


def test_path_with_nul_finds_nothing(web, users):
    assert web("civil1").get("/employers/%00/").status_code == 404


def test_oversized_form_is_refused_with_our_413_page(web, users, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000

    response = web("civil1").post(NEW, form_data([WANG], summary="长" * 5000))

    assert response.status_code == 413
    assert "413.html" in [t.name for t in response.templates]
    assert Lead.objects.count() == 0


def test_a_good_form_still_goes_through(web, users):
    response = web("civil1").post(NEW, form_data([WANG], summary="第一行\r\n第二行\t完"))

    assert response.status_code == 302
    assert Lead.objects.get().summary == "第一行\r\n第二行\t完"
