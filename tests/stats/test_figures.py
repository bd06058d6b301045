"""The centre's figures (issue 15 items 1, 2, 5; C13; API.md § Statistics): they equal sums made
by hand on fixture data (a case opened last year with a payment this year, a reversed payment, a
closed-then-reopened case), each figure's list holds exactly the records it counts, and each
reader sees only their share (a partner, another procuratorate; administrators nothing)."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from tests.cases.ledger_cases import party_ids, pay, three_worker_case
from tests.transfers.conftest import send
from zhichi.accounts.models import Organisation
from zhichi.audit.models import AuditEntry
from zhichi.cases import sharing
from zhichi.cases.models import Case, CaseShare
from zhichi.cases.services import approvals, disposal, payments, reopening
from zhichi.cases.services import facts as case_facts
from zhichi.common.errors import NotPermitted
from zhichi.employers.profile import BlacklistCase, blacklist_grounds, employer_profile
from zhichi.stats import rules, selectors
from zhichi.stats.period import Period
from zhichi.stats.selectors import ZERO
from zhichi.transfers import services as transfers

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

SUMMARY = "/api/v1/stats/summary"
BREAKDOWN = "/api/v1/stats/breakdown"
YEAR = {"from": "2026-01-01", "to": "2026-12-04"}
PAGE_YEAR = {"date_from": "2026-01-01", "date_to": "2026-12-04", "period": "custom"}


class World:
    pass


@pytest.fixture
def world(users):
    """Four wage cases of three migrant workers each (¥40,000 claimed per case) in the civil
    department: A with ¥5,000 paid and a ¥2,000 payment reversed, shared with the labour bureau;
    B opened on 2025-12-20 with ¥1,000 paid this year; C closed and reopened; D closed."""
    civil1, head = users["civil1"], users["civilhead"]
    w = World()
    w.a = three_worker_case(civil1, seq=610)
    w.b = three_worker_case(civil1, seq=620)
    w.c = three_worker_case(civil1, seq=630)
    w.d = three_worker_case(civil1, seq=640)
    first, second, _third = party_ids(w.a)
    w.paid = pay(w.a, civil1, first, "5000")
    w.wrong = pay(w.a, civil1, second, "2000")
    payments.reverse_payment(payment_id=w.wrong.pk, actor=civil1, data={"reason": "录入错误"})
    w.late = pay(w.b, civil1, party_ids(w.b)[0], "1000")
    Case.objects.filter(pk=w.b.pk).update(opened_on=date(2025, 12, 20))
    for case in (w.c, w.d):
        disposal.close_case(
            case_id=case.pk, actor=civil1, data={"outcome": "withdrawn", "note": "当事人撤回"}
        )
    reopening.reopen_case(case_id=w.c.pk, actor=head, data={"reason": "当事人要求继续"})
    sharing.grant(
        CaseShare,
        subject_field="case",
        subject=w.a,
        organisation=Organisation.objects.get(code="WHHRSS"),
        department=None,
        reason="transfer",
        basis="consent",
        legal_basis="",
        source="test:stats",
        actor=civil1,
    )
    return w


def two_mediations(world, users) -> None:
    """On case C on 2026-12-01: one that reached an agreement, one that failed."""
    for outcome, amount in (("agreement", "30000.00"), ("failed", None)):
        disposal.record_mediation(
            case_id=world.c.pk,
            actor=users["civil1"],
            data={
                "held_on": "2026-12-01",
                "mediator_org": "调委会",
                "outcome": outcome,
                "agreed_amount": amount,
            },
        )


def propose_support(world, users):
    """The officer proposes to support case A (the head decides)."""
    return disposal.propose_support_decision(
        case_id=world.a.pk, actor=users["civil1"], data={"decision": "support", "reasons": "符合"}
    )


def summary_of(api, username, **query):
    r = api(username).get(SUMMARY, {**YEAR, **query})
    assert r.status_code == 200, r.content
    return r.json()


def test_the_summary_equals_the_sums_made_by_hand(api, world):
    body = summary_of(api, "civil1")

    assert {k: body[k] for k in COUNTS} == {
        "leads_received": 4,  # all four leads came in on 2026-11-04
        "cases_accepted": 3,  # B was opened last year
        "cases_supported": 0,
        "claimants": 9,
        "migrant_workers": 9,
        "mediation_agreements": 0,
        "transfers_sent": 0,
        "transfers_received": 0,
        "assistance_paid": 0,
        "visits_done": 0,
        "cases_closed": 1,  # C was reopened: only D stays closed
    }
    assert body["amount_claimed"] == "120000.00"
    # A's ¥5,000 and B's ¥1,000 paid this year; the reversed ¥2,000 counts nowhere
    assert body["amount_recovered"] == "6000.00"
    assert body["by_stage"]["review"] + body["by_stage"]["closed"] == 3
    assert sum(body["by_stage"].values()) == sum(body["by_category"].values()) == 3
    assert body["by_category"]["wages"] == 3
    assert set(body["by_level"]) == {"1", "2", "3", "none"}


COUNTS = (
    "leads_received",
    "cases_accepted",
    "cases_supported",
    "claimants",
    "migrant_workers",
    "mediation_agreements",
    "transfers_sent",
    "transfers_received",
    "assistance_paid",
    "visits_done",
    "cases_closed",
)


def test_the_summary_has_exactly_the_documented_keys(api, world):
    assert set(summary_of(api, "civil1")) == {
        *COUNTS,
        "by_stage",
        "by_category",
        "by_level",
        "amount_claimed",
        "amount_recovered",
    }


def test_a_period_before_the_payments_counts_none_of_them(api, world):
    body = summary_of(api, "civil1", **{"from": "2025-12-01", "to": "2025-12-31"})

    assert (body["cases_accepted"], body["claimants"], body["amount_claimed"]) == (1, 3, "40000.00")
    assert body["amount_recovered"] == "0.00"


def test_the_breakdown_adds_up_to_the_summary(api, world):
    total = summary_of(api, "civil1")
    for by in ("stage", "category", "level", "source", "month"):
        r = api("civil1").get(BREAKDOWN, {**YEAR, "by": by})
        assert r.status_code == 200, (by, r.content)
        rows = r.json()
        assert sum(row["cases"] for row in rows) == total["cases_accepted"], by
        assert sum(Decimal(row["amount_claimed"]) for row in rows) == Decimal("120000.00"), by
        assert sum(Decimal(row["amount_recovered"]) for row in rows) == Decimal("6000.00"), by
    months = api("civil1").get(BREAKDOWN, {**YEAR, "by": "month"}).json()
    assert [m["key"] for m in months] == [f"2026-{m:02d}" for m in range(1, 13)]
    december = months[-1]
    assert (december["cases"], december["amount_recovered"]) == (3, "6000.00")


def test_each_figures_list_holds_exactly_the_records_it_counts(web, world):
    client = web("civil1")
    expected = {
        "cases_accepted": {world.a.number, world.c.number, world.d.number},
        "cases_closed": {world.d.number},
    }
    for key, numbers in expected.items():
        r = client.get(f"/stats/figures/{key}/", PAGE_YEAR)
        assert r.status_code == 200, key
        page = r.content.decode()
        assert {
            n for n in (world.a.number, world.b.number, world.c.number, world.d.number) if n in page
        } == numbers, key
    r = client.get("/stats/figures/amount_recovered/", PAGE_YEAR)
    rows = list(r.context["page_obj"])
    assert sorted(p.pk for p in rows) == sorted([world.paid.pk, world.late.pk])
    assert r.context["total"] == Decimal("6000.00")


def test_every_figure_on_the_dashboard_links_to_as_many_records_as_it_shows(web, world):
    client = web("civil1")
    r = client.get("/stats/", PAGE_YEAR)
    assert r.status_code == 200
    cards = [*r.context["headline"], *r.context["others"]]
    assert {c.key for c in cards} == set(selectors.FIGURES)
    for card in cards:
        listed = client.get(card.url)
        assert listed.status_code == 200, card.key
        assert listed.context["total"] == card.value, card.key
    for chart in r.context["charts"]:
        for row in chart.rows:
            assert client.get(row.cases_url).context["total"] == row.cases, (chart.by, row.label)
            assert client.get(row.recovered_url).context["total"] == row.amount_recovered, (
                chart.by,
                row.label,
            )


def test_a_partner_counts_only_the_case_shared_with_it(api, world):
    body = summary_of(api, "hrss1")

    assert (body["cases_accepted"], body["claimants"], body["migrant_workers"]) == (1, 3, 3)
    assert (body["amount_claimed"], body["amount_recovered"]) == ("40000.00", "5000.00")
    assert body["cases_closed"] == body["assistance_paid"] == 0


def test_another_procuratorate_counts_nothing_of_ours(api, world):
    body = summary_of(api, "outsider")

    assert {k: body[k] for k in COUNTS} == dict.fromkeys(COUNTS, 0)
    assert (body["amount_claimed"], body["amount_recovered"]) == ("0.00", "0.00")


@pytest.mark.parametrize("username", ["sysadmin", "secadmin", "auditor"])
def test_administrators_read_no_figure(api, web, users, world, username):
    # the three administrators hold no API token (MLPS separation of duties): the API does not
    # know them; the rule it would apply refuses them, and so do the pages
    assert api(username).get(SUMMARY, YEAR).status_code == 401
    with pytest.raises(NotPermitted):
        rules.ensure_may_see_stats(users[username])
    assert web(username).get("/stats/").status_code == 403
    assert web(username).get("/stats/", {"date_from": "x"}).status_code == 403
    assert web(username).get("/stats/figures/cases_accepted/").status_code == 403
    assert "/stats/" not in web(username).get("/").content.decode()


def test_a_period_that_ends_before_it_starts_is_refused_at_to(api, web, world):
    r = api("civil1").get(SUMMARY, {"from": "2026-05-01", "to": "2026-04-01"})

    assert r.status_code == 422
    assert [(e["field"], e["code"]) for e in r.json()["errors"]] == [("to", "before_start")]
    page = web("civil1").get("/stats/", {"date_from": "2026-05-01", "date_to": "2026-04-01"})
    assert page.status_code == 422
    assert page.context["form"].errors["date_to"]


def test_only_the_chief_and_the_registry_choose_a_department(api, users, world):
    assert summary_of(api, "chief", department="civil")["cases_accepted"] == 3
    assert summary_of(api, "chief", department="criminal")["cases_accepted"] == 0
    r = api("civil1").get(SUMMARY, {**YEAR, "department": "criminal"})
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["errors"]] == ["department"]
    # another procuratorate's department is none of the chief's
    r = api("chief").get(SUMMARY, {**YEAR, "department": "nope"})
    assert r.status_code == 422


def test_a_calendar_period_and_the_one_before_it():
    march = Period.of("month", date(2026, 3, 15))
    assert (march.start, march.end) == (date(2026, 3, 1), date(2026, 3, 31))
    assert march.previous() == Period(date(2026, 2, 1), date(2026, 2, 28), "month")
    q1 = Period.of("quarter", date(2026, 2, 1))
    assert (q1.start, q1.end, q1.previous().start) == (
        date(2026, 1, 1),
        date(2026, 3, 31),
        date(2025, 10, 1),
    )
    span = Period(date(2026, 1, 10), date(2026, 1, 19))
    assert span.previous() == Period(date(2025, 12, 31), date(2026, 1, 9))
    assert Period(date(2026, 1, 31), date(2026, 3, 1)).months() == [
        date(2026, 1, 1),
        date(2026, 2, 1),
        date(2026, 3, 1),
    ]


@pytest.mark.parametrize("username", ["chief", "civilhead", "registrar1"])
def test_a_leaders_workbench_opens_with_the_years_figures(web, world, username):
    r = web(username).get("/")

    headline = r.context["headline"]
    assert headline is not None and headline.period == Period.of("year", date(2026, 12, 4))
    cards = {c.key: c.value for c in headline.cards}
    assert cards == {
        "cases_supported": 0,
        "claimants": 9,
        "migrant_workers": 9,
        "amount_claimed": Decimal("120000.00"),
        "amount_recovered": Decimal("6000.00"),
    }
    assert 'data-figure="amount_recovered"' in r.content.decode()


@pytest.mark.parametrize("username", ["civil1", "hrss1"])
def test_an_officers_and_a_partners_workbench_has_no_headline(web, world, username):
    r = web(username).get("/")

    assert r.context["headline"] is None
    assert 'data-figure="amount_recovered"' not in r.content.decode()


def test_a_support_decision_waits_on_the_heads_workbench_then_counts_when_approved(
    api, web, users, world
):
    approval = propose_support(world, users)
    r = web("civilhead").get("/")
    assert [a.case_id for a in r.context["decisions"]] == [world.a.pk]
    assert summary_of(api, "civil1")["cases_supported"] == 0

    approvals.decide_approval(approval_id=approval.pk, actor=users["civilhead"], approve=True)

    assert summary_of(api, "civil1")["cases_supported"] == 1
    assert web("civilhead").get("/").context["decisions"] == []
    listed = web("civil1").get("/stats/figures/cases_supported/", PAGE_YEAR)
    assert [c.pk for c in listed.context["page_obj"]] == [world.a.pk]


def test_the_stages_kpis_over_the_period(web, users, world):
    two_mediations(world, users)

    r = web("civil1").get("/stats/", PAGE_YEAR)

    found = {k.key: (k.value, k.basis) for k in r.context["kpis"]}
    # A, C and D: received 2026-11-04, accepted 2026-12-04 (B was accepted last year)
    assert found["lead_to_acceptance"] == (Decimal("30.0"), 3)
    assert found["mediation_success"] == (Decimal("50.0"), 2)
    assert found["acceptance_to_judgment"] == (None, 0)
    assert found["judgments_won"] == (None, 0)
    assert r.context["agencies"] == []
    page = r.content.decode()
    assert 'data-kpi="mediation_success"' in page and "50.0%" in page


def test_transfers_by_agency_with_answers_and_overdue_ones(api, web, users, world, fixed_clock):
    answered = send(users, world.a, to_org="WHHRSS", kind="labour_inspection")
    waiting = send(users, world.c, to_org="WHHRSS", kind="labour_inspection")
    transfers.receive_transfer(transfer_id=answered.pk, actor=users["hrss1"])
    transfers.accept_transfer(transfer_id=answered.pk, actor=users["hrss1"])
    fixed_clock.shift(3 * 86400)
    transfers.answer_transfer(
        transfer_id=answered.pk,
        actor=users["hrss1"],
        data={"text": "已责令支付", "result": "order_issued"},
    )
    fixed_clock.move_to(waiting.feedback_due.isoformat() + "T12:00:00+08:00")
    fixed_clock.shift(86400)

    r = web("civil1").get("/stats/", PAGE_YEAR)

    (row,) = r.context["agencies"]
    assert (row.sent, row.answered, row.answer_days, row.overdue, row.received) == (
        2,
        1,
        Decimal("3.0"),
        1,
        0,
    )
    assert summary_of(api, "hrss1")["transfers_received"] == 2


def test_the_period_report_shows_the_figures_by_category_and_prints_to_pdf(web, users, world):
    client = web("civil1")
    r = client.get("/stats/report/", {"period": "year", "on": "2026-06-01"})

    assert r.status_code == 200
    total = r.context["categories"][-1]
    assert (total.key, total.cases, total.claimants, total.migrant_workers) == ("", 3, 9, 9)
    assert (total.amount_claimed, total.amount_recovered) == (
        Decimal("120000.00"),
        Decimal("6000.00"),
    )
    wages = next(row for row in r.context["categories"] if row.key == "wages")
    assert wages.cases == 3
    lines = {line.label: (line.value, line.previous) for line in r.context["lines"]}
    assert lines[str(selectors.FIGURES["cases_accepted"].label)] == (3, 1)  # 2025: case B

    pdf = client.get("/stats/report/", {"period": "year", "on": "2026-06-01", "format": "pdf"})
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert "no-store" in pdf["Cache-Control"]
    assert AuditEntry.objects.filter(action="stats.report", username="civil1").exists()
    assert client.get("/stats/report/", {"format": "doc"}).status_code == 404


def test_the_period_report_as_excel_holds_the_pages_figures_as_numbers(web, world):
    query = {"period": "year", "on": "2026-06-01"}
    page = web("civil1").get("/stats/report/", query)
    r = web("civil1").get("/stats/report/", {**query, "format": "xlsx"})

    assert r.status_code == 200 and "no-store" in r["Cache-Control"]
    book = load_workbook(io.BytesIO(r.content))
    figures, categories, months, measures = book.worksheets
    assert figures.freeze_panes == "A2" and categories.freeze_panes == "A2"
    rows = {row[0]: row[1:] for row in figures.iter_rows(min_row=2, values_only=True)}
    for line in page.context["lines"]:
        assert rows[line.label] == (line.value, line.previous, line.change), line.label
    total = list(categories.iter_rows(min_row=2, values_only=True))[-1]
    assert total[1:] == (3, 9, 9, 120000, 6000)
    assert categories.cell(row=2, column=5).number_format == "0.00"
    assert [row[0].month for row in months.iter_rows(min_row=2, values_only=True)] == list(
        range(1, 13)
    )
    assert measures.max_row == 1 + len(page.context["kpis"])


def test_the_early_warning_list_scores_each_employer_as_its_profile_does(web, users, world):
    r = web("civil1").get("/stats/warnings/")

    assert r.status_code == 200
    (row,) = [row for row, _ref in r.context["rows"]]
    # A, B and C are open (D is closed); the employer of all four
    assert row.open_cases == 3
    profile = employer_profile(users["civil1"], row.credit_code)
    assert (row.risk.score, row.risk.level) == (profile.risk.score, profile.risk.level)
    assert row.blacklist_cases == ()
    assert f'data-level="{row.risk.level}"' in r.content.decode()


def test_a_case_at_the_criminal_threshold_after_an_unmet_order_makes_a_blacklist_candidate(
    web, world
):
    # what the criminal-lead check finds (CR rules) when an order to pay went unmet and the
    # arrears reach the province's threshold: the flag EW-1 (i) reads
    Case.objects.filter(pk=world.a.pk).update(flags=["criminal_lead_candidate"])

    r = web("civil1").get("/stats/warnings/")

    (row,) = [row for row, _ref in r.context["rows"]]
    assert row.blacklist_cases == (BlacklistCase(world.a.number, "threshold"),)
    assert r.context["candidates"] == 1
    assert 'data-ground="threshold"' in r.content.decode()


def record_facts(case, actor, **facts):
    case.refresh_from_db()
    return case_facts.update_case_facts(
        case_id=case.pk, actor=actor, data=facts, version=case.version
    )


def order_due(days: int) -> dict:
    """An order to pay issued 30 days ago whose deadline is ``days`` from today."""
    today = timezone.localdate()
    return {
        "authority": "武汉市人社局劳动保障监察支队",
        "issued_on": (today - timedelta(days=30)).isoformat(),
        "deadline": (today + timedelta(days=days)).isoformat(),
    }


@pytest.mark.parametrize(
    ("signals", "deadline_in", "candidate"),
    [
        (["mass_incident"], -1, True),  # the deadline passed, money still owed, an incident
        (["mass_incident"], 5, False),  # the order's deadline has not passed yet
        (["past_petitions"], -1, False),  # petitions raise the risk but are no EW-1 ground
        ([], -1, False),
    ],
)
def test_an_incident_after_an_unmet_order_makes_a_blacklist_candidate_rule_ew_1_ii(
    web, users, world, signals, deadline_in, candidate
):
    record_facts(world.a, users["civil1"], signals=signals, payment_order=order_due(deadline_in))

    r = web("civil1").get("/stats/warnings/")

    (row,) = [row for row, _ref in r.context["rows"]]
    expected = (BlacklistCase(world.a.number, "incident"),) if candidate else ()
    assert row.blacklist_cases == expected
    assert ('data-ground="incident"' in r.content.decode()) is candidate


def test_an_incident_with_everything_paid_makes_no_blacklist_candidate_rule_ew_1_ii():
    case = {"flags": [], "signals": ["mass_incident"], "payment_order_deadline": date(2026, 1, 5)}
    today = date(2026, 2, 1)
    assert blacklist_grounds(case, Decimal("0.00"), today) == ()
    assert blacklist_grounds(case, Decimal("0.01"), today) == ("incident",)
    assert blacklist_grounds(case, Decimal("0.01"), date(2026, 1, 5)) == ()  # deadline day
    assert blacklist_grounds({**case, "payment_order_deadline": None}, Decimal("1"), today) == ()
    both = {**case, "flags": ["criminal_lead_candidate"]}
    assert blacklist_grounds(both, Decimal("1"), today) == ("threshold", "incident")
    assert blacklist_grounds(both, ZERO, today) == ("threshold",)


def test_risk_signals_recorded_on_a_case_raise_its_score_with_their_reasons_rule_ew_3(
    web, users, world
):
    before = Case.objects.get(pk=world.a.pk)

    record_facts(world.a, users["civil1"], signals=["construction", "past_petitions"])

    after = Case.objects.get(pk=world.a.pk)
    # construction +1, past petitions or blockades +3 (the default weights)
    assert after.risk_score == before.risk_score + 4
    codes = {r["code"] for r in after.risk_reasons}
    assert {"construction", "past_petitions"} <= codes
    profile = employer_profile(
        users["civil1"],
        world.a.parties.filter(role="respondent")
        .values_list("party__credit_code", flat=True)
        .first(),
    )
    assert {"construction", "past_petitions"} <= {r.code for r in profile.risk.reasons}
    page = web("civil1").get(f"/cases/{world.a.pk}/").content.decode()
    assert 'data-facts="signals"' in page


@pytest.mark.parametrize(("username", "status"), [("hrss1", 403), ("sysadmin", 403)])
def test_partners_and_administrators_read_no_early_warning(web, world, username, status):
    assert web(username).get("/stats/warnings/").status_code == status


def test_another_procuratorate_has_nothing_to_warn_of(web, world):
    r = web("outsider").get("/stats/warnings/")
    assert r.status_code == 200 and r.context["rows"] == []


@pytest.mark.parametrize("username", ["civil1", "civilhead", "chief", "registrar1", "hrss1"])
def test_the_summary_read_in_one_query_per_source_equals_each_figure_read_alone(
    users, world, username, django_assert_max_num_queries
):
    """P4: ``summary`` reads the figures of one source together (conditional aggregates, one
    grouped query for the cases accepted); each must equal its records counted one by one."""
    two_mediations(world, users)
    approval = propose_support(world, users)
    approvals.decide_approval(approval_id=approval.pk, actor=users["civilhead"], approve=True)
    scope = selectors.Scope(users[username])
    period = Period(date(2026, 1, 1), date(2026, 12, 4))
    sources = {f.source for f in selectors.FIGURES.values()}

    # one query per source, and the reader's shares read once per kind of record
    with django_assert_max_num_queries(len(sources) + 3):
        found = selectors.summary(scope, period)

    alone = {key: f.value(scope, period) for key, f in selectors.FIGURES.items()}
    assert found.values == alone
    if username != "hrss1":
        assert (alone["mediation_agreements"], alone["cases_supported"]) == (1, 1)
    for by in ("stage", "category", "level"):
        grouped = selectors.FIGURES["cases_accepted"].grouped(scope, period, by)
        counted = getattr(found, f"by_{by}")
        assert sum(counted.values()) == found.values["cases_accepted"], by
        assert {k: n for k, n in counted.items() if n} == {
            selectors.GROUPINGS[by].code(v): n for v, n in grouped.items()
        }, by
