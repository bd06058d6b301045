"""Forms of the joint-action and employer pages. The joint-action form only shapes the page: it
turns what was typed into the API's shape (``payload()``), the service validates it, and the
service's field errors come back onto these fields (``show_service_errors``)."""

from __future__ import annotations

from django import forms
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from zhichi.accounts.models import Organisation, Role
from zhichi.cases.models import Case, CaseParty, CaseStatus, PartyRole
from zhichi.common.forms import DateInput, StyledForm
from zhichi.core.identifiers import normalise

MAX_CASE_CHOICES = 200


def workable_cases(actor, employer_code: str = ""):
    """The actor's open cases against an organisation with a credit code (that employer's only,
    when a code is given), newest first: the cases a joint action of theirs may list."""
    qs = Case.objects.visible_to(actor).filter(
        status=CaseStatus.OPEN,
        organisation_id=actor.organisation_id,
        department_id=actor.department_id,
    )
    if actor.role != Role.HEAD:
        qs = qs.filter(officer=actor)
    named = CaseParty.objects.filter(role=PartyRole.RESPONDENT).exclude(party__credit_code="")
    if employer_code:
        named = named.filter(party__credit_code=employer_code)
    return (
        qs.filter(pk__in=named.values("case_id"))
        .prefetch_related(
            Prefetch(
                "parties",
                queryset=CaseParty.objects.filter(role=PartyRole.RESPONDENT).select_related(
                    "party"
                ),
                to_attr="respondent_rows",
            )
        )
        .order_by("-opened_on", "-id")[:MAX_CASE_CHOICES]
    )


def _case_label(case: Case) -> str:
    names = "、".join(cp.party.name for cp in case.respondent_rows)
    return f"{case.number} · {names}" if names else case.number


class JointActionForm(StyledForm):
    on = forms.CharField(label=_("Date of the joint action"), widget=DateInput(), max_length=40)
    employer = forms.CharField(
        label=_("Employer's unified social credit code"),
        max_length=40,
        help_text=_("18 characters. Then choose “Show this employer's cases” to list them below."),
    )
    organisations = forms.MultipleChoiceField(
        label=_("Organisations that took part"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Each one gets access to the chosen cases (with the person's consent or the legal "
            "basis below)."
        ),
    )
    case_ids = forms.MultipleChoiceField(
        label=_("Cases against this employer"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_(
            "Your open cases naming an employer with a credit code. Hold Ctrl (⌘ on a Mac) to "
            "choose several."
        ),
    )
    result = forms.CharField(
        label=_("Result"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=10000,
        help_text=_("What was done and agreed on the spot."),
    )
    amount_paid_on_site = forms.CharField(
        label=_("Amount paid on site (yuan)"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        help_text=_(
            "Recorded as payments on the chosen cases, split over their claimants in proportion "
            "to what each is still owed."
        ),
    )
    legal_basis = forms.CharField(
        label=_("Legal basis for sharing"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Only needed for a case whose claimants have not consented to sharing: the law and "
            "article that allow it."
        ),
    )

    def __init__(self, *args, actor, employer_code: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisations"].choices = [
            (o.code, o.name)
            for o in Organisation.objects.filter(is_active=True)
            .exclude(pk=actor.organisation_id)
            .order_by("kind", "code")
        ]
        self.fields["case_ids"].choices = [
            (str(case.pk), _case_label(case))
            for case in workable_cases(actor, normalise(employer_code or ""))
        ]

    def _raw(self, name: str):
        return self[name].data

    def _text(self, name: str) -> str:
        value = self._raw(name)
        return value if isinstance(value, str) else ""

    def payload(self) -> dict:
        """What was typed, in the API's shape; the service judges it."""
        case_ids = []
        for value in self._raw("case_ids") or []:
            case_ids.append(int(value) if str(value).isdigit() else value)
        return {
            "on": self._text("on").strip(),
            "employer": self._text("employer"),
            "organisations": list(self._raw("organisations") or []),
            "case_ids": case_ids,
            "result": self._text("result"),
            "amount_paid_on_site": self._text("amount_paid_on_site").strip(),
            "legal_basis": self._text("legal_basis"),
        }


class JointActionFilterForm(StyledForm):
    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("To"), required=False, widget=DateInput())
    employer = forms.CharField(
        label=_("Employer"),
        required=False,
        max_length=100,
        help_text=_("A credit code or part of the name."),
    )


class EmployerSearchForm(StyledForm):
    q = forms.CharField(
        label=_("Credit code or name"),
        required=False,
        max_length=100,
        help_text=_("A unified social credit code, or part of the employer's name."),
    )
