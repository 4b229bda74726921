"""Indicator store: stalkerware and watchware (Echap, CC BY 4.0) and dual-use apps (ISDi, MIT).

``load()`` gives the active set: an updated set in the data directory if one was installed with
``update()``, else the snapshot shipped in the package. Core code takes the data directory as a
parameter; only the CLI and the web layer read ``COURSELINE_DATA_DIR``.
"""

from __future__ import annotations

from courseline.digital.indicators.model import (
    App,
    AppKind,
    IndicatorError,
    IndicatorSet,
    SourceInfo,
    normalise_certificate,
)
from courseline.digital.indicators.store import (
    MAX_SNAPSHOT_BYTES,
    active_path,
    content_hash,
    fetch,
    load,
    load_packaged,
    parse,
    update,
)

__all__ = [
    "MAX_SNAPSHOT_BYTES",
    "App",
    "AppKind",
    "IndicatorError",
    "IndicatorSet",
    "SourceInfo",
    "active_path",
    "content_hash",
    "fetch",
    "load",
    "load_packaged",
    "normalise_certificate",
    "parse",
    "update",
]
