"""The case page as one builder: what it shows of a case (stage, money, deadlines, disposal
forms, parties, timeline, the sections other apps add) for a request, and the case-page step
helpers the posting views share (show the page again with a form and its errors, or go back to
the case with a message). Views import it; it imports no view.

The page reads through ``selectors`` and shows rows from ``presenters`` (what the API shows of
the same records comes from the same functions). The posting views, one module per area
(``views_mediation``, ``views_litigation``, ``views_payments``, ``views_visits``,
``views_closing``, ``views_facts``, ``views_parties``), only shape pages: every change is a
service call, which validates the input and decides who may do what (``InvalidInput`` → the
form again with its errors, 422; ``NotPermitted`` → 403; ``StaleVersion`` → a message and the
case page). Objects outside the user's scope are 404."""

from __future__ import annotations

from django.db.models import Prefetch, prefetch_related_objects
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from zhichi.cases import guards, rules, selectors
from zhichi.cases.criminal_flag import flag_for
from zhichi.cases.forms import StageForm
from zhichi.cases.forms_disposal import (
    AppointmentCancelForm,
    CloseForm,
    CourtEventForm,
    FactsForm,
    LevelForm,
    MediationAppointmentForm,
    MediationForm,
    PaymentForm,
    ReopenForm,
    ReversalForm,
    SupportDecisionForm,
    VisitPlanForm,
    VisitRecordForm,
)
from zhichi.cases.forms_parties import PartyCorrectionForm
from zhichi.cases.ledger import ledger_for
from zhichi.cases.models import (
    ApprovalStatus,
    Case,
    CaseParty,
    CaseStatus,
    MediationOutcome,
    Outcome,
    PartyRole,
    Stage,
)
from zhichi.cases.partner_view import VisibleRecords, sees_internal, visible_records
from zhichi.cases.presenters import (
    AppointmentRow,
    PaymentRow,
    VisitRow,
    approval_row,
    flag_badges,
    mediation_rows,
    party_rows,
    timeline_for,
)
from zhichi.cases.services import reopening
from zhichi.cases.services.common import WORK
from zhichi.common.errors import InvalidInput
from zhichi.common.page_sections import sections_for
from zhichi.common.steps import run_step
from zhichi.core import stages
from zhichi.parties.models import ContactKind, ContactSource

ACTION_TITLES = {
    "mediation": lambda: _("Record a mediation"),
    "appointment": lambda: _("Schedule a mediation"),
    "support": lambda: _("Propose a support decision"),
    "court": lambda: _("Record a court event"),
    "payment": lambda: _("Record a payment"),
    "plan_visit": lambda: _("Plan a return visit"),
    "record_visit": lambda: _("Record a return visit"),
    "close": lambda: _("Close the case"),
    "level": lambda: _("Set the level"),
}
# what each stage is mostly about: these actions are the primary buttons in that stage
STAGE_ACTIONS = {
    Stage.REVIEW: ("support", "mediation", "appointment"),
    Stage.PRE_LITIGATION: ("mediation", "appointment", "support", "court"),
    Stage.LITIGATION: ("court",),
    Stage.POST_LITIGATION: ("payment", "record_visit", "plan_visit"),
}
ACTION_ORDER = (
    "mediation",
    "appointment",
    "support",
    "court",
    "payment",
    "record_visit",
    "plan_visit",
    "close",
    "level",
)
ACTION_ANCHOR = {"record_visit": "visits"}


