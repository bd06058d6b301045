"""Judicial assistance (rules JA-1 … JA-6) and legal aid referrals: every state change here.

Each function is one atomic, audited change of the case (``cases.services.common.changing_case``:
the case row is locked first, then the application, then its approval). Refusals of permission
are audited before the transaction (so the denial row is kept); bad input raises ``InvalidInput``
before anything is written. The approval chain runs on the shared approvals
(``cases.services.approvals``): the officer's review opinion opens the first step, and
``on_approval_decided`` — registered for the ``assistance`` kind — opens the next one or records
the decision.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhichi.accounts.models import Role, User
from zhichi.assistance import workflow
from zhichi.assistance.models import (
    ACTIVE_STATUSES,
    AssistanceApplication,
    AssistanceStatus,
    Exclusion,
    LegalAidReferral,
    Proposal,
    Step,
)
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
from zhichi.audit.services import record
from zhichi.cases.models import (
    Approval,
    ApprovalKind,
    ApprovalStatus,
    CaseParty,
    PartyRole,
)
from zhichi.cases.presenters import choice_label
from zhichi.cases.services import add_event
from zhichi.cases.services.approvals import request_approval
from zhichi.cases.services.common import CaseChange, changing_case
from zhichi.common.errors import FieldError, InvalidInput, StaleVersion
from zhichi.common.inputs import parse
from zhichi.common.validation import Collector
from zhichi.core import assistance as ja
from zhichi.rulebook import loaders
from zhichi.rulebook.models import WageSeries
from zhichi.transfers.models import Transfer, TransferStatus
from zhichi.transfers.services import answer_transfer, notify_sender

STEP_FOR_ROLE = {Role.HEAD: Step.REVIEW, Role.CHIEF: Step.DECISION}


# --- the cap (rules JA-4, JA-5) -----------------------------------------------------------------
def cap_for(province: str, as_of: date) -> tuple[Decimal | None, dict]:
    """The cap for a decision on ``as_of``: the province's average wage of the previous year.

    When that year's figure is not entered yet, the latest earlier year's is used and the detail
    says so (``complete`` false, ``wage_year_wanted``); with no figure at all the cap is None.
    """
    series = loaders.setting("assistance_wage_series", WageSeries.ON_POST)
    months = int(loaders.setting("assistance_months", str(ja.DEFAULT_MONTHS)))
    wanted = as_of.year - 1
    base = {"province": province, "wage_year_wanted": wanted, "series": series}
    try:
        figure, complete = ja.latest_figure(
            loaders.wage_figures(province), province, wanted, series
        )
    except ja.MissingFigure:
        return None, {**base, "complete": False, "cap": None}
    result = ja.cap(figure, months=months, province_cap=loaders.province_cap(province))
    return result.cap, {**ja.as_dict(result), **base, "complete": complete}


# --- recording the application (JA-6: written, or oral and recorded) ---------------------------
def record_application(
    *, case_id: int, actor: User, data: ApplicationIn | dict
) -> AssistanceApplication:
    change = changing_case(case_id, actor=actor, action="assistance.record")
    data = parse(ApplicationIn, data)  # the field rules, JA-2's among them (ApplicationIn)
    today = timezone.localdate()
    party_id, requested, hardship = data.applicant_party_id, data.requested_amount, data.hardship
    situation, form, caused = data.basis, data.form, data.hardship_caused_by_case
    urgent, urgent_reason = data.urgent, data.urgent_reason
    c = Collector()
    with change:
        case = change.case
        received_on = data.received_on or today
        if received_on < case.opened_on:
            # rule JA-1: aid is given only in the course of handling a case
            c.add(
                "received_on",
                "before_case",
                _("Aid is given only while the case is handled: the case opened on %(day)s.")
                % {"day": case.opened_on.isoformat()},
            )
        applicant = (
            CaseParty.objects.filter(case=case, party_id=party_id, role=PartyRole.CLAIMANT)
            .select_related("party")
            .first()
        )
        if applicant is None:
            c.add(
                "applicant_party_id",
                "not_claimant",
                _("The applicant must be a claimant of this case."),
            )
        elif AssistanceApplication.objects.filter(
            case=case, applicant=applicant, status__in=ACTIVE_STATUSES
        ).exists():
            c.add(
                "applicant_party_id",
                "one_aid",
                _(
                    "This person already has an application or aid on this case: one aid "
                    "per applicant per case (rule JA-4)."
                ),
            )
        c.raise_if_errors()
        cap, detail = cap_for(case.organisation.province, received_on)
        application = AssistanceApplication.objects.create(
            case=case,
            applicant=applicant,
            form=form,
            received_on=received_on,
            situation=situation,
            hardship=hardship,
            hardship_caused_by_case=caused,
            requested_amount=requested,
            urgent=urgent,
            urgent_reason=urgent_reason,
            cap=cap,
            cap_detail=detail,
            recorded_by=actor,
        )
        add_event(
            case,
            kind="assistance_received",
            actor=actor,
            summary=hardship[:500],
            data={
                "application": application.pk,
                "applicant": applicant.party.name,
                "amount": str(requested),
                "urgent": urgent,
            },
        )
        change.audit(
            obj=application, detail={"case": case.pk, "amount": str(requested), "urgent": urgent}
        )
    return application


# --- the review opinion and the approval chain -------------------------------------------------
def _lock_application(application_id: int, version: int | None) -> AssistanceApplication:
    application = (
        AssistanceApplication.objects.select_for_update(of=("self",))
        .select_related("case", "applicant__party")
        .get(pk=application_id)
    )
    if version is not None and application.version != version:
        raise StaleVersion(application.version, record="application")
    return application


def ensure_may(application_id: int, actor: User, action: str) -> AssistanceApplication:
    """Who may take ``action`` (a code of ``workflow.MOVES``): the case officer or the department
    head; anyone else is refused (and audited) before any write."""
    application = AssistanceApplication.objects.select_related("case").get(pk=application_id)
    workflow.ensure_may(action, actor, application)
    return application


def _may_work(application_id: int, actor: User, action: str) -> AssistanceApplication:
    """``ensure_may`` for an audit action ("assistance.pay"), as the API's guards name it."""
    return ensure_may(application_id, actor, workflow.code_of(action, workflow.MOVES))


