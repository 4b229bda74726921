"""Training scenarios: fictional vignettes, classified and judged, compared with a model answer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from courseline.law.model import Behaviour
from courseline.web.help.scenarios import ScenarioError, all_scenarios, mark, parse_scenario
from tests.conftest import sign_in


def test_there_are_scenarios_using_every_behaviour() -> None:
    scenarios = all_scenarios()
    assert len(scenarios) >= 3
    used = {b for s in scenarios for i in s.incidents for b in i.behaviours}
    assert used >= set(Behaviour) - {Behaviour.OTHER}
    for scenario in scenarios:
        assert "(fictional)" in scenario.vignette or "(fictional)" in scenario.title


def test_marking_counts_matched_missed_and_extra_behaviours() -> None:
    scenario = all_scenarios()[0]
    first = scenario.incidents[0]
    model = frozenset(first.behaviours)
    wrong = next(b for b in Behaviour if b not in model)
    result = mark(scenario, {first.key: model | {wrong}}, {}, scenario.model_judgement)
    row = result.incidents[0]
    assert set(row.matched) == model and row.extra == (wrong,) and row.missed == ()
    assert result.judgement_matches
    assert result.incidents[1].missed == tuple(
        b for b in Behaviour if b in scenario.incidents[1].behaviours
    )


def test_a_trainee_does_the_exercise_and_sees_the_model_answer(world: Any, client: Any) -> None:
    scenario = all_scenarios()[0]
    sign_in(client, world.bob)
    url = reverse("training:exercise", kwargs={"slug": scenario.slug})
    assert scenario.incidents[0].text[:30] in client.get(url).content.decode()
    first = scenario.incidents[0]
    data = {f"b_{first.key}": [b.value for b in first.behaviours], "judgement": "standard"}
    html = client.post(url, data).content.decode()
    assert f"{len(first.behaviours)} of" in html
    assert "Model answer: " + scenario.model_judgement in html
    assert "Missed" in html


def test_a_scenario_with_an_unknown_behaviour_is_refused_naming_the_file(tmp_path: Path) -> None:
    text = (Path(__file__).parents[3] / "src/courseline/web/help/scenarios").glob("*.yaml")
    sample = next(iter(text))
    broken = sample.read_text().replace("behaviours: [", "behaviours: [dancing, ", 1)
    with pytest.raises(ScenarioError, match=sample.name):
        parse_scenario(broken, source_name=sample.name)