def disposal_context(
    request,
    case: Case,
    *,
    view: VisibleRecords,
    forms: dict | None = None,
    open_keys: frozenset[str] = frozenset(),
    failure=None,
) -> dict:
    """Everything the case page shows of disposal, as ``view`` lets its viewer see it (C8);
    ``forms`` replaces default (unbound) forms, those named in ``open_keys`` shown open."""
    user = request.user
    today = timezone.localdate()
    forms = forms or {}
    ledger = ledger_for(case)
    claimants = [r.claimant for r in ledger.rows]
    deadline_rows = selectors.deadline_rows(view.deadlines(case.deadlines.all()), today)
    by_key = {r.deadline.key: r for r in deadline_rows}
    # the support decision is the procuratorate's own: a partner reads none
    records = selectors.disposal_records(case, internal=view.internal)
    approvals = [approval_row(a, user) for a in records.support_decisions]
    pending_support = any(a.status == ApprovalStatus.PENDING for a in records.support_decisions)
    court_events = records.court_events
    appointments = records.appointments
    visits = records.visits
    payment_list = records.payments

    # what a move still needs names the support decision: the case's own staff only
    steps = [
        {"stage": target, "label": Stage(target).label, "missing": missing}
        for target, missing in (guards.next_steps(case) if view.internal else [])
    ]
    ready = [s["stage"] for s in steps if not s["missing"] and s["stage"] != stages.CLOSED]
    is_open = case.status == CaseStatus.OPEN
    may_work = is_open and rules.can_work_on(user, case)
    may_set_level = is_open and rules.can_override_level(user, case)

    shown = {}
    if may_work:
        version = {"version": case.version}
        shown["mediation"] = MediationForm(
            initial={**version, "held_on": today.isoformat()}, claimants=claimants
        )
        shown["appointment"] = MediationAppointmentForm(initial=version)
        for a in appointments:
            shown[f"cancel:{a.pk}"] = AppointmentCancelForm(key=f"cancel{a.pk}", initial=version)
        if not pending_support:
            shown["support"] = SupportDecisionForm()
        shown["court"] = CourtEventForm(initial=version, claimants=claimants)
        if claimants:
            shown["payment"] = PaymentForm(
                claimants=claimants, initial={**version, "paid_on": today.isoformat()}
            )
        shown["plan_visit"] = VisitPlanForm()
        shown["close"] = CloseForm(initial=version)
        for p in payment_list:
            if getattr(p, "reversal", None) is None:
                shown[f"reverse:{p.pk}"] = ReversalForm(key=f"reverse{p.pk}", initial=version)
        for v in visits:
            if v.done_on is None:
                shown[f"visit:{v.pk}"] = VisitRecordForm(
                    key=f"visit{v.pk}", initial={"done_on": today.isoformat()}
                )
    if may_work:
        shown["facts"] = FactsForm.for_case(case)
    if may_set_level:
        shown["level"] = LevelForm(
            initial={"level": str(case.level or ""), "version": case.version}
        )
    waiting_reopening = None
    if case.status == CaseStatus.CLOSED and rules.can_reopen(user, case):
        waiting_reopening = reopening.pending_reopening(case)
        if waiting_reopening is None:
            shown["reopen"] = ReopenForm(initial={"version": case.version})
    for key, form in forms.items():
        if key in shown or (may_work and key.startswith("visit:")):
            shown[key] = form

    opened = request.GET.get("act", "") if request.method == "GET" else ""
    open_forms = {
        key: (
            key in open_keys  # shown again after a post: with its errors, or a next step
            or key == opened
            or (opened == "record_visit" and key.startswith("visit:"))
        )
        for key in shown
    }
    payment_rows = [
        PaymentRow(p, shown.get(f"reverse:{p.pk}"), open_forms.get(f"reverse:{p.pk}", False))
        for p in payment_list
    ]
    appointment_rows = [
        AppointmentRow(
            a,
            shown.get(f"cancel:{a.pk}"),
            open_forms.get(f"cancel:{a.pk}", False),
            a.on < today,
        )
        for a in appointments
    ]
    visit_rows = [
        VisitRow(
            v,
            by_key.get(f"visit:{v.pk}"),
            shown.get(f"visit:{v.pk}"),
            open_forms.get(f"visit:{v.pk}", False),
        )
        for v in visits
    ]
    primary = STAGE_ACTIONS.get(case.stage, ())
    available = {k for k in shown if ":" not in k}
    if any(k.startswith("visit:") for k in shown):
        available.add("record_visit")
    actions = [
        {
            "key": key,
            "title": ACTION_TITLES[key](),
            "anchor": ACTION_ANCHOR.get(key, f"act-{key}"),
            "primary": key in primary,
        }
        for key in ACTION_ORDER
        if key in available and key != "close"  # the close form sits right under the buttons
    ]
    # the stage's own actions first, in the order the stage takes them
    actions.sort(key=lambda a: primary.index(a["key"]) if a["primary"] else len(primary))

    overdue = [r for r in deadline_rows if r.due.overdue]
    upcoming = [r for r in deadline_rows if r.due.state == "pending" and r.deadline.due >= today]
    return {
        "ledger": ledger,
        "ledger_has": {
            "agreed": any(r.agreed is not None for r in ledger.rows),
            "awarded": any(r.awarded is not None for r in ledger.rows),
            "overpaid": ledger.totals["overpaid"] > 0,
        },
        "outcome_label": Outcome(case.outcome).label if case.outcome in Outcome.values else "",
        "payments": payment_list,
        "payment_rows": payment_rows,
        "deadline_rows": deadline_rows,
        "overdue_deadlines": overdue,
        "next_deadlines": upcoming[:3],
        "calendar_incomplete": any(
            not r.deadline.calendar_complete for r in deadline_rows if r.due.state != "done"
        ),
        "mediations": mediation_rows(records.mediations, by_key),
        "appointment_rows": appointment_rows,
        "approvals": approvals,
        "pending_support": pending_support,
        "court_events": court_events,
        "visit_rows": visit_rows,
        "next_steps": steps,
        "ready_targets": ready,
        "only_closing_left": [s["stage"] for s in steps] == [stages.CLOSED],
        "may_work": may_work,
        "may_set_level": may_set_level,
        "waiting_reopening": waiting_reopening,
        "reopen_needs_approval": "reopen" in shown and reopening.closed_by_self(user, case),
        "forms": shown,
        "open_forms": open_forms,
        "actions": actions,
        "open_action": opened,
        "failure": failure,
        "agreement": MediationOutcome.AGREEMENT,
    }


