"""What is derived from a case's records: its deadlines (TL-), its grade (C3) and its flags.

These run inside the transaction of the service that changed the records, so the derived state
always matches the records it comes from.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Max, Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from zhichi.accounts.models import department_heads
from zhichi.accounts.notify import notify
from zhichi.cases import ledger as ledger_mod
from zhichi.cases import partner_view, words
from zhichi.cases.choices import risk_inputs
from zhichi.cases.models import (
    Case,
    CaseDeadline,
    CaseParty,
    CaseStatus,
    CourtEvent,
    CourtEventKind,
    DeadlineStatus,
    Flag,
    Instalment,
    Mediation,
    MediationOutcome,
    PartyRole,
    Payment,
    Stage,
    Visit,
)
from zhichi.common.words import Phrase, message
from zhichi.core import calendar as cal_mod
from zhichi.core import criminal, grading
from zhichi.rulebook import loaders
from zhichi.rulebook.words import stored_check

# deadlines that are someone's work: only these count as overdue on the workbench (higher apps
# add theirs with register_deadline_source)
ACTION_KINDS: set[str] = {
    "review",
    "judicial_confirmation",
    "instalment",
    "enforcement_application",
    "visit",
}

# Higher apps' deadlines on a case (e.g. an assistance decision, JA-6; a suggestion's reply,
# TL-9): each source is called with (case, calendar, today) inside the refreshing transaction and
# returns rows in the shape of ``deadline_row``'s answer. Its own kinds count as someone's work.
DEADLINE_SOURCES: list[Callable[[Case, cal_mod.HolidayCalendar, date], list[dict]]] = []


def register_deadline_source(
    source: Callable[[Case, cal_mod.HolidayCalendar, date], list[dict]],
    *,
    kinds: set[str],
    labels: Mapping[str, Phrase],
    partner_kinds: frozenset[str] = frozenset(),
) -> None:
    """``labels``: the phrase of each of ``kinds`` (cases.words.DEADLINE_LABELS; the rows store
    ``{"code": kind, "params": ...}`` as their label). ``partner_kinds``: those of ``kinds`` that
    partner agencies viewing the case may see (zhichi/cases/partner_view.py); by default none,
    the deadlines stay internal."""
    if not set(partner_kinds) <= set(kinds):
        raise ValueError(f"partner_kinds {sorted(partner_kinds)} are not among {sorted(kinds)}")
    if set(labels) != set(kinds):
        raise ValueError(f"labels {sorted(labels)} are not those of the kinds {sorted(kinds)}")
    words.DEADLINE_LABELS.update(labels)
    if source not in DEADLINE_SOURCES:
        DEADLINE_SOURCES.append(source)
    ACTION_KINDS.update(kinds)
    partner_view.allow_deadline_kinds(partner_kinds)


APPEAL_KIND = {CourtEventKind.JUDGMENT: "appeal_judgment", CourtEventKind.RULING: "appeal_ruling"}


def deadline_row(
    key,
    kind,
    label: dict,
    result: cal_mod.Deadline,
    *,
    basis: dict | None = None,
    done_on: date | None = None,
    survives_closing: bool = False,
):
    """One deadline in the shape refresh_deadlines stores. ``label`` and ``basis`` are stored
    messages (``message(code, **params)``, cases.words); the basis defaults to the statutory
    period's own. ``survives_closing``: still owed after the case is closed (a suggestion's
    reply, the notice of aid paid later), so not cancelled."""
    if basis is None:
        basis = message(result.kind) if result.kind else {}
    return {
        "key": key,
        "kind": kind,
        "label": label,
        "due": result.due,
        "rule": result.rule,
        "basis": basis,
        "calendar_complete": result.calendar_complete,
        "done_on": done_on,
        "survives_closing": survives_closing,
    }


def desired_deadlines(case: Case) -> list[dict]:
    cal = loaders.holiday_calendar()
    today = timezone.localdate()
    out: list[dict] = []

    # SP-8 (configurable, unverified nationally): the review stage has a time limit
    review_days = settings.ZHICHI["REVIEW_DAYS"]
    left_review = case.timeline.filter(kind="stage_changed", data__from=Stage.REVIEW).aggregate(
        m=Max("at")
    )["m"]
    out.append(
        deadline_row(
            "review",
            "review",
            message("review"),
            cal_mod.add_days(case.opened_on, review_days, cal, rule="SP-8"),
            basis=message("review_time_limit"),
            done_on=timezone.localdate(left_review) if left_review else None,
        )
    )

    paid_total = case.recovered_total  # net of reversals (C6), kept by refresh
    rulings = sorted(e.on for e in CourtEvent.objects.filter(case=case, kind=CourtEventKind.RULING))
    agreements = Mediation.objects.filter(case=case, outcome=MediationOutcome.AGREEMENT)
    agreements = agreements.prefetch_related(
        Prefetch("instalments", queryset=Instalment.objects.order_by("due", "id"))
    )
    last_paid_on = None  # read once, and only when some instalment is settled
    for mediation in agreements:
        # rule TL-6: moot once a court's confirmation ruling is recorded or the agreement is paid
        confirmed = next((day for day in rulings if day >= mediation.held_on), None)
        performed = mediation.agreed_amount is not None and paid_total >= mediation.agreed_amount
        out.append(
            deadline_row(
                f"confirmation:{mediation.pk}",
                "judicial_confirmation",
                message("judicial_confirmation", day=mediation.held_on.isoformat()),
                cal_mod.compute("judicial_confirmation", mediation.held_on, cal),
                done_on=confirmed or (today if performed else None),
            )
        )
        running = Decimal("0")
        for inst in mediation.instalments.all():
            running += inst.amount
            settled = paid_total >= running
            if settled and last_paid_on is None:
                paid = Payment.objects.standing().filter(case=case)
                last_paid_on = paid.aggregate(m=Max("paid_on"))["m"] or today
            out.append(
                {
                    "key": f"instalment:{inst.pk}",
                    "kind": "instalment",
                    "label": message("instalment", amount=f"{inst.amount:.2f}"),
                    "due": inst.due,
                    "rule": "TL-6",
                    # the suggested next step if the instalment stays unpaid (C4)
                    "basis": message("instalment_if_unpaid"),
                    "calendar_complete": True,
                    "done_on": last_paid_on if settled else None,
                }
            )

    events = list(CourtEvent.objects.filter(case=case).prefetch_related("services"))
    enforcement_filed = any(e.kind == CourtEventKind.ENFORCEMENT_FILED for e in events)
    for event in events:
        if event.kind not in APPEAL_KIND:
            continue
        appeal_ends = []
        for service in event.services.all():
            result = cal_mod.compute(APPEAL_KIND[event.kind], service.served_on, cal)
            appeal_ends.append(result.due)
            out.append(
                deadline_row(
                    f"appeal:{service.pk}",
                    "appeal",
                    message("appeal", person=service.person),
                    result,
                    done_on=result.due if result.due < today else None,
                )
            )
        if event.amount_awarded:
            # rule TL-5: two years from the last day of the performance period; without one,
            # from when the decision takes effect (the appeal periods have run out)
            start = event.performance_due or (max(appeal_ends) if appeal_ends else event.on)
            out.append(
                deadline_row(
                    f"enforcement:{event.pk}",
                    "enforcement_application",
                    message(
                        "enforcement_application",
                        court_kind=event.kind,
                        day=event.on.isoformat(),
                    ),
                    cal_mod.compute("enforcement_application", start, cal),
                    done_on=today if enforcement_filed else None,
                )
            )

    for visit in Visit.objects.filter(case=case):
        out.append(
            {
                "key": f"visit:{visit.pk}",
                "kind": "visit",
                "label": message("visit", target=visit.target),
                "due": visit.planned_on,
                "rule": "C6",
                "basis": {},
                "calendar_complete": True,
                "done_on": visit.done_on,
            }
        )
    for source in DEADLINE_SOURCES:
        out.extend(source(case, cal, today))
    if case.status == CaseStatus.CLOSED:
        for d in out:
            # closing ends what was still open, except what is owed after it
            d["cancelled"] = d["done_on"] is None and not d.get("survives_closing")
    return out


def refresh(case: Case) -> None:
    """Everything kept from a case's records, after a change to them (inside its transaction):
    the ledger's totals on the case (C6), then its deadlines, which read them."""
    ledger_mod.keep_totals(case)
    refresh_deadlines(case)


