"""Two workflows as tables: a judicial assistance application after it is recorded (rule JA-6),
and the legal aid centre's steps on a legal aid referral (a transfer of kind ``legal_aid``).

For each action: the states it starts from, the state it leads to (None: it stays), who takes it,
and the further conditions of the record, checked in order. The services check an action with
``check`` (who first, audited; then the state), the pages show a form exactly for the actions of
``allowed_actions``, and the API returns them as the record's ``actions``. The action codes are
those of the URLs and the API (``/assistance/<id>/<action>/``, ``.../legal-aid/<action>``).

The approval steps between the opinion and the decision are the approvals' own
(``cases.services.approvals``): they are not actions of the application.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from zhichi.accounts.models import User
from zhichi.assistance import rules
from zhichi.assistance.models import AssistanceApplication, AssistanceStatus, LegalAidReferral
from zhichi.audit.services import record
from zhichi.cases.models import CaseStatus
from zhichi.common.errors import FieldError, InvalidInput, NotPermitted
from zhichi.transfers import rules as transfer_rules
from zhichi.transfers.models import Transfer, TransferKind, TransferStatus


@dataclass(frozen=True)
class Condition:
    """A condition of the record for an action; when it fails, the refusal at ``status``."""

    holds: Callable[[Any], bool]
    message: Callable[[], str]
    code: str = "state"


@dataclass(frozen=True)
class Move:
    """One action: from which states, to which state, who; ``audit`` names its audit rows."""

    starts: frozenset[str]
    target: str | None
    who: Callable[[User, Any], bool]
    refusal: Callable[[], str]
    audit: str
    conditions: tuple[Condition, ...]  # the state check among them, in the services' order


def _in(*states: str) -> Callable[[Any], bool]:
    return lambda r: r.status in states


def _move(
    starts: tuple[str, ...],
    target: str | None,
    who,
    refusal,
    audit: str,
    wrong_state: Callable[[], str],
    *also: Condition,
    before: tuple[Condition, ...] = (),
) -> Move:
    state = Condition(_in(*starts), wrong_state)
    return Move(frozenset(starts), target, who, refusal, audit, (*before, state, *also))


def _officer_or_head() -> str:
    return _("Only the case officer or the department head may do this.")


A = AssistanceStatus

# --- an application: action → from states, to state, who (the case officer or the head) ------
MOVES: dict[str, Move] = {
    "opinion": _move(
        (A.RECEIVED,),
        A.IN_APPROVAL,
        rules.can_work_on_application,
        _officer_or_head,
        "assistance.opinion",
        lambda: _("The opinion can be given only while the application is under verification."),
        # rule JA-1: aid is given only while the case is handled
        Condition(
            lambda a: a.case.status == CaseStatus.OPEN,
            lambda: _("Aid is given only while the case is handled."),
            "case_closed",
        ),
    ),
    "funds": _move(
        (A.GRANTED,),
        None,
        rules.can_work_on_application,
        _officer_or_head,
        "assistance.funds",
        lambda: _("Funds are recorded once, after aid is granted."),
        Condition(
            lambda a: not a.funds_arrived_on,
            lambda: _("Funds are recorded once, after aid is granted."),
        ),
    ),
    "notice": _move(
        (A.GRANTED,),
        None,
        rules.can_work_on_application,
        _officer_or_head,
        "assistance.notice",
        lambda: _("The applicant is told once the funds have arrived."),
        Condition(
            lambda a: bool(a.funds_arrived_on) and not a.notified_on,
            lambda: _("The applicant is told once the funds have arrived."),
        ),
    ),
    "payment": _move(
        (A.GRANTED,),
        A.PAID,
        rules.can_work_on_application,
        _officer_or_head,
        "assistance.pay",
        lambda: _("Only granted aid can be paid, and only once."),
        Condition(
            lambda a: bool(a.notified_on),
            lambda: _("Record the funds and the notice to the applicant first."),
        ),
    ),
    "follow_up": _move(
        (A.PAID,),
        None,
        rules.can_work_on_application,
        _officer_or_head,
        "assistance.follow_up",
        lambda: _("A follow-up is recorded after the aid is paid."),
        Condition(
            lambda a: not a.follow_up_on,
            lambda: _("The follow-up is recorded already."),
        ),
    ),
    "withdraw": _move(
        (A.RECEIVED, A.IN_APPROVAL),
        A.WITHDRAWN,
        rules.can_work_on_application,
        _officer_or_head,
        "assistance.withdraw",
        lambda: _("Only an application not yet decided can be withdrawn."),
    ),
}


# --- a legal aid referral: the centre that received the transfer --------------------------------
def is_centre(user: User, transfer: Transfer) -> bool:
    """The legal aid centre that received the referral (a transfer of kind legal_aid)."""
    return transfer.kind == TransferKind.LEGAL_AID and transfer_rules.is_receiver(user, transfer)


def _centre_only() -> str:
    return _("Only the legal aid centre that received the referral may do this.")


def _has_lawyer(transfer: Transfer) -> bool:
    return LegalAidReferral.objects.filter(transfer_id=transfer.pk).exists()


T = TransferStatus

REFERRAL_MOVES: dict[str, Move] = {
    # naming the lawyer answers an accepted referral; it may be changed while the referral is open
    "lawyer": _move(
        (T.ACCEPTED, T.ANSWERED),
        T.ANSWERED,
        is_centre,
        _centre_only,
        "legal_aid.assign",
        lambda: _("Accept the referral first; a lawyer is named while it is open."),
    ),
    "outcome": _move(
        (T.ACCEPTED, T.ANSWERED),
        None,
        is_centre,
        _centre_only,
        "legal_aid.outcome",
        lambda: _("The referral is closed; nothing more is recorded."),
        before=(Condition(_has_lawyer, lambda: _("Name the lawyer first.")),),
    ),
}


def _table(record_: Any) -> dict[str, Move]:
    return REFERRAL_MOVES if isinstance(record_, Transfer) else MOVES


def code_of(audit_action: str, table: dict[str, Move]) -> str:
    """The action code of an audit action ("assistance.pay" → "payment")."""
    return next(code for code, move in table.items() if move.audit == audit_action)


def may(action: str, user: User, record_: AssistanceApplication | Transfer) -> bool:
    """Whether ``user`` is the one who takes ``action`` (whatever the state)."""
    return _table(record_)[action].who(user, record_)


def state_refusal(action: str, record_: AssistanceApplication | Transfer) -> InvalidInput | None:
    """The refusal (422 at ``status``) of ``action`` in the record's state, or None."""
    for condition in _table(record_)[action].conditions:
        if not condition.holds(record_):
            text = condition.message()
            return InvalidInput([FieldError("status", condition.code, text)], detail=text)
    return None


def allowed_actions(user: User, record_: AssistanceApplication | Transfer) -> list[str]:
    """The actions ``user`` may take on the application (or the legal aid referral, given its
    transfer) now, in the table's order."""
    return [
        code
        for code, move in _table(record_).items()
        if move.who(user, record_) and state_refusal(code, record_) is None
    ]


def ensure_may(action: str, user: User, record_: AssistanceApplication | Transfer) -> None:
    """Refuse (403) and audit anyone the table does not let take ``action``."""
    move = _table(record_)[action]
    if not move.who(user, record_):
        record(action=move.audit, actor=user, obj=record_, outcome="denied")
        raise NotPermitted(move.refusal())


def check(action: str, user: User, record_: AssistanceApplication | Transfer) -> None:
    """``action`` by ``user`` on the record as it is now: NotPermitted (audited) for who may not,
    InvalidInput at ``status`` for the wrong state."""
    ensure_may(action, user, record_)
    refusal = state_refusal(action, record_)
    if refusal is not None:
        raise refusal
