"""Finding or creating parties, with identifiers normalised and encrypted (C2, rule ID-3), and
keeping every phone and address a person gave (issue 13 item 2: no typed fact silently lost).

The parties app knows nothing of leads or cases: callers say where a fact was recorded with a
``Recording`` (the lead's or the case's id and reference), and decide themselves what to do when a
typed name differs from the one on record (``same_name``); nothing here renames a person unasked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from zhichi.common import bulk
from zhichi.parties import crypto
from zhichi.parties.models import (
    ContactKind,
    ContactSource,
    Party,
    PartyContact,
    PartyKind,
    id_number_columns,
    phone_columns,
)


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


def new_contacts(party: Party, *, phone: str = "", address: str = "") -> list[str]:
    """The kinds of contact, among a (normalised) phone and an address, that differ from the
    current ones of ``party`` (``record_contacts`` adds those)."""
    found = []
    if phone and crypto.blind_index("phone", phone) != party.phone_index:
        found.append(ContactKind.PHONE)
    if address and address != party.address:
        found.append(ContactKind.ADDRESS)
    return found


def record_contacts(
    party: Party, *, phone: str = "", address: str = "", recording: Recording
) -> list[str]:
    """Add a (normalised) phone or an address that differs from the current one to the person's
    contacts, dated and attributed; the newest becomes the current one on the Party. Answers the
    kinds that changed. Call inside a transaction, the party locked."""
    changed: list[str] = []
    fields: list[str] = []
    new = new_contacts(party, phone=phone, address=address)
    if ContactKind.PHONE in new:
        _keep_earlier(party, ContactKind.PHONE)
        contact = _contact(party, ContactKind.PHONE, recording)
        contact.set_phone(phone)
        contact.save()
        party.set_phone(phone)
        changed.append(ContactKind.PHONE)
        fields += ["phone_enc", "phone_index", "phone_masked"]
    if ContactKind.ADDRESS in new:
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


def _contact_values(kind: str, recording: Recording) -> dict[str, Any]:
    return {
        "kind": kind,
        "recorded_by_id": getattr(recording.by, "pk", None),
        "source": recording.source,
        "source_id": recording.source_id,
        "source_ref": recording.ref[:64],
    }


def _contact(party: Party, kind: str, recording: Recording) -> PartyContact:
    return PartyContact(party=party, **_contact_values(kind, recording))


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


# --- many at once (an imported list: C14) -----------------------------------------------------
LOOKUP_CHUNK = 5000  # values per IN (...) list, within every database's parameter limit


@dataclass(frozen=True)
class NewPerson:
    """A person to create, identifiers normalised, with the lead they were first recorded on."""

    name: str
    id_number: str
    phone: str = ""
    address: str = ""


def chunks(values: list, size: int = LOOKUP_CHUNK):
    for start in range(0, len(values), size):
        yield values[start : start + size]


def people_by_id(id_numbers: list[str]) -> dict[str, Party]:
    """The people on record with these (normalised) ID numbers, by ID number: the first on
    record for each, as ``find_person`` answers."""
    by_index = {crypto.blind_index("id", n): n for n in id_numbers if n}
    found: dict[str, Party] = {}
    for chunk in chunks(list(by_index)):
        # by the blind index alone: with ``kind`` in the query, SQLite walks the (kind, name)
        # index over every person instead (only people have ID numbers)
        for party in Party.objects.filter(id_number_index__in=chunk).order_by("-pk"):
            if party.kind == PartyKind.PERSON:
                found[by_index[party.id_number_index]] = party  # the lowest pk last
    return found


def create_people(people: list[NewPerson]) -> list[dict[str, Any]]:
    """Create ``people`` (none of them on record: ``people_by_id`` first), identifiers encrypted
    with their blind indexes (rule ID-3), one insert per batch (``common.bulk``). Answers each
    one's stored columns with its ``id``. Call inside a transaction, then
    ``record_first_contacts`` once the lead or case they came with has its id."""
    now = timezone.now()
    rows = []
    for person in people:
        row = {"kind": PartyKind.PERSON, "name": person.name, "address": person.address}
        row["created_at"] = now
        if person.id_number:
            row.update(id_number_columns(person.id_number))
        if person.phone:
            row.update(phone_columns(person.phone))
        rows.append(row)
    for row, pk in zip(rows, bulk.insert(Party, rows, returning=True), strict=True):
        row["id"] = pk
    return rows


def record_first_contacts(pairs: list[tuple[dict[str, Any], Recording]]) -> None:
    """The contacts' rows of people ``create_people`` just made (``(its answer, where)``: their
    phone and address as first recorded), as ``record_contacts`` writes them for one new
    person."""
    now = timezone.now()
    rows = []
    for person, recording in pairs:
        base = {"party_id": person["id"], "recorded_at": now}
        if person.get("phone_enc"):
            rows.append(
                {
                    **base,
                    **_contact_values(ContactKind.PHONE, recording),
                    **{k: person[k] for k in ("phone_enc", "phone_index", "phone_masked")},
                }
            )
        if person.get("address"):
            rows.append(
                {
                    **base,
                    **_contact_values(ContactKind.ADDRESS, recording),
                    "address": person["address"],
                }
            )
    bulk.insert(PartyContact, rows)


def organisations_for(employers: list[tuple[str, str, str]]) -> dict[tuple[str, str], int]:
    """The ids of the organisations named by ``(name, credit code, address)``, by ``(name,
    code)``: the one
    on record with the credit code, else (no code) the one on record under exactly this name and
    no code, else a new one. Call inside a transaction."""
    codes = sorted({code for _name, code, _address in employers if code})
    names = sorted({name for name, code, _address in employers if not code})
    by_code: dict[str, Party] = {}
    for chunk in chunks(codes):
        for party in Party.objects.filter(credit_code__in=chunk).order_by("-pk"):
            if party.kind == PartyKind.ORGANISATION:  # as people_by_id: the code's own index
                by_code[party.credit_code] = party
    by_name: dict[str, Party] = {}
    for chunk in chunks(names):
        for party in Party.objects.filter(
            kind=PartyKind.ORGANISATION, credit_code="", name__in=chunk
        ).order_by("-pk"):
            by_name[party.name] = party
    known: dict[tuple[str, str], int] = {}
    new: dict[str, dict[str, Any]] = {}  # one new organisation per credit code, else per name
    for name, code, address in employers:
        party = by_code.get(code) if code else by_name.get(name)
        if party is not None:
            known[(name, code)] = party.pk
        else:
            new.setdefault(
                code or f"name:{name}",
                {
                    "kind": PartyKind.ORGANISATION,
                    "name": name,
                    "credit_code": code,
                    "address": address,
                },
            )
    rows = list(new.values())
    for row, pk in zip(rows, bulk.insert(Party, rows, returning=True), strict=True):
        row["id"] = pk
    for name, code, _address in employers:
        if (name, code) not in known:
            known[(name, code)] = new[code or f"name:{name}"]["id"]
    return known
