"""Request-wide protections: body size limit and the headers Django does not set itself."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

from courseline.web.core.uploads import request_limit

Handler = Callable[[HttpRequest], HttpResponse]


def too_large_response(request: HttpRequest, limit: int | None = None) -> HttpResponse:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE if limit is None else limit
    body = render_to_string("core/413.html", {"limit": limit}, request=request)
    return HttpResponse(body, status=413)


class RequestSizeLimitMiddleware:
    """Refuse an over-long request body before anything reads it: 413 with a message.

    The limit is ``DATA_UPLOAD_MAX_MEMORY_SIZE`` unless the view was marked with
    ``courseline.web.core.uploads.max_request_bytes`` (file uploads). The check runs once the
    URL is resolved but before any other middleware (CSRF) parses the body. Bodies sent
    without a Content-Length are still capped by Django while reading (RequestDataTooBig),
    which the 400 handler turns into the same 413 page.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = request_limit(view_func)
        if length > limit:
            return too_large_response(request, limit)
        return None


class SecurityHeadersMiddleware:
    """Permissions-Policy, and no caching of any page we render.

    Pages may show case data; a watched or shared device must not keep copies in its cache.
    Static files are served (and cached) by WhiteNoise before this middleware runs.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        response.headers["Cache-Control"] = "no-store"
        response.headers.setdefault("X-Robots-Tag", "noindex, nofollow")
        return response


class HealthCheckMiddleware:
    """Answer /healthz before sessions, authentication and CSRF run.

    A health probe must never read or write a session or set a cookie, even when a client
    sends one; and it should cost one database round trip, not seven.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info == "/healthz":
            from courseline.web.core.views import healthz

            return healthz(request)
        return self.get_response(request)
