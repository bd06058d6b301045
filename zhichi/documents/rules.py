"""Who may see and issue documents: the case's own procuratorate (documents carry identifiers and
internal reasoning; partners receive paper from the officer, not the system's copies)."""

from __future__ import annotations

from django.http import Http404

from zhichi.accounts.models import Role
from zhichi.cases import rules as case_rules
from zhichi.documents.models import CaseFileExport
from zhichi.intake.rules import get_lead_for as scoped_lead


def sees_documents(user, case) -> bool:
    return (
        case_rules.may_see_cases(user)
        and user.role != Role.PARTNER
        and case_rules.is_own_case(user, case)
    )


def get_case_for_documents(user, case_id):
    """The case when ``user`` may see its documents, else 404 (as if it did not exist)."""
    case = case_rules.get_case_for(user, case_id)
    if not sees_documents(user, case):
        raise Http404
    return case


def can_issue(user, case) -> bool:
    return case_rules.can_work_on(user, case)


def can_manage_templates(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.role == Role.SYSADMIN)


def get_lead_for_documents(user, lead_id):
    """A lead whose notice ``user`` may see: the receiving procuratorate's staff (404 otherwise)."""
    lead = scoped_lead(user, lead_id)
    if user.role == Role.PARTNER or user.organisation_id != lead.organisation_id:
        raise Http404
    return lead


def check_document(user, doc) -> None:
    """404 unless ``user`` may see the case or lead the document belongs to."""
    if doc.case_id:
        get_case_for_documents(user, doc.case_id)
    else:
        get_lead_for_documents(user, doc.lead_id)


def get_export_for(user, export_id):
    """A case-file export ``user`` may see: of a case whose documents they see, and one with full
    identifiers only when they may unmask (rule ID-3); 404 otherwise."""
    from django.shortcuts import get_object_or_404

    export = get_object_or_404(CaseFileExport.objects.select_related("case"), pk=export_id)
    case = get_case_for_documents(user, export.case_id)
    if export.full_identifiers and not case_rules.can_unmask(user, case):
        raise Http404
    return export
