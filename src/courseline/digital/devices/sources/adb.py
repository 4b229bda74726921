"""A phone connected over USB, read with the ``adb`` tool (Debian package ``adb``).

Only read-only commands run, and only those in ``ALLOWED_COMMANDS`` (enforced here, whatever
the caller asks); nothing runs until a ``Consent`` record is given. The runner is injectable so
tests use a fake phone.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import replace

from courseline.digital.devices.consent import Consent, ConsentError
from courseline.digital.devices.model import (
    Acquisition,
    Capability,
    DeviceSettings,
    InstalledApp,
    SourceError,
)
from courseline.digital.devices.sources import android_text as at
from courseline.digital.devices.sources.androidqf import android_device

MAX_OUTPUT_BYTES = 256 * 1024 * 1024
TIMEOUT_SECONDS = 120

PM_LIST = ("pm", "list", "packages", "-f", "-i", "-U")
PM_LIST_FALLBACK = ("pm", "list", "packages", "-i", "-U")
GETPROP = ("getprop",)
DUMPSYS_PACKAGE = ("dumpsys", "package")
DUMPSYS_DEVICE_POLICY = ("dumpsys", "device_policy")
DUMPSYS_APPOPS = ("dumpsys", "appops")
SECURE_KEYS = (
    "enabled_accessibility_services",
    "enabled_notification_listeners",
    "install_non_market_apps",
)
GLOBAL_KEYS = (
    "development_settings_enabled",
    "adb_enabled",
    "package_verifier_enable",
    "install_non_market_apps",
)
ALLOWED_COMMANDS: frozenset[tuple[str, ...]] = frozenset(
    {PM_LIST, PM_LIST_FALLBACK, GETPROP, DUMPSYS_PACKAGE, DUMPSYS_DEVICE_POLICY, DUMPSYS_APPOPS}
    | {("settings", "get", "secure", key) for key in SECURE_KEYS}
    | {("settings", "get", "global", key) for key in GLOBAL_KEYS}
)

Runner = Callable[[Sequence[str]], str]


class AdbCommandRefused(SourceError):
    """A command outside the read-only allow-list was asked for."""


def subprocess_runner(serial: str | None = None) -> Runner:
    """Run ``adb [-s SERIAL] shell <command>`` with a timeout and an output cap."""
    adb = shutil.which("adb")
    if adb is None:
        raise SourceError("adb is not installed: install the Debian package `adb`")

    def run(command: Sequence[str]) -> str:
        argv = [adb, *(["-s", serial] if serial else []), "shell", *command]
        try:
            # An argument list (no shell), and only allow-listed read-only commands reach here.
            done = subprocess.run(  # noqa: S603
                argv, capture_output=True, timeout=TIMEOUT_SECONDS, check=False
            )
        except subprocess.TimeoutExpired:
            raise SourceError(
                f"adb {' '.join(command)}: no answer within {TIMEOUT_SECONDS} s"
            ) from None
        except OSError as problem:
            raise SourceError(f"adb could not run: {problem}") from None
        if done.returncode != 0:
            message = done.stderr.decode("utf-8", "replace").strip()[:500]
            raise SourceError(f"adb {' '.join(command)} failed: {message or done.returncode}")
        if len(done.stdout) > MAX_OUTPUT_BYTES:
            raise SourceError(f"adb {' '.join(command)}: output too large to inspect safely")
        return done.stdout.decode("utf-8", "replace")

    return run


class _Guarded:
    def __init__(self, runner: Runner) -> None:
        self._runner = runner
        self.log: list[tuple[str, ...]] = []

    def __call__(self, command: Sequence[str]) -> str:
        key = tuple(command)
        if key not in ALLOWED_COMMANDS:
            raise AdbCommandRefused(f"refusing a command outside the read-only list: {key}")
        self.log.append(key)
        return self._runner(key)

    def optional(self, command: Sequence[str]) -> str | None:
        try:
            return self(command)
        except AdbCommandRefused:
            raise
        except SourceError:
            return None


def _merge_details(
    listed: list[InstalledApp], details: dict[str, at.PackageDetails], launcher: set[str] | None
) -> tuple[InstalledApp, ...]:
    apps = []
    for app in listed:
        extra = details.get(app.package)
        if extra is None:
            apps.append(app)
            continue
        merged = at.details_to_app(extra, launcher)
        apps.append(
            replace(
                merged,
                installer=app.installer if app.installer is not None else merged.installer,
                uid=app.uid if app.uid is not None else merged.uid,
                path=app.path or merged.path,
            )
        )
    return tuple(apps)


def _namespace(run: _Guarded, namespace: str, keys: Sequence[str]) -> dict[str, str] | None:
    """The keys we read from one settings namespace, or ``None`` unless all of them answered.

    The shared capability rule treats a namespace as read as a whole; passing on a partial
    answer would let a check report "nothing found" for a setting that was never seen.
    """
    values = {key: run.optional(("settings", "get", namespace, key)) for key in keys}
    answered = {key: value for key, value in values.items() if value is not None}
    return answered if len(answered) == len(keys) else None


def _settings(run: _Guarded) -> tuple[DeviceSettings, set[Capability]]:
    secure = _namespace(run, "secure", SECURE_KEYS)
    global_ = _namespace(run, "global", GLOBAL_KEYS)
    policy = run.optional(DUMPSYS_DEVICE_POLICY)
    appops = run.optional(DUMPSYS_APPOPS)
    return (
        at.build_settings(global_, secure, policy, appops),
        at.settings_capabilities(global_, secure, policy, appops),
    )


def read_adb(
    consent: Consent | None,
    *,
    serial: str | None = None,
    runner: Runner | None = None,
    now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
) -> Acquisition:
    """Read the phone (only after consent), through the allow-list, into an ``Acquisition``."""
    if not isinstance(consent, Consent):
        raise ConsentError("record the device owner's consent before connecting to the phone")
    run = _Guarded(runner if runner is not None else subprocess_runner(serial))
    props = at.parse_getprop(run(GETPROP))
    listing = run.optional(PM_LIST)
    if listing is None:
        listing = run(PM_LIST_FALLBACK)
    parsed = at.parse_pm_list(listing, bare_names=False)
    if not parsed.apps:
        raise SourceError("the phone returned no packages (is it unlocked and authorised?)")
    details, launcher = at.parse_dumpsys_package(run.optional(DUMPSYS_PACKAGE) or "")
    apps = _merge_details(parsed.apps, details, launcher)
    settings, capabilities = _settings(run)
    capabilities |= {Capability.PACKAGES, Capability.INSTALLER, Capability.PROPERTIES}
    if details:
        capabilities |= {Capability.INSTALL_TIMES, Capability.SYSTEM_FLAG}
    if launcher is not None:
        capabilities.add(Capability.LAUNCHER)
    return Acquisition(
        device=android_device("adb", props, now()),
        apps=apps,
        capabilities=frozenset(capabilities),
        settings=settings,
        properties=props,
        notes=(f"adb commands run (read-only): {len(run.log)}",),
    )