def case_url(case: Case, anchor: str = "") -> str:
    url = case.get_absolute_url()
    return f"{url}#{anchor}" if anchor else url


def show_case(
    request, case: Case, *, key: str, form, status: int = 200, failure=None, open_form=True, **extra
):
    """The case page with ``form`` in place of its default (open unless ``open_form`` is false),
    e.g. a next step; ``extra`` goes into the page's context."""

    case = Case.objects.select_related(
        "organisation", "department", "officer", "referring_org"
    ).get(pk=case.pk)
    opened = frozenset({key}) if open_form else frozenset()
    context = case_context(
        request, case, forms={key: form}, open_keys=opened, failure=failure, **extra
    )
    if failure is not None:
        failure["shown"] = key in context["forms"]
    return render(request, "cases/case_detail.html", context, status=status)


def render_failure(request, case: Case, *, key: str, form, exc: InvalidInput):
    form.show_service_errors(exc)
    anchor = f"act-{key.replace(':', '')}"
    failure = {"detail": exc.detail, "anchor": anchor, "key": key}
    return show_case(request, case, key=key, form=form, status=422, failure=failure)


def submit(
    request,
    case: Case,
    *,
    key: str,
    form,
    call,
    anchor: str,
    success="",
    refine=None,
    moved_on_goes_back: bool = False,
    answer=None,
):
    """A step posted from the case page, through the one step runner (``common.steps``): the
    case page again with the form ``key`` open at its errors (422), or back to the case at
    ``anchor``. ``success``: the message, or a function of what the service returned that makes
    it. ``refine(exc)``: the form to show with the refusal instead of ``form`` (a next step)."""
    return run_step(
        request,
        call=call,
        back=case_url(case, anchor),
        failed=lambda exc: render_failure(
            request, case, key=key, form=refine(exc) if refine is not None else form, exc=exc
        ),
        done=success,
        moved_on_goes_back=moved_on_goes_back,
        answer=answer,
    )


def claimants_of(case: Case) -> list:
    return list(
        case.parties.filter(role=PartyRole.CLAIMANT).select_related("party").order_by("position")
    )


def split_note() -> str:
    return _(
        "A split in proportion to the claims is filled in. Check each amount against the "
        "document, correct it where it differs, then record it."
    )


def submit_amounts(request, case: Case, *, key: str, form, service, action, anchor, success):
    """An agreement or a decision with each claimant's amount (C6). The page never splits a total
    by itself: the helper button ("split"), or a total sent without the claimants' amounts, fills
    in the split in proportion to the claims for the officer to check and send again."""
    if request.POST.get("split"):
        WORK.ensure(case.pk, request.user, action)  # NotPermitted: the 403 page
        total, errors = form.total()
        if errors:
            return render_failure(request, case, key=key, form=form, exc=InvalidInput(errors))
        shown = form.with_proportional_split(total, note=split_note())
        return show_case(request, case, key=key, form=shown)

    def refine(exc: InvalidInput):
        missing = any(e.field == form.share_key and e.code == "required" for e in exc.errors)
        total, errors = form.total()
        if missing and not errors:
            return form.with_proportional_split(total, note=split_note())
        return form

    return submit(
        request,
        case,
        key=key,
        form=form,
        call=lambda: service(
            case_id=case.pk,
            actor=request.user,
            data=form.payload(),
            version=form.version(),
            split_missing=False,
        ),
        anchor=anchor,
        success=success,
        refine=refine,
    )


