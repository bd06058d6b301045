"""The portal's questions, one form per step, in plain words (UI.md "The public portal").

The words here are the portal's own, for a reader with little schooling: the staff pages' labels
("labour relationship", "vulnerability basis") are not. The codes stored are the same as staff
use, so a filed application is an ordinary lead. What a lead must satisfy is checked again by
``intake.schemas.LeadIn`` when it is filed; these forms catch the mistakes a person can fix on the
screen they are on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhichi.accounts.models import Organisation, OrgKind
from zhichi.cases.choices import Category, LabourRelationship
from zhichi.evidence.models import Kind as EvidenceKind
from zhichi.parties.models import Group, PartyKind, VulnerabilityBasis
from zhichi.parties.validation import clean_identifier
from zhichi.portal.models import FiledBy, HelperRelation

HONEYPOT = "website"  # a field people never see; a program that fills every field fills it
MAX_SUMMARY = 2000
MAX_AMOUNT = Decimal("99999999.99")


class PortalForm(forms.Form):
    """Every portal form: a honeypot field, and labels that the templates render large."""

    website = forms.CharField(required=False, label=_("Leave this empty"))

    def honeypot_filled(self) -> bool:
        return bool((self.data.get(HONEYPOT) or "").strip())

    def answers(self) -> dict:
        """The step's answers, JSON-ready (dates as ISO text, amounts as text)."""
        out = {}
        for name, value in self.cleaned_data.items():
            if name == HONEYPOT:
                continue
            if isinstance(value, Decimal):
                value = f"{value:.2f}"
            elif isinstance(value, date):
                value = value.isoformat()
            out[name] = value
        return out


# --- step 1: what happened ----------------------------------------------------------------------
CATEGORY_WORDS = {
    Category.WAGES: pgettext_lazy("portal", "My wages were not paid"),
    Category.WORK_INJURY: pgettext_lazy("portal", "I was hurt at work"),
    Category.SUPPORT_PAYMENT: pgettext_lazy(
        "portal", "My family does not pay for my care or my child's care"
    ),
    Category.DOMESTIC_VIOLENCE: pgettext_lazy("portal", "I am hurt or threatened at home"),
    Category.PERSONAL_INJURY: pgettext_lazy("portal", "Someone injured me"),
    Category.GUARDIANSHIP: pgettext_lazy(
        "portal", "It must be settled who looks after a child or an adult (guardianship)"
    ),
    Category.OTHER: pgettext_lazy("portal", "Something else"),
}


class WhatForm(PortalForm):
    category = forms.ChoiceField(
        label=pgettext_lazy("portal", "What happened to you?"),
        choices=list(CATEGORY_WORDS.items()),
        widget=forms.RadioSelect,
        error_messages={"required": pgettext_lazy("portal", "Choose one answer.")},
    )
    summary = forms.CharField(
        label=pgettext_lazy("portal", "Tell us in a few sentences what happened"),
        help_text=pgettext_lazy(
            "portal", "For example: where you worked, what work you did, what went wrong."
        ),
        max_length=MAX_SUMMARY,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": pgettext_lazy("portal", "Please write a few words.")},
    )


# --- step 2: who owes you or harmed you -------------------------------------------------------
KIND_WORDS = {
    PartyKind.ORGANISATION: pgettext_lazy("portal", "A company, a shop or another organisation"),
    PartyKind.PERSON: pgettext_lazy("portal", "A person (for example a boss or a foreman)"),
}
RELATION_WORDS = {
    LabourRelationship.EMPLOYEE: pgettext_lazy("portal", "I worked for them as an employee"),
    LabourRelationship.CONTRACTOR_CREW: pgettext_lazy(
        "portal", "I worked in a foreman's team (包工头)"
    ),
    LabourRelationship.NONE: pgettext_lazy("portal", "I did not work for them"),
    LabourRelationship.UNKNOWN: pgettext_lazy("portal", "I am not sure"),
}
YES_NO = [
    ("yes", pgettext_lazy("portal", "Yes")),
    ("no", pgettext_lazy("portal", "No")),
]


