"""Normalize decoded text into the form every later stage reads.

Each step is a named function, applied in the order of `LINE_STEPS`, over a list of `Line`s, then of
`TEXT_STEPS`, over their texts joined by `\n` (each in one pass over the whole text, not a join and a
split of the lines per step). A line remembers which source lines its characters came from, so every
offset of the normalized text maps back to a line of the file (`source_line`). Character-level steps
change no line break, and run before lines a PDF export broke are joined again, which keeps that map
exact at line granularity.
"""

from __future__ import annotations

import bisect
import html
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import cache

from . import regexcache
from .models import ParseWarning, Script
from .readers.sniff import HTML_SIGNS, unclosed_markup
from .readers.text import HAN, Removed, han_in
from .rulebook.schema import NormalizeRules

# A line after a blank line continues a broken sentence only if it closes it or is this long.
CONTINUATION_MIN_CHARS = 30
# Line ends that close a sentence or a clause list; a line ending otherwise may run on.
CLOSING = frozenset("。！？；：…”’）】〕》」』!?;:)")
# A line of prose holds one of these; a line broken mid-sentence, one of the second.
PAUSE = regexcache.compile("[。，；,]")
MID_SENTENCE_PAUSE = regexcache.compile("[，；,]")
FULLWIDTH_ALNUM = {code: code - 0xFEE0 for code in range(0xFF10, 0xFF5B) if chr(code).isalnum()}
# Typographic spaces (en, em, thin, narrow no-break …) an export indents with are spaces like U+3000.
WIDE_SPACES = {code: 0x20 for code in (*range(0x2000, 0x200B), 0x202F, 0x205F)}
# Zero-width spaces and joiners a web editor leaves inside words and numbers (`2\u200b0个` is 20个).
ZERO_WIDTH: dict[int, None] = dict.fromkeys((0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF))
FOLD_TABLE: dict[int, int | None] = {**FULLWIDTH_ALNUM, **WIDE_SPACES, **ZERO_WIDTH, 0x3000: 0x20, 0x00A0: 0x20,
                                     0xFF05: 0x25}
# What FOLD_TABLE changes, found with one search: most lines hold none of it, and translating a line
# character by character through a dict costs more than the search.
FOLDABLE = regexcache.compile("[" + "".join(re.escape(chr(code)) for code in sorted(FOLD_TABLE)) + "]+")
LINE_BREAK = regexcache.compile("\n")
# Breaks that are no newline to an editor's line count: a page break (pdftotext puts one before every
# page), Word's manual line break, Unicode's line and paragraph separators. They break lines here, and
# the lines they make keep the source line they stand on.
INNER_BREAK_CHARS = "\f\v\x85\u2028\u2029"
INNER_BREAKS = regexcache.compile(f"[{INNER_BREAK_CHARS}]")
# An entity only with its closing `;`: `&notice` is text, not `¬ice`.
ENTITY = regexcache.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
# `key: value`, or a database's `【key】 value`.
# Linear on a line of blanks: the key starts at a visible character, the value is stripped in code.
FRONT_MATTER_ITEM = regexcache.compile(r"^\s*(?:【([^】]{1,12})】|([^:：【\s][^:：【]{0,19}?)\s*[:：])(.*)$")
HEADER_MAX_LINES = 60
# A length shared by this many lines broken mid-sentence is the width of the page's lines.
FULL_WIDTH_MIN_LINES = 5
FULL_WIDTH_SHARE = 0.9
HEADER_MIN_ITEMS = 2
HIDDEN_BLOCK = regexcache.compile(
    r"<script\b[^>]{0,200}>.*?</script\s{0,3}>|<style\b[^>]{0,200}>.*?</style\s{0,3}>", re.I)
