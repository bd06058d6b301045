"""Validating a lead as it comes in, from a page or from the API (C1). One place for the rules."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhichi.accounts.models import Organisation
from zhichi.cases.models import Category, Evasion, LabourRelationship, Source
from zhichi.cases.services.facts import read_payment_order
from zhichi.common.errors import InvalidInput
from zhichi.common.validation import Collector
from zhichi.intake.models import Redirect
from zhichi.parties.models import Group, PartyKind, VulnerabilityBasis
from zhichi.parties.validation import check, message_for

MAX_CLAIMANTS = 500
MAX_RESPONDENTS = 20


class NameChoice(models.TextChoices):
    """Which name is right when a typed ID number is on record under another name (issue 13
    item 2): never decided silently, always by the person filing the lead."""

    RECORD = "record", gettext_lazy("The name on record is right")
    TYPED = "typed", gettext_lazy("The typed name is right: correct the record")


@dataclass
class PersonNameInput:
    """What the filer said about a name conflict: their choice, the reason for correcting the
    record, and the name on record they were shown (so a choice made against one record never
    applies to another)."""

    name_choice: str = ""
    name_reason: str = ""
    name_on_record: str = ""


@dataclass
class ClaimantInput(PersonNameInput):
    name: str = ""
    id_number: str = ""
    phone: str = ""
    address: str = ""
    groups: list[str] = field(default_factory=list)
    vulnerability_basis: list[str] = field(default_factory=list)
    amount_claimed: Decimal | None = None
    months_unpaid: int | None = None


@dataclass
class RespondentInput(PersonNameInput):
    kind: str = ""
    name: str = ""
    credit_code: str = ""
    id_number: str = ""
    address: str = ""


@dataclass
class LeadInput:
    source: str
    received_on: date
    category: str
    summary: str
    claimants: list[ClaimantInput]
    respondents: list[RespondentInput]
    voluntary: bool
    consent_to_share: bool
    labour_relationship: str
    has_iou: bool
    payment_order_authority: str = ""
    payment_order_issued_on: date | None = None
    payment_order_deadline: date | None = None
    evasion: list[str] = field(default_factory=list)
    referring_org: Organisation | None = None


def _identifier(c: Collector, kind: str, raw, path: str) -> str:
    if raw in (None, ""):
        return ""
    if not isinstance(raw, str):
        c.add(path, "type", _("Enter text."))
        return ""
    result = check(kind, raw)
    if not result.valid:
        issue = result.errors[0]
        c.add(path, issue.code, message_for(kind, issue.code))
        return ""
    return result.normalised


def _name_choice(c: Collector, raw: dict, p: str) -> PersonNameInput:
    """The answer to a name conflict, when one was given (a typed name is never replaced
    silently; the service asks for the reason when the answer corrects the record)."""
    return PersonNameInput(
        name_choice=c.choice(
            raw, "name_choice", f"{p}.name_choice", NameChoice.choices, required=False
        ),
        name_reason=c.text(raw, "name_reason", f"{p}.name_reason", max_length=2000),
        name_on_record=c.text(raw, "name_on_record", f"{p}.name_on_record", max_length=200),
    )


def validate_lead(data: dict) -> LeadInput:
    """Clean a lead in API shape; raise InvalidInput listing every problem, changing nothing."""
    if not isinstance(data, dict):
        raise InvalidInput([], detail=_("The lead must be an object."))
    c = Collector()
    today = timezone.localdate()
    source = c.choice(data, "source", "source", Source.choices)
    received_on = c.day(data, "received_on", "received_on", required=True, not_after=today)
    category = c.choice(data, "category", "category", Category.choices)
    summary = c.text(data, "summary", "summary", required=True, max_length=5000)

    claimants: list[ClaimantInput] = []
    raw_claimants = c.items(data, "claimants", "claimants", maximum=MAX_CLAIMANTS)
    if not raw_claimants and not any(e.field == "claimants" for e in c.errors):
        c.add("claimants", "required", _("Add at least one claimant."))
    seen_ids: dict[str, int] = {}
    for i, raw in enumerate(raw_claimants):
        p = f"claimants.{i}"
        if not isinstance(raw, dict):
            c.add(p, "type", _("Each claimant must be an object."))
            continue
        claimant = ClaimantInput(
            name=c.text(raw, "name", f"{p}.name", required=True, max_length=100),
            id_number=_identifier(c, "id_number", raw.get("id_number"), f"{p}.id_number"),
            phone=_identifier(c, "phone", raw.get("phone"), f"{p}.phone"),
            address=c.text(raw, "address", f"{p}.address", max_length=300),
            groups=c.choices(raw, "groups", f"{p}.groups", Group.choices),
            vulnerability_basis=c.choices(
                raw, "vulnerability_basis", f"{p}.vulnerability_basis", VulnerabilityBasis.choices
            ),
            amount_claimed=c.money(raw, "amount_claimed", f"{p}.amount_claimed"),
            months_unpaid=c.whole(raw, "months_unpaid", f"{p}.months_unpaid", maximum=600),
            **vars(_name_choice(c, raw, p)),
        )
        if claimant.id_number:
            if claimant.id_number in seen_ids:
                c.add(
                    f"{p}.id_number",
                    "duplicate",
                    _("The same ID number is already claimant %(n)d.")
                    % {"n": seen_ids[claimant.id_number] + 1},
                )
            seen_ids.setdefault(claimant.id_number, i)
        claimants.append(claimant)

    respondents: list[RespondentInput] = []
    seen_codes: set[str] = set()
    for i, raw in enumerate(c.items(data, "respondents", "respondents", maximum=MAX_RESPONDENTS)):
        p = f"respondents.{i}"
        if not isinstance(raw, dict):
            c.add(p, "type", _("Each respondent must be an object."))
            continue
        kind = c.choice(raw, "kind", f"{p}.kind", PartyKind.choices, default=PartyKind.ORGANISATION)
        respondents.append(
            RespondentInput(
                kind=kind,
                name=c.text(raw, "name", f"{p}.name", required=True, max_length=200),
                credit_code=_identifier(
                    c, "credit_code", raw.get("credit_code"), f"{p}.credit_code"
                )
                if kind == PartyKind.ORGANISATION
                else "",
                id_number=_identifier(c, "id_number", raw.get("id_number"), f"{p}.id_number")
                if kind == PartyKind.PERSON
                else "",
                address=c.text(raw, "address", f"{p}.address", max_length=300),
                **vars(_name_choice(c, raw, p)),
            )
        )
        key = respondents[-1].credit_code or respondents[-1].id_number
        if key and key in seen_codes:
            field_name = "credit_code" if respondents[-1].credit_code else "id_number"
            c.add(f"{p}.{field_name}", "duplicate", _("This respondent is already listed."))
        elif key:
            seen_codes.add(key)

    authority, issued_on, deadline = read_payment_order(c, data, today)

    referring_org = None
    code = data.get("referring_org")
    if code not in (None, ""):
        if not isinstance(code, str):
            c.add("referring_org", "type", _("Enter an organisation code."))
        else:
            referring_org = Organisation.objects.filter(code=code.strip(), is_active=True).first()
            if referring_org is None:
                c.add("referring_org", "unknown", _("No organisation has this code."))

    lead = LeadInput(
        source=source,
        received_on=received_on,  # type: ignore[arg-type]
        category=category,
        summary=summary,
        claimants=claimants,
        respondents=respondents,
        voluntary=c.boolean(data, "voluntary", "voluntary"),
        consent_to_share=c.boolean(data, "consent_to_share", "consent_to_share"),
        labour_relationship=c.choice(
            data,
            "labour_relationship",
            "labour_relationship",
            LabourRelationship.choices,
            default=LabourRelationship.UNKNOWN,
        ),
        has_iou=c.boolean(data, "has_iou", "has_iou"),
        payment_order_authority=authority,
        payment_order_issued_on=issued_on,
        payment_order_deadline=deadline,
        evasion=c.choices(data, "evasion", "evasion", Evasion.choices),
        referring_org=referring_org,
    )
    c.raise_if_errors(_("The lead has errors; nothing was saved."))
    return lead


def validate_decline(data: dict) -> tuple[str, str]:
    c = Collector()
    reason = c.text(data, "reason", "reason", required=True, max_length=2000)
    redirect = c.choice(data, "redirect", "redirect", Redirect.choices)
    c.raise_if_errors("")
    return reason, redirect
