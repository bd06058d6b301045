"""Who may see and do what with judicial assistance and legal aid referrals.

Assistance records (hardship, family finances, money) stay inside the procuratorate that handles
the case: its staff who may see the case see them; partner agencies never do, even on a case
shared with them (C8). The case officer or a head of the case's department records the steps;
the approvals go to the roles of the chain (``cases.rules.can_approve``).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from zhichi.accounts.models import Role
from zhichi.assistance.models import AssistanceApplication
from zhichi.cases import rules as case_rules


def assistance_scope(user) -> Q | None:
    """The filter for the applications ``user`` may see, or None for none at all."""
    scope = case_rules.case_scope(user)
    if scope is None or user.role == Role.PARTNER:
        return None
    return Q(case__in=case_rules.cases_visible_to(user).values("pk")) & Q(
        case__organisation_id=user.organisation_id
    )


def may_see_assistance(user) -> bool:
    return case_rules.may_see_cases(user) and user.role != Role.PARTNER


def applications_visible_to(user) -> QuerySet[AssistanceApplication]:
    scope = assistance_scope(user)
    if scope is None:
        return AssistanceApplication.objects.none()
    return AssistanceApplication.objects.filter(scope)


def get_application_for(user, pk, queryset=None) -> AssistanceApplication:
    """The application if ``user`` may see it, else 404 (a hidden one answers like a missing one)."""
    scope = assistance_scope(user)
    try:
        if scope is None:
            raise AssistanceApplication.DoesNotExist
        qs = queryset if queryset is not None else AssistanceApplication.objects
        return qs.filter(scope).get(pk=pk)
    except (AssistanceApplication.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def sees_case_assistance(user, case) -> bool:
    """The assistance part of a case page: the case's own organisation, not partners."""
    return may_see_assistance(user) and case_rules.is_own_case(user, case)


def can_work_on(user, application: AssistanceApplication) -> bool:
    """The steps after the application: the case officer or a head of its department (also
    after the case is closed: aid is paid and followed up later)."""
    return case_rules.can_work_on(user, application.case)


def can_record(user, case) -> bool:
    """A new application: only on an open case (rule JA-1)."""
    return case_rules.can_work_on(user, case) and case.status == "open"
