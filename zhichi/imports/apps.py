from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    name = "zhichi.imports"
    label = "imports"
    verbose_name = _("Imports")

    def ready(self) -> None:
        from django.conf import settings

        from zhichi.common import purges, request_guard
        from zhichi.evidence.storage import reseal_rows
        from zhichi.imports.models import ImportJob
        from zhichi.imports.services import purge_expired
        from zhichi.parties import rotation

        # a labour bureau's list may be larger than an evidence file (ZHICHI_IMPORT_MAX_MB)
        for prefix in ("/imports/", "/api/v1/imports"):
            request_guard.LARGE_UPLOADS[prefix] = lambda: settings.ZHICHI["IMPORT_MAX_BYTES"]
        # the uploaded lists and the error reports are sealed like case files: re-sealed on key
        # rotation (R4), deleted after ZHICHI_CASEFILE_KEEP_DAYS by the daily purge
        rotation.register("import files", lambda: reseal_rows(ImportJob, "source_name"))
        rotation.register("import error reports", lambda: reseal_rows(ImportJob, "report_name"))
        purges.register("import files", purge_expired)
