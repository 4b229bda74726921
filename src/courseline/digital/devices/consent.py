"""The consent record a live device check needs before anything runs on the phone."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

STATEMENT = (
    "The device owner is present, was told what the check reads (the list of apps and "
    "security settings, nothing from messages, photos or accounts), that the results are kept "
    "in their case record, and agreed to the check."
)


class ConsentError(Exception):
    """No valid consent was recorded, so the check must not run."""


@dataclass(frozen=True, slots=True)
class Consent:
    owner: str
    recorded_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    consultant: str | None = None
    statement: str = STATEMENT

    def __post_init__(self) -> None:
        owner = self.owner.strip() if isinstance(self.owner, str) else ""
        if not owner:
            raise ConsentError("consent needs the name of the device owner who is present")
        if len(owner) > 200:
            raise ConsentError("the owner's name is too long")
        object.__setattr__(self, "owner", owner)
        if self.recorded_at.tzinfo is None:
            raise ConsentError("the consent time must carry a time zone")

    def to_json(self) -> dict[str, str | None]:
        return {
            "owner": self.owner,
            "consultant": self.consultant,
            "recorded_at": self.recorded_at.isoformat(),
            "statement": self.statement,
        }