def _changing(current: AssistanceApplication, actor: User, action: str) -> CaseChange:
    """A change of ``current``, which ``_may_work`` let ``actor`` make: ``with`` it to lock the
    case, then lock the application (``_lock_application``) and, last, its approval. Aid is paid
    and followed up after the case is closed, so a closed case takes the change."""
    return changing_case(
        current.case_id, actor=actor, action=action, allow_closed=True, permission=None
    )


def chain_for(*, urgent: bool, above_cap: bool) -> list[dict]:
    """The approval steps after the officer's opinion (rule JA-6; configurable by setting)."""
    roles = settings.ZHICHI["ASSISTANCE_URGENT_CHAIN" if urgent else "ASSISTANCE_CHAIN"]
    steps = [{"step": STEP_FOR_ROLE[role], "role": role} for role in roles]
    if above_cap:
        # rule JA-4: above the cap needs a special approval (and never above a court's award)
        steps.append({"step": Step.SPECIAL, "role": settings.ZHICHI["ASSISTANCE_SPECIAL_ROLE"]})
    return steps


def _open_step(application: AssistanceApplication, actor: User) -> Approval:
    step = application.steps[application.step_index]
    label = Step(step["step"]).label
    amount = application.proposed_amount
    approval = request_approval(
        case=application.case,
        kind=ApprovalKind.ASSISTANCE,
        required_role=step["role"],
        actor=actor,
        payload={
            "application": application.pk,
            "step_index": application.step_index,
            "step": step["step"],
            "proposal": application.proposal,
            "amount": str(amount) if amount is not None else "",
            "applicant": application.applicant.party.name,
            "reasons": application.opinion,
            "url": application.get_absolute_url(),
        },
        text=_("Approval needed (%(step)s): judicial assistance on %(number)s")
        % {"step": label, "number": application.case.number},
        url=application.get_absolute_url(),
    )
    application.approval = approval
    return approval


