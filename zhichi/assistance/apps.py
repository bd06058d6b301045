from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssistanceConfig(AppConfig):
    name = "zhichi.assistance"
    label = "assistance"
    verbose_name = _("Judicial assistance and legal aid")

    def ready(self) -> None:
        from zhichi.assistance import sections

        sections.register_all()
