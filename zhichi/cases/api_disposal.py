"""Hierarchical disposal in the partner API (API.md § Cases): mediations and their appointments,
support decisions and approvals, court events, payments, return visits, closing, the money ledger
and the level."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status

from zhichi.cases import rules, selectors
from zhichi.cases import services as case_services
from zhichi.cases.api import CaseOut, shown_case
from zhichi.cases.ledger import ledger_for
from zhichi.cases.models import (
    Approval,
    ApprovalStatus,
    CaseShare,
    LedgerEntry,
    MediationAppointment,
    Payment,
    Visit,
)
from zhichi.cases.partner_view import sees_internal
from zhichi.cases.schemas import (
    CancelAppointmentIn,
    CloseIn,
    CourtEventIn,
    DecideIn,
    FactsIn,
    LevelIn,
    MediationAppointmentIn,
    MediationIn,
    PaymentIn,
    ReopenIn,
    ReverseIn,
    RevokeIn,
    SupportDecisionIn,
    VisitIn,
    VisitRecordIn,
)
from zhichi.cases.services import appointments, approvals, disposal, facts, payments, reopening
from zhichi.cases.services.common import WORK
from zhichi.common.api import (
    WRITE_ERRORS,
    ErrorOut,
    Shown,
    ValidationErrorOut,
    checks_first,
    viewer,
)
from zhichi.common.schemas import (
    AmountText,
    IsoText,
    OptionalAmountText,
    OptionalIsoText,
    one_of,
)

cases_router = Router()
approvals_router = Router()
visits_router = Router()
payments_router = Router()
appointments_router = Router()


def _notes(context, organisation_id: int | None) -> bool:
    """Whether the answer shows the officers' own words and names (notes, findings, who recorded
    or reversed a payment): partner agencies do not see them (C8)."""
    return sees_internal(viewer(context), organisation_id)


class ApprovalOut(Schema):
    id: int
    case_id: int
    case_number: str = Field(..., alias="case.number")
    kind: str
    payload: dict[str, Any]
    required_role: str
    escalated_from: str | None = Field(
        None,
        description="the role the step would have gone to had its proposer not been the only one "
        "holding it (four eyes: it went to required_role instead)",
    )
    escalation_note: str = Field("", description="why it went a level up, in plain words")
    status: str
    requested_by: str = Field(..., alias="requested_by.username")
    requested_at: IsoText
    decided_by: str | None
    decided_at: OptionalIsoText
    decision_reason: str

    @staticmethod
    def resolve_escalated_from(a: Approval) -> str | None:
        return a.escalated_from or None

    @staticmethod
    def resolve_decided_by(a: Approval) -> str | None:
        return a.decided_by.username if a.decided_by else None


class ClaimantAmountOut(Schema):
    """One claimant's share or award: a ``LedgerEntry`` read with its claimant."""

    claimant_party_id: int = Field(..., alias="claimant.party_id")
    amount: AmountText


SPLIT = "given | pro_rata: as sent, or split in proportion to the claims because none was sent"


class MediationCaseOut(CaseOut):
    mediation_id: int
    shares: list[ClaimantAmountOut] = Field(
        default_factory=list, description="each claimant's share as recorded (agreements only)"
    )
    shares_split: str | None = Field(None, description=SPLIT)


# A ``MediationAppointment`` read with its case (through the case, or ``_appointment_for``).
class MediationAppointmentOut(Schema):
    id: int
    case_id: int
    kind: str
    on: IsoText
    at_time: str | None = Field(None, description="the time of day, HH:MM; none when not set")
    place: str
    mediator_org: str
    status: str = Field(..., description="scheduled, held (a mediation was recorded) or cancelled")
    cancel_reason: str = Field("", description="why it was cancelled; empty for partner agencies")

    @staticmethod
    def resolve_at_time(a: MediationAppointment) -> str | None:
        return a.at_time.strftime("%H:%M") if a.at_time else None

    # the reason is the officers' own words (hidden from partners, C8)
    @staticmethod
    def resolve_cancel_reason(a: MediationAppointment, context) -> str:
        return a.cancel_reason if _notes(context, a.case.organisation_id) else ""


class CourtEventCaseOut(CaseOut):
    court_event_id: int
    awards: list[ClaimantAmountOut] = Field(
        default_factory=list,
        description="each claimant's amount as recorded (judgments and rulings with an amount)",
    )
    awards_split: str | None = Field(None, description=SPLIT)


class PaymentCaseOut(CaseOut):
    payment_id: int


