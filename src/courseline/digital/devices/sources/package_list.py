"""A plain package list: ``adb shell pm list packages`` output (with or without ``-f``, ``-i``,
``-U``) or one package name per line. It shows which apps are installed, and with ``-i`` which
app installed them, but nothing about permissions, certificates or settings."""

from __future__ import annotations

from pathlib import Path

from courseline.digital.devices.model import (
    Acquisition,
    Capability,
    DeviceInfo,
    Platform,
    SourceError,
)
from courseline.digital.devices.sources.android_text import parse_pm_list
from courseline.digital.devices.sources.files import read_text

MAX_BYTES = 16 * 1024 * 1024


def parse_package_list(text: str, *, name: str = "package list") -> Acquisition:
    parsed = parse_pm_list(text)
    if not parsed.apps:
        if parsed.bad_lines:
            raise SourceError(f"{name}: no package names found: this is not a package list")
        raise SourceError(f"{name}: empty: no package names found")
    if parsed.bad_lines > max(3, len(parsed.apps) // 10):
        raise SourceError(
            f"{name}: {parsed.bad_lines} lines are not package names: this does not look like "
            "a package list (expected `pm list packages` output or one name per line)"
        )
    capabilities = {Capability.PACKAGES}
    if parsed.has_installer:
        capabilities.add(Capability.INSTALLER)
    if parsed.has_path:
        capabilities.add(Capability.SYSTEM_FLAG)
    notes: tuple[str, ...] = ()
    if parsed.bad_lines:
        notes = (f"{parsed.bad_lines} unreadable lines in the package list were skipped",)
    return Acquisition(
        device=DeviceInfo(platform=Platform.ANDROID, source="package-list"),
        apps=tuple(parsed.apps),
        capabilities=frozenset(capabilities),
        notes=notes,
    )


def read_package_list(path: Path) -> Acquisition:
    return parse_package_list(read_text(path, MAX_BYTES), name=path.name)
