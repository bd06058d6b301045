"""The API answers JSON for every error (issue 12, item 10): 500 without a stack trace, 413 for
an oversized body, 400 for a body that is not JSON, 415 for one that is not of a JSON type, 404
for an unknown route, 405 for a wrong method; text that no record may hold is refused at its
field (422); the OpenAPI documents these errors."""

from __future__ import annotations

import json
import logging

import pytest

from tests.conftest import lead_payload
from zhichi.audit.models import AuditEntry
from zhichi.intake.models import Lead

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

JSON = "application/json"


def raw_post(api, user, path, body, content_type=JSON, **headers):
    client = api(user)
    return client.client.post(
        path, body, content_type=content_type, headers=client._headers(headers)
    )


def is_json_error(response, status: int) -> bool:
    return (
        response.status_code == status
        and response["Content-Type"].startswith(JSON)
        and isinstance(response.json().get("detail"), str)
    )


def test_unexpected_error_answers_json_500_and_logs_the_traceback(api, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("secret internals: table zhichi_case")

    monkeypatch.setattr("zhichi.intake.api.with_claimant_counts", broken)  # this module's name only

    with caplog.at_level(logging.ERROR, logger="zhichi.api"):
        response = api("civil1").get("/api/v1/leads")

    assert is_json_error(response, 500)
    assert "secret internals" not in response.content.decode()
    assert "Traceback" not in response.content.decode()
    logged = [r for r in caplog.records if r.name == "zhichi.api"]
    assert len(logged) == 1 and logged[0].exc_info[0] is RuntimeError


def test_oversized_body_is_refused_with_413_json_before_it_is_read(api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    payload = lead_payload(summary="长" * 5000)

    response = api("civil1").post("/api/v1/leads", payload)

    assert is_json_error(response, 413)
    assert Lead.objects.count() == 0


def test_body_that_is_not_json_is_400_json(api):
    for body in ('{"source": "walk_in",', "NaN", '{"amount": Infinity}', b"\xff\xfe{}"):
        response = raw_post(api, "civil1", "/api/v1/leads", body)
        assert is_json_error(response, 400), body
    assert Lead.objects.count() == 0


def test_body_that_is_not_an_object_is_422_at_the_body(api, users):
    """ninja would read [] as an object without fields; a transfer step with optional fields
    would then run."""
    for body in ("[]", '"text"', "5", "true"):
        response = raw_post(api, "civil1", "/api/v1/leads", body)
        assert response.status_code == 422, body
        assert [e["field"] for e in response.json()["errors"]] == ["body"]


def test_body_of_another_content_type_is_415_json(api):
    body = json.dumps(lead_payload())
    for content_type in ("text/plain", "application/x-www-form-urlencoded", "application/xml"):
        response = raw_post(api, "civil1", "/api/v1/leads", body, content_type=content_type)
        assert is_json_error(response, 415), content_type
    assert Lead.objects.count() == 0


def test_json_content_types_with_a_charset_or_a_suffix_are_taken(api):
    body = json.dumps(lead_payload())
    for content_type in ("application/json; charset=utf-8", "application/merge-patch+json"):
        response = raw_post(api, "civil1", "/api/v1/leads", body, content_type=content_type)
        assert response.status_code == 201, (content_type, response.content)


def test_unknown_api_route_is_404_json_and_not_audited_as_a_probe(api, client):
    for response in (api("civil1").get("/api/v1/no-such-thing"), client.get("/api/v1/nothing/1")):
        assert is_json_error(response, 404)
    assert not AuditEntry.objects.filter(action="access.not_found").exists()


def test_wrong_method_is_405_json_with_allow(api):
    client = api("civil1")
    response = client.client.put("/api/v1/leads", headers=client._headers(None))

    assert is_json_error(response, 405)
    assert set(response["Allow"].replace(" ", "").split(",")) == {"GET", "POST"}


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("\ud800", "invalid_character"),
        ("a\x00b", "control_character"),
        ("\x1b", "control_character"),
    ],
    ids=["lone-surrogate", "nul", "escape"],
)
def test_bad_characters_in_a_lead_are_refused_at_the_field_issue12_item10(api, text, code):
    """A lone surrogate in the summary raised UnicodeEncodeError; NUL broke PostgreSQL."""
    payload = lead_payload(summary=f"拖欠工资{text}")
    payload["claimants"][0]["name"] = f"张{text}三"

    response = api("civil1").post("/api/v1/leads", payload)

    assert response.status_code == 422
    assert {e["field"]: e["code"] for e in response.json()["errors"]} == {
        "summary": code,
        "claimants.0.name": code,
    }
    assert Lead.objects.count() == 0


