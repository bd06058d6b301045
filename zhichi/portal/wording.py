"""The notices of the public portal in plain words (issue 18 items 4 and 6): what a ``Notice``
says on the status page (``describe``) and in a text message (``sms_text``), and the sentences
the status page shares with them (where to turn, how a matter ended, what 支持起诉 means).

The words are at a primary-school reading level (UI.md "The public portal") and are made from
the codes and values a notice keeps, in the reader's language; nobody's name is ever in them, and
nothing the staff typed but the place of a mediation meeting, which the person needs to come.
(``notices`` makes the notices and queues their texts; the task that sends a text reads its words
here. Kept apart, the two never import each other.)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from zhichi.cases.models import MediationOutcome, Outcome
from zhichi.common.words import prose_date, yuan
from zhichi.intake.models import Redirect
from zhichi.portal.models import Notice, NoticeKind

STATUS_PATH = "/portal/status/"  # where the person looks their matter up (receipt code + phone)


def status_link() -> str:
    """The status page's address as the public reaches it: the portal's public address
    (``ZHICHI_PORTAL_URL``) with the path, or the path alone when none is configured."""
    return settings.ZHICHI["PORTAL_URL"] + STATUS_PATH


DEFAULT_SENDER = "支持"  # the sender tag when the procuratorate has no short name

LEGAL_AID_HOTLINE = "12348"
LABOUR_HOTLINE = "12333"  # labour and social security


def hotline() -> str:
    """The procuratorate hotline the portal names (``ZHICHI_PORTAL_HOTLINE``)."""
    return settings.ZHICHI["PORTAL_HOTLINE"]


@dataclass(frozen=True)
class NoticeText:
    title: str
    body: str
    at: datetime


def where_to_turn(redirect: str) -> str:
    """Where a person whose application was not taken on can turn, in plain words with the
    number to call (the redirect code the officer chose)."""
    if redirect == Redirect.LEGAL_AID:
        return _("Legal aid can help you for free: call %(phone)s.") % {"phone": LEGAL_AID_HOTLINE}
    if redirect == Redirect.ARBITRATION:
        return _(
            "First ask labour arbitration to decide: call %(phone)s to learn how to apply."
        ) % {"phone": LABOUR_HOTLINE}
    if redirect == Redirect.LABOUR_INSPECTION:
        return _("The labour inspection office can make the boss pay: call %(phone)s.") % {
            "phone": LABOUR_HOTLINE
        }
    if redirect == Redirect.SELF_SUIT:
        return _(
            "You can go to court yourself. Legal aid can tell you how, for free: call %(phone)s."
        ) % {"phone": LEGAL_AID_HOTLINE}
    return _("Call %(phone)s and we will tell you where to turn.") % {"phone": hotline()}


# where a mediation stands, as a MEDIATION notice keeps it (``data["status"]``); a notice made
# before the status was kept tells of a session held
SCHEDULED, CANCELLED, HELD = "scheduled", "cancelled", "held"


def _when(day: str, clock: str) -> str:
    """A day in a sentence, with the time of day when one is set (HH:MM)."""
    return f"{prose_date(day)} {clock}" if clock else prose_date(day)


def meeting_words(day: str, clock: str, place: str) -> str:
    """A mediation meeting set for a day (and time) at a place."""
    return _(
        "A mediation meeting is set for %(when)s at %(place)s. Please come, and bring your papers."
    ) % {"when": _when(day, clock), "place": place}


def cancelled_words(day: str, clock: str) -> str:
    return _("The mediation meeting on %(when)s is cancelled. We will tell you the new date.") % {
        "when": _when(day, clock)
    }


def mediation_words(outcome: str, day: str) -> str:
    names = {"day": prose_date(day)}
    if outcome == MediationOutcome.AGREEMENT:
        return (
            _(
                "A meeting to settle it by talking (mediation) was held on %(day)s. The two sides "
                "agreed how to settle it."
            )
            % names
        )
    if outcome == MediationOutcome.ADJOURNED:
        return (
            _(
                "A meeting to settle it by talking (mediation) was held on %(day)s. It will go on "
                "another day: we will tell you when to come."
            )
            % names
        )
    return (
        _(
            "A meeting to settle it by talking (mediation) was held on %(day)s. No agreement was "
            "reached: we will tell you what happens next."
        )
        % names
    )


def closing_words(outcome: str) -> str:
    """How the matter ended, in a sentence (the closing outcome code)."""
    if outcome == Outcome.RECOVERED_IN_FULL:
        return _("Your matter is closed: all the money you were owed was paid.")
    if outcome == Outcome.PARTLY_RECOVERED:
        return _("Your matter is closed: part of the money you were owed was paid.")
    if outcome == Outcome.NOT_RECOVERED:
        return _("Your matter is closed: we could not get the money back.")
    if outcome == Outcome.WITHDRAWN:
        return _("Your matter is closed: the application was withdrawn.")
    if outcome == Outcome.TRANSFERRED:
        return _("Your matter is closed here: another office has taken it on.")
    return _("Your matter is closed.")


def support_words() -> str:
    """支持起诉 in plain words (UI.md: "检察院帮您去法院讨说法")."""
    return _(
        "The procuratorate will help you ask the court for what you are owed (support "
        "prosecution). You stay the one who asks the court."
    )


def _words(kind: str, data: dict) -> tuple[str, str]:
    """(title, body) of a notice of ``kind`` with ``data``, in the active language."""
    if kind == NoticeKind.RECEIVED:
        return _("We received your application"), _(
            "We received your application. We will read it and tell you what we decide."
        )
    if kind == NoticeKind.ACCEPTED:
        return _("Your application was accepted"), _(
            "Your application was accepted. A prosecutor will look into it."
        )
    if kind == NoticeKind.DECLINED:
        return _("We cannot take this on"), _("We cannot take this on. %(where)s") % {
            "where": where_to_turn(data.get("redirect", ""))
        }
    if kind == NoticeKind.MEDIATION:
        status = data.get("status", HELD)
        if status == SCHEDULED:
            return _("Mediation meeting set"), meeting_words(
                data.get("on", ""), data.get("at_time", ""), data.get("place", "")
            )
        if status == CANCELLED:
            return _("Mediation meeting cancelled"), cancelled_words(
                data.get("on", ""), data.get("at_time", "")
            )
        return _("Mediation"), mediation_words(data.get("outcome", ""), data.get("held_on", ""))
    if kind == NoticeKind.SUPPORT_DECIDED:
        return _("We will help you go to court"), support_words()
    if kind == NoticeKind.NOT_SUPPORTED:
        return _("We will not support your case in court"), _(
            "The procuratorate will not help you go to court in this matter. You can still go to "
            "court yourself. Legal aid can help you for free: call %(phone)s."
        ) % {"phone": LEGAL_AID_HOTLINE}
    if kind == NoticeKind.MONEY:
        return _("Money paid to you"), _(
            "We recorded money paid to you: %(amount)s yuan, on %(day)s."
        ) % {"amount": yuan(data.get("amount")), "day": prose_date(data.get("paid_on", ""))}
    if kind == NoticeKind.CLOSED:
        return _("Your matter is closed"), closing_words(data.get("outcome", ""))
    return str(NoticeKind(kind).label), ""


def describe(notice: Notice) -> NoticeText:
    """The notice in plain words, in the active language."""
    title, body = _words(notice.kind, notice.data or {})
    return NoticeText(title=title, body=body, at=notice.created_at)


def sms_text(notice: Notice) -> str:
    """The text message of a notice, in the filing's language: the sender tag (the receiving
    procuratorate's short name), the step in a sentence or two, and where to look it up (the
    person keeps their receipt code; the text does not repeat it)."""
    filing = notice.filing
    sender = filing.lead.organisation.short_name or DEFAULT_SENDER
    with translation.override(filing.language):
        _title, body = _words(notice.kind, notice.data or {})
        text = _(
            "%(step)s To check progress, use your receipt code and your phone's last 4 digits "
            "at %(path)s"
        ) % {
            "step": body,
            "path": status_link(),
        }
    return f"【{sender}】{text}"