# A ``PaymentReversal`` read with its payment and the payment's case (``_payments``).
class ReversalOut(Schema):
    reversed_at: IsoText
    reversed_by: str | None = Field(None, description="empty for partner agencies")
    reason: str = Field("", description="empty for partner agencies (the officer's own words)")

    @staticmethod
    def resolve_reversed_by(r, context) -> str | None:
        return r.reversed_by.username if _notes(context, r.payment.case.organisation_id) else None

    @staticmethod
    def resolve_reason(r, context) -> str:
        return r.reason if _notes(context, r.payment.case.organisation_id) else ""


# A ``Payment`` read by ``_payments`` (its claimant, case, recorder and reversal).
class PaymentOut(Schema):
    id: int
    case_id: int
    claimant_party_id: int = Field(..., alias="claimant.party_id")
    name: str = Field(..., alias="claimant.party.name")
    paid_on: IsoText
    amount: AmountText
    payer: str
    method: str
    overpayment_reason: str = Field("", description="empty for partner agencies")
    recorded_at: IsoText
    recorded_by: str | None = Field(None, description="empty for partner agencies")
    reversal: ReversalOut | None = Field(
        None, description="set when the payment was reversed: it stays on record, in no total"
    )

    @staticmethod
    def resolve_overpayment_reason(p: Payment, context) -> str:
        return p.overpayment_reason if _notes(context, p.case.organisation_id) else ""

    @staticmethod
    def resolve_recorded_by(p: Payment, context) -> str | None:
        return p.recorded_by.username if _notes(context, p.case.organisation_id) else None

    @staticmethod
    def resolve_reversal(p: Payment):
        return getattr(p, "reversal", None)  # None: no reversal (the reverse one-to-one)


class VisitOut(Schema):
    id: int
    case_id: int
    planned_on: IsoText
    target: str
    method: str
    done_on: OptionalIsoText
    findings: str
    remaining_problems: str
    paid_in_full: bool | None

    # the findings are the procuratorate's own (hidden from partners, C8)
    @staticmethod
    def resolve_findings(v: Visit, context) -> str:
        return v.findings if _notes(context, v.case.organisation_id) else ""

    @staticmethod
    def resolve_remaining_problems(v: Visit, context) -> str:
        return v.remaining_problems if _notes(context, v.case.organisation_id) else ""


# A ``ledger.Row``.
class LedgerRowOut(Schema):
    claimant_party_id: int = Field(..., alias="claimant.party_id")
    name: str = Field(..., alias="claimant.party.name")
    claimed: AmountText
    agreed: OptionalAmountText
    awarded: OptionalAmountText
    recovered: AmountText = Field(..., description="payments net of reversals")
    outstanding: AmountText
    overpaid: AmountText = Field(
        ..., description="paid beyond what is due; outstanding is then 0.00"
    )


# A ``ledger.Ledger`` with the case's payments (``Shown(book, payments=...)``).
class LedgerOut(Schema):
    rows: list[LedgerRowOut]
    totals: dict[str, AmountText] = Field(
        ..., description="claimed, agreed, awarded, recovered, due, outstanding, overpaid"
    )
    payments: list[PaymentOut] = Field(
        default_factory=list, description="every payment recorded, reversed ones included"
    )


def _recorded_split(entries, given: bool) -> tuple[list, str | None]:
    """Each claimant's recorded amount of one agreement or decision, and how it was made."""
    rows = list(entries.select_related("claimant").order_by("claimant__position", "claimant_id"))
    return rows, ("given" if given else "pro_rata") if rows else None


def _case(request, case_id: int):
    return rules.get_case_for(request.auth, case_id)


# Who may act is decided before the body is judged (issue 12, item 10): see checks_first.
def _works_on(action: str):
    def guard(request, case_id):
        WORK.ensure(_case(request, case_id).pk, request.auth, action)

    return guard


def _sets_level(request, case_id):
    case_services.ensure_may_set_level(case_id=_case(request, case_id).pk, actor=request.auth)


def _reopens(request, case_id):
    reopening.ensure_may_reopen(case_id=_case(request, case_id).pk, actor=request.auth)


def _decides(request, approval_id):
    approvals.ensure_may_decide(
        approval_id=_approval_for(request, approval_id).pk, actor=request.auth
    )


def _records_visit(request, visit_id):
    visit = rules.get_case_record_for(request.auth, Visit.objects, visit_id)
    WORK.ensure(visit.case_id, request.auth, "case.visit")


def _appointment_for(request, appointment_id: int) -> MediationAppointment:
    """The appointment with its case if the caller may see that case, else 404."""
    return rules.get_case_record_for(
        request.auth, MediationAppointment.objects.select_related("case"), appointment_id
    )


