from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def courseline(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    return {
        "service_name": settings.SERVICE_NAME,
        "demo_mode": settings.DEMO_MODE,
        "demo_skips_2fa": bool(
            settings.DEMO_MODE and user is not None and getattr(user, "is_demo", False)
        ),
    }
