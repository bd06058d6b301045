from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsolesConfig(AppConfig):
    """The pages of the system administrator and the auditor (rule R5, 三员分立). The security
    administrator's pages live in zhichi.accounts (security_views), next to the sign-in they
    keep."""

    name = "zhichi.consoles"
    label = "consoles"
    verbose_name = _("Administration")
