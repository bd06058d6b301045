"""Query counts of the case pages built from selectors and presenters (issue 14, item 4): the
case page, the case list and the approvals inbox read a fixed number of queries however many
rows they show, within a budget that must not grow.

Each test reads the page once with one row of each kind, adds more rows of every kind, and reads
it again: the count must not change. The budgets are the counts measured when the pages moved to
rows (a page that reads more than before fails here first).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.conftest import lead_payload, make_id
from zhichi.cases.models import Approval, Case
from zhichi.cases.services import disposal, payments
from zhichi.cases.services.approvals import decide_approval
from zhichi.cases.services.parties import correct_party

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

# measured when the pages moved to rows; a page may read fewer, never more
CASE_PAGE_BUDGET = {"civil1": 42, "civilhead": 44}  # the head's page offers more steps
CASE_LIST_BUDGET = 11
INBOX_BUDGET = 10


def day(offset: int) -> str:
    return (timezone.localdate() + timedelta(days=offset)).isoformat()


def open_case(api, seq: str = "111") -> Case:
    client = api("civil1")
    body = lead_payload()
    body["claimants"][0]["id_number"] = make_id(seq=seq)
    body["claimants"][1]["id_number"] = make_id(birth="19900101", seq=seq)
    r = client.post("/api/v1/leads", body)
    assert r.status_code == 201, r.content
    r = client.post(f"/api/v1/leads/{r.json()['id']}/accept")
    assert r.status_code == 200, r.content
    return Case.objects.get(pk=r.json()["case_id"])


def claimants(case: Case) -> list[int]:
    return list(
        case.parties.filter(role="claimant").order_by("position").values_list("party_id", flat=True)
    )


def add_records(case: Case, users, n: int) -> None:
    """``n`` more of every kind of row the case page lists."""
    officer, head = users["civil1"], users["civilhead"]
    first, second = claimants(case)
    start = case.approvals.count()  # how many rounds were added before: a fresh phone each
    for i in range(n):
        disposal.record_mediation(
            case_id=case.pk,
            actor=officer,
            data={
                "held_on": day(-5),
                "mediator_org": "五华区人民调解委员会",
                "outcome": "agreement",
                "agreed_amount": "2000.00",
                "instalments": [
                    {"due": day(10 + i), "amount": "1000.00"},
                    {"due": day(40 + i), "amount": "1000.00"},
                ],
            },
        )
        pending = case.approvals.filter(status="pending").first()
        if pending is not None:  # one proposal at a time: the earlier one is decided first
            decide_approval(approval_id=pending.pk, actor=head, approve=False, reason="再核实")
        disposal.propose_support_decision(
            case_id=case.pk, actor=officer, data={"decision": "support", "reasons": "符合"}
        )
        disposal.record_court_event(
            case_id=case.pk,
            actor=officer,
            data={"kind": "hearing", "on": day(-3), "court": "五华区人民法院"},
        )
        paid = disposal_payment(case, officer, first, "100.00")
        payments.reverse_payment(payment_id=paid.pk, actor=officer, data={"reason": "错"})
        disposal_payment(case, officer, second, "50.00")
        disposal.plan_visit(
            case_id=case.pk,
            actor=officer,
            data={"planned_on": day(i - 2), "target": "claimant", "method": "phone"},
        )
        correct_party(
            case_id=case.pk,
            party_id=second,
            actor=officer,
            data={"reason": "核对", "phone": f"1860000{start + i:04d}"},
        )


def disposal_payment(case: Case, officer, party_id: int, amount: str):
    return payments.record_payment(
        case_id=case.pk,
        actor=officer,
        data={
            "claimant_party_id": party_id,
            "paid_on": day(-1),
            "amount": amount,
            "payer": "昆明某劳务分包队",
            "method": "银行转账",
        },
    )


def queries(client, path: str) -> int:
    client.get(path)  # warm up what is read once per process (the law library, the calendar)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx)


@pytest.mark.parametrize("user", ["civil1", "civilhead"])
def test_the_case_page_reads_the_same_queries_for_one_and_three_of_every_row(web, api, users, user):
    case = open_case(api)
    add_records(case, users, 1)
    client = web(user)
    path = f"/cases/{case.pk}/"
    one = queries(client, path)

    add_records(case, users, 2)
    three = queries(client, path)

    page = client.get(path)
    assert len(page.context["mediations"]) == 3
    assert [len(m.instalment_rows) for m in page.context["mediations"]] == [2, 2, 2]
    assert len(page.context["approvals"]) == 3
    assert [a.may_decide for a in page.context["approvals"]].count(True) == (
        1 if user == "civilhead" else 0
    )
    assert len(page.context["payment_rows"]) == 6
    assert len(page.context["visit_rows"]) == 4  # the one a mediation plans, and three
    assert len(page.context["claimants"][1].contact_rows) >= 3
    assert three == one
    assert one <= CASE_PAGE_BUDGET[user]


def test_the_case_page_with_its_forms_open_reads_no_more(web, api, users):
    case = open_case(api)
    add_records(case, users, 2)
    client = web("civil1")
    path = f"/cases/{case.pk}/"
    plain = queries(client, path)

    assert queries(client, f"{path}?act=record_visit") == plain
    party = claimants(case)[1]
    assert queries(client, f"{path}?correct={party}") == plain


def test_the_case_list_reads_the_same_queries_for_one_and_three_flagged_cases(web, api):
    open_case(api, "201")
    client = web("civilhead")
    one = queries(client, "/cases/")

    open_case(api, "202")
    open_case(api, "203")
    three = queries(client, "/cases/")

    rows = client.get("/cases/").context["rows"]
    assert len(rows) == 3
    assert all(row.flag_badges for row in rows)  # no IOU, an employee: arbitration first
    assert three == one <= CASE_LIST_BUDGET


def test_the_inbox_reads_the_same_queries_for_one_and_three_approvals(web, api, users):
    case = open_case(api, "301")
    disposal.propose_support_decision(
        case_id=case.pk, actor=users["civil1"], data={"decision": "support", "reasons": "符合"}
    )
    client = web("civilhead")
    one = queries(client, "/cases/approvals/")

    for seq in ("302", "303"):
        disposal.propose_support_decision(
            case_id=open_case(api, seq).pk,
            actor=users["civil1"],
            data={"decision": "not_support", "reasons": "不符合"},
        )
    three = queries(client, "/cases/approvals/")

    rows = client.get("/cases/approvals/").context["rows"]
    assert [row["shown"].may_decide for row in rows] == [True, True, True]
    assert all(row["shown"].decision_label for row in rows)  # the proposal, in words
    assert Approval.objects.filter(status="pending").count() == 3
    assert three == one <= INBOX_BUDGET
