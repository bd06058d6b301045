"""The upload form of the attachments section. It only shapes the page: the service checks the
file and the fields, and its errors come back onto these fields (``show_service_errors``)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from zhichi.common.forms import StyledForm
from zhichi.evidence.models import Kind

# a hint for the browser's file picker; the server judges the content, never the name
ACCEPT = (
    ".pdf,.jpg,.jpeg,.png,.gif,.webp,.tif,.tiff,.heic,.mp3,.m4a,.mp4,.wav,.amr,.3gp,"
    ".doc,.docx,.xls,.xlsx,.txt,application/pdf,image/*,audio/*,video/mp4,text/plain"
)


class AttachmentForm(StyledForm):
    file = forms.FileField(
        label=_("File"),
        widget=forms.FileInput(attrs={"accept": ACCEPT}),
    )
    kind = forms.ChoiceField(
        label=_("Kind of evidence"), choices=[("", _("Choose…")), *Kind.choices]
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_attachment_%s")
        super().__init__(*args, **kwargs)
