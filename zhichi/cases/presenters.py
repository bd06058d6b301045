"""How a case is described to people and to the API: one place for pages and JSON alike."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from zhichi.cases.models import Case, CaseParty, PartyRole, Stage, TimelineEvent


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


EVENT_LABELS = {"case_opened": _opened, "stage_changed": _stage_changed}


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


def money_summary(parties: list[CaseParty]) -> dict[str, str]:
    """Claimed comes from the claimants; agreed, awarded and recovered from recorded events."""
    claimed = sum(
        (p.amount_claimed or Decimal("0") for p in parties if p.role == PartyRole.CLAIMANT),
        Decimal("0"),
    )
    return {
        "claimed": money(claimed) or "0.00",
        "agreed": "0.00",
        "awarded": "0.00",
        "recovered": "0.00",
    }


def case_out(case: Case, *, unmasked: bool = False) -> dict:
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
    return {
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
        "money": money_summary(parties),
        "deadlines": [],
        "flags": case.flags,
        "version": case.version,
    }


def timeline_out(event: TimelineEvent) -> dict:
    return {
        "at": event.at.isoformat(),
        "kind": event.kind,
        "actor": event.actor.username if event.actor else None,
        "summary": describe_event(event),
    }
