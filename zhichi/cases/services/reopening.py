"""Reopening a closed case (API.md: ``POST /api/v1/cases/{id}/reopen``, a head).

A head of the case's department reopens a case that someone else closed: the case is open again,
back at the stage it was closed from. Undoing a closure one made oneself is not a second look, so
a head who closed the case, or who is its officer, cannot reopen it alone (four eyes, decision
0005): the reopening becomes an approval — another head of the department, or the chief
procurator where that head is the only one — and the case reopens when it is approved.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from zhichi.accounts.models import Role, User
from zhichi.audit.services import record
from zhichi.cases import rules
from zhichi.cases.models import (
    Approval,
    ApprovalKind,
    ApprovalStatus,
    Case,
    CaseStatus,
    Outcome,
    Stage,
    TimelineEvent,
)
from zhichi.cases.presenters import choice_label
from zhichi.cases.schemas import ReopenIn
from zhichi.cases.services import add_event, publish_stage_changed
from zhichi.cases.services.approvals import request_approval
from zhichi.cases.services.common import Permission, changing_case
from zhichi.common.errors import FieldError, InvalidInput
from zhichi.common.inputs import parse

REOPENED_FIELDS = ("stage", "status", "outcome", "closing_note", "closed_on")


@dataclass(frozen=True)
class Reopening:
    """What a request to reopen did: the case (open again), or the approval it waits for."""

    case: Case
    approval: Approval | None = None


def REOPEN_REFUSAL() -> str:
    return _("Only a head of the case's department may reopen a closed case.")


def _closing(case: Case) -> TimelineEvent | None:
    """The event that closed the case last: who closed it, and from which stage."""
    return case.timeline.filter(kind="case_closed").order_by("-at", "-id").first()


def closed_by_self(user: User, case: Case) -> bool:
    """The head's own work: they closed the case or they handle it as its officer."""
    closing = _closing(case)
    return case.officer_id == user.pk or (closing is not None and closing.actor_id == user.pk)


def pending_reopening(case: Case) -> Approval | None:
    return (
        case.approvals.filter(kind=ApprovalKind.REOPENING, status=ApprovalStatus.PENDING)
        .select_related("requested_by")
        .first()
    )


REOPEN = Permission(rules.can_reopen, REOPEN_REFUSAL)


def ensure_may_reopen(*, case_id: int, actor: User) -> Case:
    """Refuse (and audit) anyone but a head of the case's department, before anything else (the
    API checks this before it reads the body)."""
    return REOPEN.ensure(case_id, actor, "case.reopen")


def reopen_case(
    *, case_id: int, actor: User, data: ReopenIn | dict, version: int | None = None
) -> Reopening:
    """Reopen a closed case with a reason, or ask another person to when the actor closed it or
    handles it (four eyes). 403 for anyone but a head of the case's department."""
    change = changing_case(
        case_id,
        actor=actor,
        action="case.reopen",
        version=version,
        allow_closed=True,
        permission=REOPEN,
    )
    reason = parse(ReopenIn, data).reason
    with change:
        case = change.case
        if case.status != CaseStatus.CLOSED:
            raise InvalidInput(
                [FieldError("status", "not_closed", _("The case is open: nothing to reopen."))]
            )
        if pending_reopening(case) is not None:
            raise InvalidInput(
                [
                    FieldError(
                        "status",
                        "pending",
                        _("A reopening of this case already waits for approval."),
                    )
                ]
            )
        if closed_by_self(actor, case):
            approval = request_approval(
                case=case,
                kind=ApprovalKind.REOPENING,
                required_role=Role.HEAD,
                actor=actor,
                payload={
                    "reasons": reason,
                    "outcome": case.outcome,
                    "closed_on": case.closed_on.isoformat() if case.closed_on else "",
                },
                text=_("Approval needed: reopening %(number)s") % {"number": case.number},
            )
            add_event(
                case,
                kind="reopening_proposed",
                actor=actor,
                summary=reason,
                data={"approval": approval.pk, "role": approval.required_role},
            )
            change.audit(detail={"approval": approval.pk, "role": approval.required_role})
            return Reopening(case, approval)
        _reopen(case, actor, reason)
        change.save(*REOPENED_FIELDS)
        change.audit(detail={"stage": case.stage})
    return Reopening(case)


def _reopen(case: Case, actor: User, reason: str) -> None:
    """Open the (locked) case again at the stage it was closed from; the change saves it."""
    closing = _closing(case)
    # a case closed without the closing event (bulk-loaded data) is reviewed again
    stage = (closing.data.get("from") if closing else None) or Stage.REVIEW
    case.stage, case.status = stage, CaseStatus.OPEN
    case.outcome, case.closing_note, case.closed_on = "", "", None
    add_event(
        case,
        kind="case_reopened",
        actor=actor,
        summary=reason,
        data={"from": Stage.CLOSED, "to": stage},
    )
    publish_stage_changed(case, Stage.CLOSED)


def on_approval_decided(approval: Approval, actor: User, approved: bool, reason: str) -> None:
    """The hook of ``reopening`` approvals (inside ``decide_approval``'s change, the case locked
    and its deadlines recomputed afterwards): an approved reopening opens the case; a rejected
    one leaves it closed."""
    case = approval.case
    if not approved:
        return
    if case.status != CaseStatus.CLOSED:
        raise InvalidInput(
            [FieldError("status", "not_closed", _("The case is open again already."))]
        )
    _reopen(case, actor, approval.payload.get("reasons", ""))
    case.save(update_fields=list(REOPENED_FIELDS))
    record(
        action="case.reopen",
        actor=actor,
        obj=case,
        detail={"stage": case.stage, "approval": approval.pk},
    )


def present_approval(approval: Approval) -> dict:
    """The inbox line of a reopening, in the reader's language."""
    p = approval.payload
    return {
        "summary": _("Reopen the case closed on %(day)s (%(outcome)s)")
        % {"day": p.get("closed_on", ""), "outcome": choice_label(Outcome, p.get("outcome"))},
        "step_label": "",
    }


def describe_requested(e: TimelineEvent) -> str:
    if e.data.get("role") == Role.CHIEF:
        return _("Reopening proposed, for the chief procurator's approval")
    return _("Reopening proposed, for another head's approval")


def describe_reopened(e: TimelineEvent) -> str:
    return _("Case reopened at %(stage)s") % {"stage": choice_label(Stage, e.data.get("to"))}
