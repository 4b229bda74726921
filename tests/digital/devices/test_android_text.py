"""The Android text parsers: layout variants, and hostile input never raises."""

from __future__ import annotations

import collections
import contextlib
import tracemalloc
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from courseline.digital.devices.model import Capability, SourceError
from courseline.digital.devices.sources import android_text as at
from courseline.digital.devices.sources.bugreport import parse_bugreport_text
from courseline.digital.devices.sources.package_list import parse_package_list


def test_the_older_appops_layout_is_read() -> None:
    text = (
        "  Uid 10123:\n    Package com.old.app:\n      GET_USAGE_STATS: mode=allow; time=+1d\n"
        "      SYSTEM_ALERT_WINDOW: mode=ignore\n"
    )
    assert at.parse_appops(text) == {"GET_USAGE_STATS": {"com.old.app"}}


def test_profile_owners_and_admins_are_read_from_device_policy() -> None:
    text = (
        "  Profile Owner (User 10): \n    admin=ComponentInfo{com.work.mdm/com.work.mdm.Admin}\n"
        "  Enabled Device Admins (User 0, provisioningState: 0):\n    com.a.b/.Admin:\n"
        "      uid=10001\n"
    )
    admins, owner, profiles = at.parse_device_policy(text)
    assert (admins, owner, profiles) == (["com.a.b/.Admin"], None, ["com.work.mdm"])


def test_settings_of_other_users_are_ignored_in_dumpsys_settings() -> None:
    text = (
        "GLOBAL SETTINGS (user 0)\n_id:1 name:adb_enabled pkg:android value:0\n"
        "SECURE SETTINGS (user 10)\n_id:2 name:enabled_accessibility_services pkg:x value:a/.B\n"
    )
    parsed = at.parse_dumpsys_settings(text)
    assert parsed["global"] == {"adb_enabled": "0"} and parsed["secure"] == {}


def test_missing_verifier_setting_means_the_default_on() -> None:
    assert at.build_settings({}, {}, None, None).package_verifier_enabled is True
    assert at.build_settings(None, None, None, None).package_verifier_enabled is None


def test_null_settings_mean_nothing_enabled() -> None:
    assert at.components("null") == () and at.components(None) is None


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=2000))
def test_parsers_never_raise_on_arbitrary_text(text: str) -> None:
    at.parse_pm_list(text)
    at.parse_getprop(text)
    at.parse_settings_list(text)
    at.parse_dumpsys_settings(text)
    at.split_dumpsys(text)
    at.parse_dumpsys_package(text)
    at.parse_device_policy(text)
    at.parse_appops(text)
    for parser in (parse_package_list, parse_bugreport_text):
        with contextlib.suppress(SourceError):
            parser(text)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "Packages:",
                "  Package [com.x] (abc):",
                "    userId=notanumber",
                "    firstInstallTime=junk",
                "    User 0: enabled=9",
                "Activity Resolver Table:",
                '          Category: "android.intent.category.LAUNCHER"',
                "        1 com.x/.A filter 2",
                "    flags=[ SYSTEM ]",
                "",
            ]
        ),
        max_size=60,
    )
)
def test_the_package_dump_parser_survives_shuffled_real_lines(lines: list[str]) -> None:
    details, _launcher = at.parse_dumpsys_package("\n".join(lines))
    for item in details.values():
        at.details_to_app(item, None)


# ---- line splitting ----------------------------------------------------------------------------
def test_too_many_lines_are_refused_before_they_are_all_built() -> None:
    text = "x\n" * (at.MAX_LINES + 1)
    tracemalloc.start()
    try:
        with pytest.raises(SourceError, match="more than"):
            collections.deque(at.lines(text), maxlen=0)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # splitlines() would hold a list of every line: 8 bytes a line for the pointers alone. The
    # lazy split holds one chunk's lines; a quarter of the list is a generous bound.
    assert peak < at.MAX_LINES * 8 // 4


def test_exactly_the_limit_of_lines_is_accepted() -> None:
    assert sum(1 for _ in at.lines("x\r\n" * at.MAX_LINES)) == at.MAX_LINES


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet="ab\n\r\v\f\x1c\x85\u2028 ", max_size=200),
    st.integers(min_value=1, max_value=8),
)
def test_lazy_lines_are_exactly_splitlines(text: str, chunk: int) -> None:
    # Tiny chunks put chunk ends everywhere, including between "\r" and "\n".
    with mock.patch.object(at, "_SPLIT_CHUNK", chunk):
        assert list(at.lines(text)) == text.splitlines()


# ---- which settings a source gave us -----------------------------------------------------------
def test_settings_capabilities_follow_what_was_read() -> None:
    assert at.settings_capabilities(None, None, None, None) == set()
    # An empty namespace (a failed listing, or a section missing from dumpsys) is not a read.
    assert at.settings_capabilities({}, {}, None, None) == set()
    assert at.settings_capabilities(None, {"a": "1"}, "", None) == {
        Capability.ACCESSIBILITY,
        Capability.NOTIFICATION_LISTENERS,
        Capability.DEVICE_ADMIN,
    }
    assert at.settings_capabilities(None, None, None, "") == {
        Capability.APP_OPS,
        Capability.UNKNOWN_SOURCES,
    }
    assert at.settings_capabilities({"adb_enabled": "1"}, None, None, None) == {
        Capability.VERIFIER,
        Capability.DEVELOPER,
        Capability.UNKNOWN_SOURCES,
    }
