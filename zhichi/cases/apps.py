from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "zhichi.cases"
    label = "cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        from zhichi.cases import partner_view, tasks
        from zhichi.cases.models import ApprovalKind
        from zhichi.cases.presenters import register_event_label
        from zhichi.cases.services import appointments, criminal, parties, payments, reopening
        from zhichi.cases.services.approvals import (
            register_approval_hook,
            register_approval_presenter,
        )
        from zhichi.common import page_sections
        from zhichi.rulebook.signals import threshold_entered

        # who sees which section of every page: partners only those declared for them (C8)
        page_sections.set_audience(partner_view.shows_section)

        # reopening a closed case runs on the shared approvals when it needs a second person
        register_approval_hook(ApprovalKind.REOPENING, reopening.on_approval_decided)
        register_approval_presenter(ApprovalKind.REOPENING, reopening.present_approval)
        register_event_label("reopening_proposed", reopening.describe_requested)
        register_event_label("case_reopened", reopening.describe_reopened)

        # a province's figures entered in the law library: its open cases are checked again
        threshold_entered.connect(tasks.on_threshold_entered, dispatch_uid="cases.recheck")
        register_event_label(criminal.RECHECK_EVENT, criminal.describe_recheck)

        # the ledger's entries, the corrections of parties and the mediation appointments, in the
        # reader's language
        register_event_label("payment", payments.describe_payment)
        register_event_label("payment_reversed", payments.describe_reversal)
        register_event_label("party_corrected", parties.describe_correction)
        register_event_label("mediation_scheduled", appointments.describe_scheduled)
        register_event_label("mediation_cancelled", appointments.describe_cancelled)
