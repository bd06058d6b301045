"""Case list filters shared by the page and the API."""

from __future__ import annotations

from django.db.models import QuerySet

from zhichi.cases.models import Case, PartyRole


def filter_cases(
    qs: QuerySet[Case],
    *,
    stage: str | None = None,
    level: int | str | None = None,
    category: str | None = None,
    status: str | None = None,
    q: str | None = None,
    employer: str | None = None,
    officer: str | None = None,
    flag: str | None = None,
) -> QuerySet[Case]:
    if stage:
        qs = qs.filter(stage=stage)
    if level not in (None, ""):
        try:
            qs = qs.filter(level=int(level))
        except (TypeError, ValueError):
            qs = qs.none()
    if category:
        qs = qs.filter(category=category)
    if status:
        qs = qs.filter(status=status)
    if officer:
        qs = qs.filter(officer__username=officer)
    if flag:
        qs = (
            qs.filter(flags__contains=flag)
            if qs.db != "sqlite"
            else qs.filter(flags__icontains=f'"{flag}"')
        )
    if employer:
        code = employer.strip().upper()
        qs = qs.filter(
            pk__in=Case.objects.filter(
                parties__role=PartyRole.RESPONDENT, parties__party__credit_code=code
            ).values("pk")
        )
    if q:
        qs = qs.search(q)
    return qs