class WhoForm(PortalForm):
    kind = forms.ChoiceField(
        label=pgettext_lazy("portal", "Who owes you money or harmed you?"),
        choices=list(KIND_WORDS.items()),
        widget=forms.RadioSelect,
        error_messages={"required": pgettext_lazy("portal", "Choose one answer.")},
    )
    name = forms.CharField(
        label=pgettext_lazy("portal", "Their name"),
        help_text=pgettext_lazy(
            "portal", "The company's name on its sign or contract, or the person's name."
        ),
        max_length=200,
        error_messages={"required": pgettext_lazy("portal", "Please write their name.")},
    )
    credit_code = forms.CharField(
        label=pgettext_lazy("portal", "The company's code (if you know it)"),
        help_text=pgettext_lazy(
            "portal", "18 letters and digits on the business licence. You can leave it empty."
        ),
        max_length=32,
        required=False,
    )
    address = forms.CharField(
        label=pgettext_lazy("portal", "Where are they? (if you know)"),
        max_length=300,
        required=False,
    )
    labour_relationship = forms.ChoiceField(
        label=pgettext_lazy("portal", "Did you work for them?"),
        choices=list(RELATION_WORDS.items()),
        widget=forms.RadioSelect,
        initial=LabourRelationship.UNKNOWN,
        error_messages={"required": pgettext_lazy("portal", "Choose one answer.")},
    )
    has_iou = forms.ChoiceField(
        label=pgettext_lazy("portal", "Did they give you a paper saying how much they owe you?"),
        help_text=pgettext_lazy("portal", "A wage IOU (欠条) signed by the boss."),
        choices=YES_NO,
        widget=forms.RadioSelect,
        initial="no",
        error_messages={"required": pgettext_lazy("portal", "Choose one answer.")},
    )

    def clean_credit_code(self) -> str:
        value = self.cleaned_data["credit_code"].strip()
        if not value:
            return ""
        return clean_identifier("credit_code", value)

    def clean(self):
        data = super().clean()
        if data.get("kind") == PartyKind.PERSON:
            data["credit_code"] = ""  # a person has no company code
        return data


# --- step 3: how much and since when ---------------------------------------------------------
MONTH_RE = re.compile(r"^\s*(\d{4})\s*(?:-|/|\.|年)\s*(\d{1,2})\s*月?\s*$")


def months_since(start: date, today: date) -> int:
    """Whole months from the first of ``start``'s month to ``today`` (at least 1)."""
    return max(1, (today.year - start.year) * 12 + today.month - start.month)


