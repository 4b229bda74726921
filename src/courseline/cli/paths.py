"""Where the command line keeps its data: one answer for every command."""

from __future__ import annotations

import os
from pathlib import Path


def data_dir() -> Path:
    """``COURSELINE_DATA_DIR``, or ``var`` in the current folder (as ``make run`` uses).

    Device and network checks both read the active indicator set from here, and
    ``indicators update`` writes it here, so an update reaches every check."""
    return Path(os.environ.get("COURSELINE_DATA_DIR") or "var")
