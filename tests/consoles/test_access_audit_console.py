"""Rules R2 and R5 for the auditor's console: every fixture user × every route, with the exact
status. Only the auditor reads the audit trail; every other role, the two other administrators
included, gets 403, and the refusal is itself an audit entry (rule R7); anonymous visitors are sent
to sign in. Nothing but the trail changes, for anyone. ``ENDPOINTS`` feeds the coverage check in
tests/test_access_matrix.py.
"""

from __future__ import annotations

import pytest

from tests.access import USERS, Endpoint, anonymous_response, call_endpoint
from zhichi.accounts.models import ApiToken, User
from zhichi.audit.models import AuditEntry
from zhichi.audit.services import record

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

AUDITOR = frozenset({"auditor"})


@pytest.fixture
def world(users) -> dict:
    """One entry naming a case, so the history and the exports have something to show."""
    record(action="case.open", actor=users["civil1"], object_type="cases.case", object_id=7)
    return {"object_type": "cases.case", "object_id": "7"}


ENDPOINTS = [
    Endpoint("audit_console:trail", "page", "get", "/audit/", 200, None, AUDITOR),
    Endpoint(
        "audit_console:trail",
        "page",
        "get",
        "/audit/",
        200,
        None,
        AUDITOR,
        {"user": "civil1", "action": "case.", "outcome": "ok"},
        label="audit_console:trail filtered",
    ),
    Endpoint(
        "audit_console:history",
        "page",
        "get",
        "/audit/object/{object_type}/{object_id}/",
        200,
        None,
        AUDITOR,
    ),
    Endpoint("audit_console:verify", "page", "get", "/audit/verify/", 200, None, AUDITOR),
    Endpoint(
        "audit_console:verify",
        "page",
        "post",
        "/audit/verify/",
        200,
        None,
        AUDITOR,
        label="audit_console:verify POST",
    ),
    Endpoint("audit_console:export_csv", "page", "get", "/audit/export.csv", 200, None, AUDITOR),
    Endpoint("audit_console:export_xlsx", "page", "get", "/audit/export.xlsx", 200, None, AUDITOR),
]


def _state() -> tuple:
    """What no page of the console may change: users (and their roles) and API tokens."""
    return (
        sorted(User.objects.values_list("pk", "role", "is_active", "security_stamp")),
        sorted(ApiToken.objects.values_list("pk", "revoked_at")),
    )


@pytest.mark.parametrize("user", USERS)
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_r5_only_the_auditor_reads_the_audit_trail(endpoint, user, world, web, api):
    client = web(user)  # signed in before the count: the sign-in is an entry of its own
    before = _state()
    last = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0

    r = call_endpoint(endpoint, user, world, web=lambda _name: client, api=api)

    assert r.status_code == endpoint.expected(user), r.content[:300]
    assert _state() == before  # the console changes nothing but the trail
    new = list(AuditEntry.objects.filter(pk__gt=last))
    assert len(new) == 1  # every reading or refusal is exactly one entry
    assert new[0].username == user and new[0].action.startswith("audit.")
    if r.status_code == 403:
        assert new[0].outcome == "denied"
        assert "<table" not in r.content.decode()  # nothing of the trail shown
    else:
        assert new[0].outcome == "ok"


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_anonymous_requests_are_sent_to_sign_in(endpoint, world):
    before = AuditEntry.objects.count()

    r = anonymous_response(endpoint, world)

    assert r.status_code == 302
    assert r["Location"].startswith("/login/?next=")
    assert AuditEntry.objects.count() == before
