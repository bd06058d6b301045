"""Leads in the partner API (API.md § Leads)."""

from __future__ import annotations

from typing import Any

from ninja import Field, Router, Schema, Status

from zhichi.cases.api import ClaimantOut, RespondentOut
from zhichi.cases.models import Case, Category, PartyRole, Source
from zhichi.common.api import (
    READ_ERRORS,
    WRITE_ERRORS,
    ErrorOut,
    Shown,
    ValidationErrorOut,
    checks_first,
    keyset_paginated,
)
from zhichi.common.schemas import (
    IsoText,
    one_of,
)
from zhichi.intake import rules, services
from zhichi.intake.models import Lead, LeadStatus, with_claimant_counts
from zhichi.intake.schemas import DeclineIn, LeadIn

router = Router()


class DuplicateOut(Schema):
    lead_id: int | None = None
    case_id: int | None = None
    reason: str


# A lead as ``_full`` shows it: ``Shown(lead, duplicates=..., case_visible=...)``, the lead read by
# ``_load``. Its case is named only to a viewer who may see that case.
class LeadOut(Schema):
    id: int
    receipt_code: str
    status: str
    source: str
    received_on: IsoText
    category: str
    summary: str
    claimants: list[ClaimantOut]
    respondents: list[RespondentOut]
    voluntary: bool
    consent_to_share: bool
    labour_relationship: str
    has_iou: bool
    payment_order: dict[str, Any] | None
    evasion: list[str]
    signals: list[str]
    flags: list[str]
    referring_org: str | None
    organisation: str = Field(..., alias="organisation.code")
    duplicates: list[DuplicateOut]
    case_id: int | None
    case_number: str | None
    decline_reason: str
    decline_redirect: str
    created_at: IsoText

    @staticmethod
    def resolve_claimants(lead) -> list:
        return [lp for lp in lead.parties.all() if lp.role == PartyRole.CLAIMANT]

    @staticmethod
    def resolve_respondents(lead) -> list:
        return [lp for lp in lead.parties.all() if lp.role == PartyRole.RESPONDENT]

    @staticmethod
    def resolve_payment_order(lead) -> dict | None:
        if not (
            lead.payment_order_authority
            or lead.payment_order_issued_on
            or lead.payment_order_deadline
        ):
            return None
        return {
            "authority": lead.payment_order_authority,
            "issued_on": _day(lead.payment_order_issued_on),
            "deadline": _day(lead.payment_order_deadline),
        }

    @staticmethod
    def resolve_referring_org(lead) -> str | None:
        return lead.referring_org.code if lead.referring_org else None

    @staticmethod
    def resolve_case_id(lead) -> int | None:
        return lead.case_id if lead.case_visible else None

    @staticmethod
    def resolve_case_number(lead) -> str | None:
        return lead.case.number if lead.case and lead.case_visible else None


def _day(value) -> str | None:
    return value.isoformat() if value else None


# A lead of the list: ``Shown(lead, case_id=...)`` (``_case_seen``), the lead with its
# ``claimant_count`` (``with_claimant_counts``, for the page's leads only).
class LeadListItem(Schema):
    id: int
    receipt_code: str
    status: str
    source: str
    received_on: IsoText
    category: str
    summary: str
    claimant_count: int
    case_id: int | None
    created_at: IsoText


# The case the lead became.
class AcceptOut(Schema):
    case_id: int = Field(..., alias="pk")
    case_number: str = Field(..., alias="number")


def _load(request, lead_id: int) -> Lead:
    lead = rules.get_lead_for(request.auth, lead_id)
    return (
        Lead.objects.select_related("organisation", "referring_org", "case")
        .prefetch_related("parties__party")
        .get(pk=lead.pk)
    )


def _full(request, lead_id: int) -> Shown:
    lead = _load(request, lead_id)
    cases = Case.objects.visible_to(request.auth)
    dups = services.find_duplicates(
        lead, visible=Lead.objects.visible_to(request.auth), visible_cases=cases
    )
    case_visible = lead.case_id is not None and cases.filter(pk=lead.case_id).exists()
    return Shown(lead, duplicates=dups or [], case_visible=case_visible)


def _files(request):
    """Who may file a lead is decided before the lead is judged (issue 12, item 10)."""
    services.ensure_may_file_lead(actor=request.auth)


def _declines(request, lead_id):
    """Who may decline is decided before the body is judged (issue 12, item 10)."""
    services._ensure_may_decide(
        rules.get_lead_for(request.auth, lead_id).pk, request.auth, "lead.decline"
    )


@router.post("", response={201: LeadOut, **WRITE_ERRORS}, summary="File a lead")
@checks_first(_files)
def create_lead(request, payload: LeadIn):
    """A person whose ID number is on record under another name is refused at their `name` (422,
    code `name_conflict`) until `name_choice` says which name is right; the message names the
    name on record only to a caller who may see a lead or case of that person. A new phone or
    address of a known person is added to their contacts and becomes the current one."""
    lead = services.create_lead(actor=request.auth, data=payload)
    return Status(201, _full(request, lead.pk))


def _case_seen(request, rows: list[Lead]) -> list[Shown]:
    """A page of leads, each naming its case only where the viewer may see that case (one query
    for the whole page)."""
    case_ids = [r.case_id for r in rows if r.case_id]
    seen = set(
        Case.objects.visible_to(request.auth).filter(pk__in=case_ids).values_list("pk", flat=True)
    )
    return [
        Shown(r, case_id=r.case_id if r.case_id in seen else None)
        for r in with_claimant_counts(rows)
    ]


@router.get(
    "",
    response={200: list[LeadListItem], 401: ErrorOut, 422: ValidationErrorOut},
    summary="List leads",
)
@keyset_paginated(present=_case_seen)
def list_leads(
    request,
    status: one_of(LeadStatus) | None = None,
    source: one_of(Source) | None = None,
    category: one_of(Category) | None = None,
):
    return Lead.objects.visible_to(request.auth).list_filter(
        status=status or "", source=source or "", category=category or ""
    )


@router.get("/{lead_id}", response={200: LeadOut, **READ_ERRORS}, summary="One lead")
def get_lead(request, lead_id: int):
    return _full(request, lead_id)


@router.post(
    "/{lead_id}/accept", response={200: AcceptOut, **WRITE_ERRORS}, summary="Accept into a case"
)
def accept_lead(request, lead_id: int):
    lead = rules.get_lead_for(request.auth, lead_id)
    case = services.accept_lead(lead_id=lead.pk, actor=request.auth)
    return case


@router.post(
    "/{lead_id}/decline", response={200: LeadOut, **WRITE_ERRORS}, summary="Decline with a redirect"
)
@checks_first(_declines)
def decline_lead(request, lead_id: int, payload: DeclineIn):
    lead = rules.get_lead_for(request.auth, lead_id)
    services.decline_lead(lead_id=lead.pk, actor=request.auth, data=payload)
    return _full(request, lead.pk)
