"""Rule EW-3 at the employer: when the open wage cases about one employer together reach the
alert score, the heads of the department that handles them are told once (per employer and
head), with the advice to contact the labour bureau or the wage-arrears office.

A single case that reaches the score alerts on its own (``cases.services.derived.alert_heads``);
this one catches the employer whose cases are each small but together make a mass dispute
brewing (twelve workers in four cases of three). It runs after every grading of a case
(``cases.services.derived.after_regrade``), in the same transaction.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from zhichi.accounts.models import department_heads
from zhichi.accounts.notify import notify
from zhichi.cases.choices import Category, PartyRole
from zhichi.cases.models import Case
from zhichi.core import grading
from zhichi.employers.profile import employer_risks
from zhichi.employers.references import ref_for


def alert_on_employer_risk(case: Case) -> None:
    """Score each employer the case names over the open wage cases of its department (what the
    department's heads see alike); tell each head once when the employer is at high risk."""
    if case.category != Category.WAGES or case.department_id is None:
        return
    heads = list(department_heads(case.department_id))
    codes = sorted(
        set(
            case.parties.filter(role=PartyRole.RESPONDENT)
            .exclude(party__credit_code="")
            .values_list("party__credit_code", flat=True)
        )
    )
    if not heads or not codes:
        return
    for code in codes:
        found = employer_risks(heads[0], credit_code=code)
        # one case alone is alerted on by its own score (derived.alert_heads)
        if not found or found[0].open_cases < 2 or found[0].risk.level != grading.RISK_HIGH:
            continue
        employer = found[0]
        text = _(
            "Employer %(name)s: its %(cases)s open wage cases together score %(score)s on the "
            "risk of a mass wage dispute. Consider contacting the labour bureau (人社) or the "
            "wage-arrears office (根治欠薪办)."
        ) % {
            "name": employer.name or employer.credit_code_masked,
            "cases": employer.open_cases,
            "score": employer.risk.score,
        }
        url = reverse("employers:profile", args=[ref_for(code)])
        for head in heads:
            notify(
                user=head,
                kind="risk",
                text=text,
                url=url,
                dedupe_key=f"risk-employer:{code}:{head.pk}",
                email=True,
            )
