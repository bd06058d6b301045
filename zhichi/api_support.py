"""Shared API pieces: token auth, error bodies, cursor pagination, Idempotency-Key replay."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import Schema
from ninja.security import HttpBearer

from zhichi.accounts.models import IdempotencyRecord
from zhichi.accounts.services import user_for_token


class BearerToken(HttpBearer):
    def authenticate(self, request, token):
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


# --- error bodies (documented in the OpenAPI) --------------------------------------------------
class ErrorOut(Schema):
    detail: str


class FieldErrorOut(Schema):
    field: str
    code: str
    message: str


class ValidationErrorOut(Schema):
    detail: str
    errors: list[FieldErrorOut]


class ConflictOut(Schema):
    detail: str
    current_version: int


READ_ERRORS = {401: ErrorOut, 404: ErrorOut}
WRITE_ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ValidationErrorOut}


# --- cursor pagination ----------------------------------------------------------------------
def clamp_limit(limit: int | None) -> int:
    maximum = settings.ZHICHI["API_MAX_LIMIT"]
    if limit is None:
        return 50
    return max(1, min(int(limit), maximum))


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"id:{last_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int | None:
    """The id after which the next page starts; None for the first page. Bad cursors → ValueError."""
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        text = base64.urlsafe_b64decode(padded.encode()).decode()
        prefix, _sep, value = text.partition(":")
        if prefix != "id":
            raise ValueError
        return int(value)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise ValueError("bad cursor") from None


def keyset_page(queryset, *, limit: int | None, cursor: str | None):
    """Newest first by id; returns (rows, next_cursor)."""
    size = clamp_limit(limit)
    after = decode_cursor(cursor)
    qs = queryset.order_by("-id")
    if after is not None:
        qs = qs.filter(id__lt=after)
    rows = list(qs[: size + 1])
    next_cursor = encode_cursor(rows[size - 1].id) if len(rows) > size else None
    return rows[:size], next_cursor


# --- Idempotency-Key -------------------------------------------------------------------------
class IdempotencyMiddleware:
    """A POST to the API with an Idempotency-Key is answered once; retries get the first answer.

    The key is scoped to the token's user. A key reused for a different request is refused (422);
    a retry while the first request is still running gets 409. Server errors are not kept, so
    the client may retry them.
    """

    header = "HTTP_IDEMPOTENCY_KEY"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = request.META.get(self.header, "").strip()
        if request.method != "POST" or not key or not request.path.startswith("/api/"):
            return self.get_response(request)
        auth = request.META.get("HTTP_AUTHORIZATION", "")
        user = user_for_token(auth[7:].strip()) if auth.lower().startswith("bearer ") else None
        if user is None:
            return self.get_response(request)  # the API answers 401 itself
        if len(key) > 100:
            return _problem(
                422,
                "Idempotency-Key",
                "max_length",
                _("Keep the Idempotency-Key under 100 characters."),
            )
        fingerprint = _fingerprint(request)
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    user=user, key=key, fingerprint=fingerprint
                )
        except IntegrityError:
            previous = IdempotencyRecord.objects.get(user=user, key=key)
            if previous.fingerprint != fingerprint:
                return _problem(
                    422,
                    "Idempotency-Key",
                    "reused",
                    _("This Idempotency-Key was used for a different request."),
                )
            if previous.status_code is None:
                return JsonResponse(
                    {"detail": _("A request with this Idempotency-Key is still being processed.")},
                    status=409,
                )
            response = HttpResponse(
                bytes(previous.body),
                status=previous.status_code,
                content_type=previous.content_type,
            )
            response["Idempotent-Replayed"] = "true"
            return response
        response = self.get_response(request)
        if response.status_code >= 500:
            IdempotencyRecord.objects.filter(pk=record.pk).delete()
        elif "no-store" in response.get("Cache-Control", ""):
            # an answer that must not be kept (e.g. a webhook secret shown once) is not stored:
            # a retry with the key is told the request was done, without the body
            IdempotencyRecord.objects.filter(pk=record.pk).update(
                status_code=response.status_code,
                content_type="application/json",
                body=json.dumps(
                    {"detail": _("Done once already; this answer is not kept. Fetch the result.")}
                ).encode(),
            )
        else:
            IdempotencyRecord.objects.filter(pk=record.pk).update(
                status_code=response.status_code,
                content_type=response.get("Content-Type", "application/json"),
                body=response.content,
            )
        return response


def _fingerprint(request) -> str:
    """What identifies a request for the Idempotency-Key: its path and body. A multipart upload
    is read as parsed fields and files (hashed in chunks), so a large file is never held in
    memory whole (Django refuses ``request.body`` above DATA_UPLOAD_MAX_MEMORY_SIZE)."""
    digest = hashlib.sha256(request.path.encode() + b"\n")
    if request.content_type == "multipart/form-data":
        for name in sorted(request.POST):
            for value in request.POST.getlist(name):
                digest.update(f"{name}={value}\n".encode())
        for name in sorted(request.FILES):
            for upload in request.FILES.getlist(name):
                digest.update(f"{name}:{upload.name}:{upload.size}\n".encode())
                for chunk in upload.chunks():
                    digest.update(chunk)
                upload.seek(0)
    else:
        digest.update(request.body)
    return digest.hexdigest()


def _problem(status: int, field: str, code: str, message: str) -> JsonResponse:
    return JsonResponse(
        {"detail": message, "errors": [{"field": field, "code": code, "message": message}]},
        status=status,
    )
