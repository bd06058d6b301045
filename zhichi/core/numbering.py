"""Number patterns (rule DOC-1: document and case numbers vary locally and are configurable).

A pattern is text with three placeholders: ``{short}`` (the organisation's short name),
``{year}`` and ``{seq}`` (the serial, optionally zero-padded: ``{seq:03d}``, at most
``MAX_SEQ_WIDTH`` wide). It is data typed by an administrator, so it is parsed here and never
handed to ``str.format``: no attribute or index lookups (``{short.__class__}``), no conversions,
no other format specifications (``{seq:>3000000}``), and ``{{``/``}}`` for literal braces.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PLACEHOLDERS = ("short", "year", "seq")
MAX_SEQ_WIDTH = 8
MAX_PATTERN_CHARS = 100
_SEQ_SPEC = re.compile(r"0?([1-8])d|d?")  # widths 1 … MAX_SEQ_WIDTH
_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")


@dataclass(frozen=True)
class PatternProblem:
    code: str  # max_length | no_seq | placeholder | width | brace
    detail: str


@dataclass(frozen=True)
class _Field:
    name: str
    width: int  # 0: as is


def _parse(pattern: str) -> tuple[list[str | _Field], list[PatternProblem]]:
    parts: list[str | _Field] = []
    problems: list[PatternProblem] = []
    pos = 0
    for m in _TOKEN.finditer(pattern):
        if m.start() > pos:
            parts.append(pattern[pos : m.start()])
        pos = m.end()
        token = m.group(0)
        if token in ("{{", "}}"):
            parts.append(token[0])
            continue
        if m.group(1) is None:
            problems.append(PatternProblem("brace", token))
            continue
        name, _colon, spec = m.group(1).partition(":")
        if name not in PLACEHOLDERS:
            problems.append(PatternProblem("placeholder", m.group(1)[:40]))
            continue
        width = 0
        if _colon:
            spec_match = _SEQ_SPEC.fullmatch(spec) if name == "seq" else None
            if spec_match is None:
                problems.append(PatternProblem("placeholder", m.group(1)[:40]))
                continue
            width = int(spec_match.group(1) or 0)
        parts.append(_Field(name, width))
    if pos < len(pattern):
        parts.append(pattern[pos:])
    return parts, problems


def check_pattern(pattern: str) -> list[PatternProblem]:
    """What is wrong with ``pattern``; empty when it may be used."""
    if len(pattern) > MAX_PATTERN_CHARS:
        return [PatternProblem("max_length", str(len(pattern)))]
    parts, problems = _parse(pattern)
    if not problems and not any(isinstance(p, _Field) and p.name == "seq" for p in parts):
        problems.append(PatternProblem("no_seq", ""))
    return problems


def format_number(pattern: str, *, short: str, year: int, seq: int) -> str:
    """The number ``pattern`` gives; ValueError for a pattern ``check_pattern`` refuses."""
    problems = check_pattern(pattern)
    if problems:
        raise ValueError(f"number pattern refused: {problems[0].code}")
    values = {"short": short, "year": str(year)}
    out = []
    for part in _parse(pattern)[0]:
        if isinstance(part, str):
            out.append(part)
        elif part.name == "seq":
            out.append(str(seq).zfill(part.width))
        else:
            out.append(values[part.name])
    return "".join(out)
