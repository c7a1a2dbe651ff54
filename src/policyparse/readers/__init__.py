"""Readers: a document's bytes to text, one module per format, chosen by content, not by name.

Every reader returns a `SourceText` whose lines are in the shapes the later stages already
read (paragraphs as lines, table rows as tab-separated cells, a metadata header as a `---`
block), so normalization, the outline and extraction are the same for every format.

| format | recognized by | reader | needs |
|---|---|---|---|
| text | anything that decodes as text | `text` | nothing |
| html | markup in the decoded text (`<p>`, `<table>` …) | `html` (lxml) | `policyparse[html]` (1) |
| docx | a ZIP holding `word/document.xml` | `docx` (python-docx) | `policyparse[docx]` |
| pdf | `%PDF-` in the first kilobyte | `pdf` (pdfplumber) | `policyparse[pdf]` |

(1) Without it, a page is read as text and normalization strips its tags, with a warning.

Formats that cannot be read (an old binary `.doc`/`.wps`, RTF, images, other archives) get
an `InputError` naming the format, never a parse of their bytes as text.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from ..defaults import DEFAULT_MAX_BYTES
from ..errors import InputError
from ..models import ParseWarning
from .sniff import HTML_SNIFF_CHARS, looks_like_html
from .text import Removed, SourceText, decode_bytes

__all__ = ["FORMATS", "Removed", "SourceText", "decode_bytes", "detect_format", "read_bytes", "read_file"]

FORMATS = ("text", "html", "docx", "pdf")
# File name endings `batch` converts by default; the format is still read from the content. `.doc` and
# `.wps` are among them so that they are reported as unreadable, not passed over in silence.
SUFFIXES = (".txt", ".text", ".md", ".htm", ".html", ".shtml", ".xhtml", ".docx", ".pdf", ".doc", ".wps")

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
UNREADABLE = (
    (OLE_MAGIC, "an old binary Office document (.doc, .wps, .xls): save it as .docx, e.g. "
                "`libreoffice --headless --convert-to docx FILE`"),
    (b"{\\rtf", "an RTF document: save it as .docx or .txt"),
    (b"\x89PNG", "a PNG image: policyparse reads text, not pictures of it (run OCR first)"),
    (b"\xff\xd8\xff", "a JPEG image: policyparse reads text, not pictures of it (run OCR first)"),
    (b"GIF8", "a GIF image: policyparse reads text, not pictures of it"),
    (b"\x1f\x8b", "a gzip archive: unpack it first"),
    (b"Rar!", "a RAR archive: unpack it first"),
    (b"7z\xbc\xaf", "a 7z archive: unpack it first"),
)
# The extra that installs each optional reader, and the module it needs.
EXTRAS = {"html": "lxml", "docx": "docx", "pdf": "pdfplumber"}


def detect_format(data: bytes, label: str = "input") -> str:
    """The format of a document's bytes: `pdf`, `docx`, `html` or `text`.

    Raises InputError for formats policyparse cannot read.

    >>> detect_format(b"%PDF-1.4 ...")
    'pdf'
    >>> detect_format("<html><body><p>一、总体要求</p></body></html>".encode())
    'html'
    >>> detect_format("一、总体要求".encode("gb18030"))
    'text'
    """
    if b"%PDF-" in data[:1024]:
        return "pdf"
    if data.startswith(ZIP_MAGIC):
        return _zip_format(data, label)
    for magic, what in UNREADABLE:
        if data.startswith(magic):
            raise InputError(f"{label}: {what}")
    # Tags are ASCII in every encoding a Chinese page comes in but UTF-16 (read as text, tags stripped).
    return "html" if looks_like_html(data[:HTML_SNIFF_CHARS].decode("latin-1")) else "text"


def _zip_format(data: bytes, label: str) -> str:
    import zipfile
    from io import BytesIO

    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, EOFError, ValueError):
        raise InputError(f"{label}: a damaged ZIP archive (a .docx cut short?): it cannot be opened") from None
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        raise InputError(f"{label}: an Excel workbook: export the sheet as text or .csv first")
    if "content.xml" in names:
        raise InputError(f"{label}: an OpenDocument file: save it as .docx first")
    raise InputError(f"{label}: a ZIP archive, not a document: unpack it first")


def available(fmt: str) -> bool:
    """Whether the optional reader of a format is installed."""
    import importlib.util

    return fmt not in EXTRAS or importlib.util.find_spec(EXTRAS[fmt]) is not None


def _require(fmt: str, label: str) -> None:
    if not available(fmt):
        raise InputError(f"{label}: a {fmt.upper()} document; reading it needs the {fmt} extra: "
                         f"pip install 'policyparse[{fmt}]'")


def read_bytes(data: bytes, source: str | None = None) -> SourceText:
    """Read a document's bytes in whatever supported format they are.

    >>> read_bytes("一、总体要求".encode("gb18030")).encoding
    'gb18030'
    """
    label = source or "input"
    fmt = detect_format(data, label)
    if fmt == "pdf":
        _require(fmt, label)
        from .pdf import read as read_pdf

        return read_pdf(data, source)
    if fmt == "docx":
        _require(fmt, label)
        from .docx import read as read_docx

        return read_docx(data, source)
    decoded = decode_bytes(data, source)
    if fmt == "text":
        return decoded
    if not available("html"):
        note = ParseWarning(code="html_fallback", message=(
            "a web page read by stripping its tags; install policyparse[html] to read its structure "
            "(header table, tables as rows, navigation left out)"))
        return replace(decoded, warnings=(*decoded.warnings, note), format="html")
    from .html import read_html

    return read_html(decoded)


def read_file(path: str | Path, max_bytes: int = DEFAULT_MAX_BYTES) -> SourceText:
    """Read a file of any supported format, with a clear InputError for anything that is not a document."""
    path = Path(path)
    label = str(path)
    if path.is_dir():
        raise InputError(f"{label}: is a folder, not a document")
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise InputError(f"{label}: {size:,} bytes is over the limit of {max_bytes:,} (raise it with --max-bytes)")
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{label}: no such file") from None
    except PermissionError:
        raise InputError(f"{label}: permission denied") from None
    except OSError as exc:
        raise InputError(f"{label}: cannot be read ({exc.strerror or exc})") from None
    return read_bytes(data, label)
