"""Filing many leads at once: the collective leads of an imported wage-arrears list (C14), one
per employer with all its workers. The same facts as a lead filed by hand (``services.
create_lead``) — the receiver, the referrer, the parties found by their identifiers' blind
indexes, an audit row per lead — written with one insert per table and batch, so that a list of
100,000 workers imports in seconds. The caller (``zhichi.imports``) holds the transaction."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone

from zhichi.accounts.models import Department, Organisation, User
from zhichi.audit.services import append, entry_for
from zhichi.cases.models import Category, LabourRelationship, PartyRole, Source
from zhichi.common import bulk
from zhichi.intake.models import Lead, LeadParty, new_receipt_code
from zhichi.parties import services as party_services
from zhichi.parties.models import ContactSource, Group, Party


@dataclass(slots=True)
class ImportedClaimant:
    """A worker as an imported list gives them (``imports.rows.ClaimRow`` is one)."""

    row: int  # where the list gives them (the caller's reference)
    name: str
    id_number: str
    amount: Decimal
    months: int | None = None
    phone: str = ""
    address: str = ""
    migrant: bool = False


@dataclass(frozen=True)
class ImportedLead:
    employer: str
    credit_code: str
    claimants: list[ImportedClaimant]
    # the lead's summary, from the claimants it is filed with
    summary: Callable[[list[ImportedClaimant]], str]
    employer_address: str = ""


@dataclass(frozen=True)
class Claim:
    """A claimant as filed, or as found already filed: who, against whom."""

    claimant: ImportedClaimant
    party_id: int
    employer_id: int
    lead_id: int | None = None


@dataclass
class Filed:
    leads: list[int] = field(default_factory=list)  # the new leads' ids
    # rows refused: a worker whose ID number is on record under another name (never renamed
    # silently, issue 13 item 2)
    name_conflicts: list[int] = field(default_factory=list)
    # rows whose worker is already a claimant on another lead of the receiver (shown on the lead
    # as a duplicate, C1)
    known: list[int] = field(default_factory=list)
    already: list[int] = field(default_factory=list)  # rows filed before: nothing new
    claims: list[Claim] = field(default_factory=list)  # the claimants filed now


def file_imported_leads(
    *,
    actor: User,
    organisation: Organisation,
    department: Department | None,
    referring_org: Organisation | None,
    received_on: date,
    items: list[ImportedLead],
    origin: dict,
    filed_before: Callable[[list[Claim]], set[int]] = lambda claims: set(),
    same_filing: QuerySet | None = None,
) -> Filed:
    """File one lead per item (call inside a transaction). ``origin`` goes into each lead's
    audit row (the import and its file). ``filed_before(claims)`` answers the rows, among the
    claims of people on record, that were filed before (the caller's ledger): they are left
    out; a person new to the record cannot have been. ``same_filing``: the ids of the leads
    filed before by the same import (a worker on one of them is not "already on another lead":
    the count must not depend on how the import was cut into batches)."""
    filed = Filed()
    people = party_services.people_by_id([c.id_number for item in items for c in item.claimants])
    employers = party_services.organisations_for(
        [(item.employer, item.credit_code, item.employer_address) for item in items]
    )
    on_record = []
    for item in items:
        employer_id = employers[(item.employer, item.credit_code)]
        for c in item.claimants:
            known = people.get(c.id_number)
            if known is None:
                continue
            if party_services.same_name(known.name, c.name):
                on_record.append(Claim(c, known.pk, employer_id))
            else:
                filed.name_conflicts.append(c.row)
    left_out = set(filed.name_conflicts)
    if on_record:
        filed.already = sorted(filed_before(on_record))
        left_out.update(filed.already)
    kept = [
        (item, claimants)
        for item in items
        if (claimants := [c for c in item.claimants if c.row not in left_out])
    ]
    if not kept:
        return filed

    first_seen: dict[str, ImportedClaimant] = {}
    for _item, claimants in kept:
        for c in claimants:
            if c.id_number not in people:
                first_seen.setdefault(c.id_number, c)
    created = dict(
        zip(
            first_seen,
            party_services.create_people(
                [
                    party_services.NewPerson(c.name, c.id_number, c.phone, c.address)
                    for c in first_seen.values()
                ]
            ),
            strict=True,
        )
    )
    filed.known = _known_rows(organisation, people, kept, same_filing)
    now = timezone.now()
    leads = [
        {
            "organisation_id": organisation.pk,
            "department_id": department.pk if department else None,
            "referring_org_id": referring_org.pk if referring_org else None,
            "source": Source.IMPORT,
            "received_on": received_on,
            "category": Category.WAGES,
            "summary": item.summary(claimants),
            # rule SP-6: a list says nothing of the labour relationship (unknown): the lead is
            # not routed to arbitration until an officer records it
            "labour_relationship": LabourRelationship.UNKNOWN,
            "created_by_id": actor.pk,
            "created_at": now,
            "receipt_code": new_receipt_code(),
        }
        for item, claimants in kept
    ]
    for lead, pk in zip(leads, bulk.insert(Lead, leads, returning=True), strict=True):
        lead["id"] = pk
    roles, contacts, entries = [], [], []
    contacted: set[str] = set()
    for lead, (item, claimants) in zip(leads, kept, strict=True):
        recording = party_services.Recording(
            by=actor, source=ContactSource.LEAD, source_id=lead["id"], ref=lead["receipt_code"]
        )
        for position, c in enumerate(claimants):
            if c.id_number in created:
                party_id = created[c.id_number]["id"]
                if c.id_number not in contacted:  # first recorded with this lead
                    contacts.append((created[c.id_number], recording))
                    contacted.add(c.id_number)
            else:
                # a person on record: a new phone or address joins their contacts (the row is
                # locked only then)
                known = people[c.id_number]
                party_id = known.pk
                if party_services.new_contacts(known, phone=c.phone, address=c.address):
                    party_services.record_contacts(
                        Party.objects.select_for_update().get(pk=party_id),
                        phone=c.phone,
                        address=c.address,
                        recording=recording,
                    )
            roles.append(
                {
                    "lead_id": lead["id"],
                    "party_id": party_id,
                    "role": PartyRole.CLAIMANT,
                    "position": position,
                    "groups": [Group.MIGRANT_WORKER] if c.migrant else [],
                    "amount_claimed": c.amount,
                    "months_unpaid": c.months,
                }
            )
            filed.claims.append(
                Claim(c, party_id, employers[(item.employer, item.credit_code)], lead["id"])
            )
        roles.append(
            {
                "lead_id": lead["id"],
                "party_id": employers[(item.employer, item.credit_code)],
                "role": PartyRole.RESPONDENT,
                "position": 0,
            }
        )
        entries.append(
            entry_for(
                action="lead.create",
                actor=actor,
                object_type=Lead._meta.label_lower,
                object_id=lead["id"],
                detail={
                    "claimants": len(claimants),
                    "respondents": 1,
                    "referring_org": referring_org.code if referring_org else None,
                    "source": Source.IMPORT,
                    **origin,
                },
            )
        )
    party_services.record_first_contacts(contacts)
    bulk.insert(LeadParty, roles)
    append(entries)
    filed.leads = [lead["id"] for lead in leads]
    return filed


def _known_rows(organisation, people, kept, same_filing) -> list[int]:
    """Rows whose worker (on record before) is already a claimant on a lead of the receiving
    procuratorate (asked before this batch's leads exist)."""
    ids = [p.pk for p in people.values()]
    on_leads: set[int] = set()
    for chunk in party_services.chunks(ids):
        others = LeadParty.objects.filter(
            role=PartyRole.CLAIMANT, party_id__in=chunk, lead__organisation=organisation
        )
        if same_filing is not None:
            others = others.exclude(lead_id__in=same_filing)
        on_leads.update(others.values_list("party_id", flat=True))
    return [
        c.row
        for _item, claimants in kept
        for c in claimants
        if c.id_number in people and people[c.id_number].pk in on_leads
    ]
