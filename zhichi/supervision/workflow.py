"""The procuratorial suggestion's workflow (C10, rule TL-9) as one table: for each action on a
suggestion, the states it starts from, the state it leads to and who takes it, with the further
conditions of the suggestion, checked in order.

The services check an action with ``check`` (who first, audited; then the state), the suggestion
page shows a form exactly for the actions of ``allowed_actions``, and the API returns them as the
suggestion's ``actions``. The action codes are those of the URLs and the API
(``/suggestions/<id>/<action>``). Drafting is an action on the case; the chief procurator's
decision is an approval (``cases.services.approvals``): neither is an action of this table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

from zhichi.accounts.models import User
from zhichi.audit.services import record
from zhichi.cases import rules as case_rules
from zhichi.cases.models import CaseStatus
from zhichi.common.errors import FieldError, InvalidInput, NotPermitted
from zhichi.supervision import rules
from zhichi.supervision.models import Adoption, Suggestion, SuggestionStatus


@dataclass(frozen=True)
class Condition:
    """A condition of the suggestion for an action; when it fails, the refusal (422)."""

    holds: Callable[[Suggestion, date | None], bool]
    message: Callable[[Suggestion], str]
    code: str = "state"
    field: str = "status"


@dataclass(frozen=True)
class Move:
    """One action: from which states, to which state, who; audited as ``suggestion.<action>``."""

    starts: frozenset[str]
    target: str
    who: Callable[[User, Suggestion], bool]
    refusal: Callable[[], str]
    conditions: tuple[Condition, ...]  # the state check among them, in the services' order


ACTION_WORDS = {
    "revise": lambda: _("revised"),
    "serve": lambda: _("served"),
    "reply": lambda: _("given a reply"),
    "escalate": lambda: _("escalated"),
    "close": lambda: _("closed"),
    "withdraw": lambda: _("withdrawn"),
}


def _wrong_state(action: str) -> Callable[[Suggestion], str]:
    def text(s: Suggestion) -> str:
        return _("This suggestion is %(status)s; it cannot be %(action)s now.") % {
            "status": SuggestionStatus(s.status).label,
            "action": ACTION_WORDS[action](),
        }

    return text


def _state(action: str, *states: str) -> Condition:
    return Condition(lambda s, _today: s.status in states, _wrong_state(action))


def _may_revise(user: User, s: Suggestion) -> bool:
    return case_rules.can_work_on(user, s.case)


def _drafters() -> str:
    return _("Only the case officer or the department head may revise it.")


def _followers() -> str:
    return _(
        "Only the case officer, the head of the case's department or the chief procurator may "
        "do this."
    )


def _not_overdue(s: Suggestion) -> str:
    return _("The reply is not overdue yet (due %(day)s): escalation is for non-compliance.") % {
        "day": s.reply_due.isoformat() if s.reply_due else "—"
    }


S = SuggestionStatus

# action → from states, to state, who; in the order of the URLs
MOVES: dict[str, Move] = {
    # a returned suggestion is revised and submitted again, while the case is open
    "revise": Move(
        frozenset({S.RETURNED}),
        S.PENDING,
        _may_revise,
        _drafters,
        (
            _state("revise", S.RETURNED),
            Condition(
                lambda s, _today: s.case.status != CaseStatus.CLOSED,
                lambda _s: case_rules.CLOSED_REFUSAL(),
                "closed",
                "case",
            ),
        ),
    ),
    "serve": Move(
        frozenset({S.APPROVED}),
        S.SERVED,
        rules.can_follow_up,
        _followers,
        (_state("serve", S.APPROVED),),
    ),
    "reply": Move(
        frozenset({S.SERVED, S.ESCALATED}),
        S.REPLIED,
        rules.can_follow_up,
        _followers,
        (
            _state("reply", S.SERVED, S.ESCALATED),
            Condition(lambda s, _today: s.replied_on is None, _wrong_state("reply")),
        ),
    ),
    # non-compliance (rule TL-9): no reply by the due date, or recommendations not (fully)
    # adopted; an escalated suggestion may be escalated to another body too
    "escalate": Move(
        frozenset({S.SERVED, S.REPLIED, S.ESCALATED}),
        S.ESCALATED,
        rules.can_follow_up,
        _followers,
        (
            _state("escalate", S.SERVED, S.REPLIED, S.ESCALATED),
            Condition(
                lambda s, today: s.status != S.SERVED or s.is_overdue(today),
                _not_overdue,
                "not_overdue",
            ),
            Condition(
                lambda s, _today: s.status != S.REPLIED or s.adoption != Adoption.ADOPTED,
                _wrong_state("escalate"),
            ),
        ),
    ),
    "close": Move(
        frozenset({S.REPLIED, S.ESCALATED}),
        S.CLOSED,
        rules.can_follow_up,
        _followers,
        (_state("close", S.REPLIED, S.ESCALATED),),
    ),
    # before service; while the chief procurator is deciding it, the decision comes first
    "withdraw": Move(
        frozenset({S.RETURNED, S.APPROVED}),
        S.WITHDRAWN,
        rules.can_follow_up,
        _followers,
        (
            Condition(
                lambda s, _today: s.status != S.PENDING,
                lambda _s: _(
                    "The chief procurator is deciding this suggestion; it can be withdrawn once "
                    "approved or returned."
                ),
                "pending",
            ),
            _state("withdraw", S.RETURNED, S.APPROVED),
        ),
    ),
}
ACTIONS = tuple(MOVES)


def may(action: str, user: User, s: Suggestion) -> bool:
    """Whether ``user`` is one who takes ``action`` (whatever the state)."""
    return MOVES[action].who(user, s)


def state_refusal(action: str, s: Suggestion, today: date | None = None) -> InvalidInput | None:
    """The refusal (422) of ``action`` in the suggestion's state, or None."""
    for condition in MOVES[action].conditions:
        if not condition.holds(s, today):
            return InvalidInput([FieldError(condition.field, condition.code, condition.message(s))])
    return None


def allowed_actions(user: User, s: Suggestion, today: date | None = None) -> list[str]:
    """The actions ``user`` may take on the suggestion now, in the table's order."""
    return [
        action
        for action, move in MOVES.items()
        if move.who(user, s) and state_refusal(action, s, today) is None
    ]


def ensure_may(action: str, user: User, s: Suggestion) -> None:
    """Refuse (403) and audit anyone the table does not let take ``action``."""
    move = MOVES[action]
    if not move.who(user, s):
        record(action=f"suggestion.{action}", actor=user, obj=s, outcome="denied")
        raise NotPermitted(move.refusal())


def check(action: str, user: User, s: Suggestion, today: date | None = None) -> None:
    """``action`` by ``user`` on the suggestion as it is now: NotPermitted (audited) for who may
    not, InvalidInput (422, mostly at ``status``) for the wrong state."""
    ensure_may(action, user, s)
    refusal = state_refusal(action, s, today)
    if refusal is not None:
        raise refusal
