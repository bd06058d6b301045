"""Joint actions and the employer profile in the partner API (API.md § Transfers and joint
actions): ``/joint-actions`` and ``/employers/{credit_code}``."""

from __future__ import annotations

from ninja import Field, Query, Router, Schema, Status

from zhichi.cases.partner_view import is_partner
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
from zhichi.common.schemas import (
    AmountText,
    IsoText,
    OptionalDate,
    OptionalIsoText,
)
from zhichi.core import grading
from zhichi.employers import rules, services
from zhichi.employers.models import JointAction, JointActionPayment
from zhichi.employers.presenters import JointActionView, views_for, with_details
from zhichi.employers.profile import LIMIT, CaseMoney, Profile, employer_profile
from zhichi.employers.schemas import JointActionIn

joint_actions_router = Router()
employers_router = Router()


# --- joint actions ------------------------------------------------------------------------------
class EmployerRefOut(Schema):
    name: str
    credit_code: str = Field(..., alias="credit_code_masked")


# A ``presenters.CaseRow``.
class CaseRefOut(Schema):
    id: int | None = Field(..., description="null when you may not see the case")
    number: str

    @staticmethod
    def resolve_id(row) -> int | None:
        return row.pk if row.visible else None


# A ``presenters.PaymentRow``.
class JointActionPaymentOut(Schema):
    payment_id: int
    case_id: int | None
    case_number: str
    claimant_party_id: int | None
    name: str = Field(..., description="masked (family name only) when you may not see the case")
    amount: AmountText

    @staticmethod
    def resolve_case_id(row) -> int | None:
        return row.case_id if row.visible else None

    @staticmethod
    def resolve_claimant_party_id(row) -> int | None:
        return row.claimant_party_id if row.visible else None


# A ``presenters.JointActionView``: the action as one viewer may see it.
class JointActionOut(Schema):
    id: int = Field(..., alias="action.pk")
    on: IsoText = Field(..., alias="action.on")
    organisation: str = Field(
        ..., alias="action.organisation.code", description="the organiser's code"
    )
    employer: EmployerRefOut = Field(..., alias="action.employer")
    organisations: list[str]
    case_ids: list[int] = Field(..., description="the cases you may see")
    cases: list[CaseRefOut]
    result: str = Field(..., alias="action.result")
    amount_paid_on_site: AmountText = Field(..., alias="action.amount_paid_on_site")
    legal_basis: str = Field(..., alias="action.legal_basis")
    payments: list[JointActionPaymentOut]
    created_by: str = Field(..., alias="action.created_by.username")
    created_at: IsoText = Field(..., alias="action.created_at")

    @staticmethod
    def resolve_organisations(view) -> list[str]:
        return [o.code for o in view.organisations]

    @staticmethod
    def resolve_case_ids(view) -> list[int]:
        return [c.pk for c in view.cases if c.visible]


def _records(request):
    """Who may record one is decided before the body is judged (issue 12, item 10)."""
    services.ensure_may_record_joint_action(actor=request.auth)


@joint_actions_router.post(
    "", response={201: JointActionOut, **WRITE_ERRORS}, summary="Record a joint action (C8)"
)
@checks_first(_records)
def record_joint_action(request, payload: JointActionIn):
    """Procuratorate officers and heads record a joint action on cases they may work on.

    The amount paid on site becomes one payment per claimant on the cases (each case's ledger).
    403 when you may not record it or may not work on a listed case; 422 per field otherwise (a
    case you may not see is "not found"; a total above what is owed; no consent or legal basis
    for sharing a case with a participant).
    """
    action = services.record_joint_action(actor=request.auth, data=payload)
    return Status(201, _one(request.auth, action.pk))


def _one(user, pk: int) -> JointActionView:
    action = with_details(JointAction.objects).get(pk=pk)
    (view,) = views_for(user, [action])
    return view


def _as_seen(request, rows: list[JointAction]) -> list[JointActionView]:
    """A page of joint actions as the viewer may see them (its cases and claimants: one look-up
    for the whole page), the presenter shared with the pages."""
    return views_for(request.auth, rows)


@joint_actions_router.get(
    "",
    response={200: list[JointActionOut], 401: ErrorOut, 422: ValidationErrorOut},
    summary="List joint actions",
)
@keyset_paginated(present=_as_seen)
def list_joint_actions(
    request,
    employer: str | None = Query(None, max_length=100, description="a credit code or a name"),
    date_from: OptionalDate = Query(None, alias="from", description="inclusive"),  # noqa: B008
    date_to: OptionalDate = Query(None, alias="to", description="inclusive"),  # noqa: B008
):
    qs = rules.filter_joint_actions(
        JointAction.objects.visible_to(request.auth),
        date_from=date_from,
        date_to=date_to,
        employer=employer or "",
    )
    return with_details(qs)


@joint_actions_router.get(
    "/{joint_action_id}", response={200: JointActionOut, **READ_ERRORS}, summary="One joint action"
)
def get_joint_action(request, joint_action_id: int):
    action = rules.get_joint_action_for(request.auth, joint_action_id)
    return _one(request.auth, action.pk)


# --- the employer profile -------------------------------------------------------------------
# A ``profile.CaseMoney``.
class MoneyOut(Schema):
    claimed: AmountText
    recovered: AmountText
    owed: AmountText


class RiskReasonOut(Schema):
    code: str
    rule: str
    text: str
    weight: int


class RiskOut(Schema):
    score: int | None = Field(..., description="the sum of the reasons' weights (EW-3)")
    level: str | None = Field(..., description="none | low | high")
    reasons: list[RiskReasonOut]


