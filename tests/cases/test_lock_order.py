"""One way to change a case, with one lock order (issue 14, item 7; docs/architecture.md "One lock
order"): ``changing_case`` checks the permission and audits a refusal outside the transaction,
locks the case row first, and on success bumps the version and ``updated_at``, recomputes the
deadlines and writes the audit row. The PostgreSQL test races a head's approval against an
officer's withdrawal of the same judicial assistance application: with the case locked first by
both, one wins and the other is refused, and PostgreSQL never reports a deadlock."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import OperationalError, connection

from tests.assistance.conftest import EXCLUSIONS_NONE, application_data
from tests.transfers.conftest import wage_case
from zhichi.assistance import services as assistance
from zhichi.assistance.models import AssistanceApplication, AssistanceStatus
from zhichi.audit.models import AuditEntry
from zhichi.cases.models import Approval, ApprovalStatus, Case, PartyRole
from zhichi.cases.services import common, move_stage, override_level
from zhichi.cases.services.approvals import decide_approval
from zhichi.cases.services.disposal import plan_visit
from zhichi.common.errors import InvalidInput, NotPermitted, StaleVersion

pytestmark = pytest.mark.integration


def fresh(case: Case) -> Case:
    case.refresh_from_db()
    return case


@pytest.fixture
def case(users) -> Case:
    return wage_case(users, consent=False, seq="71")


# --- any database ------------------------------------------------------------------------------
@pytest.mark.django_db
def test_override_level_bumps_the_version_and_updated_at(users, case):
    before = fresh(case).version, case.updated_at
    override_level(
        case_id=case.pk,
        level=1,
        reason="涉及群体性风险",
        actor=users["civilhead"],
        version=before[0],
    )
    fresh(case)
    assert case.version == before[0] + 1
    assert case.updated_at > before[1]
    assert (case.level, case.level_override_reason) == (1, "涉及群体性风险")
    entry = AuditEntry.objects.filter(action="case.level").latest("id")
    assert (entry.outcome, entry.detail["to"]) == ("ok", 1)


@pytest.mark.django_db
def test_move_stage_is_saved_deadlined_and_audited_by_the_shared_change(users, case, monkeypatch):
    refreshed = []
    real = common.refresh
    monkeypatch.setattr(common, "refresh", lambda c: refreshed.append(c.pk) or real(c))
    before = fresh(case).version, case.updated_at
    moved = move_stage(
        case_id=case.pk,
        to="pre_litigation",
        reason="先行调解",
        version=before[0],
        actor=users["civil1"],
    )
    assert refreshed == [case.pk]  # through changing_case, not a copy of it
    fresh(case)
    assert (case.stage, case.version) == ("pre_litigation", before[0] + 1)
    assert case.updated_at > before[1] and moved.updated_at == case.updated_at
    entry = AuditEntry.objects.filter(action="case.stage").latest("id")
    assert entry.detail == {"from": "review", "to": "pre_litigation", "version": case.version}


@pytest.mark.django_db
def test_a_stale_version_is_409_and_changes_nothing(users, case):
    version = fresh(case).version
    with pytest.raises(StaleVersion):
        move_stage(
            case_id=case.pk,
            to="pre_litigation",
            reason="先行调解",
            version=version - 1,
            actor=users["civil1"],
        )
    assert (fresh(case).stage, case.version) == ("review", version)


@pytest.mark.django_db
def test_a_refusal_is_audited_although_the_change_rolled_back(users, case):
    version, summary = fresh(case).version, case.summary
    data = {"planned_on": "2027-01-05", "target": "claimant", "method": "phone"}
    with pytest.raises(NotPermitted) as exc:
        plan_visit(case_id=case.pk, actor=users["civil2"], data=data)  # not the case's officer
    assert str(exc.value) == str(common.rules.WORK_REFUSAL())
    denied = AuditEntry.objects.get(action="case.visit", outcome="denied")
    assert (denied.username, denied.object_id) == ("civil2", str(case.pk))
    assert fresh(case).version == version

    # a change that fails inside rolls back everything, the case's version and audit row too
    change = common.changing_case(case.pk, actor=users["civil1"], action="case.visit")
    with pytest.raises(RuntimeError), change:
        change.case.summary = "不会保存"
        change.save("summary")
        change.audit(detail={"visit": 0})
        raise RuntimeError
    assert (fresh(case).version, case.summary) == (version, summary)
    assert not AuditEntry.objects.filter(action="case.visit", outcome="ok").exists()
    assert AuditEntry.objects.filter(action="case.visit", outcome="denied").count() == 1


@pytest.mark.django_db
def test_a_closed_case_is_refused_unless_the_change_allows_it(users, case):
    Case.objects.filter(pk=case.pk).update(status="closed", stage="closed")
    change = common.changing_case(case.pk, actor=users["civil1"], action="case.visit")
    with pytest.raises(InvalidInput) as exc, change:
        pass
    assert [(e.field, e.code) for e in exc.value.errors] == [("case", "closed")]
    with common.changing_case(
        case.pk, actor=users["civil1"], action="case.visit", allow_closed=True
    ) as change:
        version = change.case.version
    assert fresh(case).version == version


# --- PostgreSQL: an approval and a withdrawal of the same application at once --------------------
ROUNDS = 30


def _application(users, case, claimant) -> AssistanceApplication:
    """An application of ``claimant`` whose first step waits for the department head."""
    data = application_data(case, applicant_party_id=claimant.party_id)
    a = assistance.record_application(case_id=case.pk, actor=users["civil1"], data=data)
    assistance.submit_opinion(
        application_id=a.pk,
        actor=users["civil1"],
        data={
            "exclusions": dict(EXCLUSIONS_NONE),
            "verification": "走访社区、医院，核实收入与医疗费用票据",
            "proposal": "refuse",  # needs no wage figure for the cap
            "opinion": "不予救助",
        },
    )
    a.refresh_from_db()
    assert a.status == AssistanceStatus.IN_APPROVAL and a.approval_id
    return a


def _race(*calls) -> list[tuple[str, object]]:
    """Run ``calls`` in threads that start together; each answers ("ok", result) or
    ("error", exception)."""
    barrier = threading.Barrier(len(calls))
    results: list[tuple[str, object]] = [("missing", None)] * len(calls)

    def run(i, call):
        try:
            barrier.wait(timeout=30)
            results[i] = ("ok", call())
        except BaseException as exc:  # reported by the test
            results[i] = ("error", exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row locks and deadlock detection need PostgreSQL (SQLite locks the whole database)",
)
@pytest.mark.django_db(transaction=True)
def test_approving_and_withdrawing_the_same_application_at_once_never_deadlocks(users):
    case = wage_case(users, consent=False, seq="72", workers=ROUNDS)
    claimants = list(case.parties.filter(role=PartyRole.CLAIMANT).order_by("position"))
    wins = {"approval": 0, "withdrawal": 0}
    version = fresh(case).version
    started = time.monotonic()
    for n, claimant in enumerate(claimants):
        a = _application(users, case, claimant)
        first = a.approval_id
        approving, withdrawing = _race(
            lambda a=a, first=first: decide_approval(
                approval_id=first, actor=users["civilhead"], approve=True
            ),
            lambda a=a: assistance.withdraw_application(
                application_id=a.pk,
                actor=users["civil1"],
                data={"reason": "申请人撤回申请"},
                version=a.version,
            ),
        )
        # a deadlock is psycopg's DeadlockDetected, raised by Django as an OperationalError
        deadlocks = [v for _o, v in (approving, withdrawing) if isinstance(v, OperationalError)]
        assert not deadlocks, f"round {n}: {deadlocks!r}"
        outcomes = sorted((approving[0], withdrawing[0]))
        assert outcomes == ["error", "ok"], f"round {n}: {approving!r} {withdrawing!r}"
        a.refresh_from_db()
        if approving[0] == "ok":
            wins["approval"] += 1
            # the withdrawal was made on the version before the step passed: 409
            assert isinstance(withdrawing[1], StaleVersion), f"round {n}: {withdrawing!r}"
            assert Approval.objects.get(pk=first).status == ApprovalStatus.APPROVED
            assert a.status == AssistanceStatus.IN_APPROVAL and a.step_index == 1
            assert Approval.objects.get(pk=a.approval_id).status == ApprovalStatus.PENDING
        else:
            wins["withdrawal"] += 1
            refusal = approving[1]
            assert isinstance(refusal, InvalidInput), f"round {n}: {approving!r}"
            assert [(e.field, e.code) for e in refusal.errors] == [("status", "decided")]
            assert Approval.objects.get(pk=first).status == ApprovalStatus.WITHDRAWN
            assert a.status == AssistanceStatus.WITHDRAWN and a.approval_id is None
        assert (
            not Approval.objects.filter(
                case=case, status=ApprovalStatus.PENDING, payload__application=a.pk
            )
            .exclude(pk=a.approval_id or 0)
            .exists()
        )
        # each change of the case bumped its version once: the application, the opinion and
        # the winner, never the refused one
        assert fresh(case).version == version + 3 * (n + 1), f"round {n}"
    assert sum(wins.values()) == ROUNDS
    print(f"\n{ROUNDS} rounds in {time.monotonic() - started:.1f}s: {wins}")
