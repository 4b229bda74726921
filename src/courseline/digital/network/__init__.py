"""Network capture check: DNS, TLS server names, HTTP hosts and destination addresses in a pcap
or pcapng file, matched against stalkerware and watchware indicators.

Layers, each in its own module: ``capture`` reads the file format in constant memory;
``dissect`` turns frames into the few things that matter (the hot path); ``dns``, ``tls`` and
``http`` parse those, bounds-checked; ``watchlist`` holds the indicators; ``check`` matches and
aggregates; ``explain`` says what the results mean and do not mean.
"""

from __future__ import annotations

from pathlib import Path

from courseline.digital.network.check import check_capture
from courseline.digital.network.explain import NO_HIT, report_json, to_findings
from courseline.digital.network.model import (
    CaptureError,
    CaptureSummary,
    Category,
    Hit,
    NetworkReport,
    SeenAs,
)
from courseline.digital.network.watchlist import WatchEntry, Watchlist

__all__ = [
    "NO_HIT",
    "CaptureError",
    "CaptureSummary",
    "Category",
    "Hit",
    "NetworkReport",
    "SeenAs",
    "WatchEntry",
    "Watchlist",
    "check_capture",
    "default_watchlist",
    "report_json",
    "to_findings",
]


def default_watchlist(path: Path | None = None, *, data_dir: Path | None = None) -> Watchlist:
    """The watchlist from the indicator set file at ``path``, else from the active set (an
    updated set in ``data_dir`` if there is one, else the packaged snapshot).

    Raises ``courseline.digital.indicators.IndicatorError`` if the set cannot be loaded.
    """
    from courseline.digital import indicators

    return Watchlist.from_indicators(indicators.load(path, data_dir=data_dir))
