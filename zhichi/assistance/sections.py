"""Judicial assistance and legal aid in other places: the case page, the workbench, the case's
deadlines (rule JA-6), the approvals (the chain's hook) and the timeline's sentences."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhichi.accounts.models import Organisation, OrgKind
from zhichi.assistance import rules, services, workflow
from zhichi.assistance.forms import LawyerForm, OutcomeForm
from zhichi.assistance.models import (
    AssistanceApplication,
    AssistanceStatus,
    LegalAidOutcome,
    LegalAidReferral,
)
from zhichi.cases.models import ApprovalKind
from zhichi.cases.presenters import register_event_label, yuan_text
from zhichi.cases.rules import sees_internal_work
from zhichi.cases.scope import may_see_internal
from zhichi.cases.services.approvals import (
    register_approval_hook,
    register_approval_presenter,
)
from zhichi.cases.services.derived import deadline_row, register_deadline_source
from zhichi.cases.words import choice_label
from zhichi.common.page_sections import Section, register
from zhichi.common.words import message
from zhichi.transfers import rules as transfer_rules
from zhichi.transfers.models import Transfer, TransferKind


def register_all() -> None:
    register(
        "case",
        Section(
            key="assistance",
            title=gettext_lazy("Assistance and legal aid"),
            template="assistance/_case_section.html",
            context=case_section,
            order=50,
        ),
    )
    register(
        "workbench",
        Section(
            key="assistance",
            title=gettext_lazy("Judicial assistance in my cases"),
            template="assistance/_workbench_section.html",
            context=workbench_section,
            order=50,
        ),
    )
    register(
        "transfer",
        Section(
            key="legal_aid",
            title=gettext_lazy("Legal aid: lawyer and outcome"),
            template="assistance/_transfer_section.html",
            context=transfer_section,
            order=50,
            partners=True,  # the legal aid centre answers the referral here
        ),
    )
    register_approval_hook(ApprovalKind.ASSISTANCE, services.on_approval_decided)
    register_approval_presenter(ApprovalKind.ASSISTANCE, services.present_approval)
    # judicial assistance is the procuratorate's own: its deadlines stay internal (C8)
    register_deadline_source(
        assistance_deadlines,
        kinds={"assistance_decision", "assistance_notification"},
        labels=DEADLINE_LABELS,
        partner_kinds=frozenset(),
    )
    for kind, describe in EVENT_LABELS.items():
        register_event_label(kind, describe)


def _yuan(value) -> str:
    return yuan_text(value)


def _status(value) -> str:
    return choice_label(AssistanceStatus, value)


def _outcome(value) -> str:
    return choice_label(LegalAidOutcome, value)


EVENT_LABELS = {
    "assistance_received": lambda e: (
        _("Judicial assistance applied for by %(name)s: %(amount)s yuan")
        % {"name": e.data.get("applicant", ""), "amount": _yuan(e.data.get("amount"))}
    ),
    "assistance_opinion": lambda e: (
        _("Review opinion: grant %(amount)s yuan") % {"amount": _yuan(e.data.get("amount"))}
        if e.data.get("proposal") == "grant"
        else _("Review opinion: refuse aid")
    ),
    "assistance_returned": lambda e: _("Assistance opinion returned for revision"),
    "assistance_decided": lambda e: (
        _("Assistance decided: %(status)s") % {"status": _status(e.data.get("status"))}
    ),
    "assistance_funds": lambda e: _("Assistance funds arrived"),
    "assistance_notice": lambda e: _("Applicant told that the aid is ready"),
    "assistance_paid": lambda e: (
        _("Assistance paid: %(amount)s yuan") % {"amount": _yuan(e.data.get("amount"))}
    ),
    "assistance_follow_up": lambda e: _("Assistance followed up"),
    "assistance_withdrawn": lambda e: _("Assistance application withdrawn"),
    "legal_aid_assigned": lambda e: (
        _("Legal aid lawyer named: %(lawyer)s (%(firm)s)")
        % {"lawyer": e.data.get("lawyer", ""), "firm": e.data.get("firm", "")}
    ),
    "legal_aid_outcome": lambda e: (
        _("Legal aid outcome: %(outcome)s") % {"outcome": _outcome(e.data.get("outcome"))}
    ),
}


# the deadlines' labels (stored as {"code": kind, "params": {"name": ...}}, cases.words)
DEADLINE_LABELS = {
    "assistance_decision": gettext_lazy("Assistance decision for %(name)s"),
    "assistance_notification": gettext_lazy("Tell %(name)s the aid has arrived"),
}


def assistance_deadlines(case, cal, today) -> list[dict]:
    """rule JA-6: the approval opinion within 10 working days of the application; the applicant
    told within 2 working days of the funds arriving."""
    rows = []
    applications = AssistanceApplication.objects.filter(case=case).select_related(
        "applicant__party"
    )
    for a in applications:
        if a.status == AssistanceStatus.WITHDRAWN and a.decided_on is None:
            continue
        name = a.applicant.party.name
        rows.append(
            deadline_row(
                f"assistance:{a.pk}",
                "assistance_decision",
                message("assistance_decision", name=name),
                a.decision_due(cal),
                done_on=a.decided_on,
            )
        )
        if a.funds_arrived_on:
            rows.append(
                deadline_row(
                    f"assistance-notice:{a.pk}",
                    "assistance_notification",
                    message("assistance_notification", name=name),
                    a.notice_due(cal),
                    done_on=a.notified_on,
                    survives_closing=True,
                )
            )
    return rows


@dataclass(frozen=True)
class ReferralRow:
    """A legal aid transfer of the case with what the centre reported (None: no lawyer yet)."""

    transfer: Transfer
    referral: LegalAidReferral | None


def _report(transfer: Transfer) -> LegalAidReferral | None:
    """The centre's report of a transfer read with ``select_related("legal_aid")``."""
    try:
        return transfer.legal_aid
    except LegalAidReferral.DoesNotExist:
        return None