def refresh_deadlines(case: Case) -> None:
    """Recompute the case's deadlines from its records (call inside the changing transaction)."""
    wanted = {d["key"]: d for d in desired_deadlines(case)}
    existing = {d.key: d for d in CaseDeadline.objects.filter(case=case)}
    for key, d in wanted.items():
        values = {
            "kind": d["kind"],
            "label_words": d["label"],
            "due": d["due"],
            "rule": d["rule"],
            "basis_words": d["basis"],
            "calendar_complete": d["calendar_complete"],
            "status": DeadlineStatus.DONE
            if d["done_on"]
            else (DeadlineStatus.CANCELLED if d.get("cancelled") else DeadlineStatus.PENDING),
            "done_on": d["done_on"],
        }
        row = existing.get(key)
        if row is None:
            CaseDeadline.objects.create(case=case, key=key, **values)
        elif any(getattr(row, f) != v for f, v in values.items()):
            CaseDeadline.objects.filter(pk=row.pk).update(**values)
    stale = set(existing) - set(wanted)
    if stale:
        CaseDeadline.objects.filter(case=case, key__in=stale).delete()


def deadline_state(deadline: CaseDeadline, today: date | None = None) -> str:
    """pending | done | overdue (API.md): overdue only for deadlines that are someone's work."""
    today = today or timezone.localdate()
    if deadline.status == DeadlineStatus.DONE:
        return "done"
    if deadline.status == DeadlineStatus.CANCELLED:
        return "cancelled"
    if deadline.due < today and deadline.kind in ACTION_KINDS:
        return "overdue"
    return "pending"


