"""Police-style exhibit references: the producer's initials and a sequence, e.g. ``AB/1``.

The person who produces an item gives it their initials and the next number in their own
sequence for the case (``AB/1``, ``AB/2``, ... then ``AB/10``). Initials come from the
producer's name; a caseworker can also type them in (two staff with the same initials in one
case usually add a letter, e.g. ``ABC``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

MAX_INITIALS = 4
"""Long names keep the first three parts and the last: 'Maria del Carmen García' -> 'MDCG'."""

_REF = re.compile(r"^\s*([^\W\d_]{1,6})\s*/\s*([1-9][0-9]{0,8})\s*$")
_APOSTROPHES = "'\u2019\u02bc\u2018`\u00b4"
_NO_DECOMPOSITION = str.maketrans("ŁłØøĐđÐðÞþÆæŒœßĦħŦŧıĿŀ", "LlOoDdDdTtAaOoSHhTtiLl")
"""Latin letters that Unicode does not decompose into a base letter and a mark."""
_SEPARATORS = re.compile(r"[\s\-\u2010\u2011\u2012\u2013\u2014.,_/()]+")


def _initial(part: str) -> str | None:
    """The first letter of a name part as an upper-case letter, ASCII where it has a base."""
    for char in part:
        if not char.isalpha():
            continue
        base = unicodedata.normalize("NFKD", char.translate(_NO_DECOMPOSITION))[0]
        letter = base if base.isascii() and base.isalpha() else char
        return letter.upper()
    return None


def initials_from_name(name: str) -> str:
    """Initials for a person's name: hyphenated parts count, apostrophes do not split.

    'Jane Smith' -> 'JS'; 'Anne-Marie O'Neill' -> 'AMO'; 'Zoë Ó Súilleabháin' -> 'ZOS';
    'Madonna' -> 'M'. Raises ``ValueError`` when the name has no letters at all.
    """
    text = unicodedata.normalize("NFC", name)
    for mark in _APOSTROPHES:
        text = text.replace(mark, "")
    letters = [initial for part in _SEPARATORS.split(text) if (initial := _initial(part))]
    if not letters:
        raise ValueError("a name needs at least one letter to give initials")
    if len(letters) > MAX_INITIALS:
        letters = [*letters[: MAX_INITIALS - 1], letters[-1]]
    return "".join(letters)


def normalise_initials(text: str) -> str:
    """Check initials typed by a person: 1 to 6 letters, returned in upper case."""
    cleaned = unicodedata.normalize("NFC", text.strip()).upper()
    if not 1 <= len(cleaned) <= 6 or not all(c.isalpha() for c in cleaned):
        raise ValueError("initials must be 1 to 6 letters")
    return cleaned


def parse_exhibit_ref(ref: str) -> tuple[str, int] | None:
    """``'AB/12'`` -> ``('AB', 12)``; None for anything that is not an exhibit reference."""
    match = _REF.match(unicodedata.normalize("NFC", ref))
    if match is None:
        return None
    return match.group(1).upper(), int(match.group(2))


def format_exhibit_ref(initials: str, number: int) -> str:
    if number < 1:
        raise ValueError("exhibit numbers start at 1")
    return f"{normalise_initials(initials)}/{number}"


def next_exhibit_ref(initials: str, existing_refs: Iterable[str]) -> str:
    """The next reference in this producer's sequence, after the highest one already used.

    Gaps are not filled (a withdrawn ``AB/2`` stays withdrawn): numbers are never reused.
    References with other initials and malformed ones are ignored.
    """
    wanted = normalise_initials(initials)
    highest = 0
    for ref in existing_refs:
        parsed = parse_exhibit_ref(ref)
        if parsed is not None and parsed[0] == wanted:
            highest = max(highest, parsed[1])
    return format_exhibit_ref(wanted, highest + 1)


def exhibit_sort_key(ref: str) -> tuple[int, str, int, str]:
    """Sort references as people read them: AB/2 before AB/10; malformed ones last."""
    parsed = parse_exhibit_ref(ref)
    if parsed is None:
        return (1, "", 0, ref)
    return (0, parsed[0], parsed[1], ref)
