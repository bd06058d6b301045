"""A portal lead's filing in the partner API (issue 18 item 6): who filed it, the consents given
and what the person was told, for the receiving procuratorate's staff only; 404 for everyone
else, as for a lead that did not come from the portal. The phones and names stay on the page."""

from __future__ import annotations

from django.http import Http404
from ninja import Field, Router, Schema

from zhichi.common.api import READ_ERRORS
from zhichi.common.schemas import IsoText
from zhichi.intake.rules import get_internal_lead_for
from zhichi.portal.models import Filing

router = Router()


class PortalConsentsOut(Schema):
    sensitive: bool = Field(..., alias="consent_sensitive")
    voluntary: bool = Field(..., alias="consent_voluntary")
    # the person's consent as the helper confirmed it; false when they filed themselves
    helper_confirms: bool = Field(..., alias="helper_confirms_consent")


class PortalNoticeOut(Schema):
    kind: str
    at: IsoText = Field(..., alias="created_at")
    sms_status: str


class PortalFilingOut(Schema):
    filed_by: str
    helper_relation: str
    consents: PortalConsentsOut
    privacy_notice: str
    consent_sms: bool
    consented_at: IsoText
    # the person typed a name that differs from the name on record for their ID number: check
    # it with them (the name itself is on the lead page only)
    typed_name_differs: bool
    notices: list[PortalNoticeOut]

    @staticmethod
    def resolve_consents(filing: Filing) -> Filing:
        return filing

    @staticmethod
    def resolve_typed_name_differs(filing: Filing) -> bool:
        return bool(filing.typed_name)

    @staticmethod
    def resolve_notices(filing: Filing) -> list:
        return list(filing.notices.all())


@router.get(
    "/leads/{lead_id}/portal",
    response={200: PortalFilingOut, **READ_ERRORS},
    summary="A portal lead's filing: who filed, the consents, what the person was told",
)
def get_lead_portal_filing(request, lead_id: int):
    lead = get_internal_lead_for(request.auth, lead_id)
    filing = Filing.objects.filter(lead=lead).first()
    if filing is None:
        raise Http404  # a lead that did not come from the portal
    return filing
