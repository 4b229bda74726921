from __future__ import annotations

from courseline.digital.devices.checks.stalkerware_apk_hash import run
from tests.digital.devices import fixtures as fx


def test_a_known_sample_is_found_whatever_its_name() -> None:
    app = fx.user_app("com.renamed", apk_sha256=("AB" * 32,))
    (finding,) = run(fx.acquisition([app]), fx.indicators())
    assert finding.evidence["apk_sha256"] == "ab" * 32
    assert finding.indicator and finding.indicator.name == "SpyOne"


def test_unknown_files_are_not_found() -> None:
    assert (
        run(fx.acquisition([fx.user_app("com.x", apk_sha256=("cd" * 32,))]), fx.indicators()) == []
    )
