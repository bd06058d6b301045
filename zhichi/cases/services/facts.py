"""Changing a case's facts after acceptance, and ending a share of it (C7, C8).

Whenever the facts change the case is graded again and the criminal-lead evaluator runs again
(rules CR-1 … CR-8), so the flag and the offered next step follow the facts.

A change names only the facts it changes (PATCH semantics): a fact left out keeps its stored
value, so consent to share is withdrawn only by an explicit ``consent_to_share: false``. Every
change carries the case version it was made on (missing: 422; stale: 409).
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhichi.accounts.models import User
from zhichi.audit.services import record
from zhichi.cases import rules, sharing
from zhichi.cases.models import CaseShare, ShareBasis
from zhichi.cases.schemas import FactsChangeIn, RevokeIn
from zhichi.cases.services import add_event
from zhichi.cases.services.common import changing_case, version_missing
from zhichi.cases.services.derived import regrade
from zhichi.common import changes
from zhichi.common.errors import FieldError, InvalidInput, NotPermitted
from zhichi.common.inputs import parse
from zhichi.rulebook.schemas import PaymentOrderIn

# the facts a change names directly (the order to pay is read part by part)
FACTS = ("labour_relationship", "has_iou", "consent_to_share", "evasion", "signals")


def _order_changes(order: PaymentOrderIn | None) -> dict:
    """The parts of the order to pay (rule CR-5) that were sent: each named part changes ("" or
    null clears it), the others keep their value; ``payment_order: null`` clears the whole order."""
    if order is None:
        return {
            "payment_order_authority": "",
            "payment_order_issued_on": None,
            "payment_order_deadline": None,
        }
    changes: dict = {}
    sent = order.model_fields_set
    if "authority" in sent:
        changes["payment_order_authority"] = order.authority or ""
    if "issued_on" in sent:
        changes["payment_order_issued_on"] = order.issued_on
    if "deadline" in sent:
        changes["payment_order_deadline"] = order.deadline
    return changes


def update_case_facts(
    *, case_id: int, actor: User, data: FactsChangeIn | dict, version: int | None
):
    """Record what is now known: labour relationship, IOU, order to pay, evasion, risk signals,
    consent.

    Only the facts named in ``data`` change; ``version`` is the case version they were made on.
    Withdrawn consent ends every share that rested on it (rule R3).
    """
    change = changing_case(case_id, actor=actor, action="case.facts", version=version)
    try:
        data = parse(FactsChangeIn, data)
        errors: list[FieldError] = []
    except InvalidInput as exc:
        errors = exc.errors
    if version is None:
        errors.insert(0, version_missing())
    if errors:
        raise InvalidInput(errors)
    sent = data.sent()
    values: dict = {k: getattr(data, k) for k in FACTS if k in sent}
    if "payment_order" in sent:
        values.update(_order_changes(data.payment_order))
    with change:
        case = change.case
        issued_on = values.get("payment_order_issued_on", case.payment_order_issued_on)
        deadline = values.get("payment_order_deadline", case.payment_order_deadline)
        if issued_on and deadline and deadline < issued_on:
            raise InvalidInput(
                [
                    FieldError(
                        "payment_order.deadline",
                        "before_issue",
                        _("The deadline cannot be before the order was issued."),
                    )
                ]
            )
        changed = changes.diff(case, values)
        if not changed:
            change.nothing_changed()
            return case
        change.save(*changes.apply(case, changed))
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
        change.audit(detail={"changed": changes.plain(changed)})
    return case


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
    reason = parse(RevokeIn, {"reason": reason}).reason
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
