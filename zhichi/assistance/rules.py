"""Who may see and do what with judicial assistance and legal aid referrals.

Assistance records (hardship, family finances, money) stay inside the procuratorate that handles
the case: its staff who may see the case see them; partner agencies never do, even on a case
shared with them (C8). The case officer or a head of the case's department records the steps;
the approvals go to the roles of the chain (``cases.rules.can_approve``).
"""

from __future__ import annotations

from zhichi.assistance.models import AssistanceApplication
from zhichi.cases import rules as case_rules
from zhichi.common.scoping import get_or_404


def get_application_for(user, pk, queryset=None) -> AssistanceApplication:
    """The application if ``user`` may see it, else 404 (a hidden one answers like a missing one)."""
    qs = queryset if queryset is not None else AssistanceApplication.objects
    return get_or_404(qs.visible_to(user), pk)


def can_work_on_application(user, application: AssistanceApplication) -> bool:
    """The steps after the application: the case officer or a head of its department (also
    after the case is closed: aid is paid and followed up later)."""
    return case_rules.can_work_on(user, application.case)


def can_record(user, case) -> bool:
    """A new application: only on an open case (rule JA-1)."""
    return case_rules.can_work_on(user, case) and case.status == "open"
