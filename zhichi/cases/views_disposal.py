"""Pages for hierarchical disposal (C4–C6): the event forms of the case page, the approvals inbox,
and what the workbench shows of deadlines, approvals and return visits.

Views only shape pages: every change is a service call, which validates the input and decides who
may do what (``InvalidInput`` → the form again with its errors, 422; ``NotPermitted`` → 403;
``StaleVersion`` → a message and the case page). Objects outside the user's scope are 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from zhichi.accounts.models import Role
from zhichi.cases import guards, rules
from zhichi.cases import services as case_services
from zhichi.cases.forms_disposal import (
    SUPPORT_CHOICES,
    CloseForm,
    CourtEventForm,
    DecisionForm,
    FactsForm,
    LevelForm,
    MediationForm,
    PaymentForm,
    ReopenForm,
    ReversalForm,
    SupportDecisionForm,
    VisitPlanForm,
    VisitRecordForm,
)
from zhichi.cases.ledger import ledger_for
from zhichi.cases.models import (
    Approval,
    ApprovalKind,
    ApprovalStatus,
    Case,
    CaseDeadline,
    CaseShare,
    CaseStatus,
    DeadlineStatus,
    MediationOutcome,
    Outcome,
    PartyRole,
    Payment,
    Stage,
    Visit,
)
from zhichi.cases.partner_view import VisibleRecords, is_partner
from zhichi.cases.services import approvals, disposal, facts, payments, reopening
from zhichi.cases.services.common import ensure_may_work
from zhichi.cases.services.derived import deadline_state, working_days_left
from zhichi.common.errors import InvalidInput, NotPermitted, StaleVersion
from zhichi.core import stages
from zhichi.rulebook import loaders

SOON_DAYS = 7
APPROVER_ROLES = frozenset({Role.HEAD, Role.CHIEF})
INBOX_PAGE_SIZE = 25
DECISION_LABELS = dict(SUPPORT_CHOICES)


def stale_message() -> str:
    return _(
        "Someone changed this case while you were reading it. Here is the current state; please try again."
    )


# --- deadlines and working days -------------------------------------------------------------
@dataclass(frozen=True)
class Due:
    """A deadline or a planned visit as a page shows it: state and working days left."""

    day: date
    state: str  # pending | overdue | done
    days_left: int
    done_on: date | None = None

    @property
    def overdue(self) -> bool:
        return self.state == "overdue"

    @property
    def text(self) -> str:
        if self.state == "done":
            if self.done_on:
                return _("Done on %(day)s") % {"day": self.done_on.isoformat()}
            return _("Done")
        if self.day < timezone.localdate():
            n = -self.days_left
            if n <= 0:
                return _("Overdue")
            return ngettext("Overdue by %(n)d working day", "Overdue by %(n)d working days", n) % {
                "n": n
            }
        if self.day == timezone.localdate():
            return _("Due today")
        return ngettext("%(n)d working day left", "%(n)d working days left", self.days_left) % {
            "n": self.days_left
        }


@dataclass(frozen=True)
class DeadlineRow:
    deadline: CaseDeadline
    due: Due


def _deadline_rows(deadlines, today: date) -> list[DeadlineRow]:
    deadlines = list(deadlines)
    cal = loaders.holiday_calendar() if deadlines else None
    rows = []
    for d in deadlines:
        state = deadline_state(d, today)
        left = working_days_left(d.due, today, cal) if state != "done" else 0
        rows.append(DeadlineRow(d, Due(d.due, state, left, d.done_on)))
    return rows


# --- approvals --------------------------------------------------------------------------------
def pending_approvals_for(user):
    """The pending approvals ``user`` may decide (the same answer as ``rules.can_approve``), in
    the inbox's order: the read the API uses too (``approvals.inbox_for``)."""
    return approvals.inbox_for(user)


def is_approver(user) -> bool:
    return bool(user.is_authenticated and user.role in APPROVER_ROLES and rules.may_see_cases(user))