def present_approval(approval: Approval) -> dict:
    """The inbox line of an assistance approval, in the reader's language."""
    p = approval.payload
    if p.get("proposal") == Proposal.GRANT:
        summary = _("Judicial assistance for %(name)s: grant %(amount)s yuan") % {
            "name": p.get("applicant", ""),
            "amount": f"{Decimal(p['amount']):,.2f}" if p.get("amount") else "",
        }
    else:
        summary = _("Judicial assistance for %(name)s: refuse") % {"name": p.get("applicant", "")}
    return {"summary": summary, "step_label": choice_label(Step, p.get("step"))}


def submit_opinion(
    *, application_id: int, actor: User, data: OpinionIn | dict, version: int | None = None
) -> AssistanceApplication:
    """The officer's verification and review opinion (JA-6): each JA-3 exclusion answered, grant
    or refuse, the amount; opens the approval chain."""
    current = ensure_may(application_id, actor, "opinion")
    change = _changing(current, actor, "assistance.opinion")
    data = parse(OpinionIn, data)  # each exclusion answered, a grant's amount (OpinionIn)
    exclusions = {key: data.exclusions[key] for key in Exclusion.values}
    verification, proposal, opinion = data.verification, data.proposal, data.opinion
    amount, limit = data.proposed_amount, data.court_award_limit
    c = Collector()
    if proposal == Proposal.GRANT and amount > current.requested_amount:
        c.add(
            "proposed_amount",
            "above_request",
            _("The proposal cannot exceed the %(amount)s yuan applied for.")
            % {"amount": f"{current.requested_amount:,.2f}"},
        )
    with change:
        case = change.case
        application = _lock_application(application_id, version)
        workflow.check("opinion", actor, application)  # under verification, the case open
        cap, detail = cap_for(case.organisation.province, timezone.localdate())
        above_cap = False
        if proposal == Proposal.GRANT:  # with an amount above zero (OpinionIn)
            if cap is None:
                c.add(
                    "proposed_amount",
                    "no_cap",
                    _(
                        "No average wage is entered for this province, so the cap (rule JA-4) "
                        "is unknown: enter it in the law library first."
                    ),
                )
            elif amount > cap:
                above_cap = True
                if limit is None:
                    c.add(
                        "court_award_limit",
                        "required",
                        _(
                            "Above the cap of %(cap)s yuan: enter the amount a court would award "
                            "(rule JA-4)."
                        )
                        % {"cap": f"{cap:,.2f}"},
                    )
                elif amount > limit:
                    c.add(
                        "proposed_amount",
                        "above_award",
                        _("Aid above the cap may not exceed what a court would award (rule JA-4)."),
                    )
        # rules JA-2, JA-3 (the open case, JA-1, was checked above)
        result = ja.eligibility(
            situation=application.situation,
            exclusions=exclusions,
            hardship_caused_by_case=application.hardship_caused_by_case,
            other_aid_on_case=False,
        )
        if proposal == Proposal.GRANT and not c.errors and not result.eligible:
            reasons = "；".join(text for rule, text in result.reasons if rule != "JA-2")
            c.add(
                "proposal",
                "not_eligible",
                _("Aid cannot be granted: %(reasons)s") % {"reasons": reasons},
            )
        c.raise_if_errors()
        application.exclusions = exclusions
        application.verification = verification
        application.proposal = proposal
        application.proposed_amount = amount if proposal == Proposal.GRANT else None
        application.court_award_limit = limit if above_cap else None
        application.opinion = opinion
        application.eligibility = {
            "eligible": result.eligible,
            "reasons": [{"rule": r, "text": t} for r, t in result.reasons],
        }
        application.cap, application.cap_detail = cap, detail
        application.opinion_at = timezone.now()
        application.steps = chain_for(urgent=application.urgent, above_cap=above_cap)
        application.step_index = 0
        application.returned_reason = ""
        application.status = AssistanceStatus.IN_APPROVAL
        approval = _open_step(application, actor)
        application.version += 1
        application.save()
        add_event(
            case,
            kind="assistance_opinion",
            actor=actor,
            summary=opinion[:500],
            data={
                "application": application.pk,
                "proposal": proposal,
                "amount": str(amount) if application.proposed_amount else "",
                "above_cap": above_cap,
            },
        )
        change.audit(
            obj=application,
            detail={"proposal": proposal, "approval": approval.pk, "above_cap": above_cap},
        )
    return application


