"""The API fuzzing pass (QUALITY.md R1, issue 12): schemathesis against /api/v1/openapi.json.

Every operation of the OpenAPI document is called through Django's WSGI application, as an
officer, a department head, a partner and an administrator, with positive cases (that fit the
schema) and negative ones (that break it), with generated path ids and with ids of objects that
exist in the seeded world. A finding is a server error (5xx), an answer that breaks its
documented schema, a status code the operation does not document, or, for an administrator, any
answer but 401 from an operation behind a token.

The administrators hold no API token (rule R5), so "as an administrator" is every way one could
still try: a token issued while the account held a casework role, before it was made an
administrator; the administrator's signed-in session cookie (the API takes bearer tokens only);
and both at once. The three administrators take turns, request by request.

Used by the bounded pass in the default suite (tests/test_api_fuzz.py) and by ``make fuzz``.
"""

from __future__ import annotations

import contextlib
import logging
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field

import hypothesis
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, Phase
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.generation.meta import CoverageScenario, coverage_scenario
from schemathesis.openapi.checks import UndefinedStatusCode
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

MODES = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
# the identities a pass runs as: a username, or ADMINISTRATOR for the three administrators
ADMINISTRATOR = "administrator"
ADMINS = ("sysadmin", "secadmin", "auditor")
# whose ids the administrators' pass calls with: rows that exist (an administrator sees none)
ADMIN_IDS_OF = "civilhead"

SERVER_ERROR = "server error"
SCHEMA_VIOLATION = "schema violation"
UNDOCUMENTED_STATUS = "undocumented status"
NOT_REFUSED = "administrator not refused"


@dataclass
class Finding:
    kind: str  # SERVER_ERROR, SCHEMA_VIOLATION, UNDOCUMENTED_STATUS or NOT_REFUSED
    operation: str
    mode: str
    status: int
    detail: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.operation} ({self.mode}) → {self.status}\n{self.detail}"


@dataclass
class Report:
    user: str
    requests: int = 0
    statuses: Counter = field(default_factory=Counter)
    findings: list[Finding] = field(default_factory=list)
    seconds: float = 0.0

    def of_kind(self, kind: str) -> list[Finding]:
        return [f for f in self.findings if f.kind == kind]

    @property
    def server_errors(self) -> list[Finding]:
        return self.of_kind(SERVER_ERROR)

    @property
    def schema_violations(self) -> list[Finding]:
        return self.of_kind(SCHEMA_VIOLATION)

    @property
    def undocumented_statuses(self) -> list[Finding]:
        return self.of_kind(UNDOCUMENTED_STATUS)

    @property
    def not_refused(self) -> list[Finding]:
        return self.of_kind(NOT_REFUSED)

    def summary(self) -> str:
        top = ", ".join(f"{status}: {n}" for status, n in sorted(self.statuses.items()))
        return (
            f"{self.user}: {self.requests} requests in {self.seconds:.0f} s, "
            f"{len(self.server_errors)} server errors, "
            f"{len(self.schema_violations)} schema violations, "
            f"{len(self.undocumented_statuses)} undocumented statuses, "
            f"{len(self.not_refused)} administrator answers other than 401 ({top})"
        )


def load_schema():
    with _connection_kept():
        return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


def demo_world(leads: int = 20):
    """A module-scoped fixture: the demo world (``seed_demo``) committed once for the module,
    each test on top of it in its own transaction, everything removed when the module ends."""
    from io import StringIO

    import pytest
    from django.core.management import call_command

    from tests.conftest import reseed_law_library

    @pytest.fixture(scope="module")
    def fixture(django_db_setup, django_db_blocker):
        with django_db_blocker.unblock():
            try:
                call_command("seed_demo", "--force", f"--leads={leads}", stdout=StringIO())
                yield
            finally:
                call_command("flush", interactive=False, verbosity=0)
                reseed_law_library()

    return fixture


