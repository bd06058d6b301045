import pytest
from django.db import connection

from tests.conftest import make_id
from zhichi.parties import crypto
from zhichi.parties.services import upsert_person

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


def test_id3_identifiers_are_encrypted_masked_and_indexed():
    number = make_id(seq="777")
    party = upsert_person(name="赵六", id_number=number, phone="13912345678")
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM parties_party WHERE id = %s", [party.pk])
        row = " ".join(str(v) for v in cursor.fetchone())
    assert number not in row
    assert "13912345678" not in row
    assert party.id_number_masked == number[:6] + "********" + number[-4:]
    assert party.phone_masked == "139****5678"
    assert party.id_number == number
    assert party.phone == "13912345678"


def test_blind_index_finds_the_same_person_again():
    number = make_id(seq="778")
    first = upsert_person(name="赵六", id_number=number)
    again = upsert_person(name="赵 六", id_number=number, phone="13912345678")
    assert again.pk == first.pk
    assert again.phone == "13912345678"


def test_encryption_is_randomised_but_index_is_deterministic():
    assert crypto.encrypt("x") != crypto.encrypt("x")
    assert crypto.blind_index("id", "x") == crypto.blind_index("id", "x")
    assert crypto.blind_index("id", "x") != crypto.blind_index("phone", "x")


def test_rotate_keeps_values_decryptable(settings):
    token = crypto.encrypt("secret")
    old = settings.ZHICHI["ENCRYPTION_KEYS"][0]
    new = "bmV3LWtleS1uZXcta2V5LW5ldy1rZXktbmV3LWtleTE="
    settings.ZHICHI = {**settings.ZHICHI, "ENCRYPTION_KEYS": [new, old]}
    rotated = crypto.rotate(token)
    settings.ZHICHI = {**settings.ZHICHI, "ENCRYPTION_KEYS": [new]}
    assert crypto.decrypt(rotated) == "secret"
    with pytest.raises(ValueError):
        crypto.decrypt(token)
