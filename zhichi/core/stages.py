"""The case stages of hierarchical disposal and the moves allowed between them (C3, SP-7)."""

from __future__ import annotations

REVIEW = "review"
PRE_LITIGATION = "pre_litigation"
LITIGATION = "litigation"
POST_LITIGATION = "post_litigation"
CLOSED = "closed"

STAGES = (REVIEW, PRE_LITIGATION, LITIGATION, POST_LITIGATION, CLOSED)

# rule SP-7: review → (mediation first) pre-litigation → litigation → post-litigation → closed.
# A settled mediation goes straight to post-litigation follow-up; any open stage may close
# (withdrawal, death, self-filed, settled). A closed case does not move.
ALLOWED_MOVES: dict[str, frozenset[str]] = {
    REVIEW: frozenset({PRE_LITIGATION, LITIGATION, CLOSED}),
    PRE_LITIGATION: frozenset({LITIGATION, POST_LITIGATION, CLOSED}),
    LITIGATION: frozenset({POST_LITIGATION, CLOSED}),
    POST_LITIGATION: frozenset({CLOSED}),
    CLOSED: frozenset(),
}


def is_allowed(current: str, target: str) -> bool:
    return target in ALLOWED_MOVES.get(current, frozenset())


def allowed_targets(current: str) -> tuple[str, ...]:
    """Targets in workflow order, for buttons and error messages."""
    allowed = ALLOWED_MOVES.get(current, frozenset())
    return tuple(s for s in STAGES if s in allowed)
