"""Joint actions and the employer profile in the partner API (API.md § Transfers and joint
actions): ``/joint-actions`` and ``/employers/{credit_code}``."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from zhichi.accounts.models import Organisation
from zhichi.cases.partner_view import is_partner
from zhichi.common.api import (
    READ_ERRORS,
    WRITE_ERRORS,
    ErrorOut,
    ValidationErrorOut,
    checks_first,
    keyset_page,
)
from zhichi.common.errors import FieldError, InvalidInput
from zhichi.common.schemas import (
    IDENTIFIER,
    Day,
    Money,
    ObjectIn,
    OptionalDay,
    OptionalMoney,
    as_data,
    text,
)
from zhichi.common.validation import Collector
from zhichi.core import grading
from zhichi.employers import rules, services
from zhichi.employers.models import JointAction, JointActionPayment
from zhichi.employers.presenters import joint_action_out, money, views_for, with_details
from zhichi.employers.profile import LIMIT, CaseMoney, Profile, employer_profile

joint_actions_router = Router()
employers_router = Router()


# --- joint actions ------------------------------------------------------------------------------
class PaymentPartIn(ObjectIn):
    case_id: int
    claimant_party_id: int
    amount: Money


class JointActionIn(Schema):
    on: Day = Field(..., description="not in the future")
    employer: text(max_length=IDENTIFIER) = Field(
        ...,
        description="the employer's unified social credit code",
        examples=["91530102MA6K2P3Q0X"],
    )
    result: text(max_length=10000, required=True)
    amount_paid_on_site: OptionalMoney = Field(
        Decimal("0.00"), description="money paid on the spot; recorded as payments on the cases"
    )
    organisations: list[text(Organisation, "code")] = Field(
        default_factory=list,
        max_length=services.MAX_ORGANISATIONS,
        description="codes of the organisations that took part (besides the organiser)",
    )
    case_ids: list[int] = Field(
        default_factory=list,
        max_length=services.MAX_CASES,
        description="the cases against this employer (each one you may work on)",
    )
    payments: list[PaymentPartIn] | None = Field(
        None,
        max_length=services.MAX_PAYMENTS,
        description="how the amount is split over claimants; default: in proportion to what "
        "each is still owed (largest remainder, to the fen)",
    )
    legal_basis: text(max_length=2000) | None = Field(
        None, description="the legal basis for sharing cases whose claimants have not consented"
    )


class EmployerRefOut(Schema):
    name: str
    credit_code: str


class CaseRefOut(Schema):
    id: int | None = Field(..., description="null when you may not see the case")
    number: str


class JointActionPaymentOut(Schema):
    payment_id: int
    case_id: int | None
    case_number: str
    claimant_party_id: int | None
    name: str = Field(..., description="masked (family name only) when you may not see the case")
    amount: str


class JointActionOut(Schema):
    id: int
    on: str
    organisation: str = Field(..., description="the organiser's code")
    employer: EmployerRefOut
    organisations: list[str]
    case_ids: list[int] = Field(..., description="the cases you may see")
    cases: list[CaseRefOut]
    result: str
    amount_paid_on_site: str
    legal_basis: str
    payments: list[JointActionPaymentOut]
    created_by: str
    created_at: str


class JointActionPage(Schema):
    items: list[JointActionOut]
    next_cursor: str | None


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
    action = services.record_joint_action(actor=request.auth, data=as_data(payload))
    return Status(201, _one(request.auth, action.pk))


def _one(user, pk: int) -> dict:
    action = with_details(JointAction.objects).get(pk=pk)
    (view,) = views_for(user, [action])
    return joint_action_out(view)


@joint_actions_router.get(
    "",
    response={200: JointActionPage, 401: ErrorOut, 422: ValidationErrorOut},
    summary="List joint actions",
)
def list_joint_actions(
    request,
    employer: str | None = Query(None, max_length=100, description="a credit code or a name"),
    date_from: OptionalDay = Query(None, alias="from", description="inclusive"),  # noqa: B008
    date_to: OptionalDay = Query(None, alias="to", description="inclusive"),  # noqa: B008
    limit: int = Query(50, ge=1, le=200),
    cursor: str | None = None,
):
    c = Collector()
    start = c.day({"from": date_from}, "from", "from")
    end = c.day({"to": date_to}, "to", "to")
    c.raise_if_errors("")
    qs = rules.filter_joint_actions(
        rules.joint_actions_visible_to(request.auth),
        date_from=start,
        date_to=end,
        employer=employer or "",
    )
    try:
        rows, next_cursor = keyset_page(with_details(qs), limit=limit, cursor=cursor)
    except ValueError:
        raise InvalidInput([FieldError("cursor", "invalid", _("This cursor is not valid."))])
    return {
        "items": [joint_action_out(v) for v in views_for(request.auth, rows)],
        "next_cursor": next_cursor,
    }


@joint_actions_router.get(
    "/{joint_action_id}", response={200: JointActionOut, **READ_ERRORS}, summary="One joint action"
)
def get_joint_action(request, joint_action_id: int):
    action = rules.get_joint_action_for(request.auth, joint_action_id)
    return _one(request.auth, action.pk)


# --- the employer profile -------------------------------------------------------------------
class MoneyOut(Schema):
    claimed: str
    recovered: str
    owed: str


class RiskReasonOut(Schema):
    code: str
    rule: str
    text: str
    weight: int


class RiskOut(Schema):
    score: int | None = Field(..., description="the sum of the reasons' weights (EW-3)")
    level: str | None = Field(..., description="none | low | high")
    reasons: list[RiskReasonOut]


class EmployerCaseOut(Schema):
    id: int
    number: str
    organisation: str
    category: str
    stage: str
    status: str
    opened_on: str
    money: MoneyOut


class EmployerLeadOut(Schema):
    id: int
    receipt_code: str
    status: str
    category: str
    received_on: str
    organisation: str
    referring_org: str | None
    claimant_count: int
    case_id: int | None


class EmployerTransferOut(Schema):
    id: int
    number: str
    kind: str
    status: str
    from_org: str
    to_org: str
    sent_at: str
    case_id: int | None
    lead_id: int | None


class EmployerVisitOut(Schema):
    id: int
    case_id: int
    planned_on: str
    done_on: str | None
    target: str
    method: str
    paid_in_full: bool | None


class EmployerPaymentOut(Schema):
    id: int
    case_id: int
    claimant_party_id: int
    name: str
    paid_on: str
    amount: str
    joint_action_id: int | None
    reversed: bool = Field(
        False, description="taken back by a reversal: on record, but in no total (C6)"
    )


class CaseListOut(Schema):
    count: int
    items: list[EmployerCaseOut]


class LeadListOut(Schema):
    count: int
    items: list[EmployerLeadOut]


class TransferListOut(Schema):
    count: int
    items: list[EmployerTransferOut]


class VisitListOut(Schema):
    count: int
    items: list[EmployerVisitOut]


class JointActionListOut(Schema):
    count: int
    items: list[JointActionOut]


class PaymentListOut(Schema):
    count: int
    items: list[EmployerPaymentOut]


class EmployerOut(Schema):
    credit_code: str
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


def _money_out(m) -> dict:
    return {"claimed": money(m.claimed), "recovered": money(m.recovered), "owed": money(m.owed)}


def profile_out(profile: Profile, *, partner: bool) -> dict:
    """The profile as the API shows it; partner staff get no risk assessment (internal, C8)."""
    risk = grading.risk_as_dict(profile.risk)
    if partner:
        risk = {"score": None, "level": None, "reasons": []}
    cases_seen, leads_seen = profile.visible_case_ids, profile.visible_lead_ids
    transfers = {
        "count": profile.transfers.count,
        "items": [
            {
                "id": t.pk,
                "number": t.number,
                "kind": t.kind,
                "status": t.status,
                "from_org": t.from_org.code,
                "to_org": t.to_org.code,
                "sent_at": t.sent_at.isoformat(),
                "case_id": t.case_id if t.case_id in cases_seen else None,
                "lead_id": t.lead_id if t.lead_id in leads_seen else None,
            }
            for t in profile.transfers.rows
        ],
    }
    return {
        "credit_code": profile.credit_code_masked,
        "name": profile.name,
        "money": _money_out(profile.money),
        "risk": risk,
        "cases": {
            "count": profile.cases.count,
            "items": [
                {
                    "id": c.pk,
                    "number": c.number,
                    "organisation": c.organisation.code,
                    "category": c.category,
                    "stage": c.stage,
                    "status": c.status,
                    "opened_on": c.opened_on.isoformat(),
                    "money": _money_out(profile.case_money.get(c.pk, CaseMoney())),
                }
                for c in profile.cases.rows
            ],
        },
        "leads": {
            "count": profile.leads.count,
            "items": [
                {
                    "id": lead.pk,
                    "receipt_code": lead.receipt_code,
                    "status": lead.status,
                    "category": lead.category,
                    "received_on": lead.received_on.isoformat(),
                    "organisation": lead.organisation.code,
                    "referring_org": lead.referring_org.code if lead.referring_org else None,
                    "claimant_count": lead.claimant_count,
                    "case_id": lead.case_id if lead.case_id in cases_seen else None,
                }
                for lead in profile.leads.rows
            ],
        },
        "transfers": transfers,
        "visits": {
            "count": profile.visits.count,
            "items": [
                {
                    "id": v.pk,
                    "case_id": v.case_id,
                    "planned_on": v.planned_on.isoformat(),
                    "done_on": v.done_on.isoformat() if v.done_on else None,
                    "target": v.target,
                    "method": v.method,
                    "paid_in_full": v.paid_in_full,
                }
                for v in profile.visits.rows
            ],
        },
        "joint_actions": {
            "count": profile.joint_actions.count,
            "items": [joint_action_out(v) for v in profile.joint_actions.rows],
        },
        "payments": {
            "count": profile.payments.count,
            "items": [
                {
                    "id": p.pk,
                    "case_id": p.case_id,
                    "claimant_party_id": p.claimant.party_id,
                    "name": p.claimant.party.name,
                    "paid_on": p.paid_on.isoformat(),
                    "amount": money(p.amount),
                    "joint_action_id": _joint_action_id(p),
                    "reversed": hasattr(p, "reversal"),
                }
                for p in profile.payments.rows
            ],
        },
        "limit": LIMIT,
    }


def _joint_action_id(payment) -> int | None:
    try:
        return payment.joint_action_link.joint_action_id
    except JointActionPayment.DoesNotExist:
        return None


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
    profile = employer_profile(request.auth, credit_code)
    return profile_out(profile, partner=is_partner(request.auth))
