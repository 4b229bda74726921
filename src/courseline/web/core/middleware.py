"""Request-wide protections: body size limit and the headers Django does not set itself."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

Handler = Callable[[HttpRequest], HttpResponse]


def too_large_response(request: HttpRequest) -> HttpResponse:
    limit_kib = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 1024
    body = render_to_string("core/413.html", {"limit_kib": limit_kib}, request=request)
    return HttpResponse(body, status=413)


class RequestSizeLimitMiddleware:
    """Refuse an over-long request body before anything reads it: 413 with a message.

    Bodies sent without a Content-Length are still capped by Django while reading
    (RequestDataTooBig), which the 400 handler turns into the same 413 page.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            return too_large_response(request)
        return self.get_response(request)


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
