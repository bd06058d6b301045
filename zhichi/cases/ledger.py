"""The money ledger (C6): per claimant, claimed / agreed / awarded / recovered / outstanding /
overpaid, from the recorded entries only. It is the one place these figures are worked out: the
case page, the API, the documents, the deadlines, the employer profile and the demo data read them
from here, so every figure can be recomputed from the entries.

Recovered is only ever the sum of recorded payments net of reversals: a reversed payment stays on
record, marked reversed, and leaves every total. Agreed and awarded are the claimant's share of the
latest agreement and of the latest judgment or ruling with an amount. What a claimant received
beyond what is due is overpaid: never a negative outstanding, and never set against what another
claimant is still owed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Sum

from zhichi.cases.models import (
    Case,
    CaseParty,
    LedgerEntry,
    LedgerEntryKind,
    Outcome,
    PartyRole,
    Payment,
)

ZERO = Decimal("0.00")
FEN = Decimal("0.01")
TOTALS = ("claimed", "agreed", "awarded", "recovered", "due", "outstanding", "overpaid")


@dataclass(frozen=True)
class Row:
    claimant: CaseParty
    claimed: Decimal
    agreed: Decimal | None
    awarded: Decimal | None
    recovered: Decimal

    @property
    def due(self) -> Decimal:
        """What the claimant should receive: the award, else the agreement, else the claim."""
        for value in (self.awarded, self.agreed, self.claimed):
            if value is not None:
                return value
        return ZERO

    @property
    def outstanding(self) -> Decimal:
        return max(self.due - self.recovered, ZERO)

    @property
    def overpaid(self) -> Decimal:
        """Paid beyond what is due (recorded with a reason); outstanding is then zero."""
        return max(self.recovered - self.due, ZERO)


@dataclass(frozen=True)
class Ledger:
    rows: list[Row]

    def total(self, attr: str) -> Decimal:
        return sum((getattr(r, attr) or ZERO for r in self.rows), ZERO).quantize(FEN)

    @property
    def totals(self) -> dict[str, Decimal]:
        return {k: self.total(k) for k in TOTALS}

    @property
    def paid_in_full(self) -> bool:
        return bool(self.rows) and all(r.outstanding == ZERO for r in self.rows)

    def row_for(self, party_id) -> Row | None:
        """The row of the claimant who is party ``party_id``, or None."""
        return next((r for r in self.rows if r.claimant.party_id == party_id), None)


def closing_conflict(outcome: str, totals: dict[str, Decimal]) -> str | None:
    """How a closing outcome contradicts the ledger's totals, or None when it agrees (C6; API.md
    close): recovered in full ⇔ nothing outstanding; partly recovered ⇔ something recovered and
    something outstanding; not recovered ⇔ nothing recovered. Withdrawn and transferred say
    nothing about money."""
    outstanding, recovered = totals["outstanding"], totals["recovered"]
    if outcome == Outcome.RECOVERED_IN_FULL and outstanding > 0:
        return "outstanding"
    if outcome == Outcome.PARTLY_RECOVERED and recovered <= 0:
        return "nothing_recovered"
    if outcome == Outcome.PARTLY_RECOVERED and outstanding <= 0:
        return "nothing_outstanding"
    if outcome == Outcome.NOT_RECOVERED and recovered > 0:
        return "recovered"
    return None


def latest_shares(entries: list[tuple]) -> dict[int, Decimal]:
    """The claimants' shares of the newest agreement (or award): the newest replaces earlier
    ones as a whole. ``entries`` are (claimant_id, amount, mediation_id, court_event_id) in
    recorded order; the employer profile passes many cases' rows through the same rule."""
    if not entries:
        return {}

    def source(e):
        return ("mediation", e[2]) if e[2] else ("court", e[3])

    last = source(entries[-1])
    shares: dict[int, Decimal] = {}
    for e in entries:
        if source(e) == last:
            shares[e[0]] = shares.get(e[0], ZERO) + e[1]
    return shares


