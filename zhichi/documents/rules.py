"""Who may see and issue documents: the case's own procuratorate (documents carry identifiers and
internal reasoning; partners receive paper from the officer, not the system's copies). What a
user may see is ``Case.objects.internal_to(user)`` and ``Lead.objects.internal_to(user)``."""

from __future__ import annotations

from django.http import Http404

from zhichi.accounts.models import Role
from zhichi.cases import rules as case_rules
from zhichi.cases.models import Case
from zhichi.common.scoping import get_or_404
from zhichi.documents.models import CaseFileExport
from zhichi.intake.rules import get_internal_lead_for


def can_issue(user, case) -> bool:
    return case_rules.can_work_on(user, case)


def can_manage_templates(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.role == Role.SYSADMIN)


def check_document(user, doc) -> None:
    """404 unless ``user`` may see the case or lead the document belongs to (internally)."""
    if doc.case_id:
        case_rules.get_internal_case_for(user, doc.case_id)
    else:
        get_internal_lead_for(user, doc.lead_id)


def get_export_for(user, export_id) -> CaseFileExport:
    """A case-file export ``user`` may see: of a case whose documents they see, and one with full
    identifiers only when they may unmask (rule ID-3); 404 otherwise."""
    export = get_or_404(
        CaseFileExport.objects.select_related("case").filter(
            case__in=Case.objects.internal_to(user).values("pk")
        ),
        export_id,
    )
    if export.full_identifiers and not case_rules.can_unmask(user, export.case):
        raise Http404
    return export
