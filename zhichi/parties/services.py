"""Finding or creating parties, with identifiers normalised and encrypted (C2, rule ID-3), and
keeping every phone and address a person gave (issue 13 item 2: no typed fact silently lost).

The parties app knows nothing of leads or cases: callers say where a fact was recorded with a
``Recording`` (the lead's or the case's id and reference), and decide themselves what to do when a
typed name differs from the one on record (``same_name``); nothing here renames a person unasked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from zhichi.parties import crypto
from zhichi.parties.models import ContactKind, ContactSource, Party, PartyContact, PartyKind


@dataclass(frozen=True)
class Recording:
    """Who records a fact about a person, and where (the contacts' history shows it)."""

    by: Any = None  # the user, or None for the system
    source: str = ContactSource.LEAD
    source_id: int | None = None
    ref: str = ""  # the lead's receipt code or the case number


def same_name(a: str, b: str) -> bool:
    """Whether two typed names are the same name: spaces (half- or full-width) are typing, not
    part of a Chinese name."""
    return "".join((a or "").split()) == "".join((b or "").split())


def find_person(*, id_number: str) -> Party | None:
    if not id_number:
        return None
    return (
        Party.objects.filter(
            kind=PartyKind.PERSON, id_number_index=crypto.blind_index("id", id_number)
        )
        .order_by("pk")
        .first()
    )


def upsert_person(
    *,
    name: str,
    id_number: str = "",
    phone: str = "",
    address: str = "",
    recording: Recording | None = None,
) -> Party:
    """The person with this (normalised) ID number, or a new one. Call inside a transaction.

    A known person keeps the name on record (a caller that was told another name resolves that
    first, ``correct_person``); a phone or an address that differs from the current one is added
    to the person's contacts and becomes the current one, the earlier ones stay listed.
    """
    recording = recording or Recording()
    party = find_person(id_number=id_number)
    if party is None:
        party = Party(kind=PartyKind.PERSON, name=name)
        if id_number:
            party.set_id_number(id_number)
        party.save()
    else:
        party = Party.objects.select_for_update().get(pk=party.pk)
    record_contacts(party, phone=phone, address=address, recording=recording)
    return party


def _keep_earlier(party: Party, kind: str) -> None:
    """A current value recorded before contacts were kept gets its row first, so adding a newer
    one never drops it."""
    current = party.phone_enc if kind == ContactKind.PHONE else party.address
    if not current or PartyContact.objects.filter(party=party, kind=kind).exists():
        return
    contact = PartyContact(
        party=party, kind=kind, recorded_at=party.created_at, source=ContactSource.EARLIER
    )
    if kind == ContactKind.PHONE:
        contact.phone_enc = party.phone_enc
        contact.phone_index = party.phone_index
        contact.phone_masked = party.phone_masked
    else:
        contact.address = party.address
    contact.save()


def record_contacts(
    party: Party, *, phone: str = "", address: str = "", recording: Recording
) -> list[str]:
    """Add a (normalised) phone or an address that differs from the current one to the person's
    contacts, dated and attributed; the newest becomes the current one on the Party. Answers the
    kinds that changed. Call inside a transaction, the party locked."""
    changed: list[str] = []
    fields: list[str] = []
    if phone and crypto.blind_index("phone", phone) != party.phone_index:
        _keep_earlier(party, ContactKind.PHONE)
        contact = _contact(party, ContactKind.PHONE, recording)
        contact.set_phone(phone)
        contact.save()
        party.set_phone(phone)
        changed.append(ContactKind.PHONE)
        fields += ["phone_enc", "phone_index", "phone_masked"]
    if address and address != party.address:
        _keep_earlier(party, ContactKind.ADDRESS)
        contact = _contact(party, ContactKind.ADDRESS, recording)
        contact.address = address
        contact.save()
        party.address = address
        changed.append(ContactKind.ADDRESS)
        fields.append("address")
    if fields:
        party.save(update_fields=fields)
    return changed


def _contact(party: Party, kind: str, recording: Recording) -> PartyContact:
    return PartyContact(
        party=party,
        kind=kind,
        recorded_by=recording.by,
        source=recording.source,
        source_id=recording.source_id,
        source_ref=recording.ref[:64],
    )


def id_number_taken(id_number: str, *, other_than: Party) -> bool:
    """Whether another person on record already has this (normalised) ID number: one person,
    one identity (a correction must not make two)."""
    return (
        Party.objects.filter(
            kind=PartyKind.PERSON, id_number_index=crypto.blind_index("id", id_number)
        )
        .exclude(pk=other_than.pk)
        .exists()
    )


def correct_person(
    party: Party,
    *,
    recording: Recording,
    name: str | None = None,
    phone: str | None = None,
    address: str | None = None,
    id_number: str | None = None,
) -> dict[str, dict]:
    """Correct what is on record of a party (normalised values; None leaves a fact alone): the
    identifiers are encrypted and indexed again, a phone or an address joins the contacts.

    Answers what changed, fit for the audit trail and the timeline: names as they are, phones and
    ID numbers masked only (rule ID-3), an address only as changed. Call inside a transaction,
    the party locked; the caller checks ``id_number_taken`` first.
    """
    changes: dict[str, dict] = {}
    fields: list[str] = []
    if name is not None and name != party.name:
        changes["name"] = {"from": party.name, "to": name}
        party.name = name
        fields.append("name")
    if id_number is not None and crypto.blind_index("id", id_number) != party.id_number_index:
        before = party.id_number_masked
        party.set_id_number(id_number)
        changes["id_number"] = {"from": before, "to": party.id_number_masked}
        fields += ["id_number_enc", "id_number_index", "id_number_masked"]
    if fields:
        party.save(update_fields=fields)
    before_phone = party.phone_masked
    done = record_contacts(party, phone=phone or "", address=address or "", recording=recording)
    if ContactKind.PHONE in done:
        changes["phone"] = {"from": before_phone, "to": party.phone_masked}
    if ContactKind.ADDRESS in done:
        changes["address"] = {}
    return changes


def upsert_organisation(*, name: str, credit_code: str = "", address: str = "") -> Party:
    """The organisation with this credit code, or a new one. Call inside a transaction."""
    if credit_code:
        party = (
            Party.objects.filter(kind=PartyKind.ORGANISATION, credit_code=credit_code)
            .order_by("pk")
            .first()
        )
        if party is not None:
            return party
    return Party.objects.create(
        kind=PartyKind.ORGANISATION, name=name, credit_code=credit_code, address=address
    )