def on_approval_decided(approval: Approval, actor: User, approved: bool, reason: str) -> None:
    """The hook of the ``assistance`` approvals: the next step, or the decision (JA-6). It runs in
    ``decide_approval``'s change of the case, which locked the case and then the approval, and
    recomputes the case's deadlines when the decision is made."""
    application = _lock_application(approval.payload["application"], None)
    if application.status != AssistanceStatus.IN_APPROVAL or application.approval_id != approval.pk:
        raise InvalidInput(
            [FieldError("status", "state", _("This step is no longer open."))],
            detail=_("This step is no longer open."),
        )
    step = application.steps[application.step_index]
    today = timezone.localdate()
    if not approved:
        # returned to the officer, who revises the opinion and submits it again
        application.status = AssistanceStatus.RECEIVED
        application.returned_reason = reason
        application.approval = None
        kind = "assistance_returned"
    elif application.step_index + 1 < len(application.steps):
        application.step_index += 1
        # every step is proposed by whoever gave the opinion, so none of them decides one
        _open_step(application, approval.requested_by)
        kind = "assistance_step"
    else:
        application.decided_on = today
        application.approval = None
        if application.proposal == Proposal.GRANT:
            application.status = AssistanceStatus.GRANTED
            application.granted_amount = application.proposed_amount
        else:
            application.status = AssistanceStatus.REFUSED
        application.decision_reason = reason or application.opinion
        kind = "assistance_decided"
    application.version += 1
    application.save()
    if kind != "assistance_step":  # a step passed is the approval's own timeline event
        add_event(
            application.case,
            kind=kind,
            actor=actor,
            summary=reason[:500],
            data={
                "application": application.pk,
                "step": step["step"],
                "status": application.status,
                "amount": str(application.granted_amount or ""),
            },
        )


# --- after the decision: funds, notice, payment, follow-up ------------------------------------
def _after_decision(
    application_id: int,
    actor: User,
    version: int | None,
    action: str,
    c: Collector,
    apply,
    event: str,
    against=None,
) -> AssistanceApplication:
    """A step of ``workflow.MOVES`` after the opinion: who and the state are the workflow's;
    ``against(application)`` judges the input against the record (dates, amounts) into ``c``."""
    audit = workflow.MOVES[action].audit
    change = _changing(ensure_may(application_id, actor, action), actor, audit)
    with change:
        application = _lock_application(application_id, version)
        workflow.check(action, actor, application)
        if against is not None:
            against(application)
        c.raise_if_errors()
        detail = apply(application)  # the approval, when there is one, last (withdrawal)
        application.version += 1
        application.save()
        add_event(
            change.case, kind=event, actor=actor, data={"application": application.pk, **detail}
        )
        change.audit(obj=application, detail=detail)
    return application


def record_funds(
    *, application_id: int, actor: User, data: FundsIn | dict, version: int | None = None
) -> AssistanceApplication:
    """The aid money arrived: the applicant must be told within 2 working days (rule JA-6)."""
    arrived = parse(FundsIn, data).arrived_on
    c = Collector()

    def against(a: AssistanceApplication) -> None:
        if a.decided_on and arrived < a.decided_on:
            c.add("arrived_on", "before_decision", _("Funds cannot arrive before the decision."))

    def apply(a: AssistanceApplication) -> dict:
        a.funds_arrived_on = arrived
        return {"arrived_on": arrived.isoformat()}

    return _after_decision(
        application_id, actor, version, "funds", c, apply, "assistance_funds", against
    )


def record_notice(
    *, application_id: int, actor: User, data: NoticeIn | dict, version: int | None = None
) -> AssistanceApplication:
    data = parse(NoticeIn, data)
    notified, method = data.notified_on, data.method
    c = Collector()

    def against(a: AssistanceApplication) -> None:
        if notified < a.funds_arrived_on:
            c.add("notified_on", "before_funds", _("This is before the funds arrived."))

    def apply(a: AssistanceApplication) -> dict:
        a.notified_on, a.notice_method = notified, method
        return {"notified_on": notified.isoformat(), "method": method}

    return _after_decision(
        application_id, actor, version, "notice", c, apply, "assistance_notice", against
    )


