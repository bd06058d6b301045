"""The case page's payment steps: recording what a claimant was paid (with the confirm step of
an overpayment) and reversing a payment with a reason (C6)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhichi.cases import rules
from zhichi.cases.forms_disposal import PaymentForm, ReversalForm
from zhichi.cases.models import Payment
from zhichi.cases.page import claimants_of, submit
from zhichi.cases.services import payments
from zhichi.common.errors import InvalidInput


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
