"""Transfer pages: inbox, outbox, a transfer, sending one, and the receiving and closing steps."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhichi.audit.services import record
from zhichi.cases.models import Case
from zhichi.cases.rules import get_case_for
from zhichi.common.pagination import paginate, tally
from zhichi.common.steps import run_step
from zhichi.evidence.services import attachment_response
from zhichi.intake.rules import get_lead_for
from zhichi.transfers import rules, services
from zhichi.transfers.forms import (
    BoxFilterForm,
    CloseForm,
    FeedbackForm,
    RejectForm,
    TransferForm,
    advice_for,
)
from zhichi.transfers.models import Transfer, TransferStatus
from zhichi.transfers.page import DETAIL_RELATED, transfer_context

PAGE_SIZE = 25
BOXES = {"inbox": Transfer.objects.inbox_of, "outbox": Transfer.objects.outbox_of}


@login_required
@require_GET
def box(request, box: str):
    base = BOXES[box](request.user)
    filters = BoxFilterForm(request.GET or None)
    qs = base
    if filters.is_bound and filters.is_valid():
        qs = qs.box_filter(**filters.cleaned_data)
    qs = qs.select_related(
        "from_org", "from_department", "to_org", "to_department", "case", "lead"
    ).order_by("-sent_at", "-id")
    page = paginate(request, qs, PAGE_SIZE)
    return render(
        request,
        "transfers/box.html",
        {
            "box": box,
            "page_obj": page,
            "paginator": page.paginator,
            "filters": filters,
            # each status counted up to the pages' cap, on the box's (org, status, sent_at)
            # index: a legal aid centre's inbox holds a province's transfers over the years
            "counts": [
                (value, label, tally(base.filter(status=value)))
                for value, label in TransferStatus.choices
            ],
            "total": tally(base),
        },
    )


@login_required
@require_GET
def detail(request, pk: int):
    transfer = rules.get_transfer_for(
        request.user, pk, Transfer.objects.select_related(*DETAIL_RELATED)
    )
    return render(request, "transfers/transfer_detail.html", transfer_context(request, transfer))


def _step(request, pk: int, action: str):
    """The receiving and closing steps: each posts to one service, errors come back at the field."""
    transfer = rules.get_transfer_for(request.user, pk)
    form_cls, prefix, call = {
        "receive": (None, "", services.receive_transfer),
        "accept": (None, "", services.accept_transfer),
        "reject": (RejectForm, "reject", services.reject_transfer),
        "feedback": (FeedbackForm, "feedback", services.answer_transfer),
        "close": (CloseForm, "close", services.close_transfer),
    }[action]
    form = form_cls(request.POST, prefix=prefix) if form_cls else None
    kwargs = {"transfer_id": transfer.pk, "actor": request.user}
    version = request.POST.get("version")
    if version and version.isdigit():
        kwargs["version"] = int(version)
    if form is not None:
        kwargs["data"] = {name: request.POST.get(f"{prefix}-{name}", "") for name in form.fields}
    back = reverse("transfers:detail", args=[transfer.pk])

    def failed(exc):
        shown = Transfer.objects.select_related(*DETAIL_RELATED).get(pk=transfer.pk)
        context = transfer_context(request, shown, **{f"{prefix}_form": form, "open_form": prefix})
        return render(request, "transfers/transfer_detail.html", context, status=422)

    return run_step(
        request,
        call=lambda: call(**kwargs),
        back=back,
        form=form,
        failed=failed if form is not None else None,  # a button: back with the refusal
        done=DONE_MESSAGES[action](),
        moved_on_goes_back=False,
    )


DONE_MESSAGES = {
    "receive": lambda: _("Receipt confirmed."),
    "accept": lambda: _("Transfer accepted."),
    "reject": lambda: _("Transfer rejected; the sender has been told."),
    "feedback": lambda: _("Answer sent to the sender."),
    "close": lambda: _("Transfer closed."),
}


@login_required
@require_GET
def evidence_download(request, pk: int, attachment_id: int):
    """One attachment of the evidence package, for the sides of the transfer (audited)."""
    transfer = rules.get_transfer_for(request.user, pk)
    attachment = transfer.evidence.filter(pk=attachment_id).first()
    if attachment is None:
        raise Http404
    if not rules.can_download_evidence(request.user, transfer):
        record(action="attachment.download", actor=request.user, obj=attachment, outcome="denied")
        raise PermissionDenied
    return attachment_response(attachment=attachment, actor=request.user, via="transfer")


@login_required
@require_POST
def step(request, pk: int, action: str):
    return _step(request, pk, action)


@login_required
@require_http_methods(["GET", "POST"])
def send(request, subject: str, pk: int):
    """Send a case or a lead: the form (GET) and the transfer (POST)."""
    user = request.user
    if subject == "case":
        obj = get_case_for(user, pk, Case.objects.select_related("organisation", "department"))
        allowed = rules.can_send_case(user, obj)
    else:
        obj = get_lead_for(user, pk)
        allowed = rules.can_send_lead(user, obj)
    if not allowed:
        raise PermissionDenied
    initial = {"kind": request.GET.get("kind", ""), "receiver": request.GET.get("to", "")}
    form = TransferForm(request.POST or None, subject=obj, initial=initial, actor=user)

    def page(status: int = 200):
        context = {
            "form": form,
            "subject": obj,
            "subject_kind": subject,
            "advice": advice_for(obj) if isinstance(obj, Case) else None,
            "needs_basis": not obj.consent_to_share,
        }
        return render(request, "transfers/transfer_form.html", context, status=status)

    if request.method != "POST":
        return page()
    return run_step(
        request,
        call=lambda: services.send_transfer(
            actor=user,
            data=form.payload(),
            **({"case_id": obj.pk} if subject == "case" else {"lead_id": obj.pk}),
        ),
        back=request.path,
        form=form,
        failed=lambda _exc: page(422),
        done=lambda transfer: _("Transfer %(number)s sent.") % {"number": transfer.number},
        to=lambda transfer: reverse("transfers:detail", args=[transfer.pk]),
        moved_on_goes_back=False,
    )