def record_payment(
    *,
    application_id: int,
    actor: User,
    data: AssistancePaymentIn | dict,
    version: int | None = None,
) -> AssistanceApplication:
    data = parse(AssistancePaymentIn, data)  # a bank transfer's number among them
    paid_on, amount, method, reference = data.paid_on, data.amount, data.method, data.reference
    c = Collector()

    def against(a: AssistanceApplication) -> None:
        if amount > a.granted_amount:
            c.add(
                "amount",
                "above_grant",
                _("The payment cannot exceed the %(amount)s yuan granted.")
                % {"amount": f"{a.granted_amount:,.2f}"},
            )
        if paid_on < a.funds_arrived_on:
            c.add("paid_on", "before_funds", _("This is before the funds arrived."))

    def apply(a: AssistanceApplication) -> dict:
        a.paid_on, a.paid_amount, a.payment_method = paid_on, amount, method
        a.payment_reference = reference
        a.status = AssistanceStatus.PAID
        return {"paid_on": paid_on.isoformat(), "amount": str(amount), "method": method}

    return _after_decision(
        application_id, actor, version, "payment", c, apply, "assistance_paid", against
    )


def record_follow_up(
    *, application_id: int, actor: User, data: FollowUpIn | dict, version: int | None = None
) -> AssistanceApplication:
    data = parse(FollowUpIn, data)
    on, note = data.on, data.note
    c = Collector()

    def against(a: AssistanceApplication) -> None:
        if on < a.paid_on:
            c.add("on", "before_payment", _("This is before the payment."))

    def apply(a: AssistanceApplication) -> dict:
        a.follow_up_on, a.follow_up_note = on, note
        return {"on": on.isoformat()}

    return _after_decision(
        application_id, actor, version, "follow_up", c, apply, "assistance_follow_up", against
    )


def withdraw_application(
    *,
    application_id: int,
    actor: User,
    data: AssistanceWithdrawIn | dict,
    version: int | None = None,
) -> AssistanceApplication:
    """The applicant withdraws before the decision; an open approval step is withdrawn too."""
    reason = parse(AssistanceWithdrawIn, data).reason
    c = Collector()

    def apply(a: AssistanceApplication) -> dict:
        if a.approval_id:
            Approval.objects.filter(pk=a.approval_id, status=ApprovalStatus.PENDING).update(
                status=ApprovalStatus.WITHDRAWN,
                decided_by=actor,
                decided_at=timezone.now(),
                decision_reason=reason,
            )
        a.status, a.withdrawn_reason, a.approval = AssistanceStatus.WITHDRAWN, reason, None
        a.decided_on = timezone.localdate()
        return {"reason": reason[:200]}

    return _after_decision(
        application_id, actor, version, "withdraw", c, apply, "assistance_withdrawn"
    )


# --- legal aid referrals (through a transfer of kind legal_aid) -------------------------------
def ensure_may_refer(transfer_id: int, actor: User, action: str) -> Transfer:
    """Who may take ``action`` (a code of ``workflow.REFERRAL_MOVES``): the legal aid centre
    that received the referral; anyone else is refused (and audited) before any write."""
    transfer = Transfer.objects.get(pk=transfer_id)
    workflow.ensure_may(action, actor, transfer)
    return transfer


def _legal_aid_transfer(transfer_id: int, actor: User, action: str) -> Transfer:
    """``ensure_may_refer`` for an audit action ("legal_aid.assign"), as the API's guards say."""
    return ensure_may_refer(transfer_id, actor, workflow.code_of(action, workflow.REFERRAL_MOVES))


def _legal_aid_change(transfer: Transfer, actor: User, action: str):
    """The change a step of a referral makes: of its case, when it was sent from one (the case
    locked first, then the transfer), else of the referral alone (``with`` it yields None)."""
    if transfer.case_id:
        return changing_case(
            transfer.case_id, actor=actor, action=action, allow_closed=True, permission=None
        )
    return transaction.atomic()


