"""Readers: formats found by content; .docx, .pdf and HTML give the records the text gives.

The .docx and .pdf fixtures are the five samples written by scripts/make_fixtures.py, with
the task table of sample 000 as a real table (ruled, in the PDF).
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from policyparse import parse_file
from policyparse.cli import cli
from policyparse.errors import InputError
from policyparse.models import Document
from policyparse.readers import detect_format, read_bytes, read_file

ROOT = Path(__file__).resolve().parent.parent
FORMATS = ROOT / "tests" / "fixtures" / "formats"
SAMPLES = sorted((ROOT / "samples").glob("*.txt"))


def _records(doc: Document) -> dict[str, list[tuple]]:
    return {
        "sections": [(s.id, s.title) for s in doc.iter_sections()],
        "targets": [(t.section, t.indicator, t.value, t.unit, t.deadline, tuple(t.lead_units or ())) for t in doc.targets],
        "tasks": [(t.task, tuple(t.lead_units), tuple(t.support_units), t.deadline, t.category) for t in doc.tasks],
        "assignments": [(a.section, tuple(a.units)) for a in doc.assignments],
    }


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.stem[:3])
def test_a_sample_as_docx_gives_the_records_of_its_text(sample: Path) -> None:
    want, got = _records(parse_file(sample)), _records(parse_file(FORMATS / f"{sample.stem}.docx"))
    assert got == want
    assert parse_file(FORMATS / f"{sample.stem}.docx").metadata.format == "docx"


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.stem[:3])
def test_a_sample_as_pdf_gives_the_records_of_its_text(sample: Path) -> None:
    want, got = _records(parse_file(sample)), _records(parse_file(FORMATS / f"{sample.stem}.pdf"))
    assert got["sections"] == want["sections"]
    assert got["tasks"] == want["tasks"]
    # A paragraph the PDF's layout breaks after a full stop at a line end stays two lines: the units named at
    # its end reach fewer of its figures (sample 002, 4 of 9 targets; one assignment).
    assert [t[:5] for t in got["targets"]] == [t[:5] for t in want["targets"]]
    assert set(got["assignments"]) <= set(want["assignments"])
    assert len(got["assignments"]) >= len(want["assignments"]) - 1


def test_the_docx_task_table_is_read_from_its_cells() -> None:
    read = read_file(FORMATS / "000_2b56176de5d9e3f3.docx")
    rows = [line for line in read.text.splitlines() if line.count("\t") >= 5]
    assert rows[0].split("\t")[:4] == ["序号", "类别", "项目", "工作任务"]
    assert len(rows) == 1 + 19  # the header and one line per row, cells in place
    merged = rows[7].split("\t")  # the row under 冷链物流集配中心: number and category merged from above
    assert merged[:3] == ["6", "乡村消费市场体系建设", "农产品产地冷冻（藏）库建设"]
    tasks = parse_file(FORMATS / "000_2b56176de5d9e3f3.docx").tasks
    assert tasks[6].category == "乡村消费市场体系建设" and tasks[6].lead_units == ["县农业农村委"]


def test_pdf_page_furniture_is_left_out_and_listed() -> None:
    read = read_file(FORMATS / "000_2b56176de5d9e3f3.pdf")
    assert not any(line.strip().startswith("- ") and line.strip().endswith(" -") for line in read.text.splitlines())
    assert {r.text for r in read.removed} >= {"- 1 -", "- 2 -"}
    headers = [line for line in read.text.splitlines() if line.startswith("序号\t类别")]
    assert len(headers) >= 2 and len(set(headers)) == 1  # repeated on each page the table runs over
    assert len(parse_file(FORMATS / "000_2b56176de5d9e3f3.pdf").tasks) == 19  # one table, read across the page


PAGE = """<!DOCTYPE html>
<html><head><title>国务院办公厅关于印发某方案的通知_中国政府网</title>
<script>var share = "分享到微信";</script></head>
<body>
<nav>首页 &gt; 政策 &gt; 国务院文件</nav>
<table class="bd1">
 <tr><td><b>发文机关：</b></td><td>国务院办公厅</td><td><b>成文日期：</b></td><td>2021年06月29日</td></tr>
 <tr><td><b>标　　题：</b></td><td colspan="3">国务院办公厅关于印发某方案的通知</td></tr>
 <tr><td><b>发文字号：</b></td><td>国办发〔2021〕35号</td><td><b>发布日期：</b></td><td>2021年07月05日</td></tr>
