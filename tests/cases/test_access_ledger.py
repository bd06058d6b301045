"""Rule R2 for reversing a payment (issue 13 item 1, C6): every fixture user × the page and the
API route, with the exact status; a refused request changes nothing. Only the case's officer
and the head of its department reverse; colleagues who see the case get 403, everyone else 404."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.access import (
    USERS,
    Endpoint,
    anonymous_response,
    bad_body_cells,
    bad_body_expected,
    call_endpoint,
    call_with_bad_body,
    hidden_cells,
)
from tests.cases.ledger_cases import party_ids, pay, three_worker_case
from zhichi.cases.models import Case, PaymentReversal

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

VIEWERS = frozenset({"civil1", "civil2", "civilhead", "chief", "registrar1"})
WORKERS = frozenset({"civil1", "civilhead"})  # the case's officer and the department head


@pytest.fixture
def world(users) -> dict:
    case = three_worker_case(users["civil1"], seq=660)
    payment = pay(case, users["civil1"], party_ids(case)[0], "100.00")
    return {"case": case.pk, "payment": payment.pk}


REASON = {"reason": "录入错误"}
ENDPOINTS = [
    Endpoint(
        "cases:case_payment_reverse",
        "page",
        "post",
        "/cases/{case}/payments/{payment}/reverse/",
        302,
        VIEWERS,
        WORKERS,
        REASON,
    ),
    Endpoint(
        "api:reverse_payment",
        "api",
        "post",
        "/api/v1/payments/{payment}/reverse",
        200,
        VIEWERS,
        WORKERS,
        REASON,
    ),
]


def _state() -> tuple:
    return (
        PaymentReversal.objects.count(),
        sorted(Case.objects.values_list("pk", "version")),
    )


@pytest.mark.parametrize("user", USERS)
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_r2_reversing_a_payment(endpoint, user, world, web, api):
    before = _state()

    r = call_endpoint(endpoint, user, world, web, api)

    assert r.status_code == endpoint.expected(user), r.content[:300]
    if r.status_code in (401, 403, 404):
        assert _state() == before
    else:
        assert PaymentReversal.objects.count() == 1


@pytest.mark.parametrize(("endpoint", "user"), hidden_cells(ENDPOINTS))
def test_r2_a_hidden_payment_answers_like_one_that_does_not_exist(endpoint, user, world, web, api):
    hidden = call_endpoint(endpoint, user, world, web, api)
    gone = call_endpoint(endpoint, user, world, web, api, ids={**world, "payment": 999999})

    assert (hidden.status_code, hidden.json()) == (gone.status_code, gone.json())


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_anonymous_requests_are_refused(endpoint, world):
    r = anonymous_response(endpoint, world)

    if endpoint.kind == "page":
        assert (r.status_code, r["Location"].startswith("/login/?next=")) == (302, True)
    else:
        assert r.status_code == 401
    assert not PaymentReversal.objects.exists()


@pytest.mark.parametrize(("endpoint", "user"), bad_body_cells(ENDPOINTS))
def test_who_may_reverse_is_decided_before_the_body_issue12_item10(endpoint, user, world, api):
    response = call_with_bad_body(endpoint, user, world, api)

    assert response.status_code == bad_body_expected(endpoint, user), response.content
    assert not PaymentReversal.objects.exists()


def test_the_reverse_page_is_post_only(web, world):
    path = "/cases/{case}/payments/{payment}/reverse/".format(**world)

    assert web("civil1").get(path).status_code == 405


def test_openapi_documents_the_reversal_and_its_errors():
    doc = Client().get("/api/v1/openapi.json").json()
    operation = doc["paths"]["/api/v1/payments/{payment_id}/reverse"]["post"]

    assert {"200", "401", "403", "404", "409", "422"} <= set(operation["responses"])
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    assert body["$ref"].endswith("/ReverseIn")
    payment_in = doc["components"]["schemas"]["PaymentIn"]["properties"]
    assert "overpayment_reason" in payment_in
