"""The employer profile (C2): everything one viewer may see about one employer, by its unified
social credit code, across all agencies — leads, cases, transfers, return visits, joint actions
and payments — with the money claimed, recovered and owed, and the EW-3 risk score.

Every list comes from the viewer's own scopes (the same ones the case, lead and transfer pages
use), so a partner sees only what its referrals and shares give it. Each list is bounded (the
first ``LIMIT`` rows and a count) and read in a fixed number of queries, however many rows the
employer has; the money and the risk are aggregated over all the viewer's cases about it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from django.db.models import Count, Max, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhichi.cases.choices import RiskSignal, risk_inputs
from zhichi.cases.ledger import FEN, KEPT
from zhichi.cases.models import (
    Case,
    CaseParty,
    CaseStatus,
    PartyRole,
    Payment,
    Visit,
)
from zhichi.common.inputs import parse
from zhichi.common.pagination import Tally, in_order, tally
from zhichi.core import grading
from zhichi.core.criminal import EVASION_KINDS
from zhichi.core.identifiers import mask_credit_code, normalise
from zhichi.employers.models import JointAction
from zhichi.employers.presenters import RiskBadge, risk_badge, views_for, with_details
from zhichi.employers.schemas import CreditCodeIn, valid_credit_code
from zhichi.intake.models import Lead, LeadParty, with_claimant_counts
from zhichi.parties.models import Party
from zhichi.rulebook import loaders
from zhichi.transfers.models import Transfer

LIMIT = 50
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Listing:
    """The first rows of a list and how many there are in all (a ``common.pagination.Tally``:
    counted up to ``CAP`` only where the list is read in its database order)."""

    rows: list
    total: Tally

    @property
    def more(self) -> bool:
        return self.total.more or self.total.number > len(self.rows)


@dataclass(frozen=True)
class CaseMoney:
    claimed: Decimal = ZERO
    recovered: Decimal = ZERO
    owed: Decimal = ZERO

    @classmethod
    def of(cls, case: Case) -> CaseMoney:
        """A case's money, as its ledger's totals kept on it (``cases.ledger.keep_totals``)."""
        return cls(*(getattr(case, column) for column in KEPT))

    @classmethod
    def summed(cls, facts: list[dict]) -> CaseMoney:
        """The money of many cases: the sums of their kept totals (rows read with ``KEPT``)."""
        return cls(*(sum((f[column] for f in facts), ZERO).quantize(FEN) for column in KEPT))


@dataclass(frozen=True)
class Claimants:
    """What rule EW-3 reads of the claimants of some open cases: how many people, the longest
    arrears and their groups."""

    people: int = 0
    max_months_unpaid: int = 0
    groups: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Profile:
    credit_code: str
    name: str
    cases: Listing
    leads: Listing
    transfers: Listing
    visits: Listing
    joint_actions: Listing  # rows are presenters.JointActionView
    payments: Listing
    money: CaseMoney
    risk: grading.Risk
    visible_case_ids: frozenset[int] = frozenset()
    visible_lead_ids: frozenset[int] = frozenset()

    @property
    def credit_code_masked(self) -> str:
        return mask_credit_code(self.credit_code)

    @property
    def personal(self) -> bool:
        """A 92… code identifies a person (rule ID-3): pages show it masked only."""
        return self.credit_code.startswith("92")


def normalised_code(raw) -> str:
    """The credit code, normalised and checked (rule ID-2), or 422 at ``credit_code``."""
    return parse(CreditCodeIn, {"credit_code": raw}).credit_code


# --- the claimants of many open cases --------------------------------------------------------
def _claimants_of(case_ids) -> Claimants:
    """The claimants of these open cases summed up in the database (two small answers however
    many there are)."""
    claimants = CaseParty.objects.filter(
        case_id__among=sorted(case_ids), role=PartyRole.CLAIMANT
    ).order_by()
    got = claimants.aggregate(people=Count("party_id", distinct=True), months=Max("months_unpaid"))
    groups = {g for gs in claimants.values_list("groups", flat=True).distinct() for g in gs or []}
    return Claimants(got["people"], got["months"] or 0, frozenset(groups))


# --- rule EW-3 on the employer's open cases ----------------------------------------------------
def _rules(province: str, today) -> grading.RiskRules:
    thresholds = loaders.criminal_thresholds(province, today)
    return loaders.risk_rules(today, thresholds.collective if thresholds else None)


def _risk(facts: list[dict], claimants_of, rules_for=_rules) -> grading.Risk:
    """EW-3 (with the EW-2 window) over what the viewer's open cases about the employer say
    together: the people still claiming, what they are still owed, the longest arrears, the
    crews and the evasion. Closed cases are history, not a dispute brewing.

    ``claimants_of(open case facts)`` sums up those cases' claimants (``Claimants``); what they
    are still owed is the open cases' kept ``owed_total``."""
    open_cases = {f["pk"]: f for f in facts if f["status"] == CaseStatus.OPEN}
    if not open_cases:
        reason = grading.Reason(
            "no_open_case",
            "EW-3",
            _("No open case about this employer that you can see: nothing to score (+0)."),
            0,
            0,
        )
        return grading.Risk(0, grading.RISK_NONE, (reason,))
    claimants = claimants_of(open_cases)
    relationships = {f["labour_relationship"] for f in open_cases.values()}
    today = timezone.localdate()
    province = next(iter(open_cases.values()))["organisation__province"]
    facts_ = grading.Facts(
        category="wages",
        claimants=claimants.people,
        total_claimed=sum((f["owed_total"] for f in open_cases.values()), ZERO),
        max_months_unpaid=claimants.max_months_unpaid,
        groups=frozenset(g for g in claimants.groups if g in grading.GROUPS),
        labour_relationship=next(
            (r for r in ("contractor_crew", "employee", "none") if r in relationships), "unknown"
        ),
        evasion=frozenset(
            e for f in open_cases.values() for e in (f["evasion"] or []) if e in EVASION_KINDS
        ),
        criminal_verdict=None,
        as_of=today,
        **risk_inputs(s for f in open_cases.values() for s in (f["signals"] or [])),
    )
    return grading.risk(facts_, rules_for(province, today))


