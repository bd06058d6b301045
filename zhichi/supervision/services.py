"""Every change to a procuratorial suggestion (C10): draft, revise, the chief procurator's
decision (an approval hook), service, reply, escalation, closing and withdrawal.

Each function is keyword-only and is one change of the case (``cases.services.common.
changing_case``): the case row is locked first, then the suggestion's; a refusal is audited
before the transaction (so the denial row is kept, rule R7); the step is
written to the case timeline and the audit trail, and the people concerned are notified inside
the same transaction. The reply date follows rule TL-9: two months from receipt, rolled past
rest days (rule TL-1), or a shorter date set for an urgent matter.
"""

from __future__ import annotations

from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from zhichi.accounts.models import Organisation, Role, User
from zhichi.accounts.notify import notify
from zhichi.accounts.services import next_number
from zhichi.audit.services import record
from zhichi.cases.models import Approval, ApprovalKind, Case
from zhichi.cases.services import add_event
from zhichi.cases.services.approvals import request_approval
from zhichi.cases.services.common import CaseChange, changing_case
from zhichi.cases.services.derived import deadline_row
from zhichi.common.errors import FieldError, InvalidInput, StaleVersion
from zhichi.common.inputs import parse
from zhichi.common.validation import Collector
from zhichi.common.words import message
from zhichi.core import calendar as cal_mod
from zhichi.rulebook import loaders
from zhichi.supervision import workflow
from zhichi.supervision.models import (
    AFTER_SERVICE,
    Adoption,
    EscalationTarget,
    Suggestion,
    SuggestionEscalation,
    SuggestionStatus,
)
from zhichi.supervision.schemas import (
    EscalateIn,
    ReplyIn,
    ServeIn,
    SuggestionCloseIn,
    SuggestionIn,
    SuggestionWithdrawIn,
)

REPLY_RULE = "TL-9"
REPLY_PERIOD = "suggestion_reply"


def suggestion_number(org: Organisation, year: int, serial: int) -> str:
    return f"{org.short_name or org.code}民建〔{year}〕{serial}号"


def suggestion_url(suggestion: Suggestion) -> str:
    return f"/supervision/suggestions/{suggestion.pk}/"


# --- the reply date (rule TL-9) -------------------------------------------------------------
def statutory_reply_due(received_on: date, cal=None) -> cal_mod.Deadline:
    """Two months from the day the recipient received the suggestion, rolled forward past
    weekends and official holidays (rule TL-1)."""
    return cal_mod.compute(REPLY_PERIOD, received_on, cal or loaders.holiday_calendar())


def reply_due_info(suggestion: Suggestion, cal=None) -> tuple[date | None, bool, bool]:
    """(due, provisional, calendar_complete). Once served, the recorded date; before service,
    the date a planned service would give (provisional); otherwise none."""
    if suggestion.reply_due is not None:
        return suggestion.reply_due, False, suggestion.calendar_complete
    if suggestion.served_on and suggestion.status not in (
        SuggestionStatus.WITHDRAWN,
        *AFTER_SERVICE,
    ):
        result = statutory_reply_due(suggestion.served_on, cal)
        return result.due, True, result.calendar_complete
    return None, False, True


def deadline_source(case: Case, cal: cal_mod.HolidayCalendar, today: date) -> list[dict]:
    """The case's reply deadlines: one row per served suggestion (withdrawn ones never are)."""
    rows = []
    served = Suggestion.objects.filter(case=case, status__in=AFTER_SERVICE).exclude(
        received_on__isnull=True
    )
    for s in served.order_by("id"):
        # put into words when shown (cases.words; the phrase is registered in sections.py)
        label = message("suggestion_reply", number=s.number, org=s.to_org_name)
        done_on = s.replied_on or (
            timezone.localdate(s.closed_at) if s.status == SuggestionStatus.CLOSED else None
        )
        if s.reply_due_custom:
            rows.append(
                {
                    "key": f"suggestion:{s.pk}",
                    "kind": "suggestion_reply",
                    "label": label,
                    "due": s.reply_due,
                    "rule": REPLY_RULE,
                    "basis": message("suggestion_urgent_reply"),
                    "calendar_complete": s.calendar_complete,
                    "done_on": done_on,
                    "survives_closing": True,
                }
            )
            continue
        result = statutory_reply_due(s.received_on, cal)
        if (s.reply_due, s.calendar_complete) != (result.due, result.calendar_complete):
            # a holiday notice entered after service moves the date: keep the record in step
            # with the case's deadline, which is derived from the same records
            Suggestion.objects.filter(pk=s.pk).update(
                reply_due=result.due, calendar_complete=result.calendar_complete
            )
        rows.append(
            deadline_row(
                f"suggestion:{s.pk}",
                "suggestion_reply",
                label,
                result,
                done_on=done_on,
                survives_closing=True,
            )
        )
    return rows


