"""Segment the normalized text into its outline (GB/T 9704 numbering).

Headings are found where a marker rule matches at a line start, or right after `。`
or `：` on a line long enough to be a flattened body. Levels follow the order in
which marker forms first appear; an attachment (`附件`) opens a new top-level section
in which that order starts again. A heading the source printed without its number,
alone on its line between numbered siblings, is restored at their level.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any, TypeVar

from . import regexcache
from .memo import ByIdentity
from .models import Section, Span
from .normalize import NormalizedText, line_spans
from .numerals import chinese_to_int, int_to_chinese
from .rulebook import RuleBook
from .rulebook.schema import AttachmentRule, MarkerRule, OutlineRules, PatternRule

TITLE_TRAILING = " \t；;：:，,、"
BRACKETED = regexcache.compile(r"[（(][^（()）]*[）)]")
BRACKETED_HEADING = regexcache.compile(r"\s*[（(【\[]([^（()）【】\[\]。]{1,30})[）)】\]]")
# A heading restored without its marker is a short phrase, not a sentence.
IMPLIED_MAX_LENGTH = 40
IMPLIED_SHARED_SUFFIX = 2


@dataclass(frozen=True)
class Marker:
    """An outline number as printed, read."""

    rule: MarkerRule
    number: int
    text: str
    id_part: str


def read_marker_number(rule: MarkerRule, raw: str) -> int | None:
    if rule.numeral == "arabic":
        return int(raw)
    if rule.numeral == "chinese":
        return chinese_to_int(raw)
    if rule.numeral == "enclosed_chinese":
        return ord(raw) - 0x3220 + 1
    if rule.numeral == "parenthesized_digit":
        return ord(raw) - 0x2474 + 1
    return ord(raw) - 0x2460 + 1


def render_number(rule: MarkerRule, number: int) -> str:
    """The number as this marker form prints it (for a heading whose marker the source omitted)."""
    if rule.numeral in ("chinese", "enclosed_chinese"):
        return int_to_chinese(number)
    if rule.numeral == "circled":
        return chr(0x2460 + number - 1)
    return str(number)


def format_id_part(rule: MarkerRule, number: int, raw: str) -> str:
    display = raw if rule.numeral == "chinese" else int_to_chinese(number) if rule.numeral == "enclosed_chinese" \
        else str(number)
    return rule.id_format.format(num=display, raw=raw)


R = TypeVar("R", bound=PatternRule)
# A list of rules → (first character → the rules of it a match may start with, the class of the characters any
# of them may start with: most characters of a text open no rule's match).
STARTING_KEPT = 16
_STARTING = ByIdentity[Sequence[PatternRule], tuple[dict[str, list[Any]], re.Pattern[str] | None]](
    kept=STARTING_KEPT)


def rules_starting_with(rules: Sequence[R], char: str) -> list[R]:
    """The rules of `rules`, in order, whose matches may start with `char`: a line's first character
    rules out most marker forms, and trying each at every line start was a tenth of a batch."""
    by_char, any_opening = _STARTING.get(rules, _opening_class)
    found = by_char.get(char)
    if found is None:
        opens_none = any_opening is not None and char and not any_opening.match(char)
        found = by_char[char] = [] if opens_none else [
            rule for rule in rules if regexcache.can_start_with(rule.regex, char)]
    return found


def _opening_class(rules: Sequence[PatternRule]) -> tuple[dict[str, list[Any]], re.Pattern[str] | None]:
    opening = regexcache.first_class(rule.regex for rule in rules)
    return {}, regexcache.compile(f"[{opening}]") if opening else None


def match_marker(text: str, pos: int, rules: OutlineRules, midline: bool = False) -> tuple[Marker, int] | None:
    """The marker at `pos` and where its title starts, or None."""
    for rule in rules_starting_with(rules.marker, text[pos : pos + 1]):
        if midline and not rule.midline:
            continue
        found = rule.regex.match(text, pos)
        if not found:
            continue
        raw = found.group("num")
        number = read_marker_number(rule, raw)
        if number is None or number < 1:
            continue
        marker = Marker(rule, number, found.group(0).strip(), format_id_part(rule, number, raw))
        return marker, found.end()
    return None


def starts_heading(line: str, rules: OutlineRules) -> bool:
    """Whether a (stripped) line opens an outline heading or an attachment."""
    return match_marker(line, 0, rules) is not None or _match_attachment(line, rules.attachment) is not None


@dataclass
class Candidate:
    """A place where a heading may start, before the tree decides whether it is one."""

    start: int
    title_start: int
    title_end: int
    marker: Marker | None = None
    midline: bool = False
    # An attachment heading: its id (`附件2`), its marker as printed, and its title when on the same line.
    attachment: str | None = None
    attachment_marker: str = ""
    attachment_title: tuple[int, int] | None = None
    box: bool = False


@dataclass
class Node:
    section: Section
    number: int
    rule: MarkerRule | None
    children_levels: set[int] = field(default_factory=set)


def _title_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """Trim a heading's title to its first sentence and drop trailing punctuation."""
    stop = text.find("。", start, end)
    if stop != -1:
        end = stop
    while start < end and text[start] in " \t":
        start += 1
    while end > start and text[end - 1] in TITLE_TRAILING:
        end -= 1
    return start, end


