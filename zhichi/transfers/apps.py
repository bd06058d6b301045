from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TransfersConfig(AppConfig):
    name = "zhichi.transfers"
    label = "transfers"
    verbose_name = _("Transfers")

    def ready(self) -> None:
        from zhichi.transfers import criminal, sections

        sections.register_all()
        criminal.register()  # what became of a criminal lead shows on the case's flag