# --- the case page ------------------------------------------------------------------------------
ACTION_TITLES = {
    "mediation": lambda: _("Record a mediation"),
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
    Stage.REVIEW: ("support", "mediation"),
    Stage.PRE_LITIGATION: ("mediation", "support", "court"),
    Stage.LITIGATION: ("court",),
    Stage.POST_LITIGATION: ("payment", "record_visit", "plan_visit"),
}
ACTION_ORDER = (
    "mediation",
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
    request, case: Case, *, view: VisibleRecords, forms: dict | None = None, failure=None
) -> dict:
    """Everything the case page shows of disposal, as ``view`` lets its viewer see it (C8);
    ``forms`` replaces default (unbound) forms."""
    user = request.user
    today = timezone.localdate()
    forms = forms or {}
    ledger = ledger_for(case)
    claimants = [r.claimant for r in ledger.rows]
    deadline_rows = _deadline_rows(view.deadlines(case.deadlines.all()), today)
    by_key = {r.deadline.key: r for r in deadline_rows}
    mediations = list(case.mediations.select_related("recorded_by").prefetch_related("instalments"))
    for m in mediations:
        m.instalment_rows = [(i, by_key.get(f"instalment:{i.pk}")) for i in m.instalments.all()]
    approvals = []
    if view.internal:  # the support decision is the procuratorate's own
        approvals = list(
            case.approvals.filter(kind=ApprovalKind.SUPPORT_DECISION).select_related(
                "requested_by", "decided_by"
            )
        )
    for a in approvals:
        a.case = case
        a.decision_label = DECISION_LABELS.get(a.payload.get("decision"), "")
        a.may_decide = a.status == ApprovalStatus.PENDING and rules.can_approve(user, a)
    pending_support = any(a.status == ApprovalStatus.PENDING for a in approvals)
    court_events = list(
        case.court_events.select_related("recorded_by").prefetch_related("services")
    )
    visits = list(case.visits.select_related("recorded_by"))
    # every payment, reversed ones included (the ledger is append-only, C6)
    payment_list = list(
        case.payments.select_related("claimant__party", "recorded_by", "reversal__reversed_by")
    )

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
    payment_rows = [(p, shown.get(f"reverse:{p.pk}")) for p in payment_list]
    visit_rows = []
    for v in visits:
        due = by_key.get(f"visit:{v.pk}")
        visit_rows.append((v, due, shown.get(f"visit:{v.pk}")))

    opened = request.GET.get("act", "") if request.method == "GET" else ""
    for key, form in shown.items():
        form.is_open = (
            getattr(form, "is_open", False)  # a next step shown after a post (a confirm step)
            or key == opened
            or (opened == "record_visit" and key.startswith("visit:"))
        )
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
        "mediations": mediations,
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
        "actions": actions,
        "open_action": opened,
        "failure": failure,
        "agreement": MediationOutcome.AGREEMENT,
    }


def _case_url(case: Case, anchor: str = "") -> str:
    url = reverse("cases:case_detail", args=[case.pk])
    return f"{url}#{anchor}" if anchor else url


def _show_case(
    request, case: Case, *, key: str, form, status: int = 200, failure=None, open_form=True, **extra
):
    """The case page with ``form`` in place of its default (open unless ``open_form`` is false),
    e.g. a next step; ``extra`` goes into the page's context."""
    from zhichi.cases.views import _case_context  # views imports this module

    case = Case.objects.select_related(
        "organisation", "department", "officer", "referring_org"
    ).get(pk=case.pk)
    form.is_open = open_form
    context = _case_context(request, case, forms={key: form}, failure=failure, **extra)
    if failure is not None:
        failure["shown"] = key in context["forms"]
    return render(request, "cases/case_detail.html", context, status=status)


def _render_case(request, case: Case, *, key: str, form, exc: InvalidInput):
    form.show_service_errors(exc)
    anchor = f"act-{key.replace(':', '')}"
    failure = {"detail": exc.detail, "anchor": anchor, "key": key}
    return _show_case(request, case, key=key, form=form, status=422, failure=failure)


def forbidden(request, exc: NotPermitted):
    """403 with the service's reason (e.g. four eyes: "you proposed this"), audited there."""
    return render(request, "403.html", {"message": str(exc)}, status=403)


def _submit(request, case: Case, *, key: str, form, call, anchor: str, success, refine=None):
    """``success``: the message, or a function of what the service returned that makes it.
    ``refine(exc)``: the form to show with the refusal instead of ``form`` (a next step)."""
    try:
        result = call()
    except NotPermitted as exc:
        return forbidden(request, exc)
    except StaleVersion:
        messages.error(request, stale_message())
        return redirect(_case_url(case, anchor))
    except InvalidInput as exc:
        shown = refine(exc) if refine is not None else form
        return _render_case(request, case, key=key, form=shown, exc=exc)
    messages.success(request, success(result) if callable(success) else success)
    return redirect(_case_url(case, anchor))


def _claimants(case: Case) -> list:
    return list(
        case.parties.filter(role=PartyRole.CLAIMANT).select_related("party").order_by("position")
    )


