"""The centre's figures in the partner API (API.md § Statistics): the summary and the breakdown
the dashboard's charts draw, each scoped to what the caller may see (administrators: 403)."""

from __future__ import annotations

from django.utils import timezone
from ninja import Field, Query, Router, Schema

from zhichi.common.api import ErrorOut, ValidationErrorOut, checks_first
from zhichi.common.schemas import AmountText
from zhichi.stats import rules, selectors
from zhichi.stats.schemas import BreakdownIn, StatsIn

router = Router()

ERRORS = {401: ErrorOut, 403: ErrorOut, 422: ValidationErrorOut}


class SummaryOut(Schema):
    """The period's figures; how each is counted: docs/stats.md."""

    leads_received: int
    cases_accepted: int
    cases_supported: int = Field(..., description="support decisions approved in the period")
    claimants: int = Field(..., description="the claimants of the cases accepted in the period")
    migrant_workers: int
    by_stage: dict[str, int] = Field(..., description="cases accepted, by their stage now")
    by_category: dict[str, int]
    by_level: dict[str, int] = Field(..., description='"1", "2", "3", and "none" (not graded)')
    amount_claimed: AmountText
    amount_recovered: AmountText = Field(
        ..., description="payments made in the period, net of reversals"
    )
    mediation_agreements: int
    transfers_sent: int
    transfers_received: int
    assistance_paid: int = Field(..., description="judicial assistance applications paid")
    visits_done: int
    cases_closed: int


class BreakdownRowOut(Schema):
    key: str
    label: str
    cases: int
    amount_claimed: AmountText
    amount_recovered: AmountText


def _reads(request):
    rules.ensure_may_see_stats(request.auth)


@router.get("/summary", response={200: SummaryOut, **ERRORS}, summary="The period's figures")
@checks_first(_reads)
def stats_summary(request, query: Query[StatsIn]):
    """From `from` to `to` (both included; the year so far unless given)."""
    scope, query = rules.read_query(request.auth, query)
    found = selectors.summary(scope, query.chosen_period(timezone.localdate()))
    return {
        **found.values,
        "by_stage": found.by_stage,
        "by_category": found.by_category,
        "by_level": found.by_level,
    }


@router.get(
    "/breakdown",
    response={200: list[BreakdownRowOut], **ERRORS},
    summary="Cases, money claimed and recovered by stage, category, level, source or month",
)
@checks_first(_reads)
def stats_breakdown(request, query: Query[BreakdownIn]):
    """Every group is listed (zero included); the rows add up to the summary's
    `cases_accepted`, `amount_claimed` and `amount_recovered`."""
    scope, _query = rules.read_query(request.auth, query)
    return selectors.breakdown(scope, query.chosen_period(timezone.localdate()), query.by)
