"""Display helpers for money, choice lists and stages."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhichi.cases.models import Evasion, Flag, RiskSignal, Stage
from zhichi.cases.words import level_reason_words, risk_reason_words
from zhichi.parties.models import Group, VulnerabilityBasis
from zhichi.rulebook import words as rulebook_words
from zhichi.rulebook.words import verdict_label

register = template.Library()
register.filter("verdict_label", verdict_label)  # the criminal-lead check's verdict, named

CHOICES = {
    "group": Group,
    "basis": VulnerabilityBasis,
    "evasion": Evasion,
    "signals": RiskSignal,
    "flag": Flag,
    "stage": Stage,
}


@register.filter
def yuan(value) -> str:
    """¥12,000.00 (UI.md); an unknown amount is a dash."""
    if value in (None, ""):
        return "—"
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return "—"
    return f"¥{amount:,.2f}"


@register.filter
def labels(values, kind: str) -> list[str]:
    enum = CHOICES[kind]
    out = []
    for v in values or []:
        try:
            out.append(str(enum(v).label))
        except ValueError:
            out.append(str(v))
    return out


@register.filter
def label(value, kind: str) -> str:
    try:
        return str(CHOICES[kind](value).label)
    except ValueError:
        return str(value)


STAGE_TONE = {
    "review": "neutral",
    "pre_litigation": "active",
    "litigation": "active",
    "post_litigation": "warning",
    "closed": "done",
}


@register.filter
def stage_tone(stage: str) -> str:
    return STAGE_TONE.get(stage, "neutral")


# the tone of a background job's or a delivery's state (exports, imports, webhook deliveries,
# text messages): finished well, failed, waiting its turn, over or not applicable; any other state
# (queued, running) is work going on
STATUS_TONE = {
    "done": "done",
    "delivered": "done",
    "sent": "done",
    "failed": "danger",
    "pending": "warning",
    "expired": "neutral",
    "mapping": "neutral",
    "not_sent": "neutral",
}


@register.filter
def status_tone(status: str) -> str:
    return STATUS_TONE.get(status, "active")


WAGE_ITEMS = {
    "unpaid_wages": _("Unpaid wages"),
    "double_wages": _("Double wages (no written contract)"),
    "economic_compensation": _("Economic compensation"),
    "additional_compensation": _("Additional compensation (50%–100%)"),
}


@register.filter
def wage_item_label(value: str) -> str:
    return str(WAGE_ITEMS.get(value, value))


@register.filter
def level_words(stored) -> list[str]:
    """A case's stored level reasons in the reader's language (cases.words)."""
    return level_reason_words(stored)


@register.filter
def risk_words(stored) -> list[str]:
    """A case's stored risk reasons in the reader's language (cases.words)."""
    return risk_reason_words(stored)


@register.filter
def check_words(check) -> dict:
    """A stored criminal-lead check with its reasons and next step in the reader's language."""
    return rulebook_words.check_words(check)


@register.filter
def reasons_of(check: dict) -> list:
    return check.get("reasons") or []


@register.filter
def sentences(texts) -> str:
    """Sentences in one line (a tooltip): joined with “；” in Chinese, “; ” in English."""
    return gettext("; ").join(str(t) for t in texts or [])


@register.filter
def page_window(page_obj) -> list:
    """Page numbers around the current page; None marks a gap (shown as an ellipsis)."""
    ellipsis = page_obj.paginator.ELLIPSIS
    pages = page_obj.paginator.get_elided_page_range(page_obj.number, on_each_side=2, on_ends=1)
    return [None if n == ellipsis else n for n in pages]