def _legal_aid_event(
    change: CaseChange | None, transfer: Transfer, actor: User, kind: str, data: dict
) -> None:
    if change is not None:
        add_event(change.case, kind=kind, actor=actor, data={"transfer": transfer.pk, **data})


def assign_lawyer(*, transfer_id: int, actor: User, data: LawyerIn | dict) -> LegalAidReferral:
    """The legal aid centre names the lawyer; an accepted referral is thereby answered."""
    change = _legal_aid_change(
        ensure_may_refer(transfer_id, actor, "lawyer"), actor, "legal_aid.assign"
    )
    data = parse(LawyerIn, data)  # the phone in its normal form (LawyerIn)
    lawyer, firm, phone = data.lawyer_name, data.law_firm, data.lawyer_phone
    assigned_on = data.assigned_on
    c = Collector()
    with change as case_change:
        transfer = Transfer.objects.select_for_update(of=("self",)).get(pk=transfer_id)
        workflow.check("lawyer", actor, transfer)
        if assigned_on < timezone.localdate(transfer.sent_at):
            c.add("assigned_on", "before_referral", _("This is before the referral was sent."))
        c.raise_if_errors()
        referral, created = LegalAidReferral.objects.update_or_create(
            transfer=transfer,
            defaults={
                "lawyer_name": lawyer,
                "law_firm": firm,
                "lawyer_phone": phone,
                "assigned_on": assigned_on,
                "assigned_by": actor,
            },
        )
        if transfer.status == TransferStatus.ACCEPTED:
            answer_transfer(
                transfer_id=transfer.pk,
                actor=actor,
                case_locked=True,  # this change of the case holds it already
                data={
                    "text": _("Lawyer %(lawyer)s of %(firm)s assigned on %(day)s.")
                    % {"lawyer": lawyer, "firm": firm, "day": assigned_on.isoformat()},
                    "result": "lawyer_assigned",
                },
            )
        else:
            notify_sender(
                transfer,
                _("%(org)s named the lawyer for legal aid referral %(number)s"),
                key=f"legal-aid:{transfer.pk}:lawyer:{referral.assigned_on}:{lawyer}",
            )
        _legal_aid_event(
            case_change,
            transfer,
            actor,
            "legal_aid_assigned",
            {"lawyer": lawyer, "firm": firm, "changed": not created},
        )
        record(
            action="legal_aid.assign",
            actor=actor,
            obj=transfer,
            detail={"lawyer": lawyer, "firm": firm, "changed": not created},
        )
    return referral


def record_legal_aid_outcome(
    *, transfer_id: int, actor: User, data: OutcomeIn | dict
) -> LegalAidReferral:
    change = _legal_aid_change(
        ensure_may_refer(transfer_id, actor, "outcome"), actor, "legal_aid.outcome"
    )
    data = parse(OutcomeIn, data)
    outcome, on, note = data.outcome, data.outcome_on, data.note
    c = Collector()
    with change as case_change:
        transfer = Transfer.objects.select_for_update(of=("self",)).get(pk=transfer_id)
        workflow.check("outcome", actor, transfer)  # a lawyer named, the referral open
        referral = LegalAidReferral.objects.get(transfer=transfer)
        if on < referral.assigned_on:
            c.add("outcome_on", "before_assignment", _("This is before the lawyer was named."))
        c.raise_if_errors()
        referral.outcome, referral.outcome_on, referral.outcome_note = outcome, on, note
        referral.outcome_by = actor
        referral.save()
        transfer = Transfer.objects.select_related("case", "to_org", "sent_by").get(pk=transfer.pk)
        notify_sender(
            transfer,
            _("%(org)s reported the outcome of legal aid referral %(number)s"),
            key=f"legal-aid:{transfer.pk}:outcome:{outcome}:{on}",
        )
        _legal_aid_event(case_change, transfer, actor, "legal_aid_outcome", {"outcome": outcome})
        record(action="legal_aid.outcome", actor=actor, obj=transfer, detail={"outcome": outcome})
    return referral