HIDDEN_START = regexcache.compile(r"<(script|style)\b[^>]{0,200}>", re.I)
HIDDEN_END = regexcache.compile(r"</(?:script|style)\s{0,3}>", re.I)
BLOCK_TAG = regexcache.compile(r"<(?:br|/p|/div|/li|/tr|/h[1-6]|/table|p|div|li|tr|h[1-6])\b[^>]{0,200}>", re.I)
ANY_TAG = regexcache.compile(r"<!--.*?-->|</?[a-zA-Z!][^<>]{0,500}>")
# Traditional text changes on roughly every third character; a few stray ones make it mixed.
TRADITIONAL_SHARE = 0.15


def line_spans(text: str, start: int = 0, stop: int | None = None) -> Iterator[tuple[int, int]]:
    """(start, end) offsets of the lines of text[start:stop], end excluding the newline."""
    stop = len(text) if stop is None else stop
    while start <= stop:
        end = text.find("\n", start, stop)
        end = stop if end == -1 else end
        yield start, end
        start = end + 1


def sub_in_lines(lines: str, regex: re.Pattern[str], repl: str | Callable[[re.Match[str]], str]) -> str:
    """`regex.sub(repl, line)` of each line of `lines` (joined by `\\n`; `repl` puts in no line break), in one
    pass over them all where the pattern allows it (`regexcache.across_lines`)."""
    if not regexcache.can_match(regex, lines):
        return lines
    if regexcache.across_lines(regex) is None:
        return "\n".join(regex.sub(repl, line) for line in lines.split("\n"))
    return regexcache.sub(regex, repl, lines, across=True)


def matches_in_lines(lines: str, regex: re.Pattern[str]) -> Iterator[tuple[int, int, int]]:
    """(index of the line, start, end in the line) of every match of `regex` in each line of `lines` (joined by
    `\\n`), in order."""
    if not regexcache.can_match(regex, lines):
        return
    if regexcache.across_lines(regex) is None:
        for index, line in enumerate(lines.split("\n")):
            for found in regex.finditer(line):
                yield index, found.start(), found.end()
        return
    starts: list[int] = []
    for found in regexcache.finditer(regex, lines, across=True):
        if not starts:
            starts = [0, *(m.end() for m in LINE_BREAK.finditer(lines))]
        index = bisect.bisect_right(starts, found.start()) - 1
        yield index, found.start() - starts[index], found.end() - starts[index]


@dataclass(slots=True)
class Line:
    """One line of the text being normalized, with the source lines it was made from.

    `pieces` holds (offset in this line, 1-based source line) pairs, first at offset 0.
    """

    text: str
    pieces: list[tuple[int, int]]

    @property
    def source_line(self) -> int:
        return self.pieces[0][1]


@dataclass(frozen=True)
class NormalizedText:
    """The normalized text and what normalization learned on the way."""

    text: str
    offsets: tuple[int, ...]
    source_lines: tuple[int, ...]
    script: Script = "simplified"
    front_matter: dict[str, str] = field(default_factory=dict)
    warnings: tuple[ParseWarning, ...] = ()
    # Han characters of the text (front matter apart), and how many of the text's own each step removed;
    # markup (tags, comments, scripts) is no text of the document and is listed, not counted.
    han_count: int = 0
    han_removed: dict[str, int] = field(default_factory=dict)
    removed: tuple[Removed, ...] = ()

    def source_line(self, offset: int) -> int:
        """The 1-based source line of the character at `offset`."""
        if not self.offsets:
            return 1
        return self.source_lines[max(0, bisect.bisect_right(self.offsets, offset) - 1)]


@dataclass
class Draft:
    """What the steps pass along: the lines, and the facts collected so far."""

    lines: list[Line]
    rules: NormalizeRules
    script: Script = "simplified"
    front_matter: dict[str, str] = field(default_factory=dict)
    warnings: list[ParseWarning] = field(default_factory=list)
    han_count: int = 0
    han_removed: dict[str, int] = field(default_factory=dict)
    removed: list[Removed] = field(default_factory=list)

    def note_removed(self, line: Line, by: str, text: str, text_of_document: bool) -> None:
        """Record a span a step took out, when it holds Han characters; count it as lost text if it was text."""
        han = han_in(text)
        if not han:
            return
        self.removed.append(Removed(line.source_line, by, text.strip()))
        if text_of_document:
            self.han_removed[by] = self.han_removed.get(by, 0) + han


