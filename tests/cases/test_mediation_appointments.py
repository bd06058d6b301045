"""Mediation appointments (C4; issue 18 item 6): a session planned for a date, so the person who
applied can be told when and where to come. Scheduling and cancelling follow recording a
mediation: the case's officer or a head of its department, an open case, the case's version; a
mediation recorded on or after the day marks the earliest appointment held."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from tests.conftest import lead_payload, make_id
from zhichi.audit.models import AuditEntry
from zhichi.cases.models import Case, Mediation, MediationAppointment, TimelineEvent
from zhichi.cases.presenters import describe_event
from zhichi.cases.services import appointments, disposal
from zhichi.common.errors import InvalidInput, NotPermitted, StaleVersion
from zhichi.intake import services as intake
from zhichi.intake.validation import validate_lead

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

EN = {"Accept-Language": "en"}
PLACE = "五华区人民调解委员会（红山街道办二楼）"
MEDIATOR = "五华区人民调解委员会"


def day(offset: int) -> str:
    return (timezone.localdate() + timedelta(days=offset)).isoformat()


def open_case(users, seq: str = "111", **overrides) -> Case:
    body = lead_payload(**overrides)
    body["claimants"][0]["id_number"] = make_id(seq=seq)
    body["claimants"][1]["id_number"] = make_id(birth="19900101", seq=seq)
    lead = intake.create_lead(actor=users["civil1"], data=validate_lead(body))
    return intake.accept_lead(lead_id=lead.pk, actor=users["civil1"])


@pytest.fixture
def case(users) -> Case:
    return open_case(users)


def fresh(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


def body(offset: int = 3, **overrides) -> dict:
    return {
        "on": day(offset),
        "at_time": "09:30",
        "place": PLACE,
        "mediator_org": MEDIATOR,
        **overrides,
    }


def schedule(case: Case, user, offset: int = 3, **overrides) -> MediationAppointment:
    return appointments.schedule_mediation(
        case_id=case.pk, actor=user, data=body(offset, **overrides)
    )


def held(case: Case, user, held_on: str, outcome: str = "failed") -> Mediation:
    return disposal.record_mediation(
        case_id=case.pk,
        actor=user,
        data={"held_on": held_on, "mediator_org": MEDIATOR, "outcome": outcome},
    )


def snapshot(case: Case) -> tuple:
    """What a refused request must leave as it was."""
    return (
        fresh(case).version,
        list(MediationAppointment.objects.values_list("pk", "status", "cancel_reason")),
        TimelineEvent.objects.filter(case=case).count(),
        AuditEntry.objects.filter(action__startswith="case.mediation", outcome="ok").count(),
    )


# --- scheduling --------------------------------------------------------------------------------
def test_scheduling_keeps_the_session_and_tells_the_timeline_and_the_audit_trail(case, users):
    version = fresh(case).version

    appointment = schedule(case, users["civil1"], kind="reconciliation")

    saved = MediationAppointment.objects.get()
    assert (
        saved.pk,
        saved.kind,
        saved.on.isoformat(),
        saved.at_time,
        saved.place,
        saved.mediator_org,
        saved.status,
        saved.created_by,
    ) == (
        appointment.pk,
        "reconciliation",
        day(3),
        time(9, 30),
        PLACE,
        MEDIATOR,
        "scheduled",
        users["civil1"],
    )
    assert fresh(case).version == version + 1
    event = TimelineEvent.objects.filter(case=case).last()
    assert (event.kind, event.summary, event.data) == (
        "mediation_scheduled",
        "",
        {
            "appointment": appointment.pk,
            "kind": "reconciliation",
            "on": day(3),
            "at_time": "09:30",
            "place": PLACE,
            "mediator": MEDIATOR,
        },
    )
    with translation.override("en"):
        assert describe_event(event) == (
            f"Mediation set for {day(3)} 09:30 at {PLACE} with {MEDIATOR}"
        )
    audit = AuditEntry.objects.get(action="case.mediation_schedule")
    assert (audit.outcome, audit.detail) == ("ok", {"appointment": appointment.pk, "on": day(3)})


def test_a_session_may_be_set_for_today_without_a_time_and_the_head_may_set_it(case, users):
    appointment = schedule(case, users["civilhead"], offset=0, at_time="")

    assert (appointment.on.isoformat(), appointment.at_time, appointment.kind) == (
        day(0),
        None,
        "mediation",
    )
    event = TimelineEvent.objects.filter(case=case).last()
    assert event.data["at_time"] is None
    with translation.override("en"):
        assert describe_event(event) == f"Mediation set for {day(0)} at {PLACE} with {MEDIATOR}"


def test_bad_input_is_refused_at_each_field_and_saves_nothing(case, users):
    before = snapshot(case)

    with pytest.raises(InvalidInput) as exc, translation.override("en"):
        schedule(
            case,
            users["civil1"],
            offset=-1,
            at_time="25:00",
            place="  ",
            mediator_org="调" * 201,
            kind="court",
        )

    assert [(e.field, e.code) for e in exc.value.errors] == [
        ("on", "past"),
        ("at_time", "time"),
        ("place", "required"),
        ("mediator_org", "max_length"),
        ("kind", "choice"),
    ]
    assert exc.value.errors[0].message == "This date cannot be in the past."
    assert exc.value.errors[1].message == "Enter a time as HH:MM, e.g. 09:30."
    assert snapshot(case) == before


@pytest.mark.parametrize("user", ["civil2", "registrar1", "chief"])
def test_a_colleague_who_does_not_work_on_the_case_is_refused_and_the_refusal_audited(
    case, users, user
):
    before = snapshot(case)

    with pytest.raises(NotPermitted):
        schedule(case, users[user])

    assert snapshot(case) == before
    denied = AuditEntry.objects.get(action="case.mediation_schedule")
    assert (denied.outcome, denied.username) == ("denied", user)


def test_a_closed_case_takes_no_appointment(case, users):
    disposal.close_case(case_id=case.pk, actor=users["civil1"], data={"outcome": "withdrawn"})
    before = snapshot(case)

    with pytest.raises(InvalidInput) as exc:
        schedule(case, users["civil1"])

    assert [(e.field, e.code) for e in exc.value.errors] == [("case", "closed")]
    assert snapshot(case) == before


def test_a_stale_version_is_refused_and_saves_nothing(case, users):
    version = fresh(case).version
    before = snapshot(case)

    with pytest.raises(StaleVersion) as exc:
        appointments.schedule_mediation(
            case_id=case.pk, actor=users["civil1"], data=body(), version=version - 1
        )

    assert exc.value.current_version == version
    assert snapshot(case) == before


@pytest.mark.parametrize("stage", ["pre_litigation", "litigation"])
def test_a_session_is_set_in_every_open_stage_as_a_mediation_is_recorded(users, stage):
    # record_mediation takes no stage rule of its own (changing_case decides: an open case), so
    # neither does scheduling: a session may be set where one may be recorded
    case = open_case(users, labour_relationship="contractor_crew")
    case.stage = stage
    case.save(update_fields=["stage"])

    schedule(case, users["civil1"])
    held(case, users["civil1"], day(0))

    assert (MediationAppointment.objects.count(), Mediation.objects.count()) == (1, 1)


# --- cancelling --------------------------------------------------------------------------------
def test_cancelling_needs_a_reason_then_keeps_it_for_the_staff(case, users):
    appointment = schedule(case, users["civil1"])
    before = snapshot(case)

    with pytest.raises(InvalidInput) as exc:
        appointments.cancel_mediation_appointment(
            appointment_id=appointment.pk, actor=users["civil1"], data={"reason": " "}
        )
    assert [(e.field, e.code) for e in exc.value.errors] == [("reason", "required")]
    assert snapshot(case) == before

    cancelled = appointments.cancel_mediation_appointment(
        appointment_id=appointment.pk, actor=users["civilhead"], data={"reason": "用人单位申请改期"}
    )

    saved = MediationAppointment.objects.get()
    assert (cancelled.pk, saved.status, saved.cancel_reason) == (
        appointment.pk,
        "cancelled",
        "用人单位申请改期",
    )
    assert fresh(case).version == before[0] + 1
    event = TimelineEvent.objects.filter(case=case).last()
    assert (event.kind, event.summary, event.data) == (
        "mediation_cancelled",
        "用人单位申请改期",
        {"appointment": appointment.pk, "kind": "mediation", "on": day(3), "at_time": "09:30"},
    )
    with translation.override("en"):
        assert describe_event(event, note=False) == f"Mediation set for {day(3)} 09:30 cancelled"
    audit = AuditEntry.objects.get(action="case.mediation_cancel")
    assert (audit.username, audit.detail) == (
        "civilhead",
        {"appointment": appointment.pk, "on": day(3)},
    )


def test_a_session_is_cancelled_once_and_a_held_one_not_at_all(case, users):
    first = schedule(case, users["civil1"], offset=0)
    second = schedule(case, users["civil1"], offset=5)
    appointments.cancel_mediation_appointment(
        appointment_id=second.pk, actor=users["civil1"], data={"reason": "改期"}
    )
    held(case, users["civil1"], day(0))
    before = snapshot(case)

    for appointment, status in ((second, "cancelled"), (first, "held")):
        with pytest.raises(InvalidInput) as exc:
            appointments.cancel_mediation_appointment(
                appointment_id=appointment.pk, actor=users["civil1"], data={"reason": "再次取消"}
            )
        assert [(e.field, e.code) for e in exc.value.errors] == [("status", status)]

    assert snapshot(case) == before


def test_a_colleague_may_not_cancel_and_the_refusal_is_audited(case, users):
    appointment = schedule(case, users["civil1"])
    before = snapshot(case)

    with pytest.raises(NotPermitted):
        appointments.cancel_mediation_appointment(
            appointment_id=appointment.pk, actor=users["civil2"], data={"reason": "改期"}
        )

    assert snapshot(case) == before
    denied = AuditEntry.objects.get(action="case.mediation_cancel")
    assert (denied.outcome, denied.username) == ("denied", "civil2")


# --- a recorded mediation marks the session held -----------------------------------------------
def test_a_recorded_mediation_marks_the_earliest_session_on_or_before_its_day_held(
    case, users, fixed_clock
):
    today = schedule(case, users["civil1"], offset=0)
    later = schedule(case, users["civil1"], offset=2)
    after = schedule(case, users["civil1"], offset=5)
    called_off = schedule(case, users["civil1"], offset=1)
    appointments.cancel_mediation_appointment(
        appointment_id=called_off.pk, actor=users["civil1"], data={"reason": "改期"}
    )
    fixed_clock.shift(timedelta(days=3))  # three days on: the sessions of day 0 and 2 are past

    first = held(case, users["civil1"], (timezone.localdate()).isoformat())

    def statuses() -> dict[int, str]:
        return dict(MediationAppointment.objects.values_list("pk", "status"))

    assert statuses() == {
        today.pk: "held",
        later.pk: "scheduled",
        after.pk: "scheduled",
        called_off.pk: "cancelled",
    }
    event = TimelineEvent.objects.filter(case=case, kind="mediation").get()
    assert (event.data["mediation"], event.data["appointment"]) == (first.pk, today.pk)
    audit = AuditEntry.objects.get(action="case.mediation")
    assert audit.detail["appointment"] == today.pk

    held(case, users["civil1"], timezone.localdate().isoformat())
    held(case, users["civil1"], timezone.localdate().isoformat())

    assert statuses()[later.pk] == "held"
    assert statuses()[after.pk] == "scheduled"  # its day has not come
    last = TimelineEvent.objects.filter(case=case, kind="mediation").last()
    assert "appointment" not in last.data  # nothing was left to mark


def test_a_refused_mediation_marks_nothing(case, users):
    appointment = schedule(case, users["civil1"], offset=0)

    with pytest.raises(InvalidInput):
        disposal.record_mediation(
            case_id=case.pk,
            actor=users["civil1"],
            data={"held_on": day(0), "mediator_org": MEDIATOR, "outcome": "agreement"},
        )

    assert MediationAppointment.objects.get(pk=appointment.pk).status == "scheduled"


# --- the API -----------------------------------------------------------------------------------
def api_url(case: Case) -> str:
    return f"/api/v1/cases/{case.pk}/mediation-appointments"


def cancel_url(appointment_id: int) -> str:
    return f"/api/v1/mediation-appointments/{appointment_id}/cancel"


def test_api_schedules_lists_and_cancels(case, api):
    client = api("civil1")

    r = client.post(api_url(case), {**body(), "version": fresh(case).version})

    assert r.status_code == 201, r.content
    created = r.json()
    appointment = MediationAppointment.objects.get()
    assert created == {
        "id": appointment.pk,
        "case_id": case.pk,
        "kind": "mediation",
        "on": day(3),
        "at_time": "09:30",
        "place": PLACE,
        "mediator_org": MEDIATOR,
        "status": "scheduled",
        "cancel_reason": "",
    }
    assert client.get(api_url(case)).json() == [created]

    r = client.post(cancel_url(appointment.pk), {"reason": "调解员临时有事"})

    assert r.status_code == 200, r.content
    assert r.json() == {**created, "status": "cancelled", "cancel_reason": "调解员临时有事"}
    assert [a["status"] for a in client.get(api_url(case)).json()] == ["cancelled"]


def test_api_lists_by_date_each_with_its_status(case, api, users):
    later = schedule(case, users["civil1"], offset=6)
    today = schedule(case, users["civil1"], offset=0, at_time="")
    held(case, users["civil1"], day(0))

    r = api("civil1").get(api_url(case))

    assert [(a["id"], a["at_time"], a["status"]) for a in r.json()] == [
        (today.pk, None, "held"),
        (later.pk, "09:30", "scheduled"),
    ]


def test_api_refuses_bad_input_at_the_fields_and_a_stale_version(case, api):
    client = api("civil1")
    version = fresh(case).version

    r = client.post(api_url(case), body(offset=-2, at_time="9h30", place=""), headers=EN)

    assert r.status_code == 422
    assert [(e["field"], e["code"]) for e in r.json()["errors"]] == [
        ("on", "past"),
        ("at_time", "time"),
        ("place", "required"),
    ]
    r = client.post(api_url(case), {**body(), "version": version - 1})
    assert (r.status_code, r.json()["current_version"]) == (409, version)
    assert MediationAppointment.objects.count() == 0
    assert fresh(case).version == version


def test_api_cancelling_twice_is_422_at_status(case, api, users):
    appointment = schedule(case, users["civil1"])
    client = api("civil1")
    assert client.post(cancel_url(appointment.pk), {"reason": "改期"}).status_code == 200

    r = client.post(cancel_url(appointment.pk), {"reason": "改期"})

    assert r.status_code == 422
    assert [(e["field"], e["code"]) for e in r.json()["errors"]] == [("status", "cancelled")]


@pytest.fixture
def referred(users) -> Case:
    """A case from a lead hrss1 referred without the person's consent to share (C8)."""
    lead = intake.create_lead(
        actor=users["hrss1"], data=validate_lead(lead_payload(consent_to_share=False))
    )
    return intake.accept_lead(lead_id=lead.pk, actor=users["civil1"])


