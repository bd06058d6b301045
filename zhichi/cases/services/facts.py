"""Changing a case's facts after acceptance, and ending a share of it (C7, C8).

Whenever the facts change the case is graded again and the criminal-lead evaluator runs again
(rules CR-1 … CR-8), so the flag and the offered next step follow the facts.

A change names only the facts it changes (PATCH semantics): a fact left out keeps its stored
value, so consent to share is withdrawn only by an explicit ``consent_to_share: false``. Every
change carries the case version it was made on (missing: 422; stale: 409).
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhichi.accounts.models import User
from zhichi.audit.services import record
from zhichi.cases import rules, sharing
from zhichi.cases.models import CaseShare, Evasion, LabourRelationship, ShareBasis
from zhichi.cases.services import add_event
from zhichi.cases.services.common import changing_case, version_missing
from zhichi.cases.services.derived import regrade
from zhichi.common.errors import FieldError, InvalidInput, NotPermitted
from zhichi.common.validation import Collector


def read_payment_order(
    c: Collector, data: dict, today: date
) -> tuple[str, date | None, date | None]:
    """The order to pay (责令支付, rule CR-5) as given on a lead or a case: authority, dates."""
    order = data.get("payment_order") or {}
    authority, issued_on, deadline = "", None, None
    if not isinstance(order, dict):
        c.add("payment_order", "type", _("The order to pay must be an object."))
    elif order:
        authority = c.text(order, "authority", "payment_order.authority", max_length=200)
        issued_on = c.day(order, "issued_on", "payment_order.issued_on", not_after=today)
        deadline = c.day(order, "deadline", "payment_order.deadline")
        if issued_on and deadline and deadline < issued_on:
            c.add(
                "payment_order.deadline",
                "before_issue",
                _("The deadline cannot be before the order was issued."),
            )
    return authority, issued_on, deadline


def _flag(c: Collector, data: dict, key: str) -> bool:
    """A yes/no fact that was sent: true or false, nothing else (null does not mean no)."""
    value = data[key]
    if not isinstance(value, bool):
        c.add(key, "type", _("Answer yes or no."))
        return False
    return value


def _order_changes(c: Collector, raw, today: date) -> dict:
    """The parts of the order to pay (rule CR-5) that were sent: each named part changes ("" or
    null clears it), the others keep their value; ``payment_order: null`` clears the whole order."""
    if raw is None:
        return {
            "payment_order_authority": "",
            "payment_order_issued_on": None,
            "payment_order_deadline": None,
        }
    if not isinstance(raw, dict):
        c.add("payment_order", "type", _("The order to pay must be an object."))
        return {}
    changes: dict = {}
    if "authority" in raw:
        changes["payment_order_authority"] = c.text(
            raw, "authority", "payment_order.authority", max_length=200
        )
    if "issued_on" in raw:
        changes["payment_order_issued_on"] = c.day(
            raw, "issued_on", "payment_order.issued_on", not_after=today
        )
    if "deadline" in raw:
        changes["payment_order_deadline"] = c.day(raw, "deadline", "payment_order.deadline")
    return changes


def update_case_facts(*, case_id: int, actor: User, data: dict, version: int | None):
    """Record what is now known: labour relationship, IOU, order to pay, evasion, consent.

    Only the facts named in ``data`` change; ``version`` is the case version they were made on.
    Withdrawn consent ends every share that rested on it (rule R3).
    """
    change = changing_case(case_id, actor=actor, action="case.facts", version=version)
    c = Collector()
    if version is None:
        c.errors.append(version_missing())
    today = timezone.localdate()
    values: dict = {}
    if "labour_relationship" in data:
        values["labour_relationship"] = c.choice(
            data, "labour_relationship", "labour_relationship", LabourRelationship.choices
        )
    for key in ("has_iou", "consent_to_share"):
        if key in data:
            values[key] = _flag(c, data, key)
    if "evasion" in data:
        values["evasion"] = c.choices(data, "evasion", "evasion", Evasion.choices)
    if "payment_order" in data:
        values.update(_order_changes(c, data["payment_order"], today))
    c.raise_if_errors("")
    with change:
        case = change.case
        issued_on = values.get("payment_order_issued_on", case.payment_order_issued_on)
        deadline = values.get("payment_order_deadline", case.payment_order_deadline)
        if issued_on and deadline and deadline < issued_on:
            c.add(
                "payment_order.deadline",
                "before_issue",
                _("The deadline cannot be before the order was issued."),
            )
            raise InvalidInput(c.errors)
        changed = {
            k: (_plain(getattr(case, k)), _plain(v))
            for k, v in values.items()
            if getattr(case, k) != v
        }
        if not changed:
            change.nothing_changed()
            return case
        for k in changed:
            setattr(case, k, values[k])
        change.save(*changed)
        ended = 0
        if "consent_to_share" in changed and not case.consent_to_share:
            for source in set(
                case.shares.filter(basis=ShareBasis.CONSENT, ended_at__isnull=True).values_list(
                    "source", flat=True
                )
            ):
                ended += sharing.end(
                    CaseShare, source=source, actor=actor, reason="consent withdrawn"
                )
        regrade(case)
        add_event(
            case,
            kind="facts",
            actor=actor,
            data={"changed": sorted(changed), "shares_ended": ended},
        )
        change.audit(detail={"changed": changed})
    return case


def _plain(value):
    return value.isoformat() if isinstance(value, date) else value


def ensure_may_revoke_share(*, share_id: int, actor: User) -> CaseShare:
    """Refuse (and audit) anyone but the case's officer or head; checked before the body."""
    share = CaseShare.objects.select_related("case").get(pk=share_id)
    if not rules.can_work_on(actor, share.case):
        record(action="case.share.revoke", actor=actor, obj=share.case, outcome="denied")
        raise NotPermitted(rules.WORK_REFUSAL())
    return share


def revoke_share(*, share_id: int, actor: User, reason: str) -> CaseShare:
    """The case's officer or head ends a share; the other side is refused on its next request."""
    ensure_may_revoke_share(share_id=share_id, actor=actor)
    c = Collector()
    reason = c.text({"reason": reason}, "reason", "reason", required=True, max_length=200)
    c.raise_if_errors("")
    with transaction.atomic():
        share = CaseShare.objects.select_for_update().select_related("case").get(pk=share_id)
        if share.ended_at is not None:
            raise InvalidInput([FieldError("share", "ended", _("This share has already ended."))])
        share.ended_at, share.ended_by, share.end_reason = timezone.now(), actor, reason
        share.save(update_fields=["ended_at", "ended_by", "end_reason"])
        add_event(
            share.case,
            kind="share_revoked",
            actor=actor,
            summary=reason,
            data={"share": share.pk, "org": share.organisation.name},
        )
        record(
            action="case.share.revoke",
            actor=actor,
            obj=share.case,
            detail={"share": share.pk, "org": share.organisation.code, "reason": reason},
        )
    return share
