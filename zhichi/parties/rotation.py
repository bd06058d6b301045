"""Key rotation (rule R4): everything sealed or encrypted under the configured keys is sealed again
under the primary (first) key, so an old key can then be removed from ``ZHICHI_ENCRYPTION_KEY``.

Each app that keeps something sealed registers how to re-seal it (``register``) when it starts;
``manage.py rotate_keys`` runs every registered step. A step works row by row in short
transactions and skips what is already under the primary key, so it can be stopped and run again.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction

from zhichi.parties import crypto
from zhichi.parties.models import ContactKind, Party, PartyContact

STEPS: dict[str, Callable[[], int]] = {}


def register(name: str, step: Callable[[], int]) -> None:
    """``step()`` re-seals one kind of thing and returns how many it changed."""
    STEPS[name] = step


def rotate_all() -> dict[str, int]:
    return {name: step() for name, step in STEPS.items()}


def rotate_parties() -> int:
    """People's identifiers: encrypted again, and their blind index recomputed (the index key is
    derived from the primary key, so it changes with it)."""
    changed = 0
    ids = Party.objects.exclude(id_number_enc="", phone_enc="").values_list("pk", flat=True)
    for pk in ids.iterator(chunk_size=500):
        with transaction.atomic():
            party = Party.objects.select_for_update().get(pk=pk)
            before = (
                party.id_number_enc,
                party.phone_enc,
                party.id_number_index,
                party.phone_index,
            )
            if party.id_number_enc:
                party.set_id_number(party.id_number)
            if party.phone_enc:
                party.set_phone(party.phone)
            after = (party.id_number_enc, party.phone_enc, party.id_number_index, party.phone_index)
            if after != before:
                party.save(
                    update_fields=[
                        "id_number_enc",
                        "id_number_index",
                        "phone_enc",
                        "phone_index",
                    ]
                )
                changed += 1
    return changed


def rotate_contacts() -> int:
    """The phones in people's contact histories, like ``rotate_parties``."""
    changed = 0
    ids = (
        PartyContact.objects.filter(kind=ContactKind.PHONE)
        .exclude(phone_enc="")
        .values_list("pk", flat=True)
    )
    for pk in ids.iterator(chunk_size=500):
        with transaction.atomic():
            contact = PartyContact.objects.select_for_update().get(pk=pk)
            before = (contact.phone_enc, contact.phone_index)
            contact.set_phone(contact.phone)
            if (contact.phone_enc, contact.phone_index) != before:
                contact.save(update_fields=["phone_enc", "phone_index"])
                changed += 1
    return changed


def reseal_field(value: str) -> str:
    """A Fernet-encrypted text field under the primary key."""
    return crypto.rotate(value) if value else value