@pytest.mark.parametrize("user", ["outsider", "hrss1", "criminal1"])
def test_api_answers_404_outside_the_scope_and_changes_nothing(referred, api, users, user):
    appointment = schedule(referred, users["civil1"])
    before = snapshot(referred)
    client = api(user)

    assert client.get(api_url(referred)).status_code == 404
    assert client.post(api_url(referred), body()).status_code == 404
    assert client.post(cancel_url(appointment.pk), {"reason": "改期"}).status_code == 404
    # as for an appointment that does not exist
    assert client.post(cancel_url(999999), {"reason": "改期"}).json() == (
        client.post(cancel_url(appointment.pk), {"reason": "改期"}).json()
    )

    assert snapshot(referred) == before


@pytest.mark.parametrize("user", ["civil2", "chief", "registrar1"])
def test_api_answers_403_to_a_colleague_who_sees_the_case_but_may_not_act(
    referred, api, users, user
):
    appointment = schedule(referred, users["civil1"])
    before = snapshot(referred)
    client = api(user)

    assert client.get(api_url(referred)).status_code == 200
    # who may act is decided before the body is judged
    assert client.post(api_url(referred), {"on": {"not": "a date"}}).status_code == 403
    assert client.post(cancel_url(appointment.pk), {"reason": "改期"}).status_code == 403

    assert snapshot(referred) == before


