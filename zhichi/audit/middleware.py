from __future__ import annotations

from zhichi.audit import context


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = context.bind(
            context.RequestContext(ip=request.META.get("REMOTE_ADDR") or None, path=request.path)
        )
        try:
            return self.get_response(request)
        finally:
            context.unbind(token)
