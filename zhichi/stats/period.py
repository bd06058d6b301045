"""The period a figure counts over: a month, a quarter, a year or any span of days, both ends
included, and the period before it to compare with."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

MONTH, QUARTER, YEAR, CUSTOM = "month", "quarter", "year", "custom"
KINDS = (MONTH, QUARTER, YEAR, CUSTOM)
# the longest span one request may count over: ten years of days (a figure over all time is
# asked year by year)
LONGEST_DAYS = 3660


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _add_months(day: date, months: int) -> date:
    """The first of the month ``months`` after (or before) ``day``'s month."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # included
    kind: str = CUSTOM

    @classmethod
    def of(cls, kind: str, day: date) -> Period:
        """The month, quarter or year that holds ``day``."""
        if kind == MONTH:
            start = _month_start(day)
            return cls(start, _add_months(start, 1) - timedelta(days=1), MONTH)
        if kind == QUARTER:
            start = date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
            return cls(start, _add_months(start, 3) - timedelta(days=1), QUARTER)
        if kind == YEAR:
            return cls(date(day.year, 1, 1), date(day.year, 12, 31), YEAR)
        raise ValueError(f"not a calendar period: {kind}")

    @classmethod
    def year_to_date(cls, today: date | None = None) -> Period:
        today = today or timezone.localdate()
        return cls(date(today.year, 1, 1), today)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The period just before: the previous month, quarter or year, or as many days."""
        if self.kind in (MONTH, QUARTER, YEAR):
            return Period.of(self.kind, self.start - timedelta(days=1))
        return Period(self.start - timedelta(days=self.days), self.start - timedelta(days=1))

    def moments(self) -> tuple[datetime, datetime]:
        """The period as [from, until) in local time, for what is recorded as a moment."""
        zone = timezone.get_current_timezone()
        return (
            datetime.combine(self.start, time.min, tzinfo=zone),
            datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=zone),
        )

    def months(self) -> list[date]:
        """The first day of each month the period touches."""
        first, out = _month_start(self.start), []
        while first <= self.end:
            out.append(first)
            first = _add_months(first, 1)
        return out

    @property
    def label(self) -> str:
        if self.kind == YEAR:
            return _("%(year)s") % {"year": self.start.year}
        if self.kind == QUARTER:
            return _("Q%(quarter)s %(year)s") % {
                "quarter": (self.start.month - 1) // 3 + 1,
                "year": self.start.year,
            }
        if self.kind == MONTH:
            return month_label(self.start)
        return _("%(start)s to %(end)s") % {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
        }


def month_label(first: date) -> str:
    return _("%(month)s/%(year)s") % {"year": first.year, "month": first.month}
