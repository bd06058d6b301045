from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    name = "zhichi.intake"
    label = "intake"
    verbose_name = _("Intake")

    def ready(self) -> None:
        from zhichi.intake import history

        history.register()  # the lead's history on the case timeline (issue 13 item 11)
