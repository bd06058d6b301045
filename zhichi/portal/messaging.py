"""Text messages to the people who applied through the portal (issue 18 item 6): one pluggable
backend, named by ``ZHICHI_SMS_BACKEND`` (a dotted path to a class; empty: no texts are sent).

The interface a real gateway implements
---------------------------------------
A backend is a class built without arguments, with one method::

    def send(self, *, phone: str, text: str) -> None

``phone`` is the person's mobile number as they typed it (11 digits); ``text`` is the whole
message, already in the person's language and starting with the sender tag (e.g. 【支持】).
``send`` returns once the gateway has taken the message, or raises ``SendFailed(code)``: a short
code of at most 40 characters (e.g. ``"rejected"``, ``"no_answer"``, ``"quota"``) that is kept
on the notice for the staff to see. It never raises anything else for a failure of the gateway:
the task that calls it counts any other exception as a failure too, but loses its meaning.

A gateway (a provincial government SMS platform, a carrier's) bills and splits by segment: at
most 70 Chinese characters per segment, so the texts are kept short (``wording.sms_text``). A text
carries nothing beyond what the person already knows: the step reached, a date, an amount, where
to look; never a name, an ID number, a case number or anything typed by the staff. The backend
must not log the whole phone number nor keep the text longer than the gateway needs to.

``ConsoleBackend`` (the default) writes each text to the log with the phone masked; tests use
``MemoryBackend``.
"""

from __future__ import annotations

import logging
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from zhichi.core.identifiers import mask_phone

logger = logging.getLogger("zhichi.portal.sms")

CODE_LENGTH = 40  # Notice.sms_error


class SendFailed(Exception):
    """The gateway did not take the text; ``code`` says why in a few characters."""

    def __init__(self, code: str) -> None:
        self.code = (code or "failed")[:CODE_LENGTH]
        super().__init__(self.code)


class MessageBackend(Protocol):
    def send(self, *, phone: str, text: str) -> None:
        """Hand ``text`` to the gateway for ``phone``, or raise ``SendFailed(code)``."""


class ConsoleBackend:
    """Writes each text to the log ``zhichi.portal.sms``; the phone shows only its first 3 and
    last 4 digits (rule ID-3)."""

    def send(self, *, phone: str, text: str) -> None:
        logger.info("text to %s: %s", mask_phone(phone), text)


# what MemoryBackend sent, in order: (phone, text); tests empty it
outbox: list[tuple[str, str]] = []


class MemoryBackend:
    """Keeps each text in ``outbox`` (for tests)."""

    def send(self, *, phone: str, text: str) -> None:
        outbox.append((phone, text))


def configured() -> bool:
    """Whether texts are sent at all (``ZHICHI_SMS_BACKEND`` is not empty)."""
    return bool(settings.ZHICHI.get("SMS_BACKEND"))


def check_configuration() -> None:
    """A backend path that names nothing stops start-up, not the first text (ImportError)."""
    path = settings.ZHICHI.get("SMS_BACKEND")
    if path:
        import_string(path)


def backend() -> MessageBackend | None:
    """The configured backend, or None when no texts are sent."""
    path = settings.ZHICHI.get("SMS_BACKEND")
    return import_string(path)() if path else None
