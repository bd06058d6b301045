"""The API fuzzing pass (QUALITY.md R1, issue 12): schemathesis against /api/v1/openapi.json.

Every operation of the OpenAPI document is called through Django's WSGI application, as an
officer and as a partner, with positive cases (that fit the schema) and negative ones (that
break it), with generated path ids and with ids of objects that exist in the seeded world. A
finding is a server error (5xx) or an answer that breaks its documented schema.

Used by the bounded pass in the default suite (tests/test_api_fuzz.py) and by ``make fuzz``.
"""

from __future__ import annotations

import contextlib
import time
from collections import Counter
from dataclasses import dataclass, field

import hypothesis
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, Phase
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import response_schema_conformance

MODES = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)


@dataclass
class Finding:
    kind: str  # "server error" or "schema violation"
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

    @property
    def server_errors(self) -> list[Finding]:
        return [f for f in self.findings if f.kind == "server error"]

    @property
    def schema_violations(self) -> list[Finding]:
        return [f for f in self.findings if f.kind == "schema violation"]

    def summary(self) -> str:
        top = ", ".join(f"{status}: {n}" for status, n in sorted(self.statuses.items()))
        return (
            f"{self.user}: {self.requests} requests in {self.seconds:.0f} s, "
            f"{len(self.server_errors)} server errors, "
            f"{len(self.schema_violations)} schema violations ({top})"
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
    user,
    *,
    examples: int,
    real_id_rounds: int = 1,
    coverage: int | None = None,
    seed: int | None = 0,
) -> Report:
    """Fuzz every operation as ``user``: the coverage cases (schemathesis' boundary values and
    type mutations, at most ``coverage`` per operation, None for all), once with their own path
    ids and once with seeded ones; then ``examples`` generated cases per operation and mode with
    generated path ids, and ``examples`` more per round with ids of seeded objects."""
    caller = Caller(user)
    report = Report(user=user.username)
    pools = _ids(user)
    started = time.monotonic()
    with _connection_kept():
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

    def __init__(self, user):
        self.user = user
        self.headers: dict[str, str] = {}
        self._issue()

    def _issue(self) -> None:
        from zhichi.accounts.services import issue_token

        self.token = issue_token(user=self.user, name="fuzz").raw
        self.headers = {"Authorization": f"Bearer {self.token}"}

    def keep_token(self) -> None:
        """A generated call may revoke the very token the pass runs with (POST
        /me/tokens/{id}/revoke with its id): then issue a new one, or every later request would
        meet only a 401."""
        from zhichi.accounts.services import user_for_token

        if user_for_token(self.token) is None:
            self._issue()


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


def _send(case, caller, mode, report) -> None:
    label = f"{case.operation.method.upper()} {case.operation.path}"
    response = case.call(headers=caller.headers)
    report.requests += 1
    report.statuses[response.status_code] += 1
    if response.status_code == 401:
        caller.keep_token()
    try:
        case.validate_response(
            response,
            checks=[not_a_server_error, response_schema_conformance],
            headers=caller.headers,
        )
    except FailureGroup as group:
        kind = "server error" if response.status_code >= 500 else "schema violation"
        report.findings.append(
            Finding(kind, label, str(mode), response.status_code, str(group)[:3000])
        )


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


def print_totals(folder: str) -> None:
    """``python -m tests.fuzzing var/fuzz``: each user's figures of a long pass, and the total."""
    import json
    from pathlib import Path

    figures = [json.loads(p.read_text("utf-8")) for p in sorted(Path(folder).glob("*.json"))]
    for f in figures:
        print(
            f"{f['user']}: {f['requests']} requests in {f['seconds']} s, "
            f"{f['server_errors']} server errors, {f['schema_violations']} schema violations; "
            f"statuses {f['statuses']}"
        )
    total = {
        k: sum(f[k] for f in figures) for k in ("requests", "server_errors", "schema_violations")
    }
    print(
        f"total: {total['requests']} requests, {total['server_errors']} server errors, "
        f"{total['schema_violations']} schema violations (findings in {folder}/*.txt)"
    )


if __name__ == "__main__":
    import sys

    print_totals(sys.argv[1] if len(sys.argv) > 1 else "var/fuzz")
