"""The partner API (API.md): one NinjaAPI that mounts each app's router under /api/v1."""

from __future__ import annotations

import logging

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.db import connection
from django.http import Http404
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from django_tasks import task_backends
from ninja import NinjaAPI, Schema, Status
from ninja.errors import AuthenticationError, HttpError, ValidationError

from zhichi.accounts.api import router as me_router
from zhichi.accounts.api_auth import BearerToken
from zhichi.assistance.api import router as assistance_router
from zhichi.cases.api import router as cases_router
from zhichi.cases.api_disposal import (
    appointments_router,
    approvals_router,
    payments_router,
    visits_router,
)
from zhichi.cases.api_disposal import cases_router as disposal_router
from zhichi.cases.api_parties import router as case_parties_router
from zhichi.common.api import (
    BodyRefused,
    InputRefused,
    StrictParser,
    add_common_errors,
    mark_input_refused,
)
from zhichi.common.errors import InvalidInput, NotPermitted, RateLimited, StaleVersion
from zhichi.common.inputs import field_errors
from zhichi.documents.api import router as documents_router
from zhichi.employers.api import employers_router, joint_actions_router
from zhichi.evidence.api import router as evidence_router
from zhichi.imports.api import router as imports_router
from zhichi.intake.api import router as leads_router
from zhichi.portal.api import router as portal_router
from zhichi.rulebook.api import router as rules_router
from zhichi.stats.api import router as stats_router
from zhichi.stats.api_exports import exports_router
from zhichi.supervision.api import router as supervision_router
from zhichi.transfers.api import router as transfers_router
from zhichi.webhooks.api import router as webhooks_router

logger = logging.getLogger("zhichi.api")


class ZhichiAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        add_common_errors(schema)
        return schema


api = ZhichiAPI(
    title="Zhichi partner API",
    version="1",
    description=(
        "支持 Zhichi — civil support-prosecution collaboration platform. "
        "Authenticate with `Authorization: Bearer <token>` (`manage.py issue_token USERNAME`). "
        "Errors: 401 no valid token; 403 an action your role may not take; 404 an object you may "
        "not see (or that does not exist); 409 a stale `version`; 422 invalid input with "
        "`{detail, errors: [{field, code, message}]}`. Any POST may carry an `Idempotency-Key`. "
        "Every error is JSON `{detail}`: 400 a body that is not JSON, 404 an unknown route, "
        "405 a method the route does not take, 413 a body over the size limit, 415 a body that "
        "is not `application/json` (uploads take `multipart/form-data`), 500 an unexpected error "
        "(logged; no details are given)."
    ),
    auth=BearerToken(),
    urls_namespace="api",
    parser=StrictParser(),
)


@api.exception_handler(ValidationError)
def _validation_error(request, exc: ValidationError):
    mark_input_refused(request)
    errors = [e.as_dict() for e in field_errors(exc.errors)]
    return api.create_response(
        request,
        {"detail": _("The request is not valid; nothing was changed."), "errors": errors},
        status=422,
    )


@api.exception_handler(InvalidInput)
def _invalid_input(request, exc: InvalidInput):
    return api.create_response(
        request,
        {"detail": str(exc.detail), "errors": [e.as_dict() for e in exc.errors]},
        status=422,
    )


@api.exception_handler(StaleVersion)
def _stale(request, exc: StaleVersion):
    return api.create_response(
        request,
        {
            "detail": exc.message,  # names the record: case, transfer, application, suggestion
            "current_version": exc.current_version,
        },
        status=409,
    )


@api.exception_handler(NotPermitted)
def _not_permitted(request, exc: NotPermitted):
    return api.create_response(request, {"detail": str(exc)}, status=403)


@api.exception_handler(RateLimited)
def _rate_limited(request, exc: RateLimited):
    response = api.create_response(request, {"detail": str(exc)}, status=429)
    response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(Http404)
def _not_found(request, exc):
    return api.create_response(request, {"detail": _("Not found.")}, status=404)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return api.create_response(request, {"detail": _("A valid API token is required.")}, status=401)


@api.exception_handler(InputRefused)
def _input_refused(request, exc: InputRefused):
    mark_input_refused(request)
    return _invalid_input(request, exc)


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    # ninja wraps whatever the body parser raised in HttpError(400): answer the parser's reason
    cause = exc.__cause__
    if isinstance(cause, InputRefused):
        return _input_refused(request, cause)
    if isinstance(cause, BodyRefused):
        mark_input_refused(request)
        return api.create_response(request, {"detail": cause.message}, status=cause.status)
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


@api.exception_handler(RequestDataTooBig)
def _too_big(request, exc):
    return api.create_response(
        request,
        {"detail": _("The request is too large; nothing was changed.")},
        status=413,
    )


@api.exception_handler(SuspiciousOperation)
def _bad_request(request, exc):
    # e.g. too many form fields; the reason is logged by Django's security logger
    return api.create_response(
        request, {"detail": _("The request could not be read; nothing was changed.")}, status=400
    )


@api.exception_handler(MultiPartParserError)
def _bad_multipart(request, exc):
    return api.create_response(
        request,
        {"detail": _("The uploaded form could not be read; send it again as multipart/form-data.")},
        status=400,
    )


@api.exception_handler(Exception)
def _unexpected(request, exc):
    """Anything else is our fault: log the traceback, answer JSON without details (never a
    stack trace)."""
    logger.exception("Unexpected error answering %s %s", request.method, request.path)
    return api.create_response(
        request,
        {
            "detail": _(
                "Something went wrong on our side; the error has been logged. "
                "Please try again later or contact the administrator."
            )
        },
        status=500,
    )


class HealthOut(Schema):
    status: str
    database: str
    tasks: str


@api.get("/health", auth=None, response={200: HealthOut, 503: HealthOut}, tags=["system"])
def health(request):
    """Liveness and readiness: the database answers and the task backend is configured."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database = "ok"
    except Exception:
        database = "error"
    try:
        task_backends["default"]
        tasks = "ok"
    except Exception:
        tasks = "error"
    ok = database == "ok" and tasks == "ok"
    body = {"status": "ok" if ok else "error", "database": database, "tasks": tasks}
    return Status(200 if ok else 503, body)


api.add_router("/me", me_router, tags=["system"])
api.add_router("/leads", leads_router, tags=["leads"])
api.add_router("/imports", imports_router, tags=["imports"])
api.add_router("/cases", cases_router, tags=["cases"])
api.add_router("/cases", disposal_router, tags=["disposal"])
api.add_router("/cases", case_parties_router, tags=["cases"])
api.add_router("/approvals", approvals_router, tags=["disposal"])
api.add_router("/visits", visits_router, tags=["disposal"])
api.add_router("/payments", payments_router, tags=["disposal"])
api.add_router("/mediation-appointments", appointments_router, tags=["disposal"])
api.add_router("/rules", rules_router, tags=["rules"])
api.add_router("/", transfers_router, tags=["transfers"])
api.add_router("/", evidence_router, tags=["evidence"])
api.add_router("/webhooks", webhooks_router, tags=["webhooks"])
api.add_router("/joint-actions", joint_actions_router, tags=["joint actions"])
api.add_router("/employers", employers_router, tags=["employers"])
api.add_router("/", assistance_router, tags=["judicial assistance and legal aid"])
api.add_router("/", supervision_router, tags=["legal supervision"])
api.add_router("/", documents_router, tags=["documents"])
api.add_router("/", portal_router, tags=["leads"])
api.add_router("/stats", stats_router, tags=["statistics"])
api.add_router("/exports", exports_router, tags=["statistics"])
