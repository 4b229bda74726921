"""The shared vocabulary of the course-of-conduct work: behaviour keys and incident records.

Everything else in ``courseline.law`` (jurisdiction data, suggestion, analysis) and the web
and CLI layers speak in these types. Pure Python: no Django, no I/O.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum


class Behaviour(StrEnum):
    """What the perpetrator did, in keys shared by every jurisdiction.

    Each jurisdiction's data file maps its own listed behaviours onto these keys.
    """

    FOLLOWING = "following"
    CONTACTING = "contacting"
    PUBLISHING = "publishing"
    MONITORING_ELECTRONIC = "monitoring_electronic"
    LOITERING = "loitering"
    INTERFERING_PROPERTY = "interfering_property"
    WATCHING_SPYING = "watching_spying"
    ENTERING_PREMISES = "entering_premises"
    GIVING_LEAVING_ITEMS = "giving_leaving_items"
    THREATS_VIOLENCE = "threats_violence"
    THIRD_PARTY_CONTACT = "third_party_contact"
    IMPERSONATING = "impersonating"
    OTHER = "other"


BEHAVIOUR_LABELS: dict[Behaviour, str] = {
    Behaviour.FOLLOWING: "Following",
    Behaviour.CONTACTING: "Contacting or trying to contact",
    Behaviour.PUBLISHING: "Publishing statements or material about the person",
    Behaviour.MONITORING_ELECTRONIC: "Monitoring phone, e-mail, accounts or location",
    Behaviour.LOITERING: "Loitering or turning up",
    Behaviour.INTERFERING_PROPERTY: "Interfering with property or pets",
    Behaviour.WATCHING_SPYING: "Watching or spying",
    Behaviour.ENTERING_PREMISES: "Entering home, work or other premises",
    Behaviour.GIVING_LEAVING_ITEMS: "Giving, sending or leaving items",
    Behaviour.THREATS_VIOLENCE: "Threats or violence",
    Behaviour.THIRD_PARTY_CONTACT: "Contacting or using other people",
    Behaviour.IMPERSONATING: "Pretending to be the person or someone else",
    Behaviour.OTHER: "Something else",
}


class TimePrecision(StrEnum):
    EXACT = "exact"
    APPROXIMATE = "approximate"
    RANGE = "range"


class Fear(StrEnum):
    """Did the victim fear that violence would be used against them on this occasion?"""

    YES = "yes"
    NO = "no"
    UNSURE = "unsure"


class Impact(StrEnum):
    """Structured effects on day-to-day life ("substantial adverse effect" evidence)."""

    CHANGED_ROUTINE = "changed_routine"
    WORK = "work"
    HOME = "home"
    SECURITY = "security"
    SOCIAL = "social"
    HEALTH = "health"
    CHILDREN = "children"


IMPACT_LABELS: dict[Impact, str] = {
    Impact.CHANGED_ROUTINE: "Changed routine or route",
    Impact.WORK: "Time off work or a change of work",
    Impact.HOME: "Moved or stayed away from home",
    Impact.SECURITY: "Added security (locks, cameras, alarms)",
    Impact.SOCIAL: "Stopped going out or seeing people",
    Impact.HEALTH: "Effects on physical or mental health",
    Impact.CHILDREN: "Changes to children's arrangements",
}


class Place(StrEnum):
    """Where it happened, coarsely: approaches to home or work are an escalation signal."""

    HOME = "home"
    WORK = "work"
    SCHOOL = "school"
    PUBLIC = "public"
    ONLINE = "online"
    OTHER = "other"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class IncidentRecord:
    """One incident of the log, as the analysis sees it.

    ``start`` is the event time (timezone-aware). For ``RANGE`` precision, ``end`` is the
    latest time it can have happened; for the others ``end`` is None. ``behaviours`` are the
    ones a person confirmed, never unconfirmed suggestions. ``perpetrator`` is an opaque key
    (the case's person id as text), or None when unknown.
    """

    id: str
    start: dt.datetime
    text: str
    behaviours: frozenset[Behaviour]
    perpetrator: str | None = None
    precision: TimePrecision = TimePrecision.EXACT
    end: dt.datetime | None = None
    place: Place = Place.UNKNOWN
    location: str = ""
    channel: str = ""
    fear_of_violence: Fear = Fear.UNSURE
    impacts: frozenset[Impact] = field(default_factory=frozenset)
    impact_notes: str = ""
    third_parties_involved: bool = False
    reported_to_police: bool = False

    def __post_init__(self) -> None:
        if self.start.tzinfo is None:
            raise ValueError("incident times must be timezone-aware")
        if self.precision is TimePrecision.RANGE:
            if self.end is None or self.end < self.start:
                raise ValueError("a time range needs an end at or after its start")
        elif self.end is not None:
            raise ValueError("only a time range has an end")

    @property
    def latest(self) -> dt.datetime:
        """The latest moment the incident can have happened (for time limits)."""
        return self.end or self.start
