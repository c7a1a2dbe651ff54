"""Word documents (.docx), read with python-docx.

Paragraphs come in document order, one per line; a table is written as rows of
tab-separated cells, where a cell merged down (a category or a lead unit printed once for
several rows) is repeated on each row it covers, and a cell merged across columns is
written once. The title of the core properties becomes a `---` header
block, which the text's own title wins over.
"""

from __future__ import annotations

import zipfile
from io import BytesIO
from typing import Any

from ..errors import InputError
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
            cells.append(_cell_text(cell).replace("\t", " "))
        if any(cells):
            rows.append("\t".join(cells))
    return rows


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
    for child in document.element.body.iterchildren():
        if child.tag == qn("w:p"):
            lines.append(Paragraph(child, document).text)
        elif child.tag == qn("w:tbl"):
            lines.extend(_table_rows(Table(child, document)))
    return SourceText("\n".join(lines), None, source, format="docx")
