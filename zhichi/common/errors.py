"""Errors that services raise and both the pages and the API translate (422, 409, 403)."""

from __future__ import annotations

from dataclasses import dataclass


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


class StaleVersion(ServiceError):
    """Someone else changed the object since the caller read it (409)."""

    def __init__(self, current_version: int):
        self.current_version = current_version
        super().__init__(f"stale version; current version is {current_version}")


class NotPermitted(ServiceError):
    """The user may see the object but not take this action (403)."""


class RateLimited(ServiceError):
    """Too many requests of one kind by one user in a while (429); try again after a wait."""

    def __init__(self, message: str, retry_after: int):
        self.retry_after = retry_after
        super().__init__(message)
