"""Web pages, read with lxml: the page's own structure, not regexes over its tags.

- Scripts, styles, forms, navigation (`<nav>`, `<aside>`, `role="navigation"`) and comments are
  left out and listed.
- A header table of labels and values (`发文机关：` `国务院办公厅`, `成文日期：` …; gov.cn and most
  provincial sites print one above the text) becomes a `---` block of `key: value` lines,
  which normalization reads as front matter: the 发文字号 and 成文日期 come from it.
- A table holding no other table is data: each row one line of tab-separated cells, a cell
  that spans rows repeated on each row it covers. A table holding tables is layout, its
  cells are blocks.
- Every line keeps the page's source line (lxml's `sourceline`), so records point into the
  page as a user sees it in an editor.

lxml over selectolax: both parse the 35 gov.cn pages of ../shared/corpus in well under a
millisecond each (lxml 0.5 ms, lexbor 0.3 ms, beside ~16 ms of extraction); only lxml gives the
source line of each element.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from .. import regexcache
from ..models import ParseWarning
from .sniff import unclosed_markup
from .text import HAN, Removed, SourceText, collapse_spaces, han_in

# Whitespace of the page's source: meaningless between two Chinese characters, one space elsewhere.
SOURCE_SPACE = regexcache.compile(r"[ \t\r\n\f]+")

LEFT_OUT = {"script", "style", "noscript", "template", "iframe", "svg", "canvas", "object", "embed", "button",
            "select", "textarea", "input", "nav", "aside", "head", "map", "audio", "video"}
BLOCKS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd", "section", "article",
          "main", "header", "footer", "blockquote", "pre", "center", "address", "figure", "figcaption", "form",
          "fieldset", "hr", "body", "caption", "tbody", "thead", "tfoot"}
# A header label: a short phrase ending with a colon (`发文字号：`, `标　　题：`).
LABEL_KEY_MAX = 10
LABEL = regexcache.compile(rf"^(?P<key>[^:：]{{1,{LABEL_KEY_MAX}}})[:：]$")
LABEL_MIN_PAIRS = 2
DATA_MIN_ROWS = 2
DATA_CELL_MAX_CHARS = 1000
BLOCK_BREAK = "\x00"
# Elements whose content a parser reads as raw text up to their closing tag: left unclosed, they
# would swallow the rest of the page.
RAW_TEXT_OPEN = regexcache.compile(r"<(script|style)\b[^>]{0,500}>", re.I)


def _clean(text: str) -> str:
    """The page's source whitespace collapsed the way a browser shows Chinese text."""
    return collapse_spaces(text, SOURCE_SPACE).replace("\xa0", " ")


@dataclass
class Page:
    """The lines being written, with the source line of each, and what was left out."""

    lines: list[str] = field(default_factory=lambda: [""])
    numbers: list[int] = field(default_factory=lambda: [1])
    removed: list[Removed] = field(default_factory=list)
    header: list[tuple[str, str, int]] = field(default_factory=list)
    body_started: bool = False

    def write(self, text: str, line: int) -> None:
        if not text:
            return
        if not self.lines[-1].strip():
            self.numbers[-1] = line
        self.lines[-1] += text

    def break_line(self, line: int) -> None:
        if self.lines[-1].strip():
            self.body_started = self.body_started or han_in(self.lines[-1]) >= 30
            self.lines.append("")
            self.numbers.append(line)
        else:
            self.lines[-1] = ""
            self.numbers[-1] = line

    def leave_out(self, element: Any, by: str) -> None:
        """List an element left out: its text and the Han text of its attributes."""
        for node in element.iter():
            self.note_attributes(node)
        text = "".join(element.itertext()) if _tag(element) else element.text or ""
        if HAN.search(text):
            self.removed.append(Removed(element.sourceline or 1, by, " ".join(text.split())))

    def note_attributes(self, element: Any) -> None:
        """Attribute values are markup (`style="font-family:宋体"`, `title="分享到微信"`): listed, never text."""
        values = element.values() if _tag(element) else ()
        if values and HAN.search("\n".join(values)):  # most elements' attributes hold no Han: one search
            for value in values:
                if HAN.search(value):
                    self.removed.append(Removed(element.sourceline or 1, "markup", " ".join(value.split())))


