"""Rule R2 for the imports (C14): every fixture user × every import route, page and API, with the
exact status. The procuratorate's intake staff (civil officers and heads, the chief) and the
partner agencies import; everyone else is refused (403) before the file is read. An import is
seen by its organisation and, for the receiving procuratorate's intake staff, by the receiver;
its columns are confirmed and its error report read only by the importing organisation; anyone
else gets 404, exactly as for an import that does not exist."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.access import (
    ADMINS,
    USERS,
    Endpoint,
    call_endpoint,
    hidden_cells,
    module_world,
)
from zhichi.audit.models import AuditEntry
from zhichi.imports import services
from zhichi.imports.models import ImportJob, ImportStatus

from . import corpus

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

# may import: the civil department's officers and head, the chief, the partner agencies, and the
# other procuratorate's civil officer (in their own procuratorate)
# whoever may file a lead may import a list (the criminal department's officers file referrals)
IMPORTERS = frozenset(
    {"civil1", "civil2", "civilhead", "criminal1", "chief", "hrss1", "wf1", "outsider"}
)
WHPROC = frozenset({"civil1", "civil2", "civilhead", "criminal1", "chief"})  # WHPROC's staff
PARTNER = frozenset({"hrss1"})
START = {
    "mapping_name": "1",
    "mapping_id_number": "2",
    "mapping_employer": "4",
    "mapping_amount": "6",
}


def _import(user, *, start: bool) -> int:
    """An import of a list with one rejected row, left to confirm or run to its end."""
    rows = [corpus.worker(1), corpus.worker(2, name=None)]
    job = services.upload_import(actor=user, upload=corpus.upload(corpus.xlsx(rows)))
    if start:
        services.start_import(actor=user, job_id=job.pk)  # runs after the commit (autocommit)
        job.refresh_from_db()
        assert (job.status, job.report_name != "") == (ImportStatus.DONE, True)
    return job.pk


def build(users) -> dict:
    return {
        "mapping": _import(users["civil1"], start=False),
        "done": _import(users["civil1"], start=True),
        "partner_mapping": _import(users["hrss1"], start=False),
        "partner_done": _import(users["hrss1"], start=True),
    }


_world, users, world = module_world(build)


UPLOAD = {"file": "{file}"}

ENDPOINTS = [
    # pages
    Endpoint("imports:list", "page", "get", "/imports/", 200, None, IMPORTERS),
    Endpoint("imports:upload", "page", "post", "/imports/upload/", 302, None, IMPORTERS, UPLOAD),
    Endpoint(
        "imports:detail",
        "page",
        "get",
        "/imports/{mapping}/",
        200,
        WHPROC,
        label="imports:detail (columns to confirm)",
    ),
    Endpoint("imports:detail", "page", "get", "/imports/{done}/", 200, WHPROC),
    Endpoint(
        "imports:detail",
        "page",
        "get",
        "/imports/{partner_done}/",
        200,
        WHPROC | PARTNER,
        label="imports:detail (a partner's, sent to WHPROC)",
    ),
    Endpoint(
        "imports:start", "page", "post", "/imports/{mapping}/start/", 302, WHPROC, WHPROC, START
    ),
    Endpoint(
        "imports:start",
        "page",
        "post",
        "/imports/{partner_mapping}/start/",
        302,
        WHPROC | PARTNER,
        PARTNER,
        START,
        label="imports:start (a partner's: the partner only)",
    ),
    Endpoint("imports:errors", "page", "get", "/imports/{done}/errors.xlsx", 200, WHPROC),
    Endpoint(
        "imports:errors",
        "page",
        "get",
        "/imports/{partner_done}/errors.xlsx",
        200,
        PARTNER,
        label="imports:errors (a partner's: the partner only)",
    ),
    Endpoint("imports:leads", "page", "get", "/imports/{done}/leads/", 200, WHPROC),
    Endpoint(
        "imports:leads",
        "page",
        "get",
        "/imports/{partner_done}/leads/",
        200,
        WHPROC | PARTNER,
        label="imports:leads (a partner's)",
    ),
    # API
    Endpoint(
        "api:create_import",
        "api",
        "post",
        "/api/v1/imports",
        202,
        None,
        IMPORTERS,
        UPLOAD,
        multipart=True,
    ),
    Endpoint("api:list_imports", "api", "get", "/api/v1/imports", 200),
    Endpoint("api:get_import", "api", "get", "/api/v1/imports/{done}", 200, WHPROC),
    Endpoint(
        "api:get_import",
        "api",
        "get",
        "/api/v1/imports/{partner_done}",
        200,
        WHPROC | PARTNER,
        label="api:get_import (a partner's)",
    ),
    Endpoint("api:import_errors", "api", "get", "/api/v1/imports/{done}/errors.xlsx", 200, WHPROC),
    Endpoint(
        "api:import_errors",
        "api",
        "get",
        "/api/v1/imports/{partner_done}/errors.xlsx",
        200,
        PARTNER,
        label="api:import_errors (a partner's: the partner only)",
    ),
]
GONE = dict.fromkeys(("mapping", "done", "partner_mapping", "partner_done"), 999999)


def call(endpoint, user, world, web, api, ids=None):
    """Each call gets a fresh list to upload (an uploaded file is read once)."""
    values = {**world, "file": corpus.upload(corpus.xlsx(corpus.clean_rows(2)))}
    return call_endpoint(endpoint, user, values, web, api, ids=ids)


def state() -> list:
    return sorted(ImportJob.objects.values_list("pk", "status"))


@pytest.mark.parametrize("user", USERS)
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_r2_import_access(endpoint, user, world, users, web, api):
    before = state()

    r = call(endpoint, user, world, web, api)

    assert r.status_code == endpoint.expected(user), r.content[:300]
    if r.status_code in (401, 403, 404):
        assert state() == before  # a refused request changes nothing


@pytest.mark.parametrize(("endpoint", "user"), hidden_cells(ENDPOINTS))
def test_r2_hidden_import_looks_the_same_as_one_that_does_not_exist(
    endpoint, user, world, web, api
):
    hidden = call(endpoint, user, world, web, api)
    missing = call(endpoint, user, world, web, api, ids=GONE)

    assert (hidden.status_code, hidden.json()) == (missing.status_code, missing.json())


ACTIONS = [e for e in ENDPOINTS if e.method == "post" and any(e.expected(u) == 403 for u in USERS)]


@pytest.mark.parametrize("endpoint", ACTIONS, ids=str)
def test_a_forbidden_import_action_is_audited_as_denied(endpoint, world, web, api):
    """Rule R7: an upload or a start refused with 403 leaves its audit row."""
    user = next(u for u in USERS if endpoint.expected(u) == 403)
    action = "import.start" if endpoint.name == "imports:start" else "import.upload"

    call(endpoint, user, world, web, api)

    entry = AuditEntry.objects.order_by("-id").first()
    assert (entry.username, entry.action, entry.outcome) == (user, action, "denied")


@pytest.mark.parametrize("endpoint", [e for e in ENDPOINTS if e.kind == "page"], ids=str)
def test_anonymous_page_request_redirects_to_login(endpoint, world):
    r = getattr(Client(), endpoint.method)(endpoint.path.format(**world))

    assert r.status_code == 302
    assert r["Location"].startswith("/login/?next=")


@pytest.mark.parametrize("endpoint", [e for e in ENDPOINTS if e.kind == "api"], ids=str)
def test_anonymous_api_request_is_401(endpoint, world):
    path = endpoint.path.format(**world)

    if endpoint.method == "get":
        r = Client().get(path)
    else:
        r = Client().post(path, {"file": corpus.upload(corpus.xlsx(corpus.clean_rows(1)))})

    assert r.status_code == 401
    assert list(r.json()) == ["detail"]
    assert ImportJob.objects.count() == len(world)


@pytest.mark.parametrize("user", sorted(set(USERS) - ADMINS))
def test_the_api_list_holds_exactly_the_imports_the_user_may_see(user, world, api):
    expected = {
        world["mapping"],
        world["done"],
        world["partner_mapping"],
        world["partner_done"],
    }
    seen = {
        "civil1": expected,
        "civil2": expected,
        "civilhead": expected,
        "criminal1": expected,
        "chief": expected,
        "hrss1": {world["partner_mapping"], world["partner_done"]},
    }

    items = api(user).get("/api/v1/imports").json()["items"]

    assert {i["id"] for i in items} == seen.get(user, set())


def test_the_history_page_lists_a_partners_import_for_the_receiver_but_not_to_another_partner(
    world, web
):
    def listed(user: str) -> set[str]:
        page = web(user).get("/imports/").content.decode()
        return {str(pk) for pk in world.values() if f'href="/imports/{pk}/"' in page}

    assert listed("civil1") == {str(pk) for pk in world.values()}
    assert listed("hrss1") == {str(world["partner_mapping"]), str(world["partner_done"])}
    assert listed("wf1") == set()
    assert listed("outsider") == set()
