"""Helpers for files people open in spreadsheets."""

from __future__ import annotations

from typing import Any

from courseline.evidence.bundle import csv_safe


def spreadsheet_safe(value: Any) -> Any:
    """Neutralise a cell a spreadsheet would run as a formula (CSV injection).

    The rule is the evidence bundle manifest's, so every CSV Courseline writes guards against
    the same starts (including a line break and the full-width = + - @)."""
    if isinstance(value, str):
        return csv_safe(value)
    return value
