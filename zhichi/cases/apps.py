from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "zhichi.cases"
    label = "cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        from zhichi import page_sections
        from zhichi.cases import partner_view

        # who sees which section of every page: partners only those declared for them (C8)
        page_sections.set_audience(partner_view.shows_section)

        from zhichi.cases.models import ApprovalKind
        from zhichi.cases.presenters import register_event_label
        from zhichi.cases.services import reopening
        from zhichi.cases.services.approvals import (
            register_approval_hook,
            register_approval_presenter,
        )

        # reopening a closed case runs on the shared approvals when it needs a second person
        register_approval_hook(ApprovalKind.REOPENING, reopening.on_approval_decided)
        register_approval_presenter(ApprovalKind.REOPENING, reopening.present_approval)
        register_event_label("reopening_proposed", reopening.describe_requested)
        register_event_label("case_reopened", reopening.describe_reopened)