# --- helpers ----------------------------------------------------------------------------------


def _lock(suggestion_id: int, version: int | None) -> Suggestion:
    s = Suggestion.objects.select_for_update().get(pk=suggestion_id)
    if version is not None and s.version != version:
        raise StaleVersion(s.version, record="suggestion")
    return s


def _save(s: Suggestion, *fields: str) -> None:
    s.version += 1
    s.save(update_fields=["version", *fields])


def _event(s: Suggestion, kind: str, actor: User | None, summary: str = "", **data) -> None:
    add_event(
        s.case,
        kind=kind,
        actor=actor,
        summary=summary,
        data={
            "suggestion": s.pk,
            "number": s.number,
            "to_org_name": s.to_org_name,
            "status": s.status,
            **data,
        },
    )


def _tell(s: Suggestion, actor: User, text: str, step: str, *, chiefs: bool = False) -> None:
    """The case officer and the drafter (and, for escalations, the chief procurators) learn of
    a step someone else took."""
    ids = {s.case.officer_id, s.drafted_by_id} - {None, actor.pk}
    users = list(User.objects.filter(pk__in=ids, is_active=True))
    if chiefs:
        users += list(
            User.objects.filter(
                organisation_id=s.case.organisation_id, role=Role.CHIEF, is_active=True
            ).exclude(pk__in=[actor.pk, *ids])
        )
    for user in users:
        notify(
            user=user,
            kind="suggestion",
            text=text,
            url=suggestion_url(s),
            dedupe_key=f"suggestion:{s.pk}:{step}:{s.version}:{user.pk}",
        )


def _content(data: SuggestionIn) -> dict:
    """The text of a suggestion (检察建议书): recipient, problem, recommendations, basis, and an
    optional planned date of service. The recipient named by its code must be on the platform."""
    to_org = None
    if data.to_org:
        to_org = Organisation.objects.filter(code=data.to_org, is_active=True).first()
        if to_org is None:
            raise InvalidInput(
                [FieldError("to_org", "unknown", _("No active organisation has this code."))],
                detail=_("The record has errors; nothing was saved."),
            )
    return {
        "to_org_name": data.to_org_name or (to_org.name if to_org else ""),
        "to_org": to_org,
        "issue": data.issue,
        "recommendations": data.recommendations,
        "legal_basis": data.legal_basis or "",
        "served_on": data.served_on,
    }


def present_approval(approval: Approval) -> dict:
    """The inbox line of a suggestion's approval, in the reader's language."""
    org = approval.payload.get("to_org_name", "")
    return {"summary": _("Procuratorial suggestion to %(org)s") % {"org": org}, "step_label": ""}


def _submit(s: Suggestion, actor: User) -> Approval:
    """Ask the chief procurator to decide (the 检察建议书 needs the chief's decision)."""
    return request_approval(
        case=s.case,
        kind=ApprovalKind.SUGGESTION,
        required_role=Role.CHIEF,
        actor=actor,
        payload={
            "suggestion": s.pk,
            "to_org_name": s.to_org_name,
            "reasons": s.recommendations,
            "url": suggestion_url(s),
        },
        text=_("Approval needed: procuratorial suggestion to %(org)s on %(number)s")
        % {"org": s.to_org_name, "number": s.case.number},
        url=suggestion_url(s),
    )