# --- the profile -------------------------------------------------------------------------------
def _listing(queryset) -> Listing:
    """The first ``LIMIT`` rows of a list in its order, counted up to ``CAP``."""
    rows = list(queryset[:LIMIT])
    return Listing(rows, Tally(len(rows)) if len(rows) < LIMIT else tally(queryset))


def _newest(queryset, keys) -> Listing:
    """The newest ``LIMIT`` rows of one of the employer's lists, and how many there are, from
    ``keys``: every row's order values and id, newest first when sorted downwards. Only the
    rows shown are then read whole (with ``queryset``'s joins)."""
    keys = sorted(keys, reverse=True)
    ids = [key[-1] for key in keys[:LIMIT]]
    return Listing(in_order(queryset.filter(pk__in=ids), ids), Tally(len(keys)))


def _newest_by(queryset, *order: str) -> Listing:
    """``_newest`` of a list of the employer's records, ordered by ``order`` (newest first): the
    keys of all of them are read first, through the index of the cases or leads they hang off,
    and sorted here. Asked for its newest rows, PostgreSQL walked the whole table's date index
    backwards for the few that were the employer's (issue 19, 1,000,000 cases: 258 ms through
    313,171 payments for an employer of 104 cases; about 3 ms this way)."""
    return _newest(queryset, queryset.order_by().values_list(*order, "pk"))


def employer_profile(user, raw_code) -> Profile:
    """The profile of the employer with this credit code as ``user`` may see it.

    422 (``InvalidInput``) for a code that is not valid; 404 when the viewer can see nothing
    about the employer (never reveal whether anyone else can).
    """
    code = normalised_code(raw_code)
    # the ids of every case and lead naming the employer, read first: as two subqueries ORed,
    # the transfers about them were a scan of the whole table (issue 19: 15–35 ms at 30,000
    # transfers); as lists (one parameter each) they are read through the case and lead indexes
    named_cases = sorted(
        CaseParty.objects.filter(role=PartyRole.RESPONDENT, party__credit_code=code)
        .order_by()
        .values_list("case_id", flat=True)
        .distinct()
    )
    named_leads = sorted(
        LeadParty.objects.filter(role=PartyRole.RESPONDENT, party__credit_code=code)
        .order_by()
        .values_list("lead_id", flat=True)
        .distinct()
    )
    cases = Case.objects.visible_to(user).filter(pk__among=named_cases)
    facts = list(
        cases.values(
            "pk",
            "status",
            "labour_relationship",
            "evasion",
            "signals",
            "organisation__province",
            "opened_on",
            *KEPT,
        )
    )
    visible_cases = frozenset(f["pk"] for f in facts)
    leads = Lead.objects.visible_to(user).filter(pk__among=named_leads)
    transfers = _newest_by(
        Transfer.objects.visible_to(user)
        .filter(Q(case_id__among=named_cases) | Q(lead_id__among=named_leads))
        .select_related("from_org", "to_org", "case", "lead"),
        "sent_at",
    )
    joint_actions = _listing(
        with_details(
            JointAction.objects.visible_to(user).filter(employer__credit_code=code)
        ).order_by("-on", "-id")
    )
    lead_rows = _newest_by(leads.select_related("organisation", "referring_org"), "created_at")
    with_claimant_counts(lead_rows.rows)
    if not (facts or lead_rows.rows or joint_actions.rows or transfers.rows):
        raise Http404
    lead_ids = {lead.pk for lead in lead_rows.rows}
    wanted = {t.lead_id for t in transfers.rows if t.lead_id} - lead_ids
    if wanted:
        lead_ids |= set(leads.filter(pk__in=wanted).values_list("pk", flat=True))
    # the cases by their ids (read above, sent as one parameter), so that each table below is
    # read by its case index: as a subquery of the viewer's scope, PostgreSQL joined every
    # payment of the province before keeping the employer's (issue 19: 0.7 s at 100,000 cases)
    in_cases = sorted(visible_cases)
    name = (
        Party.objects.filter(credit_code=code).order_by("pk").values_list("name", flat=True).first()
        or ""
    )
    return Profile(
        credit_code=code,
        name=name,
        cases=_newest(
            cases.select_related("organisation", "officer"),
            ((f["opened_on"], f["pk"]) for f in facts),
        ),
        leads=lead_rows,
        transfers=transfers,
        visits=_newest_by(
            Visit.objects.filter(case_id__among=in_cases).select_related("case"), "planned_on"
        ),
        joint_actions=Listing(views_for(user, joint_actions.rows), joint_actions.total),
        payments=_newest_by(
            Payment.objects.filter(case_id__among=in_cases).select_related(
                "case", "claimant__party", "joint_action_link", "reversal"
            ),
            "paid_on",
        ),
        money=CaseMoney.summed(facts),
        risk=_risk(facts, _claimants_of),
        visible_case_ids=visible_cases,
        visible_lead_ids=frozenset(lead_ids),
    )


