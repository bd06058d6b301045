"""What the status page tells the person who applied (issue 18 item 4): the stage of their matter
in plain words, what happens next, whom to call, and the steps they were told of.

Only codes and values of their own matter go into it: the stage, the redirect the officer chose,
the closing outcome, the next mediation meeting's day, time and place, the receiving
procuratorate's name. Never a note or a reason the staff typed, an officer's name, or anything
about another person (QUALITY.md U2).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from zhichi.cases.models import AppointmentStatus, Case, CaseStatus, Stage
from zhichi.intake.models import LeadStatus
from zhichi.portal.models import Filing
from zhichi.portal.wording import (
    NoticeText,
    closing_words,
    describe,
    hotline,
    meeting_words,
    support_words,
    where_to_turn,
)

NEW, DECLINED, TRANSFERRED = "new", "declined", "transferred"


@dataclass(frozen=True)
class PublicStatus:
    stage: str  # new, review, pre_litigation, litigation, post_litigation, closed, declined,
    # transferred
    title: str
    what_next: str
    where_to_turn: str  # for a declined application: where else to go; otherwise empty
    organisation: str  # the receiving procuratorate
    hotline: str
    notices: list[NoticeText]  # what the person was told, oldest first


def next_meeting(case: Case) -> str:
    """The next mediation meeting the person is asked to come to, in a sentence ("" when none is
    scheduled from today on, or the case is closed)."""
    if case.status != CaseStatus.OPEN:
        return ""
    meeting = case.mediation_appointments.filter(
        status=AppointmentStatus.SCHEDULED, on__gte=timezone.localdate()
    ).first()  # the earliest, by the model's order
    if meeting is None:
        return ""
    clock = meeting.at_time.strftime("%H:%M") if meeting.at_time else ""
    return meeting_words(meeting.on.isoformat(), clock, meeting.place)


def _stage_words(stage: str, outcome: str, meeting: str = "") -> tuple[str, str]:
    """(title, what happens next) of a case at ``stage``, with ``meeting`` (the next mediation
    meeting in a sentence, or ""): in pre-litigation it is the next step itself."""
    if meeting and stage == Stage.PRE_LITIGATION:
        return _("Trying to settle it"), _(
            "We are trying to settle it by talking with the other side (mediation). %(meeting)s"
        ) % {"meeting": meeting}
    title, what_next = _plain_stage_words(stage, outcome)
    if meeting:
        # Translators: what happens next, then the next mediation meeting; two sentences
        what_next = _("%(next)s %(meeting)s") % {"next": what_next, "meeting": meeting}
    return title, what_next


def _plain_stage_words(stage: str, outcome: str) -> tuple[str, str]:
    """(title, what happens next) of a case at ``stage``, no meeting set."""
    if stage == Stage.REVIEW:
        return _("Accepted: a prosecutor is looking into it"), _(
            "A prosecutor is checking what happened and may call you. Keep your papers and "
            "photos ready."
        )
    if stage == Stage.PRE_LITIGATION:
        return _("Trying to settle it"), _(
            "We are trying to settle it by talking with the other side (mediation). If you need "
            "to come, we will tell you the date."
        )
    if stage == Stage.LITIGATION:
        return _("Going to court"), _(
            "%(support)s The court will tell you the dates of the hearing."
        ) % {"support": support_words()}
    if stage == Stage.POST_LITIGATION:
        return _("After the decision"), _(
            "We are checking that the money is paid as decided. Tell us if it is not paid."
        )
    return _("Closed"), closing_words(outcome)


def public_status(filing: Filing) -> PublicStatus:
    """The status of ``filing``'s matter, in the active language."""
    lead = filing.lead
    where = ""
    if lead.status == LeadStatus.DECLINED:
        stage = DECLINED
        title = _("We cannot take this on")
        what_next = _("We will not handle this matter, but others can help you.")
        where = where_to_turn(lead.decline_redirect)
    elif lead.status == LeadStatus.TRANSFERRED:
        stage = TRANSFERRED
        title = _("Passed to another office")
        what_next = _(
            "Another office that can deal with it has taken it on. They will contact you."
        )
    elif lead.status == LeadStatus.ACCEPTED and lead.case is not None:
        stage = lead.case.stage
        title, what_next = _stage_words(stage, lead.case.outcome, next_meeting(lead.case))
    else:
        stage = NEW
        title = _("We received your application")
        what_next = _("We are reading it. We will tell you what we decide.")
    return PublicStatus(
        stage=stage,
        title=title,
        what_next=what_next,
        where_to_turn=where,
        organisation=lead.organisation.name,
        hotline=hotline(),
        notices=[describe(n) for n in filing.notices.order_by("created_at", "id")],
    )