def working_days_left(due: date, today: date | None = None, cal=None) -> int:
    """Working days from tomorrow through ``due`` (0 when due today, negative when past).

    Pass ``cal`` when computing many rows, so the calendar is loaded once.
    """
    today = today or timezone.localdate()
    cal = cal or loaders.holiday_calendar()
    if due < today:
        return -sum(
            1 for n in range((today - due).days) if cal.is_working_day(due + timedelta(days=n + 1))
        )
    return sum(
        1 for n in range((due - today).days) if cal.is_working_day(today + timedelta(days=n + 1))
    )


# --- grading and flags (C3, CR-, EW-3) ---------------------------------------------------------
# rules CR-1, CR-4, CR-5: the verdicts that make a case a criminal-lead candidate. A verdict that
# depends on a province figure nobody has entered is not one (issue 13, item 4): it is flagged
# apart, in a neutral style, until the figure is entered (cases.criminal_flag).
CANDIDATE_VERDICTS = frozenset({"transfer", "order_first"})
THRESHOLD_UNKNOWN_VERDICTS = frozenset({"depends_on_province_config"})


def criminal_verdict(case: Case, parties: list[CaseParty], as_of: date):
    """The criminal-lead evaluator on the case's facts (rules CR-1 … CR-8), wage cases only:
    the evaluator's Verdict, or None when it does not apply or its configuration is missing."""

    if case.category != "wages":
        return None
    claimants = [p for p in parties if p.role == PartyRole.CLAIMANT]
    workers = [
        criminal.Worker(amount=p.amount_claimed or Decimal("0"), months=p.months_unpaid or 0)
        for p in claimants
    ]
    order = None
    if case.payment_order_issued_on or case.payment_order_deadline:
        order = criminal.PaymentOrder(
            issued_on=case.payment_order_issued_on,
            deadline=case.payment_order_deadline,
            authority=case.payment_order_authority,
        )
    claimed = sum((p.amount_claimed or Decimal("0") for p in claimants), Decimal("0"))
    paid = ledger_mod.ledger_for(case).totals["recovered"]  # net of reversals (C6)
    # rules CR-6/CR-7: paying in full after the order (before 立案) may take it out of crime
    paid_after_order = order is not None and claimed > 0 and paid >= claimed
    province = case.organisation.province
    try:
        return criminal.evaluate(
            workers=workers,
            as_of=as_of,
            thresholds=loaders.criminal_thresholds(province, as_of),
            national=loaders.national_range(as_of),
            payment_order=order,
            paid_after_order=paid_after_order,
            evasion=list(case.evasion or []),
            province=province,
        )
    except (ValueError, loaders.MissingConfiguration):
        return None


