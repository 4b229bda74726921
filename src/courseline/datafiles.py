"""Data files validated on load: YAML (or YAML front matter) checked against a pydantic model.

Jurisdictions, risk instruments, factsheets and training scenarios all load this way, and all
report a bad file the same way: one line per problem, naming the file and the field path
(``offences[1] (pha_s2a).elements[0] (harassment).sources: Field required``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

Model = TypeVar("Model", bound=BaseModel)


def field_path(raw: Any, loc: Sequence[int | str]) -> str:
    """A readable path for a pydantic error location; list items show their ``key`` if any."""
    parts: list[str] = []
    node: Any = raw
    for step in loc:
        if isinstance(step, int):
            label = f"[{step}]"
            node = node[step] if isinstance(node, list) and step < len(node) else None
            if isinstance(node, Mapping) and isinstance(node.get("key"), str):
                label += f" ({node['key']})"
            parts.append(label)
        else:
            parts.append(f".{step}" if parts else str(step))
            node = node.get(step) if isinstance(node, Mapping) else None
    path = "".join(parts) or "(top level)"
    return re.sub(r"\.\[", "[", path)


def parse_yaml_model(
    model: type[Model], text: str, *, source_name: str, error: type[Exception]
) -> Model:
    """Parse YAML ``text`` and validate it as ``model``; problems raise ``error``."""
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as problem:
        raise error(f"{source_name}: not valid YAML: {problem}") from problem
    if not isinstance(raw, dict):
        raise error(f"{source_name}: expected a mapping at the top level")
    try:
        return model.model_validate(raw)
    except ValidationError as problem:
        lines = [
            f"{source_name}: {field_path(raw, item['loc'])}: "
            f"{item['msg'].removeprefix('Value error, ')}"
            for item in problem.errors()
        ]
        raise error("\n".join(lines)) from problem


def read_packaged(package: str, directory: str, name: str, *, error: type[Exception]) -> str:
    """The text of a data file shipped inside the package."""
    from importlib import resources

    try:
        return resources.files(package).joinpath(directory, name).read_text(encoding="utf-8")
    except OSError as problem:
        raise error(f"{name}: cannot read the data file: {problem}") from problem


def require_key(key: str, expected: str, name: str, *, error: type[Exception]) -> None:
    """A data file's ``key`` must match its file name, so that a file cannot pose as another."""
    if key != expected:
        raise error(f"{name}: key: {key!r} does not match the file name {expected!r}")
