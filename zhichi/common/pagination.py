"""The one paginator of the pages (issue 19): page numbers over the first ``CAP`` rows at most.

A page never counts every row of a large table (``COUNT(*)`` over a province's cases reads them
all): it counts up to ``CAP`` + 1 rows (``SELECT COUNT(*) FROM (… LIMIT CAP + 1)``) and shows a
list longer than that as "more than 1,000", with the pages of its first ``CAP`` rows. So the
deepest page reads at most ``CAP`` rows too; the filters narrow a longer list. The API pages by
key instead (``common.api.KeysetPagination``).
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.utils.functional import cached_property

CAP = 1000


def count_upto(rows, cap: int | None = None) -> int:
    """The rows of a queryset or list, counted up to ``cap`` + 1 (more than ``cap`` means "more
    than ``cap``"), in one bounded query."""
    bounded = rows[: (CAP if cap is None else cap) + 1]
    if isinstance(bounded, list | tuple):
        return len(bounded)
    return bounded.count()


def shown_count(n: int, cap: int | None = None) -> str:
    """A count from ``count_upto`` as a page shows it: "1,000+" past the cap."""
    cap = CAP if cap is None else cap
    return f"{cap:,}+" if n > cap else f"{n:,}"


class CappedPaginator(Paginator):
    """Django's paginator over at most the first ``cap`` rows; ``capped`` says whether there
    are more."""

    def __init__(self, object_list, per_page, *, cap: int | None = None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.cap = CAP if cap is None else cap

    @cached_property
    def _seen(self) -> int:
        return count_upto(self.object_list, self.cap)

    @cached_property
    def count(self) -> int:
        return min(self._seen, self.cap)

    @cached_property
    def capped(self) -> bool:
        return self._seen > self.cap
