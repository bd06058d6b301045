"""The bench data generator (bench.generate, QUALITY.md P7): the rows it writes straight to the
tables are rows the app reads as its own, on the database the suite runs on (COPY on
PostgreSQL, executemany on SQLite), and the same seed gives the same data."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone

from bench import generate as gen
from zhichi.cases.ledger import KEPT, Ledger, kept_totals, ledgers_for
from zhichi.cases.models import Case, CaseParty, CaseShare, Payment, TimelineEvent
from zhichi.cases.services import refresh_search_text
from zhichi.core import identifiers
from zhichi.core.searchtext import search_grams
from zhichi.documents.models import IssuedDocument
from zhichi.documents.services import DEFAULT_PATTERNS
from zhichi.intake.models import Lead
from zhichi.parties import crypto
from zhichi.parties.models import Party
from zhichi.transfers.models import Transfer, TransferEvent

pytestmark = pytest.mark.integration

CASES = 300
SEED = 4242


def run(cases: int = CASES, seed: int = SEED, **kwargs) -> dict:
    return gen.generate(cases=cases, seed=seed, batch=100, verify=10, out=lambda *a, **k: None,
                        **{"workers": 0, **kwargs})  # fmt: skip


@pytest.fixture
def generated(users):
    """CASES cases made in this process, on the test's connection."""
    return run()


def test_generates_the_cases_and_their_rows(generated, orgs):
    new = Case.objects.filter(pk__gte=generated["first_case_id"])
    assert new.count() == CASES == generated["cases"]
    assert generated["verified"] >= 1  # verify_sample passed on the app's own code
    assert generated["method"] == ("COPY" if connection.vendor == "postgresql" else "executemany")
    assert generated["tables"]["case"] == CASES
    assert Lead.objects.filter(case__in=new).count() == CASES
    # every table the report counts holds what it says
    assert generated["tables"]["payment"] == Payment.objects.count() > 0
    assert generated["tables"]["document"] == IssuedDocument.objects.count() > 0
    assert generated["tables"]["event"] == TimelineEvent.objects.count()
    assert generated["analyze_seconds"] >= 0
    assert set(new.values_list("organisation_id", flat=True)) == {orgs["proc"].pk}


def test_every_timeline_event_is_of_a_kind_the_app_writes_and_describes(generated):
    from zhichi.cases.presenters import EVENT_LABELS

    kinds = set(TimelineEvent.objects.values_list("kind", flat=True).distinct())
    assert kinds
    assert kinds <= set(EVENT_LABELS), kinds - set(EVENT_LABELS)


def test_parties_decrypt_and_match_their_blind_indexes(generated):
    people = Party.objects.filter(kind="person").exclude(id_number_enc="")[:50]
    assert len(people) == 50
    for person in people:
        number = person.id_number  # decrypted with the app's key
        assert identifiers.validate_id_number(number, today=timezone.localdate()).valid
        assert person.id_number_index == crypto.blind_index("id", number)
        assert person.id_number_masked == identifiers.mask_id_number(number)
        assert number not in person.id_number_enc
        if person.phone_enc:
            assert identifiers.validate_phone(person.phone).valid
            assert person.phone_index == crypto.blind_index("phone", person.phone)
    employers = Party.objects.filter(kind="organisation").exclude(credit_code="")
    assert employers.count() >= 20
    for firm in employers[:20]:
        assert identifiers.validate_credit_code(firm.credit_code).valid


def test_search_text_and_grams_are_what_the_app_builds(generated):
    cases = list(Case.objects.filter(pk__gte=generated["first_case_id"]).order_by("pk")[:40])
    for case in cases:
        stored = case.search_text
        with transaction.atomic():
            refresh_search_text(case)
            transaction.set_rollback(True)
        assert case.search_text == stored
        assert case.search_grams == search_grams(stored) != ""


def test_the_kept_ledger_totals_are_what_the_ledger_says(generated):
    """Every generated case carries its ledger's totals as ``keep_totals`` would store them, and
    some of them have been paid, in part or in full."""
    cases = Case.objects.filter(pk__gte=generated["first_case_id"])
    books = ledgers_for(cases)
    assert books
    for case in cases:
        book = books.get(case.pk, Ledger(rows=[]))
        assert {c: getattr(case, c) for c in KEPT} == kept_totals(book), case.pk
    assert cases.filter(recovered_total__gt=0).exists()
    assert cases.filter(owed_total__gt=0).exists()


def test_the_gram_index_finds_the_generated_cases(generated):
    """The bulk load leaves the gram index whole: SQLite's FTS5 table (fed by the triggers on
    cases_case) passes its integrity check, and either index finds a case by its grams."""
    cases = list(Case.objects.filter(pk__gte=generated["first_case_id"]).order_by("pk")[:5])
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "INSERT INTO cases_case_grams(cases_case_grams, rank) VALUES ('integrity-check', 1)"
            )
        for case in cases:
            gram = case.search_grams.split()[-1]
            if connection.vendor == "sqlite":
                cursor.execute(
                    "SELECT rowid FROM cases_case_grams WHERE cases_case_grams MATCH %s",
                    [f'"{gram}"'],
                )
            else:
                cursor.execute(
                    "SELECT id FROM cases_case WHERE string_to_array(search_grams, ' ') @> %s",
                    [[gram]],
                )
            assert case.pk in {row[0] for row in cursor.fetchall()}


