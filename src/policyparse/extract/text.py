"""Where things stand in the normalized text: sentences, clauses, paragraphs and sections."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any, Generic, Protocol, TypeVar

from .. import regexcache
from ..memo import ByIdentity
from ..models import Section

SENTENCE_ENDS = "。！？；;!?\n"
CLAUSE_ENDS = SENTENCE_ENDS + "，,：:"


def holds_any(text: str, words: list[str]) -> bool:
    """Whether any of `words` stands in `text`."""
    return any(word in text for word in words)


LEADING_BLANKS = regexcache.compile(r"[ \t]*")


# A text and a set of end marks → the offsets of those marks in it; a text → the text reversed.
MARKS_KEPT = 8
_MARKS = ByIdentity[str, list[int]](kept=MARKS_KEPT)
_REVERSED = ByIdentity[str, str](kept=MARKS_KEPT)
# End marks this close to an offset are searched for; past that, the text's list of them is looked up.
NEAR = 256


@cache
def _class_of(ends: str) -> re.Pattern[str]:
    return regexcache.compile(f"[{re.escape(ends)}]")


def _end_marks(text: str, ends: str) -> list[int]:
    """Offsets of the end marks of `text`, found once per text: a sentence of ten thousand figures is
    looked up ten thousand times, and a scan per lookup made that quadratic."""
    return _MARKS.get(text, lambda text: [found.start() for found in _class_of(ends).finditer(text)], ends)


def marks_around(text: str, pos: int, ends: str) -> tuple[int, int]:
    """(the offset of the last end mark before `pos`, or -1; of the first at or after it, or `len(text)`).

    Searched for within `NEAR` characters each way (the reversed text searched for the one before), which
    costs less than listing a text's marks (most of a document's sentences hold no figure); past that,
    looked up in `_end_marks`, and from then on in it alone.
    """
    marks = _MARKS.made(text, ends)
    if marks is None:
        mark, size = _class_of(ends), len(text)
        ahead = mark.search(text, pos, pos + NEAR)
        back = mark.search(_REVERSED.get(text, _reversed), size - pos, size - pos + NEAR)
        if (ahead is not None or pos + NEAR >= size) and (back is not None or pos <= NEAR):
            return (size - 1 - back.start() if back else -1), (ahead.start() if ahead else size)
        marks = _end_marks(text, ends)
    after = bisect.bisect_left(marks, pos)
    return (marks[after - 1] if after else -1), (marks[after] if after < len(marks) else len(text))


def _reversed(text: str) -> str:
    return text[::-1]


# Stretches closer than this are searched as one: a search costs more than the characters between them.
STRETCH_GAP = 100


def stretches_around(text: str, offsets: Iterable[int], end: str) -> list[tuple[int, int]]:
    """(pos, endpos) of the stretches of `text` that hold one of `offsets`, each from after an `end` through
    the next one, in order, near ones merged. A pattern that cannot match `end` (`regexcache.barriers`) finds
    in them, searched with that `pos` and `endpos`, what it finds there in the whole text."""
    out: list[tuple[int, int]] = []
    for offset in sorted(offsets):
        if out and offset < out[-1][1]:
            continue
        before, after = marks_around(text, offset, end)
        lo, hi = before + 1, min(after + 1, len(text))
        if out and lo - out[-1][1] < STRETCH_GAP:
            out[-1] = (out[-1][0], hi)
        else:
            out.append((lo, hi))
    return out


# A character a pattern's matches need that stands at most once in this many characters of a text is
# searched around, in the stretches between `STRETCH_ENDS` that hold it, not through the whole text.
SPARSE = 100
STRETCH_ENDS = "。，\n"


def find_all(pattern: re.Pattern[str], text: str, pos: int = 0, endpos: int | None = None) -> Iterator[re.Match[str]]:
    """`pattern.finditer(text, pos, endpos)`, run only where a match can be: not at all over a text that lacks
    every character one of which its matches need (`regexcache.can_match`); only around it when that is one
    character, rare in the text, which `re` does not skip to by itself (`到2025年`: `年`; `由…牵头`: `牵`)."""
    endpos = len(text) if endpos is None else endpos
    if not regexcache.can_match(pattern, text):
        return iter(())
    needed = regexcache.needed(pattern)
    end = regexcache.barriers(pattern, STRETCH_ENDS)[:1]
    if needed is None or len(needed) > 1 or not end or regexcache.opening_literal(pattern) == needed or \
            text.count(needed, pos, endpos) * SPARSE > endpos - pos:
        return regexcache.finditer(pattern, text, pos, endpos)
    return (found for lo, hi in _stretches_holding(text, needed, end, pos, endpos)
            for found in pattern.finditer(text, lo, hi))


# A text → its stretches holding a character, for each (character, end, pos, endpos) asked: the rules of time
# limits need `年` and stop at `。`, and finding the stretches is most of their search.
_STRETCHES = ByIdentity[str, list[tuple[int, int]]](kept=32)


def _stretches_holding(text: str, char: str, end: str, pos: int, endpos: int) -> list[tuple[int, int]]:
    """`stretches_around` the places of `char` in text[pos:endpos], cut to it."""
    def make(text: str) -> list[tuple[int, int]]:
        offsets = []
        at = text.find(char, pos, endpos)
        while at != -1:
            offsets.append(at)
            at = text.find(char, at + 1, endpos)
        return [(max(lo, pos), min(hi, endpos)) for lo, hi in stretches_around(text, offsets, end)]

    return _STRETCHES.get(text, make, (char, end, pos, endpos))


def sentence_bounds(text: str, pos: int, ends: str = SENTENCE_ENDS) -> tuple[int, int]:
    """The sentence around `pos`: after the previous end mark, through the next one."""
    before, stop = marks_around(text, pos, ends)
    start = before + 1
    if stop < len(text) and text[stop] != "\n":
        stop += 1
    if start < stop and text[start] in " \t":
        blanks = LEADING_BLANKS.match(text, start, stop)
        start = blanks.end() if blanks else start
    return start, stop


# A "sentence" longer than this is a table or a list flattened into one line: a record quotes the
# stretch around its figure instead, so that what is written stays linear in what is read.
MAX_QUOTE = 1000


def quote_bounds(sentence: tuple[int, int], pos: int) -> tuple[int, int]:
    """What a record standing at `pos` quotes of its sentence: all of it, or `MAX_QUOTE` characters around `pos`."""
    start, stop = sentence
    if stop - start <= MAX_QUOTE:
        return sentence
    start = max(start, min(pos - MAX_QUOTE // 2, stop - MAX_QUOTE))
    return start, start + MAX_QUOTE


def clause_bounds(text: str, pos: int) -> tuple[int, int]:
    """The clause around `pos`, between commas, colons and sentence ends (end mark excluded)."""
    start, stop = sentence_bounds(text, pos, CLAUSE_ENDS)
    if stop > start and text[stop - 1] in CLAUSE_ENDS:
        stop -= 1
    return start, stop


def paragraph_bounds(text: str, pos: int) -> tuple[int, int]:
    """The line around `pos`: after joining, a line of the normalized text is a paragraph."""
    before, after = marks_around(text, pos, "\n")
    return before + 1, after


def section_key(section: Section | None) -> tuple[int, str] | None:
    """A section as a key unique in the document: ids restart in each part."""
    return (section.part, section.id) if section else None


def section_place(section: Section | None) -> dict[str, Any]:
    """`section` and `part` of a record standing in `section`."""
    return {"section": section.id, "part": section.part} if section else {}


@dataclass(frozen=True)
class SectionIndex:
    """The innermost section at an offset: the last heading that starts before it."""

    starts: tuple[int, ...]
    sections: tuple[Section, ...]

    @classmethod
    def build(cls, flat: list[Section]) -> SectionIndex:
        ordered = sorted(flat, key=lambda s: s.span.start)
        return cls(tuple(s.span.start for s in ordered), tuple(ordered))

    def at(self, offset: int) -> Section | None:
        index = bisect.bisect_right(self.starts, offset) - 1
        return self.sections[index] if index >= 0 else None

    def key_at(self, offset: int) -> tuple[int, str] | None:
        return section_key(self.at(offset))

    def place(self, offset: int) -> dict[str, Any]:
        return section_place(self.at(offset))

    @property
    def body_start(self) -> int:
        """Where the first heading starts: text before it is the notice head, not the plan."""
        return self.starts[0] if self.starts else 0


class Starting(Protocol):
    @property
    def start(self) -> int: ...


R = TypeVar("R", bound=Starting)


class ByStart(Generic[R]):
    """Records sorted by where they start, to take the ones in a range without scanning them all."""

    def __init__(self, records: Iterable[R]) -> None:
        self.records = sorted(records, key=lambda r: r.start)
        self._starts = [r.start for r in self.records]

    def between(self, lo: int, hi: int) -> list[R]:
        """Records starting in [lo, hi)."""
        return self.records[bisect.bisect_left(self._starts, lo) : bisect.bisect_left(self._starts, hi)]


class Coverage:
    """A set of spans, merged, answering whether a range touches any of them."""

    def __init__(self, spans: Iterable[tuple[int, int]]) -> None:
        merged: list[list[int]] = []
        for start, end in sorted(spans):
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        self._starts = [s for s, _ in merged]
        self._ends = [e for _, e in merged]

    def touches(self, start: int, end: int) -> bool:
        """Whether `start` or `end - 1` falls inside a span."""
        for offset in (start, end - 1):
            i = bisect.bisect_right(self._starts, offset) - 1
            if i >= 0 and offset < self._ends[i]:
                return True
        return False


class Claimed:
    """Disjoint spans claimed so far, so that a later rule does not read text an earlier one read."""

    def __init__(self) -> None:
        self._starts: list[int] = []
        self._ends: list[int] = []

    def overlaps(self, start: int, end: int) -> bool:
        i = bisect.bisect_left(self._starts, end) - 1
        return i >= 0 and self._ends[i] > start

    def claim(self, start: int, end: int) -> None:
        i = bisect.bisect_left(self._starts, start)
        self._starts.insert(i, start)
        self._ends.insert(i, end)