class MoneyForm(PortalForm):
    amount = forms.DecimalField(
        label=pgettext_lazy("portal", "How much money do they owe you, in yuan?"),
        help_text=pgettext_lazy("portal", "About how much is fine. Leave it empty if not money."),
        max_digits=10,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=MAX_AMOUNT,
        required=False,
        localize=False,
    )
    since = forms.CharField(
        label=pgettext_lazy("portal", "Since when? (year and month)"),
        help_text=pgettext_lazy("portal", "For example 2026-03."),
        max_length=16,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "placeholder": "2026-03"}),
    )

    def __init__(self, *args, category: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.category = category
        if category == Category.WAGES:
            self.fields["amount"].required = True
            self.fields["amount"].error_messages["required"] = pgettext_lazy(
                "portal", "Write about how much you are owed."
            )

    def clean_since(self) -> str:
        value = self.cleaned_data["since"]
        if not value.strip():
            return ""
        match = MONTH_RE.match(value)
        if not match or not 1 <= int(match[2]) <= 12:
            raise forms.ValidationError(
                pgettext_lazy("portal", "Write the year and the month, for example 2026-03.")
            )
        start = date(int(match[1]), int(match[2]), 1)
        today = timezone.localdate()
        if start > today:
            raise forms.ValidationError(pgettext_lazy("portal", "This month has not come yet."))
        if start.year < today.year - 50:
            raise forms.ValidationError(pgettext_lazy("portal", "Check the year."))
        return f"{start:%Y-%m}"


# --- step 4: about you ------------------------------------------------------------------------
GROUP_WORDS = {
    Group.MIGRANT_WORKER: pgettext_lazy("portal", "I came from the countryside to work"),
    Group.WOMAN: pgettext_lazy("portal", "I am a woman"),
    Group.MINOR: pgettext_lazy("portal", "I am under 18"),
    Group.ELDERLY: pgettext_lazy("portal", "I am 60 or older"),
    Group.DISABLED: pgettext_lazy("portal", "I have a disability"),
    Group.LOW_INCOME: pgettext_lazy("portal", "My family gets low-income help (低保)"),
    Group.VETERAN: pgettext_lazy("portal", "I served in the army"),
}
HARDSHIP_WORDS = {
    VulnerabilityBasis.ECONOMIC_HARDSHIP: pgettext_lazy("portal", "I cannot pay for a lawyer"),
    VulnerabilityBasis.NO_LEGAL_KNOWLEDGE: pgettext_lazy(
        "portal", "I do not know how to go to court"
    ),
    VulnerabilityBasis.EVIDENCE_DIFFICULTY: pgettext_lazy(
        "portal", "I cannot get the papers or proof"
    ),
    VulnerabilityBasis.AGE_OR_HEALTH: pgettext_lazy("portal", "My age or health makes it hard"),
}
FILED_BY_WORDS = {
    FiledBy.SELF: pgettext_lazy("portal", "I am asking for myself"),
    FiledBy.HELPER: pgettext_lazy(
        "portal", "I am helping someone else ask (a relative, a community worker...)"
    ),
}


@dataclass(frozen=True)
class Office:
    code: str
    name: str


def offices() -> list[Office]:
    """The procuratorates a person can send an application to."""
    return [
        Office(o.code, o.name)
        for o in Organisation.objects.filter(kind=OrgKind.PROCURATORATE, is_active=True).order_by(
            "district", "pk"
        )
    ]


class YouForm(PortalForm):
    filed_by = forms.ChoiceField(
        label=pgettext_lazy("portal", "Who is filling in this form?"),
        choices=list(FILED_BY_WORDS.items()),
        widget=forms.RadioSelect,
        initial=FiledBy.SELF,
        error_messages={"required": pgettext_lazy("portal", "Choose one answer.")},
    )
    name = forms.CharField(
        label=pgettext_lazy("portal", "Name of the person who needs help"),
        max_length=100,
        error_messages={"required": pgettext_lazy("portal", "Please write the name.")},
    )
    phone = forms.CharField(
        label=pgettext_lazy("portal", "Mobile phone number"),
        help_text=pgettext_lazy(
            "portal", "We call this number. Its last 4 digits let you check your application."
        ),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
        error_messages={"required": pgettext_lazy("portal", "Please write a phone number.")},
    )
    id_number = forms.CharField(
        label=pgettext_lazy("portal", "ID card number (if you have it)"),
        help_text=pgettext_lazy("portal", "18 digits, the last may be X. You can leave it empty."),
        max_length=32,
        required=False,
    )
    address = forms.CharField(
        label=pgettext_lazy("portal", "Where does the person who needs help live now?"),
        max_length=300,
        required=False,
    )
    groups = forms.MultipleChoiceField(
        label=pgettext_lazy("portal", "Is any of this true? (choose all that fit)"),
        choices=list(GROUP_WORDS.items()),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    hardship = forms.MultipleChoiceField(
        label=pgettext_lazy("portal", "Why is it hard to go to court alone? (choose all that fit)"),
        choices=list(HARDSHIP_WORDS.items()),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    helper_name = forms.CharField(
        label=pgettext_lazy("portal", "Your own name (the helper)"), max_length=100, required=False
    )
    helper_relation = forms.ChoiceField(
        label=pgettext_lazy("portal", "How do you know the person?"),
        choices=[("", "—"), *HelperRelation.choices],
        required=False,
    )
    helper_phone = forms.CharField(
        label=pgettext_lazy("portal", "Your own phone number (the helper)"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )
    office = forms.ChoiceField(
        label=pgettext_lazy("portal", "Which procuratorate should get your application?"),
        help_text=pgettext_lazy("portal", "The one where you live or where it happened."),
        choices=(),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        found = offices()
        self.fields["office"].choices = [(o.code, o.name) for o in found]
        if len(found) == 1:
            # one procuratorate: nothing to choose
            self.fields["office"].initial = found[0].code
            self.fields["office"].widget = forms.HiddenInput()
        self.fields["office"].error_messages["required"] = pgettext_lazy(
            "portal", "Choose a procuratorate."
        )

    def clean_phone(self) -> str:
        return clean_identifier("phone", self.cleaned_data["phone"])

    def clean_id_number(self) -> str:
        value = self.cleaned_data["id_number"].strip()
        return clean_identifier("id_number", value) if value else ""

    def clean_helper_phone(self) -> str:
        value = self.cleaned_data["helper_phone"].strip()
        return clean_identifier("phone", value) if value else ""

    def clean(self):
        data = super().clean()
        if data.get("filed_by") == FiledBy.HELPER:
            missing = pgettext_lazy("portal", "A helper must write this.")
            for name in ("helper_name", "helper_relation", "helper_phone"):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, missing)
        else:
            data["helper_name"] = data["helper_relation"] = data["helper_phone"] = ""
        return data


# --- step 5: evidence photos (optional) ------------------------------------------------------
PHOTO_WORDS = {
    EvidenceKind.IOU: pgettext_lazy("portal", "A wage IOU"),
    EvidenceKind.CONTRACT: pgettext_lazy("portal", "A contract or agreement"),
    EvidenceKind.WAGE_RECORD: pgettext_lazy("portal", "A wage sheet or attendance record"),
    EvidenceKind.CHAT_LOG: pgettext_lazy("portal", "Chat messages"),
    EvidenceKind.MEDICAL: pgettext_lazy("portal", "A hospital paper"),
    EvidenceKind.PHOTO: pgettext_lazy("portal", "A photo"),
    EvidenceKind.OTHER: pgettext_lazy("portal", "Something else"),
}


class EvidenceForm(PortalForm):
    kind = forms.ChoiceField(
        label=pgettext_lazy("portal", "What is in the photo?"),
        choices=list(PHOTO_WORDS.items()),
        initial=EvidenceKind.PHOTO,
    )
    file = forms.FileField(
        label=pgettext_lazy("portal", "Choose a photo or a PDF"),
        help_text=pgettext_lazy("portal", "You can add up to %(n)d. This step is optional."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,application/pdf"}),
        error_messages={"required": pgettext_lazy("portal", "Choose a photo first.")},
    )


# --- step 6: consent ------------------------------------------------------------------------------
class StartForm(PortalForm):
    """Before the first question: the privacy notice, and the agreement without which nothing
    the person types is kept (PIPL art. 29: separate consent for sensitive information)."""

    consent_sensitive = forms.BooleanField(
        label=pgettext_lazy(
            "portal",
            "I agree that the procuratorate keeps and uses what I write here, including the "
            "sensitive parts, to help with this matter.",
        ),
        error_messages={
            "required": pgettext_lazy(
                "portal", "Without this agreement we cannot keep your answers."
            )
        },
    )


class ConsentForm(PortalForm):
    consent_voluntary = forms.BooleanField(
        label=pgettext_lazy(
            "portal", "I want the procuratorate's help, and I ask for it of my own free will."
        ),
        error_messages={
            "required": pgettext_lazy(
                "portal", "The procuratorate helps only people who ask for help themselves."
            )
        },
    )
    consent_to_share = forms.BooleanField(
        label=pgettext_lazy(
            "portal",
            "The procuratorate may pass my application to other offices that can help "
            "(for example the labour bureau or legal aid).",
        ),
        required=False,
    )
    consent_sms = forms.BooleanField(
        label=pgettext_lazy("portal", "Send me text messages about my application."),
        required=False,
    )
    helper_confirms_consent = forms.BooleanField(
        label=pgettext_lazy(
            "portal",
            "I am a helper: the person knows about this application, agrees to it, and agrees "
            "to everything above.",
        ),
        required=False,
    )

    def __init__(self, *args, helper: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = helper
        if helper:
            self.fields["helper_confirms_consent"].required = True
            self.fields["helper_confirms_consent"].error_messages["required"] = pgettext_lazy(
                "portal", "The person must agree before a helper can send this."
            )
        else:
            del self.fields["helper_confirms_consent"]


# --- resume and status lookup ----------------------------------------------------------------
CODE_RE = re.compile(r"[^A-Za-z0-9]")


def clean_code(value: str) -> str:
    """A code as people type or read it: spaces, dashes and lower case are fine."""
    return CODE_RE.sub("", value or "").upper()


class ResumeForm(PortalForm):
    code = forms.CharField(
        label=pgettext_lazy("portal", "Your code to continue"),
        help_text=pgettext_lazy("portal", "The 10 letters and digits we showed you."),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )

    def clean_code(self) -> str:
        return clean_code(self.cleaned_data["code"])


class StatusForm(PortalForm):
    code = forms.CharField(
        label=pgettext_lazy("portal", "Receipt code"),
        help_text=pgettext_lazy("portal", "The 10 letters and digits on your receipt."),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    last4 = forms.CharField(
        label=pgettext_lazy("portal", "Last 4 digits of the phone number you gave"),
        min_length=4,
        max_length=4,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def clean_code(self) -> str:
        return clean_code(self.cleaned_data["code"])

    def clean_last4(self) -> str:
        value = self.cleaned_data["last4"].strip()
        if not value.isascii() or not value.isdigit():
            raise forms.ValidationError(pgettext_lazy("portal", "Write 4 digits."))
        return value
