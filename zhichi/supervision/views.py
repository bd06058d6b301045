"""Suggestion pages: the register, drafting on a case, a suggestion with the steps allowed now."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhichi.cases.models import Case
from zhichi.cases.presenters import described
from zhichi.cases.rules import can_approve, get_internal_case_for
from zhichi.cases.selectors import days_left_words, record_timeline
from zhichi.cases.services.derived import working_days_left
from zhichi.common.pagination import paginate
from zhichi.common.steps import run_step
from zhichi.rulebook import loaders
from zhichi.supervision import rules, services, workflow
from zhichi.supervision.forms import (
    CloseForm,
    EscalateForm,
    RegisterFilterForm,
    ReplyForm,
    ServeForm,
    SuggestionForm,
    WithdrawForm,
)
from zhichi.supervision.models import (
    AWAITING_REPLY,
    Suggestion,
    SuggestionStatus,
)

PAGE_SIZE = 25


# --- the reply date as pages show it ----------------------------------------------------------
@dataclass(frozen=True)
class ReplyDue:
    """The reply date of a suggestion, with working days left (rule TL-9)."""

    day: date | None
    provisional: bool
    calendar_complete: bool
    overdue: bool
    days_left: int
    waiting: bool  # the reply is still owed (served, no reply yet)

    @property
    def text(self) -> str:
        if self.day is None or not self.waiting:
            return ""
        return days_left_words(self.day, self.days_left, overdue=self.overdue)


def reply_due(s: Suggestion, cal, today: date) -> ReplyDue:
    day, provisional, complete = services.reply_due_info(s, cal)
    waiting = s.status in AWAITING_REPLY and s.replied_on is None and day is not None
    left = working_days_left(day, today, cal) if waiting else 0
    return ReplyDue(day, provisional, complete, s.is_overdue(today), left, waiting)


@dataclass(frozen=True)
class Row:
    suggestion: Suggestion
    due: ReplyDue


def rows_for(suggestions) -> list[Row]:
    suggestions = list(suggestions)
    cal = loaders.holiday_calendar() if suggestions else None
    today = timezone.localdate()
    return [Row(s, reply_due(s, cal, today)) for s in suggestions]


# --- the register ------------------------------------------------------------------------------
@login_required
@require_GET
def register(request):
    base = Suggestion.objects.visible_to(request.user)
    counts = dict(base.order_by().values_list("status").annotate(n=Count("id")))
    today = timezone.localdate()
    overdue_count = base.overdue(today).count() if counts else 0
    filters = RegisterFilterForm(request.GET or None)
    qs = base
    if filters.is_bound and filters.is_valid():
        data = filters.cleaned_data
        overdue = {"1": True, "0": False}.get(data["overdue"])
        qs = qs.register_filter(today=today, status=data["status"], overdue=overdue, q=data["q"])
    qs = qs.select_related("case").order_by("-drafted_at", "-id")
    page = paginate(request, qs, PAGE_SIZE)
    return render(
        request,
        "supervision/suggestion_register.html",
        {
            "page_obj": page,
            "paginator": page.paginator,
            "rows": rows_for(page.object_list),
            "filters": filters,
            "counts": [
                (value, label, counts.get(value, 0)) for value, label in SuggestionStatus.choices
            ],
            "total": sum(counts.values()),
            "overdue_count": overdue_count,
            "filtered": bool(request.GET.get("status") or request.GET.get("overdue"))
            or bool(request.GET.get("q")),
        },
    )


# --- drafting ------------------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def new(request, case_id: int):
    user = request.user
    case = get_internal_case_for(user, case_id, Case.objects.select_related("organisation"))
    if not rules.can_draft(user, case):
        raise PermissionDenied
    form = SuggestionForm(request.POST or None)

    def page(status: int = 200):
        context = {"form": form, "case": case}
        return render(request, "supervision/suggestion_form.html", context, status=status)

    if request.method != "POST":
        return page()
    return run_step(
        request,
        call=lambda: services.draft_suggestion(case_id=case.pk, actor=user, data=form.payload()),
        form=form,
        back=request.path,
        failed=lambda _exc: page(422),
        done=lambda s: (
            _("Suggestion to %(org)s submitted to the chief procurator for approval.")
            % {"org": s.to_org_name}
        ),
        to=lambda s: reverse("supervision:detail", args=[s.pk]),
    )


# --- a suggestion ----------------------------------------------------------------------------------
DETAIL_RELATED = ("case", "case__officer", "to_org", "drafted_by", "approval", "approved_by")

FORMS = {
    "revise": SuggestionForm,
    "serve": ServeForm,
    "reply": ReplyForm,
    "escalate": EscalateForm,
    "close": CloseForm,
    "withdraw": WithdrawForm,
}
CALLS = {
    "revise": services.revise_suggestion,
    "serve": services.serve_suggestion,
    "reply": services.record_reply,
    "escalate": services.escalate_suggestion,
    "close": services.close_suggestion,
    "withdraw": services.withdraw_suggestion,
}
DONE_MESSAGES = {
    "revise": lambda: _("Suggestion revised and submitted to the chief procurator again."),
    "serve": lambda: _("Service recorded; the reply date is set."),
    "reply": lambda: _("Reply recorded."),
    "escalate": lambda: _("Escalation recorded."),
    "close": lambda: _("Suggestion closed."),
    "withdraw": lambda: _("Suggestion withdrawn."),
}


def _initial(s: Suggestion, action: str) -> dict:
    today = timezone.localdate().isoformat()
    if action == "revise":
        return {
            "to_org_name": s.to_org_name,
            "to_org": s.to_org.code if s.to_org_id else "",
            "issue": s.issue,
            "recommendations": s.recommendations,
            "legal_basis": s.legal_basis,
            "served_on": s.served_on.isoformat() if s.served_on else "",
        }
    if action == "serve":
        return {"served_on": today}
    if action == "reply":
        return {"replied_on": today}
    if action == "escalate":
        return {"escalated_on": today}
    return {}


def _detail_context(request, s: Suggestion, failed: dict | None = None) -> dict:
    user = request.user
    failed = failed or {}
    # a form for exactly the steps the services would accept now (workflow.MOVES)
    forms = {
        action: failed.get(action) or FORMS[action](prefix=action, initial=_initial(s, action))
        for action in workflow.allowed_actions(user, s)
    }
    cal = loaders.holiday_calendar()
    return {
        "s": s,
        "case": s.case,
        "due": reply_due(s, cal, timezone.localdate()),
        "forms": forms,
        "open_form": next(iter(failed), ""),
        "may_decide": (
            s.status == SuggestionStatus.PENDING
            and s.approval_id is not None
            and can_approve(user, s.approval)
        ),
        "escalations": list(s.escalations.select_related("by")),
        "history": described(record_timeline(s.case_id, "suggestion", s.pk)),
    }


@login_required
@require_GET
def detail(request, pk: int):
    s = rules.get_suggestion_for(
        request.user, pk, Suggestion.objects.select_related(*DETAIL_RELATED)
    )
    return render(request, "supervision/suggestion_detail.html", _detail_context(request, s))


@login_required
@require_POST
def step(request, pk: int, action: str):
    """Each step posts to one service; errors come back at the field, nothing typed is lost."""
    s = rules.get_suggestion_for(request.user, pk)
    form = FORMS[action](request.POST, prefix=action)
    kwargs = {"suggestion_id": s.pk, "actor": request.user, "data": form.payload()}
    version = request.POST.get("version", "")
    if version.isdigit():
        kwargs["version"] = int(version)

    def failed(_exc):
        fresh = Suggestion.objects.select_related(*DETAIL_RELATED).get(pk=s.pk)
        context = _detail_context(request, fresh, failed={action: form})
        return render(request, "supervision/suggestion_detail.html", context, status=422)

    return run_step(
        request,
        call=lambda: CALLS[action](**kwargs),
        form=form,
        back=reverse("supervision:detail", args=[s.pk]),
        done=DONE_MESSAGES[action](),
        failed=failed,
    )
