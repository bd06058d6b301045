"""The employer profile (C2): scoped to the viewer, money as the ledger says, the EW-3 risk
explained by its reasons, and a fixed number of queries however many cases there are."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.employers.conftest import EMPLOYER, OTHER_EMPLOYER, file_lead, joint_action, open_case
from zhichi.cases.ledger import ledger_for
from zhichi.cases.services import disposal

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

D = Decimal
TODAY = timezone.localdate().isoformat()
PROFILE = f"/api/v1/employers/{EMPLOYER}"


def pay(users, case, amount: str, officer="civil1"):
    claimant = case.parties.filter(role="claimant").first().party_id
    disposal.record_payment(
        case_id=case.pk,
        actor=users[officer],
        data={"claimant_party_id": claimant, "paid_on": TODAY, "amount": amount, "payer": "公司"},
    )


def test_an_officer_sees_the_employers_cases_with_money_as_the_ledger_says(users, api):
    first = open_case(users, seq=100)
    second = open_case(users, seq=200)
    disposal.record_mediation(
        case_id=second.pk,
        actor=users["civil1"],
        data={
            "held_on": TODAY,
            "mediator_org": "调解委员会",
            "outcome": "agreement",
            "agreed_amount": "15000.00",
        },
    )
    pay(users, first, "3000.00")
    pay(users, second, "500.00")
    open_case(users, seq=300, code=OTHER_EMPLOYER, name="另一家公司")  # not this employer

    body = api("civil1").get(PROFILE).json()

    books = [ledger_for(c).totals for c in (first, second)]
    assert body["money"] == {
        "claimed": f"{sum(b['claimed'] for b in books):.2f}",
        "recovered": f"{sum(b['recovered'] for b in books):.2f}",
        "owed": f"{sum(b['outstanding'] for b in books):.2f}",
    }
    assert body["money"] == {"claimed": "40001.00", "recovered": "3500.00", "owed": "31500.50"}
    assert [c["id"] for c in body["cases"]["items"]] == [second.pk, first.pk]
    assert body["cases"]["items"][0]["money"] == {
        "claimed": "20000.50",
        "recovered": "500.00",
        "owed": "14500.00",
    }
    assert body["cases"]["count"] == 2
    assert body["leads"]["count"] == 2
    assert body["payments"]["count"] == 2
    assert body["visits"]["count"] == 1  # planned after the agreement
    assert body["name"] == "云南某建筑劳务有限公司"
    assert body["credit_code"] == EMPLOYER


def test_the_risk_score_is_the_sum_of_its_reasons(users, api):
    for seq in range(100, 990, 80):  # 12 cases, 24 people, four months unpaid each
        open_case(users, seq=seq)

    risk = api("civil1").get(PROFILE).json()["risk"]

    assert risk["score"] == sum(r["weight"] for r in risk["reasons"])
    codes = {r["code"] for r in risk["reasons"]}
    assert {"workers_many", "months_long"} <= codes
    assert risk["level"] == ("high" if risk["score"] >= 3 else "low")
    assert {r["rule"] for r in risk["reasons"]} <= {"EW-2", "EW-3"}


def test_no_open_case_means_nothing_to_score(users, api):
    case = open_case(users, seq=100)
    disposal.close_case(case_id=case.pk, actor=users["civil1"], data={"outcome": "withdrawn"})

    risk = api("civil1").get(PROFILE).json()["risk"]

    assert (risk["score"], risk["level"], [r["code"] for r in risk["reasons"]]) == (
        0,
        "none",
        ["no_open_case"],
    )


def test_partners_see_no_risk_assessment(users, api):
    open_case(users, seq=100, filer="hrss1", consent_to_share=True)

    body = api("hrss1").get(PROFILE).json()

    assert body["risk"] == {"score": None, "level": None, "reasons": []}


@pytest.mark.parametrize("user", ["outsider", "wf1", "criminal1"])
def test_a_viewer_who_can_see_nothing_about_the_employer_gets_404(users, api, user):
    open_case(users, seq=100)

    r = api(user).get(PROFILE)
    gone = api(user).get(f"/api/v1/employers/{OTHER_EMPLOYER}")

    assert (r.status_code, r.json()) == (gone.status_code, gone.json())
    assert r.status_code == 404


def test_an_invalid_credit_code_is_422(users, api):
    r = api("civil1").get(f"/api/v1/employers/{EMPLOYER[:-1]}0")

    assert r.status_code == 422
    assert [(e["field"], e["code"]) for e in r.json()["errors"]] == [("credit_code", "checksum")]


def test_a_partner_sees_what_it_referred_with_consent_and_what_was_shared(users, api):
    referred = open_case(users, seq=100, filer="hrss1", consent_to_share=True)
    open_case(users, seq=200, filer="hrss1", consent_to_share=False)
    own = open_case(users, seq=300)

    body = api("hrss1").get(PROFILE).json()

    assert [c["id"] for c in body["cases"]["items"]] == [referred.pk]
    assert body["leads"]["count"] == 2  # the partner sees the leads it sent
    assert body["money"]["claimed"] == "20000.50"

    joint_action(users["civil1"], [own], paid="1000.00")
    body = api("hrss1").get(PROFILE).json()
    assert sorted(c["id"] for c in body["cases"]["items"]) == sorted([referred.pk, own.pk])
    assert body["joint_actions"]["count"] == 1
    assert body["money"]["recovered"] == "1000.00"
    assert api("wf1").get(PROFILE).status_code == 404


def test_joint_actions_and_their_payments_are_on_the_profile(users, api):
    case = open_case(users, seq=100)
    action = joint_action(users["civil1"], [case], paid="2000.05")

    body = api("civil1").get(PROFILE).json()

    assert [j["id"] for j in body["joint_actions"]["items"]] == [action.pk]
    assert {p["joint_action_id"] for p in body["payments"]["items"]} == {action.pk}
    assert sum(D(p["amount"]) for p in body["payments"]["items"]) == D("2000.05")


def test_transfers_about_the_employer_are_on_the_profile_when_installed(users, api):
    transfers = pytest.importorskip("zhichi.transfers.services")
    case = open_case(users, seq=100)
    transfer = transfers.send_transfer(
        actor=users["civil1"],
        case_id=case.pk,
        data={"kind": "labour_inspection", "to_org": "WHHRSS", "reason": "请责令支付"},
    )

    mine = api("civil1").get(PROFILE).json()["transfers"]
    theirs = api("hrss1").get(PROFILE).json()["transfers"]

    assert [t["id"] for t in mine["items"]] == [transfer.pk]
    assert mine["items"][0]["case_id"] == case.pk
    assert [t["id"] for t in theirs["items"]] == [transfer.pk]


def test_an_employer_known_only_from_a_lead_has_a_profile(users, api):
    file_lead(users["civil1"], seq=100)

    body = api("civil1").get(PROFILE).json()

    assert (body["cases"]["count"], body["leads"]["count"]) == (0, 1)
    assert body["money"] == {"claimed": "0.00", "recovered": "0.00", "owed": "0.00"}


# --- pages --------------------------------------------------------------------------------------
def test_the_profile_page_shows_cards_and_tables(users, web):
    case = open_case(users, seq=100)
    pay(users, case, "1000.00")

    r = web("civil1").get(f"/employers/{EMPLOYER}/", headers={"Accept-Language": "en"})

    assert r.status_code == 200
    html = r.content.decode()
    assert 'data-testid="employer-recovered">¥1,000.00<' in html
    assert 'data-testid="employer-owed">¥19,000.50<' in html
    assert case.number in html
    assert "No joint action against this employer that you may see." in html


def test_the_profile_page_of_an_invalid_code_says_why(users, web):
    r = web("civil1").get(f"/employers/{EMPLOYER[:-1]}0/", headers={"Accept-Language": "en"})

    assert r.status_code == 422
    assert r.context["form"].errors["q"] == [
        "The check character does not match: please check the code (rule ID-2)."
    ]


def test_the_search_finds_employers_by_name_and_by_code(users, web):
    open_case(users, seq=100)
    open_case(users, seq=200, code=OTHER_EMPLOYER, name="另一家公司")

    by_name = web("civil1").get("/employers/", {"q": "建筑劳务"}).context["results"]
    by_code = web("civil1").get("/employers/", {"q": OTHER_EMPLOYER.lower()}).context["results"]
    outsider = web("outsider").get(
        "/employers/", {"q": "建筑劳务"}, headers={"Accept-Language": "en"}
    )

    assert [(r["credit_code"], r["cases"]) for r in by_name] == [(EMPLOYER, 1)]
    assert [r["name"] for r in by_code] == ["另一家公司"]
    assert outsider.context["results"] == []
    assert "No employer in the cases you may see matches" in outsider.content.decode()


def test_the_lists_show_the_newest_rows_and_how_many_there_are(users, api, web, monkeypatch):
    # issue 19: each list's newest rows are picked from its keys, the rest never read whole
    from zhichi.employers import profile

    monkeypatch.setattr(profile, "LIMIT", 2)
    cases = [open_case(users, seq=seq) for seq in (100, 200, 300)]
    for case, amount in zip(cases, ("1.00", "2.00", "3.00"), strict=True):
        pay(users, case, amount)

    body = api("civil1").get(PROFILE).json()
    page = web("civil1").get(f"/employers/{EMPLOYER}/", headers={"Accept-Language": "en"})

    assert (body["cases"]["count"], body["cases"]["count_capped"]) == (3, False)
    # the same day: the newest by id first
    assert [c["id"] for c in body["cases"]["items"]] == [cases[2].pk, cases[1].pk]
    assert [p["amount"] for p in body["payments"]["items"]] == ["3.00", "2.00"]
    assert body["payments"]["count"] == 3
    assert "Showing the newest 2 of 3." in page.content.decode()


def test_a_list_counted_past_the_cap_is_shown_as_more(users, api, web, monkeypatch):
    # issue 19: no exact COUNT(*) of a list read by its order: it stops at the cap (here 2 of 3)
    from zhichi.employers import profile

    monkeypatch.setattr(profile, "LIMIT", 1)
    monkeypatch.setattr("zhichi.common.pagination.CAP", 2)
    for seq in (100, 200, 300):
        case = open_case(users, seq=seq)
        joint_action(users["civil1"], [case], paid="10.00")

    body = api("civil1").get(PROFILE).json()
    page = web("civil1").get(f"/employers/{EMPLOYER}/", headers={"Accept-Language": "en"})

    joint = body["joint_actions"]
    assert (joint["count"], joint["count_capped"], len(joint["items"])) == (2, True, 1)
    assert "Showing the newest 1 of 2+." in page.content.decode()


# --- query counts -------------------------------------------------------------------------------
def _filled(users, seq: int):
    case = open_case(users, seq=seq)
    pay(users, case, "100.00")
    disposal.plan_visit(
        case_id=case.pk,
        actor=users["civil1"],
        data={"planned_on": TODAY, "target": "employer", "method": "visit"},
    )
    joint_action(users["civil1"], [case], paid="10.00")
    return case


def _count(get) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert get().status_code == 200
    return len(ctx)


@pytest.mark.parametrize("kind", ["api", "page"])
def test_the_profile_reads_the_same_number_of_queries_for_one_and_three_cases(
    users, api, web, kind
):
    client = api("civil1") if kind == "api" else web("civil1")
    path = PROFILE if kind == "api" else f"/employers/{EMPLOYER}/"
    _filled(users, 100)
    client.get(path)  # warm up: the token's last-used stamp, the session
    one = _count(lambda: client.get(path))

    _filled(users, 200)
    _filled(users, 300)
    three = _count(lambda: client.get(path))

    assert three == one


@pytest.mark.parametrize("path", ["/joint-actions/", "/api/v1/joint-actions"], ids=["page", "api"])
def test_the_joint_action_list_reads_the_same_number_of_queries_for_one_and_three(
    users, api, web, path
):
    client = api("civil1") if path.startswith("/api") else web("civil1")
    _filled(users, 100)
    client.get(path)
    one = _count(lambda: client.get(path))

    _filled(users, 200)
    _filled(users, 300)
    three = _count(lambda: client.get(path))

    assert three == one


def test_an_individual_business_is_linked_by_party_id_never_by_its_code(users, web):
    # rule ID-3: a 92… code identifies a person; pages show it masked, links use the party id
    from tests.conftest import make_credit_code
    from zhichi.parties.models import Party

    code = make_credit_code("92530102MA6K2P3Q0")
    open_case(users, seq=300, code=code, name="某个体户")
    party = Party.objects.get(credit_code=code)
    client = web("civil1")

    found = client.get("/employers/", {"q": "某个体户"})
    page = client.get(f"/employers/p{party.pk}/")

    assert f'href="/employers/p{party.pk}/"' in found.content.decode()
    assert code not in found.content.decode()
    assert page.status_code == 200 and code not in page.content.decode()
    assert page.context["profile"].credit_code == code
    assert client.get("/employers/p999999/").status_code == 404
    assert web("outsider").get(f"/employers/p{party.pk}/").status_code == 404
