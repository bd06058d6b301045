"""The transfer workflow (C7) as one table: for each action, the states it starts from, the state
it leads to and the side that takes it.

The services check an action with ``check`` (the side first, audited; then the state), the pages
show a button exactly for the actions of ``allowed_actions``, and the API returns them as a
transfer's ``actions``. The action codes are those of the URLs and the API
(``/transfers/<id>/<action>/``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from zhichi.accounts.models import User
from zhichi.audit.services import record
from zhichi.common.errors import FieldError, InvalidInput, NotPermitted
from zhichi.transfers import rules
from zhichi.transfers.models import Transfer, TransferStatus


@dataclass(frozen=True)
class Move:
    """One action: the states it starts from, the state it leads to, who takes it.

    ``step`` is the service's own name of the step: the audit row ``transfer.<step>``, the
    transfer's history, the case timeline (``transfer_<step>``) and the webhook event."""

    starts: frozenset[str]
    target: str
    who: Callable[[User, Transfer], bool]
    refusal: Callable[[], str]
    step: str
    done: Callable[[], str]  # the state's verb in "it cannot be %(action)s now"


def _receiving_side() -> str:
    return _("Only the receiving side may do this with a transfer.")


def _sending_side() -> str:
    return _("Only the sending side may close a transfer.")


S = TransferStatus

# action → (from states, to state, who); ordered as the page shows them
MOVES: dict[str, Move] = {
    "receive": Move(
        frozenset({S.SENT}),
        S.RECEIVED,
        rules.is_receiver,
        _receiving_side,
        "receive",
        lambda: _("received"),
    ),
    "accept": Move(
        frozenset({S.SENT, S.RECEIVED}),
        S.ACCEPTED,
        rules.is_receiver,
        _receiving_side,
        "accept",
        lambda: _("accepted"),
    ),
    "reject": Move(
        frozenset({S.SENT, S.RECEIVED}),
        S.REJECTED,
        rules.is_receiver,
        _receiving_side,
        "reject",
        lambda: _("rejected"),
    ),
    "feedback": Move(
        frozenset({S.ACCEPTED}),
        S.ANSWERED,
        rules.is_receiver,
        _receiving_side,
        "answer",
        lambda: _("answered"),
    ),
    "close": Move(
        frozenset({S.ANSWERED, S.REJECTED}),
        S.CLOSED,
        rules.is_sender,
        _sending_side,
        "close",
        lambda: _("closed"),
    ),
}
ACTIONS = tuple(MOVES)

# the services' names of the steps, as the API's guards and the audit rows say them
_BY_STEP = {move.step: code for code, move in MOVES.items()}


def code_of(action: str) -> str:
    """The action code of ``action``, given as a code or as the service's step ("answer")."""
    return action if action in MOVES else _BY_STEP[action]


def may(action: str, user: User, transfer: Transfer) -> bool:
    """Whether ``user`` is on the side that takes ``action`` (whatever the state)."""
    return MOVES[code_of(action)].who(user, transfer)


def allowed_from(action: str, transfer: Transfer) -> bool:
    return transfer.status in MOVES[code_of(action)].starts


def allowed_actions(user: User, transfer: Transfer) -> list[str]:
    """The actions ``user`` may take on ``transfer`` now, in the table's order."""
    return [
        code
        for code, move in MOVES.items()
        if transfer.status in move.starts and move.who(user, transfer)
    ]


def ensure_may(action: str, user: User, transfer: Transfer) -> None:
    """Refuse (403) and audit anyone not on the side that takes ``action``."""
    move = MOVES[code_of(action)]
    if not move.who(user, transfer):
        record(action=f"transfer.{move.step}", actor=user, obj=transfer, outcome="denied")
        raise NotPermitted(move.refusal())


def state_refusal(action: str, transfer: Transfer) -> InvalidInput | None:
    """The refusal (422 at ``status``) of ``action`` in the transfer's state, or None."""
    move = MOVES[code_of(action)]
    if transfer.status in move.starts:
        return None
    text = _("This transfer is %(status)s; it cannot be %(action)s now.") % {
        "status": TransferStatus(transfer.status).label,
        "action": move.done(),
    }
    return InvalidInput([FieldError("status", "state", text)])


def check(action: str, user: User, transfer: Transfer) -> None:
    """``action`` by ``user`` on ``transfer`` as it is now: NotPermitted (audited) for the wrong
    side, InvalidInput at ``status`` for the wrong state."""
    ensure_may(action, user, transfer)
    refusal = state_refusal(action, transfer)
    if refusal is not None:
        raise refusal