# --- drafting and revising --------------------------------------------------------------------
def draft_suggestion(*, case_id: int, actor: User, data: SuggestionIn | dict) -> Suggestion:
    """Draft a suggestion on an open case and submit it to the chief procurator."""
    change = changing_case(case_id, actor=actor, action="suggestion.draft")
    d = _content(parse(SuggestionIn, data))
    with change:
        case = change.case
        s = Suggestion.objects.create(
            case=case, organisation=case.organisation, drafted_by=actor, **d
        )
        s.approval = _submit(s, actor)
        s.save(update_fields=["approval"])
        _event(s, "suggestion_drafted", actor, s.issue, approval=s.approval_id)
        change.audit(
            obj=s,
            detail={"case": case.pk, "to_org_name": s.to_org_name, "approval": s.approval_id},
        )
    return s


def ensure_may(*, suggestion_id: int, actor: User, action: str) -> Suggestion:
    """Refuse (and audit) anyone the workflow does not let take ``action`` (``workflow.MOVES``),
    before any write."""
    current = Suggestion.objects.select_related("case").get(pk=suggestion_id)
    workflow.ensure_may(action, actor, current)
    return current


def ensure_may_revise(*, suggestion_id: int, actor: User) -> Suggestion:
    """Refuse (and audit) anyone but the case officer or the department head."""
    return ensure_may(suggestion_id=suggestion_id, actor=actor, action="revise")


def ensure_may_follow_up(*, suggestion_id: int, actor: User, action: str) -> Suggestion:
    """Refuse (and audit) a step after approval by anyone the rules do not allow."""
    return ensure_may(suggestion_id=suggestion_id, actor=actor, action=action)


def revise_suggestion(
    *, suggestion_id: int, actor: User, data: SuggestionIn | dict, version: int | None = None
) -> Suggestion:
    """Revise a returned suggestion and submit it again: a new approval."""
    current = ensure_may_revise(suggestion_id=suggestion_id, actor=actor)
    change = changing_case(
        current.case_id, actor=actor, action="suggestion.revise", permission=None
    )
    d = _content(parse(SuggestionIn, data))
    with change:
        s = _lock(suggestion_id, version)
        workflow.check("revise", actor, s)
        for field, value in d.items():
            setattr(s, field, value)
        s.status = SuggestionStatus.PENDING
        s.approval = _submit(s, actor)
        _save(s, "status", "approval", *d)
        _event(s, "suggestion_revised", actor, s.issue, approval=s.approval_id)
        change.audit(obj=s, detail={"approval": s.approval_id, "to_org_name": s.to_org_name})
    return s


def on_approval_decided(approval: Approval, actor: User, approved: bool, reason: str) -> None:
    """The chief procurator's decision (inside approvals.decide_approval's transaction): an
    approved suggestion gets its number, gap-free per procuratorate and year; a rejected one
    goes back to the drafter for revision."""
    s = Suggestion.objects.select_for_update().get(pk=approval.payload["suggestion"])
    if s.status != SuggestionStatus.PENDING or s.approval_id != approval.pk:
        raise InvalidInput(
            [FieldError("status", "state", _("This suggestion no longer waits for approval."))]
        )
    if approved:
        now = timezone.now()
        year = timezone.localdate(now).year
        serial = next_number(organisation=s.organisation, kind="suggestion", year=year)
        s.number = suggestion_number(s.organisation, year, serial)
        s.status = SuggestionStatus.APPROVED
        s.approved_by, s.approved_at, s.return_reason = actor, now, ""
        _save(s, "number", "status", "approved_by", "approved_at", "return_reason")
        _event(s, "suggestion_approved", actor, reason, approval=approval.pk)
        record(
            action="suggestion.approve",
            actor=actor,
            obj=s,
            detail={"number": s.number, "approval": approval.pk},
        )
    else:
        s.status = SuggestionStatus.RETURNED
        s.return_reason = reason
        _save(s, "status", "return_reason")
        _event(s, "suggestion_returned", actor, reason, approval=approval.pk)
        record(action="suggestion.return", actor=actor, obj=s, detail={"approval": approval.pk})


