"""Recording a joint action (联合执法, C8): one atomic, audited state change.

The organiser lists the participating organisations, the employer (by its unified social credit
code) and the cases against it; money paid on the spot becomes one ordinary payment per claimant
through the cases' own ``record_payment`` (so the ledger, deadlines, timeline and audit follow),
split automatically in proportion to what each claimant is still owed unless the organiser gives
the split. Participants other than a case's own organisation get a share of it, through the
consent gate. Anything wrong anywhere changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from zhichi.accounts.models import Organisation, User
from zhichi.audit.services import record
from zhichi.cases import rules as case_rules
from zhichi.cases import sharing
from zhichi.cases.ledger import ledger_for
from zhichi.cases.models import (
    Case,
    CaseParty,
    CaseShare,
    CaseStatus,
    PartyRole,
    ShareReason,
)
from zhichi.cases.services import add_event
from zhichi.cases.services.common import changing_case
from zhichi.cases.services.disposal import record_payment
from zhichi.common.errors import InvalidInput, NotPermitted
from zhichi.common.inputs import parse
from zhichi.common.validation import Collector
from zhichi.core import allocation
from zhichi.employers import rules
from zhichi.employers.models import (
    JointAction,
    JointActionCase,
    JointActionOrganisation,
    JointActionPayment,
)
from zhichi.employers.schemas import JointActionIn, PaymentPartIn
from zhichi.intake.models import Lead, LeadParty
from zhichi.parties.models import Party
from zhichi.webhooks.services import publish_event

ZERO = Decimal("0.00")
MAX_ID = 2**63 - 1  # the database's largest key: a larger number names no case
EVENT = "joint_action.recorded"

Key = tuple[int, int]  # (case id, claimant party id)


def _not_saved() -> str:
    return _("The joint action has errors; nothing was saved.")


def _organisations(c: Collector, data: JointActionIn, actor: User) -> list[Organisation]:
    """The participants named by code (active organisations), without the organiser itself."""
    codes = list(enumerate(data.organisations))
    found = {
        o.code: o
        for o in Organisation.objects.filter(code__in=[code for _i, code in codes], is_active=True)
    }
    out: list[Organisation] = []
    for i, code in codes:
        org = found.get(code)
        if org is None:
            c.add(f"organisations.{i}", "unknown", _("No active organisation has this code."))
        elif org.pk != actor.organisation_id and org not in out:
            out.append(org)
    return out


def _case_ids(c: Collector, data: JointActionIn) -> list[tuple[int, int]]:
    """(position in the request, case id) for each listed case; a number no key can be names
    no case."""
    out: list[tuple[int, int]] = []
    for i, value in enumerate(data.case_ids):
        if not 0 < value <= MAX_ID:
            c.add(f"case_ids.{i}", "not_found", _("No case with this id was found."))
        else:
            out.append((i, value))
    return out


def find_employer(code: str, user) -> Party | None:
    """The employer with this credit code as a case or lead that ``user`` may see names it."""
    named = (
        CaseParty.objects.filter(
            role=PartyRole.RESPONDENT,
            party__credit_code=code,
            case__in=Case.objects.visible_to(user),
        )
        .select_related("party")
        .order_by("party_id")
        .first()
    ) or (
        LeadParty.objects.filter(
            role=PartyRole.RESPONDENT,
            party__credit_code=code,
            lead__in=Lead.objects.visible_to(user),
        )
        .select_related("party")
        .order_by("party_id")
        .first()
    )
    return named.party if named else None


def _owed(cases: list[Case]) -> dict[Key, Decimal]:
    """What each claimant of the cases is still owed, from the ledger (award, else agreement,
    else claim, minus what was paid), in the order of the cases and their claimants."""
    owed: dict[Key, Decimal] = {}
    for case in cases:
        for row in ledger_for(case).rows:
            owed[(case.pk, row.claimant.party_id)] = row.outstanding
    return owed


def _given_parts(
    c: Collector,
    given: list[PaymentPartIn],
    owed: dict[Key, Decimal],
    case_ids: set[int],
) -> dict[Key, Decimal]:
    """The parts as given (the schema saw that they add up): each a claimant of a listed case,
    none above what the claimant is still owed."""
    parts: dict[Key, Decimal] = {}
    first_row: dict[Key, int] = {}
    for j, row in enumerate(given):
        p = f"payments.{j}"
        if row.case_id not in case_ids:
            c.add(f"{p}.case_id", "unknown", _("Not one of the cases of this joint action."))
            continue
        key = (row.case_id, row.claimant_party_id)
        if key not in owed:
            c.add(f"{p}.claimant_party_id", "unknown", _("Not a claimant of this case."))
            continue
        parts[key] = parts.get(key, ZERO) + row.amount
        first_row.setdefault(key, j)
    for key, part in parts.items():
        if part > owed[key]:
            c.add(
                f"payments.{first_row[key]}.amount",
                "more_than_owed",
                _("More than this claimant is still owed (%(owed)s yuan).")
                % {"owed": f"{owed[key]:,.2f}"},
            )
    return parts


def _parts(
    c: Collector,
    given: list[PaymentPartIn] | None,
    owed: dict[Key, Decimal],
    case_ids: set[int],
    total: Decimal,
) -> dict[Key, Decimal]:
    """Each claimant's part of the money paid on site: as given, or split in proportion."""
    everything = sum(owed.values(), ZERO)
    if total > everything:
        c.add(
            "amount_paid_on_site",
            "more_than_owed",
            _("This is more than is owed on the listed cases (%(owed)s yuan).")
            % {"owed": f"{everything:,.2f}"},
        )
        return {}
    if given:
        return _given_parts(c, given, owed, case_ids)
    try:
        return allocation.allocate(total, owed)
    except allocation.AllocationError as exc:  # the checks above leave nothing for this
        c.add("amount_paid_on_site", exc.code, exc.message)
        return {}


