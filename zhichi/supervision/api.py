"""Procuratorial suggestions in the partner API (API.md § legal supervision, rule TL-9).

Only the procuratorate's staff reach these operations: for partner agencies and the
administrators every suggestion (and a case's list of them) answers 404, like a missing one.
"""

from __future__ import annotations

from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from zhichi.cases.rules import get_internal_case_for
from zhichi.cases.services.common import WORK
from zhichi.common.api import (
    READ_ERRORS,
    WRITE_ERRORS,
    ErrorOut,
    ValidationErrorOut,
    checks_first,
    keyset_paginated,
    once,
    viewer,
)
from zhichi.common.errors import FieldError, InvalidInput
from zhichi.common.schemas import IsoText, OptionalIsoText, one_of
from zhichi.rulebook import loaders
from zhichi.supervision import rules, services, workflow
from zhichi.supervision.models import Suggestion, SuggestionStatus
from zhichi.supervision.schemas import (
    EscalateIn,
    ReplyIn,
    ReviseIn,
    ServeIn,
    SuggestionCloseIn,
    SuggestionIn,
    SuggestionWithdrawIn,
)

router = Router(tags=["suggestions"])


class EscalationOut(Schema):
    escalated_on: IsoText
    to: str
    reason: str
    by: str = Field(..., alias="by.username")


# A suggestion read by ``_qs()`` (its case, approval, recipient, drafter, escalations).
class SuggestionOut(Schema):
    id: int
    case_id: int
    case_number: str = Field(..., alias="case.number")
    number: str | None = Field(..., description="issued when the chief procurator approves")
    status: str = Field(
        ...,
        description="pending | returned | approved | served | replied | escalated | closed | "
        "withdrawn",
    )
    to_org_name: str
    to_org: str | None
    issue: str
    recommendations: str
    legal_basis: str
    drafted_by: str = Field(..., alias="drafted_by.username")
    drafted_at: IsoText
    approval_id: int | None
    approval_status: str | None = Field(..., description="pending | approved | rejected")
    approved_at: OptionalIsoText
    return_reason: str
    served_on: OptionalIsoText = Field(..., description="planned before service, actual after")
    received_on: OptionalIsoText
    method: str | None
    reply_due: OptionalIsoText
    reply_due_provisional: bool = Field(
        ..., description="true before service: computed from the planned served_on"
    )
    reply_due_custom: bool = Field(..., description="a shorter date set for an urgent matter")
    reply_rule: str
    calendar_complete: bool
    overdue: bool
    replied_on: OptionalIsoText
    reply_text: str
    adoption: str | None
    escalations: list[EscalationOut]
    close_note: str
    withdraw_reason: str
    version: int
    actions: list[str] = Field(
        ...,
        description="what you may do with it now, in order (revise, serve, reply, escalate, "
        "close, withdraw): each is POST /suggestions/{id}/<action>",
    )

    @staticmethod
    def resolve_number(s: Suggestion) -> str | None:
        return s.number or None

    @staticmethod
    def resolve_to_org(s: Suggestion) -> str | None:
        return s.to_org.code if s.to_org_id else None

    @staticmethod
    def resolve_approval_status(s: Suggestion) -> str | None:
        return s.approval.status if s.approval_id else None

    @staticmethod
    def resolve_method(s: Suggestion) -> str | None:
        return s.method or None

    @staticmethod
    def resolve_reply_due(s: Suggestion, context):
        return _reply_due(s, context)[0]

    @staticmethod
    def resolve_reply_due_provisional(s: Suggestion, context) -> bool:
        return _reply_due(s, context)[1]

    @staticmethod
    def resolve_reply_rule(s: Suggestion) -> str:
        return services.REPLY_RULE

    @staticmethod
    def resolve_calendar_complete(s: Suggestion, context) -> bool:
        return _reply_due(s, context)[2]

    @staticmethod
    def resolve_overdue(s: Suggestion, context) -> bool:
        return s.is_overdue(_today(context))

    @staticmethod
    def resolve_adoption(s: Suggestion) -> str | None:
        return s.adoption or None

    @staticmethod
    def resolve_actions(s: Suggestion, context) -> list[str]:
        user = viewer(context)
        return workflow.allowed_actions(user, s, _today(context)) if user is not None else []


# one holiday calendar and one "today" for a whole answer, however many suggestions it lists
def _today(context):
    return once(context, "today", timezone.localdate)


def _reply_due(s: Suggestion, context):
    """(due, provisional, calendar_complete): ``services.reply_due_info``."""
    return services.reply_due_info(s, once(context, "holiday_calendar", loaders.holiday_calendar))


RELATED = ("case", "approval", "to_org", "drafted_by")


def _qs():
    return Suggestion.objects.select_related(*RELATED).prefetch_related("escalations__by")


# Who may act is decided before the body is judged (issue 12, item 10): see checks_first.
def _drafts(request, case_id):
    WORK.ensure(get_internal_case_for(request.auth, case_id).pk, request.auth, "suggestion.draft")