def test_a_partner_that_sees_the_case_sees_the_sessions_but_not_why_one_was_cancelled(users, api):
    lead = intake.create_lead(
        actor=users["hrss1"], data=validate_lead(lead_payload(consent_to_share=True))
    )
    case = intake.accept_lead(lead_id=lead.pk, actor=users["civil1"])
    appointment = schedule(case, users["civil1"])
    appointments.cancel_mediation_appointment(
        appointment_id=appointment.pk, actor=users["civil1"], data={"reason": "内部原因"}
    )
    client = api("hrss1")

    r = client.get(api_url(case))

    assert [(a["status"], a["cancel_reason"]) for a in r.json()] == [("cancelled", "")]
    assert client.post(api_url(case), body()).status_code == 403


# --- the case page -----------------------------------------------------------------------------
def page_url(case: Case, tail: str = "") -> str:
    return f"/cases/{case.pk}/{tail}"


def test_the_page_schedules_lists_and_cancels_a_session_without_javascript(case, web):
    client = web("civil1")
    form = {
        "on": day(4),
        "at_time": "14:00",
        "place": PLACE,
        "mediator_org": MEDIATOR,
        "kind": "mediation",
        "version": str(fresh(case).version),
    }

    r = client.post(page_url(case, "mediation-appointments/"), form)

    assert r.status_code == 302, r.content.decode()[:2000]
    assert r["Location"] == page_url(case, "#mediation")
    appointment = MediationAppointment.objects.get()
    page = client.get(page_url(case), headers=EN)
    rows = page.context["appointment_rows"]
    assert [(row.appointment.pk, row.passed) for row in rows] == [(appointment.pk, False)]
    html = page.content.decode()
    assert f'id="appointment-{appointment.pk}"' in html
    assert PLACE in html
    cancel = page_url(case, f"mediation-appointments/{appointment.pk}/cancel/")
    assert f'action="{cancel}"' in html

    r = client.post(cancel, {"reason": "当事人生病", "version": str(fresh(case).version)})

    assert (r.status_code, r["Location"]) == (302, page_url(case, "#mediation"))
    assert MediationAppointment.objects.get().status == "cancelled"
    page = client.get(page_url(case), headers=EN)
    assert page.context["appointment_rows"] == []
    assert f'action="{cancel}"' not in page.content.decode()


