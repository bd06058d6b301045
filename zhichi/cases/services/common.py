"""How every service changes a case: ``changing_case``, with THE lock order.

The lock order
--------------
A change that touches a case locks, in this order and never another:

1. the case row (``changing_case`` does it, first, before anything else is locked);
2. the subject record the change is about: the assistance application, the suggestion, the
   transfer, the visit, the party ...;
3. the approval, when the change decides or withdraws one.

Every writer of a case's records takes the case row first, so two changes of the same case queue
on it and never hold each other's subject or approval: an officer withdrawing an application
while a head approves it cannot deadlock on PostgreSQL. ``decide_approval`` locks the approval
before its hook locks the subject; it holds the case row already, as every other writer of that
subject does, so nobody can hold the subject and wait for the approval.

The shape of a change
---------------------
::

    change = changing_case(case_id, actor=actor, action="case.payment", version=version)
    ...  # read and judge the input (422 before anything is locked)
    with change:
        case = change.case  # locked, at its next version
        ...  # lock the subject, write, add_event(...)
        change.audit(detail={...})

``changing_case`` refuses (403) and audits the refusal when it is called, before any transaction,
so the denial row is kept (rule R7). Entering it opens the transaction, locks the case, refuses a
stale version (409) and a closed case (422). On success it saves the case with its version bumped
and ``updated_at`` set, recomputes what is kept from its records (``derived.refresh``: the
ledger's totals and the deadlines) and writes the audit row the caller gave; on a refusal or an
error everything rolls back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhichi.accounts.models import User
from zhichi.audit.services import record
from zhichi.cases import rules
from zhichi.cases.models import Case, CaseStatus
from zhichi.cases.services.derived import refresh
from zhichi.common.errors import FieldError, InvalidInput, NotPermitted, StaleVersion


@dataclass(frozen=True)
class Permission:
    """Who may make a kind of change to a case (``allowed``) and the words of the refusal."""

    allowed: Callable[[User, Case], bool]
    refusal: Callable[[], str]

    def ensure(self, case_id: int, actor: User, action: str) -> Case:
        """Refuse (and audit the refusal) before any transaction, so the denial row is kept
        (rule R7). The pages and the API call this before they read the input."""
        case = Case.objects.get(pk=case_id)
        if not self.allowed(actor, case):
            record(action=action, actor=actor, obj=case, outcome="denied")
            raise NotPermitted(self.refusal())
        return case


# recording events on a case: its officer or a head of its department
# recording on a case: its officer or a head of its department; pages and the API run
# WORK.ensure(case_id, actor, action) before they read a body
WORK = Permission(rules.can_work_on, rules.WORK_REFUSAL)


def version_missing() -> FieldError:
    """A write that must say which case version it was made on did not (stale ones are 409)."""
    return FieldError(
        "version",
        "required",
        _("Say which version of the case you changed: reload the case and make the change again."),
    )


class CaseChange:
    """One change to a case (see the module's docstring); made by ``changing_case``.

    Inside ``with``: ``case`` is the locked case, already at its next version and time (so what
    the change publishes or audits carries them); ``save(*fields)`` names fields of the case the
    change set, saved with the version; ``audit(...)`` gives the audit row; ``nothing_changed()``
    leaves the case as it was (no version, no deadlines, no audit row).
    """

    def __init__(
        self,
        case_id: int,
        *,
        actor: User,
        action: str,
        version: int | None,
        allow_closed: bool,
    ) -> None:
        self.case_id = case_id
        self.actor = actor
        self.action = action
        self.version = version
        self.allow_closed = allow_closed
        self.case: Case
        self._fields: list[str] = []
        self._audit: dict[str, Any] | None = None
        self._changed = True
        self._running: Any = None

    def save(self, *fields: str) -> None:
        """Fields of the case this change set: saved with the version when it succeeds."""
        self._fields += [f for f in fields if f not in self._fields]

    def audit(
        self, *, detail: dict | None = None, obj: models.Model | None = None, action: str = ""
    ) -> None:
        """The audit row of the change (``action`` and ``obj`` default to the change's action and
        the case), written when it succeeds, after the case is saved."""
        self._audit = {"action": action or self.action, "obj": obj, "detail": detail}

    def nothing_changed(self) -> None:
        """Nothing was changed after all (a check, or a change to what is already recorded)."""
        self._changed = False

    @contextmanager
    def _run(self) -> Iterator[CaseChange]:
        with transaction.atomic():
            case = Case.objects.select_for_update().get(pk=self.case_id)  # 1. the case, first
            if self.version is not None and case.version != self.version:
                raise StaleVersion(case.version)
            if not self.allow_closed and case.status == CaseStatus.CLOSED:
                raise InvalidInput([FieldError("case", "closed", rules.CLOSED_REFUSAL())])
            before = case.version, case.updated_at
            case.version, case.updated_at = case.version + 1, timezone.now()
            self.case = case
            yield self
            if not self._changed:
                case.version, case.updated_at = before
                return
            case.save(update_fields=["version", "updated_at", *self._fields])
            refresh(case)
            if self._audit is not None:
                record(
                    action=self._audit["action"],
                    actor=self.actor,
                    obj=self._audit["obj"] or case,
                    detail=self._audit["detail"],
                )

    def __enter__(self) -> CaseChange:
        self._running = self._run()
        return self._running.__enter__()

    def __exit__(self, *exc: Any) -> bool | None:
        running, self._running = self._running, None
        return running.__exit__(*exc)


def changing_case(
    case_id: int,
    *,
    actor: User,
    action: str,
    version: int | None = None,
    allow_closed: bool = False,
    permission: Permission | None = WORK,
) -> CaseChange:
    """A change to case ``case_id`` by ``actor``: refused here (403, audited as ``action``) unless
    ``permission`` allows it; ``with`` it to make the change (see the module's docstring).

    ``version`` is the case version the change was made on (stale: 409; None: not checked).
    ``allow_closed``: a closed case takes the change (aid paid, a reply recorded, a reopening);
    otherwise 422 at ``case``. ``permission`` None: the caller refused on the change's own record
    (an application, a suggestion, an approval) before calling, auditing on that record.
    """
    if permission is not None:
        permission.ensure(case_id, actor, action)
    return CaseChange(
        case_id, actor=actor, action=action, version=version, allow_closed=allow_closed
    )
