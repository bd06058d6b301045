"""Issue 12, item 16: a GET never changes anything.

Every route of the URLconf, pages and API, is called with GET on the seeded demo world, its ids
filled with rows that exist, by users of each kind; before and after each route every table is
read whole and compared row by row. Excepted, because reading them is meant to write them: the
audit trail (reads of personal data and 404s are audited, rule R7), sessions (the idle timer),
and ``ApiToken.last_used_at``.
"""

from __future__ import annotations

import hashlib
import re

import pytest
from django.apps import apps
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.fuzzing import demo_world
from zhichi.accounts.models import User
from zhichi.accounts.notify import notify
from zhichi.accounts.services import issue_token

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

EXEMPT_APPS = {"audit", "sessions"}
EXEMPT_FIELDS = {
    ("accounts.apitoken", "last_used_at"),
    # the session's row follows the idle timer, like the session itself (rule R6)
    ("accounts.usersession", "last_seen_at"),
}
PAGE_USERS = [
    "civil1",
    "civilhead",
    "chief",
    "registrar1",
    "hrss1",
    "sysadmin",
    "secadmin",
    "auditor",
]
API_USERS = ["civil1", "hrss1"]


def snapshot() -> dict[str, tuple[int, str]]:
    """Per table: the row count and a digest of every row, in primary-key order."""
    state = {}
    for model in apps.get_models():
        meta = model._meta
        if meta.app_label in EXEMPT_APPS or not meta.managed:
            continue
        fields = [
            f.attname
            for f in meta.concrete_fields
            if (meta.label_lower, f.name) not in EXEMPT_FIELDS
        ]
        digest = hashlib.sha256()
        count = 0
        for row in model._base_manager.order_by("pk").values_list(*fields).iterator():
            digest.update(repr(row).encode())
            count += 1
        state[meta.label_lower] = (count, digest.hexdigest())
    return state


def changed(before: dict, after: dict) -> list[str]:
    return sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))


def routes() -> list[tuple[str, str]]:
    """(route, name) of every URL pattern, with Django's converter syntax."""

    def walk(patterns, prefix="", ns=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                inner = ns + (f"{p.namespace}:" if p.namespace else "")
                yield from walk(p.url_patterns, prefix + str(p.pattern), inner)
            elif isinstance(p, URLPattern):
                yield prefix + str(p.pattern), ns + (p.name or "")

    seen, out = set(), []
    for route, name in walk(get_resolver().url_patterns):
        if route.startswith("^") or route in seen:  # static files and the i18n view's regexes
            continue
        seen.add(route)
        out.append((route, name))
    return out


# which model a bare <pk> names, by the route's first segments
PK_MODELS = [
    ("account/tokens/", "accounts.ApiToken"),
    ("security/tokens/", "accounts.ApiToken"),
    ("security/users/", "accounts.User"),
    ("security/sessions/", "accounts.UserSession"),
    ("system/organisations/", "accounts.Organisation"),
    ("system/departments/", "accounts.Department"),
    ("leads/", "intake.Lead"),
    ("cases/", "cases.Case"),
    ("attachments/", "evidence.Attachment"),
    ("transfers/new/case/", "cases.Case"),
    ("transfers/new/lead/", "intake.Lead"),
    ("transfers/", "transfers.Transfer"),
    ("integrations/webhooks/", "webhooks.WebhookSubscription"),
    ("joint-actions/", "employers.JointAction"),
    ("assistance/", "assistance.AssistanceApplication"),
    ("supervision/suggestions/", "supervision.Suggestion"),
    ("documents/case-files/", "documents.CaseFileExport"),
    ("documents/", "documents.IssuedDocument"),
]
NAMED_MODELS = {
    "import_id": "imports.ImportJob",
    "case_id": "cases.Case",
    "lead_id": "intake.Lead",
    "approval_id": "cases.Approval",
    "visit_id": "cases.Visit",
    "appointment_id": "cases.MediationAppointment",
    "share_id": "cases.CaseShare",
    "transfer_id": "transfers.Transfer",
    "attachment_id": "evidence.Attachment",
    "subscription_id": "webhooks.WebhookSubscription",
    "joint_action_id": "employers.JointAction",
    "application_id": "assistance.AssistanceApplication",
    "suggestion_id": "supervision.Suggestion",
    "export_id": "documents.CaseFileExport",
    "token_id": "accounts.ApiToken",
    "payment_id": "cases.Payment",
    "party_id": "parties.Party",
}
PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")


def _first_pk(label: str) -> str:
    model = apps.get_model(label)
    pk = model._base_manager.order_by("pk").values_list("pk", flat=True).first()
    return str(pk if pk is not None else 999999)


def fill(route: str) -> str:
    """The route with each parameter replaced by the id of a row that exists."""

    def value(match):
        converter, name = match.group(1), match.group(2)
        if name == "pk":
            label = next(label for prefix, label in PK_MODELS if route.startswith(prefix))
            return _first_pk(label)
        if name in NAMED_MODELS:
            return _first_pk(NAMED_MODELS[name])
        if name == "object_type":
            return "cases.case"
        if name == "object_id":
            return _first_pk("cases.Case")
        if name == "credit_code":
            party = apps.get_model("parties.Party")
            code = party.objects.exclude(credit_code="").values_list("credit_code", flat=True)
            return code.first() or "91530102MA6K2P3Q0X"
        if name == "kind":
            return "support_opinion"
        if name == "what":
            return "holiday"
        if name == "version":
            return "1"
        if name == "step" and route.startswith("portal/"):
            return "what"
        if name == "code" and route.startswith("portal/"):
            lead = apps.get_model("intake.Lead").objects.order_by("pk").first()
            return lead.receipt_code if lead else "ABCDEFGHJK"
        if name == "key" and route.startswith("stats/"):
            return "amount_recovered"
        raise AssertionError(f"no value for <{converter}:{name}> in {route}")

    return PARAM.sub(value, route)


demo = demo_world()


def test_every_get_route_changes_nothing_issue12_item16(demo, db):
    for user in User.objects.all():
        notify(user=user, kind="test", text="未读提醒", url="/")  # the page used to mark it read
    users = {u.username: u for u in User.objects.filter(username__in=PAGE_USERS)}
    pages = {}
    for name in PAGE_USERS:
        pages[name] = Client(raise_request_exception=False)
        pages[name].force_login(users[name])
    tokens = {name: issue_token(user=users[name], name="get-walk").raw for name in API_USERS}
    statuses: dict[str, set[int]] = {}
    offenders = {}
    for route, name in routes():
        path = "/" + fill(route)
        before = snapshot()
        got = set()
        if route.startswith("api/"):
            for username in API_USERS:
                bearer = {"Authorization": f"Bearer {tokens[username]}"}
                got.add(Client().get(path, headers=bearer).status_code)
        else:
            for client in pages.values():
                got.add(client.get(path).status_code)
        after = snapshot()
        statuses[path] = got
        if changed(before, after):
            offenders[f"{name} GET {path}"] = changed(before, after)

    assert offenders == {}
    # the walk reached real pages and objects, not only 404s
    assert sum(1 for s in statuses.values() if 200 in s) >= 60
    assert max(max(s) for s in statuses.values()) < 500, {
        p: s for p, s in statuses.items() if max(s) >= 500
    }
