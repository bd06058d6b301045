"""The approvals inbox: one read for the page and the API (architecture review 2026-12, "Smaller
defects found"): who may decide is filtered in the query, before any limit; one order; a
validated ``status``."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.transfers.conftest import wage_case
from zhichi.accounts.models import Role
from zhichi.cases.models import Approval, ApprovalKind, ApprovalStatus, Case

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


@pytest.fixture
def case(users) -> Case:
    return wage_case(users, consent=False, seq="42")


def pending(case: Case, *, role: str, by, count: int, start) -> list[int]:
    """``count`` pending approvals of ``case`` waiting for ``role``, proposed by ``by``, one a
    minute from ``start``."""
    made = Approval.objects.bulk_create(
        Approval(
            case=case,
            kind=ApprovalKind.SUPPORT_DECISION,
            payload={"decision": "support", "reasons": "事实清楚"},
            required_role=role,
            requested_by=by,
            requested_at=start + timedelta(minutes=i),
        )
        for i in range(count)
    )
    return [a.pk for a in made]


def api_ids(api, username: str, **params) -> list[int]:
    r = api(username).get("/api/v1/approvals", params)
    assert r.status_code == 200, r.content
    return [a["id"] for a in r.json()]


def test_a_chiefs_approvals_after_more_than_200_for_others_are_all_listed(api, users, case):
    start = timezone.now() - timedelta(days=2)
    # 201 waiting for the department head, older and newer than the chief's own
    older = pending(case, role=Role.HEAD, by=users["civil1"], count=201, start=start)
    mine = pending(
        case, role=Role.CHIEF, by=users["civilhead"], count=3, start=start + timedelta(days=1)
    )
    newer = pending(
        case, role=Role.HEAD, by=users["civil1"], count=201, start=start + timedelta(days=1.5)
    )

    assert sorted(api_ids(api, "chief")) == sorted(mine)
    listed = api_ids(api, "civilhead")
    assert len(listed) == 200 and set(listed) <= set(older + newer)


def test_an_unknown_status_is_422_at_status(api, users, case):
    r = api("chief").get("/api/v1/approvals", {"status": "nonsense"})

    assert r.status_code == 422, r.content
    assert [e["field"] for e in r.json()["errors"]] == ["status"]


def test_a_known_status_other_than_pending_still_lists_what_the_user_sees(api, users, case):
    start = timezone.now() - timedelta(days=1)
    ids = pending(case, role=Role.HEAD, by=users["civil1"], count=2, start=start)
    Approval.objects.filter(pk=ids[0]).update(status=ApprovalStatus.APPROVED)

    assert api_ids(api, "chief", status="approved") == [ids[0]]
    assert api_ids(api, "civilhead", status="pending") == [ids[1]]


def test_the_page_and_the_api_list_the_same_approvals_in_the_same_order(api, web, users, case):
    start = timezone.now() - timedelta(days=1)
    ids = pending(case, role=Role.HEAD, by=users["civil1"], count=5, start=start)
    ids += pending(case, role=Role.HEAD, by=users["civil2"], count=5, start=start)  # ties
    pending(case, role=Role.HEAD, by=users["civilhead"], count=2, start=start)  # own: never
    pending(case, role=Role.CHIEF, by=users["civil1"], count=2, start=start)  # the chief's

    page = web("civilhead").get("/cases/approvals/")
    assert page.status_code == 200
    page_ids = [row["approval"].pk for row in page.context["rows"]]

    assert page_ids == api_ids(api, "civilhead")
    assert sorted(page_ids) == sorted(ids)
