from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    name = "zhichi.stats"
    label = "stats"
    verbose_name = _("Statistics")

    def ready(self) -> None:
        from zhichi.common import purges
        from zhichi.evidence.storage import reseal_rows
        from zhichi.parties import rotation
        from zhichi.stats.exports_build import purge_expired
        from zhichi.stats.models import ListExport

        # the lists' Excel files are sealed like case files: re-sealed on key rotation (R4) and
        # deleted after ZHICHI_CASEFILE_KEEP_DAYS by the daily purge
        rotation.register("list exports", lambda: reseal_rows(ListExport))
        purges.register("list exports", purge_expired)
