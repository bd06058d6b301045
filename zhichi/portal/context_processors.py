from django.conf import settings


def hotline(request) -> dict:
    """The number every portal page gives for help (UI.md: the hotline on every page), and how
    long an unfinished application is kept."""
    if not request.path_info.startswith("/portal/"):
        return {}
    return {
        "portal_hotline": settings.ZHICHI["PORTAL_HOTLINE"],
        "portal_draft_days": settings.ZHICHI["PORTAL_DRAFT_DAYS"],
    }
