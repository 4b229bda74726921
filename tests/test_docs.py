"""The README and docs/ describe the code as it is: every setting, every command, every link.

These tests read source files and the Typer app; they need no database.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import typer

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src" / "courseline"
README = ROOT / "README.md"
SETTINGS = SRC / "web" / "settings.py"

# env_str("NAME", ...), env_secret("NAME"), ... : the typed readers in courseline.web.config.
ENV_READER = re.compile(r"\benv_(str|bool|int|list|choice|secret)\(\s*\"([A-Z][A-Z0-9_]*)\"")
# os.environ.get("COURSELINE_..."), os.getenv(...), os.environ["..."] elsewhere (the CLI).
RAW_ENV = re.compile(
    r"os\.(?:environ\.get\(|getenv\(|environ\[)\s*\"((?:COURSELINE_|DATABASE_URL)[A-Z0-9_]*)\""
)
MARKDOWN_LINK = re.compile(r"\]\(([^)\s]+)\)")


def _readme() -> str:
    return README.read_text(encoding="utf-8")


def _section(text: str, title: str) -> str:
    """The body of the ``## title`` section of a Markdown document."""
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert match, f"README.md has no '## {title}' section"
    return match.group(1)


def _configuration_table_names() -> set[str]:
    names = set()
    for line in _section(_readme(), "Configuration").splitlines():
        if not line.startswith("|"):
            continue
        first_cell = line.strip("|").split("|")[0].strip().strip("`")
        if re.fullmatch(r"[A-Z][A-Z0-9_]*", first_cell):
            names.add(first_cell)
    return names


def _variables_read_by_code() -> set[str]:
    names = set()
    for path in SRC.rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        for reader, name in ENV_READER.findall(source):
            names.add(name)
            if reader == "secret":
                names.add(f"{name}_FILE")
        names.update(RAW_ENV.findall(source))
    return names


def _commands(group: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """Every command and subcommand under ``group``, as (name path, click command)."""
    for name, command in sorted(group.commands.items()):
        yield (*path, name), command
        if hasattr(command, "commands"):  # a group (Typer may vendor its own click)
            yield from _commands(command, (*path, name))


def _cli() -> Any:
    from courseline.cli import app

    return typer.main.get_command(app)


def test_it_documents_every_environment_variable() -> None:
    source = SETTINGS.read_text(encoding="utf-8")
    read = {name for _, name in ENV_READER.findall(source)}
    secrets = {name for reader, name in ENV_READER.findall(source) if reader == "secret"}
    assert {"COURSELINE_ENVIRONMENT", "DATABASE_URL"} <= read, "the reader pattern found nothing"
    assert "COURSELINE_SECRET_KEY" in secrets
    documented = _configuration_table_names()
    assert sorted(read - documented) == []
    assert sorted({f"{name}_FILE" for name in secrets} - documented) == []


def test_it_documents_the_variables_the_command_line_reads() -> None:
    read = set(RAW_ENV.findall((SRC / "cli" / "__init__.py").read_text(encoding="utf-8")))
    assert "COURSELINE_FORWARDED_ALLOW_IPS" in read
    assert sorted(read - _configuration_table_names()) == []


def test_its_configuration_table_lists_only_variables_the_code_reads() -> None:
    assert sorted(_configuration_table_names() - _variables_read_by_code()) == []


def test_it_documents_every_command() -> None:
    readme = _readme()
    commands = [" ".join(path) for path, _ in _commands(_cli())]
    assert {"serve", "manage", "audit verify", "retention run"} <= set(commands)
    assert [name for name in commands if f"courseline {name}" not in readme] == []


def test_it_documents_every_command_option() -> None:
    readme = _readme()
    options = {
        (" ".join(path), option)
        for path, command in _commands(_cli())
        for param in command.params
        if param.param_type_name == "option"
        for option in param.opts
        if option.startswith("--") and option != "--help"
    }
    assert ("retention run", "--dry-run") in options
    assert sorted(f"{path} {option}" for path, option in options if option not in readme) == []


def test_it_starts_with_make_run_and_make_test() -> None:
    quick_start = _section(_readme(), "Quick start")
    commands = re.findall(r"^(make \w+)", quick_start, re.M)
    assert commands == ["make run", "make test"]


def test_it_links_the_deployment_guide() -> None:
    assert "](docs/deploy.md)" in _readme()
    assert (ROOT / "docs" / "deploy.md").is_file()


def test_its_relative_links_point_at_files_in_the_repository() -> None:
    broken = []
    for document in [README, *sorted((ROOT / "docs").glob("*.md"))]:
        for target in MARKDOWN_LINK.findall(document.read_text(encoding="utf-8")):
            if re.match(r"[a-z]+:", target) or target.startswith("#"):
                continue
            path = (document.parent / target.split("#")[0]).resolve()
            if not path.is_relative_to(ROOT) or not path.exists():
                broken.append(f"{document.relative_to(ROOT)}: {target}")
    assert broken == []
