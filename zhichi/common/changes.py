"""What an edit changes on a record: the fields whose wanted value differs, with the values
before and after (what the audit row keeps), and setting them."""

from __future__ import annotations

from datetime import date
from typing import Any


def diff(obj, wanted: dict[str, Any]) -> dict[str, list]:
    """``{field: [before, after]}`` for each wanted value that differs from the record's."""
    return {
        name: [getattr(obj, name), value]
        for name, value in wanted.items()
        if getattr(obj, name) != value
    }


def apply(obj, changed: dict[str, list]) -> list[str]:
    """Set the after values of ``diff``'s answer; the names to save."""
    for name, (_before, after) in changed.items():
        setattr(obj, name, after)
    return list(changed)


def plain(changed: dict[str, list]) -> dict[str, list]:
    """``diff``'s answer with dates as ISO text, as an audit row or a timeline event keeps it."""
    return {
        name: [v.isoformat() if isinstance(v, date) else v for v in pair]
        for name, pair in changed.items()
    }
