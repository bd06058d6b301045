"""What every request passes before any view, and what every error answer looks like.

Issue 12, item 10: a body over the size limit is refused (413) before it is read; a path with a
control character finds nothing (404); on the pages, a query or form value holding NUL, another
C0 control character than tab and line breaks, or a lone surrogate is refused (400, naming the
field) before any view sees it. The API checks its own bodies in its parser (``StrictParser``),
after the token, so an unauthorised caller gets its 401/403/404 whatever it sent.

Under /api/ every error is JSON ``{"detail"}``: the routes' own answers already are, and this
middleware turns the rest (405 from the router, 404 for an unknown route, Django's 400/500
pages) into JSON too. The pages get our own error pages, never Django's.

Rule R7 ("every denial"): a 404 on an object route (a route with an id in its path, e.g.
/cases/999999/ or /api/v1/cases/999999) writes one audit row ``access.not_found`` after the view
has finished, outside any transaction the view opened, so a rollback cannot take it away.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import BadRequest, RequestDataTooBig, SuspiciousOperation
from django.http import JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.utils.translation import gettext as _

from zhichi.audit.models import Outcome
from zhichi.audit.services import record
from zhichi.common.validation import printable, text_problem

logger = logging.getLogger("zhichi.requests")

API_PREFIX = "/api/"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
NOT_FOUND_ACTION = "access.not_found"


def is_api(request) -> bool:
    return request.path_info.startswith(API_PREFIX)


# path prefix → the largest file an upload there may carry (bytes), for the few places that take
# more than an evidence file (a labour bureau's list: ZHICHI_IMPORT_MAX_MB); apps add theirs
LARGE_UPLOADS: dict[str, Callable[[], int]] = {}


def body_limit(request) -> int:
    """The largest body taken: an upload may carry one file up to ZHICHI_MAX_UPLOAD_MB (or a
    ``LARGE_UPLOADS`` path's own limit) beside its form fields; anything else (JSON, forms) up
    to DATA_UPLOAD_MAX_MEMORY_SIZE."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if request.content_type == "multipart/form-data":
        for prefix, largest in LARGE_UPLOADS.items():
            if request.path_info.startswith(prefix):
                return largest() + limit
        return settings.ZHICHI["MAX_UPLOAD_BYTES"] + limit
    return limit


def _messages() -> dict[int, str]:
    return {
        400: _("The request could not be read; nothing was changed."),
        401: _("A valid API token is required."),
        403: _("You may not do this."),
        404: _("Not found."),
        405: _("This method is not allowed here."),
        413: _("The request is too large; nothing was changed."),
        415: _("This content type is not accepted here."),
        429: _("Too many requests; wait a little and try again."),
        500: _(
            "Something went wrong on our side; the error has been logged. "
            "Please try again later or contact the administrator."
        ),
    }


def error_answer(request, status: int, *, detail: str = "", context: dict | None = None):
    """The error for ``status``: JSON ``{"detail"}`` under /api/, our own page elsewhere."""
    if is_api(request):
        return JsonResponse(
            {"detail": detail or _messages().get(status, _("Error."))}, status=status
        )
    template = f"{status}.html" if status in (400, 403, 404, 413, 500) else "400.html"
    return render(request, template, {"detail": detail, **(context or {})}, status=status)


def _too_large(request):
    megabytes = max(1, body_limit(request) // (1024 * 1024))
    return error_answer(
        request,
        413,
        detail=_("The request is too large (at most %(mb)d MB); nothing was changed.")
        % {"mb": megabytes},
        context={"limit_mb": megabytes},
    )


def _bad_field(request, name: str):
    return error_answer(
        request,
        400,
        detail=_(
            "The field “%(field)s” contains an invisible control character or a broken "
            "character, often copied from another program. Nothing was saved."
        )
        % {"field": printable(name)[:80]},
        context={"field": printable(name)[:80]},
    )


def _first_bad_field(querydict) -> str | None:
    for key, values in querydict.lists():
        if text_problem(str(key)):
            return str(key)
        for value in values:
            text = value if isinstance(value, str) else getattr(value, "name", "") or ""
            if text_problem(text):
                return str(key)
    return None


class RequestGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self._refusal(request) or self.get_response(request)
        if response.status_code == 404:
            audit_not_found(request)
        if is_api(request):
            response = _as_json(request, response)
        return response

    def _refusal(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # Django reads no body then either
        if length > body_limit(request):
            return _too_large(request)
        if text_problem(request.path_info):
            return error_answer(request, 404)
        if is_api(request):
            return None  # the API's parser checks what each operation reads
        bad = _first_bad_field(request.GET)
        if bad is None and request.method == "POST" and request.content_type in FORM_TYPES:
            try:
                bad = _first_bad_field(request.POST) or _first_bad_field(request.FILES)
            except RequestDataTooBig:
                return _too_large(request)
            except (SuspiciousOperation, MultiPartParserError, BadRequest):
                logger.warning("Unreadable form on %s", request.path, exc_info=True)
                return error_answer(request, 400)
        return _bad_field(request, bad) if bad is not None else None


def audit_not_found(request) -> None:
    """One ``access.not_found`` row for a 404 on an object route (rule R7: every denial)."""
    match = getattr(request, "resolver_match", None)
    if match is None or not match.kwargs or getattr(request, "_zhichi_not_found_audited", False):
        return
    request._zhichi_not_found_audited = True
    user = getattr(request, "auth", None) or getattr(request, "user", None)
    first = next(iter(match.kwargs.values()))
    try:
        record(
            action=NOT_FOUND_ACTION,
            actor=user,
            object_type=(match.view_name or "")[:64],
            object_id=printable(str(first))[:64],
            outcome=Outcome.DENIED,
            detail={"path": printable(request.path)[:500], "method": request.method},
        )
    except Exception:
        # the answer stands even if the trail cannot be written; the failure is logged
        logger.exception("Could not audit a 404 on %s", request.path)


def _as_json(request, response):
    """An API error that is not JSON yet (405 from the router, Django's own pages) as JSON."""
    if response.status_code < 400 or response.streaming:
        return response
    if response.get("Content-Type", "").startswith("application/json"):
        return response
    detail = _messages().get(response.status_code, _("Error."))
    if response.status_code == 405 and response.get("Allow"):
        detail = _("This method is not allowed here; use %(methods)s.") % {
            "methods": response["Allow"]
        }
    answer = JsonResponse({"detail": detail}, status=response.status_code)
    for header in ("Allow", "Retry-After", "WWW-Authenticate"):
        if response.has_header(header):
            answer[header] = response[header]
    return answer