def _cancels_appointment(request, appointment_id):
    appointments.ensure_may_cancel(
        appointment_id=_appointment_for(request, appointment_id).pk, actor=request.auth
    )


def _revokes_share(request, case_id, share_id):
    share = get_object_or_404(CaseShare, pk=share_id, case=_own_case(request, case_id))
    facts.ensure_may_revoke_share(share_id=share.pk, actor=request.auth)


@cases_router.post(
    "/{case_id}/mediations",
    response={201: MediationCaseOut, **WRITE_ERRORS},
    summary="Record a mediation (C4)",
)
@checks_first(_works_on("case.mediation"))
def record_mediation(request, case_id: int, payload: MediationIn):
    """An agreement records each claimant's share: ``shares`` as sent, or split in proportion to
    the claims when none is sent; the answer's ``shares`` show what was recorded."""
    case = _case(request, case_id)
    mediation = disposal.record_mediation(
        case_id=case.pk, actor=request.auth, data=payload, version=payload.version
    )
    shares, split = _recorded_split(
        LedgerEntry.objects.filter(mediation=mediation), given=bool(payload.shares)
    )
    return Status(
        201,
        shown_case(request, case.pk, mediation_id=mediation.pk, shares=shares, shares_split=split),
    )


@cases_router.post(
    "/{case_id}/mediation-appointments",
    response={201: MediationAppointmentOut, **WRITE_ERRORS},
    summary="Schedule a mediation session (C4)",
)
@checks_first(_works_on(appointments.SCHEDULE_ACTION))
def schedule_mediation(request, case_id: int, payload: MediationAppointmentIn):
    """A session planned for a date today or later, with where and by whom; the person who
    applied through the public portal is told the date, time and place. Recording a mediation
    held on or after its date marks it ``held``."""
    case = _case(request, case_id)
    appointment = appointments.schedule_mediation(
        case_id=case.pk, actor=request.auth, data=payload, version=payload.version
    )
    return Status(201, appointment)


@cases_router.get(
    "/{case_id}/mediation-appointments",
    response={200: list[MediationAppointmentOut], 401: ErrorOut, 404: ErrorOut},
    summary="Mediation appointments",
)
def list_mediation_appointments(request, case_id: int):
    """Every appointment of the case, scheduled, held or cancelled, by date."""
    # each appointment knows its case: no query per appointment
    return _case(request, case_id).mediation_appointments.all()


@appointments_router.post(
    "/{appointment_id}/cancel",
    response={200: MediationAppointmentOut, **WRITE_ERRORS},
    summary="Cancel a scheduled mediation session with a reason",
)
@checks_first(_cancels_appointment)
def cancel_mediation_appointment(request, appointment_id: int, payload: CancelAppointmentIn):
    """The case's officer or a head of its department (403 for others). One held or cancelled
    already is refused at ``status`` (422); a closed case at ``case``. The person who applied
    is told it is off, never the reason."""
    appointment = _appointment_for(request, appointment_id)
    appointments.cancel_mediation_appointment(
        appointment_id=appointment.pk,
        actor=request.auth,
        data=payload,
        version=payload.version,
    )
    return _appointment_for(request, appointment.pk)


@cases_router.post(
    "/{case_id}/support-decision",
    response={201: ApprovalOut, **WRITE_ERRORS},
    summary="Propose support or not (needs a head's approval)",
)
@checks_first(_works_on("case.support_decision"))
def support_decision(request, case_id: int, payload: SupportDecisionIn):
    case = _case(request, case_id)
    approval = disposal.propose_support_decision(case_id=case.pk, actor=request.auth, data=payload)
    return Status(201, approval)


@cases_router.post(
    "/{case_id}/court-events",
    response={201: CourtEventCaseOut, **WRITE_ERRORS},
    summary="Record a court event (C5)",
)
@checks_first(_works_on("case.court_event"))
def court_event(request, case_id: int, payload: CourtEventIn):
    """A judgment or ruling with an amount records each claimant's amount: ``awards`` as sent,
    or split in proportion to the claims when none is sent; the answer's ``awards`` show what
    was recorded."""
    case = _case(request, case_id)
    event = disposal.record_court_event(
        case_id=case.pk, actor=request.auth, data=payload, version=payload.version
    )
    awards, split = _recorded_split(
        LedgerEntry.objects.filter(court_event=event), given=bool(payload.awards)
    )
    return Status(
        201,
        shown_case(request, case.pk, court_event_id=event.pk, awards=awards, awards_split=split),
    )