@dataclass(frozen=True)
class _Input:
    on: date
    code: str
    result: str
    amount: Decimal
    legal_basis: str
    organisations: list[Organisation]
    case_ids: list[tuple[int, int]]


def _read(c: Collector, data: JointActionIn, actor: User) -> _Input:
    """The parsed input with what it names looked up: the organisations and the case ids."""
    return _Input(
        on=data.on,
        code=data.employer,
        result=data.result,
        amount=data.amount_paid_on_site or ZERO,
        legal_basis=data.legal_basis or "",
        organisations=_organisations(c, data, actor),
        case_ids=_case_ids(c, data),
    )


def _check_cases(c: Collector, data: _Input, cases: list[Case]) -> None:
    by_pk = {case.pk: case for case in cases}
    for i, pk in data.case_ids:
        case = by_pk[pk]
        if case.status == CaseStatus.CLOSED:
            c.add(f"case_ids.{i}", "closed", case_rules.CLOSED_REFUSAL())
        elif data.code and not any(
            cp.role == PartyRole.RESPONDENT and cp.party.credit_code == data.code
            for cp in case.parties.all()
        ):
            c.add(
                f"case_ids.{i}",
                "employer",
                _("Case %(number)s does not name this employer as a respondent.")
                % {"number": case.number},
            )


def _share_bases(c: Collector, data: _Input, cases: list[Case]) -> dict[tuple[int, int], str]:
    """The basis for sharing each case with each participant that is not the case's own
    organisation (C8): consent, or the legal basis given; else one error naming the cases."""
    bases: dict[tuple[int, int], str] = {}
    refused: list[str] = []
    message = ""
    for case in cases:
        for org in data.organisations:
            if org.pk == case.organisation_id:
                continue
            try:
                bases[(org.pk, case.pk)] = sharing.share_basis(
                    subject=case, to_org=org, legal_basis=data.legal_basis
                )
            except InvalidInput as exc:
                message = exc.errors[0].message
                if case.number not in refused:
                    refused.append(case.number)
    if refused:
        c.add(
            "legal_basis",
            "consent_required",
            _("%(message)s Cases: %(numbers)s.")
            % {"message": message, "numbers": _(", ").join(refused)},
        )
    return bases


def ensure_may_record_joint_action(*, actor: User) -> None:
    """Refuse (and audit) anyone who may not organise joint actions, before the input is read."""
    if not rules.can_record_joint_action(actor):
        record(action="joint_action.record", actor=actor, outcome="denied")
        raise NotPermitted(
            _("Only procuratorate case officers and department heads may record joint actions.")
        )


