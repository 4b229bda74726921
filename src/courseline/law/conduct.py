"""Suggest behaviour keys for a victim's free-text description of an incident.

``suggest(text)`` reads a description such as "he kept ringin me and then sat outside me house"
and returns the behaviours it probably describes (here ``contacting`` and ``loitering``), each with
a score and the words that triggered it, so that a person can confirm or reject them. Suggestions
are never recorded as confirmed behaviours by themselves (see ``IncidentRecord.behaviours``).

How it works (offline, explainable, no model):

* The rules are in ``lexicon.yaml`` next to this module: for each behaviour, weighted regular
  expressions (with shared macros for UK/Irish vocabulary, texting spellings and inflections).
  The file is read and compiled once, on first use.
* A match is dropped when it is negated: a negation word ("didn't", "no", "never", "hasn't" ...)
  comes just before it with only see-through words between ("hasn't even contacted me",
  "no more calls"), or a word such as "stopped" follows it ("the calls have stopped"). A negation
  followed by "stop"/"leave"... is not a negation ("wouldn't stop ringing").
* A match whose clause has someone else as its subject ("my mam rang me", "Solicitor will ring
  me") is dropped, except for ``third_party_contact``.
* A match preceded by a word of fear or possibility ("I'm scared he might follow me") counts half,
  except for ``threats_violence``.
* A behaviour's score is ``1 - prod(1 - weight)`` over the distinct rules that matched. Words
  that say it happened a lot nearby ("kept", "again", "loads of", "20 times") raise it further.
* Behaviours scoring at least ``THRESHOLD`` are returned, best first.
* ``Behaviour.OTHER`` is returned only when no specific behaviour reached the threshold but the
  text still describes unwanted conduct ("he won't leave me alone", "I'm terrified", "harassing
  me"). An everyday or empty description gets no suggestion at all (``[]``), and ``other`` is
  never returned together with a specific behaviour.

Framework-free: no Django, Typer or Rich.
"""

from __future__ import annotations

import functools
import importlib
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml

from courseline.law.model import Behaviour

__all__ = [
    "LEXICON_RESOURCE",
    "MAX_TRIGGERS",
    "THRESHOLD",
    "Suggestion",
    "suggest",
    "suggest_many",
]

THRESHOLD = 0.5
"""Minimum score (0..1) for a behaviour to be suggested."""

MAX_TRIGGERS = 8
"""At most this many distinct trigger phrases are reported per suggestion."""

LEXICON_RESOURCE = "lexicon.yaml"
"""The rules file, shipped inside the ``courseline.law`` package."""

_SPECIFIC = tuple(b for b in Behaviour if b is not Behaviour.OTHER)
_ORDER = {b: i for i, b in enumerate(Behaviour)}
# Same-length replacements, so that offsets in the normalised text are offsets in the original.
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "\u00b4": "'"})
_TOKEN = re.compile(r"[\w']+|[^\w\s']")
_MACRO = re.compile(r"@([a-z_]+)")
_LOOKBEHIND = re.compile(r"\(\?<[!=][^()]*\)")
_NEGATION_IN_SOURCE = re.compile(r"n'\?t|n't|never|\bnot\b|\bno\b|nobody|without")
_CLAUSE_BREAK = re.compile(
    r"[.!?;:,\n()\"]|\b(?:and|but|then|so|because|cos|coz|when|while|after|before|until|"
    r"though|although|since|as)\b",
    re.IGNORECASE,
)
_CONTEXT = 80  # characters of context inspected either side of a match
_GATE = 3  # a rule is only tried on text containing a word that starts like one of its matches
_CHUNK = 1000  # long texts are matched (and gated) in pieces of about this many characters
_WORD_START = re.compile(r"(?<!\w)\S")
_CHUNK_END = re.compile(r"[.!?\n]\s")


@dataclass(frozen=True, slots=True)
class Suggestion:
    """One suggested behaviour: how confident (0..1) and which words of the text suggested it."""

    behaviour: Behaviour
    score: float
    triggers: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Rule:
    weight: float
    regex: re.Pattern[str]
    source: str
    negation_inside: bool
    # Every match starts with one of these (lower-case, 1 to _GATE characters); None: unknown.
    starts: frozenset[str] | None


@dataclass(frozen=True, slots=True)
class _Lexicon:
    rules: Mapping[Behaviour, tuple[_Rule, ...]]
    other: tuple[_Rule, ...]
    negation_cues: frozenset[str]
    transparent: frozenset[str]
    breakers: frozenset[str]
    after: frozenset[str]
    after_transparent: frozenset[str]
    hypothetical: frozenset[str]
    hypothetical_factor: float
    intensifier: re.Pattern[str]
    intensifier_window: int
    intensifier_boost: float
    intensifier_min: float
    benign: re.Pattern[str]


