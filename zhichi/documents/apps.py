from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "zhichi.documents"
    label = "documents"
    verbose_name = _("Documents")

    def ready(self) -> None:
        from zhichi.documents import sections

        sections.register_all()
