"""How a case is described to people and to the API: one place for pages and JSON alike.

What a page shows beside a record (a label, the flags, whether the reader may decide, a form and
whether it starts open) is a row: a frozen dataclass holding the record and those values, built
here. Nothing is pinned onto a model instance or a form (tests/test_no_pinned_attributes.py)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhichi.accounts.models import Role
from zhichi.cases import rules
from zhichi.cases.criminal_flag import (
    CRIMINAL_FLAGS,
    CriminalFlag,
    flags_for,
    shown_flags,
)
from zhichi.cases.forms_disposal import SUPPORT_CHOICES
from zhichi.cases.models import (
    Approval,
    ApprovalKind,
    ApprovalStatus,
    Case,
    CaseParty,
    CourtEventKind,
    Flag,
    Instalment,
    Mediation,
    MediationAppointment,
    Outcome,
    Payment,
    Stage,
    TimelineEvent,
    Visit,
)
from zhichi.cases.partner_view import VisibleRecords, sees_internal
from zhichi.cases.selectors import DeadlineRow
from zhichi.cases.services import approvals
from zhichi.cases.words import choice_label
from zhichi.common.words import listing
from zhichi.common.words import yuan as yuan_text  # 12,000.00 in sentences (one helper)

log = logging.getLogger(__name__)


def _opened(e: TimelineEvent) -> str:
    if e.data.get("receipt_code"):
        return _("Case opened as %(number)s from lead %(code)s") % {
            "number": e.data.get("number", ""),
            "code": e.data["receipt_code"],
        }
    return _("Case opened as %(number)s") % {"number": e.data.get("number", "")}


def _stage_changed(e: TimelineEvent) -> str:
    return _("Stage moved from %(from)s to %(to)s") % {
        "from": choice_label(Stage, e.data.get("from")),
        "to": choice_label(Stage, e.data.get("to")),
    }


def _closed(e: TimelineEvent) -> str:
    return _("Case closed: %(outcome)s") % {"outcome": choice_label(Outcome, e.data.get("outcome"))}


def _court(e: TimelineEvent) -> str:
    text = _("%(kind)s on %(day)s") % {
        "kind": choice_label(CourtEventKind, e.data.get("court_kind")),
        "day": e.data.get("on", ""),
    }
    if e.data.get("amount"):
        text += _(", amount %(amount)s yuan") % {"amount": yuan_text(e.data["amount"])}
    return text


def _approval(e: TimelineEvent) -> str:
    kind = e.data.get("kind")
    if kind and kind != ApprovalKind.SUPPORT_DECISION:
        what = choice_label(ApprovalKind, kind)
    else:
        what = SUPPORT_LABELS.get(e.data.get("decision"), "")
    # the role that decided: a head's own proposal is decided by the chief procurator (four eyes)
    if e.data.get("role") == "chief":
        if e.data.get("approved"):
            return _("Chief procurator approved: %(what)s") % {"what": what}
        return _("Chief procurator rejected: %(what)s") % {"what": what}
    if e.data.get("approved"):
        return _("Head approved: %(decision)s") % {"decision": what}
    return _("Head rejected: %(decision)s") % {"decision": what}


# lazy: read in the reader's language each time, not in the language active at import
SUPPORT_LABELS = {
    "support": gettext_lazy("support the suit"),
    "not_support": gettext_lazy("not support the suit"),
}

EVENT_LABELS = {
    "case_opened": _opened,
    "stage_changed": _stage_changed,
    "case_closed": _closed,
    "court_event": _court,
    "approval_decided": _approval,
    "support_proposed": lambda e: (
        _("Proposed to %(decision)s") % {"decision": SUPPORT_LABELS.get(e.data.get("decision"), "")}
    ),
    "mediation": lambda e: (
        {
            "agreement": _("Agreement on %(amount)s yuan with %(mediator)s"),
            "failed": _("Mediation by %(mediator)s failed"),
            "adjourned": _("Mediation by %(mediator)s adjourned"),
        }.get(e.data.get("outcome"), _("Mediation by %(mediator)s"))
        % {"amount": yuan_text(e.data.get("amount")), "mediator": e.data.get("mediator", "")}
    ),
    "visit_planned": lambda e: (
        _("Return visit planned for %(day)s") % {"day": e.data.get("planned_on", "")}
    ),
    "visit_done": lambda e: _("Return visit done"),
    "level_set": lambda e: (
        _("Level set from %(from)s to %(to)s")
        % {"from": e.data.get("from") or "—", "to": e.data.get("to")}
    ),
    "facts": lambda e: _facts(e),
    "share_revoked": lambda e: _("Sharing with %(org)s ended") % {"org": e.data.get("org") or "—"},
}

# the facts a case's "facts" event names (cases.services.facts.update_facts)
FACT_NAMES = {
    "labour_relationship": gettext_lazy("labour relationship"),
    "has_iou": gettext_lazy("wage IOU"),
    "consent_to_share": gettext_lazy("consent to sharing"),
    "evasion": gettext_lazy("evasion"),
    "signals": gettext_lazy("risk signals"),
    "payment_order_authority": gettext_lazy("authority of the order to pay"),
    "payment_order_issued_on": gettext_lazy("date of the order to pay"),
    "payment_order_deadline": gettext_lazy("deadline of the order to pay"),
}


def _facts(e: TimelineEvent) -> str:
    changed = e.data.get("changed") or []
    names = [str(FACT_NAMES.get(name, _("another fact"))) for name in changed]
    return _("Facts updated: %(fields)s") % {"fields": listing(names) or "—"}


def register_event_label(kind: str, describe) -> None:
    """A higher app's timeline events (e.g. joint actions): ``describe(event) -> str``."""
    EVENT_LABELS[kind] = describe


