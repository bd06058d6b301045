"""Shared form helpers: Bootstrap classes on widgets, and service errors mapped to fields."""

from __future__ import annotations

from django import forms
from django.forms.utils import ErrorDict

from zhichi.common.errors import FieldError, InvalidInput


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class StyledFormMixin:
    """Give every widget its Bootstrap class, so templates stay free of presentation logic."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, (forms.CheckboxInput,)):
                css = "form-check-input"
            elif isinstance(widget, (forms.CheckboxSelectMultiple, forms.RadioSelect)):
                css = ""
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            if css:
                widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()

    def full_clean(self):
        super().full_clean()
        self._mark_invalid()

    def _mark_invalid(self) -> None:
        for name in getattr(self, "_errors", {}) or {}:
            if name in self.fields:
                widget = self.fields[name].widget
                if "is-invalid" not in widget.attrs.get("class", ""):
                    widget.attrs["class"] = (widget.attrs.get("class", "") + " is-invalid").strip()
                widget.attrs["aria-invalid"] = "true"

    # a service's field name → this form's field, where the form names it differently
    error_aliases: dict[str, str] = {}

    def service_error_field(self, error: FieldError) -> str | None:
        """The field that shows a service's ``error``, or None for the form's top."""
        return field_for(self, self.error_aliases.get(error.field, error.field))

    def silence(self) -> None:
        """Show the bound form again without judging it (a row added, a list asked for, or the
        service's errors about to be shown instead of the form's own)."""
        self._errors = ErrorDict()
        self.cleaned_data = {}

    def show_service_errors(self, exc: InvalidInput) -> None:
        """Forget the form's own judgement and show the service's errors at their fields
        (errors on fields the form does not show go to its top)."""
        self.silence()
        for err in exc.errors:
            target = self.service_error_field(err)
            if target is None or err.message not in self._errors.get(target, []):
                self.add_error(target, err.message)
        self._mark_invalid()


class StyledForm(StyledFormMixin, forms.Form):
    pass


def field_for(form, name: str) -> str | None:
    """The field of ``form`` that shows an error on ``name``: the field itself, a nested name
    flattened onto the form ("payment_order.deadline" → payment_order_deadline), or the list
    an item belongs to ("case_ids.2" → case_ids); None if the form shows none of them."""
    for candidate in (name, name.replace(".", "_"), name.partition(".")[0]):
        if candidate in form.fields:
            return candidate
    return None


def apply_service_errors(exc: InvalidInput, forms_by_prefix: dict[str, forms.Form]) -> None:
    """Put each FieldError on the form field it names ("claimants.0.name" → claimants form 0).

    ``forms_by_prefix`` maps a dotted prefix ("" for the main form, "claimants.0") to a form.
    Errors on fields no form shows go to the main form's non-field errors.
    """
    main = forms_by_prefix[""]
    for err in exc.errors:
        prefix, _dot, name = err.field.rpartition(".")
        form = forms_by_prefix.get(prefix)
        if form is None:  # a nested name flattened onto the main form, or nothing it shows
            form, target = main, field_for(main, err.field)
        else:
            target = field_for(form, name)
        if target is not None:
            if target not in (form._errors or {}) or err.message not in form._errors[target]:
                form.add_error(target, err.message)
        else:
            main.add_error(None, err.message)


class StyledFormSet(forms.BaseFormSet):
    """Formsets add their DELETE checkbox after the form is built: style it too."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].widget.attrs["class"] = "form-check-input"
