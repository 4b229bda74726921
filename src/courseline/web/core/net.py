"""Where a request came from, in one place, so that throttling and the audit agree."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or the proxy-appended X-Forwarded-For entry.

    Behind our TLS proxy the right-most X-Forwarded-For entry is the one the proxy added,
    so it cannot be forged by the client (left-most entries can).
    """
    if getattr(settings, "BEHIND_PROXY", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        parts = [part.strip() for part in forwarded.split(",") if part.strip()]
        if parts:
            return parts[-1][:64]
    return str(request.META.get("REMOTE_ADDR", ""))[:64]


def user_agent_hash(request: HttpRequest) -> str:
    """SHA-256 of the User-Agent: enough to tell devices apart, without storing the string."""
    agent = request.META.get("HTTP_USER_AGENT", "")
    return hashlib.sha256(agent.encode("utf-8", "replace")).hexdigest()