# --------------------------------------------------------------------------------------------
# Loading


def _lines(block: str) -> list[tuple[str, str]]:
    """Split a "<first> <rest>" block into pairs, skipping blank lines and comments."""
    pairs = []
    for raw in block.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        head, _, rest = line.partition(" ")
        if not rest.strip():
            raise ValueError(f"lexicon line without a pattern: {line!r}")
        pairs.append((head, rest.strip()))
    return pairs


def _expand(pattern: str, macros: Mapping[str, str]) -> str:
    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in macros:
            raise ValueError(f"unknown lexicon macro @{name} in {pattern!r}")
        return macros[name]

    expanded = _MACRO.sub(replace, pattern)
    # Look-behinds must have a fixed width: their spaces stay single spaces.
    expanded = _LOOKBEHIND.sub(lambda m: m.group().replace(" ", r"\x20"), expanded)
    # Any other literal space matches a run of whitespace (line breaks, double spaces, tabs);
    # an optional space (" ?", as in "air ?tag") matches none or some.
    return expanded.replace(" ?", r"\s*").replace(" ", r"\s+")


def _compile(pattern: str, macros: Mapping[str, str]) -> re.Pattern[str]:
    return re.compile(rf"(?<!\w)(?:{_expand(pattern, macros)})(?!\w)", re.IGNORECASE)


def _rules(block: str, macros: Mapping[str, str]) -> tuple[_Rule, ...]:
    rules = []
    for weight, pattern in _lines(block):
        value = float(weight)
        if not 0.0 < value <= 1.0:
            raise ValueError(f"lexicon weight out of range: {weight} {pattern!r}")
        regex = _compile(pattern, macros)
        rules.append(
            _Rule(
                weight=value,
                regex=regex,
                source=pattern,
                negation_inside=bool(_NEGATION_IN_SOURCE.search(pattern)),
                starts=_starts(regex.pattern),
            )
        )
    return tuple(rules)


def _starts(pattern: str) -> frozenset[str] | None:
    """The strings (up to ``_GATE`` characters) that every match of ``pattern`` starts with.

    Worked out from the parsed regular expression; None when a match may start with any
    character (a class such as ``\\w``), in which case the rule is always tried.
    """
    try:
        parser: Any = importlib.import_module("re._parser")
        parsed = list(parser.parse(pattern, re.IGNORECASE))
        found: set[str] = set()
        _walk(parser, parsed, "", found, depth=0)
    except (ImportError, AttributeError, re.error, RecursionError, _Unknown):
        return None
    if not found or "" in found:
        return None
    return frozenset(found)


class _Unknown(Exception):
    """The start of a pattern cannot be enumerated."""


def _walk(parser: Any, items: list[Any], prefix: str, found: set[str], depth: int) -> None:
    if depth > 60 or len(found) > 3000:
        raise _Unknown
    if len(prefix) >= _GATE or not items:
        found.add(prefix)
        return
    (op, av), rest = items[0], items[1:]
    for following, longer in _steps(parser, op, av, rest, prefix):
        _walk(parser, following, longer, found, depth + 1)


def _steps(
    parser: Any, op: Any, av: Any, rest: list[Any], prefix: str
) -> list[tuple[list[Any], str]]:
    """The ways to go on from one parsed item: (items still to match, prefix so far)."""
    if op in (parser.ASSERT, parser.ASSERT_NOT, parser.AT):
        return [(rest, prefix)]
    if op is parser.LITERAL:
        return [(rest, prefix + chr(av).lower())]
    if op is parser.SUBPATTERN:
        return [(list(av[-1]) + rest, prefix)]
    if op is parser.BRANCH:
        return [(list(alternative) + rest, prefix) for alternative in av[1]]
    if op in (parser.MAX_REPEAT, parser.MIN_REPEAT):
        low, high, item = av
        steps = [(rest, prefix)] if low == 0 else []
        if high != 0:
            again = (op, (max(low - 1, 0), high if high is parser.MAXREPEAT else high - 1, item))
            steps.append((list(item) + [again] + rest, prefix))
        return steps
    if op is parser.IN and all(o is parser.LITERAL for o, _ in av) and len(av) <= 20:
        return [(rest, prefix + chr(code).lower()) for _, code in av]
    # a class, a range, "any character": the known start ends here
    if not prefix:
        raise _Unknown
    return [([], prefix)]