def test_the_page_form_shows_the_errors_at_its_fields_and_saves_nothing(case, web):
    r = web("civil1").post(
        page_url(case, "mediation-appointments/"),
        {"on": day(-1), "at_time": "", "place": "", "mediator_org": MEDIATOR, "version": "1"},
        headers=EN,
    )

    assert r.status_code == 422
    form = r.context["forms"]["appointment"]
    assert form.errors["on"] == ["This date cannot be in the past."]
    assert form.errors["place"] == ["This field is required."]
    html = r.content.decode()
    assert 'id="act-appointment" open' in html
    assert 'id="id_appointment_on_error"' in html
    assert MEDIATOR in html  # nothing typed is lost
    assert MediationAppointment.objects.count() == 0


def test_cancelling_on_the_page_without_a_reason_opens_that_rows_form(case, web, users):
    appointment = schedule(case, users["civil1"])

    r = web("civil1").post(
        page_url(case, f"mediation-appointments/{appointment.pk}/cancel/"), {"reason": ""}
    )

    assert r.status_code == 422
    assert f'id="act-cancel{appointment.pk}" open' in r.content.decode()
    assert MediationAppointment.objects.get().status == "scheduled"


def test_a_session_whose_day_passed_says_so(case, web, users, fixed_clock):
    schedule(case, users["civil1"], offset=1)
    fixed_clock.shift(timedelta(days=2))

    page = web("civil1").get(page_url(case), headers=EN)

    assert [row.passed for row in page.context["appointment_rows"]] == [True]
    assert "Record the mediation, or cancel the session." in page.content.decode()


