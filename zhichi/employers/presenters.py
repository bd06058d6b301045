"""How joint actions are described to people and to the API: one place for pages and JSON."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhichi.cases.models import Case
from zhichi.core import grading
from zhichi.employers.models import JointAction, JointActionCase, JointActionPayment


def mask_name(name: str) -> str:
    """王建国 → 王**: the family name only, for a person in a case the viewer may not see."""
    name = (name or "").strip()
    return name[:1] + "*" * (len(name) - 1) if len(name) > 1 else "*" * len(name)


def with_details(queryset):
    """Joint actions with their participants, cases and payments, in a fixed number of queries."""
    return queryset.for_display().prefetch_related(
        "participants__organisation",
        Prefetch("case_links", queryset=JointActionCase.objects.select_related("case")),
        Prefetch(
            "payment_links",
            queryset=JointActionPayment.objects.select_related(
                "payment__claimant__party", "payment__case"
            ),
        ),
    )


@dataclass(frozen=True)
class CaseRow:
    pk: int
    number: str
    visible: bool


@dataclass(frozen=True)
class PaymentRow:
    payment_id: int
    case_id: int
    case_number: str
    claimant_party_id: int
    name: str
    amount: Decimal
    visible: bool


@dataclass(frozen=True)
class JointActionView:
    """A joint action as one viewer may see it: cases linked and claimants named only where
    that viewer may see the case (the case page's own rule); elsewhere the family name only."""

    action: JointAction
    organisations: list
    cases: list[CaseRow]
    payments: list[PaymentRow]


def visible_case_ids(user, actions: list[JointAction]) -> set[int]:
    ids = {link.case_id for a in actions for link in a.case_links.all()}
    if not ids:
        return set()
    return set(Case.objects.visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))


def views_for(user, actions: list[JointAction]) -> list[JointActionView]:
    """``actions`` loaded through ``with_details``; one query for what the user may see."""
    seen = visible_case_ids(user, actions)
    out = []
    for a in actions:
        cases = [
            CaseRow(link.case_id, link.case.number, link.case_id in seen)
            for link in a.case_links.all()
        ]
        payments = []
        for link in a.payment_links.all():
            p = link.payment
            visible = p.case_id in seen
            name = p.claimant.party.name
            payments.append(
                PaymentRow(
                    payment_id=p.pk,
                    case_id=p.case_id,
                    case_number=p.case.number,
                    claimant_party_id=p.claimant.party_id,
                    name=name if visible else mask_name(name),
                    amount=p.amount,
                    visible=visible,
                )
            )
        out.append(
            JointActionView(
                action=a,
                organisations=[link.organisation for link in a.participants.all()],
                cases=cases,
                payments=payments,
            )
        )
    return out


def describe_event(event) -> str:
    """The case timeline's headline for a joint action (registered in apps.ready)."""
    data = event.data
    text = _("Joint action on %(day)s with %(organisations)s") % {
        "day": data.get("on", ""),
        "organisations": _(", ").join(data.get("organisations") or []) or "—",
    }
    amount = Decimal(str(data.get("amount") or "0"))
    if amount > 0:
        text += _(", %(amount)s yuan paid on site") % {"amount": f"{amount:,.2f}"}
    return text


@dataclass(frozen=True)
class RiskBadge:
    """How an EW-3 risk level is shown: its words and the badge's tone (UI.md)."""

    label: str
    tone: str


RISK_BADGES = {
    grading.RISK_HIGH: (gettext_lazy("High risk"), "danger"),
    grading.RISK_LOW: (gettext_lazy("Some risk"), "warning"),
    grading.RISK_NONE: (gettext_lazy("No risk factor"), "done"),
}


def risk_badge(level: str) -> RiskBadge:
    label, tone = RISK_BADGES[level]
    return RiskBadge(str(label), tone)
