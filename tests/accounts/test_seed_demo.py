"""The seed_demo command: API.md "Demo data (`seed_demo`)" and "Running it".

The cases are taken through the real disposal services, so what the demo shows must agree with
the records: stage guards met, outcomes consistent with the ledger, visits with the payments.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import RequestFactory
from django.utils import timezone

from zhichi.accounts.models import Department, Organisation, Role, User
from zhichi.audit.models import AuditEntry
from zhichi.audit.services import verify_chain
from zhichi.cases import guards
from zhichi.cases.ledger import ledger_for
from zhichi.cases.models import (
    Approval,
    ApprovalStatus,
    Case,
    CaseDeadline,
    CaseStatus,
    CourtEvent,
    CourtEventKind,
    DeadlineStatus,
    Flag,
    Mediation,
    MediationOutcome,
    Outcome,
    Payment,
    Stage,
    TimelineEvent,
    Visit,
)
from zhichi.cases.services.derived import deadline_state
from zhichi.core.identifiers import validate_credit_code, validate_id_number, validate_phone
from zhichi.demo.management.commands.seed_demo import DEMO_USERNAMES, plan_leads
from zhichi.intake.models import Lead, LeadParty, LeadStatus
from zhichi.intake.services import find_duplicates
from zhichi.parties.models import Party, PartyKind

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

PASSWORD = "zhichi-demo"

ORGS = {
    "WHPROC": ("五华区人民检察院", "procuratorate"),
    "WHHRSS": ("五华区人力资源和社会保障局", "labour_bureau"),
    "WHWF": ("五华区妇女联合会", "womens_federation"),
    "WHLAC": ("五华区法律援助中心", "legal_aid"),
    "WHCOURT": ("五华区人民法院", "court"),
    "WHMED": ("五华区人民调解委员会", "mediation"),
}
USERS = {
    "civil1": ("officer", "WHPROC", "civil"),
    "civil2": ("officer", "WHPROC", "civil"),
    "civilhead": ("head", "WHPROC", "civil"),
    "criminal1": ("officer", "WHPROC", "criminal"),
    "chief": ("chief", "WHPROC", None),
    "registrar1": ("registrar", "WHPROC", "registry"),
    "hrss1": ("partner", "WHHRSS", None),
    "wf1": ("partner", "WHWF", None),
    "lac1": ("partner", "WHLAC", None),
    "court1": ("partner", "WHCOURT", None),
    "sysadmin": ("sysadmin", "WHPROC", None),
    "secadmin": ("secadmin", "WHPROC", None),
    "auditor": ("auditor", "WHPROC", None),
}


def seed(leads: int = 20) -> str:
    out = StringIO()
    call_command("seed_demo", "--force", f"--leads={leads}", stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {
        "organisations": Organisation.objects.count(),
        "departments": Department.objects.count(),
        "users": User.objects.count(),
        "leads": Lead.objects.count(),
        "cases": Case.objects.count(),
        "parties": Party.objects.count(),
        "timeline": TimelineEvent.objects.count(),
        "mediations": Mediation.objects.count(),
        "approvals": Approval.objects.count(),
        "court_events": CourtEvent.objects.count(),
        "payments": Payment.objects.count(),
        "visits": Visit.objects.count(),
        "deadlines": CaseDeadline.objects.count(),
        "audit": AuditEntry.objects.count(),
    }


def has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def test_refuses_without_force_when_debug_is_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--force"):
        call_command("seed_demo", stdout=StringIO())
    assert not Organisation.objects.exists()
    assert not User.objects.exists()


def test_runs_without_force_when_debug_is_on(settings):
    settings.DEBUG = True
    call_command("seed_demo", "--leads=0", stdout=StringIO())
    assert User.objects.filter(username__in=DEMO_USERNAMES).count() == len(DEMO_USERNAMES)


def test_organisations_and_departments_as_documented():
    seed(leads=0)
    orgs = {o.code: o for o in Organisation.objects.all()}
    assert set(orgs) == set(ORGS)
    for code, (name, kind) in ORGS.items():
        assert (orgs[code].name, orgs[code].kind) == (name, kind)
        assert (orgs[code].province, orgs[code].district) == ("53", "530102")
        assert orgs[code].is_active
    assert orgs["WHPROC"].short_name == "五华检"
    departments = {d.code: d.name for d in orgs["WHPROC"].departments.all()}
    assert departments == {
        "civil": "民事检察部",
        "criminal": "刑事检察部",
        "registry": "案件管理部",
    }


def test_users_roles_and_passwords_as_documented():
    output = seed(leads=0)
    users = {
        u.username: u
        for u in User.objects.select_related("organisation", "department").exclude(
            role=Role.PORTAL  # the portal's system account, which files the demo applications
        )
    }
    assert set(users) == set(USERS)
    for username, (role, org, dept) in USERS.items():
        user = users[username]
        assert user.role == role
        assert user.organisation.code == org
        assert (user.department.code if user.department else None) == dept
        assert user.is_active and not user.is_superuser
        assert user.check_password(PASSWORD)
        request = RequestFactory().post("/accounts/login/")
        assert authenticate(request, username=username, password=PASSWORD) == user
        # a Chinese full name, e.g. 李明
        assert 2 <= len(user.first_name) <= 4
        assert all("\u4e00" <= ch <= "\u9fff" for ch in user.first_name)
        assert username in output  # the logins table
    assert users["chief"].role == Role.CHIEF
    assert PASSWORD in output


def test_second_run_creates_nothing():
    seed(leads=30)
    before = counts()
    assert before["payments"] and before["visits"]
    output = seed(leads=30)
    assert counts() == before
    assert "no new leads" in output


def test_rerun_repairs_demo_users():
    seed(leads=0)
    civil1 = User.objects.get(username="civil1")
    civil1.role = Role.PARTNER
    civil1.department = None
    civil1.organisation = Organisation.objects.get(code="WHWF")
    civil1.is_active = False
    civil1.set_password("something-else")
    civil1.save()
    seed(leads=0)
    civil1.refresh_from_db()
    assert civil1.role == Role.OFFICER
    assert civil1.organisation.code == "WHPROC"
    assert civil1.department.code == "civil"
    assert civil1.is_active
    assert civil1.check_password(PASSWORD)


def test_small_seed_covers_every_stage_and_status():
    seed(leads=20)
    # the leads asked for, besides the three of the labour bureau's imported list and the three
    # applications sent through the public portal
    assert Lead.objects.exclude(source__in=["import", "portal"]).count() == 20
    assert Lead.objects.filter(source="import").count() == 3
    assert Lead.objects.filter(source="portal").count() == 3
    statuses = Counter(Lead.objects.values_list("status", flat=True))
    for status in (LeadStatus.NEW, LeadStatus.ACCEPTED, LeadStatus.DECLINED):
        assert statuses[status] >= 1, status
    stages = Counter(Case.objects.values_list("stage", flat=True))
    for stage in Stage.values:
        assert stages[stage] >= 1, stage
    assert verify_chain().ok


def test_case_lives_agree_with_the_records():
    output = seed(leads=30)
    today = timezone.localdate()
    cases = list(Case.objects.all())
    stages = Counter(case.stage for case in cases)
    for stage in Stage.values:
        assert stages[stage] >= 1, stage

    for case in cases:
        timeline = case.timeline.all()
        went_to_litigation = timeline.filter(kind="stage_changed", data__to=Stage.LITIGATION)
        decided = case.court_events.filter(
            kind__in=[CourtEventKind.JUDGMENT, CourtEventKind.RULING]
        ).exists()
        # litigation (and whatever followed it) only with an approved support decision, and
        # with the arbitration_first flag only after an arbitration award
        if case.stage == Stage.LITIGATION or went_to_litigation.exists() or decided:
            assert guards.approved_support(case), case.number
            if case.has_flag(Flag.ARBITRATION_FIRST):
                assert guards.has_arbitration_award(case), case.number
        if case.stage == Stage.POST_LITIGATION:
            assert guards.has_enforceable_title(case), case.number
        # the closing outcome agrees with the ledger
        book = ledger_for(case)
        if case.stage == Stage.CLOSED:
            assert case.status == CaseStatus.CLOSED and case.outcome, case.number
            assert today >= case.closed_on >= case.opened_on
        else:
            assert case.status == CaseStatus.OPEN and not case.outcome
        if case.outcome == Outcome.RECOVERED_IN_FULL:
            assert book.paid_in_full and book.totals["outstanding"] == 0, case.number
            assert book.totals["recovered"] > 0, case.number
        if case.outcome == Outcome.PARTLY_RECOVERED:
            assert book.totals["recovered"] > 0, case.number
            assert book.totals["outstanding"] > 0, case.number
        if case.outcome == Outcome.NOT_RECOVERED:
            assert book.totals["recovered"] == 0, case.number
        # nothing happened after today, nor before the case was opened, but the lead's own
        # history, which starts on its receipt date (issue 13, item 11)
        lead_kinds = {"lead_received", "lead_duplicate_check", "lead_accepted"}
        for e in timeline:
            start = case.lead.received_on if e.kind in lead_kinds else case.opened_on
            assert start <= timezone.localdate(e.at) <= today, (case.number, e.kind)
        assert timeline[0].kind == "lead_received", case.number

    # every agreement's instalments add up to the agreed amount, about 70-100 % of the claim
    agreements = Mediation.objects.filter(outcome=MediationOutcome.AGREEMENT)
    assert agreements.exists()
    for mediation in agreements:
        instalments = list(mediation.instalments.all())
        assert 1 <= len(instalments) <= 3
        assert sum(i.amount for i in instalments) == mediation.agreed_amount
        claimed = mediation.case.claimed_total
        assert claimed * Decimal("0.69") <= mediation.agreed_amount <= claimed
    for judgment in CourtEvent.objects.filter(kind=CourtEventKind.JUDGMENT).exclude(
        amount_awarded=None
    ):
        assert judgment.served_on and judgment.served_on >= judgment.on
        claimed = judgment.case.claimed_total
        assert claimed * Decimal("0.79") <= judgment.amount_awarded <= claimed

    # a visit found "paid in full" exactly when the ledger said so at the time
    visits = TimelineEvent.objects.filter(kind="visit_done").select_related("case")
    assert visits.exists()
    for event in visits:
        visit = Visit.objects.get(pk=event.data["visit"])
        assert has_chinese(visit.findings)
        rows = ledger_for(event.case).rows
        paid = {
            row.claimant.pk: sum(
                (p.amount for p in row.claimant.payments.filter(recorded_at__lte=event.at)),
                Decimal("0"),
            )
            for row in rows
        }
        in_full = all(paid[row.claimant.pk] >= row.due for row in rows)
        assert visit.paid_in_full is in_full, event.case.number

    # the head decided support and not-support proposals; a not-support case did not go to court
    assert Approval.objects.filter(
        status=ApprovalStatus.APPROVED,
        payload__decision="support",
        decided_by__username="civilhead",
    ).exists()
    not_support = Approval.objects.filter(
        status=ApprovalStatus.APPROVED, payload__decision="not_support"
    )
    assert not_support.exists()
    for approval in not_support:
        assert approval.case.stage in (Stage.REVIEW, Stage.CLOSED)
        assert approval.case.outcome in ("", Outcome.WITHDRAWN)

    # the workbench has something to show: overdue work and work due this week
    pending = CaseDeadline.objects.filter(status=DeadlineStatus.PENDING)
    assert any(deadline_state(d, today) == "overdue" for d in pending)
    assert any(today <= d.due <= today + timedelta(days=7) for d in pending)

    for word in ("mediations:", "approvals:", "court events:", "payments:", "visits:", "recovered"):
        assert word in output
    assert verify_chain().ok


def test_default_seed_is_a_year_of_realistic_work():
    output = seed(leads=120)
    today = timezone.localdate()
    leads = list(
        Lead.objects.select_related("created_by", "referring_org").exclude(
            source__in=["import", "portal"]
        )
    )
    assert len(leads) == 120
    assert all(today - timedelta(days=365) < lead.received_on <= today for lead in leads)
    assert max(lead.received_on for lead in leads) - min(lead.received_on for lead in leads) > (
        timedelta(days=300)
    )

    statuses = Counter(lead.status for lead in leads)
    assert 80 <= statuses[LeadStatus.ACCEPTED] <= 100
    assert 6 <= statuses[LeadStatus.DECLINED] <= 18
    assert statuses[LeadStatus.NEW] >= 10
    newest = sorted(leads, key=lambda lead: lead.received_on)[-5:]
    assert all(lead.status == LeadStatus.NEW for lead in newest)
    for lead in leads:
        if lead.status == LeadStatus.DECLINED:
            assert lead.decline_reason and lead.decline_redirect

    categories = Counter(lead.category for lead in leads)
    assert categories["wages"] > 60
    assert len(categories) >= 5
    sources = Counter(lead.source for lead in leads)
    assert {"walk_in", "hotline", "agency"} <= set(sources)
    agency = [lead for lead in leads if lead.source == "agency"]
    assert {lead.created_by.username for lead in agency} <= {"hrss1", "wf1"}
    assert all(lead.referring_org == lead.created_by.organisation for lead in agency)
    assert any(lead.payment_order_deadline for lead in leads)

    cases = list(Case.objects.select_related("officer").exclude(source="portal"))
    assert len(cases) == statuses[LeadStatus.ACCEPTED]
    # the one portal application the demo has accepted
    assert Case.objects.filter(source="portal").count() == 1
    stages = Counter(case.stage for case in cases)
    for stage in Stage.values:
        assert stages[stage] >= 1, stage
    assert {case.officer.username for case in cases} <= {"civil1", "civil2"}
    # older cases are further along
    oldest = sorted(cases, key=lambda case: case.received_on)[:10]
    assert sum(case.stage == Stage.CLOSED for case in oldest) >= 8
    for case in cases:
        assert case.opened_on >= case.received_on
        if case.stage == Stage.CLOSED:
            assert case.closed_on and case.closed_on >= case.opened_on
    # the cases span two numbering years when the year began within the last 365 days
    assert len({case.year for case in cases}) == len({case.opened_on.year for case in cases})

    # disposal: mediations that fail and that agree, proposals sent back and approved, court
    # events of every kind used, money recovered only through payments, visits done
    mediations = Counter(Mediation.objects.values_list("outcome", flat=True))
    assert mediations[MediationOutcome.AGREEMENT] >= 5 and mediations[MediationOutcome.FAILED] >= 5
    approvals = Counter(Approval.objects.values_list("status", flat=True))
    assert approvals[ApprovalStatus.REJECTED] >= 1 and approvals[ApprovalStatus.APPROVED] >= 20
    events = Counter(CourtEvent.objects.values_list("kind", flat=True))
    for kind in ("arbitration_award", "filed", "hearing", "judgment", "enforcement_filed"):
        assert events[kind] >= 1, kind
    outcomes = Counter(case.outcome for case in cases if case.outcome)
    for outcome in ("recovered_in_full", "partly_recovered", "withdrawn"):
        assert outcomes[outcome] >= 1, outcome
    recovered = sum((ledger_for(case).totals["recovered"] for case in cases), Decimal("0"))
    assert recovered == sum(Payment.objects.values_list("amount", flat=True)) > 0
    assert Visit.objects.filter(done_on__isnull=False).count() >= 10

    # the duplicate panel has something to show, both kinds
    visible = Lead.objects.all()
    reasons = Counter(d.reason for lead in leads for d in find_duplicates(lead, visible=visible))
    assert reasons["same_claimant"] >= 2
    assert reasons["same_respondent"] >= 2

    # judicial assistance at every step of the chain, lawyers on the answered legal aid referrals
    from zhichi.assistance.models import AssistanceApplication, LegalAidReferral

    steps = Counter(AssistanceApplication.objects.values_list("status", flat=True))
    for status in ("received", "in_approval", "granted", "paid"):
        assert steps[status] >= 1, status
    assert AssistanceApplication.objects.filter(urgent=True).exists()
    granted = AssistanceApplication.objects.get(status="granted")
    assert granted.funds_arrived_on and not granted.notified_on  # the notice is due
    assert LegalAidReferral.objects.filter(outcome="representing").count() == 1

    assert verify_chain().ok
    assert "review" in output and "closed" in output


def test_seeded_identifiers_are_valid():
    seed(leads=30)
    today = timezone.localdate()
    ids, phones = set(), set()
    # a person who applies through the portal may leave the ID number out, and does not know the
    # foreman's: those are asked for when the procuratorate calls back
    from_portal_only = set(
        LeadParty.objects.filter(lead__source="portal").values_list("party_id", flat=True)
    ) - set(LeadParty.objects.exclude(lead__source="portal").values_list("party_id", flat=True))
    for party in Party.objects.exclude(pk__in=from_portal_only):
        if party.kind == PartyKind.PERSON:
            assert party.id_number, party.name
            assert validate_id_number(party.id_number, today=today).valid
            ids.add(party.id_number)
            if party.phone:
                assert validate_phone(party.phone).valid
                phones.add(party.phone)
        else:
            check = validate_credit_code(party.credit_code)
            assert check.valid and not check.warnings, party.credit_code
    assert len(ids) > 30 and len(phones) > 10
    # that none of them is stored in clear is rule R4's test (tests/test_r4_at_rest.py)


def test_plan_is_deterministic():
    now = timezone.now()
    today = timezone.localdate()
    first = plan_leads(40, today, now)
    second = plan_leads(40, today, now)
    assert [(p.actor, p.data, p.created_at, p.decision, p.steps) for p in first] == [
        (p.actor, p.data, p.created_at, p.decision, p.steps) for p in second
    ]
    # every step happens after the decision and not after now, in order
    for plan in first:
        times = [step.at for step in plan.steps]
        assert times == sorted(times)
        assert all(plan.decided_at < at <= now for at in times)
    assert {p.target for p in first if p.decision == "accept"} == set(Stage.values)
    other = plan_leads(40, today, now, seed=1)
    assert [p.data for p in other] != [p.data for p in first]
