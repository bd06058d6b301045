"""The transfers' parts of other pages: the case page, the lead page, the daily reminders."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from zhichi.page_sections import Section, register


def register_all() -> None:
    from zhichi.cases.services.reminders import register_reminder_source
    from zhichi.transfers import reminders

    register(
        "case",
        Section(
            key="transfers",
            title=gettext_lazy("Transfers"),
            template="transfers/_case_section.html",
            context=case_section,
            order=40,
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
        ),
    )
    register_reminder_source(reminders.transfer_reminders)


def _rows(user, transfers):
    from zhichi.transfers import rules

    rows = []
    for t in transfers:
        party = rules.is_sender(user, t) or rules.is_receiver(user, t)
        rows.append({"transfer": t, "party": party})
    return rows


def case_section(request, case) -> dict | None:
    """Transfers of the case, the evaluator's advice and the send form for those who may send.

    Partner staff see the transfers their organisation is a side of in full, and only the kind,
    receiver and state of the others (C8: no internal notes).
    """
    from zhichi.cases.rules import can_work_on, is_partner_view
    from zhichi.transfers import rules
    from zhichi.transfers.forms import advice_for

    user = request.user
    transfers = case.transfers.select_related("from_org", "to_org", "to_department").order_by(
        "-sent_at", "-id"
    )
    ctx = {
        "case": case,
        "rows": _rows(user, transfers),
        "partner_view": is_partner_view(user),
        "shares": [],
        "can_revoke": False,
    }
    if rules.can_send_case(user, case):
        ctx["may_send"] = True
        ctx["advice"] = advice_for(case)
    if not is_partner_view(user) and user.organisation_id == case.organisation_id:
        ctx["shares"] = list(
            case.shares.filter(ended_at__isnull=True).select_related("organisation", "department")
        )
        ctx["can_revoke"] = can_work_on(user, case) and case.status == "open"
    return ctx


def lead_section(request, lead) -> dict | None:
    from zhichi.transfers import rules

    user = request.user
    transfers = lead.transfers.select_related("from_org", "to_org", "to_department").order_by(
        "-sent_at", "-id"
    )
    ctx = {"lead": lead, "rows": _rows(user, transfers)}
    if rules.can_send_lead(user, lead):
        ctx["may_send"] = True
    if not ctx["rows"] and "may_send" not in ctx:
        return None
    return ctx


def workbench_section(request, _obj) -> dict | None:
    """Transfers the user's side must act on: receipt, decision or answer; overdue first."""
    from zhichi.transfers import rules
    from zhichi.transfers.models import OPEN_FOR_RECEIVER

    user = request.user
    if rules.transfer_scope(user) is None:
        return None
    waiting = (
        rules.inbox_of(user)
        .filter(status__in=OPEN_FOR_RECEIVER)
        .select_related("from_org", "case", "lead")
        .order_by("receipt_due", "feedback_due", "id")
    )
    return {"rows": list(waiting[:10]), "count": waiting.count()}
