"""The case page's mediation steps: recording a mediation or reconciliation session, with each
claimant's share of an agreement and its instalments (C5, C6), and scheduling a session ahead or
cancelling one with a reason (C4; the person who applied is told, issue 18 item 6)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhichi.cases import rules
from zhichi.cases.forms_disposal import (
    AppointmentCancelForm,
    MediationAppointmentForm,
    MediationForm,
)
from zhichi.cases.models import MediationAppointment
from zhichi.cases.page import claimants_of, submit, submit_amounts
from zhichi.cases.services import appointments, disposal


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
def schedule_mediation(request, pk: int):
    case = rules.get_case_for(request.user, pk)
    form = MediationAppointmentForm(request.POST)
    return submit(
        request,
        case,
        key="appointment",
        form=form,
        call=lambda: appointments.schedule_mediation(
            case_id=case.pk, actor=request.user, data=form.payload(), version=form.version()
        ),
        anchor="mediation",
        success=_("Mediation scheduled."),
    )


@login_required
@require_POST
def cancel_mediation_appointment(request, pk: int, appointment_id: int):
    """Cancel one scheduled session with a reason (the officer or the head)."""
    case = rules.get_case_for(request.user, pk)
    appointment = get_object_or_404(MediationAppointment, pk=appointment_id, case_id=case.pk)
    form = AppointmentCancelForm(request.POST, key=f"cancel{appointment.pk}")
    return submit(
        request,
        case,
        key=f"cancel:{appointment.pk}",
        form=form,
        call=lambda: appointments.cancel_mediation_appointment(
            appointment_id=appointment.pk,
            actor=request.user,
            data=form.payload(),
            version=form.version(),
        ),
        anchor="mediation",
        success=_("Mediation cancelled."),
        moved_on_goes_back=True,  # held or cancelled meanwhile: nothing to show
    )
