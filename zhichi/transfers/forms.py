"""Forms of the transfer pages. They shape the page only: each posts the API's field names and
the service validates; the service's field errors come back onto these fields."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhichi.accounts.models import Department, Organisation, OrgKind
from zhichi.cases import criminal_flag
from zhichi.cases.models import Case
from zhichi.common.forms import DateInput, StyledForm
from zhichi.evidence.rules import case_attachments, lead_attachments
from zhichi.rulebook.words import check_words
from zhichi.transfers import rules
from zhichi.transfers.models import FeedbackResult, TransferKind, TransferStatus, side_label

CHOOSE = [("", gettext_lazy("Choose…"))]


def receiver_choices(sender: tuple[Organisation, Department | None]) -> list[tuple[str, str]]:
    """Every active organisation; a procuratorate by each of its departments ("ORG/dept"),
    leaving out the sender's own department (issue 13 item 5): the criminal department is
    offered the civil department, and the civil department the criminal one."""
    depts: dict[int, list[Department]] = {}
    for d in Department.objects.order_by("code"):
        depts.setdefault(d.organisation_id, []).append(d)
    out: list[tuple[str, str]] = list(CHOOSE)
    for org in Organisation.objects.filter(is_active=True).order_by("kind", "code"):
        if org.kind != OrgKind.PROCURATORATE:
            out.append((org.code, org.name))
            continue
        for d in depts.get(org.pk, []):
            if rules.may_send_to(sender, org, d):
                out.append((f"{org.code}/{d.code}", side_label(org, d)))
    return out


class TransferForm(StyledForm):
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind of transfer"), choices=CHOOSE + TransferKind.choices
    )
    receiver = forms.ChoiceField(
        label=gettext_lazy("Receiver"),
        help_text=gettext_lazy("An agency, or a department of a procuratorate."),
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason and facts"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        help_text=gettext_lazy("What the receiver should look at, and why it is theirs to act on."),
    )
    legal_basis = forms.CharField(
        label=gettext_lazy("Legal basis for sharing"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
        help_text=gettext_lazy(
            "Needed only when the person has not consented to sharing with other agencies."
        ),
    )
    feedback_due_on = forms.CharField(
        label=gettext_lazy("Answer due by"),
        required=False,
        widget=DateInput(),
        max_length=40,
        help_text=gettext_lazy("Leave empty for the default (30 days)."),
    )
    evidence = forms.MultipleChoiceField(
        label=gettext_lazy("Evidence package"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("The attachments the receiver may download with this transfer."),
    )

    # the service names to_org / to_department; this form shows both at ``receiver``
    error_aliases = {"to_org": "receiver", "to_department": "receiver"}

    def __init__(self, *args, subject, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["receiver"].choices = receiver_choices(rules.sending_side(actor, subject))
        pick = case_attachments if isinstance(subject, Case) else lead_attachments
        attachments = pick(actor, subject).order_by("id")[:200]
        self.fields["evidence"].choices = [
            (str(a.pk), f"{a.get_kind_display()} · {a.original_name}") for a in attachments
        ]
        if not self.fields["evidence"].choices:
            del self.fields["evidence"]

    def payload(self) -> dict:
        data = self.data
        org, _slash, dept = (data.get("receiver") or "").partition("/")
        return {
            "kind": data.get("kind", ""),
            "to_org": org,
            "to_department": dept,
            "reason": data.get("reason", ""),
            "legal_basis": data.get("legal_basis", ""),
            "feedback_due_on": data.get("feedback_due_on", ""),
            "evidence": data.getlist("evidence") if hasattr(data, "getlist") else [],
        }


class RejectForm(StyledForm):
    reason = forms.CharField(
        label=gettext_lazy("Why the transfer is rejected"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
    )


class FeedbackForm(StyledForm):
    result = forms.ChoiceField(
        label=gettext_lazy("Result"), choices=CHOOSE + FeedbackResult.choices
    )
    text = forms.CharField(
        label=gettext_lazy("What was done"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=8000,
    )


class CloseForm(StyledForm):
    note = forms.CharField(
        label=gettext_lazy("Closing note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=4000,
    )


class BoxFilterForm(StyledForm):
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[("", gettext_lazy("All")), *TransferStatus.choices],
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"),
        required=False,
        choices=[("", gettext_lazy("All")), *TransferKind.choices],
    )


def advice_for(case) -> dict | None:
    """The criminal-lead evaluator's advice on the case (C7): the verdict with its reasons and
    the transfer it suggests, pre-filled for the send form."""
    check = case.criminal_check or {}
    verdict = check.get("verdict")
    if not verdict:
        return None
    suggestion = None
    if verdict == "transfer":
        suggestion = {
            "kind": TransferKind.CRIMINAL_LEAD,
            "text": _("Transfer to the criminal department as a refusal-to-pay-wages lead."),
        }
    elif verdict == "order_first":
        suggestion = {
            "kind": TransferKind.LABOUR_INSPECTION,
            "text": _(
                "First transfer to labour inspection for an order to pay; a criminal transfer "
                "needs the order and its deadline to pass unpaid (rule CR-5)."
            ),
        }
    labels = {
        "transfer": _("Criminal lead: transfer"),
        "order_first": _("Order to pay first"),
        "below_threshold": _("Below the criminal threshold"),
        "depends_on_province_config": _("Depends on the province's threshold"),
        "not_applicable": _("No criminal lead"),
    }
    words = check_words(check)  # the stored codes in the reader's language
    # what is known now (issue 13, item 4): once a criminal lead was sent or answered, or the
    # case closed, the advice says so instead of asking for the transfer; a check that waits for
    # the province's figures is not a warning
    flag = criminal_flag.flag_for(case)
    settled = flag is not None and flag.state in criminal_flag.SETTLED
    return {
        "verdict": verdict,
        "label": labels.get(verdict, verdict),
        "reasons": words["reasons"],
        "next_step": words["next_step"],
        "checked_on": check.get("checked_on", ""),
        "suggestion": None if settled else suggestion,
        "outcome": flag.label if settled else "",
        "outcome_detail": flag.detail if settled else "",
        "warning": flag is not None and flag.state == criminal_flag.CANDIDATE,
    }
