from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def courseline(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    staff = bool(getattr(user, "is_authenticated", False) and getattr(user, "is_staff_role", False))
    return {
        "service_name": settings.SERVICE_NAME,
        # Pages anyone may see extend this: everyone but signed-in staff gets Exit this page.
        "page_base": "base.html" if staff else "victim_base.html",
        "demo_mode": settings.DEMO_MODE,
        "demo_skips_2fa": bool(
            settings.DEMO_MODE and user is not None and getattr(user, "is_demo", False)
        ),
    }