</table>
<div id="content" style="font-family:宋体">
<p>国务院办公厅关于印发某方案的通知</p>
<p>各省、自治区、直辖市人民政府：</p>
<p>一、工作目标</p>
<p>到2025年，建成物流中转站&nbsp;20个，配送末端网点100个以上。</p>
<p>二、任务分工</p>
<table>
 <tr><th>序号</th><th>工作任务</th><th>牵头单位</th><th>完成时限</th></tr>
 <tr><td>1</td><td>建成冷链物流集配中心3个</td><td rowspan="2">县商务委</td><td>2021年12月</td></tr>
 <tr><td>2</td><td>建成农产品产地冷冻库2个</td><td>2022年12月</td></tr>
</table>
<p>国务院办公厅</p>
<p>2021年6月20日</p>
</div>
<footer>扫一扫在手机打开当前页</footer>
</body></html>
"""


def test_a_web_page_is_read_by_its_structure() -> None:
    read = read_bytes(PAGE.encode("utf-8"), "page.html")
    assert read.format == "html"
    assert "分享到微信" not in read.text and "首页" not in read.text
    assert {"markup"} == {r.by for r in read.removed if "分享到微信" in r.text or "宋体" in r.text}
    assert "建成物流中转站 20个" in read.text  # &nbsp; decoded
    doc = parse_file_bytes(PAGE)
    meta = doc.metadata
    # The header table is the publisher's record: its 成文日期 wins over the signature date.
    assert (meta.doc_number, meta.issuer, meta.issued_date) == ("国办发〔2021〕35号", "国务院办公厅", "2021-06-29")
    assert [(t.task, t.lead_units, t.deadline) for t in doc.tasks] == [
        ("建成冷链物流集配中心3个", ["县商务委"], "2021-12"), ("建成农产品产地冷冻库2个", ["县商务委"], "2022-12")]
    target = next(t for t in doc.targets if t.indicator == "物流中转站")
    assert target.line == PAGE.splitlines().index("<p>到2025年，建成物流中转站&nbsp;20个，配送末端网点100个以上。</p>") + 1


def parse_file_bytes(page: str) -> Document:
    from policyparse import parse_bytes

    return parse_bytes(page.encode("gb18030"), "page.html")


def _docx_bytes(names: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in names.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "fmt"),
    [
        (b"%PDF-1.7\n", "pdf"),
        (b"\r\n%PDF-1.4\n", "pdf"),
        (_docx_bytes({"word/document.xml": b"<w:document/>"}), "docx"),
        ("<div><p>一、总体要求</p></div>".encode("gb18030"), "html"),
        ("一、总体要求\n到2025年建成站点10个。".encode(), "text"),
        ("一、总体要求 <b>不是网页</b>".encode(), "text"),
    ],
    ids=["pdf", "pdf-after-junk", "docx", "html-gbk", "text", "text-with-bold"],
)
def test_the_format_is_found_by_content(data: bytes, fmt: str) -> None:
    assert detect_format(data) == fmt


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: _write(p / "old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500)), "old binary Office document"),
        (lambda p: _write(p / "cut.docx", _docx_bytes({"word/document.xml": b"<w:document/>"})[:40]),
         "damaged ZIP archive"),
        (lambda p: _write(p / "book.docx", _docx_bytes({"xl/workbook.xml": b"<workbook/>"})), "Excel workbook"),
        (lambda p: FORMATS / "encrypted.pdf", "encrypted PDF"),
        (lambda p: FORMATS / "blank.pdf", "PDF with no text"),
        (lambda p: _write(p / "broken.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\n" + bytes(200)), "PDF"),
    ],
    ids=["doc", "corrupt-zip", "xlsx", "encrypted-pdf", "blank-pdf", "broken-pdf"],
)
def test_an_unreadable_format_exits_2_with_one_line_naming_it(tmp_path: Path, make, message: str) -> None:
    path = make(tmp_path)
    result = CliRunner().invoke(cli, ["extract", str(path), "--format", "json"])
    assert result.exit_code == 2, result.output
    assert result.stderr.count("\n") == 1 and message in result.stderr and "Traceback" not in result.stderr


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_a_scanned_pdf_is_incomplete_not_an_empty_ok() -> None:
    doc = parse_file(FORMATS / "scanned.pdf")
    assert [(w.code, w.level) for w in doc.warnings][:1] == [("no_text_layer", "error")]


def test_a_missing_extra_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("policyparse.readers.available", lambda fmt: fmt != "pdf")
    with pytest.raises(InputError, match=r"pip install 'policyparse\[pdf\]'"):
        read_file(FORMATS / "001_57ccd24b1a768582.pdf")


def test_a_web_page_without_the_html_extra_is_still_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("policyparse.readers.available", lambda fmt: fmt != "html")
    doc = parse_file_bytes(PAGE)
    assert doc.metadata.format == "html" and any(w.code == "html_fallback" for w in doc.warnings)
    assert [t.indicator for t in doc.targets][:1] == ["物流中转站"]


def test_batch_converts_every_supported_file_and_reports_formats(tmp_path: Path) -> None:
    from policyparse import convert_folder

    src = tmp_path / "in"
    src.mkdir()
    for name in ("000_2b56176de5d9e3f3.docx", "001_57ccd24b1a768582.pdf"):
        (src / name).write_bytes((FORMATS / name).read_bytes())
    (src / "page.html").write_text(PAGE, encoding="utf-8")
    (src / "plan.txt").write_bytes(SAMPLES[2].read_bytes())
    (src / "notes.json").write_text("{}", encoding="utf-8")  # not a document: passed over
    report = convert_folder(src, tmp_path / "out", jobs=1)
    assert (report.documents, report.failed) == (4, 0)
    assert report.formats == {"docx": 1, "html": 1, "pdf": 1, "text": 1}
    narrowed = convert_folder(src, tmp_path / "pdf-only", jobs=1, pattern="*.pdf")
    assert narrowed.documents == 1


def _numbered_docx(path: Path) -> Path:
    """A .docx whose outline numbers are Word's automatic list numbers, not text (`一、` `（一）` `1．`)."""
    import docx
    from docx.oxml import parse_xml

    namespace = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    document = docx.Document()
    numbering = document.part.numbering_part.element
    numbering.append(parse_xml(
        f'<w:abstractNum {namespace} w:abstractNumId="90"><w:multiLevelType w:val="multilevel"/>'
        '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl>'
        '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%2）"/></w:lvl>'
        '<w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%3．"/></w:lvl>'
        '</w:abstractNum>'))
    numbering.append(parse_xml(f'<w:num {namespace} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))
    for text, level in [("总体要求", 0), ("指导思想", 1), ("基本原则", 1), ("主要任务", 0), ("建设平台", 1),
                        ("到2025年建成站点10个。", 2), ("培育企业20家。", 2), ("强化保障", 1)]:
        paragraph = document.add_paragraph(text)
        paragraph._p.get_or_add_pPr().append(parse_xml(
            f'<w:numPr {namespace}><w:ilvl w:val="{level}"/><w:numId w:val="90"/></w:numPr>'))
    document.save(str(path))
    return path


def test_word_list_numbers_are_read_as_the_outline(tmp_path: Path) -> None:
    doc = parse_file(_numbered_docx(tmp_path / "numbered.docx"))
    assert [s.id for s in doc.iter_sections()] == [
        "一", "一/(一)", "一/(二)", "二", "二/(一)", "二/(一)/1", "二/(一)/2", "二/(二)"]
    assert [(t.section, t.value) for t in doc.targets] == [("二/(一)/1", 10), ("二/(一)/2", 20)]


@pytest.mark.parametrize(
    ("line", "read"),
    [("国 务 院  办 公 厅", "国务院办公厅"), ("建 成 站 点 20 个 。", "建成站点 20 个。"), ("5G 基站", "5G 基站"),
     ("Ⅲ类 水体", "Ⅲ类水体"), ("   ", " "), ("", ""), (" 建成 ", " 建成 ")],
)
def test_a_justified_pdf_line_loses_the_spaces_between_chinese_characters(line: str, read: str) -> None:
    import re

    from policyparse.readers.text import collapse_spaces

    assert collapse_spaces(line, re.compile(" +")) == read


def test_a_label_cell_is_told_by_its_text_however_long_its_neighbour() -> None:
    from itertools import pairwise

    from lxml import html as lxml_html

    from policyparse.readers.html import LABEL, _cell_text, _header_pairs

    table = lxml_html.fromstring(
        "<table><tr><td>主　题　分　类：</td><td>商贸</td><td>一二三四五六七八九十：</td><td>甲</td>"
        "<td>一二三四五六七八九十一：</td><td>乙</td><td><p>发文机关：</p><p>" + "正文" * 400 + "</p></td>"
        "<td>丙</td></tr></table>")
    cells = list(table.iter("td"))
    by_whole_text = [(found.group("key"), _cell_text(value)) for label, value in pairwise(cells)
                     if (found := LABEL.match("".join(_cell_text(label).split())))
                     and not LABEL.match("".join(_cell_text(value).split()))]
    assert [(key, value) for key, value, _ in _header_pairs(table, 1) or []] == by_whole_text == [
        ("主题分类", "商贸"), ("一二三四五六七八九十", "甲")]