def test_bad_characters_in_a_query_parameter_are_refused_at_the_parameter(api):
    response = api("civil1").get("/api/v1/leads", {"status": "new\x00"})

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "status"


def test_a_path_with_a_control_character_finds_nothing(api):
    response = api("civil1").get("/api/v1/employers/%00abc")

    assert is_json_error(response, 404)


def test_an_idempotency_key_with_a_control_character_is_refused(api):
    response = api("civil1").post(
        "/api/v1/leads", lead_payload(), headers={"Idempotency-Key": "key\x01"}
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "Idempotency-Key"
    assert Lead.objects.count() == 0


def test_refusals_before_the_view_still_answer_404_to_who_may_not_see(api, users):
    """A wrong content type or broken JSON on a hidden object: 404 as for any body."""
    from tests.assistance.conftest import record
    from tests.transfers.conftest import wage_case

    case = wage_case(users, consent=False, seq="81")
    application = record(users, case)
    path = f"/api/v1/assistance/{application.pk}/withdraw"

    assert raw_post(api, "outsider", path, "reason=x", content_type="text/plain").status_code == 404
    assert raw_post(api, "outsider", path, "{broken").status_code == 404
    assert raw_post(api, "civil2", path, "{broken").status_code == 403
    assert raw_post(api, "civil1", path, "{broken").status_code == 400
    assert raw_post(api, "civil1", path, "x", content_type="text/plain").status_code == 415


def test_openapi_documents_the_common_errors():
    from zhichi.api import api

    schema = api.get_openapi_schema()
    create = schema["paths"]["/api/v1/leads"]["post"]["responses"]
    listing = schema["paths"]["/api/v1/leads"]["get"]["responses"]
    upload = schema["paths"]["/api/v1/cases/{case_id}/attachments"]["post"]["responses"]

    assert {400, 401, 413, 415, 422, 500} <= set(create)
    assert {401, 422, 500} <= set(listing) and 415 not in listing
    assert "multipart/form-data" in upload[415]["description"]


def test_item10_pydantics_own_refusals_speak_the_readers_language(api, users):
    """A field the schema requires, missing: the message is ours, in Chinese or English."""
    zh = api("civil1").post("/api/v1/rules/deadline", {"kind": "appeal"})
    en = api("civil1").post(
        "/api/v1/rules/deadline", {"kind": "appeal"}, headers={"Accept-Language": "en"}
    )

    assert zh.status_code == en.status_code == 422
    start_zh = next(e for e in zh.json()["errors"] if e["field"] == "start")
    start_en = next(e for e in en.json()["errors"] if e["field"] == "start")
    assert start_en == {"field": "start", "code": "missing", "message": "This field is required."}
    assert start_zh["code"] == "missing" and start_zh["message"] == "这个字段是必填项。"


def _subclasses(cls) -> list[type]:
    found = []
    for sub in cls.__subclasses__():
        found += [sub, *_subclasses(sub)]
    return found


def test_every_api_schema_has_its_own_name_in_the_openapi_document():
    """Two schemas of one name share one component: one operation would show the other's
    fields (the assistance payment's body replaced the case payment's ``PaymentIn``)."""
    from ninja import Schema

    import zhichi.api  # noqa: F401  (imports every router and its schemas)

    names: dict[str, list[str]] = {}
    for cls in _subclasses(Schema):
        if cls.__module__.startswith("zhichi."):
            names.setdefault(cls.__name__, []).append(cls.__module__)
    clashes = {name: modules for name, modules in names.items() if len(set(modules)) > 1}

    assert clashes == {}