def search_employers(user, q: str, limit: int = LIMIT) -> list[dict]:
    """Employers (by credit code) named as respondents in the viewer's cases whose name holds
    ``q``, or whose code is ``q``: [{"credit_code", "name", "cases"}], most cases first."""
    q = (q or "").strip()
    if not q:
        return []
    return present_employers(employer_rows(user, q)[:limit])


def employer_rows(user, q: str) -> QuerySet:
    """The search's rows before they are bounded and named, shared by the page and the Excel
    export: {"party__credit_code", "cases"} of the employers named as respondents in the
    viewer's cases that ``q`` finds (all of them when ``q`` is empty), most cases first."""
    q = (q or "").strip()
    parties = CaseParty.objects.filter(role=PartyRole.RESPONDENT).exclude(party__credit_code="")
    visible = Case.objects.visible_to(user)
    if q:
        check = valid_credit_code(q)
        # the cases' search text holds party names and credit codes (indexed for substrings)
        parties = parties.filter(case__in=visible.search(check or q).values("pk"))
        if check:
            parties = parties.filter(party__credit_code=check)
        else:
            parties = parties.filter(
                Q(party__name__icontains=q) | Q(party__credit_code__startswith=normalise(q))
            )
    else:
        parties = parties.filter(case__in=visible.values("pk"))
    return (
        parties.values("party__credit_code")
        .annotate(cases=Count("case", distinct=True))
        .order_by("-cases", "party__credit_code")
    )


def employer_names(codes: list[str]) -> dict[str, str]:
    """The name on record (the first party's) of each credit code."""
    names: dict[str, str] = {}
    for start in range(0, len(codes), 500):  # bounded IN lists, however many codes
        for code, name in (
            Party.objects.filter(credit_code__in=codes[start : start + 500])
            .order_by("pk")
            .values_list("credit_code", "name")
        ):
            names.setdefault(code, name)
    return names


def present_employers(rows) -> list[dict]:
    """``employer_rows`` as the page shows them: the name on record and the code masked."""
    rows = list(rows)
    names = employer_names([r["party__credit_code"] for r in rows])
    return [
        {
            "credit_code": r["party__credit_code"],
            "credit_code_masked": mask_credit_code(r["party__credit_code"]),
            "name": names.get(r["party__credit_code"], ""),
            "cases": r["cases"],
        }
        for r in rows
    ]


# --- the early-warning list (EW-1, EW-3) ---------------------------------------------------------
BLACKLIST_GROUNDS = {
    # rule EW-1: an order to pay by a deadline went unmet, and then
    "threshold": gettext_lazy("Order to pay unmet, arrears at the criminal threshold (EW-1 (i))"),
    "incident": gettext_lazy(
        "Order to pay unmet, the arrears caused a mass or extreme incident (EW-1 (ii))"
    ),
}


@dataclass(frozen=True)
class BlacklistCase:
    """A case that makes its employer a blacklist candidate, and the ground of rule EW-1 that
    fired (``BLACKLIST_GROUNDS``)."""

    number: str
    ground: str

    @property
    def label(self) -> str:
        return str(BLACKLIST_GROUNDS[self.ground])


