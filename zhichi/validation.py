"""Small typed readers that collect field errors instead of stopping at the first (422 bodies)."""

from __future__ import annotations

import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from zhichi.errors import FieldError

MAX_AMOUNT = Decimal("999999999999.99")
DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
MONEY_RE = re.compile(r"-?\d+(\.\d+)?")


class Collector:
    """Reads values out of a plain mapping and remembers every problem with its field path."""

    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def add(self, field: str, code: str, message: str) -> None:
        self.errors.append(FieldError(field, code, str(message)))

    def has(self, path: str) -> bool:
        """Whether ``path`` already has an error (so a second message is not added)."""
        return any(e.field == path for e in self.errors)

    def text(
        self, data: dict, key: str, path: str, *, required: bool = False, max_length: int = 200
    ) -> str:
        raw = data.get(key)
        if raw is None:
            raw = ""
        if not isinstance(raw, str):
            self.add(path, "type", _("Enter text."))
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
        raw = data.get(key)
        if raw in (None, ""):
            if required and not default:
                self.add(path, "required", _("Choose one."))
            return default
        valid = {c for c, _label in choices}
        if raw not in valid:
            self.add(
                path,
                "choice",
                _("“%(value)s” is not one of the choices.") % {"value": str(raw)[:50]},
            )
            return default
        return raw

    def choices(self, data: dict, key: str, path: str, choices) -> list[str]:
        raw = data.get(key)
        if raw in (None, ""):
            return []
        if not isinstance(raw, (list, tuple)):
            self.add(path, "type", _("Give a list."))
            return []
        valid = {c for c, _label in choices}
        out: list[str] = []
        for i, item in enumerate(raw):
            if item not in valid:
                self.add(
                    f"{path}.{i}",
                    "choice",
                    _("“%(value)s” is not one of the choices.") % {"value": str(item)[:50]},
                )
            elif item not in out:
                out.append(item)
        return out

    def boolean(self, data: dict, key: str, path: str, *, default: bool = False) -> bool:
        raw = data.get(key, default)
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
        raw = data.get(key)
        if raw in (None, ""):
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
        raw = data.get(key)
        if raw in (None, ""):
            if required:
                self.add(path, "required", _("Enter an amount."))
            return None
        if isinstance(raw, bool) or not isinstance(raw, (str, int, Decimal)):
            self.add(path, "money", _("Enter an amount in yuan, e.g. 12000.00."))
            return None
        text = str(raw).strip().replace(",", "")
        try:
            if not MONEY_RE.fullmatch(text):
                raise InvalidOperation(text)  # plain decimals only: no 1e3, no NaN
            value = Decimal(text)
        except InvalidOperation:
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
        raw = data.get(key)
        if raw in (None, ""):
            return None
        if isinstance(raw, bool):
            self.add(path, "integer", _("Enter a whole number."))
            return None
        try:
            value = int(raw) if not isinstance(raw, float) or raw.is_integer() else None
        except (TypeError, ValueError):
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
        raw = data.get(key)
        if raw in (None, ""):
            return []
        if not isinstance(raw, (list, tuple)):
            self.add(path, "type", _("Give a list."))
            return []
        if len(raw) > maximum:
            self.add(path, "too_many", _("At most %(n)d entries.") % {"n": maximum})
            return []
        return list(raw)
