from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    """Running the instance: backup and restore (rule R10)."""

    name = "zhichi.ops"
    label = "ops"
    verbose_name = _("Operations")