def _ids(user) -> dict[str, list]:
    """Ids of objects in the seeded world, per path parameter name: three the user may see and
    one at random (often one it may not), so the 200s and the 404s are both reached with real
    rows."""
    from zhichi.assistance.models import AssistanceApplication
    from zhichi.cases.models import Approval, Case, CaseShare, Visit
    from zhichi.documents.models import CaseFileExport, DocumentKind
    from zhichi.employers.models import JointAction
    from zhichi.evidence.models import Attachment
    from zhichi.imports.models import ImportJob
    from zhichi.intake.models import Lead
    from zhichi.parties.models import Party
    from zhichi.supervision.models import Suggestion
    from zhichi.transfers.models import Transfer
    from zhichi.webhooks.models import WebhookSubscription

    def pks(visible, everything) -> list:
        seen = list(visible.order_by("?").values_list("pk", flat=True)[:3])
        return seen + list(everything.order_by("?").values_list("pk", flat=True)[:1])

    cases = Case.objects.visible_to(user)
    codes = Party.objects.exclude(credit_code="").order_by("?")
    return {
        "case_id": pks(cases, cases.model.objects.all()),
        "lead_id": pks(Lead.objects.visible_to(user), Lead.objects),
        "transfer_id": pks(Transfer.objects.visible_to(user), Transfer.objects),
        "application_id": pks(
            AssistanceApplication.objects.visible_to(user),
            AssistanceApplication.objects,
        ),
        "suggestion_id": pks(Suggestion.objects.visible_to(user), Suggestion.objects),
        "approval_id": pks(Approval.objects.filter(case__in=cases), Approval.objects),
        "visit_id": pks(Visit.objects.filter(case__in=cases), Visit.objects),
        "share_id": pks(CaseShare.objects.filter(case__in=cases), CaseShare.objects),
        "attachment_id": pks(Attachment.objects.visible_to(user), Attachment.objects),
        "export_id": pks(CaseFileExport.objects.filter(case__in=cases), CaseFileExport.objects),
        "joint_action_id": pks(JointAction.objects.visible_to(user), JointAction.objects),
        "import_id": pks(ImportJob.objects.visible_to(user), ImportJob.objects),
        "subscription_id": pks(
            WebhookSubscription.objects.visible_to(user), WebhookSubscription.objects
        ),
        "credit_code": list(codes.values_list("credit_code", flat=True)[:3]),
        "kind": [k.value for k in DocumentKind],
    }


def _operations(schema):
    for result in schema.get_all_operations():
        yield result.ok()


def run_pass(
    schema,
    identity: str,
    *,
    examples: int,
    real_id_rounds: int = 1,
    coverage: int | None = None,
    seed: int | None = 0,
) -> Report:
    """Fuzz every operation as ``identity`` (a username, or ADMINISTRATOR): the coverage cases
    (schemathesis' boundary values and type mutations, at most ``coverage`` per operation, None
    for all), once with their own path ids and once with seeded ones; then ``examples``
    generated cases per operation and mode with generated path ids, and ``examples`` more per
    round with ids of seeded objects."""
    from zhichi.accounts.models import User

    if identity == ADMINISTRATOR:
        caller = AdministratorCaller([User.objects.get(username=name) for name in ADMINS])
        pools = _ids(User.objects.get(username=ADMIN_IDS_OF))
    else:
        user = User.objects.get(username=identity)
        caller = Caller(user)
        pools = _ids(user)
    report = Report(user=identity)
    started = time.monotonic()
    with _connection_kept(), _tracebacks_kept():
        for operation in _operations(schema):
            names = [p.name for p in operation.path_parameters]
            fixed_sets: list[dict | None] = [None]
            for i in range(real_id_rounds):
                chosen = {n: pools[n][i % len(pools[n])] for n in names if pools.get(n)}
                if chosen:
                    fixed_sets.append(chosen)
            _coverage(operation, fixed_sets[-1], caller, coverage, report)
            for fixed in fixed_sets:
                for mode in MODES:
                    _fuzz(operation, mode, fixed, caller, examples, seed, report)
    report.seconds = time.monotonic() - started
    return report


class Caller:
    """The user a pass runs as, with a token of its own."""

    refused = False  # its requests reach the operations

    def __init__(self, user):
        self.user = user
        self.headers: dict[str, str] = {}
        self._issue()

    def _issue(self) -> None:
        from zhichi.accounts.services import issue_token

        self.token = issue_token(user=self.user, name="fuzz").raw
        self.headers = {"Authorization": f"Bearer {self.token}"}

    def next_headers(self) -> dict[str, str]:
        return self.headers

    def keep_token(self) -> None:
        """A generated call may revoke the very token the pass runs with (POST
        /me/tokens/{id}/revoke with its id): then issue a new one, or every later request would
        meet only a 401."""
        from zhichi.accounts.services import user_for_token

        if user_for_token(self.token) is None:
            self._issue()


