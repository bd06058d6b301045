"""The issue form: which document, about which record of the case, and why when re-issuing."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from zhichi.common.forms import StyledForm
from zhichi.documents.models import DocumentKind


class IssueForm(StyledForm):
    # the notice of non-acceptance is issued on a declined lead, not on a case
    kind = forms.ChoiceField(
        label=gettext_lazy("Document"),
        choices=[c for c in DocumentKind.choices if c[0] != DocumentKind.NOT_ACCEPTANCE_NOTICE],
    )
    subject_id = forms.CharField(
        label=gettext_lazy("About which record"),
        required=False,
        help_text=gettext_lazy("Empty: the latest one (a transfer, a visit, an agreement …)."),
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason for re-issuing"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy(
            "Needed only when this document was issued before: it keeps its number."
        ),
    )


class TemplateUploadForm(StyledForm):
    kind = forms.ChoiceField(label=gettext_lazy("Document"), choices=DocumentKind.choices)
    file = forms.FileField(
        label=gettext_lazy("DOCX template"),
        help_text=gettext_lazy(
            "Start from the current template (download it below) and keep its {{ … }} names. "
            "It is tried with sample data first and refused if it does not render."
        ),
    )
    note = forms.CharField(label=gettext_lazy("What changed"), required=False, max_length=500)


class NumberingForm(StyledForm):
    kind = forms.ChoiceField(
        label=gettext_lazy("Document"),
        choices=[c for c in DocumentKind.choices if c[0] not in ("transfer_letter", "suggestion")],
    )
    pattern = forms.CharField(
        label=gettext_lazy("Number pattern"),
        required=False,
        max_length=100,
        help_text=gettext_lazy(
            "For example {short}民支受〔{year}〕{seq}号. {short} is the organisation's short name. "
            "Empty: the default."
        ),
    )
