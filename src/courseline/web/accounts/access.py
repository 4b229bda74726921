"""Who may reach which pages: role checks used by every staff and portal view."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import get_object_or_404

from courseline.web.accounts.models import Role, User

View = Callable[..., HttpResponseBase]


class AuthedRequest(HttpRequest):
    """A request behind role_required: the user is signed in, so it is a real User."""

    user: User


def role_required(*roles: Role) -> Callable[[View], View]:
    """Allow only signed-in, active users holding one of ``roles``; everyone else gets 403.

    Sign-in itself is enforced by LoginRequiredMiddleware (deny by default) before this runs.
    """
    allowed = frozenset(roles)

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            user = request.user
            if not user.is_authenticated or not user.is_active or user.role not in allowed:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.allowed_roles = allowed  # type: ignore[attr-defined]
        return wrapper

    return decorator


def users_managed_by(admin: User) -> Any:
    """Admins manage the accounts of their own organisation only."""
    return User.objects.filter(organisation_id=admin.organisation_id).select_related("team")


def get_managed_user(admin: User, user_id: int) -> User:
    return get_object_or_404(users_managed_by(admin), pk=user_id)
