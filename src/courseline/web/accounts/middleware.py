"""Staff must complete two-factor sign-in before they can reach anything else."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import Resolver404, resolve, reverse

# Views a signed-in but not yet second-factor-verified staff member may reach.
_ALLOWED_UNVERIFIED = frozenset(
    {
        "accounts:two_factor",
        "accounts:two_factor_setup",
        "accounts:logout",
        "exit",
        "healthz",
    }
)


def needs_second_factor(user: object) -> bool:
    """Staff always need a verified second factor, except demo users in demo mode."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_staff_role", False):
        return False
    if settings.DEMO_MODE and getattr(user, "is_demo", False):
        return False
    return not user.is_verified()  # type: ignore[attr-defined]


class RequireTwoFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if needs_second_factor(request.user):
            try:
                name = resolve(request.path_info).view_name
            except Resolver404:
                name = ""
            if name not in _ALLOWED_UNVERIFIED:
                target = reverse("accounts:two_factor")
                if request.method == "GET" and request.path_info != "/":
                    target += "?" + urlencode({"next": request.get_full_path()})
                return HttpResponseRedirect(target)
        return self.get_response(request)
