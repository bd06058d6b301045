"""Session limits and the access gate (rule R6).

- ``SessionLimitsMiddleware``: a session ends after 30 idle minutes (administrators 15), 12 hours
  after sign-in whatever happens, and at once when the account is disabled. It keeps the
  session's row (``UserSession``, what the security administrator lists) up to date, at most
  once a minute.
- ``AccessGateMiddleware``: a signed-in user who has not yet given the second factor, or whose
  password expired or was reset, reaches only the pages that settle it (marked with
  ``open_before_verified`` or ``open_before_password_change``) and signing out; any other page
  sends them there. The API is not concerned: it takes bearer tokens, never the session.
"""

from __future__ import annotations

import time
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from zhichi.accounts import passwords, sessions, twofactor

# how far along a page is open: before the second factor (sign-in, the set-up of the second
# factor, signing out), or once it is given but before a due password change (that page)
GATE_OPEN = "zhichi_gate_open"
BEFORE_VERIFIED = 2
BEFORE_PASSWORD_CHANGE = 1


def _opened(level: int):
    def mark(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            return view(*args, **kwargs)

        setattr(wrapped, GATE_OPEN, level)
        return wrapped

    return mark


open_before_verified = _opened(BEFORE_VERIFIED)
open_before_verified.__doc__ = "A page a signed-in user reaches before the second factor."
open_before_password_change = _opened(BEFORE_PASSWORD_CHANGE)
open_before_password_change.__doc__ = "A page reached before a due password change."


class SessionLimitsMiddleware:
    KEY = "zhichi_last_seen"
    STARTED = "zhichi_signed_in_at"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            idle_minutes = (
                settings.ZHICHI["ADMIN_SESSION_IDLE_MINUTES"]
                if user.is_admin_role
                else settings.ZHICHI["SESSION_IDLE_MINUTES"]
            )
            last_seen = request.session.get(self.KEY)
            started = request.session.get(self.STARTED)
            if started is None:
                # a session made before the limit was counted from sign-in: from now on
                request.session[self.STARTED] = started = now
            if not user.is_active:
                self._end(request, "disabled")
            elif last_seen and now - last_seen > idle_minutes * 60:
                self._end(request, "idle")
            elif now - started > settings.SESSION_MAX_HOURS * 3600:
                self._end(request, "expired")
            elif not last_seen or now - last_seen > 60:
                # a minute's precision is enough for a 15–30 minute limit, and saves writing the
                # session on every request
                request.session[self.KEY] = now
                sessions.seen(request.session.session_key, timezone.now())
        return self.get_response(request)

    @staticmethod
    def _end(request, reason: str) -> None:
        sessions.ended(request.session.session_key, reason)
        logout(request)


class AccessGateMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or request.path.startswith("/api/"):
            return None
        opened = getattr(view_func, GATE_OPEN, 0)
        if not twofactor.verified(request, user):
            if opened >= BEFORE_VERIFIED:
                return None
            target = twofactor.next_step_url(user)
        elif not passwords.demo_exempt(user) and passwords.password_expired(user):
            if opened >= BEFORE_PASSWORD_CHANGE:
                return None
            target = reverse("accounts:password")
        else:
            return None
        if request.method != "GET":
            # a form sent from a page opened before: nothing is done, the gate's page comes first
            return redirect(target)
        return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
