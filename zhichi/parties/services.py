"""Finding or creating parties, with identifiers normalised and encrypted (C2, rule ID-3)."""

from __future__ import annotations

from zhichi.parties import crypto
from zhichi.parties.models import Party, PartyKind


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


def upsert_person(*, name: str, id_number: str = "", phone: str = "", address: str = "") -> Party:
    """The person with this (normalised) ID number, or a new one. Call inside a transaction.

    Known people keep their recorded name; a phone or address is filled in when missing.
    """
    party = find_person(id_number=id_number)
    if party is None:
        party = Party(kind=PartyKind.PERSON, name=name, address=address)
        if id_number:
            party.set_id_number(id_number)
        if phone:
            party.set_phone(phone)
        party.save()
        return party
    changed = []
    if phone and not party.phone_enc:
        party.set_phone(phone)
        changed += ["phone_enc", "phone_index", "phone_masked"]
    if address and not party.address:
        party.address = address
        changed.append("address")
    if changed:
        party.save(update_fields=changed)
    return party


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