class AdministratorCaller:
    """The three administrators (rule R5), who hold no API token: each request carries, in
    turn, one administrator's token issued before the account was made an administrator, that
    administrator's session cookie, or both. Every operation behind a token answers 401."""

    refused = True  # every operation behind a token must refuse it

    def __init__(self, admins):
        from django.conf import settings

        self.ways: list[dict[str, str]] = []
        for admin in admins:
            token = {"Authorization": f"Bearer {_token_from_before(admin)}"}
            cookie = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={_session_of(admin)}"}
            self.ways += [token, cookie, {**token, **cookie}]
        self._turn = 0

    def next_headers(self) -> dict[str, str]:
        self._turn += 1
        return self.ways[self._turn % len(self.ways)]

    def keep_token(self) -> None:
        """Nothing to keep: a 401 is the answer expected."""


def _token_from_before(admin) -> str:
    """A token ``admin`` was issued while the account still held a casework role (no token is
    issued to an administrator); the account then became an administrator again."""
    from zhichi.accounts.models import Role, User
    from zhichi.accounts.services import issue_token

    role = admin.role
    User.objects.filter(pk=admin.pk).update(role=Role.OFFICER)
    admin.role = Role.OFFICER
    try:
        raw = issue_token(user=admin, name="issued before the administrator role").raw
    finally:
        User.objects.filter(pk=admin.pk).update(role=role)
        admin.role = role
    return raw


def _session_of(admin) -> str:
    """The session key of ``admin`` signed in with the second factor given: a session the pages
    take (checked here, or the pass would prove nothing); the API must not take it."""
    from django.conf import settings
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=admin, confirmed=True).first()
    device = device or TOTPDevice.objects.create(user=admin, name="authenticator", confirmed=True)
    client = Client()
    client.force_login(admin)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    page = client.get("/")
    assert page.status_code == 200, f"{admin.username}'s session opens no page ({page.status_code})"
    return client.cookies[settings.SESSION_COOKIE_NAME].value


class _Tracebacks(logging.Handler):
    """The traceback logged for a 500, kept for its finding."""

    def __init__(self):
        super().__init__(logging.ERROR)
        self.last = ""

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info:
            self.last = "".join(traceback.format_exception(*record.exc_info))[-2500:]


_TRACEBACKS = _Tracebacks()


@contextlib.contextmanager
def _tracebacks_kept():
    """The API's own handler logs what it catches (zhichi.api); Django logs what escapes it."""
    loggers = [logging.getLogger(name) for name in ("zhichi.api", "django.request")]
    for logger in loggers:
        logger.addHandler(_TRACEBACKS)
    try:
        yield
    finally:
        for logger in loggers:
            logger.removeHandler(_TRACEBACKS)


