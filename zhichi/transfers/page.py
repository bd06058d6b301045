"""The transfer page as one builder, shared by its own views and by the apps that add a
section to it and show it again when their form fails."""

from __future__ import annotations

from django.shortcuts import render

from zhichi.cases.models import Case, PartyRole
from zhichi.cases.partner_view import sees_internal
from zhichi.common.page_sections import sections_for
from zhichi.intake.models import Lead
from zhichi.transfers import rules, workflow
from zhichi.transfers.forms import (
    CloseForm,
    FeedbackForm,
    RejectForm,
)
from zhichi.transfers.models import Transfer


def transfer_context(request, transfer: Transfer, **forms) -> dict:
    user = request.user
    receiver, sender = rules.is_receiver(user, transfer), rules.is_sender(user, transfer)
    subject = transfer.subject
    if transfer.case_id:
        subject_visible = Case.objects.visible_to(user).filter(pk=transfer.case_id).exists()
    else:
        subject_visible = Lead.objects.visible_to(user).filter(pk=transfer.lead_id).exists()
    parties = list(subject.parties.select_related("party").all()) if subject_visible else []
    actions = workflow.allowed_actions(user, transfer)
    return {
        "transfer": transfer,
        "subject": subject,
        "subject_visible": subject_visible,
        "claimants": [p for p in parties if p.role == PartyRole.CLAIMANT],
        "respondents": [p for p in parties if p.role == PartyRole.RESPONDENT],
        "events": transfer.events.select_related("actor").all(),
        "evidence": list(transfer.evidence.select_related("organisation").order_by("id")),
        "may_download": rules.can_download_evidence(user, transfer),
        "is_receiver": receiver,
        "is_sender": sender,
        # the evaluator's advice is the sending procuratorate's own (C8)
        "partner_view": not sees_internal(user, transfer.from_org_id),
        # the buttons and forms of exactly the actions the services would accept now
        "actions": actions,
        "reject_form": forms.get("reject_form") or RejectForm(prefix="reject"),
        "feedback_form": forms.get("feedback_form") or FeedbackForm(prefix="feedback"),
        "close_form": forms.get("close_form") or CloseForm(prefix="close"),
        "open_form": forms.get("open_form", ""),
        "extra_sections": sections_for("transfer", request, transfer),
    }


DETAIL_RELATED = (
    "from_org",
    "from_department",
    "to_org",
    "to_department",
    "sent_by",
    "case",
    "lead",
)


def render_transfer(request, pk: int, *, status: int = 200):
    """The transfer page, e.g. again after another app's form on it failed (422); a transfer
    outside the user's scope is 404, as on the page itself."""
    transfer = rules.get_transfer_for(
        request.user, pk, Transfer.objects.select_related(*DETAIL_RELATED)
    )
    context = transfer_context(request, transfer)
    return render(request, "transfers/transfer_detail.html", context, status=status)