# --- after approval: service, reply, escalation, closing, withdrawal ---------------------------
def _following_up(current: Suggestion, actor: User, action: str) -> CaseChange:
    """A step after approval on ``current``, which ``ensure_may`` let ``actor`` take: ``with`` it
    to lock the case, then lock the suggestion (``_lock``). A reply and what follows it may come
    after the case is closed."""
    return changing_case(
        current.case_id,
        actor=actor,
        action=f"suggestion.{action}",
        allow_closed=True,
        permission=None,
    )


def serve_suggestion(
    *, suggestion_id: int, actor: User, data: ServeIn | dict, version: int | None = None
) -> Suggestion:
    """Record service (送达) and the day the recipient received it; the reply is due two months
    later (rule TL-9), or on a shorter date set for an urgent matter."""
    current = ensure_may(suggestion_id=suggestion_id, actor=actor, action="serve")
    change = _following_up(current, actor, "serve")
    data = parse(ServeIn, data)
    served_on, method, received_on = data.served_on, data.method, data.received
    custom = data.reply_due_on
    c = Collector()
    approved_on = timezone.localdate(current.approved_at) if current.approved_at else None
    if approved_on and served_on < approved_on:
        c.add(
            "served_on",
            "before_approval",
            _("A suggestion cannot be served before it was approved (%(day)s).")
            % {"day": approved_on.isoformat()},
        )
    # rule TL-9 with the holiday calendar: a custom reply date may only shorten the period
    statutory = statutory_reply_due(received_on)
    if custom is not None and custom > statutory.due:
        c.add(
            "reply_due_on",
            "too_late",
            _(
                "A custom reply date may only shorten the period: at the latest %(day)s, "
                "two months after receipt (rule TL-9)."
            )
            % {"day": statutory.due.isoformat()},
        )
    c.raise_if_errors()
    with change:
        s = _lock(current.pk, version)
        workflow.check("serve", actor, s)
        s.served_on, s.received_on, s.method, s.served_by = served_on, received_on, method, actor
        s.reply_due_custom = custom is not None and custom != statutory.due
        s.reply_due = custom or statutory.due
        s.calendar_complete = statutory.calendar_complete
        s.status = SuggestionStatus.SERVED
        _save(
            s,
            "served_on",
            "received_on",
            "method",
            "served_by",
            "reply_due",
            "reply_due_custom",
            "calendar_complete",
            "status",
        )
        _event(
            s,
            "suggestion_served",
            actor,
            served_on=served_on.isoformat(),
            received_on=received_on.isoformat(),
            reply_due=s.reply_due.isoformat(),
            method=method,
        )
        change.audit(
            obj=s,
            detail={
                "served_on": served_on.isoformat(),
                "received_on": received_on.isoformat(),
                "reply_due": s.reply_due.isoformat(),
                "custom": s.reply_due_custom,
            },
        )
        _tell(
            s,
            actor,
            _("Suggestion %(number)s served; the reply is due on %(day)s")
            % {"number": s.number, "day": s.reply_due.isoformat()},
            "serve",
        )
    return s


def record_reply(
    *, suggestion_id: int, actor: User, data: ReplyIn | dict, version: int | None = None
) -> Suggestion:
    """The recipient's written reply: when, what it says, and whether it adopts the
    recommendations. Possible even after the case is closed."""
    current = ensure_may(suggestion_id=suggestion_id, actor=actor, action="reply")
    change = _following_up(current, actor, "reply")
    data = parse(ReplyIn, data)
    replied_on, text, adoption = data.replied_on, data.text, data.adoption
    c = Collector()
    if current.received_on and replied_on < current.received_on:
        c.add(
            "replied_on",
            "before_receipt",
            _("The reply cannot come before the suggestion was received (%(day)s).")
            % {"day": current.received_on.isoformat()},
        )
    c.raise_if_errors()
    with change:
        s = _lock(current.pk, version)
        workflow.check("reply", actor, s)
        s.replied_on, s.reply_text, s.adoption, s.replied_by = replied_on, text, adoption, actor
        s.status = SuggestionStatus.REPLIED
        _save(s, "replied_on", "reply_text", "adoption", "replied_by", "status")
        _event(
            s,
            "suggestion_replied",
            actor,
            text,
            replied_on=replied_on.isoformat(),
            adoption=adoption,
            late=bool(s.reply_due and replied_on > s.reply_due),
        )
        change.audit(
            obj=s,
            detail={"replied_on": replied_on.isoformat(), "adoption": adoption},
        )
        _tell(
            s,
            actor,
            _("Reply to suggestion %(number)s recorded: %(adoption)s")
            % {"number": s.number, "adoption": Adoption(adoption).label},
            "reply",
        )
    return s


