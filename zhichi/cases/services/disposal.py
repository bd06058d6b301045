"""Hierarchical disposal (C4–C6): mediation, support decisions and their approval, court events,
payments, return visits and closing. Each function is one atomic, audited state change; deadlines
and the grade are recomputed from the records inside the same transaction."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from zhichi.accounts.models import Role, User
from zhichi.cases import ledger as ledger_mod
from zhichi.cases.models import (
    Approval,
    ApprovalKind,
    ApprovalStatus,
    Case,
    CaseParty,
    CaseStatus,
    CourtEvent,
    CourtEventKind,
    Instalment,
    LedgerEntry,
    LedgerEntryKind,
    Mediation,
    MediationOutcome,
    PartyRole,
    SessionKind,
    Stage,
    Visit,
    VisitMethod,
    VisitTarget,
)
from zhichi.cases.schemas import (
    AWARD_KINDS,
    CloseIn,
    CourtEventIn,
    MediationIn,
    ShareIn,
    SupportDecisionIn,
    VisitIn,
    VisitRecordIn,
)
from zhichi.cases.services import add_event, publish_stage_changed
from zhichi.cases.services.appointments import mark_held
from zhichi.cases.services.approvals import request_approval
from zhichi.cases.services.common import changing_case

# payments and their reversals live in their own module; callers also reach record_payment here
from zhichi.cases.services.payments import record_payment  # noqa: F401
from zhichi.common.errors import FieldError, InvalidInput
from zhichi.common.inputs import parse


def _claimants(case: Case) -> list[CaseParty]:
    return list(case.parties.filter(role=PartyRole.CLAIMANT).order_by("position", "id"))


def _shares(
    errors: list[FieldError],
    given: list[ShareIn],
    key: str,
    total: Decimal | None,
    claimants: list[CaseParty],
    *,
    split_missing: bool,
) -> dict[int, Decimal]:
    """Each claimant's amount of an agreement or a decision, stored per claimant (C6).

    Given as [{claimant_party_id, amount}], they must name claimants of the case and add up to
    the total; a claimant left out gets nothing (an entry of 0, so the claim is not taken as what
    is due). Not given: with one claimant, the whole total; with several, ``split_missing``
    splits it in proportion to the claims (the API, whose answer shows the split), else it is
    refused at ``key`` (the page, which offers that split for the officer to check and confirm,
    never applying it silently). A refusal is added to ``errors``.
    """
    by_party = {cp.party_id: cp for cp in claimants}
    if len(given) > max(len(claimants), 1):
        errors.append(
            FieldError(key, "too_many", _("At most %(n)d entries.") % {"n": max(len(claimants), 1)})
        )
        return {}
    if not given:
        if total is None:
            return {}
        if len(claimants) > 1 and not split_missing:
            errors.append(
                FieldError(
                    key,
                    "required",
                    _(
                        "Enter each claimant's amount as the document states it; together they "
                        "make the total."
                    ),
                )
            )
            return {}
        return ledger_mod.allocate(total, claimants)
    shares: dict[int, Decimal] = {}
    unknown = False
    for i, row in enumerate(given):
        cp = by_party.get(row.claimant_party_id)
        if cp is None:
            errors.append(
                FieldError(
                    f"{key}.{i}.claimant_party_id", "unknown", _("Not a claimant of this case.")
                )
            )
            unknown = True
            continue
        shares[cp.pk] = shares.get(cp.pk, Decimal("0")) + row.amount
    if total is None or unknown:
        return shares
    added = sum(shares.values(), Decimal("0.00"))
    if added != total:
        errors.append(
            FieldError(
                key,
                "sum",
                _(
                    "The claimants' amounts add up to %(given)s yuan, not the total of "
                    "%(total)s yuan."
                )
                % {"given": f"{added:,.2f}", "total": f"{total:,.2f}"},
            )
        )
    for cp in claimants:
        shares.setdefault(cp.pk, Decimal("0.00"))
    return shares


def _refuse(errors: list[FieldError]) -> None:
    if errors:
        raise InvalidInput(errors, detail=_("The record has errors; nothing was saved."))


def _write_shares(case, kind, shares, *, mediation=None, court_event=None) -> None:
    LedgerEntry.objects.bulk_create(
        LedgerEntry(
            case=case,
            claimant_id=cp_id,
            kind=kind,
            amount=amount,
            mediation=mediation,
            court_event=court_event,
        )
        for cp_id, amount in shares.items()
    )


# --- pre-litigation (C4) --------------------------------------------------------------------
def record_mediation(
    *,
    case_id: int,
    actor: User,
    data: MediationIn | dict,
    version: int | None = None,
    split_missing: bool = True,
) -> Mediation:
    """A mediation or reconciliation session; an agreement may have instalments (rule TL-6) and
    records each claimant's share (``shares``; ``split_missing`` as in ``_shares``). The earliest
    appointment still scheduled on or before the day it was held is marked held."""
    change = changing_case(case_id, actor=actor, action="case.mediation", version=version)
    data = parse(MediationIn, data)
    amount, note = data.agreed_amount, data.note or ""
    kind, outcome = data.kind or SessionKind.MEDIATION, data.outcome
    instalments = [(i.due, i.amount) for i in data.instalments]
    with change:
        case = change.case
        errors: list[FieldError] = []
        shares = {}
        if amount is not None:
            shares = _shares(
                errors, data.shares, "shares", amount, _claimants(case), split_missing=split_missing
            )
        _refuse(errors)
        mediation = Mediation.objects.create(
            case=case,
            kind=kind,
            held_on=data.held_on,
            mediator_org=data.mediator_org,
            outcome=outcome,
            agreed_amount=amount,
            note=note,
            recorded_by=actor,
        )
        Instalment.objects.bulk_create(
            Instalment(mediation=mediation, due=due, amount=value) for due, value in instalments
        )
        if shares:
            _write_shares(case, LedgerEntryKind.AGREED, shares, mediation=mediation)
        held = mark_held(case, held_on=data.held_on)
        appointment = {"appointment": held.pk} if held is not None else {}
        # the headline is rendered from the data in the reader's language; the summary keeps
        # only what the officer wrote
        add_event(
            case,
            kind="mediation",
            actor=actor,
            summary=note,
            data={
                "mediation": mediation.pk,
                "held_on": data.held_on.isoformat(),
                "outcome": outcome,
                "session": kind,
                "mediator": data.mediator_org,
                "amount": f"{amount:.2f}" if amount is not None else None,
                **appointment,
            },
        )
        if outcome == MediationOutcome.AGREEMENT:
            _plan_first_visit(case, actor, after=data.held_on)
        change.audit(
            detail={
                "mediation": mediation.pk,
                "outcome": outcome,
                "amount": str(amount or ""),
                **appointment,
            }
        )
    return mediation


# --- litigation (C5) ------------------------------------------------------------------------
def propose_support_decision(
    *, case_id: int, actor: User, data: SupportDecisionIn | dict
) -> Approval:
    """The officer proposes support or not-support with reasons; a head must approve it."""
    change = changing_case(case_id, actor=actor, action="case.support_decision")
    data = parse(SupportDecisionIn, data)
    decision, reasons = data.decision, data.reasons
    with change:
        case = change.case
        if Approval.objects.filter(
            case=case, kind=ApprovalKind.SUPPORT_DECISION, status=ApprovalStatus.PENDING
        ).exists():
            _refuse(
                [
                    FieldError(
                        "decision",
                        "pending",
                        _("A support decision is already waiting for approval."),
                    )
                ]
            )
        approval = request_approval(
            case=case,
            kind=ApprovalKind.SUPPORT_DECISION,
            required_role=Role.HEAD,
            actor=actor,
            payload={"decision": decision, "reasons": reasons},
            text=_("Approval needed: support decision on %(number)s") % {"number": case.number},
        )
        add_event(
            case,
            kind="support_proposed",
            actor=actor,
            summary=reasons,
            data={"approval": approval.pk, "decision": decision},
        )
        change.audit(detail={"approval": approval.pk, "decision": decision})
    return approval


APPEAL_DAYS = {CourtEventKind.JUDGMENT: "appeal_judgment", CourtEventKind.RULING: "appeal_ruling"}


def record_court_event(
    *,
    case_id: int,
    actor: User,
    data: CourtEventIn | dict,
    version: int | None = None,
    split_missing: bool = True,
) -> CourtEvent:
    """Filing, hearing, judgment, ruling, preservation, enforcement, or an arbitration award.

    Judgments and rulings may list who was served and when: each starts its own appeal period
    (rule TL-4). Their awarded amount enters the ledger as each claimant's amount (``awards``;
    ``split_missing`` as in ``_shares``).
    """
    change = changing_case(case_id, actor=actor, action="case.court_event", version=version)
    data = parse(CourtEventIn, data)
    kind, on, court, served_on = data.kind, data.on, data.court or "", data.served_on
    amount, note = data.amount_awarded, data.note or ""
    services = [(s.person, s.served_on) for s in data.served]
    with change:
        case = change.case
        errors: list[FieldError] = []
        shares = {}
        if amount is not None and kind in AWARD_KINDS:
            shares = _shares(
                errors, data.awards, "awards", amount, _claimants(case), split_missing=split_missing
            )
        _refuse(errors)
        if served_on and not services:
            services = [(_("all parties"), served_on)]
        event = CourtEvent.objects.create(
            case=case,
            kind=kind,
            on=on,
            court=court,
            served_on=served_on,
            amount_awarded=amount,
            performance_due=data.performance_due,
            note=note,
            recorded_by=actor,
        )
        for person, when in services:
            event.services.create(person=person, served_on=when)
        if shares:
            _write_shares(case, LedgerEntryKind.AWARDED, shares, court_event=event)
        add_event(
            case,
            kind="court_event",
            actor=actor,
            summary=" ".join(p for p in (court, note) if p),
            data={
                "event": event.pk,
                "court_kind": kind,
                "on": on.isoformat(),
                "amount": str(amount) if amount is not None else None,
            },
        )
        if kind in (CourtEventKind.JUDGMENT, CourtEventKind.RULING):
            _plan_first_visit(case, actor, after=on)
        change.audit(detail={"event": event.pk, "kind": kind, "amount": str(amount or "")})
    return event


# --- post-litigation (C6) -------------------------------------------------------------------
def _plan_first_visit(case: Case, actor: User, *, after) -> None:
    """Return visits run on a schedule: the first some days after the judgment or agreement."""
    days = settings.ZHICHI["VISIT_FIRST_DAYS"]
    planned = after + timedelta(days=days)
    if not Visit.objects.filter(
        case=case, done_on__isnull=True, target=VisitTarget.CLAIMANT
    ).exists():
        visit = Visit.objects.create(
            case=case,
            planned_on=planned,
            target=VisitTarget.CLAIMANT,
            method=VisitMethod.PHONE,
            planned_by=actor,
        )
        add_event(
            case,
            kind="visit_planned",
            actor=actor,
            data={"visit": visit.pk, "target": visit.target, "planned_on": planned.isoformat()},
        )


def plan_visit(*, case_id: int, actor: User, data: VisitIn | dict) -> Visit:
    change = changing_case(case_id, actor=actor, action="case.visit")
    data = parse(VisitIn, data)
    planned_on, target, method = data.planned_on, data.target, data.method
    with change:
        case = change.case
        visit = Visit.objects.create(
            case=case, planned_on=planned_on, target=target, method=method, planned_by=actor
        )
        add_event(
            case,
            kind="visit_planned",
            actor=actor,
            data={"visit": visit.pk, "target": target, "planned_on": planned_on.isoformat()},
        )
        change.audit(action="case.visit_plan", detail={"visit": visit.pk})
    return visit


def record_visit(*, visit_id: int, actor: User, data: VisitRecordIn | dict) -> Visit:
    """What the visit found; while money is outstanding the next visit is planned (C6)."""
    visit = Visit.objects.select_related("case").get(pk=visit_id)
    change = changing_case(visit.case_id, actor=actor, action="case.visit")
    data = parse(VisitRecordIn, data)
    done_on, findings, paid_in_full = data.done_on, data.findings, data.paid_in_full
    problems, next_on = data.remaining_problems or "", data.next_visit_on
    with change:
        case = change.case
        visit = Visit.objects.select_for_update().get(pk=visit_id)
        if visit.done_on is not None:
            _refuse([FieldError("done_on", "recorded", _("This visit is already recorded."))])
        visit.done_on, visit.findings, visit.remaining_problems = done_on, findings, problems
        visit.paid_in_full, visit.recorded_by = paid_in_full, actor
        visit.save()
        if not paid_in_full:
            every = settings.ZHICHI["VISIT_EVERY_DAYS"]
            Visit.objects.create(
                case=case,
                planned_on=next_on or done_on + timedelta(days=every),
                target=visit.target,
                method=visit.method,
                planned_by=actor,
            )
        add_event(
            case,
            kind="visit_done",
            actor=actor,
            summary=findings,
            data={"visit": visit.pk, "paid_in_full": paid_in_full, "target": visit.target},
        )
        change.audit(detail={"visit": visit.pk})
    return visit


def _closing_message(code: str, totals: dict[str, Decimal]) -> str:
    figures = {k: f"{totals[k]:,.2f}" for k in ("recovered", "outstanding")}
    if code == "outstanding":
        text = _(
            "Recovered in full needs nothing outstanding, but the ledger shows %(outstanding)s "
            "yuan outstanding (%(recovered)s yuan recovered)."
        )
    elif code == "nothing_recovered":
        text = _(
            "Partly recovered needs a recorded payment, but the ledger shows nothing recovered "
            "(%(outstanding)s yuan outstanding): the outcome is not recovered."
        )
    elif code == "nothing_outstanding":
        text = _(
            "Partly recovered needs money still outstanding, but the ledger shows nothing "
            "outstanding (%(recovered)s yuan recovered): the outcome is recovered in full."
        )
    else:
        text = _(
            "Not recovered needs nothing recovered, but the ledger shows %(recovered)s yuan "
            "recovered (%(outstanding)s yuan outstanding)."
        )
    return text % figures


def _agrees_with_ledger(case: Case, outcome: str) -> ledger_mod.Ledger:
    """The outcome agrees with the ledger in both directions (C6), else 422 at ``outcome``
    naming the figures."""
    book = ledger_mod.ledger_for(case)
    conflict = ledger_mod.closing_conflict(outcome, book.totals)
    if conflict:
        _refuse([FieldError("outcome", conflict, _closing_message(conflict, book.totals))])
    return book


def check_closing(
    *, case_id: int, actor: User, data: CloseIn | dict, version: int | None = None
) -> ledger_mod.Ledger:
    """Everything ``close_case`` checks, without closing: the page's confirm step shows the
    outcome with these ledger figures before the officer confirms. Refuses as close_case does."""
    change = changing_case(case_id, actor=actor, action="case.close", version=version)
    outcome = parse(CloseIn, data).outcome
    with change:
        change.nothing_changed()  # only the check
        book = _agrees_with_ledger(change.case, outcome)
    return book


def close_case(
    *, case_id: int, actor: User, data: CloseIn | dict, version: int | None = None
) -> Case:
    """Close with an outcome (C6) that agrees with the ledger in both directions."""
    change = changing_case(case_id, actor=actor, action="case.close", version=version)
    data = parse(CloseIn, data)
    outcome, note = data.outcome, data.note or ""
    with change:
        case = change.case
        book = _agrees_with_ledger(case, outcome)
        previous = case.stage
        case.stage, case.status = Stage.CLOSED, CaseStatus.CLOSED
        case.outcome, case.closing_note, case.closed_on = outcome, note, timezone.localdate()
        change.save("stage", "status", "outcome", "closing_note", "closed_on")
        add_event(
            case,
            kind="case_closed",
            actor=actor,
            summary=note,
            data={
                "from": previous,
                "outcome": outcome,
                "recovered": f"{book.totals['recovered']:.2f}",
                "outstanding": f"{book.totals['outstanding']:.2f}",
            },
        )
        change.audit(detail={"outcome": outcome})
        publish_stage_changed(case, previous)
    return case
