"""Who may import a list, and whose imports each user sees."""

from __future__ import annotations

from zhichi.common.scoping import get_or_404
from zhichi.imports.models import ImportJob, can_import, job_scope

__all__ = ["can_import", "get_job_for", "is_importer", "job_scope"]


def get_job_for(user, pk) -> ImportJob:
    """The import if ``user`` may see it, else 404."""
    return get_or_404(ImportJob.objects.visible_to(user), pk)


def is_importer(user, job: ImportJob) -> bool:
    """The importing organisation's staff: they confirm the columns and read the rejected
    rows (the error report holds the rows as typed, identifiers included)."""
    return can_import(user) and job.organisation_id == user.organisation_id