def _tag(element: Any) -> str:
    tag = element.tag
    return tag.lower() if isinstance(tag, str) else ""


def _is_left_out(element: Any, tag: str) -> bool:
    """Whether an element of tag `tag` (`_tag`, looked up once per element by the caller) is left out."""
    return tag in LEFT_OUT or (element.get("role") or "").lower() == "navigation"


def _cell_text(cell: Any) -> str:
    """A cell's text on one line: its paragraphs joined by a space."""
    paragraphs = "".join(_texts(cell)).split(BLOCK_BREAK)
    return " ".join(" ".join(_clean(p) for p in paragraphs).split())


def _label(cell: Any) -> re.Match[str] | None:
    """The cell read as a label (`发文字号：`), or None. Its visible characters are counted first, only until
    there are too many for a label, so a layout table's cell holding the whole page is not read for it."""
    visible = 0
    for piece in _texts(cell):
        visible += sum(len(part) for part in piece.split()) - piece.count(BLOCK_BREAK)
        if visible > LABEL_KEY_MAX + 1:
            return None
    return LABEL.match("".join(_cell_text(cell).split()))


def _texts(element: Any) -> Iterator[str]:
    """Text pieces of an element, leaving out what is never text, a block boundary as BLOCK_BREAK."""
    if element.text:
        yield element.text
    for child in element:
        tag = _tag(child)
        if tag and not _is_left_out(child, tag):
            if tag in BLOCKS or tag == "br":
                yield BLOCK_BREAK
            yield from _texts(child)
        if child.tail:
            yield child.tail


def _rows(table: Any) -> list[Any]:
    return [row for row in table.iter("tr") if _nearest_table(row) is table]


def _nearest_table(element: Any) -> Any:
    parent = element.getparent()
    while parent is not None and _tag(parent) != "table":
        parent = parent.getparent()
    return parent


def _header_pairs(table: Any, min_pairs: int) -> list[tuple[str, str, int]] | None:
    """`label：` `value` pairs of a header table, or None when the table is not one."""
    pairs = []
    for row in _rows(table):
        cells = [c for c in row if _tag(c) in ("td", "th")]
        for label_cell, value_cell in pairwise(cells):
            found = _label(label_cell)
            if found and not _label(value_cell):
                pairs.append((found.group("key"), _cell_text(value_cell), label_cell.sourceline or 1))
    return pairs if pairs and len(pairs) >= min_pairs else None


def _is_data(table: Any) -> bool:
    """A table of data, not of layout: no table inside, rows of several cells, no cell holding a whole text."""
    if any(True for _ in table.iterdescendants("table")):
        return False
    rows = [[c for c in row if _tag(c) in ("td", "th")] for row in _rows(table)]
    if sum(len(cells) >= 2 for cells in rows) < DATA_MIN_ROWS:
        return False
    return all(len(_cell_text(cell)) <= DATA_CELL_MAX_CHARS for cells in rows for cell in cells)


def _table(table: Any, page: Page) -> None:
    """A data table as rows of tab-separated cells; a cell spanning rows is repeated on each row it covers."""
    spans: dict[int, tuple[int, str]] = {}  # column → (rows still covered, text) of a cell above
    for row in _rows(table):
        cells: list[str] = []
        for cell in (c for c in row if _tag(c) in ("td", "th")):
            _carry(spans, cells)
            text = _cell_text(cell)
            rowspan, colspan = _int(cell.get("rowspan")), _int(cell.get("colspan"))
            if rowspan > 1:
                spans[len(cells)] = (rowspan - 1, text)
            cells.extend([text, *("" for _ in range(colspan - 1))])
        _carry(spans, cells)
        if any(cells):
            page.break_line(row.sourceline or 1)
            page.write("\t".join(cells), row.sourceline or 1)
            page.break_line(row.sourceline or 1)


def _carry(spans: dict[int, tuple[int, str]], cells: list[str]) -> None:
    """Write the cells that spanning cells above cover at the row's next columns."""
    while spans.get(len(cells), (0, ""))[0] > 0:
        left, text = spans[len(cells)]
        spans[len(cells)] = (left - 1, text)
        cells.append(text)


