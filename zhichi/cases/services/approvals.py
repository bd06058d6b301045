"""Approvals: a decision on a case waiting for the role the rules reserve it to.

The support decision (SP-7) waits for the department head. Higher apps use the same approvals
for their own chains — judicial assistance (officer → head → chief procurator, JA-6) and
procuratorial suggestions (chief procurator, TL-9) — so one inbox, one API
(``/api/v1/approvals/{id}/approve|reject``) and one permission rule serve them all.

An app registers a hook per approval kind (``register_approval_hook``) from ``AppConfig.ready``.
The hook runs inside the deciding transaction, after the approval row is saved: it moves the
app's own record on (e.g. opens the next step of a chain) and may refuse the decision with
``InvalidInput``, which rolls everything back.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhichi.accounts.models import Role, User
from zhichi.accounts.notify import notify
from zhichi.audit.services import record
from zhichi.cases import rules
from zhichi.cases.models import Approval, ApprovalStatus, Case
from zhichi.cases.services import add_event
from zhichi.cases.services.common import touch
from zhichi.errors import FieldError, InvalidInput, NotPermitted

# (approval, actor, approved, reason) -> None; runs inside the transaction
ApprovalHook = Callable[[Approval, User, bool, str], None]
_HOOKS: dict[str, ApprovalHook] = {}


def register_approval_hook(kind: str, hook: ApprovalHook) -> None:
    _HOOKS[kind] = hook


# (approval) -> {"summary": str, "step_label": str}: what the inbox shows, in the reader's
# language. The payload keeps data (names, amounts, codes), never text translated for the
# requester.
ApprovalPresenter = Callable[[Approval], dict]
_PRESENTERS: dict[str, ApprovalPresenter] = {}


def register_approval_presenter(kind: str, presenter: ApprovalPresenter) -> None:
    _PRESENTERS[kind] = presenter


def present(approval: Approval) -> dict:
    """The one-line summary and the step of an approval, for the reader's language."""
    presenter = _PRESENTERS.get(approval.kind)
    return presenter(approval) if presenter else {}


def approvers(case: Case, role: str):
    """The active users who may decide an approval for ``role`` on ``case`` (rules.can_approve)."""
    users = User.objects.filter(organisation_id=case.organisation_id, role=role, is_active=True)
    if role == Role.HEAD:
        if not case.department_id:
            return User.objects.none()
        users = users.filter(department_id=case.department_id)
    return users


def refusal_for(role: str) -> str:
    if role == Role.CHIEF:
        return _("This approval is reserved to the chief procurator.")
    return _("This approval is reserved to the department head.")


def request_approval(
    *,
    case: Case,
    kind: str,
    required_role: str,
    actor: User,
    payload: dict,
    text: str,
    url: str = "",
) -> Approval:
    """Open an approval and tell everyone who may decide it (call inside the transaction).

    ``payload`` is kept with the approval: ``reasons`` (the proposal's text) and ``url`` (where
    the subject is) are displayed in the inbox, with the line the kind's presenter makes from the
    rest (``register_approval_presenter``).
    """
    approval = Approval.objects.create(
        case=case,
        kind=kind,
        payload=payload,
        required_role=required_role,
        requested_by=actor,
    )
    for user in approvers(case, required_role):
        notify(
            user=user,
            kind="approval",
            url=url or f"/cases/{case.pk}/",
            text=text,
            dedupe_key=f"approval:{approval.pk}:{user.pk}",
        )
    return approval


def decide_approval(*, approval_id: int, actor: User, approve: bool, reason: str = "") -> Approval:
    approval = Approval.objects.select_related("case").get(pk=approval_id)
    if not rules.can_approve(actor, approval):
        record(action="approval.decide", actor=actor, obj=approval, outcome="denied")
        raise NotPermitted(refusal_for(approval.required_role))
    reason = (reason or "").strip()
    if not approve and not reason:
        raise InvalidInput([FieldError("reason", "required", _("Give the reason for rejecting."))])
    if len(reason) > 5000:
        raise InvalidInput(
            [FieldError("reason", "max_length", _("Keep the reason under 5,000 characters."))]
        )
    with transaction.atomic():
        approval = Approval.objects.select_for_update().get(pk=approval_id)
        if approval.status != ApprovalStatus.PENDING:
            raise InvalidInput(
                [FieldError("status", "decided", _("This approval was already decided."))]
            )
        case = Case.objects.select_for_update().get(pk=approval.case_id)
        approval.case = case
        approval.status = ApprovalStatus.APPROVED if approve else ApprovalStatus.REJECTED
        approval.decided_by = actor
        approval.decided_at = timezone.now()
        approval.decision_reason = reason
        approval.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
        decision = approval.payload.get("decision")
        add_event(
            case,
            kind="approval_decided",
            actor=actor,
            summary=reason,
            data={
                "approval": approval.pk,
                "approved": approve,
                "decision": decision,
                "kind": approval.kind,
                "role": approval.required_role,
            },
        )
        hook = _HOOKS.get(approval.kind)
        if hook is not None:
            hook(approval, actor, approve, reason)
        touch(case)
        record(
            action="approval.decide",
            actor=actor,
            obj=approval,
            detail={"approved": approve, "kind": approval.kind, "decision": decision},
        )
        told = {uid for uid in (case.officer_id, approval.requested_by_id) if uid}
        for user in User.objects.filter(pk__in=told - {actor.pk}):
            notify(
                user=user,
                kind="approval_decided",
                url=approval.payload.get("url") or f"/cases/{case.pk}/",
                text=(
                    _("Approved: %(what)s on %(number)s")
                    if approve
                    else _("Rejected: %(what)s on %(number)s")
                )
                % {"what": approval.get_kind_display(), "number": case.number},
                dedupe_key=f"approval-decided:{approval.pk}:{user.pk}",
            )
    return approval