def ledgers_for(cases, *, names: bool = False) -> dict[int, Ledger]:
    """The ledgers of ``cases`` (a queryset of cases, or their ids) by case id, in three queries
    however many cases and entries there are. ``names`` loads each claimant's party (the name)."""
    claimants = CaseParty.objects.filter(case__in=cases, role=PartyRole.CLAIMANT).order_by(
        "case_id", "position", "id"
    )
    if names:
        claimants = claimants.select_related("party")
    paid = dict(
        Payment.objects.standing()
        .filter(case__in=cases)
        .values_list("claimant_id")
        .annotate(t=Sum("amount"))
        .order_by()
    )
    entries: dict[tuple[int, str], list[tuple]] = defaultdict(list)
    for case_id, claimant_id, kind, amount, mediation_id, court_event_id in (
        LedgerEntry.objects.filter(case__in=cases)
        .order_by("recorded_at", "id")
        .values_list("case_id", "claimant_id", "kind", "amount", "mediation_id", "court_event_id")
    ):
        entries[(case_id, kind)].append((claimant_id, amount, mediation_id, court_event_id))
    latest = {key: latest_shares(rows) for key, rows in entries.items()}
    rows: dict[int, list[Row]] = defaultdict(list)
    for c in claimants:
        agreed = latest.get((c.case_id, LedgerEntryKind.AGREED))
        awarded = latest.get((c.case_id, LedgerEntryKind.AWARDED))
        rows[c.case_id].append(
            Row(
                claimant=c,
                claimed=c.amount_claimed or ZERO,
                agreed=agreed.get(c.pk) if agreed else None,
                awarded=awarded.get(c.pk) if awarded else None,
                recovered=(paid.get(c.pk) or ZERO).quantize(FEN),
            )
        )
    return {case_id: Ledger(rows=case_rows) for case_id, case_rows in rows.items()}


def ledger_for(case: Case) -> Ledger:
    """One case's ledger, with the claimants' names."""
    return ledgers_for([case.pk], names=True).get(case.pk, Ledger(rows=[]))


# the case's columns that keep the ledger's totals (its roll-up), and the total each keeps
KEPT = {"claimed_total": "claimed", "recovered_total": "recovered", "owed_total": "outstanding"}


def kept_totals(book: Ledger) -> dict[str, Decimal]:
    return {column: book.total(total) for column, total in KEPT.items()}


def _set_totals(case: Case, book: Ledger) -> dict[str, Decimal]:
    """Set ``book``'s totals on ``case`` (not saved); the columns that changed, with their
    values."""
    changed = {k: v for k, v in kept_totals(book).items() if getattr(case, k) != v}
    for column, value in changed.items():
        setattr(case, column, value)
    return changed


def keep_totals(case: Case) -> None:
    """Store the case's ledger totals on the case (``KEPT``), and on ``case`` itself. Called
    inside the transaction of every change to a case (``derived.refresh``), so the columns always
    say what the entries say; many cases' money is then one aggregate (the employer profile)."""
    changed = _set_totals(case, ledgers_for([case.pk]).get(case.pk, Ledger(rows=[])))
    if changed:
        Case.objects.filter(pk=case.pk).update(**changed)


def recount_totals(cases, batch: int = 2000) -> int:
    """Store the ledger totals of every case of ``cases`` (a queryset) afresh, ``batch`` cases
    at a time (a migration's fill, ``manage.py recount_money``). Returns how many changed."""
    changed = 0
    ids = list(cases.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), batch):
        chunk = ids[start : start + batch]
        with transaction.atomic():
            # the cases locked first (as every change to a case locks it), so that no payment
            # lands between reading a ledger and storing its totals
            locked = list(
                Case.objects.select_for_update().filter(pk__in=chunk).order_by("pk").only(*KEPT)
            )
            books = ledgers_for(chunk)
            stale = [c for c in locked if _set_totals(c, books.get(c.pk, Ledger(rows=[])))]
            Case.objects.bulk_update(stale, list(KEPT))
        changed += len(stale)
    return changed


def recovered(payments) -> Decimal:
    """What a queryset of payments adds up to net of reversals (totals over many cases)."""
    total = payments.standing().aggregate(t=Sum("amount"))["t"]
    return (total or ZERO).quantize(FEN)


def allocate(total: Decimal, claimants: list[CaseParty]) -> dict[int, Decimal]:
    """Split a lump sum over claimants in proportion to their claims (equally without claims).

    Shares are rounded to the fen; the rounding difference goes to the largest share, so the
    shares always add up to the total exactly.
    """
    if not claimants:
        return {}
    weights = [c.amount_claimed or ZERO for c in claimants]
    if sum(weights) <= 0:
        weights = [Decimal(1)] * len(claimants)
    whole = sum(weights)
    shares = {
        c.pk: (total * w / whole).quantize(FEN, rounding=ROUND_HALF_UP)
        for c, w in zip(claimants, weights, strict=True)
    }
    diff = total - sum(shares.values())
    if diff:
        biggest = max(shares, key=lambda k: shares[k])
        shares[biggest] += diff
    return shares
