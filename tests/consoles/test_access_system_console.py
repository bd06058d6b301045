"""Rule R2 for the system administrator's console (rule R5, 三员分立): every fixture user × every
route under /system/, with the exact status. Only the system administrator reaches them; every
other role gets 403 (audited, nothing changed), before anything is read or judged.
``ENDPOINTS`` feeds the coverage check in tests/test_access_matrix.py.
"""

from __future__ import annotations

import pytest

from tests.access import USERS, Endpoint, anonymous_response, call_endpoint
from zhichi.accounts.models import Department, Organisation, OrgKind
from zhichi.audit.models import AuditEntry

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

SYSADMIN = frozenset({"sysadmin"})
NEW_ORGANISATION = {
    "code": "GDPROC",
    "name": "官渡区人民检察院",
    "short_name": "官渡检",
    "kind": "procuratorate",
    "province": "53",
    "district": "530111",
    "case_number_pattern": "",
}


@pytest.fixture
def world(users) -> dict:
    """An organisation without users (so it may be deactivated) and one of its departments."""
    org = Organisation.objects.create(
        code="WHMED",
        name="五华区人民调解委员会",
        kind=OrgKind.MEDIATION,
        province="53",
        district="530102",
    )
    dept = Department.objects.create(organisation=org, code="first", name="第一调解室")
    return {"org": org.pk, "dept": dept.pk}


ENDPOINTS = [
    Endpoint("system:home", "page", "get", "/system/", 200, None, SYSADMIN),
    Endpoint("system:organisations", "page", "get", "/system/organisations/", 200, None, SYSADMIN),
    Endpoint(
        "system:organisation_create",
        "page",
        "post",
        "/system/organisations/new/",
        302,
        None,
        SYSADMIN,
        NEW_ORGANISATION,
    ),
    Endpoint(
        "system:organisation", "page", "get", "/system/organisations/{org}/", 200, None, SYSADMIN
    ),
    Endpoint(
        "system:organisation_update",
        "page",
        "post",
        "/system/organisations/{org}/edit/",
        302,
        None,
        SYSADMIN,
        {**NEW_ORGANISATION, "code": "WHMED", "name": "五华区调解委员会", "kind": "mediation"},
    ),
    Endpoint(
        "system:organisation_active",
        "page",
        "post",
        "/system/organisations/{org}/active/",
        302,
        None,
        SYSADMIN,
        {"active": "0"},
    ),
    Endpoint(
        "system:department_create",
        "page",
        "post",
        "/system/organisations/{org}/departments/new/",
        302,
        None,
        SYSADMIN,
        {"code": "second", "name": "第二调解室"},
    ),
    Endpoint(
        "system:department", "page", "get", "/system/departments/{dept}/", 200, None, SYSADMIN
    ),
    Endpoint(
        "system:department_update",
        "page",
        "post",
        "/system/departments/{dept}/edit/",
        302,
        None,
        SYSADMIN,
        {"code": "first", "name": "第一调解室（新址）"},
    ),
]


def _state() -> tuple:
    return (
        sorted(Organisation.objects.values_list()),
        sorted(Department.objects.values_list()),
    )


@pytest.mark.parametrize("user", USERS)
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_r2_r5_only_the_system_administrator_uses_the_console(endpoint, user, world, web, api):
    before = _state()

    r = call_endpoint(endpoint, user, world, web, api)

    assert r.status_code == endpoint.expected(user), r.content[:300]
    if r.status_code == 403:
        assert _state() == before  # a refused request changes nothing
        assert AuditEntry.objects.filter(username=user, outcome="denied").exists()
    elif endpoint.method == "post":
        assert _state() != before  # the system administrator's request did what it says


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_anonymous_requests_are_sent_to_sign_in(endpoint, world):
    r = anonymous_response(endpoint, world)

    assert r.status_code == 302
    assert r["Location"].startswith("/login/?next=")


@pytest.mark.parametrize("user", USERS)
def test_who_may_act_is_decided_before_the_body_is_judged(user, world, web):
    before = _state()

    r = web(user).post("/system/organisations/new/", {"code": "no spaces allowed", "kind": "x"})

    assert r.status_code == (422 if user == "sysadmin" else 403)
    assert _state() == before