def _bracketed_title(text: str, start: int, end: int) -> tuple[int, int]:
    """The heading in brackets right after a marker (`第三条（资金来源）`), or an empty title."""
    found = BRACKETED_HEADING.match(text, start, end)
    return found.span(1) if found else (start, start)


def _heading_word_end(text: str, start: int, rules: OutlineRules) -> int | None:
    """Where a heading that runs straight into its body ends, when it is a common heading (`指导思想以…`)."""
    word = next((w for w in rules.heading_words if text.startswith(w, start)), None)
    if word is None:
        return None
    end = start + len(word)
    return None if end < len(text) and text[end] in "。，；：、" else end


def _midline_candidates(text: str, lo: int, hi: int, rules: OutlineRules, run_on_marker: re.Pattern[str],
                        first: int | None = None) -> list[Candidate]:
    """Headings inside a flattened line: after `。` or `：`, or right after a common heading that ran on.

    `first` is where the line's own heading title starts, when the line opens with one.
    """
    starts = [lo + stop.end() for stop in re.finditer(r"[。：；]\s{0,3}", text[lo:hi])]
    # A heading may also run straight on from the one before (`基本原则（一）聚集重点`): any place a
    # marker can start, after a character that ends a phrase; the builder keeps it only when its
    # number is the one expected next.
    starts += [m.end() for m in run_on_marker.finditer(text, lo, hi)]
    out: list[Candidate] = []
    pending = sorted(set(starts))  # a heap: positions are added as headings are found
    title_starts = [first] if first is not None else []
    seen: set[int] = set()
    while pending or title_starts:
        if title_starts:
            end = _heading_word_end(text, title_starts.pop(), rules)
            if end is not None and end not in seen:
                heapq.heappush(pending, end)
            continue
        pos = heapq.heappop(pending)
        if pos in seen:
            continue
        seen.add(pos)
        hit = match_marker(text, pos, rules, midline=True)
        if hit:
            marker, title_start = hit
            out.append(Candidate(pos, title_start, hi, marker=marker, midline=True))
            title_starts.append(title_start)
    out.sort(key=lambda c: c.start)
    for this, nxt in pairwise(out):
        this.title_end = nxt.start
    for cand in out:
        end = _heading_word_end(text, cand.title_start, rules)
        if end is not None:
            cand.title_end = min(cand.title_end, end)
    return out


def find_candidates(norm: NormalizedText, rules: OutlineRules, run_on_marker: re.Pattern[str],
                    heading_lines: re.Pattern[str] | None = None) -> list[Candidate]:
    """Every place a marker or an attachment heading stands, in text order; only on the lines `heading_lines`
    finds (`CompiledRules.heading_lines`) when given."""
    text = norm.text
    out: list[Candidate] = []
    spans = line_spans(text) if heading_lines is None else _spans_from(text, heading_lines)
    for lo, hi in spans:
        line = text[lo:hi]
        stripped = line.lstrip(" \t")
        pos = lo + len(line) - len(stripped)
        attachment = _match_attachment(line, rules.attachment)
        if attachment:
            title = None
            if "title" in attachment.re.groupindex:
                title = (lo + attachment.start("title"), lo + attachment.end("title"))
            marker_end = attachment.start("title") if title else attachment.end()
            out.append(Candidate(pos, hi, hi, attachment=attachment.group("label") + attachment.group("num"),
                                 attachment_marker=line[: marker_end].strip(), attachment_title=title))
            continue
        if rules.box.regex.match(line):
            out.append(Candidate(pos, hi, hi, box=True))
            continue
        hit = match_marker(text, pos, rules)
        if hit and rules.contents_leader.regex.search(line):
            continue  # an entry of the table of contents
        flattened = hi - lo >= rules.midline_min_length
        inner = _midline_candidates(text, lo, hi, rules, run_on_marker, hit[1] if hit else None) if flattened else []
        if hit:
            marker, title_start = hit
            title_end = inner[0].start if inner else hi
            if flattened and (word_end := _heading_word_end(text, title_start, rules)) is not None:
                title_end = min(title_end, word_end)
            out.append(Candidate(pos, title_start, title_end, marker=marker))
        out.extend(inner)
    return out


def _spans_from(text: str, line_starts: re.Pattern[str]) -> Iterator[tuple[int, int]]:
    """(start, end) of each line of `text` that `line_starts` finds the start of."""
    for found in line_starts.finditer(text):
        end = text.find("\n", found.start())
        yield found.start(), len(text) if end == -1 else end


