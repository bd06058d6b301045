"""Rule R2 for evidence: every fixture user × every evidence route, with the exact status.

404 outside the user's scope, 403 for a visible case or lead the user may not add evidence to,
and a refused request changes nothing (no row, no file).
"""

from __future__ import annotations

import pytest
from django.test import Client

from tests.access import USERS, Endpoint, call_endpoint
from tests.evidence import samples
from tests.evidence.conftest import state
from zhichi.audit.models import AuditEntry

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

CASE_VIEWERS = frozenset({"civil1", "civil2", "civilhead", "chief", "registrar1"})
CASE_UPLOADERS = frozenset({"civil1", "civilhead"})
LEAD_VIEWERS = CASE_VIEWERS | {"hrss1"}
LEAD_UPLOADERS = frozenset({"civil1", "civil2", "civilhead", "chief", "hrss1"})
UPLOAD = {"kind": "iou", "description": "欠条原件", "file": "{file}"}

ENDPOINTS = [
    # pages
    Endpoint(
        "evidence:case_upload",
        "page",
        "post",
        "/attachments/case/{case}/upload/",
        302,
        CASE_VIEWERS,
        CASE_UPLOADERS,
        UPLOAD,
    ),
    Endpoint(
        "evidence:lead_upload",
        "page",
        "post",
        "/attachments/lead/{lead}/upload/",
        302,
        LEAD_VIEWERS,
        LEAD_UPLOADERS,
        UPLOAD,
    ),
    Endpoint(
        "evidence:download",
        "page",
        "get",
        "/attachments/{case_att}/download/",
        200,
        CASE_VIEWERS,
        label="evidence:download (case)",
    ),
    Endpoint(
        "evidence:download",
        "page",
        "get",
        "/attachments/{partner_att}/download/",
        200,
        LEAD_VIEWERS,
        label="evidence:download (lead, the partner's own)",
    ),
    Endpoint(
        "evidence:download",
        "page",
        "get",
        "/attachments/{staff_att}/download/",
        200,
        CASE_VIEWERS,
        label="evidence:download (lead, the procuratorate's)",
    ),
    # API
    Endpoint(
        "api:upload_case_attachment",
        "api",
        "post",
        "/api/v1/cases/{case}/attachments",
        201,
        CASE_VIEWERS,
        CASE_UPLOADERS,
        UPLOAD,
        multipart=True,
    ),
    Endpoint(
        "api:upload_lead_attachment",
        "api",
        "post",
        "/api/v1/leads/{lead}/attachments",
        201,
        LEAD_VIEWERS,
        LEAD_UPLOADERS,
        UPLOAD,
        multipart=True,
    ),
    Endpoint(
        "api:list_case_attachments",
        "api",
        "get",
        "/api/v1/cases/{case}/attachments",
        200,
        CASE_VIEWERS,
    ),
    Endpoint(
        "api:list_lead_attachments",
        "api",
        "get",
        "/api/v1/leads/{lead}/attachments",
        200,
        LEAD_VIEWERS,
    ),
    Endpoint(
        "api:download_attachment",
        "api",
        "get",
        "/api/v1/attachments/{case_att}/download",
        200,
        CASE_VIEWERS,
        label="api:download_attachment (case)",
    ),
    Endpoint(
        "api:download_attachment",
        "api",
        "get",
        "/api/v1/attachments/{partner_att}/download",
        200,
        LEAD_VIEWERS,
        label="api:download_attachment (lead, the partner's own)",
    ),
    Endpoint(
        "api:download_attachment",
        "api",
        "get",
        "/api/v1/attachments/{staff_att}/download",
        200,
        CASE_VIEWERS,
        label="api:download_attachment (lead, the procuratorate's)",
    ),
]


def call(endpoint, user, world, web, api, ids=None):
    """Each call gets a fresh file to upload (an uploaded file is read once)."""
    values = {**world, "file": samples.upload("欠条.pdf", samples.PDF)}
    return call_endpoint(endpoint, user, values, web, api, ids=ids)


@pytest.mark.parametrize("user", USERS)
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_r2_evidence_access(endpoint, user, world, web, api, evidence_dir):
    before = state(evidence_dir)

    r = call(endpoint, user, world, web, api)

    assert r.status_code == endpoint.expected(user), r.content[:300]
    if r.status_code in (403, 404):
        assert state(evidence_dir) == before  # a refused request changes nothing


HIDDEN_API_CELLS = [
    pytest.param(e, u, id=f"{e}-{u}")
    for e in ENDPOINTS
    if e.kind == "api"
    for u in USERS
    if e.expected(u) == 404
]
GONE = dict.fromkeys(("case", "lead", "case_att", "partner_att", "staff_att"), 999999)


@pytest.mark.parametrize(("endpoint", "user"), HIDDEN_API_CELLS)
def test_r2_hidden_attachment_looks_the_same_as_one_that_does_not_exist(
    endpoint, user, world, web, api
):
    hidden = call(endpoint, user, world, web, api)
    missing = call(endpoint, user, world, web, api, ids=GONE)

    assert (hidden.status_code, hidden.json()) == (missing.status_code, missing.json())


@pytest.mark.parametrize("endpoint", [e for e in ENDPOINTS if e.allowed is not None], ids=str)
def test_a_forbidden_upload_is_audited_as_denied(endpoint, world, web, api):
    user = next(u for u in USERS if endpoint.expected(u) == 403)

    call(endpoint, user, world, web, api)

    entry = AuditEntry.objects.order_by("-id").first()
    assert (entry.username, entry.action, entry.outcome) == (user, "attachment.upload", "denied")


@pytest.mark.parametrize("endpoint", [e for e in ENDPOINTS if e.kind == "page"], ids=str)
def test_anonymous_page_request_redirects_to_login(endpoint, world):
    path = endpoint.path.format(**world)

    r = getattr(Client(), endpoint.method)(path)

    assert r.status_code == 302
    assert r["Location"].startswith("/login/?next=")


@pytest.mark.parametrize("endpoint", [e for e in ENDPOINTS if e.kind == "api"], ids=str)
def test_anonymous_api_request_is_401(endpoint, world, evidence_dir):
    path = endpoint.path.format(**world)
    before = state(evidence_dir)

    if endpoint.method == "get":
        r = Client().get(path)
    else:
        r = Client().post(path, {"kind": "iou", "file": samples.upload("a.pdf", samples.PDF)})

    assert r.status_code == 401
    assert list(r.json()) == ["detail"]
    assert state(evidence_dir) == before
