"""Guided manual checks for an iPhone: things no scan can see, asked and recorded as data.

Each item says how to look (on the person's phone, with them) and why it matters. Recorded
answers become findings when they show a way someone else could be watching.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from courseline.digital.devices.checks.base import SAFETY_FIRST
from courseline.digital.findings import Confidence, Finding, Severity


class Answer(StrEnum):
    YES = "yes"
    NO = "no"
    UNSURE = "unsure"
    NOT_CHECKED = "not-checked"


@dataclass(frozen=True, slots=True)
class ChecklistItem:
    id: str
    question: str
    how_to_check: str
    why: str
    severity: Severity


CHECKLIST: tuple[ChecklistItem, ...] = (
    ChecklistItem(
        "find-my-sharing",
        "Is the person's location shared with someone they did not choose, or no longer want?",
        "Open Find My > People, and Settings > [name] > Find My > Share My Location; also "
        "look at location sharing in Google Maps, WhatsApp and similar apps.",
        "Anyone in this list sees where the phone is, continuously.",
        Severity.HIGH,
    ),
    ChecklistItem(
        "family-sharing",
        "Is the phone in a Family Sharing group organised by someone else?",
        "Open Settings > [name] > Family. Note who the organiser is.",
        "The organiser can see location (if shared), purchases and, for child accounts, "
        "control Screen Time.",
        Severity.HIGH,
    ),
    ChecklistItem(
        "screen-time",
        "Is Screen Time set up by someone else, or locked with a passcode the person does not "
        "know?",
        "Open Settings > Screen Time: look for a Screen Time passcode, 'managed by' a family "
        "member, or limits the person did not set.",
        "Screen Time lets another person see app use and block or allow apps and contacts.",
        Severity.HIGH,
    ),
    ChecklistItem(
        "apple-account-devices",
        "Are devices the person does not recognise signed in to their Apple Account?",
        "Open Settings > [name] and scroll to the device list; tap each one.",
        "Another Mac, iPad or iPhone on the account can receive messages, photos, notes and "
        "location.",
        Severity.HIGH,
    ),
    ChecklistItem(
        "apple-account-access",
        "Does anyone else know the Apple Account password, or control its trusted phone "
        "number or recovery e-mail?",
        "Open Settings > [name] > Sign-In & Security: check the trusted phone numbers and "
        "e-mail addresses; ask who else knows the password.",
        "Whoever can sign in can read iCloud data (messages, photos, backups) from anywhere.",
        Severity.HIGH,
    ),
)


@dataclass(frozen=True, slots=True)
class ChecklistAnswer:
    item: str
    answer: Answer
    note: str = ""


class ChecklistError(ValueError):
    """An answer names an unknown item or an unknown answer."""


def record_answers(
    raw: Mapping[str, str], notes: Mapping[str, str] | None = None
) -> list[ChecklistAnswer]:
    """Validate answers (``{"find-my-sharing": "yes", ...}``) against the checklist."""
    known = {item.id for item in CHECKLIST}
    answers = []
    for item_id, value in raw.items():
        if item_id not in known:
            raise ChecklistError(f"unknown checklist item {item_id!r}; known: {sorted(known)}")
        try:
            answer = Answer(value.strip().lower())
        except ValueError:
            choices = ", ".join(a.value for a in Answer)
            raise ChecklistError(f"{item_id}: answer must be one of {choices}") from None
        answers.append(ChecklistAnswer(item_id, answer, (notes or {}).get(item_id, "")[:1000]))
    return answers


def checklist_findings(answers: list[ChecklistAnswer]) -> list[Finding]:
    """A finding for each "yes" (a concern) and a lower one for each "unsure"."""
    items = {item.id: item for item in CHECKLIST}
    findings = []
    for recorded in answers:
        item = items[recorded.item]
        if recorded.answer not in (Answer.YES, Answer.UNSURE):
            continue
        sure = recorded.answer is Answer.YES
        findings.append(
            Finding(
                check=f"ios-manual-{item.id}",
                severity=item.severity if sure else Severity.LOW,
                confidence=Confidence.HIGH if sure else Confidence.LOW,
                title=item.question if sure else f"Not sure: {item.question}",
                meaning=item.why,
                not_meaning=(
                    "This was answered by looking at the phone with the person; it shows a "
                    "way someone could be watching, not that they are."
                ),
                next_step=SAFETY_FIRST,
                evidence={"item": item.id, "answer": recorded.answer.value, "note": recorded.note},
            )
        )
    return findings