def _int(value: str | None) -> int:
    try:
        return max(1, min(int(value or 1), 1000))
    except ValueError:
        return 1


def _walk(element: Any, tag: str, page: Page) -> None:
    line = element.sourceline or page.numbers[-1]
    if tag == "table":
        # Once a header table is read, a table of one more label (`主题词：`) belongs to it.
        min_pairs = 1 if page.header else LABEL_MIN_PAIRS
        pairs = _header_pairs(element, min_pairs) if not page.body_started else None
        if pairs or _is_data(element):
            for node in element.iter():
                page.note_attributes(node)
            if pairs:
                page.header.extend(pairs)
            else:
                _table(element, page)
            return
        # a layout table: its cells are blocks
    block = tag in BLOCKS or tag in ("br", "tr", "td", "th", "table")
    if block:
        page.break_line(line)
    if element.text:
        page.write(_clean(element.text), line)
    page.note_attributes(element)
    for child in element:
        child_tag = _tag(child)
        if not child_tag or _is_left_out(child, child_tag):  # a comment, a script, navigation …
            page.leave_out(child, "markup")
        else:
            _walk(child, child_tag, page)
        if child.tail:
            page.write(_clean(child.tail), child.sourceline or line)
    if block:
        page.break_line(line)


def close_raw_text(text: str) -> tuple[str, list[ParseWarning]]:
    """`text` with a `<script>` or `<style>` that is never closed closed at the end of its line, and a warning
    for each: a browser would hide the rest of the page, but the rest is what a reader of the source sees."""
    warnings = []
    position = 0
    while opened := RAW_TEXT_OPEN.search(text, position):
        name = opened.group(1).lower()
        closed = re.compile(rf"</{name}\s{{0,20}}>", re.I).search(text, opened.end())
        if closed:
            position = closed.end()
            continue
        line_end = text.find("\n", opened.end())
        line_end = len(text) if line_end == -1 else line_end
        text = f"{text[:line_end]}</{name}>{text[line_end:]}"
        position = line_end + len(name) + 3
        warnings.append(unclosed_markup(name, text.count("\n", 0, opened.start()) + 1))
    return text, warnings


def read_html(decoded: SourceText) -> SourceText:
    """A web page's text, its header table as front matter, its tables as rows."""
    import lxml.etree

    # lxml.etree's parser, not lxml.html's: its elements are the same, without a lookup in Python of the class of
    # each (a tenth of reading a page).
    parser = lxml.etree.HTMLParser(encoding="utf-8", remove_pis=True)
    markup, unclosed = close_raw_text(decoded.text)
    try:
        root = lxml.etree.fromstring(markup.encode("utf-8", "surrogatepass"), parser=parser)
    except (lxml.etree.ParserError, ValueError):
        root = None
    if root is None:  # nothing a parser reads as a document
        return SourceText(decoded.text, decoded.encoding, decoded.source, decoded.warnings, format="html")
    page = Page()
    head = root.find("head")
    if head is not None:
        page.leave_out(head, "markup")
    body = root.find("body")
    top = body if body is not None else root
    _walk(top, _tag(top), page)
    lines, numbers = _with_header(page)
    warnings = (*decoded.warnings, *unclosed)
    if not any(HAN.search(line) for line in lines) and HAN.search(decoded.text):
        warnings = (*warnings, ParseWarning(code="nothing_extracted", level="error", message=(
            "the page's text is all in scripts or left-out elements; nothing of it could be read")))
    return SourceText("\n".join(lines), decoded.encoding, decoded.source, warnings, format="html",
                      line_numbers=tuple(numbers), removed=tuple(page.removed))


def _with_header(page: Page) -> tuple[list[str], list[int]]:
    """The page's lines, after its header table written as a `---` block of `key: value` lines."""
    lines = [line.strip(" ") for line in page.lines]
    numbers = list(page.numbers)
    if not page.header:
        return lines, numbers
    block = ["---", *(f"{key}: {' '.join(value.split())}" for key, value, _ in page.header), "---"]
    first = page.header[0][2]
    block_numbers = [first, *(number for _, _, number in page.header), page.header[-1][2]]
    return block + lines, block_numbers + numbers
