"""Words, not codes: what the system writes is stored as a code with parameters and put into
words in the reader's language when it is shown (docs/architecture.md, "Words, not codes").

A stored message is ``{"code": "...", "params": {...}}``. The code names a phrase of a
``Vocabulary``; the parameters are values, never sentences: numbers, ISO dates, amounts as
"12000.00", the codes of choices, and names or text a person typed (which stay as typed). The
same row therefore reads in Chinese to one officer and in English to another, on the page and
in the API.

A row written before this rule whose text could not be mapped to a code keeps that text, either
as a plain string or as ``{"text": "..."}``, and is shown as it is (the data migrations say
where).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.utils import formats, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _

log = logging.getLogger(__name__)

# a phrase: a lazy translation with %(name)s placeholders, or a function of the parameters
Phrase = Promise | Callable[["Params"], str]


def message(code: str, **params) -> dict:
    """The stored form of a message: its code and its parameters (JSON values)."""
    return {"code": code, "params": params}


class Params(dict):
    """A message's parameters as a phrase reads them: a missing one reads as a dash instead of
    breaking the page (an old row); ``given`` tells whether a value is there at all."""

    def __missing__(self, key: str) -> str:
        return "—"

    def given(self, key: str) -> bool:
        return self.get(key) not in (None, "")


class Vocabulary:
    """The phrases of one kind of stored message (deadline labels, level reasons ...), by code.

    Higher apps add their own codes (``add``) from ``AppConfig.ready``, as they add timeline
    event labels; a test reads ``codes()`` so that a code without a phrase fails it.
    """

    def __init__(self, what: str, phrases: Mapping[str, Phrase] | None = None) -> None:
        self.what = what
        self._phrases: dict[str, Phrase] = dict(phrases or {})

    def add(self, code: str, phrase: Phrase) -> None:
        self._phrases[code] = phrase

    def update(self, phrases: Mapping[str, Phrase]) -> None:
        self._phrases.update(phrases)

    def phrase(self, code: str) -> Phrase:
        return self._phrases[code]

    def codes(self) -> frozenset[str]:
        return frozenset(self._phrases)

    def __contains__(self, code: object) -> bool:
        return code in self._phrases

    def words(self, stored, **extra) -> str:
        """``stored`` in the active language: a message by its phrase, an old text as it is.

        ``extra`` parameters are added to the stored ones (e.g. a figure the caller knows)."""
        if stored is None or stored == "":
            return ""
        if isinstance(stored, str):
            return stored  # written before codes were stored, and not mappable: kept as it is
        if not isinstance(stored, Mapping):
            return str(stored)
        code = stored.get("code")
        phrase = self._phrases.get(code) if code else None
        if phrase is None:
            if code:
                log.warning("no phrase for %s %r", self.what, code)
            return str(stored.get("text") or "")
        params = Params({**(stored.get("params") or {}), **extra})
        if callable(phrase) and not isinstance(phrase, Promise):
            return str(phrase(params))
        return str(phrase) % params


# --- values inside phrases, in the reader's language ------------------------------------------
def current_language() -> str:
    """The language of this request (or task), to store with what is written in it."""
    return translation.get_language() or settings.LANGUAGE_CODE


def prose_date(value) -> str:
    """A date in a sentence: 2026年11月30日 in Chinese, Nov. 30, 2026 in English (UI.md)."""
    if not value:
        return "—"
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            return value
    return formats.date_format(value, "DATE_FORMAT")


def yuan(value) -> str:
    """An amount in a sentence, without its sign (the phrase says yuan): 12,000.00."""
    try:
        return f"{Decimal(str(value)):,.2f}"
    except (InvalidOperation, ValueError, TypeError):
        return str(value or "—")


def listing(items: Iterable[str]) -> str:
    """Words in a row: 逃匿、转移财产 in Chinese, absconded, transferred assets in English."""
    return _(", ").join(str(i) for i in items)