@cases_router.post(
    "/{case_id}/payments",
    response={201: PaymentCaseOut, **WRITE_ERRORS},
    summary="Record a payment to a claimant (C6)",
)
@checks_first(_works_on("case.payment"))
def payment(request, case_id: int, payload: PaymentIn):
    """More than the claimant is still owed is refused at ``amount`` (``above_outstanding``)
    unless ``overpayment_reason`` says why; ``money.overpaid`` then shows it."""
    case = _case(request, case_id)
    recorded = payments.record_payment(
        case_id=case.pk, actor=request.auth, data=payload, version=payload.version
    )
    return Status(201, shown_case(request, case.pk, payment_id=recorded.pk))


@cases_router.post(
    "/{case_id}/visits", response={201: VisitOut, **WRITE_ERRORS}, summary="Plan a return visit"
)
@checks_first(_works_on("case.visit"))
def plan_visit(request, case_id: int, payload: VisitIn):
    case = _case(request, case_id)
    visit = disposal.plan_visit(case_id=case.pk, actor=request.auth, data=payload)
    return Status(201, visit)


@cases_router.get(
    "/{case_id}/visits",
    response={200: list[VisitOut], 401: ErrorOut, 404: ErrorOut},
    summary="Return visits",
)
def list_visits(request, case_id: int):
    return _case(request, case_id).visits.all()  # each visit knows its case: no query per visit


@cases_router.post(
    "/{case_id}/close", response={200: CaseOut, **WRITE_ERRORS}, summary="Close with an outcome"
)
@checks_first(_works_on("case.close"))
def close(request, case_id: int, payload: CloseIn):
    case = _case(request, case_id)
    disposal.close_case(case_id=case.pk, actor=request.auth, data=payload, version=payload.version)
    return shown_case(request, case.pk)


@cases_router.post(
    "/{case_id}/level",
    response={200: CaseOut, **WRITE_ERRORS},
    summary="A head sets the level with a reason",
)
@checks_first(_sets_level)
def set_level(request, case_id: int, payload: LevelIn):
    case = _case(request, case_id)
    case_services.override_level(
        case_id=case.pk,
        level=payload.level,
        reason=payload.reason,
        actor=request.auth,
        version=payload.version,
    )
    return shown_case(request, case.pk)


@cases_router.post(
    "/{case_id}/reopen",
    response={200: CaseOut, 202: ApprovalOut, **WRITE_ERRORS},
    summary="A head reopens a closed case, or asks a second person to (four eyes)",
)
@checks_first(_reopens)
def reopen(request, case_id: int, payload: ReopenIn):
    """200: the case, open again at the stage it was closed from. 202: the head closed the case
    or handles it, so the reopening waits for another head of the department or the chief
    procurator (the approval; the case reopens when it is approved)."""
    case = _case(request, case_id)
    done = reopening.reopen_case(
        case_id=case.pk, actor=request.auth, data=payload, version=payload.version
    )
    if done.approval is not None:
        return Status(202, done.approval)
    return shown_case(request, case.pk)


@cases_router.get(
    "/{case_id}/ledger",
    response={200: LedgerOut, 401: ErrorOut, 404: ErrorOut},
    summary="The money ledger per claimant",
)
def ledger(request, case_id: int):
    """Per claimant and in total, from the entries (C6), with every payment: a reversed one
    stays listed with its reversal and counts in no total."""
    case = _case(request, case_id)
    return Shown(ledger_for(case), payments=list(_payments(case.payments.all())))


def _payments(qs):
    """Payments as ``PaymentOut`` reads them, in the order they were paid."""
    return qs.select_related(
        "case", "claimant__party", "recorded_by", "reversal__reversed_by"
    ).order_by("paid_on", "id")


def _payment_for(request, payment_id: int) -> Payment:
    """The payment if the caller may see its case, else 404."""
    return rules.get_case_record_for(request.auth, Payment.objects, payment_id)


def _reverses(request, payment_id):
    payments.ensure_may_reverse(payment_id=_payment_for(request, payment_id).pk, actor=request.auth)


@payments_router.post(
    "/{payment_id}/reverse",
    response={200: PaymentOut, **WRITE_ERRORS},
    summary="Reverse a wrongly recorded payment with a reason (C6)",
)
@checks_first(_reverses)
def reverse_payment(request, payment_id: int, payload: ReverseIn):
    """The case's officer or a head of its department (403 for others). The payment stays on
    record, marked reversed, and leaves every total; a payment is reversed once (422 at
    ``status``); a closed case is reopened first (422 at ``case``)."""
    payment = _payment_for(request, payment_id)
    payments.reverse_payment(
        payment_id=payment.pk,
        actor=request.auth,
        data=payload,
        version=payload.version,
    )
    return _payments(Payment.objects.filter(pk=payment.pk)).get()


