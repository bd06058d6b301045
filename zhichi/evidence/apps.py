from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvidenceConfig(AppConfig):
    name = "zhichi.evidence"
    label = "evidence"
    verbose_name = _("Evidence")

    def ready(self) -> None:
        from zhichi.common.page_sections import Section, register
        from zhichi.evidence import sections, storage

        title = _("Attachments")
        register(
            "case",
            Section(
                key="attachments",
                title=title,
                template="evidence/_section.html",
                context=sections.case_section,
                order=60,
                partners=True,  # a partner sees and adds only its own organisation's files
            ),
        )
        register(
            "lead",
            Section(
                key="attachments",
                title=title,
                template="evidence/_section.html",
                context=sections.lead_section,
                order=60,
                partners=True,  # a partner sees and adds only its own organisation's files
            ),
        )
        # a wrong store setting (s3 without django-storages, no bucket) stops start-up here
        storage.check_configuration()

        from zhichi.evidence.models import Attachment
        from zhichi.parties import rotation

        rotation.register("evidence files", lambda: storage.reseal_rows(Attachment))
