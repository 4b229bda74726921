"""docs/adding-a-risk-instrument.md: its example loads and its vocabulary table is complete."""

from __future__ import annotations

import re
from pathlib import Path

from courseline.risk.instruments import (
    SUGGEST_PREFIXES,
    SUGGEST_TERMS,
    load_instrument_file,
    score,
)

RECIPE = Path(__file__).resolve().parents[2] / "docs" / "adding-a-risk-instrument.md"


def test_the_recipes_example_instrument_loads_and_scores(tmp_path: Path) -> None:
    text = RECIPE.read_text(encoding="utf-8")
    example = re.search(r"```yaml\n(.*?)```", text, re.S)
    assert example
    path = tmp_path / "workplace-screen.yaml"
    path.write_text(example.group(1), encoding="utf-8")
    instrument = load_instrument_file(path)
    result = score(instrument, {"threats": "yes"})
    assert result.raises_concern
    assert [p.key for p in result.referral_prompts] == ["police"]


def test_the_recipe_documents_every_suggest_from_term() -> None:
    text = RECIPE.read_text(encoding="utf-8")
    for term in SUGGEST_TERMS:
        assert f"| `{term}` |" in text, term
    for prefix in SUGGEST_PREFIXES:
        assert f"| `{prefix}<" in text, prefix
