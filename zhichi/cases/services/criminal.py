"""The criminal-lead check run again when a province's figures change (rule CR-4; issue 13, item 4).

A case's check runs whenever its facts change (facts.py, derived.regrade). A province's 数额较大
figures are configuration, not facts: when the system administrator enters them in the law
library, the open wage cases of that province are checked again at once (in the background,
``cases.tasks.recheck_criminal_leads_task``), so a case whose check waited for the figures is
decided from then on without anyone touching it. A figure that takes effect later is applied on
its effective date (the task is deferred to then where the task queue can defer).

Each case is re-checked in its own transaction, its row locked, by ``regrade``: the same code as
every other change. The version is not bumped: none of the facts an officer edits changed, so
nobody's open form goes stale. A case whose check changed gets an audit row, and a timeline
entry when the verdict changed (codes only; the sentence is made when it is shown).
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from zhichi.audit.services import record
from zhichi.cases.models import Case, CaseStatus, Category, TimelineEvent
from zhichi.cases.services import add_event
from zhichi.cases.services.derived import regrade
from zhichi.rulebook.words import verdict_label

RECHECK_EVENT = "criminal_rechecked"


def _comparable(check: dict) -> dict:
    """The check without the day it was made: what changing the figures can change."""
    return {k: v for k, v in (check or {}).items() if k != "checked_on"}


def recheck_criminal_leads(*, province: str, threshold_id: int | None = None) -> int:
    """Run the criminal-lead check again on the open wage cases of organisations in
    ``province``; ``threshold_id`` is the law-library entry that caused it (for the record).
    Answers how many cases' checks changed."""
    ids = list(
        Case.objects.filter(
            status=CaseStatus.OPEN,
            category=Category.WAGES,
            organisation__province=province,
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    changed = 0
    for pk in ids:
        with transaction.atomic():
            case = Case.objects.select_for_update().filter(pk=pk).first()
            if case is None or case.status != CaseStatus.OPEN:
                continue  # closed (or gone) since the list was read
            before = dict(case.criminal_check or {})
            before_flags, before_level = list(case.flags or []), case.level
            regrade(case)
            after = case.criminal_check or {}
            if _comparable(before) == _comparable(after) and (before_flags, before_level) == (
                list(case.flags or []),
                case.level,
            ):
                continue
            changed += 1
            detail = {
                "province": province,
                "threshold": threshold_id,
                "from": before.get("verdict"),
                "to": after.get("verdict"),
                "flags": {"from": before_flags, "to": list(case.flags or [])},
                "level": {"from": before_level, "to": case.level},
            }
            if before.get("verdict") != after.get("verdict"):
                add_event(case, kind=RECHECK_EVENT, actor=None, data=detail)
            record(action="case.criminal_recheck", obj=case, username="system", detail=detail)
    return changed


def describe_recheck(event: TimelineEvent) -> str:
    """The timeline's sentence for a re-check, in the reader's language."""

    data = event.data or {}
    return _(
        "Criminal-lead check run again with the province's newly entered figures: "
        "%(before)s → %(after)s"
    ) % {
        "before": verdict_label(data.get("from") or "") or "—",
        "after": verdict_label(data.get("to") or "") or "—",
    }
