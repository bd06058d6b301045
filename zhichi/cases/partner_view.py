"""What a viewer from outside a case's procuratorate sees of it (C8; API.md § Transfers).

One policy for the case page and its sections, the lead page, the API and the workbench. The
staff of the case's own procuratorate see every record. Everyone else who may see the case —
the partner agency that referred it with the person's consent, an agency a transfer or a joint
action shared it with — sees its milestones (opened, stage moves, mediation, court events,
payments, closing) and the records their own organisation is a side of (its transfers, its joint
actions), and nothing of the procuratorate's internal work: transfers between its departments or
with other agencies, judicial assistance, suggestions, the support decision, grading, the notes
its officers type.

Everything here is an allow-list. A timeline event kind, a deadline kind or a page section that
nobody declared visible to outsiders is hidden from them, so a record added later stays internal
until someone decides otherwise, where it is registered: ``Section(partners=True)``
(zhichi/common/page_sections.py), ``register_deadline_source(partner_kinds=...)`` and
``register_party_records(...)`` below.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from zhichi.accounts.models import Role

# The milestones of a case: what everyone who may see it sees of its history. The free text an
# officer typed with them (a stage move's reason, a mediation or closing note) stays internal.
MILESTONE_EVENTS = frozenset(
    {
        # the lead's history before the case (issue 13 item 11): its receipt (the date the time
        # limits count from, its source and referring agency) and its acceptance. Not the
        # duplicate check ("lead_duplicate_check"): it tells of other leads and cases of the same
        # people or employer, which are not an outsider's business.
        "lead_received",
        "lead_accepted",
        "case_opened",
        "stage_changed",
        "mediation",
        "court_event",
        "payment",
        "payment_reversed",  # the money moved back out of the totals they see; not the reason
        "case_closed",
        "case_reopened",
    }
)

# The deadlines everyone who may see the case sees: those the mediation agreement and the
# court's decisions set (not the review period of the support decision, not the return visits,
# not what higher apps register unless they say so).
_partner_deadline_kinds: set[str] = {
    "judicial_confirmation",
    "instalment",
    "appeal",
    "enforcement_application",
}


@dataclass(frozen=True)
class PartyRecords:
    """Records an outsider sees only where its own organisation is a side of them."""

    key: str  # the timeline event's data key that names the record, e.g. "transfer"
    events: frozenset[str]  # the timeline event kinds about such a record
    records: Callable  # (user, case or lead) -> QuerySet of its records the user is a side of
    summary: bool  # the events' text is the record's own, which its sides read anyway


_party_records: dict[str, PartyRecords] = {}


def register_party_records(
    key: str,
    *,
    events: Iterable[str],
    records: Callable,
    summary: bool = False,
) -> None:
    """A higher app's records that their sides see (transfers, joint actions): ``records(user,
    subject)`` answers the subject's records the user's organisation is a side of."""
    _party_records[key] = PartyRecords(
        key=key, events=frozenset(events), records=records, summary=summary
    )


def allow_deadline_kinds(kinds: Iterable[str]) -> None:
    """Deadline kinds a higher app declares visible to outsiders (register_deadline_source)."""
    _partner_deadline_kinds.update(kinds)


def partner_deadline_kinds() -> frozenset[str]:
    return frozenset(_partner_deadline_kinds)


def partner_event_kinds() -> frozenset[str]:
    """Every event kind an outsider may see, some only for records it is a side of."""
    kinds = set(MILESTONE_EVENTS)
    for party in _party_records.values():
        kinds |= party.events
    return frozenset(kinds)


def is_partner(user) -> bool:
    """Staff of a partner agency: for what is decided per user, not per case (the workbench,
    the employer profile's risk assessment)."""
    return bool(user and user.is_authenticated and user.role == Role.PARTNER)


def sees_internal(user, organisation_id: int | None) -> bool:
    """Whether ``user`` sees the internal records of the work of ``organisation_id``: its own
    staff do; partner agency staff never do, nor does another organisation's staff."""
    return bool(
        user
        and user.is_authenticated
        and user.is_active
        and not is_partner(user)
        and organisation_id is not None
        and user.organisation_id == organisation_id
    )


@dataclass
class VisibleRecords:
    """What one viewer sees of one case (or lead): ask it, never the role."""

    user: object
    subject: object  # a Case or a Lead
    internal: bool  # the subject's own staff: everything
    _party_ids: dict[str, frozenset[int]] = field(default_factory=dict, repr=False)

    @property
    def partner(self) -> bool:
        """An outsider's view (the templates' ``partner_view``)."""
        return not self.internal

    def party_ids(self, key: str) -> frozenset[int]:
        """The ids of the subject's ``key`` records the viewer's organisation is a side of."""
        if key not in self._party_ids:
            party = _party_records.get(key)
            ids: frozenset[int] = frozenset()
            if party is not None:
                qs = party.records(self.user, self.subject)
                ids = frozenset(qs.values_list("pk", flat=True))
            self._party_ids[key] = ids
        return self._party_ids[key]

    def records(self, key: str, queryset):
        """``queryset`` (of ``key`` records) narrowed to what the viewer may see."""
        if self.internal:
            return queryset
        return queryset.filter(pk__in=self.party_ids(key))

    # --- the timeline ---------------------------------------------------------------------
    def shows_event(self, event) -> bool:
        if self.internal or event.kind in MILESTONE_EVENTS:
            return True
        for party in _party_records.values():
            if event.kind in party.events:
                return (event.data or {}).get(party.key) in self.party_ids(party.key)
        return False

    def shows_note(self, event) -> bool:
        """Whether the event's free text (its summary) is shown beside its headline."""
        if self.internal:
            return True
        return any(p.summary and event.kind in p.events for p in _party_records.values())

    def timeline(self) -> list:
        """The case's history the viewer may see, oldest first."""
        events = self.subject.timeline.select_related("actor").order_by("at", "id")
        if self.internal:
            return list(events)
        return [e for e in events.filter(kind__in=partner_event_kinds()) if self.shows_event(e)]

    # --- deadlines and sections -----------------------------------------------------------
    def shows_deadline(self, deadline) -> bool:
        return self.internal or deadline.kind in _partner_deadline_kinds

    def deadlines(self, deadlines: Iterable) -> list:
        return [d for d in deadlines if self.shows_deadline(d)]

    def shows_section(self, section) -> bool:
        return self.internal or section.partners


def visible_records(user, subject) -> VisibleRecords:
    """The policy for ``user`` reading ``subject`` (a case or a lead it may see)."""
    return VisibleRecords(
        user=user, subject=subject, internal=sees_internal(user, subject.organisation_id)
    )


def shows_section(user, obj, section) -> bool:
    """The page sections' audience (installed in zhichi/common/page_sections.py by CasesConfig): a
    section not declared for partners is left out for outsiders, on every page."""
    if section.partners:
        return True
    organisation_id = getattr(obj, "organisation_id", None)
    if obj is None or organisation_id is None:  # the workbench, the transfer page
        return bool(user and user.is_authenticated) and not is_partner(user)
    return sees_internal(user, organisation_id)
