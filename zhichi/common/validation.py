"""Small typed readers that collect field errors instead of stopping at the first (422 bodies)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from zhichi.common.errors import FieldError, InvalidInput

MAX_AMOUNT = Decimal("999999999999.99")
DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
MONEY_RE = re.compile(r"-?\d+(\.\d+)?")

# Characters no record may hold (item 10 of issue 12): NUL and the other C0 control characters
# except tab, line feed and carriage return (PostgreSQL refuses NUL; the others are invisible and
# break exports), and lone UTF-16 surrogates, which are not characters at all and cannot be
# encoded (SQLite and every file format raise UnicodeEncodeError on them).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
_SURROGATE = re.compile("[\ud800-\udfff]")
MAX_REPORTED = 20  # a body full of bad text gets this many field errors, not thousands


def text_problem(value: str) -> tuple[str, str] | None:
    """``(code, message)`` when ``value`` holds a character no record may hold, else None."""
    if _SURROGATE.search(value):
        return (
            "invalid_character",
            _(
                "This text contains a broken character that cannot be saved. "
                "Retype the text (do not copy it from another program) and try again."
            ),
        )
    if _CONTROL.search(value):
        return (
            "control_character",
            _(
                "This text contains an invisible control character, often copied from another "
                "program. Remove it (retype the text) and try again."
            ),
        )
    return None


def printable(value: str) -> str:
    """``value`` with the characters refused by ``text_problem`` shown as U+FFFD, so a field
    name or a value can be echoed back in an error message."""
    return _SURROGATE.sub("\ufffd", _CONTROL.sub("\ufffd", value))


def unsafe_text(value: Any, path: str = "") -> list[FieldError]:
    """Every string in a parsed JSON document (keys included) that ``text_problem`` refuses,
    each as a FieldError at its dotted path (``claimants.0.name``). Walked without recursion,
    so a deeply nested body cannot exhaust the stack."""
    errors: list[FieldError] = []
    stack: list[tuple[str, Any]] = [(path, value)]
    while stack and len(errors) < MAX_REPORTED:
        where, item = stack.pop()
        if isinstance(item, str):
            problem = text_problem(item)
            if problem:
                errors.append(FieldError(where or "body", *problem))
        elif isinstance(item, dict):
            for key, child in reversed(list(item.items())):
                name = str(key)
                child_path = f"{where}.{printable(name)}" if where else printable(name)
                problem = text_problem(name)
                if problem:
                    errors.append(FieldError(child_path, *problem))
                stack.append((child_path, child))
        elif isinstance(item, (list, tuple)):
            for i in range(len(item) - 1, -1, -1):
                stack.append((f"{where}.{i}" if where else str(i), item[i]))
    return errors[:MAX_REPORTED]


def _shown(value: Any) -> str:
    """A refused value as it may be echoed in a message: short, and printable."""
    return printable(value if isinstance(value, str) else repr(value))[:50]


def _get(data: Any, key: str) -> Any:
    """``data[key]``, or None when ``data`` is not a mapping (the caller reports the shape)."""
    return data.get(key) if isinstance(data, Mapping) else None


class Collector:
    """Reads values out of a plain mapping and remembers every problem with its field path."""

    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def add(self, field: str, code: str, message: str) -> None:
        self.errors.append(FieldError(field, code, str(message)))

    def raise_if_errors(self, detail: str | None = None) -> None:
        """Refuse with every error collected, if any (nothing was saved): the one way a service
        ends its checks. ``detail`` is the sentence above the fields: by default "The record has
        errors; nothing was saved.", "" for the first error's own message."""
        if self.errors:
            raise InvalidInput(
                self.errors,
                detail=_("The record has errors; nothing was saved.") if detail is None else detail,
            )

    def has(self, path: str) -> bool:
        """Whether ``path`` already has an error (so a second message is not added)."""
        return any(e.field == path for e in self.errors)

    def text(
        self, data: dict, key: str, path: str, *, required: bool = False, max_length: int = 200
    ) -> str:
        raw = _get(data, key)
        if raw is None:
            raw = ""
        if not isinstance(raw, str):
            self.add(path, "type", _("Enter text."))
            return ""
        problem = text_problem(raw)
        if problem:
            self.add(path, *problem)
            return ""
        value = raw.strip()
        if required and not value:
            self.add(path, "required", _("This field is required."))
        elif len(value) > max_length:
            self.add(
                path,
                "max_length",
                _("Keep this under %(n)d characters (it has %(got)d).")
                % {"n": max_length, "got": len(value)},
            )
        return value

    def choice(
        self, data: dict, key: str, path: str, choices, *, required: bool = True, default: str = ""
    ) -> str:
        raw = _get(data, key)
        if raw is None or raw == "":
            if required and not default:
                self.add(path, "required", _("Choose one."))
            return default
        valid = {c for c, _label in choices}
        # a dict or a list is not hashable: only text can be one of the choices
        if not isinstance(raw, str) or raw not in valid:
            self.add(
                path,
                "choice",
                _("“%(value)s” is not one of the choices.") % {"value": _shown(raw)},
            )
            return default
        return raw

    def choices(self, data: dict, key: str, path: str, choices) -> list[str]:
        raw = _get(data, key)
        if raw is None or raw == "":
            return []
        if not isinstance(raw, (list, tuple)):
            self.add(path, "type", _("Give a list."))
            return []
        valid = {c for c, _label in choices}
        out: list[str] = []
        for i, item in enumerate(raw):
            if not isinstance(item, str) or item not in valid:
                self.add(
                    f"{path}.{i}",
                    "choice",
                    _("“%(value)s” is not one of the choices.") % {"value": _shown(item)},
                )
            elif item not in out:
                out.append(item)
        return out

    def boolean(self, data: dict, key: str, path: str, *, default: bool = False) -> bool:
        raw = _get(data, key)
        if raw is None:
            return default
        if isinstance(raw, bool):
            return raw
        self.add(path, "type", _("Answer yes or no."))
        return default

    def day(
        self,
        data: dict,
        key: str,
        path: str,
        *,
        required: bool = False,
        not_after: date | None = None,
    ) -> date | None:
        raw = _get(data, key)
        if raw is None or raw == "":
            if required:
                self.add(path, "required", _("Enter a date."))
            return None
        if isinstance(raw, date):
            value = raw
        elif isinstance(raw, str):
            try:
                if not DATE_RE.fullmatch(raw.strip()):
                    raise ValueError(raw)  # only YYYY-MM-DD (API.md), not 20260205 or 2026-W06-4
                value = date.fromisoformat(raw.strip())
            except ValueError:
                self.add(path, "date", _("Enter a date as YYYY-MM-DD."))
                return None
        else:
            self.add(path, "date", _("Enter a date as YYYY-MM-DD."))
            return None
        if value.year < 1900:
            self.add(path, "date_range", _("Enter a date after 1900."))
            return None
        if not_after is not None and value > not_after:
            self.add(path, "future", _("This date cannot be in the future."))
            return None
        return value

    def money(self, data: dict, key: str, path: str, *, required: bool = False) -> Decimal | None:
        raw = _get(data, key)
        if raw is None or raw == "":
            if required:
                self.add(path, "required", _("Enter an amount."))
            return None
        if isinstance(raw, bool) or not isinstance(raw, (str, int, Decimal)):
            self.add(path, "money", _("Enter an amount in yuan, e.g. 12000.00."))
            return None
        try:
            # str() of an int above 4300 digits raises ValueError: that is no amount either
            text = str(raw).strip().replace(",", "")
            if not MONEY_RE.fullmatch(text):
                raise InvalidOperation(text)  # plain decimals only: no 1e3, no NaN
            value = Decimal(text)
        except (InvalidOperation, ValueError):
            self.add(path, "money", _("Enter an amount in yuan, e.g. 12000.00."))
            return None
        if not value.is_finite():
            self.add(path, "money", _("Enter an amount in yuan, e.g. 12000.00."))
            return None
        if value < 0:
            self.add(path, "negative", _("An amount cannot be negative."))
            return None
        if value > MAX_AMOUNT:
            self.add(path, "too_large", _("This amount is too large."))
            return None
        if value != value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP):
            self.add(path, "precision", _("Use at most two decimal places (fen)."))
            return None
        return value.quantize(Decimal("0.01"))

    def whole(
        self, data: dict, key: str, path: str, *, minimum: int = 0, maximum: int = 10_000
    ) -> int | None:
        raw = _get(data, key)
        if raw is None or raw == "":
            return None
        if isinstance(raw, bool) or not isinstance(raw, (int, float, str, Decimal)):
            self.add(path, "integer", _("Enter a whole number."))
            return None
        try:
            value = int(raw) if not isinstance(raw, float) or raw.is_integer() else None
        except (ValueError, OverflowError, ArithmeticError):
            value = None
        if value is None:
            self.add(path, "integer", _("Enter a whole number."))
            return None
        if value < minimum or value > maximum:
            self.add(
                path,
                "range",
                _("Enter a number from %(min)d to %(max)d.") % {"min": minimum, "max": maximum},
            )
            return None
        return value

    def items(self, data: dict, key: str, path: str, *, maximum: int) -> list[Any]:
        raw = _get(data, key)
        if raw is None or raw == "":
            return []
        if not isinstance(raw, (list, tuple)):
            self.add(path, "type", _("Give a list."))
            return []
        if len(raw) > maximum:
            self.add(path, "too_many", _("At most %(n)d entries.") % {"n": maximum})
            return []
        return list(raw)
