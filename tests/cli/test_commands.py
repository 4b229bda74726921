"""The `courseline` command line."""

from __future__ import annotations

import re
from typing import Any

from typer.testing import CliRunner

from courseline.cli import app
from courseline.web.accounts.models import Organisation, User
from courseline.web.audit.log import verify
from courseline.web.cases.models import Case

runner = CliRunner()


def test_demo_seed_prints_the_case_references_and_is_idempotent(db: Any) -> None:
    first = runner.invoke(app, ["demo", "seed"])
    assert first.exit_code == 0, first.output
    lines = first.output.strip().splitlines()
    assert lines and all(re.fullmatch(r"case: CL-\d{4}-\d{6}", line) for line in lines)
    counts = (Organisation.objects.count(), User.objects.count(), Case.objects.count())
    second = runner.invoke(app, ["demo", "seed"])
    assert second.output == first.output
    assert (Organisation.objects.count(), User.objects.count(), Case.objects.count()) == counts
    assert verify().ok


def test_demo_data_is_clearly_fictional(db: Any) -> None:
    runner.invoke(app, ["demo", "seed"])
    org = Organisation.objects.get(is_demo=True)
    assert "fictional" in org.name
    for user in User.objects.filter(organisation=org):
        assert user.is_demo and "fictional" in user.full_name
        assert user.email.endswith("@demo.example.org")


def test_serve_listens_on_localhost_port_8000_by_default() -> None:
    result = runner.invoke(app, ["serve", "--help"])
    assert result.exit_code == 0
    assert "127.0.0.1" in result.output and "8000" in result.output


def test_manage_passes_commands_through_to_django(db: Any) -> None:
    result = runner.invoke(app, ["manage", "showmigrations", "cases"])
    assert result.exit_code == 0
    assert "0001_initial" in result.output
