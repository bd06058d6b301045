"""Judicial assistance and legal aid in the partner API (API.md § Judicial assistance).

``POST /cases/{id}/assistance`` records an application; its answer carries the ``cap`` (JA-4,
JA-5) and the ``decision_due`` (10 working days, JA-6). The review opinion opens the approval
chain, decided through ``/approvals/{id}/approve|reject``. Legal aid referrals are transfers of
kind ``legal_aid``; the centre names the lawyer and reports the outcome on them.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from zhichi.assistance import rules, services, workflow
from zhichi.assistance.models import AssistanceApplication, AssistanceStatus, LegalAidReferral
from zhichi.assistance.schemas import (
    ApplicationIn,
    AssistancePaymentIn,
    AssistanceWithdrawIn,
    FollowUpIn,
    FundsIn,
    LawyerIn,
    NoticeIn,
    OpinionIn,
    OutcomeIn,
)
from zhichi.cases.rules import get_case_for, sees_internal_work
from zhichi.cases.services.common import WORK
from zhichi.common.api import (
    READ_ERRORS,
    WRITE_ERRORS,
    ErrorOut,
    Shown,
    ValidationErrorOut,
    checks_first,
    keyset_paginated,
    once,
    record_of,
    viewer,
)
from zhichi.common.errors import FieldError, InvalidInput
from zhichi.common.schemas import (
    AmountText,
    IsoText,
    OptionalAmountText,
    OptionalIsoText,
    one_of,
)
from zhichi.rulebook import loaders
from zhichi.transfers import rules as transfer_rules
from zhichi.transfers.models import Transfer, TransferKind

router = Router()


class CapOut(Schema):
    cap: str | None
    complete: bool
    wage_year: int | None
    wage_year_wanted: int
    monthly_wage: str | None
    months: int | None
    series: str
    source: str | None
    province_cap: dict[str, Any] | None
    rule: str = "JA-4"


class DueOut(Schema):
    due: str
    rule: str
    calendar_complete: bool
    done_on: str | None


class StepOut(Schema):
    step: str
    role: str


# An application read with ``RELATED``.
class ApplicationOut(Schema):
    id: int
    case_id: int
    case_number: str = Field(..., alias="case.number")
    applicant_party_id: int = Field(..., alias="applicant.party_id")
    applicant_name: str = Field(..., alias="applicant.party.name")
    form: str
    received_on: IsoText
    basis: str = Field(..., alias="situation")
    hardship: str
    hardship_caused_by_case: bool
    requested_amount: AmountText
    urgent: bool
    urgent_reason: str
    status: str
    cap: CapOut
    above_cap: bool
    decision_due: DueOut
    notification_due: DueOut | None
    exclusions: dict[str, bool]
    eligibility: dict[str, Any]
    proposal: str
    proposed_amount: OptionalAmountText
    court_award_limit: OptionalAmountText
    opinion: str
    returned_reason: str
    steps: list[StepOut]
    current_step: StepOut | None
    approval_id: int | None
    decided_on: OptionalIsoText
    granted_amount: OptionalAmountText
    funds_arrived_on: OptionalIsoText
    notified_on: OptionalIsoText
    paid_on: OptionalIsoText
    paid_amount: OptionalAmountText
    payment_method: str
    follow_up_on: OptionalIsoText
    version: int
    actions: list[str] = Field(
        ...,
        description="what you may do with it now, in order (opinion, funds, notice, payment, "
        "follow_up, withdraw): each is POST /assistance/{id}/<action> (follow_up: /follow-up)",
    )

    @staticmethod
    def resolve_cap(a: AssistanceApplication) -> dict:
        d = a.cap_detail or {}
        return {
            "cap": _money(a.cap),
            "complete": bool(d.get("complete")),
            "wage_year": d.get("wage_year"),
            "wage_year_wanted": d.get("wage_year_wanted", a.received_on.year - 1),
            "monthly_wage": d.get("monthly_wage"),
            "months": d.get("months"),
            "series": d.get("series", ""),
            "source": d.get("source"),
            "province_cap": d.get("province_cap"),
        }

    @staticmethod
    def resolve_above_cap(a: AssistanceApplication) -> bool:
        amount = a.proposed_amount or a.requested_amount
        return a.cap is not None and amount > a.cap

    @staticmethod
    def resolve_decision_due(a: AssistanceApplication, context) -> dict:
        return _due(a.decision_due(_calendar(context)), a.decided_on)

    @staticmethod
    def resolve_notification_due(a: AssistanceApplication, context) -> dict | None:
        notice = a.notice_due(_calendar(context))
        return None if notice is None else _due(notice, a.notified_on)

    @staticmethod
    def resolve_exclusions(a: AssistanceApplication) -> dict:
        return a.exclusions or {}

    @staticmethod
    def resolve_eligibility(a: AssistanceApplication) -> dict:
        return a.eligibility or {}

    @staticmethod
    def resolve_current_step(a: AssistanceApplication) -> dict | None:
        return _current_step(a)

    @staticmethod
    def resolve_actions(a: AssistanceApplication, context) -> list[str]:
        user = viewer(context)
        return workflow.allowed_actions(user, a) if user is not None else []


def _calendar(context):
    """The holiday calendar, read once for a whole answer (a list of applications too)."""
    return once(context, "holiday_calendar", loaders.holiday_calendar)


def _due(deadline, done_on) -> dict:
    return {
        "due": deadline.due.isoformat(),
        "rule": deadline.rule,
        "calendar_complete": deadline.calendar_complete,
        "done_on": _day(done_on),
    }


def _money(v) -> str | None:
    return None if v is None else f"{v:.2f}"


def _day(v) -> str | None:
    return v.isoformat() if v else None


def _current_step(a) -> dict | None:
    """The step waiting now, with the role that actually decides it: the chief procurator when
    the head gave the opinion (four eyes, docs/decisions/0005-four-eyes.md)."""
    step = a.current_step
    if step is not None and a.approval_id and a.approval.required_role != step.get("role"):
        return {**step, "role": a.approval.required_role}
    return step


RELATED = ("case", "applicant__party", "approval")


def _reloaded(pk: int) -> AssistanceApplication:
    return AssistanceApplication.objects.select_related(*RELATED).get(pk=pk)


def _case(request, case_id: int):
    case = get_case_for(request.auth, case_id)
    if not sees_internal_work(request.auth, case):
        raise Http404
    return case


# Who may act is decided before the body is judged (issue 12, item 10): see checks_first.
def _records(request, case_id):
    WORK.ensure(_case(request, case_id).pk, request.auth, "assistance.record")


def _works_on(action: str):
    def guard(request, application_id):
        application = rules.get_application_for(request.auth, application_id)
        services._may_work(application.pk, request.auth, action)

    return guard


def _legal_aid(action: str):
    def guard(request, transfer_id):
        transfer = transfer_rules.get_transfer_for(request.auth, transfer_id)
        services._legal_aid_transfer(transfer.pk, request.auth, action)

    return guard


@router.post(
    "/cases/{case_id}/assistance",
    response={201: ApplicationOut, **WRITE_ERRORS},
    summary="Record a judicial assistance application (C9)",
)
@checks_first(_records)
def record_application(request, case_id: int, payload: ApplicationIn):
    """The officer records the person's written (or oral, written down) application. The answer
    carries the cap and the decision due date (10 working days, rule JA-6)."""
    case = _case(request, case_id)
    application = services.record_application(case_id=case.pk, actor=request.auth, data=payload)
    return Status(201, _reloaded(application.pk))


@router.get(
    "/cases/{case_id}/assistance",
    response={200: list[ApplicationOut], **READ_ERRORS},
    summary="The case's assistance applications",
)
def case_applications(request, case_id: int):
    case = _case(request, case_id)
    qs = AssistanceApplication.objects.filter(case=case).select_related(*RELATED)
    return qs.order_by("-received_on", "-id")


@router.get(
    "/assistance",
    response={200: list[ApplicationOut], 401: ErrorOut, 422: ValidationErrorOut},
    summary="The assistance register",
)
@keyset_paginated()
def list_applications(request, status: one_of(AssistanceStatus) | None = None):
    qs = AssistanceApplication.objects.visible_to(request.auth)
    if status:
        if status not in AssistanceStatus.values:
            raise InvalidInput(
                [
                    FieldError(
                        "status",
                        "choice",
                        _("“%(value)s” is not one of the choices.") % {"value": status[:50]},
                    )
                ]
            )
        qs = qs.register_filter(status=status)
    return qs.select_related(*RELATED)


@router.get(
    "/assistance/{application_id}",
    response={200: ApplicationOut, **READ_ERRORS},
    summary="One assistance application",
)
def get_application(request, application_id: int):
    return rules.get_application_for(
        request.auth, application_id, AssistanceApplication.objects.select_related(*RELATED)
    )


def _step(request, application_id: int, call, payload) -> AssistanceApplication:
    application = rules.get_application_for(request.auth, application_id)
    call(application_id=application.pk, actor=request.auth, data=payload, version=payload.version)
    return _reloaded(application.pk)


@router.post(
    "/assistance/{application_id}/opinion",
    response={200: ApplicationOut, **WRITE_ERRORS},
    summary="The review opinion: opens the approval chain (JA-6)",
)
@checks_first(_works_on("assistance.opinion"))
def submit_opinion(request, application_id: int, payload: OpinionIn):
    """Each JA-3 exclusion answered, grant or refuse, the amount. Above the cap a special
    approval step is added and ``court_award_limit`` is required (rule JA-4)."""
    return _step(request, application_id, services.submit_opinion, payload)


@router.post(
    "/assistance/{application_id}/funds",
    response={200: ApplicationOut, **WRITE_ERRORS},
    summary="The aid money arrived (the notice is due in 2 working days)",
)
@checks_first(_works_on("assistance.funds"))
def record_funds(request, application_id: int, payload: FundsIn):
    return _step(request, application_id, services.record_funds, payload)


@router.post(
    "/assistance/{application_id}/notice",
    response={200: ApplicationOut, **WRITE_ERRORS},
    summary="The applicant was told",
)
@checks_first(_works_on("assistance.notice"))
def record_notice(request, application_id: int, payload: NoticeIn):
    return _step(request, application_id, services.record_notice, payload)


@router.post(
    "/assistance/{application_id}/payment",
    response={200: ApplicationOut, **WRITE_ERRORS},
    summary="The aid was paid",
)
@checks_first(_works_on("assistance.pay"))
def record_payment(request, application_id: int, payload: AssistancePaymentIn):
    return _step(request, application_id, services.record_payment, payload)


@router.post(
    "/assistance/{application_id}/follow-up",
    response={200: ApplicationOut, **WRITE_ERRORS},
    summary="The follow-up after payment",
)
@checks_first(_works_on("assistance.follow_up"))
def record_follow_up(request, application_id: int, payload: FollowUpIn):
    return _step(request, application_id, services.record_follow_up, payload)


@router.post(
    "/assistance/{application_id}/withdraw",
    response={200: ApplicationOut, **WRITE_ERRORS},
    summary="The applicant withdraws (before the decision)",
)
@checks_first(_works_on("assistance.withdraw"))
def withdraw(request, application_id: int, payload: AssistanceWithdrawIn):
    return _step(request, application_id, services.withdraw_application, payload)


# --- legal aid referrals ----------------------------------------------------------------------
# A legal aid transfer with its referral: ``Shown(transfer, referral=...)``, the referral None
# until the centre names a lawyer.
class LegalAidOut(Schema):
    transfer_id: int = Field(..., alias="pk")
    transfer_number: str = Field(..., alias="number")
    status: str
    to_org: str = Field(..., alias="to_org.code")
    sent_on: str
    lawyer_name: str | None
    law_firm: str | None
    lawyer_phone: str | None
    assigned_on: str | None
    outcome: str | None
    outcome_on: str | None
    outcome_note: str | None
    actions: list[str] = Field(
        ...,
        description="what you may do with it now (lawyer, outcome): each is "
        "POST /transfers/{id}/legal-aid/<action>",
    )

    @staticmethod
    def resolve_sent_on(t) -> str:
        return timezone.localdate(t.sent_at).isoformat()

    @staticmethod
    def resolve_lawyer_name(t) -> str | None:
        return t.referral.lawyer_name if t.referral else None

    @staticmethod
    def resolve_law_firm(t) -> str | None:
        return t.referral.law_firm if t.referral else None

    @staticmethod
    def resolve_lawyer_phone(t) -> str | None:
        return t.referral.lawyer_phone if t.referral else None

    @staticmethod
    def resolve_assigned_on(t) -> str | None:
        return _day(t.referral.assigned_on) if t.referral else None

    @staticmethod
    def resolve_outcome(t) -> str | None:
        return (t.referral.outcome or None) if t.referral else None

    @staticmethod
    def resolve_outcome_on(t) -> str | None:
        return _day(t.referral.outcome_on) if t.referral else None

    @staticmethod
    def resolve_outcome_note(t) -> str | None:
        return t.referral.outcome_note if t.referral else None

    @staticmethod
    def resolve_actions(t, context) -> list[str]:
        user = viewer(context)
        # the workflow picks its table by the kind of record: the transfer, not its Shown
        return workflow.allowed_actions(user, record_of(t)) if user is not None else []


def _legal_aid_one(transfer_id: int) -> Shown:
    transfer = Transfer.objects.select_related("to_org").get(pk=transfer_id)
    return Shown(transfer, referral=LegalAidReferral.objects.filter(transfer=transfer).first())


@router.get(
    "/cases/{case_id}/legal-aid",
    response={200: list[LegalAidOut], **READ_ERRORS},
    summary="The case's legal aid referrals: lawyer and outcome",
)
def case_legal_aid(request, case_id: int):
    case = _case(request, case_id)
    transfers = list(
        case.transfers.filter(kind=TransferKind.LEGAL_AID)
        .select_related("to_org")
        .order_by("-sent_at", "-id")
    )
    referrals = {r.transfer_id: r for r in LegalAidReferral.objects.filter(transfer__in=transfers)}
    return [Shown(t, referral=referrals.get(t.pk)) for t in transfers]


@router.get(
    "/transfers/{transfer_id}/legal-aid",
    response={200: LegalAidOut, **READ_ERRORS},
    summary="A legal aid referral's lawyer and outcome",
)
def get_legal_aid(request, transfer_id: int):
    transfer = transfer_rules.get_transfer_for(request.auth, transfer_id)
    if transfer.kind != TransferKind.LEGAL_AID:
        raise Http404
    return _legal_aid_one(transfer.pk)


@router.post(
    "/transfers/{transfer_id}/legal-aid/lawyer",
    response={200: LegalAidOut, **WRITE_ERRORS},
    summary="The legal aid centre names the lawyer (answers an accepted referral)",
)
@checks_first(_legal_aid("legal_aid.assign"))
def assign_lawyer(request, transfer_id: int, payload: LawyerIn):
    transfer = transfer_rules.get_transfer_for(request.auth, transfer_id)
    services.assign_lawyer(transfer_id=transfer.pk, actor=request.auth, data=payload)
    return _legal_aid_one(transfer.pk)


@router.post(
    "/transfers/{transfer_id}/legal-aid/outcome",
    response={200: LegalAidOut, **WRITE_ERRORS},
    summary="The legal aid centre reports the outcome",
)
@checks_first(_legal_aid("legal_aid.outcome"))
def record_outcome(request, transfer_id: int, payload: OutcomeIn):
    transfer = transfer_rules.get_transfer_for(request.auth, transfer_id)
    services.record_legal_aid_outcome(transfer_id=transfer.pk, actor=request.auth, data=payload)
    return _legal_aid_one(transfer.pk)
