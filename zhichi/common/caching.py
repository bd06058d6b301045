"""No page of ours is kept by a cache (rule R12: ``no-store`` on every page with personal data).

Every answer the application itself makes (pages, fragments, API answers, downloads, error
pages) is private to its reader and may hold names, identifiers or case facts, so each one that
does not say otherwise gets Django's never-cache headers (``Cache-Control: max-age=0, no-cache,
no-store, must-revalidate, private``). The static files are served by WhiteNoise before this
middleware and keep their long cache lives. The one place this is decided: views do not repeat
it.
"""

from __future__ import annotations

from django.utils.cache import add_never_cache_headers


class NoStoreMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            add_never_cache_headers(response)
        return response
