"""Query counts of the assistance pages built from selectors and presenters (issue 14, item 4):
an application's page reads a fixed number of queries however many approval rounds and history
events it shows, and the register however many applications, within budgets that must not grow
(the counts measured when the pages moved to rows)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.assistance.conftest import opinion_data, record
from tests.transfers.conftest import wage_case
from zhichi.assistance import services
from zhichi.assistance.models import AssistanceStatus
from zhichi.cases.services.approvals import decide_approval

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

APPLICATION_PAGE_BUDGET = {"civil1": 10, "civilhead": 12}
REGISTER_BUDGET = 10


def queries(client, path: str) -> int:
    client.get(path)  # warm up what is read once per process (the law library, the calendar)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx)


@pytest.mark.parametrize("user", ["civil1", "civilhead"])
def test_the_application_page_reads_the_same_queries_for_one_and_three_approvals(
    users, web, acase, user
):
    a = record(users, acase)
    services.submit_opinion(application_id=a.pk, actor=users["civil1"], data=opinion_data())
    client = web(user)
    path = f"/assistance/{a.pk}/"
    one = queries(client, path)

    # returned once, sent again and approved by the head: three approvals, a longer history
    a.refresh_from_db()
    decide_approval(
        approval_id=a.approval_id, actor=users["civilhead"], approve=False, reason="补充材料"
    )
    a.refresh_from_db()
    assert a.status == AssistanceStatus.RECEIVED
    services.submit_opinion(application_id=a.pk, actor=users["civil1"], data=opinion_data())
    a.refresh_from_db()
    decide_approval(approval_id=a.approval_id, actor=users["civilhead"], approve=True)
    three = queries(client, path)

    page = client.get(path)
    assert len(page.context["approvals"]) == 3
    assert len(page.context["timeline"]) >= 5
    assert three == one <= APPLICATION_PAGE_BUDGET[user]


def test_the_register_reads_the_same_queries_for_one_and_three_applications(users, web):
    client = web("civil1")
    record(users, wage_case(users, consent=False, seq="71"))
    one = queries(client, "/assistance/")

    for seq in ("72", "73"):
        record(users, wage_case(users, consent=False, seq=seq))
    three = queries(client, "/assistance/")

    rows = client.get("/assistance/").context["rows"]
    assert len(rows) == 3 and all(row.next_due is not None for row in rows)
    assert three == one <= REGISTER_BUDGET
