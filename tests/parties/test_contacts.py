"""Issue 13 item 2: a person's contacts. A new phone or address of a known person is added with
its date, who recorded it and where, never dropped; the newest is the current one (copied onto the
Party); phones are encrypted, blind-indexed and masked like ``Party.phone`` (rules ID-3, R4)."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.db import connection

from tests.conftest import make_id
from zhichi.parties import crypto, rotation
from zhichi.parties.models import ContactKind, ContactSource, Party, PartyContact
from zhichi.parties.services import (
    Recording,
    correct_person,
    id_number_taken,
    same_name,
    upsert_person,
)

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

OLD_PHONE, NEW_PHONE = "13500001122", "18600000000"


def lead_recording(users, n: int = 1) -> Recording:
    return Recording(by=users["civil1"], source=ContactSource.LEAD, source_id=n, ref=f"LEAD{n}")


def phones(party: Party) -> list[str]:
    """The person's phones, newest first, decrypted (the test may)."""
    return [c.phone for c in party.contacts.filter(kind=ContactKind.PHONE)]


def test_issue13_item2_a_new_phone_of_a_known_person_is_added_not_dropped(users):
    number = make_id(seq="601")
    first = upsert_person(
        name="李秀英", id_number=number, phone=OLD_PHONE, recording=lead_recording(users, 1)
    )

    again = upsert_person(
        name="李秀英", id_number=number, phone=NEW_PHONE, recording=lead_recording(users, 2)
    )

    assert again.pk == first.pk
    assert (again.phone, again.phone_masked) == (NEW_PHONE, "186****0000")
    assert phones(again) == [NEW_PHONE, OLD_PHONE]
    newest = again.contacts.filter(kind=ContactKind.PHONE).first()
    assert (newest.recorded_by, newest.source, newest.source_id, newest.source_ref) == (
        users["civil1"],
        ContactSource.LEAD,
        2,
        "LEAD2",
    )


def test_the_same_phone_again_adds_no_contact(users):
    number = make_id(seq="602")
    upsert_person(name="李秀英", id_number=number, phone=OLD_PHONE, recording=lead_recording(users))
    party = upsert_person(
        name="李秀英", id_number=number, phone=OLD_PHONE, recording=lead_recording(users, 2)
    )

    assert phones(party) == [OLD_PHONE]


def test_a_new_address_becomes_current_and_the_earlier_stays_listed(users):
    number = make_id(seq="603")
    upsert_person(
        name="李秀英", id_number=number, address="五华区一号", recording=lead_recording(users)
    )
    party = upsert_person(
        name="李秀英", id_number=number, address="盘龙区二号", recording=lead_recording(users, 2)
    )

    assert party.address == "盘龙区二号"
    addresses = list(
        party.contacts.filter(kind=ContactKind.ADDRESS).values_list("address", flat=True)
    )
    assert addresses == ["盘龙区二号", "五华区一号"]


def test_a_known_person_keeps_the_name_on_record(users):
    number = make_id(seq="604")
    upsert_person(name="李秀英", id_number=number, recording=lead_recording(users))

    party = upsert_person(name="王小二", id_number=number, recording=lead_recording(users, 2))

    assert party.name == "李秀英"  # renaming is correct_person's, asked for explicitly


def test_a_phone_recorded_before_contacts_were_kept_is_listed_before_the_new_one(users):
    number = make_id(seq="605")
    party = Party(kind="person", name="李秀英")
    party.set_id_number(number)
    party.set_phone(OLD_PHONE)
    party.save()  # as bench data and rows older than contacts are: no contact row

    party = upsert_person(
        name="李秀英", id_number=number, phone=NEW_PHONE, recording=lead_recording(users)
    )

    assert phones(party) == [NEW_PHONE, OLD_PHONE]
    assert party.contacts.last().source == ContactSource.EARLIER


