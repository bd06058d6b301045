"""Issue 19 item 3: the ledger's totals kept on each case (``cases.ledger.keep_totals``), so
that many cases' money is one aggregate (the employer profile, C2), and the employer's risk
(rule EW-3) read from aggregates gives what the early-warning page works out from the rows."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.cases.ledger_cases import TOTAL, judge, party_ids, pay, three_worker_case
from zhichi.cases import ledger
from zhichi.cases.models import Case
from zhichi.cases.services import payments
from zhichi.employers.profile import CaseMoney, employer_profile, employer_risks

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


def kept(case) -> dict:
    return Case.objects.values(*ledger.KEPT).get(pk=case.pk)


def book(case) -> dict:
    return ledger.kept_totals(ledger.ledger_for(case))


def test_issue19_an_accepted_case_keeps_its_claims_as_its_totals(users):
    case = three_worker_case(users["civil1"])

    assert kept(case) == {
        "claimed_total": Decimal("40000.00"),
        "recovered_total": Decimal("0.00"),
        "owed_total": Decimal("40000.00"),
    }


def test_issue19_a_judgment_payments_and_a_reversal_keep_the_totals_with_the_ledger(users):
    officer = users["civil1"]
    case = three_worker_case(officer)
    judge(case, officer)
    assert kept(case)["owed_total"] == TOTAL  # the award, not the claim, is what is due

    first, second, _third = party_ids(case)
    wrong = pay(case, officer, first, "5000.00")
    pay(case, officer, second, "1000.00")
    assert kept(case) == book(case)
    assert kept(case)["recovered_total"] == Decimal("6000.00")

    payments.reverse_payment(payment_id=wrong.pk, actor=officer, data={"reason": "错账"})

    assert kept(case) == book(case)
    assert kept(case)["recovered_total"] == Decimal("1000.00")
    assert kept(case)["owed_total"] == TOTAL - Decimal("1000.00")


def test_issue19_recount_totals_repairs_figures_that_went_stale_and_says_how_many(users):
    officer = users["civil1"]
    a = three_worker_case(officer, seq=640)
    b = three_worker_case(officer, seq=650)
    pay(a, officer, party_ids(a)[0], "700.00")
    Case.objects.filter(pk=a.pk).update(recovered_total=0, owed_total=1)

    assert ledger.recount_totals(Case.objects.all(), batch=1) == 1
    assert kept(a) == book(a) and kept(b) == book(b)
    assert ledger.recount_totals(Case.objects.all()) == 0


def test_issue19_the_employer_profile_sums_the_kept_totals(users):
    officer = users["civil1"]
    case = three_worker_case(officer)
    judge(case, officer)
    pay(case, officer, party_ids(case)[2], "15000.00")
    code = case.parties.get(role="respondent").party.credit_code

    profile = employer_profile(officer, code)

    assert profile.money == CaseMoney(
        claimed=Decimal("40000.00"), recovered=Decimal("15000.00"), owed=Decimal("24000.00")
    )
    assert CaseMoney.of(profile.cases.rows[0]) == profile.money


def test_issue19_rule_EW3_from_aggregates_scores_as_from_the_claimants_rows(users):
    """The profile sums the open cases' claimants in the database; the early-warning list
    reads their rows: the same employer gets the same score and reasons both ways."""
    officer = users["civil1"]
    case = three_worker_case(officer)
    again = three_worker_case(officer, seq=660)
    # the second case names the same employer
    respondent = case.parties.get(role="respondent")
    again.parties.filter(role="respondent").update(party=respondent.party)
    pay(again, officer, party_ids(again)[0], "2500.00")
    code = respondent.party.credit_code

    profile = employer_profile(officer, code)
    (listed,) = employer_risks(officer, code)

    assert profile.risk == listed.risk
    assert profile.risk.score > 0
    assert listed.owed == profile.money.owed == Decimal("77500.00")


def test_issue19_manage_recount_money_repairs_and_audits(users):
    from io import StringIO

    from django.core.management import call_command

    from zhichi.audit.models import AuditEntry

    case = three_worker_case(users["civil1"])
    Case.objects.filter(pk=case.pk).update(claimed_total=1)
    out = StringIO()

    call_command("recount_money", stdout=out)

    assert kept(case) == book(case)
    assert out.getvalue().strip() == "1 case(s) counted, 1 changed"
    entry = AuditEntry.objects.get(action="case.money_recounted")
    assert entry.detail == {"cases": 1, "changed": 1}
