"""Rule R2 for joint actions and employer profiles: every fixture user × every route of this app,
page and API, with the exact status; a refused request changes nothing."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client
from django.utils import timezone

from tests.access import (
    USERS,
    Endpoint,
    bad_body_cells,
    bad_body_expected,
    call_endpoint,
    call_with_bad_body,
)
from tests.employers.conftest import EMPLOYER, OTHER_EMPLOYER, joint_action, open_case
from zhichi.cases.models import Payment
from zhichi.employers.models import JointAction
from zhichi.employers.rules import can_record_joint_action

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


@dataclass(frozen=True)
class Row(Endpoint):
    """An endpoint row whose refusals are not all 404/403: a procuratorate officer who cannot
    see a listed case gets 422 at that case ("not found"), never a hint that it exists."""

    invalid: frozenset = frozenset()

    def expected(self, user: str) -> int:
        return 422 if user in self.invalid else super().expected(user)


TODAY = timezone.localdate().isoformat()
# civil1's case, shared with WHHRSS by the world's joint action
VIEWERS = frozenset({"civil1", "civil2", "civilhead", "chief", "registrar1", "hrss1"})
RECORDERS = frozenset({"civil1", "civil2", "civilhead", "criminal1", "outsider"})
WORKERS = frozenset({"civil1", "civilhead"})  # the case's officer and the department head
BLIND = frozenset({"criminal1", "outsider"})  # may record joint actions, cannot see the case
NEW = {
    "on": TODAY,
    "employer": "{code}",
    "organisations": ["WHLAC"],
    "case_ids": "{case_ids}",
    "result": "联合约谈，当场支付",
    "amount_paid_on_site": "100.00",
}


@pytest.fixture
def world(users) -> dict:
    case = open_case(users, seq=100, consent_to_share=True)
    action = joint_action(users["civil1"], [case], paid="1000.00")
    return {"case": case.pk, "case_ids": [case.pk], "action": action.pk, "code": EMPLOYER}


ENDPOINTS = [
    # pages
    Endpoint("joint_actions:list", "page", "get", "/joint-actions/", 200),
    Endpoint("joint_actions:detail", "page", "get", "/joint-actions/{action}/", 200, VIEWERS),
    Endpoint("joint_actions:create", "page", "get", "/joint-actions/new/", 200, None, RECORDERS),
    Row(
        "joint_actions:create",
        "page",
        "post",
        "/joint-actions/new/",
        302,
        None,
        WORKERS,
        NEW,
        label="joint_actions:create POST",
        invalid=BLIND,
    ),
    Endpoint("employers:search", "page", "get", "/employers/", 200, data={"q": "建筑"}),
    Endpoint("employers:profile", "page", "get", "/employers/{code}/", 200, VIEWERS),
    # API
    Endpoint("api:list_joint_actions", "api", "get", "/api/v1/joint-actions", 200),
    Endpoint("api:get_joint_action", "api", "get", "/api/v1/joint-actions/{action}", 200, VIEWERS),
    Row(
        "api:record_joint_action",
        "api",
        "post",
        "/api/v1/joint-actions",
        201,
        None,
        WORKERS,
        NEW,
        invalid=BLIND,
    ),
    Endpoint("api:employer_profile", "api", "get", "/api/v1/employers/{code}", 200, VIEWERS),
]


def _state() -> tuple:
    return (JointAction.objects.count(), Payment.objects.count())


@pytest.mark.parametrize("user", USERS)
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_r2_joint_action_and_employer_access(endpoint, user, world, web, api):
    before = _state()

    r = call_endpoint(endpoint, user, world, web, api)

    assert r.status_code == endpoint.expected(user), r.content[:300]
    if r.status_code in (403, 404, 422):
        assert _state() == before  # a refused request changes nothing


HIDDEN = [
    pytest.param(e, u, id=f"{e}-{u}")
    for e in ENDPOINTS
    if e.kind == "api" and e.visible is not None
    for u in USERS
    if e.expected(u) == 404
]


@pytest.mark.parametrize(("endpoint", "user"), HIDDEN)
def test_r2_a_hidden_object_answers_like_one_that_does_not_exist(endpoint, user, world, web, api):
    hidden = call_endpoint(endpoint, user, world, web, api)
    gone = call_endpoint(
        endpoint, user, world, web, api, ids={**world, "action": 999999, "code": OTHER_EMPLOYER}
    )

    assert (hidden.status_code, hidden.json()) == (gone.status_code, gone.json())


@pytest.mark.parametrize("endpoint", [e for e in ENDPOINTS if e.kind == "page"], ids=str)
def test_anonymous_page_request_redirects_to_login(endpoint, world):
    r = getattr(Client(), endpoint.method)(endpoint.path.format(**world), endpoint.data)

    assert r.status_code == 302
    assert r["Location"].startswith("/login/?next=")


@pytest.mark.parametrize("endpoint", [e for e in ENDPOINTS if e.kind == "api"], ids=str)
def test_anonymous_api_request_is_401(endpoint, world):
    path = endpoint.path.format(**world)
    client = Client()
    if endpoint.method == "get":
        r = client.get(path)
    else:
        r = client.post(path, {}, content_type="application/json")

    assert r.status_code == 401


def test_openapi_documents_the_errors_of_joint_actions_and_employers():
    doc = Client().get("/api/v1/openapi.json").json()
    paths = doc["paths"]

    assert {"201", "401", "403", "404", "422"} <= set(
        paths["/api/v1/joint-actions"]["post"]["responses"]
    )
    assert {"200", "401", "422"} <= set(paths["/api/v1/joint-actions"]["get"]["responses"])
    assert {"200", "401", "404"} <= set(
        paths["/api/v1/joint-actions/{joint_action_id}"]["get"]["responses"]
    )
    assert {"200", "401", "404", "422"} <= set(
        paths["/api/v1/employers/{credit_code}"]["get"]["responses"]
    )


@pytest.mark.parametrize(("endpoint", "user"), bad_body_cells(ENDPOINTS))
def test_who_may_act_is_decided_before_the_body_issue12_item10(endpoint, user, users, world, api):
    response = call_with_bad_body(endpoint, user, world, api)
    expected = bad_body_expected(endpoint, user)
    if expected == 403 and can_record_joint_action(users[user]):
        # may organise joint actions, refused only for the cases the valid body lists: a body
        # that lists none cannot say so
        expected = 422
    assert response.status_code == expected, response.content
