"""PDF documents, read with pdfplumber.

- Text comes line by line in reading order (top to bottom on each page); the lines keep the
  breaks the layout made, which normalization rejoins by the same rules as a PDF export's text.
- A table drawn with ruling lines is read as a table: each row one line of tab-separated
  cells, at its place among the page's lines; its text is not read again as lines.
- Running headers, footers and page numbers (a line in the top or bottom margin that repeats,
  digits aside, on other pages: `- 3 -`) are left out and listed, so a sentence or a table
  broken by a page goes on; a lone page's number is left to normalization's page-number rule.
- A PDF with images but no text layer (a scan) gets an `error` warning, not an empty `ok`;
  one with neither, an encrypted one and a damaged one each get their own InputError.

pdfplumber over pypdfium2: pypdfium2 extracts text faster, but pdfplumber gives each
character's position, which finds ruling-line tables and the page margins.
"""

from __future__ import annotations

from collections import Counter
from io import BytesIO
from typing import Any

from .. import regexcache
from ..errors import InputError
from ..models import ParseWarning
from .text import Removed, SourceText, collapse_spaces

# The top and bottom share of a page where running headers and footers stand.
MARGIN = 0.08
DIGITS = regexcache.compile(r"\d+")
# A justified PDF line spaces its characters out; pdfplumber reads a wide gap as a space.
LINE_BLANKS = regexcache.compile(r" +")


def _open(data: bytes, label: str) -> Any:
    import pdfplumber

    try:
        pdf = pdfplumber.open(BytesIO(data))
        pdf.pages  # noqa: B018 - reading the page tree is where damage and encryption show
    except Exception as exc:  # pdfminer raises many kinds of its own for bad files
        raise InputError(_failure(label, exc)) from None
    return pdf


def _failure(label: str, exc: BaseException) -> str:
    chain = [exc, *(e for e in (exc.__cause__, exc.__context__) if e)]
    names = " ".join(type(e).__name__ for e in chain) + " " + " ".join(str(a) for e in chain for a in e.args)
    if "Password" in names or "Encrypt" in names:
        return f"{label}: an encrypted PDF: it needs a password (save an unprotected copy)"
    return f"{label}: a damaged PDF that cannot be read ({type(exc).__name__})"


def _page_lines(page: Any) -> list[tuple[float, str, bool]]:
    """(top, text, is_table_row) of a page, tables as rows of tab-separated cells, in reading order."""
    tables = page.find_tables()
    boxes = [table.bbox for table in tables]

    def outside(obj: dict[str, Any]) -> bool:
        cx, cy = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
        return not any(x0 <= cx <= x1 and top <= cy <= bottom for x0, top, x1, bottom in boxes)

    lines = [(line["top"], collapse_spaces(line["text"], LINE_BLANKS), False)
             for line in page.filter(outside).extract_text_lines(strip=True, return_chars=False)]
    for table in tables:
        for row, cells in zip(table.rows, table.extract(), strict=False):
            texts = ["".join((cell or "").split()) for cell in cells]
            if any(texts):
                lines.append((row.bbox[1], "\t".join(texts), True))
    return sorted(lines, key=lambda item: item[0])


def _margin_key(top: float, height: float, text: str, row: bool) -> str | None:
    """A line in the top or bottom margin, digits aside (`- 3 -` → `- # -`); None for any other line."""
    if row or height * MARGIN <= top <= height * (1 - MARGIN):
        return None
    return DIGITS.sub("#", text)


def _furniture(pages: list[tuple[float, list[tuple[float, str, bool]]]]) -> set[str]:
    """Lines in the page margins that repeat on other pages, digits aside: running headers and footers."""
    seen: Counter[str] = Counter()
    for height, lines in pages:
        seen.update({key for top, text, row in lines if (key := _margin_key(top, height, text, row))})
    return {key for key, count in seen.items() if count >= 2}


def read(data: bytes, source: str | None) -> SourceText:
    """The text of a PDF: its lines and ruled tables in reading order, running headers and footers left out."""
    label = source or "input"
    pdf = _open(data, label)
    try:
        pages = [(page.height, _page_lines(page)) for page in pdf.pages]
        images = sum(len(page.images) for page in pdf.pages)
    except Exception as exc:  # a page that pdfminer cannot lay out
        raise InputError(_failure(label, exc)) from None
    finally:
        pdf.close()
    furniture = _furniture(pages)
    lines: list[str] = []
    removed: list[Removed] = []
    for height, page_lines in pages:
        for top, text, row in page_lines:
            if _margin_key(top, height, text, row) in furniture:
                removed.append(Removed(len(lines) + 1, "page furniture", text))
                continue
            lines.append(text)
    warnings: tuple[ParseWarning, ...] = ()
    if not any(line.strip() for line in lines):
        if not images:
            raise InputError(f"{label}: a PDF with no text in it (and no scanned pages)")
        warnings = (ParseWarning(code="no_text_layer", level="error", message=(
            f"a scanned PDF: its {len(pages)} page(s) are images with no text layer; run OCR first "
            "(e.g. ocrmypdf) to read it")),)
    return SourceText("\n".join(lines), None, source, warnings, format="pdf", removed=tuple(removed))
