"""The lead's own history at the head of its case's timeline (issue 13 item 11).

A case's story starts where it started: when the lead was received (its receipt date, the
case's ``received_on``), from whom, what the duplicate check found, and who accepted it when;
then "case opened". Each is a timeline event with its real time, storing codes and values
(ids, dates, choice codes, the referring agency's code and name), and put into words in the
reader's language when shown (``register``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime, time

from django.conf import settings
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from zhichi.cases.models import Source
from zhichi.cases.presenters import register_event_label
from zhichi.cases.services import PriorEvent
from zhichi.cases.words import choice_label

LEAD_RECEIVED = "lead_received"
LEAD_DUPLICATE_CHECK = "lead_duplicate_check"
LEAD_ACCEPTED = "lead_accepted"
KINDS = (LEAD_RECEIVED, LEAD_DUPLICATE_CHECK, LEAD_ACCEPTED)

# the kinds of possible duplicates intake finds (intake.services.find_duplicates)
DUPLICATE_REASONS = ("same_claimant", "same_respondent")


def received_at(lead, decided_at: datetime) -> datetime:
    """When the lead was received: the moment it was filed, if that was on its receipt date;
    else the start of the receipt date (a lead received on paper and entered later), for the
    system knows no hour for it. Never after the decision."""
    at = lead.created_at
    if timezone.localdate(at) != lead.received_on:
        at = timezone.make_aware(datetime.combine(lead.received_on, time.min))
    return min(at, decided_at)


def lead_history(lead, *, decided_at: datetime, decider, duplicates: Iterable) -> list[PriorEvent]:
    """The lead's history as timeline events, oldest first: received, duplicate check, accepted.

    ``lead`` and ``decider`` may be historical models (the data migration that carries the
    history of cases accepted before); ``duplicates`` what find_duplicates found at the decision.
    """
    referrer = lead.referring_org
    found = list(duplicates)
    kinds = Counter(d.reason for d in found)
    return [
        PriorEvent(
            kind=LEAD_RECEIVED,
            at=received_at(lead, decided_at),
            actor=lead.created_by,
            data={
                "lead": lead.pk,
                "receipt_code": lead.receipt_code,
                "received_on": lead.received_on.isoformat(),
                "filed_on": timezone.localdate(lead.created_at).isoformat(),
                "source": lead.source,
                "referring_org": referrer.code if referrer else None,
                "referring_org_name": referrer.name if referrer else "",
            },
        ),
        PriorEvent(
            kind=LEAD_DUPLICATE_CHECK,
            at=decided_at,
            actor=None,  # the system's check, as the deciding officer saw it on the lead
            data={
                "lead": lead.pk,
                "found": len(found),
                "kinds": {reason: kinds[reason] for reason in DUPLICATE_REASONS},
                "window_days": settings.ZHICHI["DUPLICATE_WINDOW_DAYS"],
                "duplicates": [
                    {"lead": d.lead_id, "case": d.case_id, "reason": d.reason} for d in found
                ],
            },
        ),
        PriorEvent(
            kind=LEAD_ACCEPTED,
            at=decided_at,
            actor=decider,
            data={"lead": lead.pk, "receipt_code": lead.receipt_code},
        ),
    ]


# --- in words, in the reader's language -------------------------------------------------------
def _day(value: str) -> str:
    """A stored ISO date in prose: 2026年11月2日 / Nov. 2, 2026 (UI.md)."""
    try:
        return formats.date_format(datetime.fromisoformat(value).date(), "DATE_FORMAT")
    except (TypeError, ValueError):
        return str(value or "—")


def describe_received(event) -> str:
    d = event.data
    values = {
        "code": d.get("receipt_code", ""),
        "day": _day(d.get("received_on")),
        "source": choice_label(Source, d.get("source")),
        "org": d.get("referring_org_name") or d.get("referring_org") or "",
    }
    if values["org"]:
        text = _("Lead %(code)s received on %(day)s from %(org)s (%(source)s)")
    else:
        text = _("Lead %(code)s received on %(day)s (%(source)s)")
    text %= values
    if d.get("filed_on") and d.get("filed_on") != d.get("received_on"):
        text += _("; entered in the system on %(day)s") % {"day": _day(d["filed_on"])}
    return text


def describe_duplicate_check(event) -> str:
    d = event.data
    found = d.get("found") or 0
    if not found:
        return _("Duplicate check: no possible duplicate among the leads and cases on record")
    kinds = d.get("kinds") or {}
    parts = []
    if kinds.get("same_claimant"):
        parts.append(_("same claimant: %(n)s") % {"n": kinds["same_claimant"]})
    if kinds.get("same_respondent"):
        parts.append(
            _("same respondent within %(days)s days: %(n)s")
            % {"days": d.get("window_days", "—"), "n": kinds["same_respondent"]}
        )
    return ngettext(
        "Duplicate check: %(count)s possible duplicate (%(kinds)s)",
        "Duplicate check: %(count)s possible duplicates (%(kinds)s)",
        found,
    ) % {"count": found, "kinds": _(", ").join(parts)}


def describe_accepted(event) -> str:
    code = event.data.get("receipt_code", "")
    if event.actor is not None:
        return _("Lead %(code)s accepted by %(name)s") % {
            "code": code,
            "name": event.actor.display_name,
        }
    return _("Lead %(code)s accepted") % {"code": code}


def register() -> None:
    """The labels of the lead's history on the case timeline (from IntakeConfig.ready)."""
    register_event_label(LEAD_RECEIVED, describe_received)
    register_event_label(LEAD_DUPLICATE_CHECK, describe_duplicate_check)
    register_event_label(LEAD_ACCEPTED, describe_accepted)