def test_payments_never_exceed_the_claim(generated):
    paid = (
        CaseParty.objects.filter(payments__isnull=False)
        .annotate(paid=Sum("payments__amount"))
        .values_list("amount_claimed", "paid", "role")
    )
    assert paid
    for claimed, total, role in paid:
        assert role == "claimant"
        assert claimed is not None and Decimal("0") < total <= claimed
    for payment in Payment.objects.select_related("case")[:100]:
        assert payment.case.stage in ("post_litigation", "closed")
        assert payment.claimant.case_id == payment.case_id
        assert payment.paid_on >= payment.case.opened_on
        # record_payment's timeline event
        assert payment.case.timeline.filter(kind="payment", data__payment=payment.pk).exists()


def test_transfers_go_to_existing_agencies_with_their_shares(users):
    result = run(cases=600)
    transfers = list(Transfer.objects.select_related("to_org", "from_org", "case"))
    assert result["transfers"] == len(transfers) > 0
    for t in transfers:
        assert t.from_org.code == "WHPROC"
        assert t.to_org.code in ("WHLAC", "WHHRSS")
        assert t.number.startswith(t.from_org.short_name + "移〔")
        share = CaseShare.objects.get(case=t.case, source=t.share_source)
        assert share.organisation_id == t.to_org_id
        # access ends when the transfer is rejected or closed (rule R3)
        assert (share.ended_at is not None) == (t.status in ("rejected", "closed"))
        history = list(TransferEvent.objects.filter(transfer=t).order_by("at", "id"))
        assert history[0].action == "send"
        assert t.version == len(history)
        assert t.case.timeline.filter(kind="transfer_send", data__transfer=t.pk).exists()
        assert t.receipt_due <= t.feedback_due


def test_documents_are_numbered_from_the_numbering_tables(generated, orgs):
    from zhichi.accounts.models import NumberSequence

    docs = IssuedDocument.objects.filter(case__isnull=False)
    acceptance = docs.filter(kind="acceptance_notice")
    assert acceptance.count() == CASES  # one per case, as it is opened
    numbers = list(docs.values_list("number", flat=True))
    assert len(numbers) == len(set(numbers))
    short = orgs["proc"].short_name
    assert all(n.startswith(short) for n in numbers)
    prefix = DEFAULT_PATTERNS["acceptance_notice"].split("〔")[0].format(short=short)
    assert all(n.startswith(prefix) for n in acceptance.values_list("number", flat=True))
    for year in {d.issued_at.year for d in acceptance}:
        sequence = NumberSequence.objects.get(
            organisation=orgs["proc"], kind="doc:acceptance_notice", year=year
        )
        assert sequence.last == acceptance.filter(number__contains=f"〔{year}〕").count()
    for doc in docs.filter(kind="support_opinion")[:20]:
        assert doc.case.timeline.filter(kind="stage_changed", data__to="litigation").exists()
        assert doc.case.timeline.filter(kind="document_issued", data__document=doc.pk).exists()


def snapshot(first_case: int) -> list[tuple]:
    """What a seed decides (everything but the keys and the ciphertexts' random IVs)."""
    rows = []
    for case in Case.objects.filter(pk__gte=first_case).order_by("pk").prefetch_related(
        "parties__party", "payments", "timeline"
    ):  # fmt: skip
        rows.append(
            (
                case.number,
                case.category,
                case.stage,
                case.summary,
                case.opened_on,
                case.search_text,
                [(p.party.name, p.party.id_number, p.amount_claimed) for p in case.parties.all()],
                [(p.amount, p.paid_on) for p in case.payments.all()],
                [(e.kind, e.summary) for e in case.timeline.all()],
            )
        )
    return rows


def test_the_same_seed_gives_the_same_data(users):
    first = []
    with transaction.atomic():
        result = run(cases=120)
        first = snapshot(result["first_case_id"])
        transaction.set_rollback(True)
    result = run(cases=120)
    assert snapshot(result["first_case_id"]) == first
    with transaction.atomic():
        other = run(cases=120, seed=SEED + 1)
        assert snapshot(other["first_case_id"])[0][3] != first[0][3]
        transaction.set_rollback(True)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL workers write themselves")
def test_worker_processes_make_the_same_blocks(users):
    """Blocks made in two processes (written by this one, as on SQLite) equal those made here."""
    with transaction.atomic():
        result = run(cases=250)
        here = snapshot(result["first_case_id"])
        transaction.set_rollback(True)
    result = run(cases=250, workers=2)
    assert result["workers"] == 2
    assert snapshot(result["first_case_id"]) == here