def test_r4_contact_rows_hold_no_plaintext_phone(users):
    number = make_id(seq="606")
    upsert_person(name="李秀英", id_number=number, phone=OLD_PHONE, recording=lead_recording(users))
    upsert_person(name="李秀英", id_number=number, phone=NEW_PHONE, recording=lead_recording(users))

    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM parties_partycontact")
        dump = " ".join(str(v) for row in cursor.fetchall() for v in row)
    assert OLD_PHONE not in dump and NEW_PHONE not in dump
    assert "135****1122" in dump and "186****0000" in dump
    assert PartyContact.objects.filter(phone_index=crypto.blind_index("phone", OLD_PHONE)).exists()


def test_correct_person_reencrypts_and_reindexes_and_reports_masked_changes(users):
    number, other = make_id(seq="607"), make_id(seq="608")
    party = upsert_person(
        name="李秀英", id_number=number, phone=OLD_PHONE, recording=lead_recording(users)
    )
    before = party.id_number_enc

    changes = correct_person(
        party, recording=lead_recording(users), name="王小二", id_number=other, phone=NEW_PHONE
    )

    party.refresh_from_db()
    assert changes == {
        "name": {"from": "李秀英", "to": "王小二"},
        "id_number": {"from": number[:6] + "********" + number[-4:], "to": party.id_number_masked},
        "phone": {"from": "135****1122", "to": "186****0000"},
    }
    assert (party.name, party.id_number, party.phone) == ("王小二", other, NEW_PHONE)
    assert party.id_number_enc != before
    assert party.id_number_index == crypto.blind_index("id", other)
    assert not Party.objects.filter(id_number_index=crypto.blind_index("id", number)).exists()


def test_an_id_number_on_another_person_is_taken(users):
    a = upsert_person(name="甲", id_number=make_id(seq="609"), recording=lead_recording(users))
    b = upsert_person(name="乙", id_number=make_id(seq="610"), recording=lead_recording(users))

    assert id_number_taken(make_id(seq="609"), other_than=b)
    assert not id_number_taken(make_id(seq="609"), other_than=a)


@pytest.mark.unit
@pytest.mark.parametrize(
    ("a", "b", "same"),
    [("李秀英", "李 秀英", True), ("李秀英", "李\u3000秀英 ", True), ("李秀英", "王小二", False)],
)
def test_names_differing_only_in_spaces_are_the_same_name(a, b, same):
    assert same_name(a, b) is same


def test_rotation_reencrypts_contact_phones(users, settings):
    number = make_id(seq="611")
    party = upsert_person(
        name="李秀英", id_number=number, phone=OLD_PHONE, recording=lead_recording(users)
    )
    old = settings.ZHICHI["ENCRYPTION_KEYS"][0]
    new = "bmV3LWtleS1uZXcta2V5LW5ldy1rZXktbmV3LWtleTE="
    settings.ZHICHI = {**settings.ZHICHI, "ENCRYPTION_KEYS": [new, old]}

    assert rotation.rotate_contacts() == 1

    settings.ZHICHI = {**settings.ZHICHI, "ENCRYPTION_KEYS": [new]}
    contact = party.contacts.get()
    assert contact.phone == OLD_PHONE
    assert contact.phone_index == crypto.blind_index("phone", OLD_PHONE)


def test_the_migration_keeps_what_was_on_record_as_earlier_contacts(users):
    backfill = importlib.import_module("zhichi.parties.migrations.0003_backfill_contacts")
    party = Party(kind="person", name="李秀英", address="五华区一号")
    party.set_phone(OLD_PHONE)
    party.save()

    backfill.backfill(apps, None)

    rows = {c.kind: c for c in party.contacts.all()}
    assert (rows["phone"].phone, rows["phone"].source) == (OLD_PHONE, ContactSource.EARLIER)
    assert rows["address"].address == "五华区一号"
    backfill.forget(apps, None)
    assert not party.contacts.exists()
