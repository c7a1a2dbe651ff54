"""Make the .docx and .pdf fixtures of the five samples (tests/fixtures/formats/).

Each sample's normalized text is written paragraph by paragraph, and each task table the
tool finds in it as a real table (a Word table; a PDF table with ruling lines), so the
readers are tested on the structure those formats carry, not on flattened cells.

    pip install reportlab && python scripts/make_fixtures.py    # python-docx comes with the test extra

The outputs are committed: the tests read them and do not need reportlab.
"""

from __future__ import annotations

from pathlib import Path

from policyparse.extract.tables import find_tables
from policyparse.normalize import line_spans
from policyparse.pipeline import normalize_text, parse_text
from policyparse.rulebook import default_rules

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "fixtures" / "formats"


def blocks(text: str) -> list[str | list[list[str]]]:
    """The normalized text as paragraphs and tables (rows of cell texts, the header first)."""
    rules = default_rules()
    norm = normalize_text(text, rules)
    tables = find_tables(norm, rules)
    out: list[str | list[list[str]]] = []
    position = 0
    for table in tables:
        first = min((c.start for row in table.rows for c in row if c), default=table.end)
        out.extend(_paragraphs(norm.text, position, table.start))
        header = [norm.text[a:b].strip() for a, b in line_spans(norm.text, table.start, first)
                  if norm.text[a:b].strip()][: len(table.columns)]
        out.append([header, *(_row(row, len(header)) for row in table.rows)])
        position = max(table.end, max((c.end for row in table.rows for c in row if c), default=table.end))
    out.extend(_paragraphs(norm.text, position, len(norm.text)))
    return out


def _row(row: list, width: int) -> list[str]:
    cells = [cell.text.strip() if cell else "" for cell in row]
    return (cells + [""] * width)[:width]


def _paragraphs(text: str, lo: int, hi: int) -> list[str | list[list[str]]]:
    return [text[a:b].strip() for a, b in line_spans(text, lo, hi) if text[a:b].strip()]


def write_docx(parts: list[str | list[list[str]]], path: Path, title: str) -> None:
    import docx

    document = docx.Document()
    document.core_properties.title = title
    for part in parts:
        if isinstance(part, str):
            document.add_paragraph(part)
            continue
        table = document.add_table(rows=len(part), cols=len(part[0]))
        table.style = "Table Grid"
        tops: dict[int, int] = {}  # column → row of the last filled cell, which an empty one below merges into
        for r, row in enumerate(part):
            for c, value in enumerate(row):
                if value or r == 0:
                    table.cell(r, c).text = value
                    tops[c] = r
                elif c in tops and part[tops[c]][c] and c < len(row) - 1:
                    table.cell(tops[c], c).merge(table.cell(r, c))  # printed once for several rows
    document.save(str(path))


def write_pdf(parts: list[str | list[list[str]]], path: Path) -> None:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    body = ParagraphStyle("body", fontName="STSong-Light", fontSize=11, leading=17, wordWrap="CJK",
                          firstLineIndent=22)
    cell = ParagraphStyle("cell", fontName="STSong-Light", fontSize=9, leading=12, wordWrap="CJK")
    flow: list = []
    for part in parts:
        if isinstance(part, str):
            flow.append(Paragraph(_escape(part), body))
            continue
        data = [[Paragraph(_escape(value), cell) for value in row] for row in part]
        table = Table(data, repeatRows=1, colWidths=_widths(part, A4[0] - 144))
        table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                                   ("VALIGN", (0, 0), (-1, -1), "TOP")]))
        flow.append(table)

    def page_number(canvas, doc) -> None:
        canvas.setFont("STSong-Light", 9)
        canvas.drawCentredString(A4[0] / 2, 20, f"- {doc.page} -")

    SimpleDocTemplate(str(path), pagesize=A4, title="", author="").build(
        flow, onFirstPage=page_number, onLaterPages=page_number)


def _widths(rows: list[list[str]], total: float) -> list[float]:
    """Column widths in proportion to the longest cell of each column (capped), at least 32 points."""
    weights = [min(40, max(2, *(len(row[c]) for row in rows))) for c in range(len(rows[0]))]
    spare = total - 32 * len(weights)
    return [32 + spare * w / sum(weights) for w in weights]


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def minimal_pdf(image: bool) -> bytes:
    """A one-page PDF with no text: a scan (one image) or an empty page."""
    draw = b"q 200 0 0 200 0 0 cm /Im1 Do Q" if image else b""
    resources = b"/Resources << /XObject << /Im1 4 0 R >> >> " if image else b""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] " + resources + b"/Contents 5 0 R >>",
        b"<< /Type /XObject /Subtype /Image /Width 1 /Height 1 /ColorSpace /DeviceGray /BitsPerComponent 8 "
        b"/Length 1 >>\nstream\n\x80\nendstream",
        b"<< /Length " + str(len(draw)).encode() + b" >>\nstream\n" + draw + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer << /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def encrypted_pdf(path: Path) -> None:
    from reportlab.lib.pdfencrypt import StandardEncryption
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen.canvas import Canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    canvas = Canvas(str(path), encrypt=StandardEncryption("secret", canPrint=0))
    canvas.setFont("STSong-Light", 12)
    canvas.drawString(72, 720, "一、总体要求")
    canvas.save()


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for sample in sorted((ROOT / "samples").glob("*.txt")):
        text = sample.read_text(encoding="utf-8")
        parts = blocks(text)
        title = parse_text(text).metadata.title or ""
        write_docx(parts, OUT / f"{sample.stem}.docx", title)
        write_pdf(parts, OUT / f"{sample.stem}.pdf")
        print(f"{sample.stem}: {sum(isinstance(p, list) for p in parts)} table(s)")
    (OUT / "scanned.pdf").write_bytes(minimal_pdf(image=True))
    (OUT / "blank.pdf").write_bytes(minimal_pdf(image=False))
    encrypted_pdf(OUT / "encrypted.pdf")


if __name__ == "__main__":
    main()

