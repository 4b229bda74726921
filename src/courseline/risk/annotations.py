"""Professional annotations: the Mullen stalker typology and the homicide-timeline stages.

These are optional fields a trained professional may pick when recording an assessment. They
are never computed from answers or incidents: a type or a stage is a judgement about a person's
motivation or a relationship's history, and a wrong label can mislead. Each explanation is in our
own short words, with the sources behind it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Reference:
    key: str
    title: str
    url: str


@dataclass(frozen=True, slots=True)
class Annotation:
    key: str
    label: str
    explanation: str
    sources: tuple[Reference, ...]


MULLEN_1999 = Reference(
    key="mullen-1999",
    title="Mullen, Pathé, Purcell and Stuart (1999), Study of stalkers, Am J Psychiatry 156(8)",
    url="https://psychiatryonline.org/doi/abs/10.1176/ajp.156.8.1244",
)
SRP_TYPES = Reference(
    key="srp-types",
    title="Stalking Risk Profile, Types of stalking",
    url="https://www.stalkingriskprofile.com/what-is-stalking/types-of-stalking",
)
MONCKTON_SMITH = Reference(
    key="monckton-smith-timeline",
    title="Press summary of Jane Monckton Smith's eight-stage homicide timeline",
    url="http://www.iainabernethy.co.uk/content/domestic-abuse-eight-stage-pattern-study",
)
MONCKTON_SMITH_PRESS = Reference(
    key="monckton-smith-brisbane-times",
    title="Brisbane Times (2019), The eight-step road map to murder",
    url="https://www.brisbanetimes.com.au/lifestyle/gender/the-eight-step-road-map-to-murder-that-might-save-women-s-lives-20190911-p52qfs.html",
)
LAMPLUGH_2017 = Reference(
    key="suzy-lamplugh-homicide-2017",
    title="Suzy Lamplugh Trust (2017), research on stalking and homicide",
    url="https://www.suzylamplugh.org/news/homicide-research",
)

MULLEN_NOTE = (
    "A professional's judgement of the person's main motivation, from Mullen and colleagues' "
    "1999 study of 145 stalkers. Types overlap and can change; a type never lowers concern."
)
TIMELINE_NOTE = (
    "A professional's judgement of where a relationship's history fits Jane Monckton Smith's "
    "eight stages, found in a study of UK intimate-partner killings. Stages are not always in "
    "order and are not a prediction. Stalking can appear at stages 1, 5 and 7."
)

_MULLEN = (MULLEN_1999, SRP_TYPES)
_TIMELINE = (MONCKTON_SMITH, MONCKTON_SMITH_PRESS)

MULLEN_TYPES: tuple[Annotation, ...] = (
    Annotation(
        key="rejected",
        label="Rejected",
        explanation=(
            "Starts when a close relationship ends, usually with an ex-partner. Wanting the "
            "person back and wanting revenge are mixed. Often goes on for a long time; in the "
            "study, assaults were more common in this group."
        ),
        sources=_MULLEN,
    ),
    Annotation(
        key="resentful",
        label="Resentful",
        explanation=(
            "Driven by a grievance: sets out to frighten and upset someone they feel has "
            "wronged or humiliated them. In the study, threats and damage to property were "
            "more common in this group."
        ),
        sources=_MULLEN,
    ),
    Annotation(
        key="intimacy_seeking",
        label="Intimacy seeking",
        explanation=(
            "Wants a loving relationship with someone they believe is meant for them. Often "
            "lonely and sometimes holding false beliefs; tends to persist and is little put "
            "off by warnings or court orders."
        ),
        sources=_MULLEN,
    ),
    Annotation(
        key="incompetent_suitor",
        label="Incompetent suitor",
        explanation=(
            "Wants a date or a relationship but lacks the social skills, and knows the "
            "interest is not returned. Often short-lived with one person, but may repeat with "
            "others."
        ),
        sources=_MULLEN,
    ),
    Annotation(
        key="predatory",
        label="Predatory",
        explanation=(
            "Secretly watches and gathers information to prepare an attack, usually sexual; "
            "usually a man targeting a woman he does not know. In the study, assaults were more "
            "common in this group."
        ),
        sources=_MULLEN,
    ),
)

TIMELINE_STAGES: tuple[Annotation, ...] = (
    Annotation(
        key="history",
        label="1. History",
        explanation=(
            "Before this relationship, the person had a history of stalking, controlling or "
            "abusing others."
        ),
        sources=(*_TIMELINE, LAMPLUGH_2017),
    ),
    Annotation(
        key="early_relationship",
        label="2. Early relationship",
        explanation=(
            "A fast, intense start: quick commitment, with jealousy or dependence showing early."
        ),
        sources=_TIMELINE,
    ),
    Annotation(
        key="relationship",
        label="3. Relationship",
        explanation=(
            "The relationship is dominated by coercive control, which may include checking "
            "where the person is or monitoring their phone."
        ),
        sources=_TIMELINE,
    ),
    Annotation(
        key="trigger",
        label="4. Trigger",
        explanation=(
            "Something threatens the person's control: separation or the threat of it, losing "
            "money or status, or illness."
        ),
        sources=_TIMELINE,
    ),
    Annotation(
        key="escalation",
        label="5. Escalation",
        explanation=(
            "Controlling behaviour becomes more frequent, more serious or more varied, "
            "including stalking and threats of suicide."
        ),
        sources=(*_TIMELINE, LAMPLUGH_2017),
    ),
    Annotation(
        key="change_in_thinking",
        label="6. Change in thinking",
        explanation=(
            "The person decides to move on, through revenge or by killing, rather than by "
            "letting go."
        ),
        sources=_TIMELINE,
    ),
    Annotation(
        key="planning",
        label="7. Planning",
        explanation=(
            "Preparation: stalking and watching, getting weapons, looking for chances to get "
            "the victim alone."
        ),
        sources=(*_TIMELINE, LAMPLUGH_2017),
    ),
    Annotation(
        key="homicide",
        label="8. Homicide",
        explanation=(
            "The killing, which may include others such as children, or be followed by the "
            "person's suicide."
        ),
        sources=_TIMELINE,
    ),
)


def mullen_type(key: str) -> Annotation:
    """The Mullen type ``key``; :class:`LookupError` names an unknown key."""
    return _find(MULLEN_TYPES, key, "Mullen type")


def timeline_stage(key: str) -> Annotation:
    """The homicide-timeline stage ``key``; :class:`LookupError` names an unknown key."""
    return _find(TIMELINE_STAGES, key, "timeline stage")


def _find(annotations: tuple[Annotation, ...], key: str, what: str) -> Annotation:
    for annotation in annotations:
        if annotation.key == key:
            return annotation
    keys = ", ".join(annotation.key for annotation in annotations)
    raise LookupError(f"unknown {what} {key!r}; expected one of {keys}")
