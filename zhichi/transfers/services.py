"""Every change to a transfer (C7): send, receive, accept, reject, answer, close.

Each function is keyword-only, runs in one transaction with the transfer row locked (a step of a
case's transfer locks the case first, ``changing_case``), writes the audit entry, the transfer's
own history and the case timeline, opens or ends the share that lets the receiving side read the
case or lead, and sends notifications after commit. Who may take a step in which state is the
table of ``transfers.workflow``.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhichi.accounts.models import Department, Organisation, OrgKind, Role, User
from zhichi.accounts.notify import notify
from zhichi.accounts.services import next_number
from zhichi.audit.services import record
from zhichi.cases import sharing
from zhichi.cases.models import Case, CaseShare, ShareReason
from zhichi.cases.services import add_event
from zhichi.cases.services.common import changing_case
from zhichi.common.errors import InvalidInput, NotPermitted, StaleVersion
from zhichi.common.inputs import parse
from zhichi.common.validation import Collector
from zhichi.core import calendar as cal_mod
from zhichi.evidence.rules import case_attachments, lead_attachments
from zhichi.intake.models import Lead, LeadShare, LeadStatus
from zhichi.rulebook import loaders
from zhichi.transfers import rules, workflow
from zhichi.transfers.models import (
    Transfer,
    TransferEvent,
    TransferKind,
    TransferStatus,
)
from zhichi.transfers.schemas import FeedbackIn, RejectIn, TransferCloseIn, TransferIn
from zhichi.webhooks.services import publish_event

WEBHOOK_EVENTS = {
    "send": "transfer.sent",
    "receive": "transfer.received",
    "accept": "transfer.accepted",
    "reject": "transfer.rejected",
    "answer": "transfer.answered",
    "close": "transfer.closed",
}

# Which kind of agency receives which kind of transfer.
RECEIVING_KINDS = {
    TransferKind.CRIMINAL_LEAD: {OrgKind.PROCURATORATE, OrgKind.POLICE},
    TransferKind.LABOUR_INSPECTION: {OrgKind.LABOUR_BUREAU},
    TransferKind.LEGAL_AID: {OrgKind.LEGAL_AID},
    TransferKind.CIVIL_SUPPORT: {OrgKind.PROCURATORATE},
    TransferKind.MEDIATION: {OrgKind.MEDIATION, OrgKind.COURT},
    TransferKind.OTHER: set(OrgKind.values),
}


def transfer_number(org: Organisation, year: int, serial: int) -> str:
    return f"{org.short_name or org.code}移〔{year}〕{serial}号"


def _due(start: date, days: int) -> date:
    # rule TL-1: counted in days from the day after sending, rolled past rest days
    return cal_mod.add_days(start, days, loaders.holiday_calendar(), rule="TL-1").due


def _share_model(transfer: Transfer):
    return (CaseShare, "case") if transfer.case_id else (LeadShare, "lead")


def _validate(c: Collector, data: TransferIn, subject, actor: User, sender) -> dict:
    """What the input says, judged against the database: the receiver and its department, the
    evidence (the field rules are ``TransferIn``'s)."""
    kind = data.kind
    org_code = data.to_org
    dept_code = data.to_department or ""
    evidence = _evidence(c, data.evidence, subject, actor)
    to_org = to_department = None
    if org_code:
        to_org = Organisation.objects.filter(code=org_code, is_active=True).first()
        if to_org is None:
            c.add("to_org", "unknown", _("No active organisation has this code."))
    if to_org is not None:
        if dept_code:
            to_department = Department.objects.filter(organisation=to_org, code=dept_code).first()
            if to_department is None:
                c.add(
                    "to_department",
                    "unknown",
                    _("%(org)s has no department with this code.") % {"org": to_org.name},
                )
        elif to_org.kind == OrgKind.PROCURATORATE:
            c.add(
                "to_department",
                "required",
                _("Choose the department of the procuratorate that receives the transfer."),
            )
        if kind and to_org.kind not in RECEIVING_KINDS[kind]:
            c.add(
                "to_org",
                "wrong_kind",
                _("A transfer of this kind goes to: %(kinds)s.")
                % {
                    "kinds": "、".join(str(OrgKind(k).label) for k in sorted(RECEIVING_KINDS[kind]))
                },
            )
        if to_department is not None and not rules.may_send_to(sender, to_org, to_department):
            # API.md § Transfers: never to one's own department (issue 13 item 5)
            c.add(
                "to_department",
                "own_department",
                _("A transfer goes to another department or agency, not to your own department."),
            )
    return {
        "kind": kind,
        "reason": data.reason,
        "legal_basis": data.legal_basis or "",
        "to_org": to_org,
        "to_department": to_department,
        "feedback_due": data.feedback_due_on,
        "evidence": evidence,
    }


def _evidence(c: Collector, ids: list[int], subject, actor: User) -> list:
    """The evidence package: attachments of this case or lead that the sender may see."""
    if not ids:
        return []
    own = (
        case_attachments(actor, subject)
        if isinstance(subject, Case)
        else lead_attachments(actor, subject)
    )
    found = {a.pk: a for a in own.filter(pk__in=ids)}
    for i, value in enumerate(ids):
        if value not in found:
            c.add(
                f"evidence.{i}",
                "unknown",
                _("This attachment is not one of the case's or lead's attachments."),
            )
    return [found[v] for v in ids if v in found]


def ensure_may_send(*, actor: User, case_id: int | None = None, lead_id: int | None = None):
    """The case or lead, if ``actor`` may transfer it; else refused and audited (checked by the
    API before it reads the body)."""
    if (case_id is None) == (lead_id is None):
        raise ValueError("give exactly one of case_id and lead_id")
    subject = Case.objects.get(pk=case_id) if case_id else Lead.objects.get(pk=lead_id)
    allowed = rules.can_send_case if case_id else rules.can_send_lead
    if not allowed(actor, subject):
        record(action="transfer.send", actor=actor, obj=subject, outcome="denied")
        raise NotPermitted(_("You may not transfer this %(what)s.") % {"what": _subject(subject)})
    return subject


def send_transfer(
    *,
    actor: User,
    data: TransferIn | dict,
    case_id: int | None = None,
    lead_id: int | None = None,
) -> Transfer:
    """Send a case or a lead to another agency or department (C7), with the consent gate (C8)."""
    subject = ensure_may_send(actor=actor, case_id=case_id, lead_id=lead_id)
    data = parse(TransferIn, data)
    allowed = rules.can_send_case if case_id else rules.can_send_lead
    today = timezone.localdate()
    sender = rules.sending_side(actor, subject)
    c = Collector()
    d = _validate(c, data, subject, actor, sender)
    basis = ""
    if not c.errors:
        try:
            basis = sharing.share_basis(
                subject=subject, to_org=d["to_org"], legal_basis=d["legal_basis"]
            )
        except InvalidInput as exc:
            c.errors.extend(exc.errors)
    if not c.errors:
        open_same = Transfer.objects.filter(
            **({"case": subject} if case_id else {"lead": subject}),
            to_org=d["to_org"],
            to_department=d["to_department"],
            kind=d["kind"],
            status__in=[TransferStatus.SENT, TransferStatus.RECEIVED, TransferStatus.ACCEPTED],
        )
        if open_same.exists():
            c.add(
                "to_org",
                "duplicate",
                _("An open transfer of this kind to the same receiver already exists."),
            )
    c.raise_if_errors("")

    with transaction.atomic():
        model = Case if case_id else Lead
        subject = model.objects.select_for_update().get(pk=subject.pk)
        if not allowed(actor, subject):  # it changed while we validated
            raise NotPermitted(
                _("You may not transfer this %(what)s.") % {"what": _subject(subject)}
            )
        # the sender's own organisation and department, not the subject's (issue 13 item 5)
        from_org, from_department = sender
        serial = next_number(organisation=from_org, kind="transfer", year=today.year)
        transfer = Transfer.objects.create(
            number=transfer_number(from_org, today.year, serial),
            kind=d["kind"],
            case=subject if case_id else None,
            lead=subject if lead_id else None,
            from_org=from_org,
            from_department=from_department,
            to_org=d["to_org"],
            to_department=d["to_department"],
            reason=d["reason"],
            basis=basis,
            legal_basis=d["legal_basis"],
            criminal_check=(subject.criminal_check or {}) if case_id else {},
            sent_by=actor,
            receipt_due=_due(today, settings.ZHICHI["TRANSFER_RECEIPT_DAYS"]),
            feedback_due=d["feedback_due"] or _due(today, settings.ZHICHI["TRANSFER_ANSWER_DAYS"]),
        )
        transfer.evidence.set(d["evidence"])
        share_model, field = _share_model(transfer)
        sharing.grant(
            share_model,
            subject_field=field,
            subject=subject,
            organisation=transfer.to_org,
            department=transfer.to_department,
            reason=ShareReason.TRANSFER,
            basis=basis,
            legal_basis=d["legal_basis"],
            source=transfer.share_source,
            actor=actor,
        )
        _history(transfer, "send", actor, transfer.reason)
        record(
            action="transfer.send",
            actor=actor,
            obj=transfer,
            detail={
                "number": transfer.number,
                "kind": transfer.kind,
                "from_department": from_department.code if from_department else "",
                "to_org": transfer.to_org.code,
                "to_department": transfer.to_department.code if transfer.to_department else "",
                "basis": basis,
                "evidence": [a.pk for a in d["evidence"]],
            },
        )
        _notify_receivers(transfer, _("New transfer %(number)s from %(org)s"))
    return transfer


def _subject(subject) -> str:
    return _("case") if isinstance(subject, Case) else _("lead")


def _history(transfer: Transfer, action: str, actor: User, note: str = "") -> None:
    """The transfer's own history, the case timeline, and the partners' systems (webhooks)."""
    event = TransferEvent.objects.create(transfer=transfer, action=action, actor=actor, note=note)
    publish_event(
        event=WEBHOOK_EVENTS[action],
        organisation_ids=[transfer.from_org_id, transfer.to_org_id],
        payload={
            "transfer_id": transfer.pk,
            "number": transfer.number,
            "kind": transfer.kind,
            "status": transfer.status,
            "from_org": transfer.from_org.code,
            "to_org": transfer.to_org.code,
            "case_id": transfer.case_id,
            "lead_id": transfer.lead_id,
            "at": event.at,
        },
    )
    if transfer.case_id:
        # the headline is made from these values in the reader's language (sections.py)
        add_event(
            transfer.case,
            kind=f"transfer_{action}",
            actor=actor,
            data={
                "transfer": transfer.pk,
                "number": transfer.number,
                "status": transfer.status,
                "transfer_kind": transfer.kind,
                "org": transfer.to_org.name,
            },
        )


def receiving_staff(org_id: int, department_id: int | None) -> list[User]:
    """Who is told of a transfer on the receiving side: the department's officers and heads,
    or an agency's partner staff, heads and chief."""
    users = User.objects.filter(organisation_id=org_id, is_active=True)
    if department_id is not None:
        return list(users.filter(department_id=department_id, role__in=[Role.HEAD, Role.OFFICER]))
    return list(users.filter(role__in=[Role.PARTNER, Role.HEAD, Role.CHIEF]))


def _notify_receivers(transfer: Transfer, template: str) -> None:
    text = template % {"number": transfer.number, "org": transfer.sender_label}
    for user in receiving_staff(transfer.to_org_id, transfer.to_department_id):
        notify(
            user=user,
            kind="transfer",
            text=text,
            url=transfer.get_absolute_url(),
            dedupe_key=f"transfer:{transfer.pk}:{transfer.status}:{user.pk}",
            email=True,
        )


def notify_sender(transfer: Transfer, template: str, *, key: str = "") -> None:
    """Tell the sender and the case's officer; ``template`` takes %(number)s and %(org)s.

    ``key`` names the news for de-duplication (default: the transfer's state)."""
    key = key or f"transfer:{transfer.pk}:{transfer.status}"
    text = template % {"number": transfer.number, "org": transfer.receiver_label}
    users = {transfer.sent_by_id: transfer.sent_by}
    if transfer.case_id and transfer.case.officer_id:
        users[transfer.case.officer_id] = transfer.case.officer
    for user in users.values():
        if user.is_active:
            notify(
                user=user,
                kind="transfer",
                text=text,
                url=transfer.get_absolute_url(),
                dedupe_key=f"{key}:{user.pk}",
                email=True,
            )


def ensure_may_move(*, transfer_id: int, actor: User, action: str) -> Transfer:
    """The sender closes, the receiver takes the other steps; anyone else is refused (audited).
    ``action`` is a code of the workflow (``workflow.MOVES``) or the step's name ("answer")."""
    current = Transfer.objects.get(pk=transfer_id)
    workflow.ensure_may(action, actor, current)
    return current


def _move(
    *,
    transfer_id: int,
    actor: User,
    action: str,
    version: int | None,
    apply,
    case_locked: bool = False,
) -> Transfer:
    """The common shape of the receiving and closing steps: check, lock, move, record.

    A transfer of a case is a change of the case (its timeline): the case is locked first, then
    the transfer (``changing_case``, cases/services/common.py), unless the caller's own change
    of the case holds it already (``case_locked``, a legal aid step)."""
    current = ensure_may_move(transfer_id=transfer_id, actor=actor, action=action)
    step = workflow.MOVES[action].step
    if current.case_id and not case_locked:
        change = changing_case(
            current.case_id,
            actor=actor,
            action=f"transfer.{step}",
            allow_closed=True,
            permission=None,
        )
    else:
        change = transaction.atomic()
    with change:
        transfer = (
            # lock the transfer row only: PostgreSQL refuses FOR UPDATE on the nullable side of
            # the outer joins to case / lead
            Transfer.objects.select_for_update(of=("self",))
            .select_related(
                "to_org", "to_department", "from_org", "from_department", "case", "lead", "sent_by"
            )
            .get(pk=transfer_id)
        )
        if version is not None and transfer.version != version:
            raise StaleVersion(transfer.version, record="transfer")
        workflow.check(action, actor, transfer)
        now = timezone.now()
        if transfer.received_at is None and action in {"receive", "accept", "reject"}:
            transfer.received_at, transfer.received_by = now, actor
        note = apply(transfer, now) or ""
        transfer.status = workflow.MOVES[action].target
        transfer.version += 1
        transfer.save()
        _history(transfer, step, actor, note)
        record(
            action=f"transfer.{step}",
            actor=actor,
            obj=transfer,
            detail={"number": transfer.number, "status": transfer.status},
        )
    return transfer


def receive_transfer(*, transfer_id: int, actor: User, version: int | None = None) -> Transfer:
    def apply(t: Transfer, now):
        notify_sender(t, _("Transfer %(number)s was received by %(org)s"))

    return _move(
        transfer_id=transfer_id, actor=actor, action="receive", version=version, apply=apply
    )


def accept_transfer(*, transfer_id: int, actor: User, version: int | None = None) -> Transfer:
    """Accepting takes the matter on. A lead moved within the procuratorate goes to the receiving
    department's intake; a lead taken on by another agency is marked transferred."""

    def apply(t: Transfer, now):
        t.decided_at, t.decided_by = now, actor
        if t.lead_id and t.lead.status == LeadStatus.NEW:
            lead = Lead.objects.select_for_update().get(pk=t.lead_id)
            if t.to_org_id == lead.organisation_id:
                lead.department = t.to_department
                lead.save(update_fields=["department"])
            else:
                lead.status = LeadStatus.TRANSFERRED
                lead.decided_at, lead.decided_by = now, actor
                lead.save(update_fields=["status", "decided_at", "decided_by"])
        notify_sender(t, _("Transfer %(number)s was accepted by %(org)s"))

    return _move(
        transfer_id=transfer_id, actor=actor, action="accept", version=version, apply=apply
    )


def reject_transfer(
    *, transfer_id: int, actor: User, data: RejectIn | dict, version: int | None = None
) -> Transfer:
    """Rejecting ends the receiver's access to the case or lead at once (rule R3)."""
    ensure_may_move(transfer_id=transfer_id, actor=actor, action="reject")  # before the input
    reason = parse(RejectIn, data).reason

    def apply(t: Transfer, now):
        t.decided_at, t.decided_by, t.reject_reason = now, actor, reason
        model, _field = _share_model(t)
        sharing.end(model, source=t.share_source, actor=actor, reason="transfer rejected")
        notify_sender(t, _("Transfer %(number)s was rejected by %(org)s"))
        return reason

    return _move(
        transfer_id=transfer_id, actor=actor, action="reject", version=version, apply=apply
    )


def answer_transfer(
    *,
    transfer_id: int,
    actor: User,
    data: FeedbackIn | dict,
    version: int | None = None,
    case_locked: bool = False,
) -> Transfer:
    """The receiver's feedback (反馈): what it did with the matter, and the result.
    ``case_locked``: the caller's change of the case (a legal aid step) holds the case already."""
    ensure_may_move(transfer_id=transfer_id, actor=actor, action="feedback")  # before the input
    feedback = parse(FeedbackIn, data)
    text, result = feedback.text, feedback.result

    def apply(t: Transfer, now):
        t.answered_at, t.answered_by = now, actor
        t.feedback_text, t.feedback_result = text, result
        notify_sender(t, _("Transfer %(number)s was answered by %(org)s"))
        return text

    return _move(
        transfer_id=transfer_id,
        actor=actor,
        action="feedback",
        version=version,
        apply=apply,
        case_locked=case_locked,
    )


def close_transfer(
    *,
    transfer_id: int,
    actor: User,
    data: TransferCloseIn | dict | None = None,
    version: int | None = None,
) -> Transfer:
    """The sender closes a transfer once answered (or rejected); the receiver's access ends."""
    note = parse(TransferCloseIn, data or {}).note

    def apply(t: Transfer, now):
        t.closed_at, t.closed_by, t.close_note = now, actor, note
        model, _field = _share_model(t)
        sharing.end(model, source=t.share_source, actor=actor, reason="transfer closed")
        return note

    return _move(transfer_id=transfer_id, actor=actor, action="close", version=version, apply=apply)
