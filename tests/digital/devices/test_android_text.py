"""The Android text parsers: layout variants, and hostile input never raises."""

from __future__ import annotations

import contextlib

from hypothesis import given, settings
from hypothesis import strategies as st

from courseline.digital.devices.model import SourceError
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
