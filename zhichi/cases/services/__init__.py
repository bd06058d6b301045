"""State changes of a case. Each function is atomic, audited and writes the timeline."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhichi.accounts.models import Department, Organisation, User
from zhichi.accounts.services import next_number
from zhichi.audit.services import record
from zhichi.cases import guards, rules, sharing
from zhichi.cases.models import Case, CaseParty, PartyRole, Stage, TimelineEvent
from zhichi.cases.services.common import Permission, changing_case, version_missing
from zhichi.cases.services.derived import refresh, regrade
from zhichi.common.errors import FieldError, InvalidInput
from zhichi.core import numbering, searchtext, stages
from zhichi.parties.models import Party
from zhichi.webhooks.models import Event
from zhichi.webhooks.services import publish_event


@dataclass
class CaseParticipant:
    party: Party
    role: str
    groups: list[str] = field(default_factory=list)
    vulnerability_basis: list[str] = field(default_factory=list)
    amount_claimed: Decimal | None = None
    months_unpaid: int | None = None


@dataclass(frozen=True)
class PriorEvent:
    """Something that happened before the case existed (the lead's history, issue 13 item 11):
    put on the timeline at its own time, ahead of "case opened"."""

    kind: str
    at: datetime
    actor: User | None
    data: dict[str, Any]


def format_case_number(organisation: Organisation, year: int, serial: int) -> str:
    pattern = organisation.case_number_pattern or settings.ZHICHI["CASE_NUMBER_PATTERN"]
    return numbering.format_number(
        pattern, short=organisation.short_name or organisation.code, year=year, seq=serial
    )


def publish_stage_changed(case: Case, previous: str) -> None:
    """The ``case.stage_changed`` webhook (sent after the commit) to everyone the case is shared
    with: ids, number and stages only."""
    publish_event(
        event=Event.CASE_STAGE_CHANGED,
        organisation_ids=sharing.audience(case),
        payload={
            "case_id": case.pk,
            "case_number": case.number,
            "from": previous,
            "to": case.stage,
            "at": case.updated_at,
        },
    )


def add_event(
    case: Case,
    *,
    kind: str,
    actor: User | None,
    summary: str = "",
    data: dict | None = None,
    at: datetime | None = None,
) -> TimelineEvent:
    """One timeline event, now or, for what happened before it was recorded, at ``at``."""
    return TimelineEvent.objects.create(
        case=case,
        kind=kind,
        actor=actor,
        summary=summary,
        data=data or {},
        at=at or timezone.now(),
    )


def refresh_search_text(case: Case) -> None:
    """Number, summary, party names and credit codes in search form (core.searchtext), so a case
    number is found in any bracket and width (docs/decisions/0002-case-search.md). Identifiers of
    people are never in it: they are found through the blind index (cases.filters)."""
    parts = [case.number, case.summary]
    for cp in case.parties.select_related("party"):
        parts += [cp.party.name, cp.party.credit_code]
    case.search_text = searchtext.case_search_text(parts)
    case.search_grams = searchtext.search_grams(case.search_text)
    Case.objects.filter(pk=case.pk).update(
        search_text=case.search_text, search_grams=case.search_grams
    )


def open_case(
    *,
    actor: User,
    organisation: Organisation,
    department: Department | None,
    facts: dict[str, Any],
    referring_org: Organisation | None = None,
    participants: list[CaseParticipant],
    officer: User | None = None,
    origin: dict[str, Any] | None = None,
    history: Sequence[PriorEvent] = (),
) -> Case:
    """Create a case in the review stage with the next gap-free number. Call inside a transaction.

    ``facts`` are the values of the ``Facts`` fields (``lead.facts_of()``).

    ``history`` is what happened before (the lead's receipt, duplicate check and acceptance):
    the timeline starts with it, then "case opened" (issue 13 item 11)."""
    today = timezone.localdate()
    with transaction.atomic():
        serial = next_number(organisation=organisation, kind="case", year=today.year)
        case = Case.objects.create(
            organisation=organisation,
            department=department,
            number=format_case_number(organisation, today.year, serial),
            year=today.year,
            serial=serial,
            opened_on=today,
            stage=Stage.REVIEW,
            officer=officer or actor,
            referring_org=referring_org,
            **facts,
        )
        for prior in history:
            add_event(case, kind=prior.kind, actor=prior.actor, data=prior.data, at=prior.at)
        positions = {PartyRole.CLAIMANT: 0, PartyRole.RESPONDENT: 0}
        for p in participants:
            CaseParty.objects.create(
                case=case,
                party=p.party,
                role=p.role,
                position=positions[p.role],
                groups=p.groups,
                vulnerability_basis=p.vulnerability_basis,
                amount_claimed=p.amount_claimed,
                months_unpaid=p.months_unpaid,
            )
            positions[p.role] += 1
        refresh_search_text(case)
        refresh(case)
        regrade(case)
        add_event(
            case,
            kind="case_opened",
            actor=actor,
            data={"number": case.number, **(origin or {})},
        )
        record(
            action="case.open",
            actor=actor,
            obj=case,
            detail={"number": case.number, **(origin or {})},
        )
    return case


def STAGE_REFUSAL() -> str:
    return _("Only the case officer or the department head may move this case.")


def LEVEL_REFUSAL() -> str:
    return _("Only the department head may set the level.")


MOVE_STAGE = Permission(rules.can_move_stage, STAGE_REFUSAL)
SET_LEVEL = Permission(rules.can_override_level, LEVEL_REFUSAL)


def ensure_may_move_stage(*, case_id: int, actor: User) -> Case:
    """Refuse (and audit) a move by someone who may not move the case, outside any transaction
    so the denial's audit row is kept (rule R7); the API checks this before the body."""
    return MOVE_STAGE.ensure(case_id, actor, "case.stage")


def ensure_may_set_level(*, case_id: int, actor: User) -> Case:
    """Refuse (and audit) a level set by anyone but the department head."""
    return SET_LEVEL.ensure(case_id, actor, "case.level")


def move_stage(*, case_id: int, to: str, reason: str, version: int, actor: User) -> Case:
    """Move a case to another stage, with a reason. Refuses stale versions, moves the table does
    not allow, and moves whose guards are not met (the message says what is missing). Closing
    goes through ``close_case``, which needs an outcome."""
    reason = (reason or "").strip()
    errors = []
    if to not in stages.STAGES:
        errors.append(FieldError("to", "choice", _("Choose one of the stages.")))
    if not reason:
        errors.append(FieldError("reason", "required", _("Give the reason for the move.")))
    elif len(reason) > 2000:
        errors.append(
            FieldError("reason", "max_length", _("Keep the reason under 2,000 characters."))
        )
    # a closed case is refused by the stage table below, which says what is allowed
    change = changing_case(
        case_id,
        actor=actor,
        action="case.stage",
        version=version,
        allow_closed=True,
        permission=MOVE_STAGE,
    )
    if errors:
        raise InvalidInput(errors)
    with change:
        case = change.case
        if not stages.is_allowed(case.stage, to):
            # Translators: separator between items of a list, "、" in Chinese
            allowed = _(", ").join(str(Stage(s).label) for s in stages.allowed_targets(case.stage))
            message = _("A case in %(stage)s cannot move to %(to)s. Allowed: %(allowed)s.") % {
                "stage": Stage(case.stage).label,
                "to": Stage(to).label,
                "allowed": allowed or _("none (the case is closed)"),
            }
            raise InvalidInput([FieldError("to", "not_allowed", message)])
        missing = guards.missing_for(case, to)
        if missing:
            message = _("To move to %(to)s the case still needs: %(missing)s.") % {
                "to": Stage(to).label,
                "missing": _("; ").join(missing),
            }
            raise InvalidInput([FieldError("to", "guard", message)])
        previous = case.stage
        case.stage = to
        change.save("stage")
        add_event(
            case,
            kind="stage_changed",
            actor=actor,
            summary=reason,
            data={"from": previous, "to": to},
        )
        change.audit(detail={"from": previous, "to": to, "version": case.version})
        publish_stage_changed(case, previous)
    return case


def override_level(
    *, case_id: int, level: int, reason: str, actor: User, version: int | None
) -> Case:
    """A head sets the level with a reason (C3); the rules' own reasons stay visible. ``version``
    is the case version the head read (missing: 422; stale: 409)."""
    change = changing_case(
        case_id,
        actor=actor,
        action="case.level",
        version=version,
        allow_closed=True,
        permission=SET_LEVEL,
    )
    errors = []
    if version is None:
        errors.append(version_missing())
    if level not in (1, 2, 3):
        errors.append(FieldError("level", "choice", _("Choose level 1, 2 or 3.")))
    reason = (reason or "").strip()
    if not reason:
        errors.append(FieldError("reason", "required", _("Give the reason for the level.")))
    if errors:
        raise InvalidInput(errors)
    with change:
        case = change.case
        previous = case.level
        case.level, case.level_overridden_by, case.level_override_reason = level, actor, reason
        change.save("level", "level_overridden_by", "level_override_reason")
        regrade(case)
        add_event(
            case,
            kind="level_set",
            actor=actor,
            summary=reason,
            data={"from": previous, "to": level},
        )
        change.audit(detail={"from": previous, "to": level})
    return case
