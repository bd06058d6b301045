from django import forms
from django.utils.translation import gettext_lazy as _

from zhichi.cases.models import Category, Flag, Stage
from zhichi.common.forms import StyledForm


class CaseFilterForm(StyledForm):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        help_text=_("Case number, a name, a credit code or words of the summary."),
    )
    stage = forms.ChoiceField(label=_("Stage"), required=False)
    level = forms.ChoiceField(label=_("Level"), required=False)
    category = forms.ChoiceField(label=_("Category"), required=False)
    flag = forms.ChoiceField(label=_("Flag"), required=False)
    mine = forms.BooleanField(label=_("Only my cases"), required=False)

    def __init__(self, *args, flags: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        anything = [("", _("Any"))]
        self.fields["stage"].choices = anything + list(Stage.choices)
        self.fields["level"].choices = [
            *anything,
            ("1", _("1 routine")),
            ("2", _("2 standard")),
            ("3", _("3 major")),
        ]
        self.fields["category"].choices = anything + list(Category.choices)
        self.fields["flag"].choices = anything + list(Flag.choices)
        if not flags:
            del self.fields["flag"]


class StageForm(StyledForm):
    to = forms.ChoiceField(label=_("Move to"), choices=Stage.choices)
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=10000
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, targets=(), **kwargs):
        super().__init__(*args, **kwargs)
        if targets:
            self.fields["to"].choices = [(s, Stage(s).label) for s in targets]
