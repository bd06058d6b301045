"""Rule R2 for documents: every fixture user × every route, page and API; a refused request
changes nothing. Documents stay inside the case's procuratorate (partners: 404)."""

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
from tests.documents.conftest import build_full_case, declined_lead
from zhichi.documents import casefile, render, services
from zhichi.documents.models import (
    CaseFileExport,
    DocumentTemplate,
    IssuedDocument,
    NumberPattern,
)

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

# the case's department, the procuratorate-wide roles, and the criminal department that received
# a transfer of it
VIEWERS = frozenset({"civil1", "civil2", "civilhead", "chief", "registrar1", "criminal1"})
ISSUERS = frozenset({"civil1", "civilhead"})
# a case file with the court documents' full identifiers: only roles that may unmask (rule ID-3)
UNMASKERS = VIEWERS - {"registrar1"}
ADMIN = frozenset({"sysadmin"})
# the declined lead (civil department): its department, the procuratorate-wide roles; deciders
LEAD_VIEWERS = frozenset({"civil1", "civil2", "civilhead", "chief", "registrar1"})
LEAD_DECIDERS = frozenset({"civil1", "civil2", "civilhead", "chief"})
# the upload itself (multipart) is tested in test_templates.py: sysadmin 302/422, others 403


def build(users) -> dict:
    case = build_full_case(users)
    doc = services.issue_document(case_id=case.pk, kind="support_opinion", actor=users["civil1"])
    services.upload_template(
        actor=users["sysadmin"],
        kind="suggestion",
        data=render.builtin_docx("suggestion"),
        name="suggestion.docx",
    )
    export = casefile.request_export(case_id=case.pk, actor=users["civil1"])  # built at once
    masked = casefile.request_export(case_id=case.pk, actor=users["registrar1"])
    assert (export.full_identifiers, masked.full_identifiers) == (True, False)
    lead = declined_lead(users)
    services.issue_lead_document(lead_id=lead.pk, actor=users["civil1"])
    return {
        "case": case.pk,
        "doc": doc.pk,
        "export": export.pk,
        "masked_export": masked.pk,
        "lead": lead.pk,
    }


_world, users, world = module_world(build)


ENDPOINTS = [
    Endpoint(
        "documents:issue", "page", "get", "/documents/cases/{case}/issue/", 200, VIEWERS, ISSUERS
    ),
    Endpoint(
        "documents:issue",
        "page",
        "post",
        "/documents/cases/{case}/issue/",
        302,
        VIEWERS,
        ISSUERS,
        {"kind": "acceptance_notice"},
        label="documents:issue POST",
    ),
    Endpoint("documents:pdf", "page", "get", "/documents/{doc}/pdf/", 200, VIEWERS),
    Endpoint("documents:docx", "page", "get", "/documents/{doc}/docx/", 200, VIEWERS),
    Endpoint("api:list_documents", "api", "get", "/api/v1/cases/{case}/documents", 200, VIEWERS),
    Endpoint(
        "api:issue",
        "api",
        "post",
        "/api/v1/cases/{case}/documents",
        201,
        VIEWERS,
        ISSUERS,
        {"kind": "acceptance_notice"},
    ),
    Endpoint(
        "documents:export_case_file",
        "page",
        "post",
        "/documents/cases/{case}/case-file/",
        302,
        VIEWERS,
    ),
    Endpoint("documents:export", "page", "get", "/documents/case-files/{export}/", 200, UNMASKERS),
    Endpoint(
        "documents:export_download",
        "page",
        "get",
        "/documents/case-files/{export}/download/",
        200,
        UNMASKERS,
    ),
    Endpoint(
        "documents:export",
        "page",
        "get",
        "/documents/case-files/{masked_export}/",
        200,
        VIEWERS,
        label="documents:export masked",
    ),
    Endpoint(
        "documents:export_download",
        "page",
        "get",
        "/documents/case-files/{masked_export}/download/",
        200,
        VIEWERS,
        label="documents:export_download masked",
    ),
    Endpoint("api:export_case_file", "api", "post", "/api/v1/cases/{case}/case-file", 202, VIEWERS),
    Endpoint("api:get_case_file", "api", "get", "/api/v1/case-files/{export}", 200, UNMASKERS),
    Endpoint(
        "api:download_case_file",
        "api",
        "get",
        "/api/v1/case-files/{export}/download",
        200,
        UNMASKERS,
    ),
    Endpoint(
        "api:download_case_file",
        "api",
        "get",
        "/api/v1/case-files/{masked_export}/download",
        200,
        VIEWERS,
        label="api:download_case_file masked",
    ),
    # a declined lead's notice: the receiving procuratorate's staff who see the lead
    Endpoint(
        "documents:issue_lead",
        "page",
        "post",
        "/documents/leads/{lead}/issue/",
        302,
        LEAD_VIEWERS,
        LEAD_DECIDERS,
        {"reason": "更正"},
    ),
    Endpoint(
        "api:issue_lead_notice",
        "api",
        "post",
        "/api/v1/leads/{lead}/documents",
        201,
        LEAD_VIEWERS,
        LEAD_DECIDERS,
        {"reason": "更正"},
    ),
    Endpoint(
        "api:get_lead_notice",
        "api",
        "get",
        "/api/v1/leads/{lead}/documents/not_acceptance_notice",
        200,
        LEAD_VIEWERS,
    ),
    # templates: the system administrator only (everyone else 403; R5 keeps him from case data)
    Endpoint("documents:templates", "page", "get", "/documents/templates/", 200, None, ADMIN),
    Endpoint(
        "documents:numbering",
        "page",
        "post",
        "/documents/numbering/",
        302,
        None,
        ADMIN,
        {"kind": "visit_record", "pattern": "{short}访〔{year}〕{seq}号"},
    ),
    Endpoint(
        "documents:template_use",
        "page",
        "post",
        "/documents/templates/suggestion/use/",
        302,
        None,
        ADMIN,
        {"version": "1"},
    ),
    Endpoint(
        "documents:template_builtin",
        "page",
        "get",
        "/documents/templates/suggestion/builtin.docx",
        200,
        None,
        ADMIN,
    ),
    Endpoint(
        "documents:template_file",
        "page",
        "get",
        "/documents/templates/suggestion/1.docx",
        200,
        None,
        ADMIN,
    ),
    Endpoint(
        "api:get_document",
        "api",
        "get",
        "/api/v1/cases/{case}/documents/support_opinion",
        200,
        VIEWERS,
    ),
]


def _state() -> tuple:
    return (
        tuple(IssuedDocument.objects.order_by("pk").values_list("pk", "number")),
        tuple(DocumentTemplate.objects.order_by("pk").values_list("pk", "active")),
        CaseFileExport.objects.count(),
        tuple(NumberPattern.objects.values_list("kind", "pattern")),
    )


@pytest.mark.parametrize("user", USERS)
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_r2_document_access(endpoint, user, world, web, api):
    before = _state()

    r = call_endpoint(endpoint, user, world, web, api)

    assert r.status_code == endpoint.expected(user), r.content[:300]
    if r.status_code in (403, 404, 422):
        assert _state() == before


HIDDEN = hidden_cells(ENDPOINTS)


@pytest.mark.parametrize(("endpoint", "user"), HIDDEN)
def test_r2_a_hidden_case_answers_like_one_that_does_not_exist(endpoint, user, world, web, api):
    hidden = call_endpoint(endpoint, user, world, web, api)
    missing = {k: 999999 for k in ("case", "doc", "export", "masked_export", "lead")}
    gone = call_endpoint(endpoint, user, world, web, api, ids=missing)
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
