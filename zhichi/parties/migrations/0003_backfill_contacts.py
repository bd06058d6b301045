# The phones and addresses on record before contacts were kept become each person's first
# contacts (issue 13 item 2), dated when the person was recorded, so a newer one added later never
# drops them. The ciphertext, blind index and masked copy are copied as they are: nothing is
# decrypted, and no key is needed.

from django.db import migrations

BATCH = 1000


def backfill(apps, schema_editor):
    Party = apps.get_model("parties", "Party")
    PartyContact = apps.get_model("parties", "PartyContact")
    rows = []
    people = Party.objects.exclude(phone_enc="", address="").order_by("pk")
    for party in people.iterator(chunk_size=BATCH):
        if party.phone_enc:
            rows.append(
                PartyContact(
                    party_id=party.pk,
                    kind="phone",
                    phone_enc=party.phone_enc,
                    phone_index=party.phone_index,
                    phone_masked=party.phone_masked,
                    recorded_at=party.created_at,
                    source="earlier",
                )
            )
        if party.address:
            rows.append(
                PartyContact(
                    party_id=party.pk,
                    kind="address",
                    address=party.address,
                    recorded_at=party.created_at,
                    source="earlier",
                )
            )
        if len(rows) >= BATCH:
            PartyContact.objects.bulk_create(rows)
            rows = []
    PartyContact.objects.bulk_create(rows)


def forget(apps, schema_editor):
    apps.get_model("parties", "PartyContact").objects.filter(source="earlier").delete()


class Migration(migrations.Migration):
    dependencies = [("parties", "0002_party_contacts")]

    operations = [migrations.RunPython(backfill, forget)]
