"""Approvals: a decision on a case waiting for the role the rules reserve it to.

The support decision (SP-7) waits for the department head. Higher apps use the same approvals
for their own chains — judicial assistance (officer → head → chief procurator, JA-6) and
procuratorial suggestions (chief procurator, TL-9) — so one inbox, one API
(``/api/v1/approvals/{id}/approve|reject``) and one permission rule serve them all.

An app registers a hook per approval kind (``register_approval_hook``) from ``AppConfig.ready``.
The hook runs inside the deciding transaction, after the approval row is saved, with the case
locked (``approval.case`` is the locked case, saved with its next version afterwards): it moves the
app's own record on (e.g. opens the next step of a chain) and may refuse the decision with
``InvalidInput``, which rolls everything back.

Four eyes, for every chain alike (docs/decisions/0005-four-eyes.md): whoever proposed an approval
(``requested_by``: the officer's opinion, the head's draft) never decides it. ``route`` picks who
decides when the approval is opened: the step's role without the proposer; where the proposer is
the only one holding that role, the next level up (a head's own proposal goes to the chief
procurator, and the approval says why); where there is no level up (the chief procurator's own
proposal and no other chief), the proposal is refused with a 422 that says who must decide.
``decide_approval`` refuses the proposer (403, audited as denied) whatever the role.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from zhichi.accounts.models import Role, User
from zhichi.accounts.notify import notify
from zhichi.audit.services import record
from zhichi.cases import rules
from zhichi.cases.models import Approval, ApprovalStatus, Case
from zhichi.cases.services import add_event
from zhichi.cases.services.common import changing_case
from zhichi.common.errors import FieldError, InvalidInput, NotPermitted

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
    """The active users holding ``role`` for ``case``: those who decide its approvals for that
    role, less each approval's proposer (rules.can_approve)."""
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


def OWN_PROPOSAL() -> str:
    return _(
        "You proposed this, so another person must decide it: nobody approves their own proposal."
    )


# four eyes: where the proposer is the only one holding a step's role, the step goes here
NEXT_LEVEL = {Role.HEAD: Role.CHIEF}


@dataclass(frozen=True)
class Route:
    """Who decides an approval: ``role`` (without the proposer); ``escalated_from`` the role it
    would have gone to had its proposer not been the only one holding it."""

    role: str
    escalated_from: str = ""


def route(case: Case, role: str, proposer: User) -> Route:
    """The role that decides a step ``proposer`` asks ``role`` for (four eyes).

    Someone other than the proposer holds the role: that role (the proposer is left out). The
    proposer is the only one: the next level up, or a 422 naming who must decide where there is
    none. Nobody holds it at all (a vacancy, not a four-eyes question): the role, as asked.
    """
    holders = approvers(case, role)
    if holders.exclude(pk=proposer.pk).exists() or not holders.filter(pk=proposer.pk).exists():
        return Route(role)
    up = NEXT_LEVEL.get(role)
    if up is None:
        # the chief procurator's own proposal with no other chief: the procuratorial committee
        # that would decide it is not modelled, so the proposal is refused (decision 0005)
        message = _(
            "Only a chief procurator may approve this, and you are the only one, so you cannot "
            "propose it yourself: let the case officer or the department head propose it, or "
            "have another chief procurator (a deputy holding that role) set up to decide it."
        )
        raise InvalidInput([FieldError("approval", "no_other_approver", message)], detail=message)
    return Route(route(case, up, proposer).role, escalated_from=role)


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
    """Open an approval that ``actor`` proposes and tell everyone who may decide it (call inside
    the transaction). The step goes to ``required_role``, or a level up when ``actor`` is the only
    one holding it (``route``, four eyes); ``actor`` is kept as the proposer.

    ``payload`` is kept with the approval: ``reasons`` (the proposal's text) and ``url`` (where
    the subject is) are displayed in the inbox, with the line the kind's presenter makes from the
    rest (``register_approval_presenter``).
    """
    routed = route(case, required_role, actor)
    approval = Approval.objects.create(
        case=case,
        kind=kind,
        payload=payload,
        required_role=routed.role,
        escalated_from=routed.escalated_from,
        requested_by=actor,
    )
    if routed.escalated_from:
        record(
            action="approval.escalate",
            actor=actor,
            obj=approval,
            detail={"kind": kind, "from": routed.escalated_from, "to": routed.role},
        )
    for user in approvers(case, routed.role).exclude(pk=actor.pk):
        notify(
            user=user,
            kind="approval",
            url=url or case.get_absolute_url(),
            text=text,
            dedupe_key=f"approval:{approval.pk}:{user.pk}",
        )
    return approval


def ensure_may_decide(*, approval_id: int, actor: User) -> Approval:
    """Refuse (and audit) a decision the actor may not take, before anything else is looked at;
    the API checks this before it reads the body (issue 12, item 10)."""
    approval = Approval.objects.select_related("case").get(pk=approval_id)
    if approval.requested_by_id == actor.pk:
        # four eyes, before any other rule: the message says why, whatever the actor's role
        record(
            action="approval.decide",
            actor=actor,
            obj=approval,
            outcome="denied",
            detail={"reason": "own_proposal"},
        )
        raise NotPermitted(OWN_PROPOSAL())
    if not rules.can_approve(actor, approval):
        record(action="approval.decide", actor=actor, obj=approval, outcome="denied")
        raise NotPermitted(refusal_for(approval.required_role))
    return approval


def decide_approval(*, approval_id: int, actor: User, approve: bool, reason: str = "") -> Approval:
    approval = ensure_may_decide(approval_id=approval_id, actor=actor)
    reason = (reason or "").strip()
    if not approve and not reason:
        raise InvalidInput([FieldError("reason", "required", _("Give the reason for rejecting."))])
    if len(reason) > 5000:
        raise InvalidInput(
            [FieldError("reason", "max_length", _("Keep the reason under 5,000 characters."))]
        )
    # the case first, then the approval, then the hook locks its subject (services.common)
    with changing_case(
        approval.case_id,
        actor=actor,
        action="approval.decide",
        allow_closed=True,  # a reopening is decided on a closed case
        permission=None,  # refused on the approval above
    ) as change:
        case = change.case
        approval = Approval.objects.select_for_update().get(pk=approval_id)
        if approval.status != ApprovalStatus.PENDING:
            raise InvalidInput(
                [FieldError("status", "decided", _("This approval was already decided."))]
            )
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
        change.audit(
            obj=approval,
            detail={"approved": approve, "kind": approval.kind, "decision": decision},
        )
        told = {uid for uid in (case.officer_id, approval.requested_by_id) if uid}
        for user in User.objects.filter(pk__in=told - {actor.pk}):
            notify(
                user=user,
                kind="approval_decided",
                url=approval.payload.get("url") or case.get_absolute_url(),
                text=(
                    _("Approved: %(what)s on %(number)s")
                    if approve
                    else _("Rejected: %(what)s on %(number)s")
                )
                % {"what": approval.get_kind_display(), "number": case.number},
                dedupe_key=f"approval-decided:{approval.pk}:{user.pk}",
            )
    return approval
