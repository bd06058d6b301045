"""What a reader asks the figures for: a period and, for the chief procurator and the registry,
one department (the same input for the dashboard, the API and the lists behind each figure)."""

from __future__ import annotations

from datetime import date

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Field
from pydantic import model_validator

from zhichi.common.schemas import OptionalDate, StrippedIn, choice, refusal
from zhichi.stats.period import KINDS, LONGEST_DAYS, Period


class StatsIn(StrippedIn):
    """``from`` / ``to`` (both included), or ``period`` (month, quarter, year) with ``on``: the
    calendar period holding that day; this year when neither is given."""

    date_from: OptionalDate = Field(
        None, alias="from", description="inclusive; default 1 January of `to`'s year"
    )
    date_to: OptionalDate = Field(None, alias="to", description="inclusive; default today")
    period: choice(KINDS, required=False) = Field(
        None, description="month | quarter | year: the calendar period holding `on` (or today)"
    )
    on: OptionalDate = Field(None, description="a day of the period to show (with `period`)")
    department: str | None = Field(
        None,
        max_length=32,
        description="a department code of your procuratorate (chief procurator and registry only)",
    )

    model_config = {"populate_by_name": True}

    @model_validator(mode="after")
    def _a_span(self):
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise refusal(StatsIn, "to", "before_start", _("The end comes before the start."))
        span = self.chosen_period(timezone.localdate())
        if span.days > LONGEST_DAYS:
            raise refusal(
                StatsIn, "from", "too_long", _("Ask for ten years at most; count year by year.")
            )
        return self

    def chosen_period(self, today: date) -> Period:
        """The calendar period asked for; else the span from ``from`` to ``to``; else this year."""
        if self.period and self.period != "custom":
            return Period.of(self.period, self.on or today)
        if not (self.date_from or self.date_to):
            return Period.of("year", self.on or today)
        start = self.date_from or date((self.date_to or today).year, 1, 1)
        end = self.date_to or max(today, start)
        return Period(start, end)


class BreakdownIn(StatsIn):
    by: choice(("stage", "category", "level", "source", "month")) = Field(
        ..., description="how the cases are grouped"
    )
