"""Shared API pieces: token auth, error bodies, cursor pagination, Idempotency-Key replay."""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import json
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import IntegrityError, transaction
from django.http import Http404, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Schema
from ninja.decorators import decorate_view
from ninja.parser import Parser
from ninja.security import HttpBearer
from ninja.signature.utils import get_typed_signature

from zhichi.accounts.models import IdempotencyRecord
from zhichi.accounts.services import user_for_token
from zhichi.common.errors import FieldError, InvalidInput, NotPermitted
from zhichi.common.validation import printable, text_problem, unsafe_text

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


def error_body(detail: str, errors: list[FieldError] | None = None) -> dict:
    """The API's error body: ``{"detail"}``, with ``errors`` for input refused at fields."""
    body: dict = {"detail": str(detail)}
    if errors is not None:
        body["errors"] = [e.as_dict() for e in errors]
    return body


def json_error(status: int, detail: str, errors: list[FieldError] | None = None) -> JsonResponse:
    return JsonResponse(error_body(detail, errors), status=status)


def _error_response(description: str, schema: str = "ErrorOut") -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
    }


def add_common_errors(schema: dict) -> None:
    """Document the errors every operation can give, whatever its route says (API.md: the
    OpenAPI describes every error): 500 everywhere; 401 behind a token; 422 where there is
    input; 400, 413 and 415 where there is a body."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault("ErrorOut", ErrorOut.model_json_schema())
    components.setdefault("ValidationErrorOut", _validation_schema(components))
    for methods in schema.get("paths", {}).values():
        for operation in methods.values():
            responses = operation.setdefault("responses", {})
            common = {
                500: _error_response(
                    "An unexpected error (logged for the administrators; no details given)."
                )
            }
            if operation.get("security"):
                common[401] = _error_response("No valid API token.")
            body = operation.get("requestBody", {}).get("content", {})
            if body or operation.get("parameters"):
                common[422] = _error_response(
                    "Invalid input, each problem at its field.", "ValidationErrorOut"
                )
            if body:
                common[400] = _error_response("The body cannot be read (not JSON, or broken).")
                common[413] = _error_response("The body is over the size limit.")
                common[415] = _error_response(
                    f"The body is not of the documented content type ({', '.join(sorted(body))})."
                )
            for status, answer in common.items():
                if status not in responses and str(status) not in responses:
                    responses[status] = answer


def _validation_schema(components: dict) -> dict:
    definition = ValidationErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, sub in definition.pop("$defs", {}).items():
        components.setdefault(name, sub)
    return definition


# --- request bodies: JSON only, and no text a record cannot hold (issue 12, item 10) ---------
class BodyRefused(Exception):
    """The body cannot be read at all (refused before any view code runs)."""

    status = 400

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


class UnsupportedMediaType(BodyRefused):
    status = 415


class MalformedBody(BodyRefused):
    status = 400


class InputRefused(InvalidInput):
    """Input the parser refuses before the view (text with NUL, control characters or lone
    surrogates; a body that is not an object): 422 at the field, whatever the route."""


def is_json_type(content_type: str) -> bool:
    media = (content_type or "").split(";")[0].strip().lower()
    return media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    )


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not JSON")  # NaN, Infinity: Python accepts them, JSON does not


class StrictParser(Parser):
    """The API's body and query parser. A JSON-body operation takes only a JSON content type
    (415 otherwise; multipart operations never come here); the body must be UTF-8 JSON (400);
    and no string in the body, the query or a form (keys included) may hold NUL, another C0
    control character than tab and line breaks, or a lone surrogate (422 naming the field).
    Every route gets this: nothing is left for a view to forget."""

    def parse_body(self, request):
        if not is_json_type(request.content_type):
            raise UnsupportedMediaType(
                _("Send the request body as JSON (Content-Type: application/json).")
            )
        try:
            data = json.loads(request.body.decode("utf-8-sig"), parse_constant=_refuse_constant)
        except (UnicodeDecodeError, ValueError, RecursionError):
            raise MalformedBody(
                _("The request body is not valid JSON; check the quotes, commas and brackets.")
            ) from None
        if data is not None and not isinstance(data, dict):
            # every body of this API is an object; ninja would read a list or a number as an
            # object without fields, and an operation whose fields are optional would run
            raise InputRefused(
                [FieldError("body", "type", _("Send a JSON object ({…}) as the body."))],
                detail=_("The request is not valid; nothing was changed."),
            )
        errors = unsafe_text(data)
        if errors:
            raise InputRefused(errors, detail=_("The request is not valid; nothing was changed."))
        return data

    def parse_querydict(self, data, list_fields, request):
        errors: list[FieldError] = []
        for key, values in data.lists():
            name = printable(str(key))
            problem = text_problem(str(key))
            for value in values:
                if problem:
                    break
                text = value if isinstance(value, str) else getattr(value, "name", "") or ""
                problem = text_problem(text)
            if problem:
                errors.append(FieldError(name, *problem))
        if errors:
            raise InputRefused(errors, detail=_("The request is not valid; nothing was changed."))
        return super().parse_querydict(data, list_fields, request)


# --- permission before the body (issue 12, item 10) --------------------------------------------
INPUT_REFUSED = "_zhichi_input_refused"


def mark_input_refused(request) -> None:
    """Called by the API's handlers when the input was refused before the view ran."""
    setattr(request, INPUT_REFUSED, True)


def _path_values(request, values: dict) -> dict:
    match = getattr(request, "resolver_match", None)
    names = match.kwargs.keys() if match is not None else ()
    return {name: values[name] for name in names if name in values}


def checks_first(guard):
    """Decide who may act on a route's object before its body is judged.

    ``guard(request, **path_params)`` raises Http404 for an object the caller may not see and
    NotPermitted (audited, as the service would) for an action the caller may not take. It runs
    first in the view, so a forbidden caller never reaches the service's input checks; and when
    the input is refused before the view (a body of the wrong type, a missing field, bad JSON, a
    wrong content type), it runs then too, so the caller gets its 404 or 403 whatever it sent:
    only a caller allowed to act learns what was wrong with the body.
    """

    def decorate(view):
        @functools.wraps(view)
        def checked(request, *args, **kwargs):
            guard(request, **_path_values(request, kwargs))
            return view(request, *args, **kwargs)

        # ninja reads the parameters' types from the signature; resolve the view's own (string)
        # annotations here, in the view's module, since the wrapper lives in this one
        signature = get_typed_signature(view)
        checked.__signature__ = signature
        whole = {n for n, p in signature.parameters.items() if p.annotation is int}

        def around_run(run):
            operation = getattr(run, "__self__", None)

            @functools.wraps(run)
            def run_guarded(request, *args, **kwargs):
                response = run(request, *args, **kwargs)
                if getattr(request, INPUT_REFUSED, False) and getattr(request, "auth", None):
                    try:
                        # the path as the view would have had it; an id that is no number
                        # names nothing, and its own 422 stands
                        path = {k: int(v) if k in whole else v for k, v in kwargs.items()}
                    except (TypeError, ValueError):
                        return response
                    try:
                        guard(request, **path)
                    except ObjectDoesNotExist:
                        return operation.api.on_exception(request, Http404())
                    except (Http404, NotPermitted) as exc:
                        return operation.api.on_exception(request, exc)
                return response

            return run_guarded

        return decorate_view(around_run)(checked)

    return decorate


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