def _words(values: Iterable[Any]) -> frozenset[str]:
    return frozenset(_plain(str(v)) for v in values)


def _plain(token: str) -> str:
    return token.lower().replace("'", "")


def _build(data: Mapping[str, Any]) -> _Lexicon:
    macros: dict[str, str] = {}
    for name, pattern in _lines(data["macros"]):
        macros[name] = "(?:" + _MACRO.sub(lambda m: macros[m.group(1)], pattern) + ")"
    behaviours = data["behaviours"]
    unknown = set(behaviours) - {b.value for b in _SPECIFIC}
    if unknown:
        raise ValueError(f"lexicon has unknown behaviour keys: {sorted(unknown)}")
    negation = data["negation"]
    hypothetical = data["hypothetical"]
    intensifiers = data["intensifiers"]
    intensifier_source = "|".join(p for _, p in _lines(intensifiers["patterns"]))
    benign_source = "|".join(p for _, p in _lines(data["benign_subjects"]))
    pronoun = r"(?!(?:he|him|his|hes|he's|hed|he'd|he'll|they|them|someone)\b)"
    return _Lexicon(
        rules={b: _rules(behaviours.get(b.value, ""), macros) for b in _SPECIFIC},
        other=_rules(data["other"], macros),
        negation_cues=_words(negation["cues"]),
        transparent=_words(negation["transparent"]),
        breakers=_words(negation["breakers"]),
        after=_words(negation["after"]),
        after_transparent=_words(negation["after_transparent"]),
        hypothetical=_words(hypothetical["cues"]),
        hypothetical_factor=float(hypothetical["factor"]),
        intensifier=_compile(intensifier_source, macros),
        intensifier_window=int(intensifiers["window"]),
        intensifier_boost=float(intensifiers["boost"]),
        intensifier_min=float(intensifiers["min_score"]),
        benign=re.compile(
            rf"\s*(?:{_expand(benign_source, macros)})(?:\s+{pronoun}[\w']+){{0,2}}\s*$",
            re.IGNORECASE,
        ),
    )


@functools.cache
def _lexicon() -> _Lexicon:
    text = resources.files("courseline.law").joinpath(LEXICON_RESOURCE).read_text("utf-8")
    data = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise ValueError("the conduct lexicon must be a mapping")
    return _build(data)


# --------------------------------------------------------------------------------------------
# Matching


def _tokens(text: str) -> list[str]:
    return [_plain(t) for t in _TOKEN.findall(text)]


def _context_before(lex: _Lexicon, text: str, start: int) -> str:
    """Negation or hypothesis just before ``start``: "neg", "hyp" or ""."""
    tokens = _tokens(text[max(0, start - _CONTEXT) : start])
    following = ""  # the token between the one inspected and the trigger
    for token in reversed(tokens):
        if token in lex.negation_cues:
            return "" if following in lex.breakers else "neg"
        if token in ("or", "nor"):
            # "hasn't followed me or been outside": the negation covers the whole clause
            return "neg" if any(t in lex.negation_cues for t in _clause_tokens(tokens)) else ""
        if token in lex.hypothetical:
            return "hyp"
        if token not in lex.transparent:
            return ""
        following = token
    return ""


def _clause_tokens(tokens: list[str]) -> list[str]:
    """The tokens after the last punctuation mark."""
    for i in range(len(tokens) - 1, -1, -1):
        if not tokens[i][0].isalnum() and tokens[i][0] not in "_'":
            return tokens[i + 1 :]
    return tokens


def _negated_inside(lex: _Lexicon, trigger: str) -> bool:
    tokens = _tokens(trigger)
    for i, token in enumerate(tokens):
        if token in lex.negation_cues:
            nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
            if nxt not in lex.breakers:
                return True
    return False


