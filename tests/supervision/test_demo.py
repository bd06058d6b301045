"""The demo suggestions: one in each stage, made through the services with seed_demo's clock."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.supervision.conftest import open_case
from zhichi.cases.models import CaseDeadline
from zhichi.common.clock import SimulatedClock
from zhichi.demo.supervision import seed_suggestions
from zhichi.supervision.models import Suggestion

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


def test_seed_suggestions_makes_one_in_each_stage_and_runs_once(users):
    now = timezone.now()
    clock = SimulatedClock()
    with clock.installed():
        clock.set(now - timedelta(days=200))
        for seq in ("31", "32", "33", "34", "35"):
            open_case(users, seq=seq)

        made = seed_suggestions(users, clock, now)
        again = seed_suggestions(users, clock, now)

    assert (made, again) == (5, 0)
    assert Counter(Suggestion.objects.values_list("status", flat=True)) == {
        "escalated": 1,
        "replied": 1,
        "served": 1,
        "approved": 1,
        "pending": 1,
    }
    escalated = Suggestion.objects.get(status="escalated")
    assert escalated.is_overdue()
    assert escalated.escalations.get().to == "competent_authority"
    assert escalated.drafted_at < now - timedelta(days=120)
    numbers = list(Suggestion.objects.exclude(number="").values_list("number", flat=True))
    assert len(set(numbers)) == 4
    assert all(n.startswith("五华检民建〔") and n.endswith("号") for n in numbers)
    assert CaseDeadline.objects.filter(kind="suggestion_reply").count() == 3
    approved = Suggestion.objects.get(status="approved")
    assert approved.served_on is not None and approved.reply_due is None
