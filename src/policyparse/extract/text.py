"""Where things stand in the normalized text: sentences, clauses, paragraphs and sections."""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from ..models import Section

SENTENCE_ENDS = "。！？；;!?\n"
CLAUSE_ENDS = SENTENCE_ENDS + "，,：:"


def sentence_bounds(text: str, pos: int, ends: str = SENTENCE_ENDS) -> tuple[int, int]:
    """The sentence around `pos`: after the previous end mark, through the next one."""
    start = pos
    while start > 0 and text[start - 1] not in ends:
        start -= 1
    stop = pos
    while stop < len(text) and text[stop] not in ends:
        stop += 1
    if stop < len(text) and text[stop] != "\n":
        stop += 1
    while start < stop and text[start] in " \t":
        start += 1
    return start, stop


def clause_bounds(text: str, pos: int) -> tuple[int, int]:
    """The clause around `pos`, between commas, colons and sentence ends (end mark excluded)."""
    start, stop = sentence_bounds(text, pos, CLAUSE_ENDS)
    if stop > start and text[stop - 1] in CLAUSE_ENDS:
        stop -= 1
    return start, stop


def paragraph_bounds(text: str, pos: int) -> tuple[int, int]:
    """The line around `pos`: after joining, a line of the normalized text is a paragraph."""
    start = text.rfind("\n", 0, pos) + 1
    stop = text.find("\n", pos)
    return start, len(text) if stop == -1 else stop


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

    def id_at(self, offset: int) -> str | None:
        section = self.at(offset)
        return section.id if section else None

    @property
    def body_start(self) -> int:
        """Where the first heading starts: text before it is the notice head, not the plan."""
        return self.starts[0] if self.starts else 0
