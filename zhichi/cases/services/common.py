"""Helpers shared by the case services: locking with the version check, and touching the case."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from zhichi.accounts.models import User
from zhichi.audit.services import record
from zhichi.cases import rules
from zhichi.cases.models import Case, CaseStatus
from zhichi.common.errors import FieldError, InvalidInput, NotPermitted, StaleVersion


def ensure_may_work(case_id: int, actor: User, action: str) -> Case:
    """Refuse (and audit the refusal) before any transaction, so the denial row is kept (R7)."""
    case = Case.objects.get(pk=case_id)
    if not rules.can_work_on(actor, case):
        record(action=action, actor=actor, obj=case, outcome="denied")
        raise NotPermitted(rules.WORK_REFUSAL())
    return case


def version_missing() -> FieldError:
    """A write that must say which case version it was made on did not (stale ones are 409)."""
    return FieldError(
        "version",
        "required",
        _("Say which version of the case you changed: reload the case and make the change again."),
    )


def lock(case_id: int, version: int | None) -> Case:
    """Lock the case row; refuse a stale version (409) and a closed case (422)."""
    case = Case.objects.select_for_update().get(pk=case_id)
    if version is not None and case.version != version:
        raise StaleVersion(case.version)
    if case.status == CaseStatus.CLOSED:
        raise InvalidInput([FieldError("case", "closed", rules.CLOSED_REFUSAL())])
    return case


def touch(case: Case, *fields: str) -> None:
    """Bump the version (every change to the case aggregate does) and save."""
    case.version += 1
    case.updated_at = timezone.now()
    case.save(update_fields=["version", "updated_at", *fields])