def _negated_after(lex: _Lexicon, text: str, end: int) -> bool:
    for token in _tokens(text[end : end + _CONTEXT // 2]):
        if token in lex.after:
            return True
        if token not in lex.after_transparent:
            return False
    return False


def _benign_subject(lex: _Lexicon, text: str, start: int) -> bool:
    before = text[max(0, start - _CONTEXT) : start]
    breaks = list(_CLAUSE_BREAK.finditer(before))
    clause = before[breaks[-1].end() :] if breaks else before
    return bool(lex.benign.match(clause))


@dataclass(slots=True)
class _Hits:
    weights: dict[int, float]
    spans: list[tuple[int, int]]


def _chunks(text: str) -> list[tuple[int, int, frozenset[str]]]:
    """Pieces of the text, cut after a sentence, each with the starts of its words."""
    spans = []
    start = 0
    while len(text) - start > _CHUNK:
        cut = _CHUNK_END.search(text, start + _CHUNK // 2, start + _CHUNK)
        end = cut.end() if cut else start + _CHUNK
        spans.append((start, end))
        start = end
    spans.append((start, len(text)))
    chunks = []
    for start, end in spans:
        starts: set[str] = set()
        for m in _WORD_START.finditer(text, start, end):
            gram = text[m.start() : m.start() + _GATE].lower()
            starts.update(gram[:i] for i in range(1, len(gram) + 1))
        chunks.append((start, end, frozenset(starts)))
    return chunks


def _match(
    lex: _Lexicon,
    rules: tuple[_Rule, ...],
    text: str,
    chunks: list[tuple[int, int, frozenset[str]]],
    *,
    behaviour: Behaviour | None,
) -> _Hits:
    hits = _Hits(weights={}, spans=[])
    for index, rule in enumerate(rules):
        for start, end, starts in chunks:
            if rule.starts is None or not rule.starts.isdisjoint(starts):
                _match_rule(lex, rule, index, text, start, end, behaviour, hits)
    return hits


def _match_rule(
    lex: _Lexicon,
    rule: _Rule,
    index: int,
    text: str,
    start: int,
    end: int,
    behaviour: Behaviour | None,
    hits: _Hits,
) -> None:
    for m in rule.regex.finditer(text, start, end):
        if m.end() == m.start():
            continue
        if not rule.negation_inside and _negated_inside(lex, m.group()):
            continue
        context = _context_before(lex, text, m.start())
        if context == "neg" or _negated_after(lex, text, m.end()):
            continue
        if behaviour not in (None, Behaviour.THIRD_PARTY_CONTACT) and _benign_subject(
            lex, text, m.start()
        ):
            continue
        weight = rule.weight
        if context == "hyp" and behaviour is not Behaviour.THREATS_VIOLENCE:
            weight *= lex.hypothetical_factor
        hits.weights[index] = max(hits.weights.get(index, 0.0), weight)
        hits.spans.append((m.start(), m.end()))


def _score(lex: _Lexicon, hits: _Hits, intensifiers: list[tuple[int, int]]) -> float:
    score = 1.0 - math.prod(1.0 - w for w in hits.weights.values())
    window = lex.intensifier_window
    if score >= lex.intensifier_min and any(
        i_start - window <= end and start - window <= i_end
        for start, end in hits.spans
        for i_start, i_end in intensifiers
    ):
        score += (1.0 - score) * lex.intensifier_boost
    return round(min(score, 1.0), 3)


def _triggers(original: str, spans: list[tuple[int, int]]) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for start, end in sorted(spans):
        phrase = original[start:end]
        key = " ".join(phrase.lower().split())
        if key not in seen:
            seen[key] = phrase
        if len(seen) >= MAX_TRIGGERS:
            break
    return tuple(seen.values())


def suggest(text: str) -> list[Suggestion]:
    """Suggest the behaviours a description of an incident probably describes.

    Returns suggestions with ``score >= THRESHOLD``, best first (ties in ``Behaviour`` order),
    one per behaviour; each ``trigger`` is a substring of ``text``. Empty or everyday text gives
    ``[]``; ``Behaviour.OTHER`` comes only alone (see the module documentation).
    """
    if not text or text.isspace():
        return []
    lex = _lexicon()
    normal = text.translate(_APOSTROPHES)
    intensifiers = [m.span() for m in lex.intensifier.finditer(normal)]
    chunks = _chunks(normal)
    found: list[Suggestion] = []
    for behaviour in _SPECIFIC:
        hits = _match(lex, lex.rules[behaviour], normal, chunks, behaviour=behaviour)
        if not hits.weights:
            continue
        score = _score(lex, hits, intensifiers)
        if score >= THRESHOLD:
            found.append(Suggestion(behaviour, score, _triggers(text, hits.spans)))
    if not found:
        hits = _match(lex, lex.other, normal, chunks, behaviour=None)
        if hits.weights:
            score = _score(lex, hits, intensifiers)
            if score >= THRESHOLD:
                found.append(Suggestion(Behaviour.OTHER, score, _triggers(text, hits.spans)))
    found.sort(key=lambda s: (-s.score, _ORDER[s.behaviour]))
    return found


def suggest_many(texts: Iterable[str]) -> list[list[Suggestion]]:
    """``suggest`` for each text, in order."""
    return [suggest(text) for text in texts]