def _match_attachment(line: str, rules: list[AttachmentRule]) -> re.Match[str] | None:
    return next((found for rule in rules_starting_with(rules, line[:1]) if (found := rule.regex.match(line))), None)


def _shares_suffix(a: str, b: str) -> bool:
    a, b = BRACKETED.sub("", a), BRACKETED.sub("", b)
    n = 0
    while n < min(len(a), len(b)) and a[-1 - n] == b[-1 - n]:
        n += 1
    return n >= IMPLIED_SHARED_SUFFIX


class OutlineBuilder:
    """Builds the section tree from candidates, keeping the open path and the level of each form."""

    def __init__(self, norm: NormalizedText, rules: OutlineRules):
        self.norm = norm
        self.rules = rules
        self.roots: list[Section] = []
        self.stack: list[Node] = []
        self.form_levels: dict[str, int] = {}
        self.base_level = 0
        self.used_ids: set[str] = set()
        self.repeats: dict[str, int] = {}
        self.last_child_number: dict[str, int] = {}
        self.part = 1
        # The last number of each marker form inside an open boxed panel, or None outside one.
        self.box_numbers: dict[str, int] | None = None

    def numbers_in_box(self, marker: Marker) -> bool:
        """Whether a marker numbers an item of the open box: the next number of its form there, or a 1."""
        if self.box_numbers is None:
            return False
        form = marker.rule.form
        if marker.number in (1, self.box_numbers.get(form, 0) + 1):
            self.box_numbers[form] = marker.number
            return True
        self.box_numbers = None  # a number of the text around the box: the box has ended
        return False

    def restarts_part(self, marker: Marker) -> bool:
        """A top-level numbering run through (`一、` … `三、`) starting again at 1, outside an attachment: the
        notice issues another document. A `一、` repeated straight after `一、` is a misprint, not a restart."""
        return (marker.number == 1 and self.base_level == 0 and self.form_levels.get(marker.rule.form) == 1
                and self.last_child_number.get("@1", 0) > 1)

    def start_part(self) -> None:
        """Open the next document of the notice: its outline and ids start again."""
        self.part += 1
        self.stack.clear()
        self.used_ids.clear()
        self.repeats.clear()
        self.last_child_number.clear()

    def _unique(self, section_id: str) -> str:
        """The id, or `id#2`, `id#3` … when a number repeats under one parent."""
        candidate = section_id
        while candidate in self.used_ids:
            self.repeats[section_id] = self.repeats.get(section_id, 1) + 1
            candidate = f"{section_id}#{self.repeats[section_id]}"
        self.used_ids.add(candidate)
        return candidate

    def _make(self, start: int, end: int, marker: str | None, title: tuple[int, int], level: int,
              id_part: str) -> Section:
        parent = self.stack[-1].section if self.stack else None
        section_id = self._unique(f"{parent.id}/{id_part}" if parent else id_part)
        return Section(
            id=section_id, part=self.part, level=level, marker=marker, title=self.norm.text[title[0] : title[1]],
            line=self.norm.source_line(start), span=Span(start=start, end=max(end, title[1])),
        )

    def _attach(self, node: Node) -> None:
        if self.stack:
            self.stack[-1].section.children.append(node.section)
            self.stack[-1].children_levels.add(node.section.level)
        else:
            self.roots.append(node.section)
        self.stack.append(node)

    def _pop_to(self, level: int) -> None:
        while self.stack and self.stack[-1].section.level >= level:
            self.stack.pop()

    def level_of(self, marker: Marker) -> int:
        return self.form_levels.get(marker.rule.form, self.base_level + len(self.form_levels) + 1)

    def expected_number(self, level: int) -> int:
        parent = next((n for n in reversed(self.stack) if n.section.level < level), None)
        key = f"{parent.section.id if parent else ''}@{level}"
        return self.last_child_number.get(key, 0) + 1

    def add_marker(self, cand: Candidate) -> None:
        assert cand.marker is not None
        marker = cand.marker
        level = self.level_of(marker)
        if cand.midline and marker.number != self.expected_number(level):
            return  # a number inside running text, not the next heading
        if self.restarts_part(marker):
            self.start_part()
        self.form_levels.setdefault(marker.rule.form, level)
        self._pop_to(level)
        parent_id = self.stack[-1].section.id if self.stack else ""
        self.last_child_number[f"{parent_id}@{level}"] = marker.number
        title = _title_bounds(self.norm.text, cand.title_start, cand.title_end)
        if marker.rule.title == "bracketed":
            title = _bracketed_title(self.norm.text, cand.title_start, cand.title_end)
        section = self._make(cand.start, cand.title_start, marker.text, title, level, marker.id_part)
        self._attach(Node(section, marker.number, marker.rule))

    def add_attachment(self, cand: Candidate, label: str, title: tuple[int, int], marker: str) -> None:
        self.stack.clear()
        self.form_levels = {}
        self.base_level = 1
        section = self._make(cand.start, cand.title_start, marker, title, 1, label)
        self._attach(Node(section, 0, None))

    def add_implied(self, start: int, end: int, next_level: int, restarts: bool) -> bool:
        """Restore a heading printed without its number, if the line at start..end is one."""
        line = self.norm.text[start:end]
        text = line.strip()
        if not text or "。" in text or len(text) > IMPLIED_MAX_LENGTH or text[-1] in TITLE_TRAILING:
            return False
        for sibling in self._implied_siblings(next_level, restarts):
            if sibling.rule is None or not _shares_suffix(text, sibling.section.title):
                continue
            level, number = sibling.section.level, sibling.number + 1
            self._pop_to(level)
            parent_id = self.stack[-1].section.id if self.stack else ""
            self.last_child_number[f"{parent_id}@{level}"] = number
            id_part = format_id_part(sibling.rule, number, render_number(sibling.rule, number))
            begin = start + len(line) - len(line.lstrip())
            section = self._make(begin, begin, None, (begin, begin + len(text)), level, id_part)
            self._attach(Node(section, number, sibling.rule))
            return True
        return False

    def _implied_siblings(self, next_level: int, restarts: bool) -> list[Node]:
        """Open sections the missing heading could be a sibling of, innermost first.

        Either the next heading restarts a deeper numbering at 1 (the missing heading is its
        parent, a sibling of the open section that already has such children), or the next
        heading is higher (the missing heading closes the run of its siblings).
        """
        if restarts:
            return [n for n in self.stack if n.section.level == next_level - 1 and next_level in n.children_levels]
        return [n for n in reversed(self.stack) if n.section.level > next_level]


