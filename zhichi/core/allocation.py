"""Splitting money paid on the spot over the people it is owed to (C8, joint actions).

Pure Python (stdlib only). ``allocate`` shares a lump sum over claimants in proportion to what
each is still owed, to the fen, by the largest-remainder method: every part is first rounded
down, and the fen left over go one each to the parts that lost the most in rounding. So the parts
add up to the total exactly, no part differs from its exact proportional share by a whole fen or
more, and nobody receives more than they are owed. A total above everything owed is refused: the
surplus belongs to nobody on the list, so the caller must say where it went.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from decimal import Decimal
from typing import TypeVar

__all__ = ["AllocationError", "allocate"]

K = TypeVar("K", bound=Hashable)

_FEN = Decimal("0.01")


class AllocationError(ValueError):
    """The input cannot be allocated. ``code`` is stable for programs: ``negative``,
    ``precision`` (more than two decimals), ``type`` (not a finite Decimal) or
    ``more_than_owed``."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _fen(value: Decimal, name: str) -> int:
    if not isinstance(value, Decimal) or not value.is_finite():
        raise AllocationError("type", f"{name} must be a finite Decimal, not {value!r}")
    if value < 0:
        raise AllocationError("negative", f"{name} cannot be negative")
    if value != value.quantize(_FEN):
        raise AllocationError("precision", f"{name} has more than two decimal places")
    return int(value * 100)


def allocate(total: Decimal, owed: Mapping[K, Decimal]) -> dict[K, Decimal]:
    """Each key's part of ``total``, in proportion to ``owed`` (yuan, at most two decimals).

    Every key of ``owed`` is in the answer, in the same order; keys owed nothing get 0.00.
    Ties in the remainders go to the key listed first, so the answer is deterministic.
    Raises ``AllocationError`` for a negative amount, more than two decimals, or a total above
    the sum owed.
    """
    total_fen = _fen(total, "total")
    owed_fen = {key: _fen(amount, f"owed[{key!r}]") for key, amount in owed.items()}
    whole = sum(owed_fen.values())
    if total_fen > whole:
        raise AllocationError(
            "more_than_owed",
            f"the total {total} is more than is owed altogether ({Decimal(whole) / 100:.2f})",
        )
    if total_fen == 0:
        return {key: Decimal("0.00") for key in owed_fen}
    parts: dict[K, int] = {}
    remainders: list[tuple[int, int, K]] = []
    for position, (key, fen) in enumerate(owed_fen.items()):
        part, remainder = divmod(total_fen * fen, whole)
        parts[key] = part
        remainders.append((-remainder, position, key))
    left = total_fen - sum(parts.values())
    # fewer fen are left than parts with a remainder (the fractions add up to ``left``, each
    # below one), so a fen never goes to a part that was exact, nor lifts one above its debt
    for _remainder, _position, key in sorted(remainders)[:left]:
        parts[key] += 1
    return {key: (Decimal(part) / 100).quantize(_FEN) for key, part in parts.items()}
