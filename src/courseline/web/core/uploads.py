"""File uploads: per-view body limits, and an upload handler that never touches the disk.

``max_request_bytes(limit)`` marks a view as accepting a body of up to ``limit`` bytes (an
int, or a function returning one so that a setting is read per request). The
``RequestSizeLimitMiddleware`` refuses anything larger with a 413 before it is read.

``use_memory_only(request, limit)`` makes the request keep uploaded files in memory and drop
anything beyond ``limit``: for the public pages that promise not to store what is sent. It
must be called before ``request.POST``/``request.FILES`` is first read, so such views are
``csrf_exempt`` (they set no cookie and change nothing).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.core.files.uploadhandler import MemoryFileUploadHandler
from django.http import HttpRequest

View = TypeVar("View", bound=Callable[..., Any])
Limit = int | Callable[[], int]


def max_request_bytes(limit: Limit) -> Callable[[View], View]:
    """Allow request bodies of up to ``limit`` bytes for this view."""

    def mark(view: View) -> View:
        view.max_request_bytes = limit  # type: ignore[attr-defined]
        return view

    return mark


def request_limit(view: Any) -> int:
    """The body limit for ``view`` (the form default unless the view was marked)."""
    limit = getattr(view, "max_request_bytes", None)
    if limit is None:
        return int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    return int(limit() if callable(limit) else limit)


class _MemoryOnlyHandler(MemoryFileUploadHandler):
    """Keeps every uploaded file in memory; a body over ``limit`` is not kept at all."""

    def __init__(self, request: HttpRequest, limit: int) -> None:
        super().__init__(request)
        self.limit = limit

    def handle_raw_input(
        self,
        input_data: Any,
        META: dict[str, Any],  # noqa: N803 - Django's parameter name
        content_length: int,
        boundary: str,
        encoding: str | None = None,
    ) -> None:
        # Unlike Django's own handler, never hand over to a temporary-file handler.
        self.activated = 0 < content_length <= self.limit

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        if self.activated:
            self.file.write(raw_data)
        return None  # nothing is passed on to another handler


def use_memory_only(request: HttpRequest, limit: int) -> None:
    request.upload_handlers = [_MemoryOnlyHandler(request, limit)]
