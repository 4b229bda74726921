"""Check and clean a photo held in memory, for pages that promise not to store what is sent.

Nothing here writes to disk: the bytes are read from memory, the cleaned copy is built in
memory and verified by re-reading it from memory.
"""

from __future__ import annotations

import io

from courseline.digital.photos.clean import CleanedBytes, clean_bytes
from courseline.digital.photos.model import PhotoScan
from courseline.digital.photos.scan import scan_stream

__all__ = ["CleanedBytes", "clean_bytes", "scan_bytes"]


def scan_bytes(data: bytes, *, display_path: str) -> PhotoScan:
    """``scan_file`` for bytes already in memory (same result, same guarantees)."""
    return scan_stream(io.BytesIO(data), len(data), display_path=display_path)