def alert_heads(case: Case, score: int) -> None:
    """rule EW-3: the case's risk of a mass wage dispute has reached the alert score; its
    department's heads are told once (per case and head), with the advice to contact the labour
    bureau or the wage-arrears office."""
    if case.department_id is None:
        return
    for head in department_heads(case.department_id):
        notify(
            user=head,
            kind="risk",
            text=_(
                "Case %(number)s: the risk of a mass wage dispute scores %(score)s. Consider "
                "contacting the labour bureau (人社) or the wage-arrears office (根治欠薪办)."
            )
            % {"number": case.number, "score": score},
            url=case.get_absolute_url(),
            dedupe_key=f"risk:{case.pk}:{head.pk}",
            email=True,
        )


# What the apps above want done each time a case is graded again, in the same transaction (the
# employers' risk alert, rule EW-3): registered once, from their AppConfig.ready.
AFTER_REGRADE: list[Callable[[Case], None]] = []


def after_regrade(hook: Callable[[Case], None]) -> None:
    if hook not in AFTER_REGRADE:
        AFTER_REGRADE.append(hook)


def regrade(case: Case) -> None:
    """Grade the case from its facts (C3) and set the criminal-lead and mass-risk flags.

    A head's override keeps its level; the reasons still show what the rules would say. The
    reasons and the check are stored as codes with values and put into words when shown
    (cases.words, rulebook.words).
    """

    as_of = timezone.localdate()
    parties = list(case.parties.all())
    claimants = [p for p in parties if p.role == PartyRole.CLAIMANT]
    groups = frozenset(g for p in claimants for g in (p.groups or []))
    checked = criminal_verdict(case, parties, as_of)
    verdict = checked.verdict if checked else None
    case.criminal_check = (
        {**stored_check(checked), "checked_on": as_of.isoformat()} if checked else {}
    )
    facts = grading.Facts(
        category=case.category,
        claimants=len(claimants),
        total_claimed=sum((p.amount_claimed or Decimal("0") for p in claimants), Decimal("0")),
        max_months_unpaid=max((p.months_unpaid or 0 for p in claimants), default=0),
        groups=groups,
        labour_relationship=case.labour_relationship,
        evasion=frozenset(case.evasion or []),
        criminal_verdict=verdict,
        as_of=as_of,
        **risk_inputs(case.signals),
    )
    thresholds = loaders.criminal_thresholds(case.organisation.province, as_of)
    collective = thresholds.collective if thresholds else None
    try:
        fallback = loaders.national_range(as_of).collective_floor
    except loaders.MissingConfiguration:
        fallback = None  # the grading module's own statement of 法释〔2013〕3号 then applies
    risk = grading.risk(
        facts,
        loaders.risk_rules(as_of, collective),
    )
    result = grading.grade(
        facts,
        grading.GradingRules(standard_amount=collective, fallback_standard_amount=fallback)
        if fallback
        else grading.GradingRules(standard_amount=collective),
        risk,
    )
    flags = [f for f in (case.flags or []) if f == Flag.ARBITRATION_FIRST]
    if verdict in CANDIDATE_VERDICTS:
        flags.append(Flag.CRIMINAL_LEAD_CANDIDATE)
    elif verdict in THRESHOLD_UNKNOWN_VERDICTS:
        flags.append(Flag.CRIMINAL_THRESHOLD_UNKNOWN)
    if risk.level == "high":
        flags.append(Flag.MASS_DISPUTE_RISK)
        if Flag.MASS_DISPUTE_RISK not in (case.flags or []):
            alert_heads(case, risk.score)
    reasons = words.stored_reasons(result.reasons)
    level = result.level
    if case.level_overridden_by_id:
        level = case.level
        reasons.insert(0, message("level_set_by_head", reason=case.level_override_reason))
    case.level, case.level_reasons, case.flags = level, reasons, flags
    case.risk_score = risk.score
    case.risk_reasons = words.stored_reasons(risk.reasons)
    Case.objects.filter(pk=case.pk).update(
        level=level,
        level_reasons=reasons,
        flags=flags,
        risk_score=risk.score,
        risk_reasons=case.risk_reasons,
        criminal_check=case.criminal_check,
    )
    for after in AFTER_REGRADE:
        after(case)
