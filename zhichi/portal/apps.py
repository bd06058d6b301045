from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "zhichi.portal"
    label = "portal"
    verbose_name = _("Public portal")

    def ready(self) -> None:
        from zhichi.portal import hooks

        hooks.install()
