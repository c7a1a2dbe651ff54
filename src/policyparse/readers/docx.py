"""Word documents (.docx), read with python-docx.

Paragraphs come in document order, one per line; a table is written as rows of
tab-separated cells, where a cell merged down from the row above is left empty (the
task-table reader carries it down, as it does for a page's `rowspan`) and a cell merged
across columns is written once. The title of the core properties becomes a `---` header
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
    rows: list[str] = []
    above: list[Any] = []
    for row in table.rows:
        cells: list[str] = []
        seen: list[Any] = []
        for index, cell in enumerate(row.cells):
            element = cell._tc
            if any(element is other for other in seen):
                continue  # merged across: python-docx repeats the cell
            seen.append(element)
            merged_down = index < len(above) and above[index] is element
            cells.append("" if merged_down else _cell_text(cell).replace("\t", " "))
        above = [cell._tc for cell in row.cells]
        if any(cells):
            rows.append("\t".join(cells).rstrip("\t") or cells[0])
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
