from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "zhichi.supervision"
    label = "supervision"
    verbose_name = _("Legal supervision")

    def ready(self) -> None:
        from zhichi.supervision import sections

        sections.register_all()