def case_section(request, case) -> dict | None:
    user = request.user
    if not sees_internal_work(user, case):
        return None
    applications = list(
        case.assistance.select_related("applicant__party").order_by("-received_on", "-id")
    )
    # each transfer with its centre's report in the same query (issue 19, item 3)
    referrals = list(
        case.transfers.filter(kind=TransferKind.LEGAL_AID)
        .select_related("to_org", "legal_aid")
        .order_by("-sent_at", "-id")
    )
    refer_to = ""
    if case.status == "open" and transfer_rules.can_send_case(user, case):
        # the legal aid centre of the case's district (else of its province), pre-chosen
        centres = Organisation.objects.filter(
            kind=OrgKind.LEGAL_AID, is_active=True, province=case.organisation.province
        ).order_by("code")
        centre = centres.filter(district=case.organisation.district).first() or centres.first()
        refer_to = centre.code if centre else "-"
    return {
        "case": case,
        "applications": applications,
        "referrals": [ReferralRow(t, _report(t)) for t in referrals],
        "may_record": rules.can_record(user, case),
        "refer_to": refer_to,
    }


def workbench_section(request, _obj) -> dict | None:
    """Applications in my cases that wait for me: the opinion, funds, the notice, the payment."""
    user = request.user
    if not may_see_internal(user):
        return None
    waiting = (
        AssistanceApplication.objects.visible_to(user)
        .filter(
            case__officer=user,
            status__in=[
                AssistanceStatus.RECEIVED,
                AssistanceStatus.IN_APPROVAL,
                AssistanceStatus.GRANTED,
            ],
        )
        .select_related("case", "applicant__party")
        .order_by("received_on", "id")
    )
    rows = list(waiting[:10])
    if not rows:
        return None
    return {"rows": rows, "count": waiting.count()}


def transfer_section(request, transfer) -> dict | None:
    """On a legal aid transfer's page: the lawyer and the outcome, and the centre's forms."""
    if transfer.kind != TransferKind.LEGAL_AID:
        return None
    user = request.user
    referral = LegalAidReferral.objects.filter(transfer=transfer).first()
    # the centre's forms for exactly the steps the services would accept now
    actions = workflow.allowed_actions(user, transfer)
    if referral is None and not actions:
        return None
    failed_action, failed_form = getattr(request, "legal_aid_failed", (None, None))
    lawyer_form = outcome_form = None
    if "lawyer" in actions:
        lawyer_form = failed_form if failed_action == "lawyer" else LawyerForm(instance=referral)
    if "outcome" in actions:
        outcome_form = failed_form if failed_action == "outcome" else OutcomeForm()
    return {
        "transfer": transfer,
        "referral": referral,
        "lawyer_form": lawyer_form,
        "outcome_form": outcome_form,
        "open_form": failed_action or "",
    }
