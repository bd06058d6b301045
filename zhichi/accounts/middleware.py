"""Idle and absolute session limits (rule R6); a disabled account loses its session at once."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import logout


class SessionLimitsMiddleware:
    KEY = "zhichi_last_seen"

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
            if not user.is_active or (last_seen and now - last_seen > idle_minutes * 60):
                logout(request)
            elif not last_seen or now - last_seen > 60:
                # a minute's precision is enough for a 15–30 minute limit, and saves writing the
                # session on every request
                request.session[self.KEY] = now
        return self.get_response(request)