# A case of the profile with its money: ``Shown(case, money=...)``.
class EmployerCaseOut(Schema):
    id: int
    number: str
    organisation: str = Field(..., alias="organisation.code")
    category: str
    stage: str
    status: str
    opened_on: IsoText
    money: MoneyOut


# A lead of the profile, naming its case only where the viewer sees it: ``Shown(lead,
# case_id=...)``.
class EmployerLeadOut(Schema):
    id: int
    receipt_code: str
    status: str
    category: str
    received_on: IsoText
    organisation: str = Field(..., alias="organisation.code")
    referring_org: str | None
    claimant_count: int
    case_id: int | None

    @staticmethod
    def resolve_referring_org(lead) -> str | None:
        return lead.referring_org.code if lead.referring_org else None


# A transfer of the profile, naming its case and lead only where the viewer sees them:
# ``Shown(transfer, case_id=..., lead_id=...)``.
class EmployerTransferOut(Schema):
    id: int
    number: str
    kind: str
    status: str
    from_org: str = Field(..., alias="from_org.code")
    to_org: str = Field(..., alias="to_org.code")
    sent_at: IsoText
    case_id: int | None
    lead_id: int | None


class EmployerVisitOut(Schema):
    id: int
    case_id: int
    planned_on: IsoText
    done_on: OptionalIsoText
    target: str
    method: str
    paid_in_full: bool | None


class EmployerPaymentOut(Schema):
    id: int
    case_id: int
    claimant_party_id: int = Field(..., alias="claimant.party_id")
    name: str = Field(..., alias="claimant.party.name")
    paid_on: IsoText
    amount: AmountText
    joint_action_id: int | None
    reversed: bool = Field(
        False, description="taken back by a reversal: on record, but in no total (C6)"
    )

    @staticmethod
    def resolve_joint_action_id(payment) -> int | None:
        try:
            return payment.joint_action_link.joint_action_id
        except JointActionPayment.DoesNotExist:
            return None

    @staticmethod
    def resolve_reversed(payment) -> bool:
        return hasattr(payment, "reversal")


class _Counted(Schema):
    count: int = Field(..., description="how many in all, counted up to 1,000")
    count_capped: bool = Field(..., description="true when there are more than ``count``")


class CaseListOut(_Counted):
    items: list[EmployerCaseOut]


class LeadListOut(_Counted):
    items: list[EmployerLeadOut]


class TransferListOut(_Counted):
    items: list[EmployerTransferOut]


class VisitListOut(_Counted):
    items: list[EmployerVisitOut]


class JointActionListOut(_Counted):
    items: list[JointActionOut]


class PaymentListOut(_Counted):
    items: list[EmployerPaymentOut]


# A ``profile.Profile`` as the viewer may see it: partner staff get no risk assessment (internal,
# C8).
class EmployerOut(Schema):
    credit_code: str = Field(..., alias="credit_code_masked")
    name: str
    money: MoneyOut = Field(..., description="over every case about the employer you may see")
    risk: RiskOut
    cases: CaseListOut
    leads: LeadListOut
    transfers: TransferListOut | None = Field(
        ..., description="null where transfers are not installed"
    )
    visits: VisitListOut
    joint_actions: JointActionListOut
    payments: PaymentListOut
    limit: int = Field(..., description="each list holds at most this many items (newest first)")

    @staticmethod
    def resolve_risk(profile: Profile, context) -> dict:
        if is_partner(viewer(context)):
            return {"score": None, "level": None, "reasons": []}
        return grading.risk_as_dict(profile.risk)

    @staticmethod
    def resolve_cases(profile: Profile) -> dict:
        return _listed(profile.cases, lambda c: Shown(c, money=CaseMoney.of(c)))

    @staticmethod
    def resolve_leads(profile: Profile) -> dict:
        seen = profile.visible_case_ids
        return _listed(
            profile.leads,
            lambda lead: Shown(lead, case_id=lead.case_id if lead.case_id in seen else None),
        )

    @staticmethod
    def resolve_transfers(profile: Profile) -> dict:
        cases_seen, leads_seen = profile.visible_case_ids, profile.visible_lead_ids
        return _listed(
            profile.transfers,
            lambda t: Shown(
                t,
                case_id=t.case_id if t.case_id in cases_seen else None,
                lead_id=t.lead_id if t.lead_id in leads_seen else None,
            ),
        )

    @staticmethod
    def resolve_visits(profile: Profile) -> dict:
        return _listed(profile.visits)

    @staticmethod
    def resolve_joint_actions(profile: Profile) -> dict:
        return _listed(profile.joint_actions)

    @staticmethod
    def resolve_payments(profile: Profile) -> dict:
        return _listed(profile.payments)

    @staticmethod
    def resolve_limit(profile: Profile) -> int:
        return LIMIT


def _listed(listing, shown=None) -> dict:
    """One of the profile's lists: how many in all, and its first rows as the items resolve."""
    rows = listing.rows if shown is None else [shown(row) for row in listing.rows]
    return {"count": listing.total.number, "count_capped": listing.total.more, "items": rows}


@employers_router.get(
    "/{credit_code}",
    response={200: EmployerOut, 401: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
    summary="The employer profile (C2)",
    url_name="employer_profile",
)
def employer_profile_api(request, credit_code: str):
    """Every lead, case, transfer, return visit, joint action and payment about the employer
    that you may see, the money claimed, recovered and owed over your cases, and the EW-3 risk
    score (explained by its reasons; not shown to partner staff). 422 for an invalid credit
    code; 404 when you can see nothing about it."""
    return employer_profile(request.auth, credit_code)
