"""Reading a lead as it comes in, from a page or from the API (C1): its fields through the one
schema (``schemas.LeadIn``), then what needs the database."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from zhichi.accounts.models import Organisation
from zhichi.common.errors import FieldError, InvalidInput
from zhichi.common.inputs import parse
from zhichi.intake.schemas import MAX_CLAIMANTS, MAX_RESPONDENTS, DeclineIn, LeadIn, NameChoice

__all__ = ["MAX_CLAIMANTS", "MAX_RESPONDENTS", "NameChoice", "referring_org", "validate_lead"]


def validate_lead(data: LeadIn | dict[str, Any]) -> LeadIn:
    """A lead read through ``LeadIn`` (an instance is taken as it is), its referring
    organisation known; raise InvalidInput listing the problems, changing nothing."""
    if not isinstance(data, (dict, LeadIn)):
        raise InvalidInput([], detail=_("The lead must be an object."))
    lead = parse(LeadIn, data, detail=_("The lead has errors; nothing was saved."))
    referring_org(lead)
    return lead


def referring_org(lead: LeadIn) -> Organisation | None:
    """The active organisation the lead names as its referrer, by its code (None when none is
    named); an unknown code is refused at ``referring_org``."""
    if not lead.referring_org:
        return None
    org = Organisation.objects.filter(code=lead.referring_org, is_active=True).first()
    if org is None:
        raise InvalidInput(
            [FieldError("referring_org", "unknown", _("No organisation has this code."))],
            detail=_("The lead has errors; nothing was saved."),
        )
    return org


def validate_decline(data) -> tuple[str, str]:
    decline = parse(DeclineIn, data)
    return decline.reason, decline.redirect