def _trim(line: str) -> str:
    """Trailing spaces go; a line that holds only a tab stays a tab: it is an empty table cell."""
    trimmed = line.rstrip()
    return "\t" if not trimmed and "\t" in line else trimmed


def split_lines(text: str, line_numbers: Sequence[int] | None = None) -> list[Line]:
    """Split on CRLF, CR or LF, numbering the lines; then on the breaks of `INNER_BREAKS`, within a line's number.

    `line_numbers` gives the source line of each line when a reader made the text (a web page's lines).
    """
    # (str.splitlines would also split on the inner breaks, and on \x1c-\x1e, which no editor counts.)
    parts = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    numbers = line_numbers if line_numbers is not None and len(line_numbers) == len(parts) else range(1, len(parts) + 1)
    if not any(char in text for char in INNER_BREAK_CHARS):  # nearly every text: no split per line
        return [Line(_trim(part), [(0, number)]) for number, part in zip(numbers, parts, strict=True)]
    return [Line(_trim(piece), [(0, number)]) for number, part in zip(numbers, parts, strict=True)
            for piece in INNER_BREAKS.split(part)]


def _header_item(text: str) -> tuple[str, str] | None:
    found = FRONT_MATTER_ITEM.match(text)
    if not found:
        return None
    return (found.group(1) or found.group(2)).strip(), found.group(3).strip().strip("\"'")


def _fenced_header(lines: list[Line], start: int) -> tuple[int, list[tuple[str, str]]] | None:
    """A `---` block of `key: value` lines: (index of its closing fence, items)."""
    if lines[start].text.strip() != "---":
        return None
    window = range(start + 1, min(len(lines), start + HEADER_MAX_LINES))
    end = next((i for i in window if lines[i].text.strip() == "---"), None)
    if end is None:
        return None
    items = [_header_item(line.text) for line in lines[start + 1 : end] if line.text.strip()]
    if not items or not all(items):
        return None
    return end, [item for item in items if item]


def _scraper_header(lines: list[Line], start: int, rules: NormalizeRules) -> tuple[int, list[tuple[str, str]]] | None:
    """A header a scraper or a database wrote before the text without fences (`标题: …`, `【法宝引证码】…`).

    Everything up to a closing banner (`==== 正文 ====`) when two or more `key: value` lines with keys of
    `header_keys` stand above it; else the run of such lines from the top. (index of its last line, items)
    """
    known = set(rules.header_keys)
    window = range(start, min(len(lines), start + HEADER_MAX_LINES))
    banner = next((i for i in window if rules.header_end.pattern.match(lines[i].text)), None)
    items: list[tuple[str, str]] = []
    last = None
    for i in window:
        if i == banner:
            return (i, items) if len(items) >= HEADER_MIN_ITEMS else None
        if not lines[i].text.strip():
            continue
        item = _header_item(lines[i].text)
        if item and item[0] in known:
            items.append(item)
            last = i
        elif banner is None:
            break
    return (last, items) if last is not None and len(items) >= HEADER_MIN_ITEMS else None


def read_front_matter(draft: Draft) -> Draft:
    """Take an export's header out of the text, as metadata: a `---` front matter block, or a scraper's
    or database's `key: value` header (`标题: …`, `发布时间: …`, `==== 正文 ====`). Its lines stay, empty."""
    lines = draft.lines
    start = next((i for i, line in enumerate(lines) if line.text.strip()), None)
    if start is None:
        return draft
    found = _fenced_header(lines, start) or _scraper_header(lines, start, draft.rules)
    if found is None:
        return draft
    end, items = found
    for line in lines[start : end + 1]:
        draft.note_removed(line, "header", line.text, text_of_document=False)
    front = {key: value for key, value in items if value}
    kept = lines[:start] + [Line("", line.pieces[:1]) for line in lines[start : end + 1]] + lines[end + 1 :]
    return replace(draft, lines=kept, front_matter=front)


