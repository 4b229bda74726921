"""Settings come from the environment only; production refuses unsafe configuration."""

from __future__ import annotations

import base64
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

STRONG_KEY = secrets.token_urlsafe(64)
EVIDENCE_KEY = base64.b64encode(secrets.token_bytes(32)).decode()


def run_check(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("COURSELINE_", "DJANGO_"))}
    clean.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "courseline.cli", "manage", "check", *args],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def data_dir(tmp_path: Path) -> str:
    return str(tmp_path)


def test_production_refuses_to_start_without_a_secret(data_dir: str) -> None:
    result = run_check(
        {"COURSELINE_ALLOWED_HOSTS": "cl.example.org", "COURSELINE_DATA_DIR": data_dir}
    )
    assert result.returncode != 0
    assert "COURSELINE_SECRET_KEY" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("weak", ["changeme", "django-insecure-" + "a" * 60, "short"])
def test_production_refuses_a_weak_or_default_secret(data_dir: str, weak: str) -> None:
    env = {
        "COURSELINE_SECRET_KEY": weak,
        "COURSELINE_ALLOWED_HOSTS": "cl.example.org",
        "COURSELINE_DATA_DIR": data_dir,
    }
    result = run_check(env)
    assert result.returncode != 0
    assert "too weak" in result.stderr


def test_production_refuses_demo_mode_and_debug(data_dir: str) -> None:
    base = {
        "DATABASE_URL": f"sqlite:///{data_dir}/db.sqlite3",
        "COURSELINE_SECRET_KEY": STRONG_KEY,
        "COURSELINE_ALLOWED_HOSTS": "cl.example.org",
        "COURSELINE_DATA_DIR": data_dir,
    }
    assert "COURSELINE_DEMO" in run_check({**base, "COURSELINE_DEMO": "1"}).stderr
    assert "COURSELINE_DEBUG" in run_check({**base, "COURSELINE_DEBUG": "1"}).stderr


def test_the_secret_can_come_from_a_file(tmp_path: Path) -> None:
    key_file = tmp_path / "key"
    key_file.write_text(STRONG_KEY)
    env = {
        "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
        "COURSELINE_SECRET_KEY_FILE": str(key_file),
        "COURSELINE_EVIDENCE_KEY": EVIDENCE_KEY,
        "COURSELINE_ALLOWED_HOSTS": "cl.example.org",
        "COURSELINE_DATA_DIR": str(tmp_path),
    }
    result = run_check(env, "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr


def test_production_refuses_to_start_without_a_database_url(data_dir: str) -> None:
    env = {
        "COURSELINE_SECRET_KEY": STRONG_KEY,
        "COURSELINE_EVIDENCE_KEY": EVIDENCE_KEY,
        "COURSELINE_ALLOWED_HOSTS": "cl.example.org",
        "COURSELINE_DATA_DIR": data_dir,
    }
    result = run_check(env)
    assert result.returncode != 0
    assert "DATABASE_URL is required" in result.stderr


def test_check_deploy_reports_no_issues_in_production(data_dir: str) -> None:
    env = {
        "DATABASE_URL": f"sqlite:///{data_dir}/db.sqlite3",
        "COURSELINE_SECRET_KEY": STRONG_KEY,
        "COURSELINE_EVIDENCE_KEY": EVIDENCE_KEY,
        "COURSELINE_ALLOWED_HOSTS": "cl.example.org",
        "COURSELINE_DATA_DIR": data_dir,
    }
    result = run_check(env, "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_an_evidence_key(data_dir: str) -> None:
    env = {
        "DATABASE_URL": f"sqlite:///{data_dir}/db.sqlite3",
        "COURSELINE_SECRET_KEY": STRONG_KEY,
        "COURSELINE_ALLOWED_HOSTS": "cl.example.org",
        "COURSELINE_DATA_DIR": data_dir,
    }
    result = run_check(env)
    assert result.returncode != 0
    assert "COURSELINE_EVIDENCE_KEY" in result.stderr
    bad = run_check({**env, "COURSELINE_EVIDENCE_KEY": "not-base64-of-32-bytes"})
    assert bad.returncode != 0 and "Evidence key" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_a_nonsense_boolean_is_refused(data_dir: str) -> None:
    result = run_check(
        {"COURSELINE_ENVIRONMENT": "development", "COURSELINE_DEBUG": "maybe",
         "COURSELINE_DATA_DIR": data_dir}
    )  # fmt: skip
    assert result.returncode != 0
    assert "COURSELINE_DEBUG must be one of" in result.stderr
