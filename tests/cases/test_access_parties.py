"""Rule R2 for correcting a party (issue 13 item 2): every fixture user × the page and the API
route, with the exact status; a refused correction changes nothing. The case came from hrss1's
lead with consent, so hrss1 sees it (403 to act); an ID number change is the head's alone."""

from __future__ import annotations

import pytest

from tests.access import (
    USERS,
    Endpoint,
    anonymous_response,
    bad_body_cells,
    bad_body_expected,
    call_endpoint,
    call_with_bad_body,
    hidden_cells,
    module_world,
)
from tests.conftest import lead_payload, make_id
from zhichi.audit.models import AuditEntry
from zhichi.cases.models import Case, TimelineEvent
from zhichi.intake import services as intake_services
from zhichi.intake.validation import validate_lead
from zhichi.parties.models import Party, PartyContact

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

VIEWERS = frozenset({"civil1", "civil2", "civilhead", "chief", "registrar1", "hrss1"})
WORKERS = frozenset({"civil1", "civilhead"})
HEADS = frozenset({"civilhead"})
NEW_ID = make_id(birth="19770101", seq="515")


def build(users) -> dict:
    payload = lead_payload(
        claimants=[{"name": "李秀英", "id_number": make_id(seq="514"), "phone": "13500001122"}]
    )
    lead = intake_services.create_lead(actor=users["hrss1"], data=validate_lead(payload))
    case = intake_services.accept_lead(lead_id=lead.pk, actor=users["civil1"])
    return {
        "case": case.pk,
        "claimant": case.parties.get(role="claimant").party_id,
        "case_version": Case.objects.get(pk=case.pk).version,
    }


_world, users, world = module_world(build)


PAGE = "/cases/{case}/parties/{claimant}/correct/"
API = "/api/v1/cases/{case}/parties/{claimant}/correct"
NAME = {"name": "王小二", "reason": "核对身份证", "version": "{case_version}"}
IDENTITY = {
    "name": "李秀英",
    "id_number": NEW_ID,
    "reason": "户籍更正",
    "version": "{case_version}",
}

ENDPOINTS = [
    Endpoint("cases:case_party_correct", "page", "post", PAGE, 302, VIEWERS, WORKERS, NAME),
    Endpoint(
        "cases:case_party_correct",
        "page",
        "post",
        PAGE,
        302,
        VIEWERS,
        HEADS,
        IDENTITY,
        label="cases:case_party_correct id_number",
    ),
    Endpoint("api:correct_party", "api", "post", API, 200, VIEWERS, WORKERS, NAME),
    Endpoint(
        "api:correct_party",
        "api",
        "post",
        API,
        200,
        VIEWERS,
        HEADS,
        IDENTITY,
        label="api:correct_party id_number",
    ),
]


def _state() -> tuple:
    return (
        list(Party.objects.order_by("pk").values_list("name", "id_number_index", "phone_index")),
        PartyContact.objects.count(),
        TimelineEvent.objects.filter(kind="party_corrected").count(),
        list(Case.objects.order_by("pk").values_list("version", flat=True)),
        AuditEntry.objects.filter(action="party.correct", outcome="ok").count(),
    )


@pytest.mark.parametrize("user", USERS)
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_r2_party_correction_access(endpoint, user, world, web, api):
    before = _state()

    r = call_endpoint(endpoint, user, world, web, api)

    assert r.status_code == endpoint.expected(user), r.content[:300]
    if r.status_code in (403, 404, 422):
        assert _state() == before  # a refused correction changes nothing


HIDDEN = hidden_cells(ENDPOINTS)


@pytest.mark.parametrize(("endpoint", "user"), HIDDEN)
def test_r2_a_hidden_object_answers_like_one_that_does_not_exist(endpoint, user, world, web, api):
    hidden = call_endpoint(endpoint, user, world, web, api)
    gone = call_endpoint(endpoint, user, world, web, api, ids={"case": 999999, "claimant": 999999})

    assert (hidden.status_code, hidden.json()) == (gone.status_code, gone.json())


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_anonymous_request_redirects_to_login_or_is_401(endpoint, world):
    r = anonymous_response(endpoint, world)

    if endpoint.kind == "page":
        assert r.status_code == 302
        assert r["Location"].startswith("/login/?next=")
    else:
        assert r.status_code == 401


@pytest.mark.parametrize(("endpoint", "user"), bad_body_cells(ENDPOINTS))
def test_who_may_act_is_decided_before_the_body_issue12_item10(endpoint, user, world, api):
    response = call_with_bad_body(endpoint, user, world, api)
    assert response.status_code == bad_body_expected(endpoint, user), response.content
