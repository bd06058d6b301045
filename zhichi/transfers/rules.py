"""Who may see and act on transfers. Scoped getters raise 404 for what a user may not see."""

from __future__ import annotations

from django.db.models import QuerySet

from zhichi.accounts.models import Department, Organisation, Role
from zhichi.accounts.rules import is_member
from zhichi.cases.models import Case, CaseStatus
from zhichi.cases.rules import can_work_on
from zhichi.cases.scope import DEPARTMENT_ROLES
from zhichi.common.scoping import get_or_404
from zhichi.intake.models import LeadStatus
from zhichi.intake.rules import can_decide_lead
from zhichi.transfers.models import ACTING_ROLES, Transfer


def party_transfers(user, subject) -> QuerySet[Transfer]:
    """The transfers of ``subject`` (a case or a lead) the user's side sent or receives: all a
    viewer from outside the subject's procuratorate sees of its transfers (C8). Transfers between
    the procuratorate's departments, or with another agency, are not a partner's business."""
    field = "case" if isinstance(subject, Case) else "lead"
    return Transfer.objects.visible_to(user).filter(**{field: subject})


def get_transfer_for(user, pk, queryset=None) -> Transfer:
    """The transfer if ``user`` is on one of its sides, else 404."""
    return get_or_404((queryset if queryset is not None else Transfer.objects).visible_to(user), pk)


def _acts_for(user, org_id: int, department_id: int | None) -> bool:
    if not is_member(user) or user.role not in ACTING_ROLES or user.organisation_id != org_id:
        return False
    if user.role in DEPARTMENT_ROLES and department_id is not None:
        return user.department_id == department_id
    return True


def is_receiver(user, transfer: Transfer) -> bool:
    return _acts_for(user, transfer.to_org_id, transfer.to_department_id)


def is_sender(user, transfer: Transfer) -> bool:
    return _acts_for(user, transfer.from_org_id, transfer.from_department_id)


def sending_side(user, subject) -> tuple[Organisation, Department | None]:
    """Where a transfer comes from (issue 13 item 5): the sender's own organisation and
    department, never the case's or lead's (a criminal officer sending the lead it filed, which
    sits in civil intake, sends from the criminal department). A sender who belongs to no
    department (the chief procurator) sends for the department that holds the case or lead."""
    department = user.department
    if department is None and subject.organisation_id == user.organisation_id:
        department = subject.department
    return user.organisation, department


def may_send_to(sender: tuple[Organisation, Department | None], to_org, to_department) -> bool:
    """Every organisation and department but the sender's own (API.md § Transfers)."""
    from_org, from_department = sender
    return not (
        to_org.pk == from_org.pk
        and from_department is not None
        and to_department is not None
        and to_department.pk == from_department.pk
    )


def can_send_case(user, case) -> bool:
    """A case is transferred by those who work on it, while it is open."""
    return case.status == CaseStatus.OPEN and can_work_on(user, case)


def can_send_lead(user, lead) -> bool:
    """A new lead is transferred by those who may decide it, or by the officer who filed it
    (e.g. a criminal officer sending a victim's lead to the civil department)."""
    if lead.status != LeadStatus.NEW or not is_member(user) or user.role == Role.PARTNER:
        return False  # a partner's referral is itself the lead it filed
    if user.role not in ACTING_ROLES:
        return False
    return can_decide_lead(user, lead) or lead.created_by_id == user.pk


def can_download_evidence(user, transfer: Transfer) -> bool:
    """The package goes with the transfer: the sending side always, the receiving side while
    the transfer is open for it (not after rejecting or closing, rule R3)."""
    if is_sender(user, transfer):
        return True
    return is_receiver(user, transfer) and transfer.open_for_receiver
