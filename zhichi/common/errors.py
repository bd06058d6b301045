"""Errors that services raise and both the pages and the API translate (422, 409, 403)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class FieldError:
    field: str
    code: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "code": self.code, "message": str(self.message)}


class ServiceError(Exception):
    """Base for refusals a user can understand."""


class InvalidInput(ServiceError):
    """The input breaks a rule; nothing was changed. Carries every field error found."""

    def __init__(self, errors: list[FieldError], detail: str = ""):
        self.errors = list(errors)
        self.detail = detail or (str(errors[0].message) if errors else "invalid input")
        super().__init__(self.detail)


def _stale_messages() -> dict[str, str]:
    return {
        "case": _(
            "Someone changed this case since you read it. Here is its current state; try again."
        ),
        "transfer": _(
            "Someone changed this transfer since you read it. Here is its current state; try again."
        ),
        "application": _(
            "Someone changed this application since you read it. Here is its current state; "
            "try again."
        ),
        "suggestion": _(
            "Someone changed this suggestion since you read it. Here is its current state; "
            "try again."
        ),
    }


RECORDS = ("case", "transfer", "application", "suggestion")


class StaleVersion(ServiceError):
    """Someone else changed the record since the caller read it (409 in the API; on a page, back
    to the record with ``message``). ``record`` says which kind of record, so the message names
    it: one of ``RECORDS``."""

    def __init__(self, current_version: int, record: str = "case"):
        if record not in RECORDS:
            raise ValueError(f"unknown record {record!r}; one of {RECORDS}")
        self.current_version = current_version
        self.record = record
        super().__init__(f"stale {record} version; current version is {current_version}")

    @property
    def message(self) -> str:
        """In the reader's language: who changed what, and what to do."""
        return _stale_messages()[self.record]


class NotPermitted(ServiceError, PermissionDenied):
    """The user may see the object but not take this action: 403, with the reason in words.

    It is Django's ``PermissionDenied`` too, so a page lets it through to the 403 page (which
    shows the reason) and no view converts it."""


class RateLimited(ServiceError):
    """Too many requests of one kind by one user in a while (429); try again after a wait."""

    def __init__(self, message: str, retry_after: int):
        self.retry_after = retry_after
        super().__init__(message)
