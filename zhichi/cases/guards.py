"""What a case needs before it may move to a stage (C3), in plain words for the case page.

Each guard returns the list of what is missing; an empty list means the move may happen.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from zhichi.cases.models import (
    Approval,
    ApprovalKind,
    ApprovalStatus,
    Case,
    CourtEvent,
    CourtEventKind,
    Flag,
    Mediation,
    MediationOutcome,
)
from zhichi.core import stages


def approved_support(case: Case) -> bool:
    latest = (
        Approval.objects.filter(case=case, kind=ApprovalKind.SUPPORT_DECISION)
        .exclude(status=ApprovalStatus.REJECTED)
        .order_by("-requested_at", "-id")
        .first()
    )
    return bool(
        latest
        and latest.status == ApprovalStatus.APPROVED
        and latest.payload.get("decision") == "support"
    )


def has_arbitration_award(case: Case) -> bool:
    return CourtEvent.objects.filter(case=case, kind=CourtEventKind.ARBITRATION_AWARD).exists()


def has_enforceable_title(case: Case) -> bool:
    """A judgment, a ruling or a mediation agreement: what post-litigation follows up."""
    return (
        CourtEvent.objects.filter(
            case=case, kind__in=[CourtEventKind.JUDGMENT, CourtEventKind.RULING]
        ).exists()
        or Mediation.objects.filter(case=case, outcome=MediationOutcome.AGREEMENT).exists()
    )


def missing_for(case: Case, target: str, *, outcome: str = "") -> list[str]:
    missing: list[str] = []
    if target == stages.LITIGATION:
        if not approved_support(case):
            missing.append(_("a support decision approved by the department head"))
        # rule SP-6: with a labour relationship, arbitration comes first (IOU exception)
        if case.has_flag(Flag.ARBITRATION_FIRST) and not has_arbitration_award(case):
            missing.append(
                _(
                    "a labour arbitration award (a labour relationship exists and there is no wage IOU: arbitration comes first, rule SP-6)"
                )
            )
    elif target == stages.POST_LITIGATION:
        if not has_enforceable_title(case):
            missing.append(_("a judgment, a ruling or a mediation agreement"))
    elif target == stages.CLOSED and not outcome:
        missing.append(
            _("an outcome (recovered in full, partly, not recovered, withdrawn or transferred)")
        )
    return missing


def next_steps(case: Case) -> list[tuple[str, list[str]]]:
    """For each stage the case may move to: what is still missing (empty: ready)."""
    return [
        (target, missing_for(case, target, outcome="-"))
        for target in stages.allowed_targets(case.stage)
    ]
