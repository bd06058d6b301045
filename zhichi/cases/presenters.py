"""How a case is described to people and to the API: one place for pages and JSON alike."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from zhichi.cases.ledger import ledger_for
from zhichi.cases.models import (
    ApprovalKind,
    Case,
    CourtEventKind,
    Outcome,
    PartyRole,
    Stage,
    TimelineEvent,
)
from zhichi.cases.services.derived import deadline_state


def _opened(e: TimelineEvent) -> str:
    if e.data.get("receipt_code"):
        return _("Case opened as %(number)s from lead %(code)s") % {
            "number": e.data.get("number", ""),
            "code": e.data["receipt_code"],
        }
    return _("Case opened as %(number)s") % {"number": e.data.get("number", "")}


def _stage_changed(e: TimelineEvent) -> str:
    return _("Stage moved from %(from)s to %(to)s") % {
        "from": _stage(e.data.get("from")),
        "to": _stage(e.data.get("to")),
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


def yuan_text(value) -> str:
    """12,000.00 in timeline sentences, like the ledger (without the sign: the text says yuan)."""
    try:
        return f"{Decimal(str(value)):,.2f}"
    except (ArithmeticError, ValueError, TypeError):
        return str(value or "")


def choice_label(enum, value) -> str:
    """The label of a stored choice; the raw value when it is no longer one (old events)."""
    try:
        return str(enum(value).label)
    except ValueError:
        return str(value or "")


SUPPORT_LABELS = {"support": _("support the suit"), "not_support": _("not support the suit")}

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
    "payment": lambda e: (
        _("%(payer)s paid %(amount)s yuan to %(name)s")
        % {
            "payer": e.data.get("payer", ""),
            "amount": yuan_text(e.data.get("amount")),
            "name": e.data.get("name", ""),
        }
    ),
    "visit_planned": lambda e: (
        _("Return visit planned for %(day)s") % {"day": e.data.get("planned_on", "")}
    ),
    "visit_done": lambda e: _("Return visit done"),
    "level_set": lambda e: (
        _("Level set from %(from)s to %(to)s")
        % {"from": e.data.get("from") or "—", "to": e.data.get("to")}
    ),
}


def register_event_label(kind: str, describe) -> None:
    """A higher app's timeline events (e.g. joint actions): ``describe(event) -> str``."""
    EVENT_LABELS[kind] = describe


def _stage(value) -> str:
    try:
        return str(Stage(value).label)
    except ValueError:
        return str(value or "")


def describe_event(event: TimelineEvent) -> str:
    describe = EVENT_LABELS.get(event.kind)
    headline = describe(event) if describe else event.kind
    return f"{headline}: {event.summary}" if event.summary else headline


def money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def money_summary(case: Case) -> dict[str, str]:
    """Totals of the ledger: claimed, agreed, awarded, and recovered (payments only, C6)."""
    totals = ledger_for(case).totals
    return {
        k: f"{totals[k]:.2f}" for k in ("claimed", "agreed", "awarded", "recovered", "outstanding")
    }


def deadlines_out(case: Case) -> list[dict]:
    return [
        {
            "kind": d.kind,
            "label": d.label,
            "due": d.due.isoformat(),
            "status": deadline_state(d),
            "rule": d.rule,
            "calendar_complete": d.calendar_complete,
        }
        for d in case.deadlines.all()
    ]


# What partner staff see of a case's history (C8): milestones, not the internal deliberation
# (approvals, grading, visit findings, facts under review).
PARTNER_EVENT_KINDS = frozenset(
    {
        "case_opened",
        "stage_changed",
        "mediation",
        "court_event",
        "payment",
        "case_closed",
        "transfer_send",
        "transfer_receive",
        "transfer_accept",
        "transfer_reject",
        "transfer_answer",
        "transfer_close",
        "joint_action",
    }
)


def case_out(case: Case, *, unmasked: bool = False, partner: bool = False) -> dict:
    """The API's case body; ``partner`` leaves out the internal fields (C8)."""
    parties = list(case.parties.all())
    claimants = []
    for cp in parties:
        if cp.role != PartyRole.CLAIMANT:
            continue
        row = {
            "party_id": cp.party_id,
            "name": cp.party.name,
            "id_number_masked": cp.party.id_number_masked,
            "phone_masked": cp.party.phone_masked,
            "groups": cp.groups,
            "vulnerability_basis": cp.vulnerability_basis,
            "amount_claimed": money(cp.amount_claimed),
            "months_unpaid": cp.months_unpaid,
        }
        if unmasked:
            row["id_number"] = cp.party.id_number
            row["phone"] = cp.party.phone
        claimants.append(row)
    respondents = [
        {
            "party_id": cp.party_id,
            "kind": cp.party.kind,
            "name": cp.party.name,
            "credit_code": cp.party.credit_code_masked,
            "id_number_masked": cp.party.id_number_masked,
        }
        for cp in parties
        if cp.role == PartyRole.RESPONDENT
    ]
    body = {
        "id": case.pk,
        "number": case.number,
        "category": case.category,
        "stage": case.stage,
        "level": case.level,
        "level_reasons": case.level_reasons,
        "status": case.status,
        "opened_on": case.opened_on.isoformat(),
        "closed_on": case.closed_on.isoformat() if case.closed_on else None,
        "received_on": case.received_on.isoformat(),
        "source": case.source,
        "summary": case.summary,
        "officer": case.officer.username if case.officer else None,
        "organisation": case.organisation.code,
        "department": case.department.code if case.department else None,
        "claimants": claimants,
        "respondents": respondents,
        "money": money_summary(case),
        "deadlines": deadlines_out(case),
        "risk": {"score": case.risk_score, "reasons": case.risk_reasons},
        "outcome": case.outcome or None,
        "flags": case.flags,
        "criminal_check": case.criminal_check or {},
        "version": case.version,
    }
    if partner:
        body["level_reasons"] = []
        body["risk"] = {"score": None, "reasons": []}
        body["criminal_check"] = {}
        body["flags"] = []
        body["officer"] = None
    return body


def timeline_out(event: TimelineEvent) -> dict:
    return {
        "at": event.at.isoformat(),
        "kind": event.kind,
        "actor": event.actor.username if event.actor else None,
        "summary": describe_event(event),
    }