@contextlib.contextmanager
def _connection_kept():
    """The WSGI handler closes the database connection after each request; the test's
    transaction lives on it, so keep it open as Django's test client does."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _request_text(response) -> str:
    """The request a finding came from, to replay it (the token left out)."""
    request = response.request
    body = request.body or b""
    if isinstance(body, str):
        body = body.encode()
    content_type = request.headers.get("Content-Type", "")
    return f"{request.method} {request.url} ({content_type}) {body[:1000]!r}"


def _send(case, caller, mode, report) -> None:
    label = f"{case.operation.method.upper()} {case.operation.path}"
    headers = caller.next_headers()
    _TRACEBACKS.last = ""
    response = case.call(headers=headers)
    report.requests += 1
    report.statuses[response.status_code] += 1
    if response.status_code == 401:
        caller.keep_token()
    if caller.refused and not _refused_as_documented(case, response):
        report.findings.append(
            Finding(
                NOT_REFUSED,
                label,
                str(mode),
                response.status_code,
                f"{_request_text(response)} with {sorted(headers)}: {response.text[:500]}",
            )
        )
    try:
        case.validate_response(
            response,
            checks=[not_a_server_error, response_schema_conformance, status_code_conformance],
            headers=headers,
        )
    except FailureGroup as group:
        for failure in group.exceptions:
            if response.status_code >= 500:
                kind, detail = SERVER_ERROR, _TRACEBACKS.last or str(failure)
            elif isinstance(failure, UndefinedStatusCode):
                kind, detail = UNDOCUMENTED_STATUS, str(failure)
            else:
                kind, detail = SCHEMA_VIOLATION, str(failure)
            report.findings.append(
                Finding(
                    kind,
                    label,
                    str(mode),
                    response.status_code,
                    f"{_request_text(response)}\n{detail[:3000]}",
                )
            )


def _refused_as_documented(case, response) -> bool:
    """An administrator's request is answered 401 by every operation behind a token. Only a
    request that reaches no operation is answered otherwise: a method the route does not take
    (405), or a path no route matches or that holds a control character (404, before any
    route)."""
    from urllib.parse import unquote_to_bytes, urlsplit

    from django.urls import Resolver404, resolve
    from django.utils.encoding import repercent_broken_unicode

    from zhichi.common.validation import text_problem

    if not case.operation.definition.raw.get("security"):
        return True  # open to anyone (GET /health): answered as for everyone
    if coverage_scenario(case) == CoverageScenario.UNSPECIFIED_HTTP_METHOD:
        return response.status_code in (401, 405)
    if response.status_code == 404:
        # the path as Django reads it (zhichi.common.request_guard refuses it, or no route)
        raw = unquote_to_bytes(urlsplit(response.request.url).path)
        path = repercent_broken_unicode(raw).decode()
        if text_problem(path):
            return True
        try:
            resolve(path)
        except Resolver404:
            return True
        return False
    return response.status_code == 401


def _coverage(operation, fixed, caller, limit, report) -> None:
    config = operation.schema.config.generation_for(operation=operation, phase="coverage")
    cases = operation.schema.iter_coverage_cases(
        operation, generation_modes=list(MODES), generation_config=config
    )
    for n, case in enumerate(cases):
        if limit is not None and n >= limit:
            break
        _send(case, caller, "coverage", report)
        if fixed and case.path_parameters is not None:
            case.path_parameters = {**case.path_parameters, **fixed}
            _send(case, caller, "coverage, seeded ids", report)


def _fuzz(operation, mode, fixed, caller, examples, seed, report) -> None:
    strategy = operation.as_strategy(generation_mode=mode, path_parameters=fixed)

    @hypothesis.settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=seed is not None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
        verbosity=hypothesis.Verbosity.quiet,
    )
    @hypothesis.given(case=strategy)
    def probe(case):
        _send(case, caller, mode, report)

    # nothing to negate (no parameters, no body): the positive cases cover the operation
    with contextlib.suppress(hypothesis.errors.Unsatisfiable):
        probe()


COUNTED = ("requests", "server_errors", "schema_violations", "undocumented_statuses", "not_refused")


def figures(report: Report) -> dict:
    """What ``make fuzz`` keeps of a pass (var/fuzz/<identity>.json)."""
    return {
        "user": report.user,
        "requests": report.requests,
        "server_errors": len(report.server_errors),
        "schema_violations": len(report.schema_violations),
        "undocumented_statuses": len(report.undocumented_statuses),
        "not_refused": len(report.not_refused),
        "seconds": round(report.seconds),
        "statuses": {str(k): v for k, v in sorted(report.statuses.items())},
    }


def print_totals(folder: str) -> None:
    """``python -m tests.fuzzing var/fuzz``: each identity's figures of a long pass, and the
    total."""
    import json
    from pathlib import Path

    found = [json.loads(p.read_text("utf-8")) for p in sorted(Path(folder).glob("*.json"))]
    for f in found:
        print(
            f"{f['user']}: {f['requests']} requests in {f['seconds']} s, "
            f"{f['server_errors']} server errors, {f['schema_violations']} schema violations, "
            f"{f.get('undocumented_statuses', 0)} undocumented statuses, "
            f"{f.get('not_refused', 0)} administrator answers other than 401; "
            f"statuses {f['statuses']}"
        )
    total = {k: sum(f.get(k, 0) for f in found) for k in COUNTED}
    print(
        f"total: {total['requests']} requests, {total['server_errors']} server errors, "
        f"{total['schema_violations']} schema violations, "
        f"{total['undocumented_statuses']} undocumented statuses, "
        f"{total['not_refused']} administrator answers other than 401 "
        f"(findings in {folder}/*.txt)"
    )


if __name__ == "__main__":
    import sys

    print_totals(sys.argv[1] if len(sys.argv) > 1 else "var/fuzz")
