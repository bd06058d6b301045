"""Cases in the partner API (API.md § Cases)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from zhichi.audit.services import record
from zhichi.cases import rules, services
from zhichi.cases.criminal_flag import flags_for, shown_flags
from zhichi.cases.filters import filter_cases
from zhichi.cases.models import Case, CaseStatus, Category, Stage
from zhichi.cases.partner_view import sees_internal, visible_records
from zhichi.cases.presenters import case_out, timeline_for, timeline_out
from zhichi.cases.schemas import StageIn
from zhichi.common.api import (
    READ_ERRORS,
    WRITE_ERRORS,
    ErrorOut,
    Shown,
    ValidationErrorOut,
    checks_first,
    keyset_paginated,
    viewer,
)
from zhichi.common.errors import NotPermitted
from zhichi.common.schemas import IsoText, one_of

router = Router()


class CaseOut(Schema):
    id: int
    number: str
    category: str
    stage: str
    level: int | None
    level_reasons: list[str]
    status: str
    opened_on: str
    closed_on: str | None
    received_on: str
    source: str
    summary: str
    officer: str | None
    organisation: str
    department: str | None
    claimants: list[dict[str, Any]]
    respondents: list[dict[str, Any]]
    money: dict[str, str]
    deadlines: list[dict[str, Any]]
    flags: list[str]
    risk: dict[str, Any]
    outcome: str | None
    criminal_check: dict[str, Any] = Field(
        default_factory=dict,
        description="the criminal-lead evaluator's last answer: verdict, reasons, threshold, "
        "next_step, checked_on (empty for partner staff)",
    )
    criminal_flag: dict[str, Any] = Field(
        default_factory=dict,
        description="what the criminal-lead flag shows (issue 13, item 4): state (candidate | "
        "threshold_unknown | sent | answered | closed), verdict, province, missing (e.g. "
        "province_figures), referral (the latest criminal-lead transfer: transfer_id, number, "
        "status, result, receiver, on), label and detail in the reader's language; empty when "
        "there is nothing to show, and for partner staff",
    )
    version: int


class CaseListItem(Schema):
    id: int
    number: str
    category: str
    stage: str
    level: int | None
    status: str
    opened_on: IsoText
    officer: str | None
    flags: list[str]
    summary: str

    @staticmethod
    def resolve_officer(case, context) -> str | None:
        # what the case body leaves out for outsiders, the list leaves out too (C8)
        if case.officer and sees_internal(viewer(context), case.organisation_id):
            return case.officer.username
        return None


def _flagged(request, rows: list[Case]) -> list[Shown]:
    """A page of cases with the flags the viewer sees: the criminal-lead flags of the page's cases
    the viewer works in, found at once for the whole page."""
    criminal = flags_for(c for c in rows if sees_internal(request.auth, c.organisation_id))
    return [
        Shown(c, flags=shown_flags(c, criminal[c.pk]) if c.pk in criminal else []) for c in rows
    ]


class TimelineItem(Schema):
    at: str
    kind: str
    actor: str | None
    summary: str


def _load(case_id: int) -> Case:
    """The case as it is now, after a service changed it."""
    return Case.objects.for_display().get(pk=case_id)


@router.get(
    "",
    response={200: list[CaseListItem], 401: ErrorOut, 422: ValidationErrorOut},
    summary="List cases",
)
@keyset_paginated(present=_flagged)
def list_cases(
    request,
    stage: one_of(Stage) | None = None,
    level: int | None = None,
    category: one_of(Category) | None = None,
    status: one_of(CaseStatus) | None = None,
    q: str | None = Query(
        None,
        max_length=100,
        description="a case number in any brackets (〔〕 [] () 【】, full or half width, with or "
        "without 号), any Chinese substring of a number, name, credit code or summary, a whole "
        "resident ID number or phone (exact, through the blind index; 422 on q for an ID "
        "number that is not valid), or an officer's name or username",
    ),
    employer: str | None = Query(None, description="the employer's unified social credit code"),
):
    return filter_cases(
        Case.objects.visible_to(request.auth),
        stage=stage,
        level=level,
        category=category,
        status=status,
        q=q,
        employer=employer,
        viewer=request.auth,
    ).select_related("officer")


@router.get("/{case_id}", response={200: CaseOut, 403: ErrorOut, **READ_ERRORS}, summary="One case")
def get_case(request, case_id: int, unmask: bool = False):
    """Identifiers are masked; `?unmask=1` shows them to roles that may unmask (and is logged)."""
    case = rules.get_case_for(request.auth, case_id, Case.objects.for_display())
    if unmask:
        if not rules.can_unmask(request.auth, case):
            record(action="case.unmask", actor=request.auth, obj=case, outcome="denied")
            raise NotPermitted(_("Your role may not see full identifiers."))
        record(action="case.unmask", actor=request.auth, obj=case, detail={"via": "api"})
    return case_out(case, unmasked=unmask, view=visible_records(request.auth, case))


@router.get(
    "/{case_id}/timeline",
    response={200: list[TimelineItem], **READ_ERRORS},
    summary="Timeline, oldest first",
)
def case_timeline(request, case_id: int):
    """What the caller may see: a partner agency gets the milestones and its own transfers."""
    case = rules.get_case_for(request.auth, case_id)
    return [timeline_out(e, text) for e, text in timeline_for(visible_records(request.auth, case))]


def _moves_stage(request, case_id):
    """Who may move the case is decided before the body is judged (issue 12, item 10)."""
    case = rules.get_case_for(request.auth, case_id)
    services.ensure_may_move_stage(case_id=case.pk, actor=request.auth)


@router.post(
    "/{case_id}/stage", response={200: CaseOut, **WRITE_ERRORS}, summary="Move to another stage"
)
@checks_first(_moves_stage)
def move_stage(request, case_id: int, payload: StageIn):
    case = rules.get_case_for(request.auth, case_id)
    services.move_stage(
        case_id=case.pk,
        to=payload.to,
        reason=payload.reason,
        version=payload.version,
        actor=request.auth,
    )
    return case_out(_load(case.pk))
