"""Mediation appointments (C4; issue 18 item 6): a mediation or reconciliation session planned for
a date, so the person who applied can be told when and where to come. Scheduling and cancelling
are changes of the case like recording a mediation: the same people may make them (its officer or
a head of its department, ``WORK``), on an open case, in the same stages — ``changing_case``
decides all three for ``record_mediation`` too, so no rule of its own is written here. A recorded
mediation marks the appointment it was held for (``mark_held``, from ``record_mediation``)."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _

from zhichi.accounts.models import User
from zhichi.cases.choices import AppointmentStatus, SessionKind
from zhichi.cases.models import Case, MediationAppointment, TimelineEvent
from zhichi.cases.schemas import CancelAppointmentIn, MediationAppointmentIn
from zhichi.cases.services import add_event
from zhichi.cases.services.common import WORK, changing_case
from zhichi.common.errors import FieldError, InvalidInput
from zhichi.common.inputs import parse

SCHEDULE_ACTION = "case.mediation_schedule"
CANCEL_ACTION = "case.mediation_cancel"


def _clock(appointment: MediationAppointment) -> str | None:
    return appointment.at_time.strftime("%H:%M") if appointment.at_time else None


def schedule_mediation(
    *,
    case_id: int,
    actor: User,
    data: MediationAppointmentIn | dict,
    version: int | None = None,
) -> MediationAppointment:
    """Plan a session for a date today or later (the schema refuses a past one). The timeline's
    ``mediation_scheduled`` carries the date, time and place, which the portal tells the person
    who applied."""
    change = changing_case(case_id, actor=actor, action=SCHEDULE_ACTION, version=version)
    data = parse(MediationAppointmentIn, data)
    with change:
        case = change.case
        appointment = MediationAppointment.objects.create(
            case=case,
            kind=data.kind or SessionKind.MEDIATION,
            on=data.on,
            at_time=data.at_time,
            place=data.place,
            mediator_org=data.mediator_org,
            created_by=actor,
        )
        add_event(
            case,
            kind="mediation_scheduled",
            actor=actor,
            data={
                "appointment": appointment.pk,
                "kind": appointment.kind,
                "on": appointment.on.isoformat(),
                "at_time": _clock(appointment),
                "place": appointment.place,
                "mediator": appointment.mediator_org,
            },
        )
        change.audit(
            detail={"appointment": appointment.pk, "on": appointment.on.isoformat()},
        )
    return appointment


def ensure_may_cancel(*, appointment_id: int, actor: User) -> MediationAppointment:
    """Refuse (and audit) anyone but the case's officer or a head of its department, before the
    body is read (the API checks this first)."""
    appointment = MediationAppointment.objects.get(pk=appointment_id)
    WORK.ensure(appointment.case_id, actor, CANCEL_ACTION)
    return appointment


def cancel_mediation_appointment(
    *,
    appointment_id: int,
    actor: User,
    data: CancelAppointmentIn | dict,
    version: int | None = None,
) -> MediationAppointment:
    """Call a scheduled session off with a reason (kept for the staff; the person is told only
    that it is off and that a new date will follow). One already held or cancelled is refused
    at ``status``."""
    appointment = MediationAppointment.objects.get(pk=appointment_id)
    change = changing_case(appointment.case_id, actor=actor, action=CANCEL_ACTION, version=version)
    reason = parse(CancelAppointmentIn, data).reason
    with change:
        case = change.case
        appointment = MediationAppointment.objects.select_for_update().get(pk=appointment_id)
        if appointment.status != AppointmentStatus.SCHEDULED:
            raise InvalidInput(
                [
                    FieldError(
                        "status",
                        appointment.status,
                        _("This mediation is no longer scheduled: it was held or cancelled."),
                    )
                ],
                detail=_("The record has errors; nothing was saved."),
            )
        appointment.status, appointment.cancel_reason = AppointmentStatus.CANCELLED, reason
        appointment.save(update_fields=["status", "cancel_reason"])
        add_event(
            case,
            kind="mediation_cancelled",
            actor=actor,
            summary=reason,
            data={
                "appointment": appointment.pk,
                "kind": appointment.kind,
                "on": appointment.on.isoformat(),
                "at_time": _clock(appointment),
            },
        )
        change.audit(detail={"appointment": appointment.pk, "on": appointment.on.isoformat()})
    return appointment


def mark_held(case: Case, *, held_on: date) -> MediationAppointment | None:
    """The earliest session still scheduled on or before ``held_on``, marked held: a mediation
    recorded for that day took place. Called inside ``record_mediation``'s change, which holds
    the case row (the lock order: the case, then the appointment)."""
    appointment = (
        MediationAppointment.objects.select_for_update()
        .filter(case=case, status=AppointmentStatus.SCHEDULED, on__lte=held_on)
        .order_by("on", "id")
        .first()
    )
    if appointment is not None:
        appointment.status = AppointmentStatus.HELD
        appointment.save(update_fields=["status"])
    return appointment


# --- the timeline's sentences, in the reader's language ----------------------------------------
def _when(e: TimelineEvent) -> str:
    """The day as the staff's timeline writes days (YYYY-MM-DD), with the time when one is set."""
    day = e.data.get("on", "")
    clock = e.data.get("at_time")
    return f"{day} {clock}" if clock else day


def describe_scheduled(e: TimelineEvent) -> str:
    return _("Mediation set for %(when)s at %(place)s with %(mediator)s") % {
        "when": _when(e),
        "place": e.data.get("place", ""),
        "mediator": e.data.get("mediator", ""),
    }


def describe_cancelled(e: TimelineEvent) -> str:
    return _("Mediation set for %(when)s cancelled") % {"when": _when(e)}
