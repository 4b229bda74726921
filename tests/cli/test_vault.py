"""`courseline export case`, `courseline keys …` and the custody check in `audit verify`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from courseline.cli import app
from courseline.evidence.bundle import verify_bundle
from courseline.evidence.crypto import Keyring, MasterKey
from courseline.web.evidence.models import CustodyEvent, EvidenceItem

pytestmark = pytest.mark.django_db(transaction=True)
runner = CliRunner()


def test_export_case_writes_a_bundle_that_verifies(world: Any, tmp_path: Path) -> None:
    out = tmp_path / "bundle.zip"
    result = runner.invoke(
        app,
        ["export", "case", world.case.reference, "--out", str(out), "--by", world.alice.email,
         "--reason", "for the officer in the case"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Manifest SHA-256:" in result.output
    assert verify_bundle(out).ok
    assert CustodyEvent.objects.filter(action="exported").count() == 1
    again = runner.invoke(
        app,
        ["export", "case", world.case.reference, "--out", str(out), "--by", world.alice.email,
         "--reason", "x"],
    )  # fmt: skip
    assert again.exit_code == 2 and "exists" in again.output


def test_export_case_refuses_someone_who_cannot_see_the_case(world: Any, tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        ["export", "case", world.case.reference, "--out", str(tmp_path / "b.zip"),
         "--by", world.bob.email, "--reason", "curious"],
    )  # fmt: skip
    assert result.exit_code == 2
    assert not (tmp_path / "b.zip").exists()


def test_keys_generate_prints_a_usable_key() -> None:
    result = runner.invoke(app, ["keys", "generate"])
    assert result.exit_code == 0
    MasterKey.from_base64(result.output.strip())


def test_keys_rotate_rewraps_and_a_dry_run_changes_nothing(world: Any, settings: Any) -> None:
    old = settings.EVIDENCE_KEYRING
    settings.EVIDENCE_KEYRING = Keyring(MasterKey.generate(), old.keys)
    dry = runner.invoke(app, ["keys", "rotate", "--dry-run"])
    assert dry.exit_code == 0 and "would be re-wrapped" in dry.output
    assert EvidenceItem.objects.get().key_id == old.current.key_id
    result = runner.invoke(app, ["keys", "rotate"])
    assert result.exit_code == 0, result.output
    assert EvidenceItem.objects.get().key_id == settings.EVIDENCE_KEYRING.current.key_id


def test_audit_verify_checks_every_custody_log(world: Any) -> None:
    assert runner.invoke(app, ["audit", "verify"]).exit_code == 0
    CustodyEvent.objects.filter(item=world.evidence).update(reason="tampered")
    result = runner.invoke(app, ["audit", "verify"])
    assert result.exit_code == 1
    assert "Custody log broken" in result.output


def test_export_case_prints_the_bundle_path_literally(
    world: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "[").mkdir()
    out = "[/b] [bold]bundle :warning:.zip"  # in a folder named "["
    result = runner.invoke(
        app,
        ["export", "case", world.case.reference, "--out", out, "--by", world.alice.email,
         "--reason", "for the officer in the case"],
    )  # fmt: skip
    assert result.exit_code == 0, result.exception
    assert f"Wrote {out}: 1 exhibit(s)" in result.output
    assert f"Check it with: courseline evidence verify {out}" in result.output
    again = runner.invoke(
        app,
        ["export", "case", world.case.reference, "--out", out, "--by", world.alice.email,
         "--reason", "x"],
    )  # fmt: skip
    assert again.exit_code == 2, again.exception
    assert f"{out} exists already" in " ".join(again.output.split())


def test_export_case_with_a_damaged_stored_file_fails_cleanly_and_is_audited(
    world: Any, tmp_path: Path, settings: Any
) -> None:
    from courseline.web.audit.models import AuditEvent

    # Flip one byte of the stored (encrypted) body, as a failing disk or a tamperer would.
    stored = Path(settings.EVIDENCE_DIR) / world.evidence.storage_name
    body = bytearray(stored.read_bytes())
    body[-20] ^= 0x01
    stored.write_bytes(bytes(body))
    out = tmp_path / "bundle.zip"
    result = runner.invoke(
        app,
        ["export", "case", world.case.reference, "--out", str(out), "--by", world.alice.email,
         "--reason", "for the officer in the case"],
    )  # fmt: skip
    assert result.exit_code == 1, result.exception
    assert "Not exported: a stored file failed its integrity check" in result.output
    assert not out.exists() and not list(tmp_path.iterdir())
    assert not CustodyEvent.objects.filter(action="exported").exists()
    failure = AuditEvent.objects.get(action="evidence.export_failed")
    assert failure.detail == {"cause": "integrity"} and failure.actor_id == world.alice.pk