def blacklist_grounds(case: dict, outstanding: Decimal, today) -> tuple[str, ...]:
    """The grounds of rule EW-1 a case meets. (i) "threshold": the criminal-lead check found
    the unpaid wages at the CR-4 threshold after an order to pay went unmet (the case's flag);
    (ii) "incident": the order's deadline passed with money still owed, and the arrears caused
    a mass or extreme incident (the risk signal recorded on the case)."""
    grounds = []
    if "criminal_lead_candidate" in (case["flags"] or []):
        grounds.append("threshold")
    deadline = case["payment_order_deadline"]
    if (
        RiskSignal.MASS_INCIDENT in (case["signals"] or [])
        and deadline is not None
        and deadline < today
        and outstanding > 0
    ):
        grounds.append("incident")
    return tuple(grounds)


@dataclass(frozen=True)
class EmployerRisk:
    """One employer of the viewer's open cases, with the EW-3 risk over them (as its profile
    scores it) and whether it is an EW-1 blacklist candidate."""

    credit_code: str
    name: str
    open_cases: int
    owed: Decimal
    risk: grading.Risk
    # the cases that make it an EW-1 blacklist candidate, with the ground that fired
    blacklist_cases: tuple[BlacklistCase, ...]

    @property
    def credit_code_masked(self) -> str:
        return mask_credit_code(self.credit_code)

    @property
    def badge(self) -> RiskBadge:
        return risk_badge(self.risk.level)


def employer_risks(user, credit_code: str = "") -> list[EmployerRisk]:
    """Every employer named in the viewer's open wage cases (or only the one with
    ``credit_code``), riskiest first: the open cases read once, their ledgers in three queries,
    and each province's rules loaded once."""
    cases = Case.objects.visible_to(user).filter(status=CaseStatus.OPEN, category="wages")
    if credit_code:
        cases = cases.filter(
            pk__in=CaseParty.objects.filter(
                role=PartyRole.RESPONDENT, party__credit_code=credit_code
            ).values("case_id")
        )
    facts = list(
        cases.values(
            "pk",
            "number",
            "status",
            "labour_relationship",
            "evasion",
            "signals",
            "flags",
            "payment_order_deadline",
            "organisation__province",
            "owed_total",
        )
    )
    if not facts:
        return []
    by_case = {f["pk"]: f for f in facts}
    # one employer's cases by id (their scope was just read; one parameter); everyone's by the
    # subquery
    in_cases = Q(case_id__among=sorted(by_case)) if credit_code else Q(case__in=cases.values("pk"))
    named: dict[str, set[int]] = {}
    respondents = CaseParty.objects.filter(in_cases, role=PartyRole.RESPONDENT)
    if credit_code:
        respondents = respondents.filter(party__credit_code=credit_code)
    for case_id, code in respondents.exclude(party__credit_code="").values_list(
        "case_id", "party__credit_code"
    ):
        named.setdefault(code, set()).add(case_id)
    claimants_by_case: dict[int, list[tuple]] = defaultdict(list)
    for row in CaseParty.objects.filter(in_cases, role=PartyRole.CLAIMANT).values_list(
        "case_id", "party_id", "months_unpaid", "groups"
    ):
        claimants_by_case[row[0]].append(row)

    def claimants_of(open_cases: dict[int, dict]) -> Claimants:
        rows = [r for pk in open_cases for r in claimants_by_case[pk]]
        return Claimants(
            people=len({r[1] for r in rows}),
            max_months_unpaid=max((r[2] or 0 for r in rows), default=0),
            groups=frozenset(g for r in rows for g in r[3] or []),
        )

    rules_for = cache(_rules)  # each province's rules loaded once
    names = employer_names(list(named))
    today = timezone.localdate()
    owed = {f["pk"]: f["owed_total"] for f in facts}
    grounds = {f["pk"]: blacklist_grounds(f, owed[f["pk"]], today) for f in facts}
    found = []
    for code, ids in named.items():
        mine = [by_case[i] for i in ids]
        found.append(
            EmployerRisk(
                credit_code=code,
                name=names.get(code, ""),
                open_cases=len(ids),
                owed=sum((owed[i] for i in ids), ZERO),
                risk=_risk(mine, claimants_of, rules_for),
                blacklist_cases=tuple(
                    sorted(
                        (
                            BlacklistCase(f["number"], ground)
                            for f in mine
                            for ground in grounds[f["pk"]]
                        ),
                        key=lambda b: (b.number, b.ground),
                    )
                ),
            )
        )
    return sorted(found, key=lambda e: (-e.risk.score, -e.owed, e.credit_code))
