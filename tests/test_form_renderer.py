"""The form widgets render through Jinja2 (settings.FORM_RENDERER,
docs/decisions/0008-form-widgets.md): the same HTML as Django's own templates, escaped."""

from __future__ import annotations

import re

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates, Jinja2, get_default_renderer

from zhichi.common.forms import DateInput, StyledForm

HOSTILE = '<script>alert("x")</script>'


class EveryWidget(StyledForm):
    """One field of each kind of widget the pages use, with words a user could have typed."""

    name = forms.CharField(label="姓名", max_length=10, help_text="身份证上的名字")
    summary = forms.CharField(widget=forms.Textarea, required=False)
    kind = forms.ChoiceField(choices=[("", "—"), ("a", HOSTILE), ("b", "乙")])
    kinds = forms.MultipleChoiceField(choices=[("a", "甲"), ("b", "乙")], required=False)
    groups = forms.MultipleChoiceField(
        choices=[("minor", "未成年人"), ("elderly", HOSTILE)],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    method = forms.ChoiceField(
        choices=[("phone", "电话"), ("visit", "走访")], widget=forms.RadioSelect
    )
    consent = forms.BooleanField(required=False)
    on = forms.DateField(widget=DateInput)
    amount = forms.DecimalField(max_digits=12, decimal_places=2)
    email = forms.EmailField(required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)
    file = forms.FileField(required=False)


BOUND = {
    "name": HOSTILE,  # too long: an error, shown again with what was typed
    "summary": HOSTILE,
    "kind": "a",
    "kinds": ["a", "b"],
    "groups": ["elderly"],
    "method": "visit",
    "consent": "on",
    "on": "2026-13-40",
    "amount": "12.345",
    "email": "not-an-address",
    "version": "3",
}


# the two escape a quote with different spellings of one character (markupsafe and Django's)
SPELLINGS = {"&#34;": "&quot;", "&#39;": "&#x27;"}


def _html(form: forms.Form, renderer) -> str:
    """The form's widgets and errors, whitespace between tags and the spelling of an escaped
    quote aside."""
    form.renderer = renderer
    text = "".join(str(form[name]) + str(form[name].errors) for name in form.fields)
    for spelling, same in SPELLINGS.items():
        text = text.replace(spelling, same)
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", text)).strip()


def test_the_pages_forms_render_through_jinja2():
    assert isinstance(get_default_renderer(), Jinja2)


@pytest.mark.parametrize("bound", [False, True], ids=["empty", "bound-with-errors"])
def test_every_widget_renders_the_html_of_djangos_own_templates(bound):
    def form():
        made = EveryWidget(BOUND if bound else None, initial={"version": 3, "kinds": ["a"]})
        made.is_valid()
        return made

    assert _html(form(), Jinja2()) == _html(form(), DjangoTemplates())


def test_what_a_user_typed_and_a_choices_words_are_escaped():
    form = EveryWidget(BOUND)
    form.is_valid()
    html = _html(form, get_default_renderer())

    assert "<script>" not in html
    assert html.count("&lt;script&gt;") >= 4  # the name, the summary, two choices' words


def test_an_invalid_field_says_so_to_a_screen_reader():
    form = EveryWidget(BOUND)
    assert not form.is_valid()
    name = str(form["name"])

    assert 'aria-invalid="true"' in name
    assert 'aria-describedby="id_name_helptext id_name_error"' in name
    assert "is-invalid" in name
    assert "form-control" in name
