"""API access by bearer token, and Idempotency-Key replay: the API pieces that rest on the
accounts' records (API tokens, idempotency records)."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.security import HttpBearer

from zhichi.accounts.models import IdempotencyRecord
from zhichi.accounts.services import user_for_token
from zhichi.common.validation import text_problem

# the (raw token, user) the Idempotency-Key middleware already resolved for this request
_RESOLVED_TOKEN = "_zhichi_resolved_token"  # noqa: S105 - an attribute name, not a secret


def _token_user(request, raw: str):
    """The user of bearer token ``raw``, looked up once per request."""
    resolved = getattr(request, _RESOLVED_TOKEN, None)
    if resolved is not None and resolved[0] == raw:  # the same header, read twice
        return resolved[1]
    user = user_for_token(raw)
    setattr(request, _RESOLVED_TOKEN, (raw, user))
    return user


class BearerToken(HttpBearer):
    def authenticate(self, request, token):
        user = _token_user(request, token)
        if user is not None:
            request.user = user
        return user


# --- error bodies (documented in the OpenAPI) --------------------------------------------------


# --- Idempotency-Key -------------------------------------------------------------------------
class IdempotencyMiddleware:
    """A POST to the API with an Idempotency-Key is answered once; retries get the first answer.

    The key is scoped to the token's user. A key reused for a different request is refused (422);
    a retry while the first request is still running gets 409. Server errors are not kept, so
    the client may retry them. An answer is kept ``ZHICHI_IDEMPOTENCY_HOURS`` (default 24): the
    daily housekeeping deletes older records, and a key older than that is a new request.
    """

    header = "HTTP_IDEMPOTENCY_KEY"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = request.META.get(self.header, "").strip()
        if request.method != "POST" or not key or not request.path.startswith("/api/"):
            return self.get_response(request)
        auth = request.META.get("HTTP_AUTHORIZATION", "")
        user = (
            _token_user(request, auth[7:].strip()) if auth.lower().startswith("bearer ") else None
        )
        if user is None:
            return self.get_response(request)  # the API answers 401 itself
        problem = text_problem(key)
        if problem:
            return _problem(422, "Idempotency-Key", *problem)
        if len(key) > 100:
            return _problem(
                422,
                "Idempotency-Key",
                "max_length",
                _("Keep the Idempotency-Key under 100 characters."),
            )
        fingerprint = _fingerprint(request)
        record, previous = _claim(user, key, fingerprint)
        if previous is not None:
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


def idempotency_cutoff(now=None):
    """Records created before this are expired: pruned, and their key is free again."""
    return (now or timezone.now()) - timedelta(hours=settings.ZHICHI["IDEMPOTENCY_HOURS"])


def purge_idempotency_records(now=None) -> int:
    """Delete the Idempotency-Key records older than ``ZHICHI_IDEMPOTENCY_HOURS`` (they hold
    whole answers, names included). Part of the daily housekeeping; returns how many."""
    _total, per_model = IdempotencyRecord.objects.filter(
        created_at__lt=idempotency_cutoff(now)
    ).delete()
    return per_model.get(IdempotencyRecord._meta.label, 0)


def _claim(user, key: str, fingerprint: str):
    """(new record, None) when this request is the key's first (or its record had expired);
    (None, previous record) for a retry. An expired record is dropped and the key claimed anew."""
    for _attempt in range(3):
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    user=user, key=key, fingerprint=fingerprint
                )
            return record, None
        except IntegrityError:
            previous = IdempotencyRecord.objects.filter(user=user, key=key).first()
            if previous is None:
                continue  # pruned meanwhile: claim it again
            if previous.created_at >= idempotency_cutoff():
                return None, previous
            # expired (not pruned yet): a new request; only one concurrent retry deletes it
            IdempotencyRecord.objects.filter(
                pk=previous.pk, created_at__lt=idempotency_cutoff()
            ).delete()
    return None, IdempotencyRecord.objects.get(user=user, key=key)


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
