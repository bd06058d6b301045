"""What the status page tells the person who applied (issue 18 item 4): the stage in plain words,
what happens next, whom to call, and the steps they were told of; never what the staff typed."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from tests.portal.factories import CLAIMANT, make_filing
from zhichi.cases.models import Case
from zhichi.cases.services import appointments, approvals, disposal, move_stage
from zhichi.intake import services as intake
from zhichi.intake.models import Lead, LeadStatus
from zhichi.portal.models import Filing
from zhichi.portal.status import public_status

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


def status_of(filing: Filing):
    filing = Filing.objects.select_related("lead__organisation", "lead__case").get(pk=filing.pk)
    with translation.override("en"):
        return public_status(filing)


def rendered(filing: Filing) -> str:
    status = status_of(filing)
    with translation.override("en"):
        return render_to_string("portal/_status.html", {"status": status})


def accepted(orgs, users, **overrides) -> tuple[Filing, Case]:
    filing = make_filing(orgs, labour_relationship="contractor_crew", **overrides)
    case = intake.accept_lead(lead_id=filing.lead_id, actor=users["civil1"])
    return filing, case


def move(case: Case, to: str, users) -> None:
    case.refresh_from_db()
    move_stage(case_id=case.pk, to=to, reason="下一步", version=case.version, actor=users["civil1"])


def agree(case: Case, users, note: str = "") -> None:
    disposal.record_mediation(
        case_id=case.pk,
        actor=users["civil1"],
        data={
            "held_on": "2026-11-02",
            "mediator_org": "调委会",
            "outcome": "agreement",
            "agreed_amount": "6000.00",
            "note": note,
        },
    )


def test_a_new_application_is_being_read(orgs):
    status = status_of(make_filing(orgs))

    assert (status.stage, status.title, status.what_next) == (
        "new",
        "We received your application",
        "We are reading it. We will tell you what we decide.",
    )
    assert (status.organisation, status.hotline, status.where_to_turn) == (
        "五华区人民检察院",
        "12309",
        "",
    )
    assert status.notices == []


def test_the_hotline_follows_the_setting(orgs, settings):
    settings.ZHICHI = {**settings.ZHICHI, "PORTAL_HOTLINE": "0871-12309"}

    assert status_of(make_filing(orgs)).hotline == "0871-12309"


def test_an_accepted_application_is_in_review_and_lists_what_the_person_was_told(orgs, users):
    filing, _case = accepted(orgs, users)

    status = status_of(filing)

    assert (status.stage, status.title) == ("review", "Accepted: a prosecutor is looking into it")
    assert [(n.title, n.body) for n in status.notices] == [
        (
            "Your application was accepted",
            "Your application was accepted. A prosecutor will look into it.",
        )
    ]


def test_each_stage_of_the_case_in_plain_words(orgs, users):
    filing, case = accepted(orgs, users)

    move(case, "pre_litigation", users)
    pre = status_of(filing)
    approval = disposal.propose_support_decision(
        case_id=case.pk, actor=users["civil1"], data={"decision": "support", "reasons": "符合"}
    )
    approvals.decide_approval(approval_id=approval.pk, actor=users["civilhead"], approve=True)
    move(case, "litigation", users)
    court = status_of(filing)
    agree(case, users)
    move(case, "post_litigation", users)
    after = status_of(filing)

    assert (pre.stage, pre.title, pre.what_next) == (
        "pre_litigation",
        "Trying to settle it",
        "We are trying to settle it by talking with the other side (mediation). If you need to "
        "come, we will tell you the date.",
    )
    assert (court.stage, court.title) == ("litigation", "Going to court")
    assert court.what_next.startswith(
        "The procuratorate will help you ask the court for what you are owed (support prosecution)."
    )
    assert (after.stage, after.title, after.what_next) == (
        "post_litigation",
        "After the decision",
        "We are checking that the money is paid as decided. Tell us if it is not paid.",
    )


def test_a_closed_matter_says_how_it_ended_and_not_the_closing_note(orgs, users):
    filing, case = accepted(orgs, users)
    agree(case, users, note="mediation secret note")
    disposal.close_case(
        case_id=case.pk,
        actor=users["civil1"],
        data={"outcome": "not_recovered", "note": "closing secret note"},
    )

    status = status_of(filing)
    page = rendered(filing)

    assert (status.stage, status.title, status.what_next) == (
        "closed",
        "Closed",
        "Your matter is closed: we could not get the money back.",
    )
    assert status.notices[-1].body == "Your matter is closed: we could not get the money back."
    assert "secret" not in page


def test_a_declined_application_says_where_to_turn_and_never_the_reason(orgs, users):
    filing = make_filing(orgs)
    intake.decline_lead(
        lead_id=filing.lead_id,
        actor=users["civilhead"],
        data={"reason": "internal secret", "redirect": "labour_inspection"},
    )

    status = status_of(filing)
    page = rendered(filing)

    assert (status.stage, status.title, status.where_to_turn) == (
        "declined",
        "We cannot take this on",
        "The labour inspection office can make the boss pay: call 12333.",
    )
    assert status.where_to_turn in page
    assert "internal secret" not in page
    assert "civilhead" not in page  # no officer's name


def test_the_page_names_nobody_but_the_procuratorate(orgs, users):
    filing, _case = accepted(orgs, users, typed_name="赵晓满")

    page = rendered(filing)

    assert "五华区人民检察院" in page
    for name in (CLAIMANT, "赵晓满", "云南某建筑劳务有限公司", "civil1", "13912345678"):
        assert name not in page


def test_a_transferred_application_is_with_another_office(orgs):
    filing = make_filing(orgs)
    Lead.objects.filter(pk=filing.lead_id).update(status=LeadStatus.TRANSFERRED)

    status = status_of(filing)

    assert (status.stage, status.title) == ("transferred", "Passed to another office")


def test_the_partial_shows_the_steps_oldest_first(orgs, users):
    filing, case = accepted(orgs, users)
    agree(case, users)

    page = rendered(filing)

    accepted_at = page.index("Your application was accepted")
    mediation_at = page.index("A meeting to settle it by talking (mediation)")
    assert accepted_at < page.index('aria-current="step"') < mediation_at  # the latest is current
    assert page.count('aria-current="step"') == 1


def set_meeting(case: Case, users, on: str, at_time: str = "09:30"):
    return appointments.schedule_mediation(
        case_id=case.pk,
        actor=users["civil1"],
        data={"on": on, "at_time": at_time, "place": "红山街道调委会", "mediator_org": "调委会"},
    )


def test_pre_litigation_names_the_next_meeting_while_one_is_set(orgs, users, fixed_clock):
    filing, case = accepted(orgs, users)
    move(case, "pre_litigation", users)
    set_meeting(case, users, "2026-12-20")
    first = set_meeting(case, users, "2026-12-10", at_time="")

    assert status_of(filing).what_next == (
        "We are trying to settle it by talking with the other side (mediation). A mediation "
        "meeting is set for Dec. 10, 2026 at 红山街道调委会. Please come, and bring your papers."
    )

    appointments.cancel_mediation_appointment(
        appointment_id=first.pk, actor=users["civil1"], data={"reason": "改期"}
    )
    assert status_of(filing).what_next.endswith(
        "A mediation meeting is set for Dec. 20, 2026 09:30 at 红山街道调委会. Please come, and "
        "bring your papers."
    )

    fixed_clock.move_to("2026-12-21T09:00+08:00")  # its day went by without a mediation recorded
    assert status_of(filing).what_next == (
        "We are trying to settle it by talking with the other side (mediation). If you need to "
        "come, we will tell you the date."
    )


def test_another_open_stage_adds_the_meeting_and_a_closed_matter_does_not(orgs, users):
    filing, case = accepted(orgs, users)
    set_meeting(case, users, "2026-12-10")

    review = status_of(filing)
    disposal.close_case(case_id=case.pk, actor=users["civil1"], data={"outcome": "withdrawn"})
    closed = status_of(filing)

    assert review.what_next == (
        "A prosecutor is checking what happened and may call you. Keep your papers and photos "
        "ready. A mediation meeting is set for Dec. 10, 2026 09:30 at 红山街道调委会. Please "
        "come, and bring your papers."
    )
    assert "meeting" not in closed.what_next
