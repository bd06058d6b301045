"""Importing the same list again creates nothing (C14): a row already imported for the same
receiving procuratorate (the same employer, worker, amount and period) counts as ok and as
``rows_already``; people on record are reused, their new phone kept in their contacts; workers
already on another lead of the receiver are counted in ``rows_known``."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.conftest import lead_payload
from zhichi.cases.models import PartyRole, Source
from zhichi.imports.models import ImportedRow, ImportStatus
from zhichi.intake import services as intake_services
from zhichi.intake.models import Lead, LeadParty
from zhichi.intake.validation import validate_lead
from zhichi.parties import services as party_services
from zhichi.parties.models import ContactKind, Party, PartyContact

from . import corpus
from .conftest import counts

pytestmark = pytest.mark.integration


def stored() -> dict[str, int]:
    return {
        "leads": Lead.objects.count(),
        "lead_parties": LeadParty.objects.count(),
        "parties": Party.objects.count(),
        "imported_rows": ImportedRow.objects.count(),
    }


def messy_list(n: int = 5) -> list[list]:
    """n workers of two employers, and two rejected rows."""
    rows = [corpus.worker(i) for i in range(1, n + 1)]
    rows[-1][corpus.COL["employer"]] = "昆明物业服务有限公司"
    rows[-1][corpus.COL["credit_code"]] = corpus.CODE_B
    rows.append(corpus.worker(90, name=None))
    rows.append([None, "合计", None, None, None, None, 9999, None])
    return rows


def test_importing_the_same_file_twice_creates_nothing_the_second_time(users, run):
    data = corpus.xlsx(messy_list())
    first = run(users["civil1"], data)
    before = stored()

    second = run(users["civil1"], data)

    assert counts(first) == (7, 5, 2)
    assert (first.rows_already, first.leads_created) == (0, 2)
    assert second.status == ImportStatus.DONE
    assert counts(second) == (7, 5, 2)
    assert second.rows_already == second.rows_ok
    assert second.leads_created == 0
    assert list(second.leads.all()) == []
    assert stored() == before


def test_the_same_list_again_with_two_more_rows_files_only_those(users, run):
    rows = messy_list()
    run(users["civil1"], corpus.xlsx(rows))
    before = stored()
    more = [*rows[:5], corpus.worker(6), corpus.worker(7), *rows[5:]]

    job = run(users["civil1"], corpus.xlsx(more))

    assert counts(job) == (9, 7, 2)
    assert (job.rows_already, job.leads_created) == (5, 1)
    lead = job.leads.get()
    assert sorted(lp.party.name for lp in lead.claimants) == ["工人6", "工人7"]
    assert [lp.party.credit_code for lp in lead.respondents] == [corpus.CODE_A]
    after = stored()
    assert after["leads"] == before["leads"] + 1
    assert after["imported_rows"] == before["imported_rows"] + 2
    assert after["parties"] == before["parties"] + 2  # the employer is the one on record
    assert after["lead_parties"] == before["lead_parties"] + 3  # two workers and the employer


def test_a_partners_list_imported_again_by_the_procuratorate_creates_nothing(users, run):
    data = corpus.xlsx(messy_list())
    partner = run(users["hrss1"], data)
    before = stored()

    again = run(users["civil1"], data, referring_org="WHHRSS")

    assert partner.receiver_id == again.receiver_id == users["civil1"].organisation_id
    assert (partner.rows_ok, partner.leads_created) == (5, 2)
    assert Lead.objects.filter(referring_org__code="WHHRSS", source=Source.IMPORT).count() == 2
    assert counts(again) == (7, 5, 2)
    assert (again.rows_already, again.leads_created) == (5, 0)
    assert stored() == before


def test_the_same_list_for_another_procuratorate_is_imported_there(users, run):
    data = corpus.xlsx(corpus.clean_rows(3))
    run(users["civil1"], data)
    before = stored()

    there = run(users["outsider"], data)

    assert (there.rows_ok, there.rows_already, there.leads_created) == (3, 0, 1)
    assert there.leads.get().organisation == users["outsider"].organisation
    after = stored()
    assert after["parties"] == before["parties"]  # the same workers and employer, reused
    assert after["imported_rows"] == before["imported_rows"] + 3


def test_a_person_on_record_is_reused_and_their_new_phone_kept_in_their_contacts(users, run):
    known = party_services.upsert_person(
        name="工人1", id_number=corpus.worker_id(1), phone="13900001111"
    )
    rows = [corpus.worker(1, phone="13800138000"), corpus.worker(2)]

    job = run(users["civil1"], corpus.xlsx(rows))

    assert counts(job) == (2, 2, 0)
    same = Party.objects.filter(id_number_index=known.id_number_index)
    assert list(same.values_list("pk", flat=True)) == [known.pk]  # no second person
    known.refresh_from_db()
    assert known.phone == "13800138000"
    phones = PartyContact.objects.filter(party=known, kind=ContactKind.PHONE)
    assert sorted(c.phone for c in phones) == ["13800138000", "13900001111"]
    lead = job.leads.get()
    newest = phones.get(phone_index=known.phone_index)
    assert (newest.source, newest.source_id, newest.recorded_by) == (
        "lead",
        lead.pk,
        users["civil1"],
    )
    assert LeadParty.objects.get(party=known).amount_claimed == Decimal("1001.00")


def test_rows_known_counts_workers_already_on_another_lead_of_the_receiver(users, run):
    payload = lead_payload(
        claimants=[{"name": "工人1", "id_number": corpus.worker_id(1), "amount_claimed": "500.00"}]
    )
    by_hand = intake_services.create_lead(actor=users["civil1"], data=validate_lead(payload))
    rows = [corpus.worker(1), corpus.worker(2), corpus.worker(3)]

    job = run(users["civil1"], corpus.xlsx(rows))

    assert counts(job) == (3, 3, 0)
    assert (job.rows_known, job.rows_already, job.leads_created) == (1, 0, 1)
    person = party_services.find_person(id_number=corpus.worker_id(1))
    leads = LeadParty.objects.filter(party=person, role=PartyRole.CLAIMANT).values_list(
        "lead", flat=True
    )
    assert sorted(leads) == sorted([by_hand.pk, job.leads.get().pk])


def test_a_worker_on_a_lead_of_another_procuratorate_is_not_known_here(users, run):
    run(users["outsider"], corpus.xlsx(corpus.clean_rows(2)))

    job = run(users["civil1"], corpus.xlsx(corpus.clean_rows(2)))

    assert (job.rows_known, job.rows_already, job.leads_created) == (0, 0, 1)


@pytest.mark.parametrize("batch_rows", [1, 2000], ids=["batch-of-one", "one-batch"])
def test_rows_known_does_not_depend_on_how_the_import_is_cut_into_batches(
    users, run, settings, batch_rows
):
    """A worker owed by two employers of the same list is known to no lead before the import:
    rows_known counts workers on the receiver's earlier leads, whatever IMPORT_BATCH_ROWS is (a
    resumed import may be cut otherwise, rule R9)."""
    settings.ZHICHI = {**settings.ZHICHI, "IMPORT_BATCH_ROWS": batch_rows}
    rows = [
        corpus.worker(1),
        corpus.worker(1, employer="昆明物业服务有限公司", credit_code=corpus.CODE_B),
    ]

    job = run(users["civil1"], corpus.xlsx(rows))

    assert counts(job) == (2, 2, 0)
    assert (job.leads_created, job.rows_known) == (2, 0)
