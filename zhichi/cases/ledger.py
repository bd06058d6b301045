"""The money ledger (C6): per claimant, claimed / agreed / awarded / recovered, from records only.

Recovered is only ever the sum of recorded payments. Agreed and awarded are the claimant's share of
the latest agreement and of the latest judgment or ruling with an amount.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Sum

from zhichi.cases.models import Case, CaseParty, LedgerEntry, LedgerEntryKind, PartyRole, Payment

ZERO = Decimal("0.00")
FEN = Decimal("0.01")


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


@dataclass(frozen=True)
class Ledger:
    rows: list[Row]

    def total(self, attr: str) -> Decimal:
        return sum((getattr(r, attr) or ZERO for r in self.rows), ZERO).quantize(FEN)

    @property
    def totals(self) -> dict[str, Decimal]:
        return {
            k: self.total(k)
            for k in ("claimed", "agreed", "awarded", "recovered", "due", "outstanding")
        }

    @property
    def paid_in_full(self) -> bool:
        return bool(self.rows) and all(r.outstanding == ZERO for r in self.rows)


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


def _latest_shares(case: Case, kind: str) -> dict[int, Decimal]:
    return latest_shares(
        list(
            LedgerEntry.objects.filter(case=case, kind=kind)
            .order_by("recorded_at", "id")
            .values_list("claimant_id", "amount", "mediation_id", "court_event_id")
        )
    )


def ledger_for(case: Case) -> Ledger:
    claimants = list(case.parties.filter(role=PartyRole.CLAIMANT).select_related("party"))
    agreed = _latest_shares(case, LedgerEntryKind.AGREED)
    awarded = _latest_shares(case, LedgerEntryKind.AWARDED)
    paid = dict(
        Payment.objects.filter(case=case).values_list("claimant_id").annotate(t=Sum("amount"))
    )
    rows = [
        Row(
            claimant=c,
            claimed=c.amount_claimed or ZERO,
            agreed=agreed.get(c.pk) if agreed else None,
            awarded=awarded.get(c.pk) if awarded else None,
            recovered=(paid.get(c.pk) or ZERO).quantize(FEN),
        )
        for c in claimants
    ]
    return Ledger(rows=rows)


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
