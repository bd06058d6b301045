"""Rule R2, the access matrix: every fixture user × every URL that exists, with the exact status.

404 for an object outside the user's scope (never reveal that it exists), 403 for a visible object
and a forbidden action, 2xx/3xx when allowed. A last test walks the URLconf and fails when a route
exists that this matrix does not list, so a new view cannot ship without its access row.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.conftest import lead_payload, make_id
from zhichi.cases.models import Case
from zhichi.intake import services as intake_services
from zhichi.intake.models import Lead
from zhichi.intake.validation import validate_lead

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

USERS = [
    "civil1",  # the insider: WHPROC/civil officer of the case
    "civil2",  # a colleague in the same department
    "civilhead",
    "criminal1",  # another department
    "chief",
    "registrar1",
    "hrss1",  # the partner that referred both leads, without the person's consent
    "wf1",  # another partner
    "sysadmin",
    "secadmin",
    "auditor",
    "outsider",  # another procuratorate
]

LEAD_VIEWERS = frozenset({"civil1", "civil2", "civilhead", "chief", "registrar1", "hrss1"})
LEAD_DECIDERS = frozenset({"civil1", "civil2", "civilhead", "chief"})
CASE_VIEWERS = frozenset({"civil1", "civil2", "civilhead", "chief", "registrar1"})
CASE_MOVERS = frozenset({"civil1", "civilhead"})
UNMASKERS = frozenset({"civil1", "civil2", "civilhead", "chief"})
LEAD_FILERS = frozenset(
    {"civil1", "civil2", "civilhead", "criminal1", "chief", "hrss1", "wf1", "outsider"}
)


@pytest.fixture
def world(users) -> dict:
    """A case owned by WHPROC/civil (officer civil1) from a lead hrss1 referred without consent,
    and a new lead hrss1 referred without consent."""
    referred = intake_services.create_lead(
        actor=users["hrss1"], data=validate_lead(lead_payload(consent_to_share=False))
    )
    case = intake_services.accept_lead(lead_id=referred.pk, actor=users["civil1"])
    new = intake_services.create_lead(
        actor=users["hrss1"],
        data=validate_lead(
            lead_payload(
                consent_to_share=False,
                claimants=[{"name": "张三丰", "id_number": make_id(seq="222")}],
            )
        ),
    )
    assert (case.officer.username, case.department.code) == ("civil1", "civil")
    assert (new.organisation.code, new.department.code) == ("WHPROC", "civil")
    return {"lead": new.pk, "accepted_lead": referred.pk, "case": case.pk}


@dataclass(frozen=True)
class Endpoint:
    name: str  # the URL name, for the coverage check
    kind: str  # "page" or "api"
    method: str
    path: str  # formatted with the world's ids
    ok: int
    visible: frozenset | None = None  # None: everyone reaches it
    allowed: frozenset | None = None  # None: everyone who sees it may do it
    data: dict = field(default_factory=dict)
    label: str = ""

    def expected(self, user: str) -> int:
        if self.visible is not None and user not in self.visible:
            return 404
        if self.allowed is not None and user not in self.allowed:
            return 403
        return self.ok

    def __str__(self) -> str:
        return self.label or self.name


DECLINE = {"reason": "建议先申请劳动仲裁", "redirect": "arbitration"}
STAGE = {"to": "pre_litigation", "reason": "先行调解", "version": 1}

OBJECT_ENDPOINTS = [
    # pages
    Endpoint("intake:lead_detail", "page", "get", "/leads/{lead}/", 200, LEAD_VIEWERS),
    Endpoint(
        "intake:lead_accept",
        "page",
        "post",
        "/leads/{lead}/accept/",
        302,
        LEAD_VIEWERS,
        LEAD_DECIDERS,
    ),
    Endpoint(
        "intake:lead_decline",
        "page",
        "post",
        "/leads/{lead}/decline/",
        302,
        LEAD_VIEWERS,
        LEAD_DECIDERS,
        DECLINE,
    ),
    Endpoint("cases:case_detail", "page", "get", "/cases/{case}/", 200, CASE_VIEWERS),
    Endpoint(
        "cases:case_move_stage",
        "page",
        "post",
        "/cases/{case}/stage/",
        302,
        CASE_VIEWERS,
        CASE_MOVERS,
        STAGE,
    ),
    Endpoint(
        "cases:case_unmask",
        "page",
        "post",
        "/cases/{case}/unmask/",
        200,
        CASE_VIEWERS,
        UNMASKERS,
    ),
    # API
    Endpoint("api:get_lead", "api", "get", "/api/v1/leads/{lead}", 200, LEAD_VIEWERS),
    Endpoint(
        "api:accept_lead",
        "api",
        "post",
        "/api/v1/leads/{lead}/accept",
        200,
        LEAD_VIEWERS,
        LEAD_DECIDERS,
    ),
    Endpoint(
        "api:decline_lead",
        "api",
        "post",
        "/api/v1/leads/{lead}/decline",
        200,
        LEAD_VIEWERS,
        LEAD_DECIDERS,
        DECLINE,
    ),
    Endpoint("api:get_case", "api", "get", "/api/v1/cases/{case}", 200, CASE_VIEWERS),
    Endpoint(
        "api:get_case",
        "api",
        "get",
        "/api/v1/cases/{case}",
        200,
        CASE_VIEWERS,
        UNMASKERS,
        {"unmask": "1"},
        label="api:get_case?unmask=1",
    ),
    Endpoint("api:case_timeline", "api", "get", "/api/v1/cases/{case}/timeline", 200, CASE_VIEWERS),
    Endpoint(
        "api:move_stage",
        "api",
        "post",
        "/api/v1/cases/{case}/stage",
        200,
        CASE_VIEWERS,
        CASE_MOVERS,
        STAGE,
    ),
]

COLLECTION_ENDPOINTS = [
    Endpoint("workbench", "page", "get", "/", 200),
    Endpoint("intake:lead_list", "page", "get", "/leads/", 200),
    Endpoint("intake:lead_create", "page", "get", "/leads/new/", 200, None, LEAD_FILERS),
    Endpoint(
        "intake:claimant_row",
        "page",
        "get",
        "/leads/new/claimant-row/",
        200,
        None,
        LEAD_FILERS,
        {"claimants-TOTAL_FORMS": "1"},
    ),
    Endpoint("cases:case_list", "page", "get", "/cases/", 200),
    Endpoint("api:list_leads", "api", "get", "/api/v1/leads", 200),
    Endpoint(
        "api:create_lead",
        "api",
        "post",
        "/api/v1/leads",
        201,
        None,
        LEAD_FILERS,
        lead_payload(claimants=[{"name": "赵六", "id_number": make_id(seq="333")}]),
    ),
    Endpoint("api:list_cases", "api", "get", "/api/v1/cases", 200),
    Endpoint(
        "api:validate",
        "api",
        "post",
        "/api/v1/rules/validate",
        200,
        None,
        None,
        {"id_number": make_id(seq="111")},
    ),
]

RULE_EDITORS = frozenset({"sysadmin"})
THRESHOLD = {
    "province": "53",
    "individual": "10000",
    "collective": "50000",
    "effective_from": "2026-01-01",
    "source": "云南省高级人民法院文件（测试）",
}
COLLECTION_ENDPOINTS += [
    Endpoint("rulebook:calculators", "page", "get", "/tools/calculators/", 200),
    Endpoint("rulebook:library", "page", "get", "/tools/law-library/", 200),
    Endpoint(
        "rulebook:library_edit",
        "page",
        "post",
        "/tools/law-library/threshold/",
        302,
        None,
        RULE_EDITORS,
        THRESHOLD,
    ),
    Endpoint(
        "api:deadline",
        "api",
        "post",
        "/api/v1/rules/deadline",
        200,
        data={"kind": "appeal_judgment", "start": "2026-02-05"},
    ),
    Endpoint(
        "api:criminal_lead",
        "api",
        "post",
        "/api/v1/rules/criminal-lead",
        200,
        data={"province": "52", "workers": [{"amount": "12000", "months": 4}]},
    ),
    Endpoint(
        "api:assistance_cap",
        "api",
        "post",
        "/api/v1/rules/assistance-cap",
        200,
        data={"province": "53", "wage_year": 2023},
    ),
    Endpoint(
        "api:wage_claim",
        "api",
        "post",
        "/api/v1/rules/wage-claim",
        200,
        data={"monthly_wage": "5000", "months_unpaid": 3},
    ),
    Endpoint(
        "api:rmb_capital", "api", "post", "/api/v1/rules/rmb-capital", 200, data={"amount": "1"}
    ),
]

# Routes tested on their own below: they are about the session or the system, not an object.
SEPARATELY_TESTED = {
    "login",
    "logout",
    "api:health",
    "api:me",
    "api:openapi-json",
    "api:openapi-view",
}
# Not ours to guard: Django's language switch, and ninja's bare root (it answers 404 with no docs
# home configured).
EXCLUDED = {"set_language", "api:api-root"}


def _call(endpoint: Endpoint, user: str, world: dict, web, api, ids: dict | None = None):
    path = endpoint.path.format(**(ids or world))
    if endpoint.kind == "page":
        client = web(user)
        return getattr(client, endpoint.method)(path, endpoint.data)
    client = api(user)
    if endpoint.method == "get":
        return client.get(path, endpoint.data)
    return client.post(path, endpoint.data)


def _state() -> tuple:
    return (
        sorted(Lead.objects.values_list("pk", "status")),
        sorted(Case.objects.values_list("pk", "stage", "version")),
    )


@pytest.mark.parametrize("user", USERS)
@pytest.mark.parametrize("endpoint", OBJECT_ENDPOINTS, ids=str)
def test_r2_object_access(endpoint, user, world, web, api):
    before = _state()

    r = _call(endpoint, user, world, web, api)

    assert r.status_code == endpoint.expected(user), r.content[:300]
    if r.status_code in (403, 404):
        assert _state() == before  # a refused request changes nothing


HIDDEN_API_CELLS = [
    pytest.param(e, u, id=f"{e}-{u}")
    for e in OBJECT_ENDPOINTS
    if e.kind == "api"
    for u in USERS
    if e.expected(u) == 404
]


@pytest.mark.parametrize(("endpoint", "user"), HIDDEN_API_CELLS)
def test_r2_api_404_looks_the_same_as_an_object_that_does_not_exist(
    endpoint, user, world, web, api
):
    hidden = _call(endpoint, user, world, web, api)
    missing = _call(endpoint, user, world, web, api, ids={"lead": 999999, "case": 999999})

    assert (hidden.status_code, hidden.json()) == (missing.status_code, missing.json())


@pytest.mark.parametrize("user", USERS)
@pytest.mark.parametrize("endpoint", COLLECTION_ENDPOINTS, ids=str)
def test_r2_collection_access(endpoint, user, world, web, api):
    r = _call(endpoint, user, world, web, api)

    assert r.status_code == endpoint.expected(user), r.content[:300]


@pytest.mark.parametrize("user", USERS)
def test_r2_api_lead_list_shows_exactly_the_visible_leads(user, world, api):
    expected = sorted([world["lead"], world["accepted_lead"]]) if user in LEAD_VIEWERS else []

    items = api(user).get("/api/v1/leads").json()["items"]

    assert sorted(i["id"] for i in items) == expected


@pytest.mark.parametrize("user", USERS)
def test_r2_api_case_list_shows_exactly_the_visible_cases(user, world, api):
    expected = [world["case"]] if user in CASE_VIEWERS else []

    items = api(user).get("/api/v1/cases").json()["items"]

    assert [i["id"] for i in items] == expected


@pytest.mark.parametrize("user", USERS)
def test_r2_lead_and_case_list_pages_show_exactly_the_visible_objects(user, world, web):
    client = web(user)
    leads = client.get("/leads/").context["page_obj"]
    cases = client.get("/cases/").context["page_obj"]

    assert sorted(lead.pk for lead in leads) == (
        sorted([world["lead"], world["accepted_lead"]]) if user in LEAD_VIEWERS else []
    )
    assert [c.pk for c in cases] == ([world["case"]] if user in CASE_VIEWERS else [])


@pytest.mark.parametrize("user", sorted(LEAD_VIEWERS))
def test_r2_a_lead_shows_duplicates_only_from_the_users_scope(user, world, api):
    # a third lead for the same claimant, in another procuratorate
    api("outsider").post(
        "/api/v1/leads",
        lead_payload(claimants=[{"name": "张三丰", "id_number": make_id(seq="222")}]),
    )

    body = api(user).get(f"/api/v1/leads/{world['lead']}").json()

    # the duplicate names its case only to a user who may see that case
    case_id = world["case"] if user in CASE_VIEWERS else None
    assert body["duplicates"] == [
        {"lead_id": world["accepted_lead"], "case_id": case_id, "reason": "same_respondent"}
    ]
    assert body["case_id"] is None
    accepted = api(user).get(f"/api/v1/leads/{world['accepted_lead']}").json()
    assert (accepted["case_id"], accepted["case_number"] is not None) == (
        case_id,
        case_id is not None,
    )


# --- anonymous -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "endpoint", [e for e in OBJECT_ENDPOINTS + COLLECTION_ENDPOINTS if e.kind == "page"], ids=str
)
def test_anonymous_page_request_redirects_to_login(endpoint, world):
    path = endpoint.path.format(**world)

    r = getattr(Client(), endpoint.method)(path, endpoint.data)

    assert r.status_code == 302
    assert r["Location"].startswith("/login/?next=")


@pytest.mark.parametrize(
    "endpoint", [e for e in OBJECT_ENDPOINTS + COLLECTION_ENDPOINTS if e.kind == "api"], ids=str
)
def test_anonymous_api_request_is_401(endpoint, world):
    path = endpoint.path.format(**world)
    client = Client()

    if endpoint.method == "get":
        r = client.get(path, endpoint.data)
    else:
        r = client.post(path, endpoint.data, content_type="application/json")

    assert r.status_code == 401
    assert list(r.json()) == ["detail"]


def test_login_page_is_open_and_logout_needs_post(users):
    client = Client()
    assert client.get("/login/").status_code == 200
    assert client.get("/logout/").status_code == 405
    assert client.post("/logout/").status_code == 302


def test_health_is_open():
    r = Client().get("/api/v1/health")

    assert (r.status_code, r.json()) == (200, {"status": "ok", "database": "ok", "tasks": "ok"})


# --- the API's own documents -------------------------------------------------------------------
def test_openapi_documents_401_404_422_for_post_leads():
    r = Client().get("/api/v1/openapi.json")

    assert r.status_code == 200
    doc = r.json()
    responses = doc["paths"]["/api/v1/leads"]["post"]["responses"]
    assert {"201", "401", "404", "422"} <= set(responses)
    ref = responses["422"]["content"]["application/json"]["schema"]["$ref"]
    schema = doc["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    assert sorted(schema["properties"]) == ["detail", "errors"]
    item_ref = schema["properties"]["errors"]["items"]["$ref"]
    item = doc["components"]["schemas"][item_ref.rsplit("/", 1)[-1]]
    assert sorted(item["properties"]) == ["code", "field", "message"]
    assert doc["components"]["securitySchemes"]["BearerToken"]["scheme"] == "bearer"


def test_openapi_documents_409_for_stage_moves():
    doc = Client().get("/api/v1/openapi.json").json()

    assert {"401", "403", "404", "409", "422"} <= set(
        doc["paths"]["/api/v1/cases/{case_id}/stage"]["post"]["responses"]
    )


def test_api_docs_page_is_200():
    assert Client().get("/api/v1/docs").status_code == 200


# --- every route is in the matrix ----------------------------------------------------------------
def _route_names(resolver=None, namespace: str = "") -> set[str]:
    names: set[str] = set()
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            inner = ":".join(p for p in (namespace, entry.namespace or "") if p)
            names |= _route_names(entry, inner)
        elif isinstance(entry, URLPattern):
            names.add(f"{namespace}:{entry.name}" if namespace else str(entry.name))
    return names


def test_every_route_is_in_the_access_matrix():
    covered = {e.name for e in OBJECT_ENDPOINTS + COLLECTION_ENDPOINTS} | SEPARATELY_TESTED

    assert _route_names() - EXCLUDED == covered
