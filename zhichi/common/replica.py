"""The statistics and the lists read from a PostgreSQL read replica (a streaming standby).

With ``ZHICHI_REPLICA_DATABASE_URL`` set, the settings add the database alias ``replica``, the
router and the middleware below (docs/deployment.md, docs/decisions/0007-scale-out.md). A read
goes to the replica only when all of these hold, and to the primary (``default``) otherwise:

- the request is a GET or HEAD of a view named in ``settings.ZHICHI_REPLICA_VIEWS``: the pages
  whose readers can bear figures a moment old. No view needs to know: the names are in one list;
- the client wrote nothing in the last ``ZHICHI_REPLICA_PIN_SECONDS`` (the cookie its write was
  answered with): a standby lags its primary by a moment, and whoever has just filed a case
  expects to find it in the list;
- the request itself has written nothing yet (it reads its own writes);
- no transaction is open on the primary: what a transaction reads, it may lock or write back;
- the model is not one of those that say who is asking (sessions, accounts and tokens, sign-in
  locks, second factors, permissions): a disabled user or an ended session ends at once, not a
  moment later on a standby that has not heard of it yet.

Writes always go to the primary, and the replica is never migrated. Outside a request (a task
worker, a command) everything reads from the primary.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"
# set on the answer to a request that wrote: the client's next pages read from the primary
PIN_COOKIE = "zhichi_primary"
READ_METHODS = frozenset({"GET", "HEAD"})
# who is asking, and the tables that say what they may do: always read from the primary
PRIMARY_ONLY_APPS = frozenset(
    {"sessions", "auth", "contenttypes", "accounts", "axes", "otp_totp", "otp_static"}
)


@dataclass
class _Request:
    may_read_replica: bool = False
    wrote: bool = False


_current: ContextVar[_Request | None] = ContextVar("zhichi_replica_request", default=None)


def reads_from_replica(model) -> bool:
    """Whether a read of ``model`` made now goes to the replica (the router's decision)."""
    state = _current.get()
    return (
        state is not None
        and state.may_read_replica
        and not state.wrote
        and model._meta.app_label not in PRIMARY_ONLY_APPS
        and not connections[DEFAULT_DB_ALIAS].in_atomic_block
    )


class ReplicaRouter:
    """``DATABASE_ROUTERS``: reads as the module says, every write to the primary."""

    def db_for_read(self, model, **hints):
        return REPLICA if reads_from_replica(model) else DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        state = _current.get()
        if state is not None and model._meta.app_label not in PRIMARY_ONLY_APPS:
            # a session saved or a token's last use noted is not the client's data: the
            # statistics and the lists do not change with it
            state.wrote = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # the replica holds the primary's rows: an object read from one may point to the other's
        if {obj1._state.db, obj2._state.db} <= {DEFAULT_DB_ALIAS, REPLICA}:
            return True
        return None

    def allow_migrate(self, db, app_label, **hints):
        # a standby follows its primary's schema; it is read-only and never migrated itself
        return False if db == REPLICA else None


class ReplicaMiddleware:
    """Decides, once the view is known, whether the request's reads may go to the replica,
    notes whether it wrote, and pins a client that wrote to the primary for a few seconds.
    First in ``MIDDLEWARE``, so that the writes of every other middleware are seen too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        state = _Request()
        token = _current.set(state)
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        pin = settings.ZHICHI_REPLICA_PIN_SECONDS
        if state.wrote and pin:
            response.set_cookie(
                PIN_COOKIE,
                "1",
                max_age=pin,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        state = _current.get()
        if state is not None:
            state.may_read_replica = (
                request.method in READ_METHODS
                and request.resolver_match.view_name in settings.ZHICHI_REPLICA_VIEWS
                and PIN_COOKIE not in request.COOKIES
            )