def split_note() -> str:
    return _(
        "A split in proportion to the claims is filled in. Check each amount against the "
        "document, correct it where it differs, then record it."
    )


def _submit_amounts(request, case: Case, *, key: str, form, service, action, anchor, success):
    """An agreement or a decision with each claimant's amount (C6). The page never splits a total
    by itself: the helper button ("split"), or a total sent without the claimants' amounts, fills
    in the split in proportion to the claims for the officer to check and send again."""
    if request.POST.get("split"):
        try:
            ensure_may_work(case.pk, request.user, action)
        except NotPermitted as exc:
            return forbidden(request, exc)
        total, errors = form.total()
        if errors:
            return _render_case(request, case, key=key, form=form, exc=InvalidInput(errors))
        shown = form.with_proportional_split(total, note=split_note())
        return _show_case(request, case, key=key, form=shown)

    def refine(exc: InvalidInput):
        missing = any(e.field == form.share_key and e.code == "required" for e in exc.errors)
        total, errors = form.total()
        if missing and not errors:
            return form.with_proportional_split(total, note=split_note())
        return form

    return _submit(
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


def _sent_to(approval: Approval) -> str:
    """Where a proposal went, for the proposer's confirmation."""
    if approval.escalated_from:
        return approval.escalation_note
    if approval.required_role == Role.CHIEF:
        return _("Proposal sent to the chief procurator for approval.")
    return _("Proposal sent to the department head for approval.")


@login_required
@require_POST
def record_mediation(request, pk: int):
    case = rules.get_case_for(request.user, pk)
    form = MediationForm(request.POST, claimants=_claimants(case))
    return _submit_amounts(
        request,
        case,
        key="mediation",
        form=form,
        service=disposal.record_mediation,
        action="case.mediation",
        anchor="mediation",
        success=_("Mediation recorded."),
    )


@login_required
@require_POST
def propose_support(request, pk: int):
    case = rules.get_case_for(request.user, pk)
    form = SupportDecisionForm(request.POST)
    return _submit(
        request,
        case,
        key="support",
        form=form,
        call=lambda: disposal.propose_support_decision(
            case_id=case.pk, actor=request.user, data=form.payload()
        ),
        anchor="litigation",
        success=_sent_to,
    )


@login_required
@require_POST
def record_court_event(request, pk: int):
    case = rules.get_case_for(request.user, pk)
    form = CourtEventForm(request.POST, claimants=_claimants(case))
    return _submit_amounts(
        request,
        case,
        key="court",
        form=form,
        service=disposal.record_court_event,
        action="case.court_event",
        anchor="litigation",
        success=_("Court event recorded."),
    )


@login_required
@require_POST
def record_payment(request, pk: int):
    """A payment above what the claimant is still owed comes back with the amount over and a
    field for its reason (the confirm step, C6); sent again with the reason, it is recorded."""
    case = rules.get_case_for(request.user, pk)
    claimants = _claimants(case)
    form = PaymentForm(request.POST, claimants=claimants, over="overpayment_reason" in request.POST)

    def refine(exc: InvalidInput):
        if not form.over and any(e.code == "above_outstanding" for e in exc.errors):
            return PaymentForm(request.POST, claimants=claimants, over=True)
        return form

    return _submit(
        request,
        case,
        key="payment",
        form=form,
        call=lambda: payments.record_payment(
            case_id=case.pk, actor=request.user, data=form.payload(), version=form.version()
        ),
        anchor="money",
        success=_("Payment recorded."),
        refine=refine,
    )


@login_required
@require_POST
def reverse_payment(request, pk: int, payment_id: int):
    """Reverse one payment with a reason (the officer or the head, C6)."""
    case = rules.get_case_for(request.user, pk)
    payment = get_object_or_404(Payment, pk=payment_id, case_id=case.pk)
    form = ReversalForm(request.POST, key=f"reverse{payment.pk}")
    try:
        payments.reverse_payment(
            payment_id=payment.pk, actor=request.user, data=form.payload(), version=form.version()
        )
    except NotPermitted as exc:
        return forbidden(request, exc)
    except StaleVersion:
        messages.error(request, stale_message())
        return redirect(_case_url(case, "money"))
    except InvalidInput as exc:
        if any(e.field == "status" for e in exc.errors):  # reversed meanwhile: nothing to show
            messages.error(request, exc.errors[0].message)
            return redirect(_case_url(case, "money"))
        return _render_case(request, case, key=f"reverse:{payment.pk}", form=form, exc=exc)
    messages.success(request, _("Payment reversed; it stays in the record and leaves the totals."))
    return redirect(_case_url(case, "money"))


@login_required
@require_POST
def plan_visit(request, pk: int):
    case = rules.get_case_for(request.user, pk)
    form = VisitPlanForm(request.POST)
    return _submit(
        request,
        case,
        key="plan_visit",
        form=form,
        call=lambda: disposal.plan_visit(case_id=case.pk, actor=request.user, data=form.payload()),
        anchor="visits",
        success=_("Return visit planned."),
    )


@login_required
@require_POST
def record_visit(request, pk: int, visit_id: int):
    case = rules.get_case_for(request.user, pk)
    visit = get_object_or_404(Visit, pk=visit_id, case_id=case.pk)
    form = VisitRecordForm(request.POST, key=f"visit{visit.pk}")
    return _submit(
        request,
        case,
        key=f"visit:{visit.pk}",
        form=form,
        call=lambda: disposal.record_visit(
            visit_id=visit.pk, actor=request.user, data=form.payload()
        ),
        anchor="visits",
        success=_("Return visit recorded."),
    )


@dataclass(frozen=True)
class Closing:
    """The confirm step of closing: the outcome and the ledger figures it is judged against."""

    form: CloseForm  # the outcome, note and version, sent again with confirm=1
    outcome_label: str
    note: str
    totals: dict


@login_required
@require_POST
def close_case(request, pk: int):
    """Two steps: the outcome is checked against the ledger and shown with its figures for the
    officer to confirm; only the confirmed form closes the case (C6)."""
    case = rules.get_case_for(request.user, pk)
    form = CloseForm(request.POST)
    if not form.confirmed:
        try:
            book = disposal.check_closing(
                case_id=case.pk, actor=request.user, data=form.payload(), version=form.version()
            )
        except NotPermitted as exc:
            return forbidden(request, exc)
        except StaleVersion:
            messages.error(request, stale_message())
            return redirect(_case_url(case))
        except InvalidInput as exc:
            return _render_case(request, case, key="close", form=form, exc=exc)
        data = request.POST.copy()
        data["confirm"] = "1"
        closing = Closing(
            form=CloseForm(data),
            outcome_label=str(Outcome(form.text("outcome")).label),
            note=form.text("note"),
            totals=book.totals,
        )
        # the close form stays below, closed, with what was typed, to change the outcome or note
        again = CloseForm(
            initial={
                "outcome": form.text("outcome"),
                "note": form.text("note"),
                "version": form.version(),
            }
        )
        return _show_case(request, case, key="close", form=again, open_form=False, closing=closing)
    return _submit(
        request,
        case,
        key="close",
        form=form,
        call=lambda: disposal.close_case(
            case_id=case.pk, actor=request.user, data=form.payload(), version=form.version()
        ),
        anchor="",
        success=_("Case closed."),
    )


@login_required
@require_POST
def override_level(request, pk: int):
    case = rules.get_case_for(request.user, pk)
    form = LevelForm(request.POST)
    return _submit(
        request,
        case,
        key="level",
        form=form,
        call=lambda: case_services.override_level(
            case_id=case.pk,
            level=form.level_value(),
            reason=form.text("reason"),
            actor=request.user,
            version=form.version(),
        ),
        anchor="overview",
        success=_("Level set."),
    )


def _reopened(done: reopening.Reopening) -> str:
    if done.approval is None:
        return _("Case reopened at its stage before closing.")
    text = _("You closed or handle this case, so a second person decides the reopening. %(where)s")
    return text % {"where": _sent_to(done.approval)}


@login_required
@require_POST
def reopen_case(request, pk: int):
    case = rules.get_case_for(request.user, pk)
    form = ReopenForm(request.POST)
    return _submit(
        request,
        case,
        key="reopen",
        form=form,
        call=lambda: reopening.reopen_case(
            case_id=case.pk, actor=request.user, data=form.payload(), version=form.version()
        ),
        anchor="",
        success=_reopened,
    )


@login_required
@require_POST
def update_facts(request, pk: int):
    case = rules.get_case_for(request.user, pk)
    form = FactsForm(request.POST)
    return _submit(
        request,
        case,
        key="facts",
        form=form,
        call=lambda: facts.update_case_facts(
            case_id=case.pk, actor=request.user, data=form.payload(), version=form.version()
        ),
        anchor="overview",
        success=_("Facts saved; the case was graded and checked for a criminal lead again."),
    )


@login_required
@require_POST
def revoke_share(request, share_id: int):
    share = get_object_or_404(CaseShare, pk=share_id)
    case = rules.get_case_for(request.user, share.case_id)
    try:
        facts.revoke_share(
            share_id=share.pk, actor=request.user, reason=request.POST.get("reason", "")
        )
    except NotPermitted as exc:
        raise PermissionDenied(str(exc)) from exc
    except InvalidInput as exc:
        messages.error(request, "；".join(e.message for e in exc.errors))
        return redirect(_case_url(case, "transfers"))
    messages.success(request, _("Sharing ended; the other side no longer sees this case."))
    return redirect(_case_url(case, "transfers"))


# --- the approvals inbox --------------------------------------------------------------------------
def _inbox(request, *, failed: dict | None = None, status: int = 200):
    failed = failed or {}
    page = Paginator(pending_approvals_for(request.user), INBOX_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = []
    for a in page:
        a.decision_label = DECISION_LABELS.get(a.payload.get("decision"), "")
        a.shown = approvals.present(a)
        rows.append(
            {
                "approval": a,
                "approve": failed.get(("approve", a.pk)) or DecisionForm(approval_id=a.pk),
                "reject": failed.get(("reject", a.pk))
                or DecisionForm(approval_id=a.pk, reject=True),
                "reject_open": ("reject", a.pk) in failed,
            }
        )
    return render(
        request,
        "cases/approvals_inbox.html",
        {"rows": rows, "page_obj": page, "paginator": page.paginator},
        status=status,
    )


@never_cache
@login_required
@require_GET
def approvals_inbox(request):
    return _inbox(request)


def _decide(request, approval_id: int, *, approve: bool):
    approval = get_object_or_404(Approval.objects.select_related("case"), pk=approval_id)
    rules.get_case_for(request.user, approval.case_id)  # 404 outside the user's scope
    form = DecisionForm(request.POST, approval_id=approval.pk, reject=not approve)
    try:
        approvals.decide_approval(
            approval_id=approval.pk, actor=request.user, approve=approve, reason=form.text("reason")
        )
    except NotPermitted as exc:
        return forbidden(request, exc)
    except InvalidInput as exc:
        if any(e.field == "status" for e in exc.errors):  # decided meanwhile: nothing to show
            messages.error(request, exc.detail)
            return redirect("cases:approvals")
        form.show_service_errors(exc)
        verb = "approve" if approve else "reject"
        return _inbox(request, failed={(verb, approval.pk): form}, status=422)
    if approve:
        text = _("Approved: %(number)s.")
    else:
        text = _("Rejected: %(number)s. The officer is told why.")
    messages.success(request, text % {"number": approval.case.number})
    return redirect("cases:approvals")


@login_required
@require_POST
def approval_approve(request, approval_id: int):
    return _decide(request, approval_id, approve=True)


@login_required
@require_POST
def approval_reject(request, approval_id: int):
    return _decide(request, approval_id, approve=False)


# --- the workbench ----------------------------------------------------------------------------
def workbench_context(user) -> dict:
    """My deadlines (overdue first, then due within 7 days) and my visits due; fixed queries."""
    empty = {"my_deadlines": [], "visits_due": [], "show_disposal": False}
    if not rules.may_see_cases(user) or is_partner(user):
        return empty
    today = timezone.localdate()
    soon = today + timedelta(days=SOON_DAYS)
    mine = rules.cases_visible_to(user).filter(officer=user, status=CaseStatus.OPEN)
    deadlines = list(
        CaseDeadline.objects.filter(case__in=mine, status=DeadlineStatus.PENDING, due__lte=soon)
        .select_related("case")
        .order_by("due", "id")[:200]
    )
    visits = list(
        Visit.objects.filter(case__in=mine, done_on__isnull=True, planned_on__lte=soon)
        .select_related("case")
        .order_by("planned_on", "id")[:50]
    )
    cal = loaders.holiday_calendar() if deadlines or visits else None
    rows = []
    for d in deadlines:
        state = deadline_state(d, today)
        if d.due < today and state != "overdue":
            continue  # a period that simply ran out (an appeal period) is nobody's work
        rows.append(DeadlineRow(d, Due(d.due, state, working_days_left(d.due, today, cal))))
    rows.sort(key=lambda r: (not r.due.overdue, r.deadline.due, r.deadline.pk))
    visit_rows = [
        (
            v,
            Due(
                v.planned_on,
                "overdue" if v.planned_on < today else "pending",
                working_days_left(v.planned_on, today, cal),
            ),
        )
        for v in visits
    ]
    return {"my_deadlines": rows[:20], "visits_due": visit_rows, "show_disposal": True}
