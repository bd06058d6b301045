"""Cases in the partner API (API.md § Cases)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from pydantic import model_serializer

from zhichi.audit.services import record
from zhichi.cases import rules, services
from zhichi.cases.criminal_flag import flag_for, shown_flags
from zhichi.cases.filters import filter_case_list
from zhichi.cases.ledger import ledger_for
from zhichi.cases.models import Case, CaseStatus, Category, PartyRole, Stage
from zhichi.cases.partner_view import sees_internal, visible_records
from zhichi.cases.presenters import listed_flags, timeline_for
from zhichi.cases.schemas import StageIn
from zhichi.cases.services.derived import deadline_state
from zhichi.cases.words import level_reason_words, risk_reason_words
from zhichi.common.api import (
    READ_ERRORS,
    WRITE_ERRORS,
    ErrorOut,
    Shown,
    ValidationErrorOut,
    checks_first,
    keyset_paginated,
    record_of,
    viewer,
)
from zhichi.common.errors import NotPermitted
from zhichi.common.schemas import AmountText, IsoText, OptionalAmountText, OptionalIsoText, one_of
from zhichi.rulebook.words import check_words

router = Router()


# A claimant of a case or a lead: a ``CaseParty`` or ``LeadParty`` with its party, masked.
class ClaimantOut(Schema):
    party_id: int
    name: str = Field(..., alias="party.name")
    id_number_masked: str = Field(..., alias="party.id_number_masked")
    phone_masked: str = Field(..., alias="party.phone_masked")
    groups: list[str]
    vulnerability_basis: list[str]
    amount_claimed: OptionalAmountText
    months_unpaid: int | None


# A respondent of a case or a lead: a ``CaseParty`` or ``LeadParty`` with its party, masked.
class RespondentOut(Schema):
    party_id: int
    kind: str = Field(..., alias="party.kind")
    name: str = Field(..., alias="party.name")
    credit_code: str = Field(..., alias="party.credit_code_masked")
    id_number_masked: str = Field(..., alias="party.id_number_masked")


class CaseClaimantOut(ClaimantOut):
    """A claimant of the case (``Shown(case_party, unmasked=...)``): identifiers masked, and in
    clear only on ``?unmask=1`` for a role that may unmask (the keys are absent otherwise)."""

    id_number: str | None = Field(None, description="in clear: only with ?unmask=1 (logged)")
    phone: str | None = Field(None, description="in clear: only with ?unmask=1 (logged)")

    @staticmethod
    def resolve_id_number(role) -> str | None:
        return role.party.id_number if role.unmasked else None

    @staticmethod
    def resolve_phone(role) -> str | None:
        return role.party.phone if role.unmasked else None

    @model_serializer(mode="wrap")
    def _clear_only_when_unmasked(self, handler):
        body = handler(self)
        if self.id_number is None and self.phone is None:
            body.pop("id_number", None)
            body.pop("phone", None)
        return body


class CaseMoneyOut(Schema):
    """The ledger's totals (C6): payments net of reversals are ``recovered``; ``overpaid`` is
    what was paid beyond what was due (``outstanding`` is never negative)."""

    claimed: AmountText
    agreed: AmountText
    awarded: AmountText
    recovered: AmountText
    outstanding: AmountText
    overpaid: AmountText


class CaseDeadlineOut(Schema):
    kind: str
    label: str
    due: IsoText
    status: str = Field(..., description="pending | done | overdue | cancelled")
    rule: str
    calendar_complete: bool

    @staticmethod
    def resolve_status(deadline) -> str:
        return deadline_state(deadline)


class CaseRiskOut(Schema):
    score: int | None = Field(..., description="empty for partner staff")
    reasons: list[str]


class CaseOut(Schema):
    """A case as its reader may see it (``shown_case``): an outsider gets neither the internal
    fields nor the internal deadlines (C8, zhichi/cases/partner_view.py)."""

    id: int
    number: str
    category: str
    stage: str
    level: int | None
    level_reasons: list[str]
    status: str
    opened_on: IsoText
    closed_on: OptionalIsoText
    received_on: IsoText
    source: str
    summary: str
    officer: str | None
    organisation: str = Field(..., alias="organisation.code")
    department: str | None
    claimants: list[CaseClaimantOut]
    respondents: list[RespondentOut]
    money: CaseMoneyOut
    deadlines: list[CaseDeadlineOut]
    flags: list[str]
    risk: CaseRiskOut
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

    @staticmethod
    def resolve_level_reasons(case) -> list[str]:
        return level_reason_words(case.level_reasons) if case.view.internal else []

    @staticmethod
    def resolve_officer(case) -> str | None:
        return case.officer.username if case.officer and case.view.internal else None

    @staticmethod
    def resolve_department(case) -> str | None:
        return case.department.code if case.department else None

    @staticmethod
    def resolve_claimants(case) -> list[Shown]:
        return [
            Shown(role, unmasked=case.unmasked)
            for role in case.parties.all()
            if role.role == PartyRole.CLAIMANT
        ]

    @staticmethod
    def resolve_respondents(case) -> list:
        return [role for role in case.parties.all() if role.role == PartyRole.RESPONDENT]

    @staticmethod
    def resolve_money(case) -> dict:
        return ledger_for(record_of(case)).totals

    @staticmethod
    def resolve_deadlines(case) -> list:
        return list(case.view.deadlines(case.deadlines.all()))

    @staticmethod
    def resolve_flags(case) -> list[str]:
        return shown_flags(record_of(case), case.criminal) if case.view.internal else []

    @staticmethod
    def resolve_risk(case) -> dict:
        if not case.view.internal:
            return {"score": None, "reasons": []}
        return {"score": case.risk_score, "reasons": risk_reason_words(case.risk_reasons)}

    @staticmethod
    def resolve_outcome(case) -> str | None:
        return case.outcome or None

    @staticmethod
    def resolve_criminal_check(case) -> dict:
        return check_words(case.criminal_check) if case.view.internal else {}

    @staticmethod
    def resolve_criminal_flag(case) -> dict:
        return case.criminal.as_dict() if case.criminal else {}


def shown_case(request, case: Case | int, *, unmasked: bool = False, **extra) -> Shown:
    """The case for ``CaseOut`` as ``request.auth`` may see it; a case id is loaded as it is now,
    after a service changed it. ``extra``: what a write answers beside the case."""
    if not isinstance(case, Case):
        case = Case.objects.for_display().get(pk=case)
    view = visible_records(request.auth, case)
    criminal = flag_for(case) if view.internal else None
    return Shown(case, view=view, criminal=criminal, unmasked=unmasked, **extra)


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
    criminal = listed_flags(request.auth, rows)
    return [
        Shown(c, flags=shown_flags(c, criminal[c.pk]) if c.pk in criminal else []) for c in rows
    ]


class TimelineItem(Schema):
    """One entry of ``timeline_for``: the event, and its ``summary`` in the reader's words."""

    at: IsoText
    kind: str
    actor: str | None
    summary: str

    @staticmethod
    def resolve_actor(event) -> str | None:
        return event.actor.username if event.actor else None


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
    return (
        filter_case_list(
            Case.objects.visible_to(request.auth),
            stage=stage,
            level=level,
            category=category,
            status=status,
            q=q,
            employer=employer,
            viewer=request.auth,
        )
        .select_related("officer")
        .listed()
    )


@router.get("/{case_id}", response={200: CaseOut, 403: ErrorOut, **READ_ERRORS}, summary="One case")
def get_case(request, case_id: int, unmask: bool = False):
    """Identifiers are masked; `?unmask=1` shows them to roles that may unmask (and is logged)."""
    case = rules.get_case_for(request.auth, case_id, Case.objects.for_display())
    if unmask:
        if not rules.can_unmask(request.auth, case):
            record(action="case.unmask", actor=request.auth, obj=case, outcome="denied")
            raise NotPermitted(_("Your role may not see full identifiers."))
        record(action="case.unmask", actor=request.auth, obj=case, detail={"via": "api"})
    return shown_case(request, case, unmasked=unmask)


@router.get(
    "/{case_id}/timeline",
    response={200: list[TimelineItem], **READ_ERRORS},
    summary="Timeline, oldest first",
)
def case_timeline(request, case_id: int):
    """What the caller may see: a partner agency gets the milestones and its own transfers."""
    case = rules.get_case_for(request.auth, case_id)
    return [Shown(e, summary=text) for e, text in timeline_for(visible_records(request.auth, case))]


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
    return shown_case(request, case.pk)