def describe_event(event: TimelineEvent, *, note: bool = True) -> str:
    """The event's sentence in the reader's language, made from its kind and data (never stored:
    docs/architecture.md, "Words, not codes"); ``note`` adds the free text a person typed with
    it, as typed (internal for partners: ``VisibleRecords.shows_note``)."""
    describe = EVENT_LABELS.get(event.kind)
    if describe is None:
        # every kind written registers its words; a kind without them is a bug, not a code to show
        log.warning("timeline event kind %r has no label", event.kind)
        headline = _("Recorded event")
    else:
        headline = describe(event)
    if event.summary and note:
        return _("%(headline)s: %(note)s") % {"headline": headline, "note": event.summary}
    return headline


def timeline_for(view: VisibleRecords) -> list[tuple[TimelineEvent, str]]:
    """The case's history as ``view`` lets its viewer see it, oldest first, with the sentences:
    the page and the API show the same."""
    return [(e, describe_event(e, note=view.shows_note(e))) for e in view.timeline()]


def described(events: Iterable[TimelineEvent]) -> list[tuple[TimelineEvent, str]]:
    """Events with their sentences, as ``timeline_for`` pairs them: the history of one record
    (an assistance application, a suggestion) on its own page."""
    return [(e, describe_event(e)) for e in events]


def money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


@dataclass(frozen=True)
class FlagBadge:
    code: str
    label: str
    tone: str  # UI.md's four meanings: neutral | warning | done | active
    detail: str = ""


def flag_badges(case: Case, criminal: CriminalFlag | None) -> list[FlagBadge]:
    """The case's flags as badges for its own staff: each stored flag as it is shown, and the
    criminal-lead flag in the style of what is known (issue 13, item 4), e.g. a neutral
    "depends on the province's threshold", or the criminal department's answer once given."""
    badges = [
        FlagBadge(code=f, label=choice_label(Flag, f), tone="warning")
        for f in shown_flags(case, criminal)
        if f not in CRIMINAL_FLAGS
    ]
    if criminal is not None:
        badges.insert(
            0,
            FlagBadge(
                code=criminal.flag or f"criminal_{criminal.state}",
                label=criminal.label,
                tone=criminal.tone,
                detail=criminal.detail,
            ),
        )
    return badges


