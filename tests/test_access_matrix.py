"""Rule R2, the access matrix: every fixture user × every URL that exists, with the exact status.

404 for an object outside the user's scope (never reveal that it exists), 403 for a visible object
and a forbidden action, 2xx/3xx when allowed. A last test walks the URLconf and fails when a route
exists that this matrix does not list, so a new view cannot ship without its access row.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.access import (
    ADMINS,
    USERS,
    Endpoint,
    bad_body_cells,
    bad_body_expected,
    call_endpoint,
    call_with_bad_body,
)
from tests.conftest import lead_payload, make_id
from zhichi.cases.models import Case
from zhichi.cases.services import appointments, disposal
from zhichi.intake import services as intake_services
from zhichi.intake.models import Lead
from zhichi.intake.validation import validate_lead

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


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
    second = intake_services.create_lead(
        actor=users["civil1"],
        data=validate_lead(
            lead_payload(
                claimants=[{"name": "钱七", "id_number": make_id(seq="444")}],
                respondents=[{"kind": "organisation", "name": "另一家公司"}],
            )
        ),
    )
    case2 = intake_services.accept_lead(lead_id=second.pk, actor=users["civil1"])
    approval = disposal.propose_support_decision(
        case_id=case2.pk, actor=users["civil1"], data={"decision": "support", "reasons": "符合条件"}
    )
    visit = disposal.plan_visit(
        case_id=case2.pk,
        actor=users["civil1"],
        data={"planned_on": "2026-12-01", "target": "claimant", "method": "phone"},
    )
    appointment = appointments.schedule_mediation(
        case_id=case2.pk,
        actor=users["civil1"],
        data={"on": "2026-12-20", "place": "五华区人民调解委员会", "mediator_org": "五华区调委会"},
    )
    claimant = case.parties.filter(role="claimant").first().party_id
    return {
        "lead": new.pk,
        "accepted_lead": referred.pk,
        "own_lead": second.pk,
        "case": case.pk,
        "case2": case2.pk,
        "approval": approval.pk,
        "visit": visit.pk,
        "appointment": appointment.pk,
        "claimant": claimant,
        # writes to the facts and the level name the case version they were made on (item 11)
        "case_version": Case.objects.get(pk=case.pk).version,
    }


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

APPROVERS = frozenset({"civilhead"})
HEADS = frozenset({"civilhead"})
TODAY = "2026-11-20"
# a session is set for today or later (the suite's clock starts on 2026-12-04)
APPOINTMENT = {"on": "2026-12-20", "place": "五华区人民调解委员会", "mediator_org": "五华区调委会"}
OBJECT_ENDPOINTS += [
    Endpoint(
        "api:record_mediation",
        "api",
        "post",
        "/api/v1/cases/{case}/mediations",
        201,
        CASE_VIEWERS,
        CASE_MOVERS,
        {"held_on": TODAY, "mediator_org": "五华区人民调解委员会", "outcome": "failed"},
    ),
    Endpoint(
        "api:schedule_mediation",
        "api",
        "post",
        "/api/v1/cases/{case}/mediation-appointments",
        201,
        CASE_VIEWERS,
        CASE_MOVERS,
        APPOINTMENT,
    ),
    Endpoint(
        "api:list_mediation_appointments",
        "api",
        "get",
        "/api/v1/cases/{case}/mediation-appointments",
        200,
        CASE_VIEWERS,
    ),
    Endpoint(
        "api:cancel_mediation_appointment",
        "api",
        "post",
        "/api/v1/mediation-appointments/{appointment}/cancel",
        200,
        CASE_VIEWERS,
        CASE_MOVERS,
        {"reason": "调解员临时有事"},
    ),
    Endpoint(
        "api:support_decision",
        "api",
        "post",
        "/api/v1/cases/{case}/support-decision",
        201,
        CASE_VIEWERS,
        CASE_MOVERS,
        {"decision": "support", "reasons": "符合支持起诉条件"},
    ),
    Endpoint(
        "api:court_event",
        "api",
        "post",
        "/api/v1/cases/{case}/court-events",
        201,
        CASE_VIEWERS,
        CASE_MOVERS,
        {"kind": "filed", "on": TODAY, "court": "五华区人民法院"},
    ),
    Endpoint(
        "api:payment",
        "api",
        "post",
        "/api/v1/cases/{case}/payments",
        201,
        CASE_VIEWERS,
        CASE_MOVERS,
        {
            "claimant_party_id": "{claimant}",
            "paid_on": TODAY,
            "amount": "100.00",
            "payer": "某公司",
        },
    ),
    Endpoint(
        "api:plan_visit",
        "api",
        "post",
        "/api/v1/cases/{case}/visits",
        201,
        CASE_VIEWERS,
        CASE_MOVERS,
        {"planned_on": "2026-12-20", "target": "employer", "method": "visit"},
    ),
    Endpoint("api:list_visits", "api", "get", "/api/v1/cases/{case}/visits", 200, CASE_VIEWERS),
    Endpoint("api:ledger", "api", "get", "/api/v1/cases/{case}/ledger", 200, CASE_VIEWERS),
    Endpoint(
        "api:close",
        "api",
        "post",
        "/api/v1/cases/{case}/close",
        200,
        CASE_VIEWERS,
        CASE_MOVERS,
        {"outcome": "withdrawn", "note": "当事人撤回"},
    ),
    Endpoint(
        "api:set_level",
        "api",
        "post",
        "/api/v1/cases/{case}/level",
        200,
        CASE_VIEWERS,
        HEADS,
        {"level": 3, "reason": "涉众风险高", "version": "{case_version}"},
    ),
    # the world's case is open: a head passes the access check and is told there is nothing to
    # reopen (reopening itself: tests/cases/test_four_eyes.py)
    Endpoint(
        "api:reopen",
        "api",
        "post",
        "/api/v1/cases/{case}/reopen",
        422,
        CASE_VIEWERS,
        HEADS,
        {"reason": "发现新的欠薪事实"},
    ),
    Endpoint(
        "api:approve",
        "api",
        "post",
        "/api/v1/approvals/{approval}/approve",
        200,
        CASE_VIEWERS,
        APPROVERS,
    ),
    Endpoint(
        "api:reject",
        "api",
        "post",
        "/api/v1/approvals/{approval}/reject",
        200,
        CASE_VIEWERS,
        APPROVERS,
        {"reason": "证据不足"},
    ),
    Endpoint(
        "api:record_visit",
        "api",
        "post",
        "/api/v1/visits/{visit}/record",
        200,
        CASE_VIEWERS,
        CASE_MOVERS,
        {"done_on": TODAY, "findings": "已电话回访", "paid_in_full": False},
    ),
]

OBJECT_ENDPOINTS += [
    Endpoint(
        "cases:case_mediation",
        "page",
        "post",
        "/cases/{case}/mediations/",
        302,
        CASE_VIEWERS,
        CASE_MOVERS,
        {"held_on": TODAY, "mediator_org": "五华区人民调解委员会", "outcome": "failed"},
    ),
    Endpoint(
        "cases:case_schedule_mediation",
        "page",
        "post",
        "/cases/{case}/mediation-appointments/",
        302,
        CASE_VIEWERS,
        CASE_MOVERS,
        APPOINTMENT,
    ),
    Endpoint(
        "cases:case_cancel_mediation",
        "page",
        "post",
        "/cases/{case2}/mediation-appointments/{appointment}/cancel/",
        302,
        CASE_VIEWERS,
        CASE_MOVERS,
        {"reason": "调解员临时有事"},
    ),
    Endpoint(
        "cases:case_support",
        "page",
        "post",
        "/cases/{case}/support-decision/",
        302,
        CASE_VIEWERS,
        CASE_MOVERS,
        {"decision": "support", "reasons": "符合支持起诉条件"},
    ),
    Endpoint(
        "cases:case_court_event",
        "page",
        "post",
        "/cases/{case}/court-events/",
        302,
        CASE_VIEWERS,
        CASE_MOVERS,
        {"kind": "filed", "on": TODAY, "court": "五华区人民法院"},
    ),
    Endpoint(
        "cases:case_payment",
        "page",
        "post",
        "/cases/{case}/payments/",
        302,
        CASE_VIEWERS,
        CASE_MOVERS,
        {
            "claimant_party_id": "{claimant}",
            "paid_on": TODAY,
            "amount": "100.00",
            "payer": "某公司",
        },
    ),
    Endpoint(
        "cases:case_plan_visit",
        "page",
        "post",
        "/cases/{case}/visits/",
        302,
        CASE_VIEWERS,
        CASE_MOVERS,
        {"planned_on": "2026-12-20", "target": "employer", "method": "visit"},
    ),
    Endpoint(
        "cases:case_record_visit",
        "page",
        "post",
        "/cases/{case2}/visits/{visit}/record/",
        302,
        CASE_VIEWERS,
        CASE_MOVERS,
        {"done_on": TODAY, "findings": "已电话回访"},
    ),
    Endpoint(
        "cases:case_close",
        "page",
        "post",
        "/cases/{case}/close/",
        302,
        CASE_VIEWERS,
        CASE_MOVERS,
        # the confirmed second step (C6): the first shows the outcome with the ledger (200)
        {"outcome": "withdrawn", "note": "当事人撤回", "confirm": "1"},
    ),
    Endpoint(
        "cases:case_level",
        "page",
        "post",
        "/cases/{case}/level/",
        302,
        CASE_VIEWERS,
        HEADS,
        {"level": "3", "reason": "涉众风险高", "version": "{case_version}"},
    ),
    Endpoint(
        "cases:case_reopen",
        "page",
        "post",
        "/cases/{case}/reopen/",
        422,
        CASE_VIEWERS,
        HEADS,
        {"reason": "发现新的欠薪事实"},
    ),
    Endpoint(
        "cases:approval_approve",
        "page",
        "post",
        "/cases/approvals/{approval}/approve/",
        302,
        CASE_VIEWERS,
        APPROVERS,
    ),
    Endpoint(
        "cases:approval_reject",
        "page",
        "post",
        "/cases/approvals/{approval}/reject/",
        302,
        CASE_VIEWERS,
        APPROVERS,
        {"reason": "证据不足"},
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
    Endpoint("cases:approvals", "page", "get", "/cases/approvals/", 200),
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
    Endpoint("api:approvals_inbox", "api", "get", "/api/v1/approvals", 200),
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
    "notifications",
    "notifications_read",  # tests/accounts/test_notifications.py: only one's own, POST, login
    "api:openapi-json",
    "api:openapi-view",
    # the public portal: open to everyone, no account (issue 18); what one browser may see of
    # another's draft, receipt or status is tested in tests/portal/test_wizard.py
    "portal:home",
    "portal:about",
    "portal:privacy",
    "portal:apply",
    "portal:start",
    "portal:step",
    "portal:receipt",
    "portal:resume",
    "portal:status",
    "portal:status_detail",
    "portal:leave",
    # a portal lead's filing: every user against a portal lead in tests/portal/test_portal_api.py
    "api:get_lead_portal_filing",
}
# Not ours to guard: Django's language switch, and ninja's bare root (it answers 404 with no docs
# home configured).
EXCLUDED = {"set_language", "api:api-root"}


def _state() -> tuple:
    return (
        sorted(Lead.objects.values_list("pk", "status")),
        sorted(Case.objects.values_list("pk", "stage", "version")),
    )


@pytest.mark.parametrize("user", USERS)
@pytest.mark.parametrize("endpoint", OBJECT_ENDPOINTS, ids=str)
def test_r2_object_access(endpoint, user, world, web, api):
    before = _state()

    r = call_endpoint(endpoint, user, world, web, api)

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
    hidden = call_endpoint(endpoint, user, world, web, api)
    gone = dict.fromkeys(("lead", "case", "case2", "approval", "visit", "appointment"), 999999)
    missing = call_endpoint(endpoint, user, world, web, api, ids=gone)

    assert (hidden.status_code, hidden.json()) == (missing.status_code, missing.json())


@pytest.mark.parametrize("user", USERS)
@pytest.mark.parametrize("endpoint", COLLECTION_ENDPOINTS, ids=str)
def test_r2_collection_access(endpoint, user, world, web, api):
    r = call_endpoint(endpoint, user, world, web, api)

    assert r.status_code == endpoint.expected(user), r.content[:300]


def expected_leads(user: str, world: dict) -> list[int]:
    if user not in LEAD_VIEWERS:
        return []
    referred = [world["lead"], world["accepted_lead"]]
    # hrss1 sees only what it referred; the procuratorate also sees civil1's own lead
    return sorted(referred if user == "hrss1" else [*referred, world["own_lead"]])


def expected_cases(user: str, world: dict) -> list[int]:
    return [world["case2"], world["case"]] if user in CASE_VIEWERS else []  # newest first


# the administrators hold no API token (issue 12 item 8); the page lists below include them
API_USERS = [u for u in USERS if u not in ADMINS]


@pytest.mark.parametrize("user", API_USERS)
def test_r2_api_lead_list_shows_exactly_the_visible_leads(user, world, api):
    expected = expected_leads(user, world)

    items = api(user).get("/api/v1/leads").json()["items"]

    assert sorted(i["id"] for i in items) == expected


@pytest.mark.parametrize("user", API_USERS)
def test_r2_api_case_list_shows_exactly_the_visible_cases(user, world, api):
    expected = expected_cases(user, world)

    items = api(user).get("/api/v1/cases").json()["items"]

    assert [i["id"] for i in items] == expected


@pytest.mark.parametrize("user", USERS)
def test_r2_lead_and_case_list_pages_show_exactly_the_visible_objects(user, world, web):
    client = web(user)
    leads = client.get("/leads/").context["page_obj"]
    cases = client.get("/cases/").context["page_obj"]

    assert sorted(lead.pk for lead in leads) == expected_leads(user, world)
    assert [c.pk for c in cases] == expected_cases(user, world)


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


def _covered_by_feature_modules() -> set[str]:
    """Routes listed by each feature's own access tests (tests/**/test_access*.py)."""
    covered: set[str] = set()
    root = Path(__file__).parent
    for path in sorted(root.rglob("test_access*.py")):
        if path == Path(__file__):
            continue
        module = importlib.import_module(
            ".".join(("tests", *path.relative_to(root).with_suffix("").parts))
        )
        covered |= {e.name for e in getattr(module, "ENDPOINTS", [])}
        covered |= set(getattr(module, "ALSO_COVERED", set()))
    return covered


def test_every_route_is_in_the_access_matrix():
    covered = (
        {e.name for e in OBJECT_ENDPOINTS + COLLECTION_ENDPOINTS}
        | SEPARATELY_TESTED
        | _covered_by_feature_modules()
    )

    assert _route_names() - EXCLUDED == covered


@pytest.mark.parametrize(
    ("endpoint", "user"), bad_body_cells(OBJECT_ENDPOINTS + COLLECTION_ENDPOINTS)
)
def test_who_may_act_is_decided_before_the_body_issue12_item10(endpoint, user, world, api):
    response = call_with_bad_body(endpoint, user, world, api)
    assert response.status_code == bad_body_expected(endpoint, user), response.content