def split_sections(norm: NormalizedText, book: RuleBook) -> list[Section]:
    """The outline of a normalized document as a tree of sections.

    >>> from policyparse import parse_text
    >>> [s.id for s in parse_text("一、总体思路\\n（一）加强领导\\n二、保障措施").iter_sections()]
    ['一', '一/(一)', '二']
    """
    text, rules = norm.text, book.outline
    candidates = find_candidates(norm, rules, book.compiled.run_on_marker, book.compiled.heading_lines)
    builder = OutlineBuilder(norm, rules)
    previous_end = 0
    for index, cand in enumerate(candidates):
        if cand.box:
            builder.box_numbers = {}
        elif cand.attachment:
            builder.box_numbers = None
            if cand.attachment_title and any(c.attachment and not c.attachment_title for c in candidates[index + 1 :]):
                continue  # `附件：…` listing the attachments that follow under their own `附件` lines
            _restore_implied(builder, text, previous_end, cand.start, next_level=1, restarts=False)
            title = cand.attachment_title or _attachment_title(text, cand.title_end, rules)
            builder.add_attachment(cand, cand.attachment, title, cand.attachment_marker)
        elif cand.marker and not builder.numbers_in_box(cand.marker):
            if not cand.midline and builder.stack:
                level = builder.level_of(cand.marker)
                restarts = cand.marker.rule.form in builder.form_levels and cand.marker.number == 1
                _restore_implied(builder, text, previous_end, cand.start, level, restarts)
            builder.add_marker(cand)
        # The body on a heading's own line (after its title) is body text of the gap that follows.
        previous_end = builder.stack[-1].section.span.end if builder.stack else cand.title_end
    return builder.roots


def _has_text(text: str, lo: int, hi: int) -> bool:
    return bool(text[lo:hi].strip())


def _restore_implied(builder: OutlineBuilder, text: str, lo: int, hi: int, next_level: int, restarts: bool) -> None:
    """Look for one unnumbered heading line between the previous heading's body and the next heading."""
    seen_body = False
    for a, b in line_spans(text, lo, hi):
        if not _has_text(text, a, b):
            continue
        stands_alone = not text[a:b].startswith("\t") and (restarts or _has_text(text, b, hi))
        if seen_body and stands_alone and builder.add_implied(a, b, next_level, restarts):
            return
        seen_body = True


def _attachment_title(text: str, pos: int, rules: OutlineRules) -> tuple[int, int]:
    """The attachment's own title: the next non-blank line, unless that is already a heading or body."""
    for a, b in line_spans(text, min(pos + 1, len(text))):
        line = text[a:b].strip()
        if not line:
            continue
        if len(line) > 60 or "。" in line or "\t" in line or line.startswith("|") or starts_heading(line, rules):
            return pos, pos  # body, a heading or a table header: the attachment has no title line
        begin = a + len(text[a:b]) - len(text[a:b].lstrip())
        return begin, begin + len(line)
    return pos, pos
