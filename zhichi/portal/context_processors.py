from django.conf import settings


def hotline(request) -> dict:
    """The number every portal page gives for help (UI.md: the hotline on every page)."""
    if not request.path_info.startswith("/portal/"):
        return {}
    return {"portal_hotline": settings.ZHICHI.get("PORTAL_HOTLINE", "12309")}