def strip_markup(draft: Draft) -> Draft:
    """A web page saved as text: tags dropped, block tags become line breaks, entities decoded.

    A line split at `<br>` or `</p>` becomes several lines with the same source line. Entities
    (`&nbsp;`, `&#9826;`) are decoded in any text, markup or not.
    """
    is_html = any(HTML_SIGNS.search(line.text) for line in draft.lines[:80])
    if not is_html and not any("&" in line.text for line in draft.lines):
        return draft  # nearly every text: nothing to drop or decode
    out: list[Line] = []
    hidden = False  # inside <script> or <style>, which may span lines
    # Where the last closing </script> or </style> stands: an opening after it is never closed, and
    # hides only the rest of its own line, not the rest of the page.
    last_close = max((i for i, line in enumerate(draft.lines) if HIDDEN_END.search(line.text)), default=-1) \
        if is_html else -1
    for index, line in enumerate(draft.lines):
        text = line.text
        if not is_html and "&" not in text:
            out.append(line)  # nothing here to drop or decode
            continue
        if is_html:
            if hidden:
                end = HIDDEN_END.search(text)
                if not end:
                    draft.note_removed(line, "markup", text, text_of_document=False)
                    out.append(Line("", line.pieces[:1]))
                    continue
                draft.note_removed(line, "markup", text[: end.end()], text_of_document=False)
                text, hidden = text[end.end() :], False
            for found in HIDDEN_BLOCK.finditer(text):
                draft.note_removed(line, "markup", found.group(0), text_of_document=False)
            text = HIDDEN_BLOCK.sub("", text)
            opened = HIDDEN_START.search(text)
            if opened:
                draft.note_removed(line, "markup", text[opened.start() :], text_of_document=False)
                text, hidden = text[: opened.start()], index < last_close
                if not hidden:
                    draft.warnings.append(unclosed_markup(opened.group(1).lower(), line.source_line))
            for found in ANY_TAG.finditer(text):
                draft.note_removed(line, "markup", found.group(0), text_of_document=False)
            text = BLOCK_TAG.sub("\n", text)
            text = ANY_TAG.sub("", text)
        if "&" in text:
            text = ENTITY.sub(lambda found: html.unescape(found.group(0)), text).replace("\xa0", " ")
        out.extend(Line(_trim(part), line.pieces[:1]) for part in text.split("\n"))
    return replace(draft, lines=out)


def find_mojibake(draft: Draft, text: str) -> str:
    """Warn about lines that a wrong decoding damaged (extraction skips the sentences holding the damage)."""
    first: dict[int, tuple[int, int]] = {}  # line index → the first match of the first rule that matches there
    for rule in draft.rules.mojibake:
        for index, start, end in matches_in_lines(text, rule.regex):
            first.setdefault(index, (start, end))
    lines = text.split("\n") if first else []
    for index in sorted(first):
        line, (start, end) = lines[index], first[index]
        lo, hi = max(0, start - 6), min(len(line), end + 6)
        draft.warnings.append(ParseWarning(
            code="mojibake",
            message=f"damaged text (mojibake) near '{line[lo:hi].strip()}'; "
            "no figure is read in the sentence holding it",
            line=draft.lines[index].source_line,
        ))
    return text


def strip_inline_noise(draft: Draft, text: str) -> str:
    """Remove pinyin glosses, `@@` runs and the other spans of `strip` rules, rule after rule.

    (Each rule opens with what its match starts with, so a search skips to the candidates in C:
    rule by rule, each in one pass over all the lines, is faster than one alternation of them all,
    where no such skip is possible.)
    """
    for rule in draft.rules.strip:
        text = sub_in_lines(text, rule.regex, "")
    return text


