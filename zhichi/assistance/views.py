"""Pages of judicial assistance (the register, recording an application, the application page
with the step allowed now) and the legal aid centre's forms on a legal aid transfer."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhichi.assistance import rules, services, workflow
from zhichi.assistance.forms import (
    ApplicationRecordForm,
    FollowUpForm,
    FundsForm,
    LawyerForm,
    NoticeForm,
    OpinionForm,
    OutcomeForm,
    PaymentForm,
    RegisterFilterForm,
    WithdrawForm,
)
from zhichi.assistance.models import (
    AssistanceApplication,
    AssistanceStatus,
    Exclusion,
    Proposal,
    Step,
)
from zhichi.assistance.presenters import NextDue, next_due
from zhichi.cases import rules as case_rules
from zhichi.cases import selectors as case_selectors
from zhichi.cases.models import ApprovalKind
from zhichi.cases.presenters import ApprovalRow, approval_row, described
from zhichi.cases.rules import sees_internal_work
from zhichi.cases.scope import may_see_internal
from zhichi.common.pagination import paginate
from zhichi.common.steps import run_step
from zhichi.rulebook import loaders
from zhichi.transfers import rules as transfer_rules
from zhichi.transfers.page import render_transfer

PAGE_SIZE = 25

# the step forms of the application page: action → (form, service, success message)
STEPS = {
    "opinion": (OpinionForm, services.submit_opinion, lambda: _("Opinion sent for approval.")),
    "funds": (FundsForm, services.record_funds, lambda: _("Funds recorded.")),
    "notice": (NoticeForm, services.record_notice, lambda: _("Notice recorded.")),
    "payment": (PaymentForm, services.record_payment, lambda: _("Payment recorded.")),
    "follow_up": (FollowUpForm, services.record_follow_up, lambda: _("Follow-up recorded.")),
    "withdraw": (
        WithdrawForm,
        services.withdraw_application,
        lambda: _("Application withdrawn."),
    ),
}


def _require_scope(user) -> None:
    if not may_see_internal(user):
        raise Http404


@login_required
@require_GET
def register(request):
    """All applications the user may see: counts per status, filters in the URL, pagination."""
    _require_scope(request.user)
    form = RegisterFilterForm(request.GET or None)
    qs = AssistanceApplication.objects.visible_to(request.user)
    counts = dict(qs.values_list("status").annotate(n=Count("id")).order_by())
    status = q = ""
    if form.is_bound and form.is_valid():
        status = form.cleaned_data["status"]
        q = form.cleaned_data["q"].strip()
    qs = qs.register_filter(status=status, q=q)
    qs = qs.select_related("case", "applicant__party").order_by("-received_on", "-id")
    page = paginate(request, qs, PAGE_SIZE)
    cal, today = loaders.holiday_calendar(), timezone.localdate()
    return render(
        request,
        "assistance/register.html",
        {
            "form": form,
            "page_obj": page,
            "paginator": page.paginator,
            "rows": [RegisterRow(a, next_due(a, cal, today)) for a in page.object_list],
            "counts": [(s, label, counts.get(s, 0)) for s, label in AssistanceStatus.choices],
            "total": sum(counts.values()),
            "status": status,
            "filtered": bool(status or q),
        },
    )


@dataclass(frozen=True)
class RegisterRow:
    application: AssistanceApplication
    next_due: NextDue | None


@login_required
@require_http_methods(["GET", "POST"])
def new(request, case_id: int):
    case = case_rules.get_case_for(request.user, case_id)
    if not sees_internal_work(request.user, case):
        raise Http404
    if not rules.can_record(request.user, case):
        raise PermissionDenied(_("Only the case officer or the department head may do this."))
    form = ApplicationRecordForm(request.POST or None, case=case)

    def page(status: int = 200):
        cap, detail = services.cap_for(case.organisation.province, timezone.localdate())
        context = {"case": case, "form": form, "cap": cap, "cap_detail": detail}
        return render(request, "assistance/new.html", context, status=status)

    if request.method != "POST":
        return page()
    return run_step(
        request,
        call=lambda: services.record_application(
            case_id=case.pk, actor=request.user, data=form.payload()
        ),
        form=form,
        back=request.path,
        failed=lambda _exc: page(422),
        done=_("Application recorded."),
        to=lambda application: reverse("assistance:detail", args=[application.pk]),
    )


def _detail_context(request, application: AssistanceApplication, failed=None) -> dict:
    user = request.user
    forms = {}
    # a form for exactly the steps the services would accept now (workflow.MOVES)
    for action in workflow.allowed_actions(user, application):
        form_cls = STEPS[action][0]
        if failed and failed[0] == action:
            forms[action] = failed[1]
        else:
            initial = {"version": application.version}
            if action == "opinion" and application.proposal:
                initial.update(
                    {
                        "verification": application.verification,
                        "proposal": application.proposal,
                        "proposed_amount": application.proposed_amount or "",
                        "court_award_limit": application.court_award_limit or "",
                        "opinion": application.opinion,
                        **{
                            f"exclusion_{k}": "yes" if v else "no"
                            for k, v in application.exclusions.items()
                        },
                    }
                )
            if action == "payment":
                initial["amount"] = application.granted_amount
            forms[action] = form_cls(initial=initial)
    # every round of this application (a returned opinion starts a new one)
    approvals = case_selectors.case_approvals(
        application.case, ApprovalKind.ASSISTANCE, application=application.pk
    )
    timeline = case_selectors.record_timeline(
        application.case_id, "application", application.pk, approvals=approvals
    )
    rows = [approval_row(a, user) for a in approvals]
    exclusions = [
        {"label": label, "applies": application.exclusions.get(value)}
        for value, label in Exclusion.choices
        if value in application.exclusions
    ]
    return {
        "a": application,
        "case": application.case,
        "forms": forms,
        "open_form": failed[0] if failed else "",
        "next_due": next_due(application, loaders.holiday_calendar(), timezone.localdate()),
        "approvals": rows,
        "steps": _step_rows(application, rows),
        "timeline": described(timeline),
        "exclusions": exclusions,
        "grant": Proposal.GRANT,
    }


def _step_rows(application: AssistanceApplication, approvals: list[ApprovalRow]) -> list[dict]:
    """The chain of the current round, each step with its state (done / open / to come) and
    whether the reader may decide it now."""

    latest: dict[int, ApprovalRow] = {}
    for row in sorted(approvals, key=lambda r: (r.approval.requested_at, r.approval.pk)):
        latest[row.approval.payload.get("step_index")] = row
    rows = []
    for i, step in enumerate(application.steps):
        row = latest.get(i)
        if application.status == AssistanceStatus.IN_APPROVAL and i > application.step_index:
            row = None
        rows.append(
            {
                "label": Step(step["step"]).label,
                "role": step["role"],
                "approval": row.approval if row else None,
                "may_decide": row.may_decide if row else False,
            }
        )
    return rows


@login_required
@require_GET
def detail(request, pk: int):
    application = rules.get_application_for(
        request.user,
        pk,
        AssistanceApplication.objects.select_related(
            "case", "case__organisation", "applicant__party", "recorded_by"
        ),
    )
    return render(request, "assistance/detail.html", _detail_context(request, application))


@login_required
@require_POST
def step(request, pk: int, action: str):
    application = rules.get_application_for(request.user, pk)
    form_cls, call, done = STEPS[action]
    form = form_cls(request.POST)

    def failed(_exc):
        fresh = rules.get_application_for(
            request.user,
            pk,
            AssistanceApplication.objects.select_related("case", "applicant__party"),
        )
        context = _detail_context(request, fresh, failed=(action, form))
        return render(request, "assistance/detail.html", context, status=422)

    return run_step(
        request,
        call=lambda: call(
            application_id=application.pk,
            actor=request.user,
            data=form.payload(),
            version=form.version(),
        ),
        form=form,
        back=reverse("assistance:detail", args=[application.pk]),
        done=done(),
        failed=failed,
    )


@login_required
@require_POST
def legal_aid(request, transfer_id: int, action: str):
    """The legal aid centre names the lawyer, or reports the outcome, on the transfer's page."""
    transfer = transfer_rules.get_transfer_for(request.user, transfer_id)
    form_cls, call, done = {
        "lawyer": (
            LawyerForm,
            services.assign_lawyer,
            lambda: _("Lawyer recorded; the referring procuratorate is told."),
        ),
        "outcome": (
            OutcomeForm,
            services.record_legal_aid_outcome,
            lambda: _("Outcome recorded; the referring procuratorate is told."),
        ),
    }[action]
    form = form_cls(request.POST)

    def failed(_exc):
        request.legal_aid_failed = (action, form)  # the section shows this form with its errors
        return render_transfer(request, transfer.pk, status=422)

    return run_step(
        request,
        call=lambda: call(transfer_id=transfer.pk, actor=request.user, data=form.payload()),
        form=form,
        back=reverse("transfers:detail", args=[transfer.pk]),
        done=done(),
        failed=failed,
    )