def record_joint_action(*, actor: User, data: JointActionIn | dict) -> JointAction:
    """Record a joint action and everything that follows from it, or nothing at all.

    403 when the actor may not organise joint actions or may not work on a listed case; 422 for
    everything else, each error at its field (a case the actor may not see is "not found").
    """
    ensure_may_record_joint_action(actor=actor)
    data = parse(JointActionIn, data, detail=_not_saved())
    c = Collector()
    inp = _read(c, data, actor)
    wanted = [pk for _i, pk in inp.case_ids]
    visible = {
        case.pk: case
        for case in Case.objects.visible_to(actor).filter(pk__in=wanted).order_by("pk")
    }
    for i, pk in inp.case_ids:
        if pk not in visible:
            c.add(f"case_ids.{i}", "not_found", _("No case with this id was found."))
    for case in visible.values():
        if not case_rules.can_work_on(actor, case):
            # outside the transaction below, so the denial's audit row is kept (rule R7)
            record(action="joint_action.record", actor=actor, obj=case, outcome="denied")
            raise NotPermitted(case_rules.WORK_REFUSAL())
    employer = find_employer(inp.code, actor) if inp.code else None
    if inp.code and employer is None:
        c.add(
            "employer",
            "unknown",
            _("No case or lead you can see names an employer with this credit code."),
        )
    if not inp.organisations and not inp.case_ids:
        c.add(
            "organisations",
            "required",
            _("Name at least one other organisation that took part, or one case."),
        )
    inp = replace(inp, case_ids=[(i, pk) for i, pk in inp.case_ids if pk in visible])

    with transaction.atomic():
        # locked in id order, so two joint actions on the same cases cannot deadlock, and what
        # is owed cannot change between the split and the payments
        cases = list(
            Case.objects.select_for_update()
            .filter(pk__in=[pk for _i, pk in inp.case_ids])
            .order_by("pk")
            .prefetch_related("parties__party")
        )
        order = {pk: n for n, (_i, pk) in enumerate(inp.case_ids)}
        cases.sort(key=lambda case: order[case.pk])
        _check_cases(c, inp, cases)
        bases = _share_bases(c, inp, cases)
        parts: dict[Key, Decimal] = {}
        if not any(e.field.startswith("case_ids") for e in c.errors):
            parts = _parts(c, data.payments, _owed(cases), set(order), inp.amount)
        c.raise_if_errors(_not_saved())
        action = _write(actor, inp, employer, cases, bases, parts)
    return action


def _write(actor, inp: _Input, employer: Party, cases: list[Case], bases, parts) -> JointAction:
    action = JointAction.objects.create(
        organisation_id=actor.organisation_id,
        department_id=actor.department_id,
        on=inp.on,
        employer=employer,
        result=inp.result,
        amount_paid_on_site=inp.amount,
        legal_basis=inp.legal_basis,
        created_by=actor,
    )
    JointActionOrganisation.objects.bulk_create(
        JointActionOrganisation(joint_action=action, organisation=org) for org in inp.organisations
    )
    JointActionCase.objects.bulk_create(
        JointActionCase(joint_action=action, case=case) for case in cases
    )
    names = [org.name for org in inp.organisations]
    for case in cases:
        for org in inp.organisations:
            if (org.pk, case.pk) in bases:
                sharing.grant(
                    CaseShare,
                    subject_field="case",
                    subject=case,
                    organisation=org,
                    department=None,
                    reason=ShareReason.JOINT_ACTION,
                    basis=bases[(org.pk, case.pk)],
                    legal_basis=inp.legal_basis,
                    source=action.share_source,
                    actor=actor,
                )
        paid = sum((v for (pk, _p), v in parts.items() if pk == case.pk), ZERO)
        # every case was locked above, in id order, and the actor's permission checked on each
        with changing_case(
            case.pk, actor=actor, action="joint_action.record", permission=None
        ) as change:
            add_event(
                change.case,
                kind="joint_action",
                actor=actor,
                summary=inp.result,
                data={
                    "joint_action": action.pk,
                    "on": inp.on.isoformat(),
                    "organisations": names,
                    "employer": employer.name,
                    "amount": f"{paid:.2f}",
                },
            )
    links = []
    method = _("Paid on site in a joint action")[:60]
    for (case_id, party_id), part in parts.items():
        if part <= 0:
            continue
        payment = record_payment(
            case_id=case_id,
            actor=actor,
            data={
                "claimant_party_id": party_id,
                "paid_on": inp.on,
                "amount": part,
                "payer": employer.name[:200],
                "method": method,
            },
        )
        links.append(JointActionPayment(joint_action=action, payment=payment))
    JointActionPayment.objects.bulk_create(links)
    record(
        action="joint_action.record",
        actor=actor,
        obj=action,
        detail={
            "employer": employer.pk,
            "organisations": [org.code for org in inp.organisations],
            "cases": [case.pk for case in cases],
            "amount": str(inp.amount),
            "payments": [link.payment_id for link in links],
        },
    )
    payload = {
        "joint_action_id": action.pk,
        "case_ids": [case.pk for case in cases],
        "amount_paid_on_site": f"{inp.amount:.2f}",
        "payments": [
            {
                "payment_id": link.payment_id,
                "case_id": link.payment.case_id,
                "amount": f"{link.payment.amount:.2f}",
            }
            for link in links
        ],
    }
    publish(payload, [org.pk for org in inp.organisations])
    return action


def publish(payload: dict, organisation_ids: list[int]) -> None:
    """Queue "joint_action.recorded" for the participants' webhook subscriptions (C16): ids and
    amounts only. Called inside the transaction, so a rolled-back joint action sends nothing and
    the deliveries go out after the commit."""
    publish_event(event=EVENT, organisation_ids=organisation_ids, payload=payload)
