"""Payments to claimants and their reversals: the entries the money ledger adds up (C6).

A payment above what the claimant is still owed is refused at ``amount`` (``above_outstanding``)
unless it is recorded as an overpayment with its reason; the ledger then shows it as overpaid.
A wrong payment is never edited or deleted: a reversal entry with a reason takes it out of every
total and the payment stays on record, marked reversed (the ledger is append-only). Both are
audited and on the timeline, whose sentences are written from the stored ids and amounts in the
reader's language.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from zhichi.accounts.models import User
from zhichi.cases.ledger import ZERO, ledger_for
from zhichi.cases.models import Payment, PaymentReversal, TimelineEvent
from zhichi.cases.presenters import yuan_text
from zhichi.cases.schemas import PaymentIn, ReverseIn
from zhichi.cases.services import add_event
from zhichi.cases.services.common import WORK, changing_case
from zhichi.cases.services.derived import regrade
from zhichi.common.errors import FieldError, InvalidInput
from zhichi.common.inputs import parse


def record_payment(
    *, case_id: int, actor: User, data: PaymentIn | dict, version: int | None = None
) -> Payment:
    """Money paid to one claimant: the only way "recovered" grows. More than the claimant is
    still owed needs ``overpayment_reason`` (C6); the amount over is kept on the timeline and in
    the audit trail."""
    change = changing_case(case_id, actor=actor, action="case.payment", version=version)
    data = parse(PaymentIn, data)
    amount, reason = data.amount, data.overpayment_reason or ""
    party_id = data.claimant_party_id
    errors: list[FieldError] = []
    with change:
        case = change.case
        row = ledger_for(case).row_for(party_id)
        if row is None:
            errors.append(
                FieldError("claimant_party_id", "unknown", _("Choose a claimant of this case."))
            )
        over = ZERO
        if row is not None:
            over = max(amount - row.outstanding, ZERO)
            names = {
                "name": row.claimant.party.name,
                "owed": yuan_text(row.outstanding),
                "over": yuan_text(over),
            }
            if over > 0 and not reason:
                errors.append(
                    FieldError(
                        "amount",
                        "above_outstanding",
                        _(
                            "This is %(over)s yuan more than %(name)s is still owed (%(owed)s yuan). "
                            "If that much really was paid, record it as an overpayment and give "
                            "the reason."
                        )
                        % names,
                    )
                )
            if over == 0 and reason:
                errors.append(
                    FieldError(
                        "overpayment_reason",
                        "not_over",
                        _(
                            "This payment is not more than %(name)s is still owed (%(owed)s yuan): "
                            "it is no overpayment, so leave its reason empty."
                        )
                        % names,
                    )
                )
        if errors:
            raise InvalidInput(errors, detail=_("The record has errors; nothing was saved."))
        payment = Payment.objects.create(
            case=case,
            claimant=row.claimant,
            paid_on=data.paid_on,
            amount=amount,
            payer=data.payer,
            method=data.method or "",
            overpayment_reason=reason if over > 0 else "",
            recorded_by=actor,
        )
        add_event(
            case,
            kind="payment",
            actor=actor,
            data={
                "payment": payment.pk,
                "paid_on": payment.paid_on.isoformat(),
                "amount": f"{amount:.2f}",
                "claimant": row.claimant.party_id,
                "payer": data.payer,
                "name": row.claimant.party.name,
                "overpaid": f"{over:.2f}" if over > 0 else None,
            },
        )
        regrade(case)  # paying in full after an order to pay changes the criminal verdict (CR-6)
        change.audit(detail={"payment": payment.pk, "amount": str(amount), "overpaid": str(over)})
    return payment


def ensure_may_reverse(*, payment_id: int, actor: User) -> Payment:
    """Refuse (and audit) anyone but the case's officer or a head of its department, before the
    body is read (the API checks this first)."""
    payment = Payment.objects.get(pk=payment_id)
    WORK.ensure(payment.case_id, actor, "case.payment_reverse")
    return payment


def reverse_payment(
    *, payment_id: int, actor: User, data: ReverseIn | dict, version: int | None = None
) -> PaymentReversal:
    """Take a wrongly recorded payment back out of every total with a reason (C6). The payment
    stays on record, marked reversed; a payment is reversed once; a closed case is reopened
    first (``changing_case`` refuses it)."""
    payment = Payment.objects.get(pk=payment_id)
    change = changing_case(
        payment.case_id, actor=actor, action="case.payment_reverse", version=version
    )
    reason = parse(ReverseIn, data).reason
    with change:
        case = change.case
        payment = Payment.objects.select_related("claimant__party").get(pk=payment_id)
        if PaymentReversal.objects.filter(payment=payment).exists():
            raise InvalidInput(
                [FieldError("status", "reversed", _("This payment was already reversed."))],
                detail=_("The record has errors; nothing was saved."),
            )
        reversal = PaymentReversal.objects.create(payment=payment, reason=reason, reversed_by=actor)
        add_event(
            case,
            kind="payment_reversed",
            actor=actor,
            summary=reason,
            data={
                "payment": payment.pk,
                "reversal": reversal.pk,
                "amount": f"{payment.amount:.2f}",
                "paid_on": payment.paid_on.isoformat(),
                "claimant": payment.claimant.party_id,
                "name": payment.claimant.party.name,
            },
        )
        regrade(case)  # the deadlines follow too: an instalment the payment settled is due again
        change.audit(
            detail={"payment": payment.pk, "reversal": reversal.pk, "amount": str(payment.amount)}
        )
    return reversal


# --- the timeline's sentences, in the reader's language ----------------------------------------
def describe_payment(e: TimelineEvent) -> str:
    names = {
        "payer": e.data.get("payer", ""),
        "amount": yuan_text(e.data.get("amount")),
        "name": e.data.get("name", ""),
        "over": yuan_text(e.data.get("overpaid")),
    }
    if e.data.get("overpaid"):
        return (
            _("%(payer)s paid %(amount)s yuan to %(name)s, %(over)s yuan more than was owed")
            % names
        )
    return _("%(payer)s paid %(amount)s yuan to %(name)s") % names


def describe_reversal(e: TimelineEvent) -> str:
    return _("Payment of %(amount)s yuan to %(name)s (paid on %(day)s) reversed") % {
        "amount": yuan_text(e.data.get("amount")),
        "name": e.data.get("name", ""),
        "day": e.data.get("paid_on", ""),
    }
