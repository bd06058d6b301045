"""The public portal's section of the lead page and the case page (zhichi/common/page_sections.py):
what the portal kept of a filed application, for the receiving procuratorate's staff only
(``internal_to``): who filed it, how to reach the person (masked), the consents given, a name
typed differently from the record, and what the person was told."""

from __future__ import annotations

from zhichi.cases import scope
from zhichi.cases.models import Case, Source
from zhichi.core.identifiers import mask_phone
from zhichi.intake.models import Lead
from zhichi.portal.models import FiledBy, Filing


def _context(filing: Filing | None) -> dict | None:
    if filing is None:
        return None
    return {
        "filing": filing,
        "by_helper": filing.filed_by == FiledBy.HELPER,
        "phone": mask_phone(filing.phone) if filing.phone_enc else "",
        "helper_phone": mask_phone(filing.helper_phone) if filing.helper_phone_enc else "",
        "notices": list(filing.notices.all()),
    }


def _internal(user, obj: Lead | Case) -> bool:
    """``internal_to`` for an object the page already scoped (``visible_to``): the staff of its
    own procuratorate. Partners and other procuratorates are not even told that it came from
    the portal."""
    return scope.may_see_internal(user) and obj.organisation_id == user.organisation_id


def _shown(user, obj: Lead | Case) -> bool:
    # only a lead (or its case) the portal filed has a filing: the others' pages read nothing
    return obj.source == Source.PORTAL and _internal(user, obj)


def lead_section(request, lead: Lead) -> dict | None:
    if not _shown(request.user, lead):
        return None
    return _context(Filing.objects.filter(lead=lead).first())


def case_section(request, case: Case) -> dict | None:
    if not _shown(request.user, case):
        return None
    return _context(Filing.objects.filter(lead__case_id=case.pk).first())
