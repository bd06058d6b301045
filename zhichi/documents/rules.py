"""Who may see and issue documents: the case's own procuratorate (documents carry identifiers and
internal reasoning; partners receive paper from the officer, not the system's copies). What a
user may see is ``Case.objects.internal_to(user)`` and ``Lead.objects.internal_to(user)``."""

from __future__ import annotations

from django.db.models import Q
from django.http import Http404

from zhichi.accounts.rules import is_system_admin
from zhichi.cases import rules as case_rules
from zhichi.cases.models import Case
from zhichi.common.scoping import get_or_404
from zhichi.documents.models import CaseFileExport, IssuedDocument
from zhichi.intake.models import Lead


def can_issue(user, case) -> bool:
    return case_rules.can_work_on(user, case)


def can_manage_templates(user) -> bool:
    return is_system_admin(user)


def get_document_for(user, pk) -> IssuedDocument:
    """An issued document of a case or lead whose internal work ``user`` sees, else 404 (scoped
    in the query that loads it)."""
    return get_or_404(
        IssuedDocument.objects.select_related("case", "lead").filter(
            Q(case__in=Case.objects.internal_to(user).values("pk"))
            | Q(lead__in=Lead.objects.internal_to(user).values("pk"))
        ),
        pk,
    )


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
