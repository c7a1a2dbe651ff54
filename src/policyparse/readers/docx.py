"""Word documents (.docx), read with python-docx.

Paragraphs come in document order, one per line; a table is written as rows of
tab-separated cells, where a cell merged down (a category or a lead unit printed once for
several rows) is repeated on each row it covers, and a cell merged across columns is
written once. A paragraph Word numbers automatically (a list, or a numbered heading style)
gets the number Word prints (`一、`, `（一）`, `1.`), which is not in its text: without it the
outline would be lost. The title of the core properties becomes a `---` header block, which
the text's own title wins over.
"""

from __future__ import annotations

import zipfile
from io import BytesIO
from typing import Any

from ..errors import InputError
from ..numerals import int_to_chinese
from .text import SourceText


def _cell_text(cell: Any) -> str:
    return " ".join(" ".join(p.text.split()) for p in cell.paragraphs if p.text.strip())


def _table_rows(table: Any) -> list[str]:
    """Rows of tab-separated cells; a cell merged down is repeated on each row it covers (python-docx
    gives each row the same cell), a cell merged across is written once."""
    rows: list[str] = []
    for row in table.rows:
        cells: list[str] = []
        seen: list[Any] = []
        for cell in row.cells:
            if any(cell._tc is other for other in seen):
                continue
            seen.append(cell._tc)
            cells.append(_cell_text(cell))
        if any(cells):
            rows.append("\t".join(cells))
    return rows


# Word's number formats, as the outline prints them.
LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _format_number(fmt: str, n: int) -> str:
    if fmt.startswith(("chinese", "ideograph", "japaneseCounting", "taiwaneseCounting")):
        return int_to_chinese(n)
    if fmt.startswith("decimalEnclosedCircle") and 1 <= n <= 20:
        return chr(0x2460 + n - 1)
    if fmt in ("lowerLetter", "upperLetter") and 1 <= n <= len(LETTERS):
        return LETTERS[n - 1].upper() if fmt == "upperLetter" else LETTERS[n - 1]
    return str(n)


class Numbering:
    """The numbers Word prints before list paragraphs (`一、`, `（一）`, `1.`), which are not in their text.

    A paragraph numbered by the list it belongs to (its own `numPr` or its style's) gets the number
    rendered from the list level's `lvlText` and `numFmt`; each list counts on its own, and a level
    starts again when a level above it advances.
    """

    def __init__(self, document: Any) -> None:
        from docx.oxml.ns import qn

        self.qn = qn
        self.levels: dict[str, dict[int, tuple[str, str, int]]] = {}  # numId → ilvl → (numFmt, lvlText, start)
        self.counters: dict[str, list[int]] = {}
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return
        abstract = {a.get(qn("w:abstractNumId")): self._read_levels(a) for a in root.findall(qn("w:abstractNum"))}
        for num in root.findall(qn("w:num")):
            ref = num.find(qn("w:abstractNumId"))
            if ref is not None and ref.get(qn("w:val")) in abstract:
                self.levels[num.get(qn("w:numId"))] = abstract[ref.get(qn("w:val"))]

    def _read_levels(self, abstract: Any) -> dict[int, tuple[str, str, int]]:
        qn, levels = self.qn, {}
        for level in abstract.findall(qn("w:lvl")):
            fmt, text, start = level.find(qn("w:numFmt")), level.find(qn("w:lvlText")), level.find(qn("w:start"))
            levels[int(level.get(qn("w:ilvl")) or 0)] = (
                fmt.get(qn("w:val")) if fmt is not None else "decimal",
                text.get(qn("w:val")) if text is not None else "",
                int(start.get(qn("w:val")) or 1) if start is not None else 1)
        return levels

    def _num_pr(self, paragraph: Any) -> tuple[str, int] | None:
        qn = self.qn
        sources = [paragraph._p.pPr]
        style = paragraph.style
        while style is not None:
            sources.append(style.element.pPr)
            style = style.base_style
        for ppr in sources:
            num_pr = ppr.find(qn("w:numPr")) if ppr is not None else None
            if num_pr is None:
                continue
            num_id = num_pr.find(qn("w:numId"))
            ilvl = num_pr.find(qn("w:ilvl"))
            if num_id is not None:
                return num_id.get(qn("w:val")), int(ilvl.get(qn("w:val"))) if ilvl is not None else 0
        return None

    def label(self, paragraph: Any) -> str:
        """The number Word prints before the paragraph, or ''."""
        found = self._num_pr(paragraph)
        if found is None or found[0] not in self.levels or found[1] not in self.levels[found[0]]:
            return ""
        num_id, ilvl = found
        levels = self.levels[num_id]
        counters = self.counters.setdefault(num_id, [levels[k][2] - 1 if k in levels else 0 for k in range(9)])
        counters[ilvl] += 1
        for deeper in range(ilvl + 1, 9):
            counters[deeper] = levels[deeper][2] - 1 if deeper in levels else 0
        fmt, text, _ = levels[ilvl]
        for k in range(ilvl + 1):
            if k in levels:
                text = text.replace(f"%{k + 1}", _format_number(levels[k][0], counters[k]))
        return "" if fmt == "bullet" else text


def _header(document: Any) -> list[str]:
    """The title of the core properties, a fallback for the title (an author or a file date is no issuer or
    issued date: they name whoever typed the file, and when)."""
    title = " ".join((document.core_properties.title or "").split())
    return ["---", f"title: {title}", "---"] if title else []


def read(data: bytes, source: str | None) -> SourceText:
    """The text of a .docx: paragraphs and table rows in order, after its core properties as a header."""
    import docx
    from docx.oxml.ns import qn
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    label = source or "input"
    try:
        document = docx.Document(BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise InputError(f"{label}: a damaged Word document: {exc}") from None
    lines = _header(document)
    numbering = Numbering(document)
    for child in document.element.body.iterchildren():
        if child.tag == qn("w:p"):
            paragraph = Paragraph(child, document)
            lines.append(numbering.label(paragraph) + paragraph.text)
        elif child.tag == qn("w:tbl"):
            lines.extend(_table_rows(Table(child, document)))
    return SourceText("\n".join(lines), None, source, format="docx")
