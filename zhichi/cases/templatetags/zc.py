"""Display helpers for money, choice lists and stages."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template

from zhichi.cases.models import Evasion, Flag, Stage
from zhichi.parties.models import Group, VulnerabilityBasis

register = template.Library()

CHOICES = {
    "group": Group,
    "basis": VulnerabilityBasis,
    "evasion": Evasion,
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