def _approval_for(request, approval_id: int) -> Approval:
    return rules.get_case_record_for(
        request.auth,
        Approval.objects.select_related("case", "requested_by", "decided_by"),
        approval_id,
    )


@approvals_router.get(
    "",
    response={200: list[ApprovalOut], 401: ErrorOut, 422: ValidationErrorOut},
    summary="Approvals waiting for me",
)
def approvals_inbox(
    request,
    status: one_of(ApprovalStatus) = ApprovalStatus.PENDING.value,
):
    """Pending: the approvals you may decide; another status: those of the cases you see. Newest
    first, at most 200 (the page lists the same, in the same order)."""
    return selectors.approvals_inbox(request.auth, status)[: selectors.INBOX_LIMIT]


@approvals_router.post(
    "/{approval_id}/approve", response={200: ApprovalOut, **WRITE_ERRORS}, summary="Approve"
)
@checks_first(_decides)
def approve(request, approval_id: int, payload: DecideIn | None = None):
    approval = _approval_for(request, approval_id)
    approval = approvals.decide_approval(
        approval_id=approval.pk,
        actor=request.auth,
        approve=True,
        reason=payload.reason if payload else "",
    )
    return Approval.objects.select_related("case", "requested_by", "decided_by").get(pk=approval.pk)


@approvals_router.post(
    "/{approval_id}/reject",
    response={200: ApprovalOut, **WRITE_ERRORS},
    summary="Reject with a reason",
)
@checks_first(_decides)
def reject(request, approval_id: int, payload: DecideIn):
    approval = _approval_for(request, approval_id)
    approvals.decide_approval(
        approval_id=approval.pk, actor=request.auth, approve=False, reason=payload.reason
    )
    return Approval.objects.select_related("case", "requested_by", "decided_by").get(pk=approval.pk)


@visits_router.post(
    "/{visit_id}/record", response={200: VisitOut, **WRITE_ERRORS}, summary="Record a return visit"
)
@checks_first(_records_visit)
def record_visit(request, visit_id: int, payload: VisitRecordIn):
    visit = rules.get_case_record_for(request.auth, Visit.objects, visit_id)
    return disposal.record_visit(visit_id=visit.pk, actor=request.auth, data=payload)


# --- facts and sharing (C7, C8) -------------------------------------------------------------
@cases_router.post(
    "/{case_id}/facts",
    response={200: CaseOut, **WRITE_ERRORS},
    summary="Update the facts; the case is graded and checked for a criminal lead again",
)
@checks_first(_works_on("case.facts"))
def update_facts(request, case_id: int, payload: FactsIn):
    """Only the facts sent change: consent is withdrawn only by `consent_to_share: false`."""
    case = _case(request, case_id)
    facts.update_case_facts(
        case_id=case.pk, actor=request.auth, data=payload, version=payload.version
    )
    return shown_case(request, case.pk)


class ShareOut(Schema):
    id: int
    organisation: str = Field(..., alias="organisation.code")
    department: str | None
    reason: str
    basis: str
    legal_basis: str
    source: str
    granted_at: IsoText
    ended_at: OptionalIsoText
    end_reason: str

    @staticmethod
    def resolve_department(s: CaseShare) -> str | None:
        return s.department.code if s.department else None


def _own_case(request, case_id: int):
    """Shares are the owning procuratorate's business: others get 404 as for a hidden case."""
    case = _case(request, case_id)
    if not sees_internal(request.auth, case.organisation_id):
        raise Http404
    return case


@cases_router.get(
    "/{case_id}/shares",
    response={200: list[ShareOut], 401: ErrorOut, 404: ErrorOut},
    summary="Who else may read the case, why, and until when",
)
def list_shares(request, case_id: int):
    case = _own_case(request, case_id)
    rows = case.shares.select_related("organisation", "department").order_by("-granted_at", "-id")
    return rows[:200]


@cases_router.post(
    "/{case_id}/shares/{share_id}/revoke",
    response={200: ShareOut, **WRITE_ERRORS},
    summary="End a share; the other side is refused from its next request",
)
@checks_first(_revokes_share)
def revoke_share(request, case_id: int, share_id: int, payload: RevokeIn):
    case = _own_case(request, case_id)
    share = get_object_or_404(CaseShare, pk=share_id, case=case)
    share = facts.revoke_share(share_id=share.pk, actor=request.auth, reason=payload.reason)
    return CaseShare.objects.select_related("organisation", "department").get(pk=share.pk)
