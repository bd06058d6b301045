"""Pages for hierarchical disposal (C4–C6): the event forms of the case page, the approvals inbox,
and what the workbench shows of deadlines, approvals and return visits.

Views only shape pages: every change is a service call, which validates the input and decides who
may do what (``InvalidInput`` → the form again with its errors, 422; ``NotPermitted`` → 403;
``StaleVersion`` → a message and the case page). Objects outside the user's scope are 404.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhichi.accounts.models import Role
from zhichi.cases import rules
from zhichi.cases import services as case_services
from zhichi.cases.forms_disposal import (
    CloseForm,
    CourtEventForm,
    FactsForm,
    LevelForm,
    MediationForm,
    PaymentForm,
    ReopenForm,
    ReversalForm,
    SupportDecisionForm,
    VisitPlanForm,
    VisitRecordForm,
)
from zhichi.cases.models import (
    Approval,
    CaseShare,
    Outcome,
    Payment,
    Visit,
)
from zhichi.cases.page import (
    case_url,
    claimants_of,
    show_case,
    submit,
    submit_amounts,
)
from zhichi.cases.services import disposal, facts, payments, reopening
from zhichi.common.errors import InvalidInput
from zhichi.common.steps import run_step


def _sent_to(approval: Approval) -> str:
    """Where a proposal went, for the proposer's confirmation."""
    if approval.escalated_from:
        return approval.escalation_note
    if approval.required_role == Role.CHIEF:
        return _("Proposal sent to the chief procurator for approval.")
    return _("Proposal sent to the department head for approval.")


@login_required
@require_POST
def record_mediation(request, pk: int):
    case = rules.get_case_for(request.user, pk)
    form = MediationForm(request.POST, claimants=claimants_of(case))
    return submit_amounts(
        request,
        case,
        key="mediation",
        form=form,
        service=disposal.record_mediation,
        action="case.mediation",
        anchor="mediation",
        success=_("Mediation recorded."),
    )


@login_required
@require_POST
def propose_support(request, pk: int):
    case = rules.get_case_for(request.user, pk)
    form = SupportDecisionForm(request.POST)
    return submit(
        request,
        case,
        key="support",
        form=form,
        call=lambda: disposal.propose_support_decision(
            case_id=case.pk, actor=request.user, data=form.payload()
        ),
        anchor="litigation",
        success=_sent_to,
    )


@login_required
@require_POST
def record_court_event(request, pk: int):
    case = rules.get_case_for(request.user, pk)
    form = CourtEventForm(request.POST, claimants=claimants_of(case))
    return submit_amounts(
        request,
        case,
        key="court",
        form=form,
        service=disposal.record_court_event,
        action="case.court_event",
        anchor="litigation",
        success=_("Court event recorded."),
    )


@login_required
@require_POST
def record_payment(request, pk: int):
    """A payment above what the claimant is still owed comes back with the amount over and a
    field for its reason (the confirm step, C6); sent again with the reason, it is recorded."""
    case = rules.get_case_for(request.user, pk)
    claimants = claimants_of(case)
    form = PaymentForm(request.POST, claimants=claimants, over="overpayment_reason" in request.POST)

    def refine(exc: InvalidInput):
        if not form.over and any(e.code == "above_outstanding" for e in exc.errors):
            return PaymentForm(request.POST, claimants=claimants, over=True)
        return form

    return submit(
        request,
        case,
        key="payment",
        form=form,
        call=lambda: payments.record_payment(
            case_id=case.pk, actor=request.user, data=form.payload(), version=form.version()
        ),
        anchor="money",
        success=_("Payment recorded."),
        refine=refine,
    )


@login_required
@require_POST
def reverse_payment(request, pk: int, payment_id: int):
    """Reverse one payment with a reason (the officer or the head, C6)."""
    case = rules.get_case_for(request.user, pk)
    payment = get_object_or_404(Payment, pk=payment_id, case_id=case.pk)
    form = ReversalForm(request.POST, key=f"reverse{payment.pk}")
    return submit(
        request,
        case,
        key=f"reverse:{payment.pk}",
        form=form,
        call=lambda: payments.reverse_payment(
            payment_id=payment.pk, actor=request.user, data=form.payload(), version=form.version()
        ),
        anchor="money",
        success=_("Payment reversed; it stays in the record and leaves the totals."),
        moved_on_goes_back=True,  # reversed meanwhile: nothing to show
    )


