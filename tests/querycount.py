"""Counting a request's queries (issue 19, item 3: no N+1 anywhere), shared by the query-count tests.

A page or a list that reads one more query per row it shows (an N+1) shows itself as a statement
run once per row: the same SQL with only its parameters changed. ``shape`` reduces a statement to
that common form (literals and parameter lists replaced by ``?``), so two runs of a request can be
compared statement by statement, and a failure can name the statements that repeat.
"""

from __future__ import annotations

import re
from collections import Counter

from django.db import connection
from django.test.utils import CaptureQueriesContext

# literals the database backends write into the logged SQL: quoted strings, numbers, and the
# lists an ``IN (...)`` holds (their length follows the rows shown, one statement all the same)
_STRING = re.compile(r"'(?:[^']|'')*'")
_NUMBER = re.compile(r"(?<![\w\"])-?\d+(?:\.\d+)?(?![\w\"])")
_LIST = re.compile(r"\((?:\s*\?\s*,)+\s*\?\s*\)")
_PARAM = re.compile(r"%s")
_SPACE = re.compile(r"\s+")


def shape(sql: str) -> str:
    """The statement without its values: two runs of it for different rows read the same."""
    text = _PARAM.sub("?", _STRING.sub("?", sql))
    text = _NUMBER.sub("?", text)
    text = _LIST.sub("(?)", text)
    return _SPACE.sub(" ", text).strip()


def statements(call) -> tuple[object, list[str]]:
    """(what ``call()`` returned, the SQL of every query it ran, in order)."""
    with CaptureQueriesContext(connection) as ctx:
        result = call()
    return result, [q["sql"] for q in ctx.captured_queries]


def _short(sql: str, width: int = 220) -> str:
    return sql if len(sql) <= width else sql[: width - 1] + "…"


def repeated(sqls: list[str]) -> list[tuple[int, str]]:
    """(times, statement) of each statement run more than once, most first."""
    return [(n, s) for s, n in Counter(shape(q) for q in sqls).most_common() if n > 1]


def growth(small: list[str], large: list[str]) -> list[tuple[int, int, str]]:
    """(times with few rows, times with more rows, statement) of each statement whose count
    changed between the two runs, the largest change first."""
    few, many = Counter(shape(q) for q in small), Counter(shape(q) for q in large)
    changed = [(few[s], many[s], s) for s in few.keys() | many.keys() if few[s] != many[s]]
    return sorted(changed, key=lambda row: (-abs(row[1] - row[0]), row[2]))


def flat_failure(label: str, small: list[str], large: list[str], allowance: int = 0) -> str | None:
    """The failure message when ``large`` ran more queries than ``small`` (beyond ``allowance``),
    naming each statement that ran more often; None when the count did not grow."""
    if len(large) - len(small) <= allowance:
        return None
    lines = [
        f"{label}: {len(small)} queries with few rows, {len(large)} with more"
        + (f" (allowed: {allowance} more)" if allowance else "")
        + "; the statements that ran more often (few → more):"
    ]
    lines += [f"  {a} → {b}: {_short(s)}" for a, b, s in growth(small, large)]
    return "\n".join(lines)


def ceiling_failure(label: str, sqls: list[str], ceiling: int) -> str | None:
    """The failure message when a request ran more than ``ceiling`` queries, naming the
    statements it repeated; None within the ceiling."""
    if len(sqls) <= ceiling:
        return None
    lines = [f"{label}: {len(sqls)} queries, more than the ceiling of {ceiling}; repeated:"]
    lines += [f"  ×{n}: {_short(s)}" for n, s in repeated(sqls)] or ["  (none repeated)"]
    return "\n".join(lines)
