"""Who is asking and from where, for the audit trail, without threading the request through."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    ip: str | None = None
    path: str = ""


_EMPTY = RequestContext()
_current: ContextVar[RequestContext | None] = ContextVar("zhichi_request", default=None)


def current() -> RequestContext:
    return _current.get() or _EMPTY


def bind(ctx: RequestContext):
    return _current.set(ctx)


def unbind(token) -> None:
    _current.reset(token)
