"""The iPhone manual checklist: answers are validated and concerning ones become findings."""

from __future__ import annotations

import pytest

from courseline.digital.devices.ios_checklist import (
    CHECKLIST,
    Answer,
    ChecklistError,
    checklist_findings,
    record_answers,
)
from courseline.digital.findings import Severity


def test_the_checklist_covers_the_four_areas() -> None:
    ids = {item.id for item in CHECKLIST}
    assert {"find-my-sharing", "family-sharing", "screen-time", "apple-account-devices"} <= ids


def test_yes_answers_become_findings_and_no_answers_do_not() -> None:
    answers = record_answers(
        {"find-my-sharing": "YES", "family-sharing": "no", "screen-time": "unsure"},
        notes={"find-my-sharing": "shared with ex-partner"},
    )
    findings = checklist_findings(answers)
    assert [(f.check, f.severity) for f in findings] == [
        ("ios-manual-find-my-sharing", Severity.HIGH),
        ("ios-manual-screen-time", Severity.LOW),
    ]
    assert findings[0].evidence["note"] == "shared with ex-partner"
    assert answers[1].answer is Answer.NO


@pytest.mark.parametrize("raw", [{"nope": "yes"}, {"find-my-sharing": "maybe"}])
def test_bad_answers_are_refused(raw: dict[str, str]) -> None:
    with pytest.raises(ChecklistError):
        record_answers(raw)