def _revises(request, suggestion_id):
    s = rules.get_suggestion_for(request.auth, suggestion_id)
    services.ensure_may_revise(suggestion_id=s.pk, actor=request.auth)


def _follows_up(action: str):
    def guard(request, suggestion_id):
        s = rules.get_suggestion_for(request.auth, suggestion_id)
        services.ensure_may_follow_up(suggestion_id=s.pk, actor=request.auth, action=action)

    return guard


@router.post(
    "/cases/{case_id}/suggestions",
    response={201: SuggestionOut, **WRITE_ERRORS},
    summary="Draft a procuratorial suggestion and submit it to the chief procurator (TL-9)",
)
@checks_first(_drafts)
def suggestion_draft(request, case_id: int, payload: SuggestionIn):
    case = get_internal_case_for(request.auth, case_id)
    s = services.draft_suggestion(case_id=case.pk, actor=request.auth, data=payload)
    return Status(201, _qs().get(pk=s.pk))


@router.get(
    "/cases/{case_id}/suggestions",
    response={200: list[SuggestionOut], **READ_ERRORS},
    summary="The procuratorial suggestions of a case, newest first",
)
def case_suggestions(request, case_id: int):
    case = get_internal_case_for(request.auth, case_id)
    return _qs().filter(case=case).order_by("-id")[:200]


@router.get(
    "/suggestions",
    response={200: list[SuggestionOut], 401: ErrorOut, 422: ValidationErrorOut},
    summary="The register of procuratorial suggestions you may see, newest first",
)
@keyset_paginated()
def list_suggestions(
    request,
    status: one_of(SuggestionStatus) | None = None,
    overdue: bool | None = Query(None, description="only those whose reply is overdue"),
    q: str | None = Query(None, description="number, recipient or case number"),
):
    if status and status not in SuggestionStatus.values:
        raise InvalidInput([FieldError("status", "choice", " | ".join(SuggestionStatus.values))])
    qs = Suggestion.objects.visible_to(request.auth).register_filter(
        today=timezone.localdate(), status=status or "", overdue=overdue, q=q or ""
    )
    return qs.select_related(*RELATED).prefetch_related("escalations__by")


@router.get(
    "/suggestions/{suggestion_id}",
    response={200: SuggestionOut, **READ_ERRORS},
    summary="A procuratorial suggestion",
)
def get_suggestion(request, suggestion_id: int):
    return rules.get_suggestion_for(request.auth, suggestion_id, _qs())


def _step(request, suggestion_id: int, call, payload: Schema):
    s = rules.get_suggestion_for(request.auth, suggestion_id)
    call(suggestion_id=s.pk, actor=request.auth, data=payload, version=payload.version)
    return _qs().get(pk=s.pk)


@router.post(
    "/suggestions/{suggestion_id}/revise",
    response={200: SuggestionOut, **WRITE_ERRORS},
    summary="Revise a returned suggestion and submit it again (a new approval)",
)
@checks_first(_revises)
def suggestion_revise(request, suggestion_id: int, payload: ReviseIn):
    return _step(request, suggestion_id, services.revise_suggestion, payload)


@router.post(
    "/suggestions/{suggestion_id}/serve",
    response={200: SuggestionOut, **WRITE_ERRORS},
    summary="Record service; the reply is due two months after receipt (TL-9)",
)
@checks_first(_follows_up("serve"))
def suggestion_serve(request, suggestion_id: int, payload: ServeIn):
    return _step(request, suggestion_id, services.serve_suggestion, payload)


@router.post(
    "/suggestions/{suggestion_id}/reply",
    response={200: SuggestionOut, **WRITE_ERRORS},
    summary="Record the recipient's written reply",
)
@checks_first(_follows_up("reply"))
def suggestion_reply(request, suggestion_id: int, payload: ReplyIn):
    return _step(request, suggestion_id, services.record_reply, payload)


@router.post(
    "/suggestions/{suggestion_id}/escalate",
    response={200: SuggestionOut, **WRITE_ERRORS},
    summary="Escalate non-compliance (superior procuratorate, competent authority, Party "
    "committee or people's congress)",
)
@checks_first(_follows_up("escalate"))
def suggestion_escalate(request, suggestion_id: int, payload: EscalateIn):
    return _step(request, suggestion_id, services.escalate_suggestion, payload)


@router.post(
    "/suggestions/{suggestion_id}/close",
    response={200: SuggestionOut, **WRITE_ERRORS},
    summary="Close with a note, after the reply or an escalation",
)
@checks_first(_follows_up("close"))
def suggestion_close(request, suggestion_id: int, payload: SuggestionCloseIn):
    return _step(request, suggestion_id, services.close_suggestion, payload)


@router.post(
    "/suggestions/{suggestion_id}/withdraw",
    response={200: SuggestionOut, **WRITE_ERRORS},
    summary="Withdraw with a reason, before service",
)
@checks_first(_follows_up("withdraw"))
def suggestion_withdraw(request, suggestion_id: int, payload: SuggestionWithdrawIn):
    return _step(request, suggestion_id, services.withdraw_suggestion, payload)