def escalate_suggestion(
    *, suggestion_id: int, actor: User, data: EscalateIn | dict, version: int | None = None
) -> Suggestion:
    """Report non-compliance without a valid reason to the superior procuratorate, the
    competent authority, or the Party committee / people's congress (rule TL-9)."""
    current = ensure_may(suggestion_id=suggestion_id, actor=actor, action="escalate")
    change = _following_up(current, actor, "escalate")
    today = timezone.localdate()
    data = parse(EscalateIn, data)
    escalated_on, to, reason = data.escalated_on, data.to, data.reason
    c = Collector()
    if current.served_on and escalated_on < current.served_on:
        c.add(
            "escalated_on",
            "before_service",
            _("It cannot be escalated before it was served (%(day)s).")
            % {"day": current.served_on.isoformat()},
        )
    c.raise_if_errors()
    with change:
        s = _lock(current.pk, version)
        workflow.check("escalate", actor, s, today)  # non-compliance (rule TL-9)
        escalation = SuggestionEscalation.objects.create(
            suggestion=s, escalated_on=escalated_on, to=to, reason=reason, by=actor
        )
        s.status = SuggestionStatus.ESCALATED
        _save(s, "status")
        _event(
            s,
            "suggestion_escalated",
            actor,
            reason,
            escalated_on=escalated_on.isoformat(),
            to=to,
        )
        change.audit(
            obj=s,
            detail={"to": to, "escalated_on": escalated_on.isoformat(), "id": escalation.pk},
        )
        _tell(
            s,
            actor,
            _("Suggestion %(number)s escalated to %(to)s")
            % {"number": s.number, "to": EscalationTarget(to).label},
            "escalate",
            chiefs=True,
        )
    return s


def close_suggestion(
    *, suggestion_id: int, actor: User, data: SuggestionCloseIn | dict, version: int | None = None
) -> Suggestion:
    """Close the matter with a note, after the reply or after escalation."""
    current = ensure_may(suggestion_id=suggestion_id, actor=actor, action="close")
    change = _following_up(current, actor, "close")
    note = parse(SuggestionCloseIn, data).note
    with change:
        s = _lock(current.pk, version)
        workflow.check("close", actor, s)
        s.status = SuggestionStatus.CLOSED
        s.closed_at, s.closed_by, s.close_note = timezone.now(), actor, note
        _save(s, "status", "closed_at", "closed_by", "close_note")
        _event(s, "suggestion_closed", actor, note)
        change.audit(obj=s, detail={"number": s.number})
        _tell(s, actor, _("Suggestion %(number)s closed") % {"number": s.number}, "close")
    return s


def withdraw_suggestion(
    *,
    suggestion_id: int,
    actor: User,
    data: SuggestionWithdrawIn | dict,
    version: int | None = None,
) -> Suggestion:
    """Withdraw a suggestion before it is served (after approval, or once returned). While the
    chief procurator is deciding it, the decision comes first."""
    current = ensure_may(suggestion_id=suggestion_id, actor=actor, action="withdraw")
    change = _following_up(current, actor, "withdraw")
    reason = parse(SuggestionWithdrawIn, data).reason
    with change:
        s = _lock(current.pk, version)
        workflow.check("withdraw", actor, s)  # before service; a pending one is decided first
        s.status = SuggestionStatus.WITHDRAWN
        s.withdrawn_at, s.withdrawn_by, s.withdraw_reason = timezone.now(), actor, reason
        _save(s, "status", "withdrawn_at", "withdrawn_by", "withdraw_reason")
        _event(s, "suggestion_withdrawn", actor, reason)
        change.audit(obj=s, detail={"number": s.number})
        _tell(
            s,
            actor,
            _("Suggestion to %(org)s withdrawn") % {"org": s.to_org_name},
            "withdraw",
        )
    return s
