"""Issue 19: a transfer box counts each status up to the pages' cap (common.pagination), never
every transfer a legal aid centre has received over the years."""

from __future__ import annotations

import pytest

from zhichi.common import pagination

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


def test_the_box_counts_each_status_up_to_the_cap(tworld, web, monkeypatch):
    """The labour bureau's inbox holds two transfers (tworld)."""
    monkeypatch.setattr(pagination, "CAP", 1)
    page = web("hrss1").get("/transfers/inbox/")
    assert page.status_code == 200
    assert page.context["total"] == pagination.Tally(1, more=True)  # "more than 1"
    assert ">1+</span>" in page.content.decode()


def test_the_box_counts_exactly_within_the_cap(tworld, web):
    page = web("hrss1").get("/transfers/inbox/")
    assert page.context["total"] == pagination.Tally(2)
    assert '<span class="badge bg-secondary tabular-nums">2</span>' in page.content.decode()