@cache
def _converter() -> Callable[[str], str]:
    import opencc

    return opencc.OpenCC("t2s").convert


def convert_script(draft: Draft, text: str) -> str:
    """Convert traditional (or mixed) text to simplified, recording the original script."""
    if not HAN.search(text):
        return text
    converted = _converter()(text)
    if converted == text:
        return text
    changed = sum(a != b for a, b in zip(text, converted, strict=False))
    draft.script = "traditional" if changed >= TRADITIONAL_SHARE * han_in(text) else "mixed"
    if converted.count("\n") != text.count("\n"):  # a conversion never adds newlines, but stay exact if one did
        converted = "\n".join(_converter()(line) for line in text.split("\n"))
    return converted


def fold_width(draft: Draft, text: str) -> str:
    """Full-width digits and letters to ASCII, ideographic space to space.

    Only these: blanket NFKC would turn `①` into `1` and `⑴` into `(1)` and merge outline levels,
    and Chinese punctuation (`，（）`) stays as written.
    """
    return "\n".join(map(_trim, sub_in_lines(text, FOLDABLE, _fold).split("\n")))


def _fold(found: re.Match[str]) -> str:
    return found.group(0).translate(FOLD_TABLE)


def remove_noise(draft: Draft, text: str) -> str:
    """Remove page numbers and scraper chrome, the span each rule matches and nothing else.

    A line left empty stays, so line numbering is kept; the Han characters removed are counted.
    """
    before = text
    removed: list[tuple[int, int, str, str]] = []  # (line index, rule's place, rule id, the text removed)
    for order, rule in enumerate(draft.rules.noise):
        found = list(matches_in_lines(text, rule.regex))
        if found:
            lines = text.split("\n")
            removed += [(index, order, rule.id, lines[index][start:end]) for index, start, end in found]
            text = sub_in_lines(text, rule.regex, "")
    if not removed:
        return text
    # Listed line by line, each line's in the order of the rules, as the removals are read.
    for index, _, rule_id, span in sorted(removed, key=lambda item: item[:2]):
        draft.note_removed(draft.lines[index], rule_id, span, text_of_document=True)
    lines, lines_before = text.split("\n"), before.split("\n")
    for index in {index for index, *_ in removed}:
        if lines[index] != lines_before[index] and not lines[index].strip():
            lines[index] = ""
    return "\n".join(lines)


def count_han(draft: Draft) -> Draft:
    """The Han characters of the text as read (front matter apart): what the removals are measured against."""
    return replace(draft, han_count=han_in("\n".join(line.text for line in draft.lines)))


def _runs_on(text: str, is_heading: Callable[[str], bool], full_width: int) -> bool:
    """A line of prose that stops without closing punctuation: a PDF line break, not a paragraph end.

    A heading without a full stop stands alone: its next line is its body, not its continuation; unless
    it fills the page's width (`full_width`), when the layout broke it. A line holding a tab is a table's
    row or cell, which a reader wrote whole.
    """
    stripped = text.strip()
    if not stripped or stripped[-1] in CLOSING or "\t" in text or not PAUSE.search(stripped):
        return False
    return "。" in stripped or len(stripped) >= full_width or not is_heading(stripped)


def _continues(text: str, is_heading: Callable[[str], bool]) -> bool:
    stripped = text.strip()
    return bool(stripped) and "\t" not in text and not is_heading(stripped)


def _completes_across_blank(text: str) -> bool:
    """A line that finishes a sentence broken before a blank line: it closes it, or is a full line of prose."""
    stripped = text.strip()
    return stripped[-1] in CLOSING or len(stripped) >= CONTINUATION_MIN_CHARS