@login_required
@require_POST
def plan_visit(request, pk: int):
    case = rules.get_case_for(request.user, pk)
    form = VisitPlanForm(request.POST)
    return submit(
        request,
        case,
        key="plan_visit",
        form=form,
        call=lambda: disposal.plan_visit(case_id=case.pk, actor=request.user, data=form.payload()),
        anchor="visits",
        success=_("Return visit planned."),
    )


@login_required
@require_POST
def record_visit(request, pk: int, visit_id: int):
    case = rules.get_case_for(request.user, pk)
    visit = get_object_or_404(Visit, pk=visit_id, case_id=case.pk)
    form = VisitRecordForm(request.POST, key=f"visit{visit.pk}")
    return submit(
        request,
        case,
        key=f"visit:{visit.pk}",
        form=form,
        call=lambda: disposal.record_visit(
            visit_id=visit.pk, actor=request.user, data=form.payload()
        ),
        anchor="visits",
        success=_("Return visit recorded."),
    )


@dataclass(frozen=True)
class Closing:
    """The confirm step of closing: the outcome and the ledger figures it is judged against."""

    form: CloseForm  # the outcome, note and version, sent again with confirm=1
    outcome_label: str
    note: str
    totals: dict


@login_required
@require_POST
def close_case(request, pk: int):
    """Two steps: the outcome is checked against the ledger and shown with its figures for the
    officer to confirm; only the confirmed form closes the case (C6)."""
    case = rules.get_case_for(request.user, pk)
    form = CloseForm(request.POST)
    if not form.confirmed:

        def confirm(book):
            data = request.POST.copy()
            data["confirm"] = "1"
            closing = Closing(
                form=CloseForm(data),
                outcome_label=str(Outcome(form.text("outcome")).label),
                note=form.text("note"),
                totals=book.totals,
            )
            # the close form stays below, closed, with what was typed, to change the outcome or note
            again = CloseForm(
                initial={
                    "outcome": form.text("outcome"),
                    "note": form.text("note"),
                    "version": form.version(),
                }
            )
            return show_case(
                request, case, key="close", form=again, open_form=False, closing=closing
            )

        return submit(
            request,
            case,
            key="close",
            form=form,
            call=lambda: disposal.check_closing(
                case_id=case.pk, actor=request.user, data=form.payload(), version=form.version()
            ),
            anchor="",
            answer=confirm,
        )
    return submit(
        request,
        case,
        key="close",
        form=form,
        call=lambda: disposal.close_case(
            case_id=case.pk, actor=request.user, data=form.payload(), version=form.version()
        ),
        anchor="",
        success=_("Case closed."),
    )


@login_required
@require_POST
def override_level(request, pk: int):
    case = rules.get_case_for(request.user, pk)
    form = LevelForm(request.POST)
    return submit(
        request,
        case,
        key="level",
        form=form,
        call=lambda: case_services.override_level(
            case_id=case.pk,
            level=form.level_value(),
            reason=form.text("reason"),
            actor=request.user,
            version=form.version(),
        ),
        anchor="overview",
        success=_("Level set."),
    )


def _reopened(done: reopening.Reopening) -> str:
    if done.approval is None:
        return _("Case reopened at its stage before closing.")
    text = _("You closed or handle this case, so a second person decides the reopening. %(where)s")
    return text % {"where": _sent_to(done.approval)}


@login_required
@require_POST
def reopen_case(request, pk: int):
    case = rules.get_case_for(request.user, pk)
    form = ReopenForm(request.POST)
    return submit(
        request,
        case,
        key="reopen",
        form=form,
        call=lambda: reopening.reopen_case(
            case_id=case.pk, actor=request.user, data=form.payload(), version=form.version()
        ),
        anchor="",
        success=_reopened,
    )


@login_required
@require_POST
def update_facts(request, pk: int):
    case = rules.get_case_for(request.user, pk)
    form = FactsForm(request.POST)
    return submit(
        request,
        case,
        key="facts",
        form=form,
        call=lambda: facts.update_case_facts(
            case_id=case.pk, actor=request.user, data=form.payload(), version=form.version()
        ),
        anchor="overview",
        success=_("Facts saved; the case was graded and checked for a criminal lead again."),
    )


@login_required
@require_POST
def revoke_share(request, share_id: int):
    share = get_object_or_404(CaseShare, pk=share_id)
    case = rules.get_case_for(request.user, share.case_id)
    return run_step(
        request,
        call=lambda: facts.revoke_share(
            share_id=share.pk, actor=request.user, reason=request.POST.get("reason", "")
        ),
        back=case_url(case, "transfers"),
        done=_("Sharing ended; the other side no longer sees this case."),
    )
    messages.success(request, _("Sharing ended; the other side no longer sees this case."))
    return redirect(case_url(case, "transfers"))
