"""Sign-in, sign-out and failed sign-in are audited here (they happen outside our actions)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.utils.crypto import salted_hmac

from courseline.web.audit.log import record


@receiver(user_logged_in)
def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    record("auth.login", request=request, actor=user)


@receiver(user_logged_out)
def _logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        record("auth.logout", request=request, actor=user)


@receiver(user_login_failed)
def _login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kw: Any) -> None:
    # Store a hash of the name typed, not the name: it may be a mistyped password.
    typed = str(credentials.get("username") or credentials.get("email") or "").strip().lower()
    # Keyed, so that it cannot be reversed by hashing known addresses.
    digest = salted_hmac("courseline.audit.login_failed", typed, algorithm="sha256")
    detail = {"login_hash": digest.hexdigest()[:16]}
    record("auth.login_failed", request=request, detail=detail)