def listed_flags(viewer, cases: Iterable[Case]) -> dict[int, CriminalFlag | None]:
    """The criminal-lead flags of a page of cases, for the cases whose flags ``viewer`` sees (the
    procuratorate's own grading, C8): a case left out shows no flag at all. The case list and the
    API's list of cases ask the same."""
    return flags_for(c for c in cases if sees_internal(viewer, c.organisation_id))


@dataclass(frozen=True)
class CaseListRow:
    case: Case
    flag_badges: tuple[FlagBadge, ...]


def case_list_rows(viewer, cases: Iterable[Case]) -> list[CaseListRow]:
    cases = list(cases)
    criminal = listed_flags(viewer, cases)
    return [
        CaseListRow(c, tuple(flag_badges(c, criminal[c.pk])) if c.pk in criminal else ())
        for c in cases
    ]


# --- approvals ------------------------------------------------------------------------------------
# what a support decision proposes, as the proposal form names it
DECISION_LABELS = dict(SUPPORT_CHOICES)


@dataclass(frozen=True)
class ApprovalRow:
    """An approval as a reader sees it: what is proposed, in the reader's language, and whether
    the reader may decide it (the inbox, the case page, an application's approval chain)."""

    approval: Approval
    decision_label: str  # a support decision's proposal, else ""
    summary: str  # the line the approval's kind gives it (services.approvals.present), or ""
    step_label: str
    may_decide: bool


def sent_to(approval: Approval) -> str:
    """Where a proposal went, for the proposer's confirmation."""
    if approval.escalated_from:
        return approval.escalation_note
    if approval.required_role == Role.CHIEF:
        return _("Proposal sent to the chief procurator for approval.")
    return _("Proposal sent to the department head for approval.")


def approval_row(approval: Approval, user) -> ApprovalRow:
    """``approval.case`` must be loaded (read through ``case.approvals`` or with the case
    selected), so that deciding who may decide reads nothing more."""
    shown = approvals.present(approval)
    label = DECISION_LABELS.get(approval.payload.get("decision"))
    return ApprovalRow(
        approval=approval,
        decision_label=str(label) if label is not None else "",
        summary=str(shown.get("summary", "")),
        step_label=str(shown.get("step_label", "")),
        may_decide=approval.status == ApprovalStatus.PENDING and rules.can_approve(user, approval),
    )


# --- the case page's rows -------------------------------------------------------------------------
@dataclass(frozen=True)
class PartyRow:
    """A claimant or respondent of the case with the person's contacts (``contact_rows``)."""

    role: CaseParty
    contact_rows: tuple[dict, ...]


def party_rows(roles: Iterable[CaseParty], contacts: dict[int, list[dict]]) -> list[PartyRow]:
    return [PartyRow(r, tuple(contacts.get(r.party_id, ()))) for r in roles]


@dataclass(frozen=True)
class MediationRow:
    """A mediation with each instalment and where its deadline stands (None: none is kept)."""

    mediation: Mediation
    instalment_rows: tuple[tuple[Instalment, DeadlineRow | None], ...]


def mediation_rows(
    mediations: Iterable[Mediation], deadlines: dict[str, DeadlineRow]
) -> list[MediationRow]:
    return [
        MediationRow(
            m,
            tuple((i, deadlines.get(f"instalment:{i.pk}")) for i in m.instalments.all()),
        )
        for m in mediations
    ]


@dataclass(frozen=True)
class AppointmentRow:
    """A scheduled mediation session with the form cancelling it (for whoever may), and whether
    its day has gone by without a mediation recorded (record it, or cancel the session)."""

    appointment: MediationAppointment
    cancel_form: object | None
    cancel_open: bool
    passed: bool


@dataclass(frozen=True)
class PaymentRow:
    payment: Payment
    reverse_form: object | None  # the reversal form, for whoever may reverse it
    reverse_open: bool


@dataclass(frozen=True)
class VisitRow:
    visit: Visit
    due: DeadlineRow | None  # the visit's deadline while it is planned
    form: object | None  # the form recording it, for whoever may
    form_open: bool