@pytest.mark.parametrize("user", ["civil2", "registrar1"])
def test_the_page_offers_a_colleague_no_form_and_refuses_the_posts(case, web, users, user):
    appointment = schedule(case, users["civil1"])
    client = web(user)
    before = snapshot(case)

    page = client.get(page_url(case))
    assert "appointment" not in page.context["forms"]
    assert [row.cancel_form for row in page.context["appointment_rows"]] == [None]
    assert client.post(page_url(case, "mediation-appointments/"), body()).status_code == 403
    cancel = page_url(case, f"mediation-appointments/{appointment.pk}/cancel/")
    assert client.post(cancel, {"reason": "改期"}).status_code == 403

    assert snapshot(case) == before


@pytest.mark.parametrize("user", ["outsider", "hrss1"])
def test_the_page_answers_404_outside_the_scope(referred, web, users, user):
    appointment = schedule(referred, users["civil1"])
    client = web(user)

    assert client.post(page_url(referred, "mediation-appointments/"), body()).status_code == 404
    cancel = page_url(referred, f"mediation-appointments/{appointment.pk}/cancel/")
    assert client.post(cancel, {"reason": "改期"}).status_code == 404
    assert MediationAppointment.objects.get().status == "scheduled"


def test_an_appointment_of_another_case_is_404_under_this_case(case, web, users):
    other = open_case(users, seq="222")
    appointment = schedule(other, users["civil1"])

    cancel = page_url(case, f"mediation-appointments/{appointment.pk}/cancel/")
    r = web("civil1").post(cancel, {"reason": "改期"})

    assert r.status_code == 404
    assert MediationAppointment.objects.get().status == "scheduled"


def test_the_case_page_reads_no_more_queries_for_more_sessions(case, web, users):
    schedule(case, users["civil1"], offset=1)
    client = web("civil1")
    path = page_url(case)

    def queries() -> int:
        client.get(path)  # what is read once per process
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(path).status_code == 200
        return len(ctx)

    one = queries()
    schedule(case, users["civil1"], offset=2)
    schedule(case, users["civil1"], offset=3)

    assert queries() == one
    assert len(client.get(path).context["appointment_rows"]) == 3
