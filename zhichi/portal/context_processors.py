from django.conf import settings

from zhichi.portal import wording


def hotline(request) -> dict:
    """The number every portal page gives for help (UI.md: the hotline on every page), and how
    long an unfinished application is kept: two settings, read for any page that renders the
    portal's templates (the 429 page answers wherever a limit bites)."""
    return {
        "portal_hotline": wording.hotline(),
        "portal_draft_days": settings.ZHICHI["PORTAL_DRAFT_DAYS"],
    }