def _full_width(lines: list[Line]) -> int:
    """The length of a line the layout filled: near the commonest length among lines broken mid-sentence.

    Text whose paragraphs stand on lines of their own has no such length, and no heading reaches it.
    """
    lengths = Counter(len(stripped) for line in lines if (stripped := line.text.strip())
                      and stripped[-1] not in CLOSING and MID_SENTENCE_PAUSE.search(stripped))
    if not lengths or lengths.most_common(1)[0][1] < FULL_WIDTH_MIN_LINES:
        return sys.maxsize
    # Digits and Latin letters are narrower than Han characters: a full line of them holds a few more.
    return int(lengths.most_common(1)[0][0] * FULL_WIDTH_SHARE)


def join_broken_lines(draft: Draft, is_heading: Callable[[str], bool], max_blank: int = 3) -> Draft:
    """Join a line a PDF export broke mid-sentence with its continuation, across up to `max_blank` blank lines."""
    lines = draft.lines
    out: list[Line] = []
    full_width = _full_width(lines)
    i = 0
    while i < len(lines):
        current = lines[i]
        i += 1
        copied = False  # a line is copied once something is joined to it: the draft's lines stay as they were
        while _runs_on(current.text, is_heading, full_width):
            j = i
            while j < len(lines) and not lines[j].text.strip() and j - i < max_blank:
                j += 1
            if j >= len(lines) or not _continues(lines[j].text, is_heading):
                break
            if j > i and not _completes_across_blank(lines[j].text):
                break  # after a blank line, a short unfinished line is a table cell (`申通地铁集团`, `2`)
            nxt = lines[j]
            if not copied:
                current, copied = Line(current.text, list(current.pieces)), True
            lead = len(nxt.text) - len(nxt.text.lstrip())
            base = len(current.text)
            current.text += nxt.text.lstrip()
            current.pieces += [(base + max(0, off - lead), src) for off, src in nxt.pieces]
            i = j + 1
        out.append(current)
    return replace(draft, lines=out)


def assemble(draft: Draft) -> NormalizedText:
    offsets: list[int] = []
    sources: list[int] = []
    position = 0
    for line in draft.lines:
        for offset, source in line.pieces:
            offsets.append(position + offset)
            sources.append(source)
        position += len(line.text) + 1
    return NormalizedText(
        text="\n".join(line.text for line in draft.lines),
        offsets=tuple(offsets),
        source_lines=tuple(sources),
        script=draft.script,
        front_matter=draft.front_matter,
        warnings=tuple(draft.warnings),
        han_count=draft.han_count,
        han_removed=dict(draft.han_removed),
        removed=tuple(draft.removed),
    )


# Order matters: mojibake is judged on the text as decoded; glosses go before OpenCC
# sees them; full-width digits are folded before lines are judged as noise.
LINE_STEPS: tuple[Callable[[Draft], Draft], ...] = (
    read_front_matter,
    count_han,
    strip_markup,
)
TEXT_STEPS: tuple[Callable[[Draft, str], str], ...] = (
    find_mojibake,
    strip_inline_noise,
    convert_script,
    fold_width,
    remove_noise,
)


def normalize(text: str, rules: NormalizeRules, is_heading: Callable[[str], bool],
              line_numbers: Sequence[int] | None = None, removed: Sequence[Removed] = ()) -> NormalizedText:
    """Run every normalization step over `text`.

    `is_heading` tells whether a line opens an outline heading; such a line never
    continues the line above it. `line_numbers` and `removed` come from the reader: the
    source line of each line, and what it left out (listed with what normalization removes).
    """
    draft = Draft(split_lines(text.removeprefix("\ufeff"), line_numbers), rules, removed=list(removed))
    for step in LINE_STEPS:
        draft = step(draft)
    text = "\n".join(line.text for line in draft.lines)
    for text_step in TEXT_STEPS:
        text = text_step(draft, text)
    for line, line_text in zip(draft.lines, text.split("\n"), strict=True):
        line.text = line_text
    if not text.strip():
        draft.warnings.append(ParseWarning(code="empty", message="the document has no text"))
    return assemble(join_broken_lines(draft, is_heading))
