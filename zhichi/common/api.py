"""Shared API pieces: error bodies, the strict body parser, cursor pagination.

Token auth and Idempotency-Key replay rest on the accounts' records: `zhichi.accounts.api_auth`."""

from __future__ import annotations

import base64
import binascii
import functools
import json

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from ninja import Schema
from ninja.decorators import decorate_view
from ninja.parser import Parser
from ninja.signature.utils import get_typed_signature

from zhichi.common.errors import FieldError, InvalidInput, NotPermitted
from zhichi.common.validation import printable, text_problem, unsafe_text


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
    """409: the record changed since the client read it (``current_version`` is its version now),
    or a request with the same Idempotency-Key is still running (no version)."""

    detail: str
    current_version: int | None = None


READ_ERRORS = {401: ErrorOut, 404: ErrorOut}
WRITE_ERRORS = {
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ConflictOut,
    422: ValidationErrorOut,
}


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
