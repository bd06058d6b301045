"""The transfers' parts of other pages: the case page, the lead page, the daily reminders."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhichi.cases.partner_view import register_party_records, visible_records
from zhichi.cases.presenters import register_event_label
from zhichi.cases.rules import can_work_on
from zhichi.cases.services.reminders import register_reminder_source
from zhichi.cases.words import choice_label
from zhichi.common.page_sections import Section, register
from zhichi.transfers import reminders, rules
from zhichi.transfers.forms import advice_for
from zhichi.transfers.models import (
    OPEN_FOR_RECEIVER,
    Transfer,
    TransferAction,
    TransferKind,
    may_see_transfers,
)


def register_all() -> None:
    register(
        "case",
        Section(
            key="transfers",
            title=gettext_lazy("Transfers"),
            template="transfers/_case_section.html",
            context=case_section,
            order=40,
            partners=True,  # the rows narrowed to the partner's own transfers
        ),
    )
    register(
        "lead",
        Section(
            key="transfers",
            title=gettext_lazy("Transfers"),
            template="transfers/_lead_section.html",
            context=lead_section,
            order=40,
            partners=True,  # the rows narrowed to the partner's own transfers
        ),
    )
    register(
        "workbench",
        Section(
            key="transfers",
            title=gettext_lazy("Transfers waiting for me"),
            template="transfers/_workbench_section.html",
            context=workbench_section,
            order=40,
            partners=True,  # the partner's own inbox
        ),
    )
    register_reminder_source(reminders.transfer_reminders)
    # the case timeline's transfer steps are seen by the transfer's sides only (C8); their text
    # is the system's sentence about the transfer, which its sides read on the transfer anyway
    register_party_records(
        "transfer",
        events={f"transfer_{action}" for action in TransferAction.values},
        records=rules.party_transfers,
        summary=True,
    )
    for action, describe in EVENT_LABELS.items():
        register_event_label(f"transfer_{action}", describe)


def _values(e) -> dict:
    return {
        "number": e.data.get("number") or "—",
        "org": e.data.get("org") or "—",
        "kind": choice_label(TransferKind, e.data.get("transfer_kind")) or "—",
    }


# the case timeline's headline of each step of a transfer, by action (TransferAction)
EVENT_LABELS = {
    "send": lambda e: _("Transfer %(number)s sent to %(org)s (%(kind)s)") % _values(e),
    "receive": lambda e: _("Transfer %(number)s received by %(org)s") % _values(e),
    "accept": lambda e: _("Transfer %(number)s accepted by %(org)s") % _values(e),
    "reject": lambda e: _("Transfer %(number)s rejected by %(org)s") % _values(e),
    "answer": lambda e: _("Transfer %(number)s answered by %(org)s") % _values(e),
    "close": lambda e: _("Transfer %(number)s closed") % _values(e),
}


# what a row of transfers shows of its two sides (sender_label, receiver_label)
SIDES = ("from_org", "from_department", "to_org", "to_department")


def _rows(user, transfers):
    rows = []
    for t in transfers:
        party = rules.is_sender(user, t) or rules.is_receiver(user, t)
        rows.append({"transfer": t, "party": party})
    return rows


def case_section(request, case) -> dict | None:
    """Transfers of the case, the evaluator's advice and the send form for those who may send.

    A viewer from outside the procuratorate (a partner agency) sees only the transfers its own
    organisation sent or receives, nor who else the case is shared with (C8,
    zhichi/cases/partner_view.py).
    """
    user = request.user
    view = visible_records(user, case)
    transfers = view.records(
        "transfer",
        case.transfers.select_related(*SIDES).order_by("-sent_at", "-id"),
    )
    ctx = {
        "case": case,
        "rows": _rows(user, transfers),
        "partner_view": view.partner,
        "shares": [],
        "can_revoke": False,
    }
    if rules.can_send_case(user, case):
        ctx["may_send"] = True
        ctx["advice"] = advice_for(case)
    if view.internal:
        ctx["shares"] = list(
            case.shares.filter(ended_at__isnull=True).select_related("organisation", "department")
        )
        ctx["can_revoke"] = can_work_on(user, case) and case.status == "open"
    return ctx


def lead_section(request, lead) -> dict | None:
    """The lead's transfers; a partner agency sees only those its organisation is a side of."""
    user = request.user
    transfers = visible_records(user, lead).records(
        "transfer",
        lead.transfers.select_related(*SIDES).order_by("-sent_at", "-id"),
    )
    ctx = {"lead": lead, "rows": _rows(user, transfers)}
    if rules.can_send_lead(user, lead):
        ctx["may_send"] = True
    if not ctx["rows"] and "may_send" not in ctx:
        return None
    return ctx


def workbench_section(request, _obj) -> dict | None:
    """Transfers the user's side must act on: receipt, decision or answer; overdue first."""
    user = request.user
    if not may_see_transfers(user):
        return None
    waiting = (
        Transfer.objects.inbox_of(user)
        .filter(status__in=OPEN_FOR_RECEIVER)
        .select_related("from_org", "from_department", "case", "lead")
        .order_by("receipt_due", "feedback_due", "id")
    )
    return {"rows": list(waiting[:10]), "count": waiting.count()}