def case_context(request, case: Case, **extra):
    # the parties with their people, read once: a case read for display (``for_display``) has
    # them already, any other is read here
    prefetch_related_objects(
        [case], Prefetch("parties", queryset=CaseParty.objects.select_related("party"))
    )
    parties = list(case.parties.all())
    # what this viewer may see of the case's records: the same policy as the API (C8)
    view = visible_records(request.user, case)
    forms = extra.pop("forms", None) or {}
    open_keys = extra.pop("open_keys", frozenset())
    disposal = disposal_context(
        request,
        case,
        view=view,
        forms=forms,
        open_keys=open_keys,
        failure=extra.pop("failure", None),
    )
    # the stage form offers only the moves whose guards are met; closing is the close form
    targets = disposal["ready_targets"]
    may_move = rules.can_move_stage(request.user, case) and case.status == CaseStatus.OPEN
    context = {
        "case": case,
        "money": disposal["ledger"].totals,
        "timeline": timeline_for(view),
        "may_move": may_move and bool(targets),
        "may_move_later": may_move and not targets,
        "stage_form": extra.pop("stage_form", None)
        or StageForm(initial={"version": case.version}, targets=targets),
        "can_unmask": rules.can_unmask(request.user, case),
        "partner_view": view.partner,
        # the grading flags are the procuratorate's own (C8): none for a partner agency
        "flag_badges": flag_badges(case, flag_for(case)) if view.internal else [],
        "extra_sections": sections_for("case", request, case),
        **parties_context(
            request, case, parties, form=forms.get("correct"), form_open="correct" in open_keys
        ),
        **disposal,
    }
    correction_open = context.pop("correction_open")
    if context["correction_form"] is not None:
        context["forms"]["correct"] = context["correction_form"]
        context["open_forms"]["correct"] = correction_open
    context.update(extra)
    return context


def contact_rows(case: Case, roles: list[CaseParty]) -> dict[int, list[dict]]:
    """Each person's contacts, newest first (the first of each kind is the current one), with
    where they were recorded: this case or its lead by its reference, anything else only as
    "another lead or case" (that the person has other matters is not this case's business)."""
    lead = getattr(case, "lead", None)  # the lead the case came from, if any
    here = {
        (ContactSource.CASE, case.pk),
        (ContactSource.LEAD, lead.pk if lead is not None else None),
    }
    rows: dict[int, list[dict]] = {}
    seen_current: set[tuple[int, str]] = set()
    for contact in selectors.party_contacts(r.party_id for r in roles):
        current = (contact.party_id, contact.kind) not in seen_current
        seen_current.add((contact.party_id, contact.kind))
        if contact.source == ContactSource.EARLIER:
            where = _("on record before contacts were kept")
        elif (contact.source, contact.source_id) in here:
            where = contact.source_ref
        else:
            where = _("another lead or case")
        rows.setdefault(contact.party_id, []).append(
            {"contact": contact, "current": current, "where": where}
        )
    return rows


def parties_context(
    request, case: Case, roles: list[CaseParty], *, form=None, form_open: bool = False
) -> dict:
    """The parties as rows with their contacts (the procuratorate's own staff only) and the
    correction form (the case officer and the department head, on an open case): ``form`` shown
    again (open if ``form_open``), else one prefilled for the party asked for with ``?correct=``,
    open."""
    user = request.user
    internal = sees_internal(user, case.organisation_id)
    history = contact_rows(case, roles) if internal else {}
    may_correct = case.status == CaseStatus.OPEN and rules.can_work_on(user, case)
    if form is None and may_correct and request.method == "GET":
        wanted = request.GET.get("correct", "")
        role = next((r for r in roles if str(r.party_id) == wanted), None)
        if role is not None:
            form = PartyCorrectionForm(role=role, identity=rules.can_change_id_number(user, case))
            form_open = True
    return {
        "claimants": party_rows((r for r in roles if r.role == PartyRole.CLAIMANT), history),
        "respondents": party_rows((r for r in roles if r.role == PartyRole.RESPONDENT), history),
        "may_correct_parties": may_correct,
        "correction_form": form if may_correct else None,
        "correction_open": form_open,
        "phone_kind": ContactKind.PHONE,
    }
