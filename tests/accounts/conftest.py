"""Fixtures for the sign-in safety tests: a controllable clock and sign-in attempts from a given
client address."""

from __future__ import annotations

from datetime import datetime, timedelta
from unittest import mock

import pytest
from django.test import Client
from django.utils import timezone

from tests.conftest import PASSWORD

WRONG = "Wrong-passw0rd!"


class Clock:
    """``timezone.now()`` as the test sets it, for this project and for django-axes' own clock
    (the time of a failed attempt, the lock's cool-off)."""

    def __init__(self) -> None:
        self.at: datetime = timezone.now()

    def now(self) -> datetime:
        return self.at

    def advance(self, **delta) -> None:
        self.at += timedelta(**delta)


@pytest.fixture
def clock():
    c = Clock()
    with (
        mock.patch.object(timezone, "now", c.now),
        mock.patch("axes.handlers.proxy.now", c.now),
        mock.patch("axes.attempts.now", c.now),
    ):
        yield c


def client_at(ip: str) -> Client:
    """A browser on the computer with this address."""
    return Client(REMOTE_ADDR=ip, HTTP_ACCEPT_LANGUAGE="en")  # the tests read English texts


def sign_in(client: Client, username: str, password: str = PASSWORD):
    return client.post("/login/", {"username": username, "password": password})


def fail(client: Client, username: str, times: int = 1) -> None:
    for _ in range(times):
        r = sign_in(client, username, WRONG)
        assert r.status_code in (200, 429), r.status_code
