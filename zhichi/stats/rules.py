"""Who reads which figures (C13): each reader over their own scope; administrators none."""

from __future__ import annotations

from django.utils.translation import gettext as _

from zhichi.common.errors import FieldError, InvalidInput, NotPermitted
from zhichi.common.inputs import parse
from zhichi.stats.schemas import StatsIn
from zhichi.stats.selectors import Scope, departments_for, may_see_stats


def ensure_may_see_stats(user) -> None:
    if not may_see_stats(user):
        raise NotPermitted(_("Your role does not read the statistics."))


def scope_for(user, data: StatsIn) -> Scope:
    """The reader's scope, narrowed to the department asked for: one of the reader's
    procuratorate's, for the chief procurator and the registry (422 at ``department``
    otherwise)."""
    if not data.department:
        return Scope(user)
    department = next((d for d in departments_for(user) if d.code == data.department), None)
    if department is None:
        raise InvalidInput(
            [
                FieldError(
                    "department",
                    "choice",
                    _("Choose one of your procuratorate's departments."),
                )
            ]
        )
    return Scope(user, department)


def read_query(user, data) -> tuple[Scope, StatsIn]:
    """The query read and the scope it asks for; permission first, then the input."""
    ensure_may_see_stats(user)
    query = parse(StatsIn, data)
    return scope_for(user, query), query
