"""System checks on the deployment's settings (``manage.py check``, and before ``migrate`` and
the server start)."""

from __future__ import annotations

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.database)
def data_dir_exists(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """The data directory holds the SQLite database and the uploaded files. Settings never create
    it (importing them has no side effects): ``make run`` and development keys do, a deployment
    creates it once (docs/deployment.md)."""
    if settings.DATA_DIR.is_dir():
        return []
    uses_it = [
        what
        for what, path in (
            ("the SQLite database", str(settings.DATABASES["default"].get("NAME", ""))),
            ("uploaded evidence", str(settings.ZHICHI["EVIDENCE_DIR"])),
        )
        if path.startswith(str(settings.DATA_DIR))
    ]
    if not uses_it:
        return []
    return [
        checks.Error(
            f"The data directory {settings.DATA_DIR} does not exist; it holds "
            + " and ".join(uses_it)
            + ".",
            hint="Create it (mode 700, owned by the service's user) or set ZHICHI_DATA_DIR.",
            id="zhichi.E001",
        )
    ]


@checks.register(checks.Tags.security, deploy=True)
def no_demo_in_production(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Rule R6: a deployment never runs as a demo instance, where the demo accounts sign in
    without a second factor (the settings already refuse ZHICHI_DEMO=1 for any other host name
    than this computer's)."""
    if not settings.ZHICHI_DEMO:
        return []
    return [
        checks.Error(
            "ZHICHI_DEMO=1: the demo accounts sign in with a published password and no second "
            "factor.",
            hint="Unset ZHICHI_DEMO; it is for `make run` on this computer only.",
            id="zhichi.E002",
        )
    ]
