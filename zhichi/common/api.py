"""Shared API pieces: error bodies, the strict body parser, the lists' keyset pagination and
what output schemas resolve from (the viewer, values shared by one answer, a record with more).

Token auth and Idempotency-Key replay rest on the accounts' records: `zhichi.accounts.api_auth`."""

from __future__ import annotations

import base64
import binascii
import functools
import json
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from ninja import Field, Schema
from ninja.decorators import decorate_view
from ninja.pagination import PaginationBase, paginate
from ninja.parser import Parser
from ninja.signature.utils import get_typed_signature

from zhichi.common.errors import FieldError, InvalidInput, NotPermitted
from zhichi.common.pagination import in_order
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


# --- lists: one keyset pagination (API.md § Conventions) ------------------------------------
# API.md: ``?limit=`` up to 200; a deployment may lower it (settings.ZHICHI["API_MAX_LIMIT"])
MAX_LIMIT = 200


def clamp_limit(limit: int | None) -> int:
    """The page size: 50 unless asked, and never above the deployment's ``API_MAX_LIMIT``."""
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


class KeysetParams(Schema):
    """Which page of a list: how many items, and after which."""

    limit: int = Field(50, ge=1, le=MAX_LIMIT, description="items a page, at most 200")
    cursor: str | None = Field(
        None, description="the next_cursor of the page before; none for the first page"
    )


class KeysetPagination(PaginationBase):
    """The API's one way to page a list: newest first by id, ``?limit=`` (1 to 200, 50 unless
    asked) and ``?cursor=`` (the ``next_cursor`` of the page before), answered as ``{"items":
    [...], "next_cursor": "..." | null}``, the last page with null. The cursor is the last id
    shown, not an offset, so a row filed while a client pages is neither skipped nor shown twice;
    a cursor that is not one of ours is 422 at ``cursor``.

    An endpoint declares its items once, ``response={200: list[ItemOut], ...}``, decorates the
    view with ``@keyset_paginated()`` (below) and returns its queryset (filtered, not ordered:
    the order is this class's); ninja documents and checks the page as ``Paged<ItemOut>`` and
    validates each row into ``ItemOut``, whose resolvers see the request (``viewer``).
    ``present(request, rows)``, when given, turns a page of rows into what the items resolve
    from: for what is worked out for the whole page at once (which of its cases the viewer may
    see, the criminal-lead flags of its cases), so the queries do not grow with the page."""

    Input = KeysetParams

    class Output(Schema):
        items: list[Any]
        next_cursor: str | None = Field(
            ..., description="pass it as ?cursor= for the next page; null on the last page"
        )

    items_attribute = "items"

    def __init__(self, *, present: Callable[[Any, list], Iterable] | None = None, **kwargs):
        self.present = present
        super().__init__(**kwargs)

    def paginate_queryset(self, queryset, pagination, request, **params):
        size = clamp_limit(pagination.limit)
        try:
            after = decode_cursor(pagination.cursor)
        except ValueError:
            raise InvalidInput(
                [FieldError("cursor", "invalid", _("This cursor is not valid."))]
            ) from None
        page = queryset.order_by("-id")
        if after is not None:
            page = page.filter(id__lt=after)
        # the page's ids first, then only its rows read whole and joined: a searched list reads
        # thousands of matches to keep the newest, and carried every match's whole row and
        # joins into the sort (issue 19: 43 → 17 ms for a name 5,905 of 1,000,000 cases hold)
        ids = list(page.values_list("id", flat=True)[: size + 1])
        next_cursor = encode_cursor(ids[size - 1]) if len(ids) > size else None
        rows = in_order(queryset.filter(id__in=ids[:size]), ids[:size])
        items = list(self.present(request, rows)) if self.present else rows
        return {"items": items, "next_cursor": next_cursor}


def keyset_paginated(*, present: Callable[[Any, list], Iterable] | None = None):
    """How a list endpoint is paginated: ninja's ``@paginate(KeysetPagination, present=...)``,
    with the view's annotations first resolved in the view's own module. The apps' modules
    postpone annotations (``from __future__ import annotations``) and ninja reads the paginated
    wrapper's, which lives in ninja's module, where ``one_of(Stage)`` means nothing.

        @router.get("", response={200: list[CaseListItem], ...})
        @keyset_paginated(present=_flagged)
        def list_cases(request, stage: one_of(Stage) | None = None): return queryset
    """

    def decorate(view):
        view.__signature__ = get_typed_signature(view)
        return paginate(KeysetPagination, present=present)(view)

    return decorate


# --- outputs resolved from records ------------------------------------------------------------
def viewer(context: dict | None):
    """The user an answer is for, in an output schema's ``resolve_*(obj, context)``: ninja passes
    the request in the resolvers' context, and the token's user is ``request.auth``. None outside
    a request (a schema validated by hand)."""
    request = (context or {}).get("request")
    return getattr(request, "auth", None) if request is not None else None


def once(context: dict | None, name: str, compute: Callable[[], Any]) -> Any:
    """A value that every resolver of one answer shares (the holiday calendar, today's date),
    computed once for the request rather than once per item of a list."""
    request = (context or {}).get("request")
    if request is None:
        return compute()
    memo = request.__dict__.setdefault("_zhichi_answer_values", {})
    if name not in memo:
        memo[name] = compute()
    return memo[name]


class Shown:
    """A record with what its answer adds that the record does not hold: what a page of rows was
    found to show (``Shown(case, flags=[...])``), what a service answered beside it (a new
    webhook's one-off secret, a lead's duplicates). An attribute named in ``extra`` is read here,
    any other on the record, so one output schema resolves from both."""

    __slots__ = ("_extra", "_record")

    def __init__(self, record, **extra):
        self._record = record
        self._extra = extra

    def __getattr__(self, name: str):
        extra = object.__getattribute__(self, "_extra")
        if name in extra:
            return extra[name]
        return getattr(object.__getattribute__(self, "_record"), name)

    def __repr__(self) -> str:
        return f"Shown({self._record!r}, {sorted(self._extra)})"


def record_of(obj):
    """The record itself, for code that asks what it is (a workflow's table of moves per kind of
    record): ``obj`` unless it is a ``Shown``."""
    return obj._record if isinstance(obj, Shown) else obj
