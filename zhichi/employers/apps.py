from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EmployersConfig(AppConfig):
    name = "zhichi.employers"
    label = "employers"
    verbose_name = _("Joint actions and employers")

    def ready(self) -> None:
        from zhichi.employers import sections

        sections.register_all()
