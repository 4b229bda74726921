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


def test_org_create_sets_up_an_organisation_its_teams_and_first_admin(db: Any) -> None:
    args = [
        "org", "create", "Northshire ISAC service", "--admin-email", "Lead@North.example.org",
        "--admin-name", "Lead Admin", "--team", "North", "--team", "East",
    ]  # fmt: skip
    password = "a long and unusual passphrase 9"
    result = runner.invoke(app, args, input=f"{password}\n{password}\n")
    assert result.exit_code == 0, result.output
    org = Organisation.objects.get(name="Northshire ISAC service")
    assert sorted(org.teams.values_list("name", flat=True)) == ["East", "North"]
    admin = User.objects.get(email="lead@north.example.org")
    assert admin.role == "admin" and admin.organisation == org and admin.check_password(password)
    assert password not in result.output
    assert verify().ok


def test_org_create_refuses_a_weak_password_and_creates_nothing(db: Any) -> None:
    args = ["org", "create", "Weak Org", "--admin-email", "w@x.example.org", "--admin-name", "W"]
    result = runner.invoke(app, args, input="password\npassword\n")
    assert result.exit_code == 1
    assert "too weak" in result.output
    assert not Organisation.objects.filter(name="Weak Org").exists()


def test_demo_seed_refuses_to_run_in_production(db: Any, settings: Any) -> None:
    settings.PRODUCTION = True
    result = runner.invoke(app, ["demo", "seed"])
    assert result.exit_code == 2
    assert not Organisation.objects.filter(is_demo=True).exists()


def test_audit_verify_prints_the_last_hash_to_keep_elsewhere(db: Any) -> None:
    runner.invoke(app, ["demo", "seed"])
    result = runner.invoke(app, ["audit", "verify"])
    assert re.search(r"Last record hash: [0-9a-f]{64}", result.output)


def test_org_create_prints_names_literally(db: Any) -> None:
    # Printed after the organisation is made: a closing tag in its name used to crash here.
    name = "[/b] [bold]Northshire :warning:"
    args = ["org", "create", name, "--admin-email", "lead@north.example.org",
            "--admin-name", "Lead Admin", "--team", "[link=x]North"]  # fmt: skip
    password = "a long and unusual passphrase 9"
    result = runner.invoke(app, args, input=f"{password}\n{password}\n")
    assert result.exit_code == 0, result.exception
    assert f"Created {name} (teams: [link=x]North)." in " ".join(result.output.split())
    again = runner.invoke(app, args, input=f"{password}\n{password}\n")
    assert again.exit_code == 1, again.exception
    refusal = " ".join(again.output.split())
    assert f"Not created: An organisation called '{name}' already exists" in refusal
