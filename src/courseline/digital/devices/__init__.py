"""Device checks for Android and iPhone: sources → typed records → checks → findings.

Typical use::

    from courseline.digital.devices import run_checks
    from courseline.digital.devices.sources.package_list import read_package_list
    from courseline.digital.indicators import load

    report = run_checks(read_package_list(path), load(data_dir=data_dir))
    report.to_json()
"""

from __future__ import annotations

from courseline.digital.devices.checks import CHECKS, run_checks
from courseline.digital.devices.consent import Consent, ConsentError
from courseline.digital.devices.model import (
    Acquisition,
    Capability,
    ConfigurationProfile,
    DeviceInfo,
    DeviceSettings,
    InstalledApp,
    Platform,
    SourceError,
)
from courseline.digital.devices.report import DeviceReport, NotChecked

__all__ = [
    "CHECKS",
    "Acquisition",
    "Capability",
    "ConfigurationProfile",
    "Consent",
    "ConsentError",
    "DeviceInfo",
    "DeviceReport",
    "DeviceSettings",
    "InstalledApp",
    "NotChecked",
    "Platform",
    "SourceError",
    "run_checks",
]
