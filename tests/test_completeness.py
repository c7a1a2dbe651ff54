"""Nothing lost silently: a document whose content is blanked, truncated or unreadable in part is never a
silent `ok`; scraper chrome goes span by span; scrapers' and databases' headers are read as metadata."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from policyparse import convert_folder, load_rules, parse_bytes, parse_text
from policyparse.cli import cli

# The shape of a page scraped from a Fujian site (eval/docs/pingtan-…): header, banner, and the
# whole body on the line of its breadcrumb and share buttons.
SCRAPED = (
    "标题: 平潭综合实验区管委会关于印发水污染防治行动计划工作方案的通知\n"
    "发布时间: 2015-12-30 11:39\n文号: \n发布机构: 中国平潭\n栏目: 区管委会文件\n"
    "原文链接: https://www.pingtan.gov.cn/zwgk/t20151230_3062.htm\n页面链接与图片详见 links.tsv(同目录)\n"
    "==================== 正文 ====================\n"
    "当前位置： 首页政务公开最新文件区管委会文件 平潭综合实验区管委会关于印发水污染防治行动计划工作方案的通知 "
    "时间：2015-12-30 11:39 微信 微博 QQ空间 岚综管综〔2015〕278号平潭综合实验区管委会关于印发水污染防治行动计划工作方案的通知 "
    "区直各单位：现将《平潭综合实验区水污染防治行动计划工作方案》印发给你们，请认真贯彻执行。 "
    "平潭综合实验区管委会2015年12月25日 平潭综合实验区水污染防治行动计划工作方案 一、总体要求"
    + "坚持预防为主、防治结合，统筹水资源管理、水污染治理和水生态保护。" * 40 +
    "二、主要目标到2020年，全区水环境质量得到阶段性改善，建成污水处理厂3座。\n"
)


def test_a_breadcrumb_takes_only_itself() -> None:
    doc = parse_text(SCRAPED)
    assert [s.title for s in doc.sections] == ["总体要求", "主要目标"]
    assert [(t.indicator, t.value) for t in doc.targets] == [("污水处理厂", 3)]
    assert "当前位置" not in doc.text and "微信 微博" not in doc.text and "首页政务公开" not in doc.text
    assert "岚综管综〔2015〕278号" in doc.text
    assert not [w for w in doc.warnings if w.level == "error"]


def test_a_scraper_header_is_metadata() -> None:
    meta = parse_text(SCRAPED).metadata
    assert meta.title == "平潭综合实验区管委会关于印发水污染防治行动计划工作方案的通知"
    assert meta.doc_number == "岚综管综〔2015〕278号"
    assert meta.issuer == "平潭综合实验区管委会"  # the site's name (中国平潭) is no issuer
    assert meta.issued_date == "2015-12-25"  # the body's signature wins over the page's publication time


def test_a_legal_database_header_is_metadata() -> None:
    text = ("    【法宝引证码】 CLI.12.4792728\n原文链接：https://www.pkulaw.com/lar/f06f932a.html\n"
            "阿坝州人民政府办公室关于印发《阿坝州政务数据资源管理暂行办法》的通知\n阿府办发〔2021〕21号\n"
            "各县（市）人民政府：\n　　现将《阿坝州政务数据资源管理暂行办法》印发你们，请认真遵照执行。\n")
    doc = parse_text(text)
    assert "法宝引证码" not in doc.text and "原文链接" not in doc.text
    assert doc.metadata.title == "阿坝州人民政府办公室关于印发《阿坝州政务数据资源管理暂行办法》的通知"
    assert doc.metadata.doc_number == "阿府办发〔2021〕21号"


def test_key_value_lines_inside_a_body_are_text() -> None:
    text = "一、目标\n责任单位：县商务委\n完成时限：2021年底\n"
    assert parse_text(text).text.startswith("一、目标\n责任单位：县商务委")


def _overlay(tmp_path: Path, name: str, body: str) -> Path:
    directory = tmp_path / "rules"
    directory.mkdir(exist_ok=True)
    (directory / name).write_text(body, encoding="utf-8")
    return directory


def test_blanked_content_is_an_error(tmp_path: Path) -> None:
    rules = load_rules([_overlay(tmp_path, "normalize.toml", "[[noise]]\nid = 'noise.greedy'\n"
                                 "pattern = '实施.{0,200}'\nexamples = ['实施方案']\n")])
    doc = parse_text("某县方案\n一、目标\n实施乡村消费提升行动，建成乡镇物流中转站20个，培育电商企业5家。\n", rules=rules)
    (error,) = [w for w in doc.warnings if w.level == "error"]
    assert error.code == "content_dropped" and "noise.greedy" in error.message


def test_nothing_read_from_a_long_text_is_an_error() -> None:
    doc = parse_text("这是一段没有编号标题也没有数字的长文本。" * 150)
    assert [w.code for w in doc.warnings if w.level == "error"] == ["nothing_extracted"]


@pytest.mark.parametrize(
    ("data", "code"),
    [("一、目标\n建成站点20个。".encode() + "示".encode()[:2], "truncated"),
     ("一、目标\n建成站点20个，培育企业5家，".encode() * 20 + b"\xff\xfe", "invalid_bytes")],
    ids=["truncated", "unreadable-in-part"],
)
def test_damaged_bytes_are_errors(data: bytes, code: str) -> None:
    doc = parse_bytes(data, "damaged.txt")
    assert code in [w.code for w in doc.warnings if w.level == "error"]


def test_batch_lists_incomplete_documents(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "whole.txt").write_text("一、目标\n建成站点20个。\n", encoding="utf-8")
    (folder / "cut.txt").write_bytes("一、目标\n建成站点20个。".encode() + "示".encode()[:2])
    result = CliRunner().invoke(cli, ["batch", str(folder), "-o", str(tmp_path / "out"), "-j", "1"])
    assert result.exit_code == 0  # converted: the user is told, the batch did not fail
    assert "cut.txt: ok (text), 1 error(s): truncated" in result.stderr
    assert "whole.txt: ok (text)\n" in result.stderr
    assert "1 incomplete" in result.stderr
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert [d["file"] for d in summary["incomplete"]] == ["cut.txt"]
    report = convert_folder(folder, tmp_path / "out")  # up to date: still listed
    assert report.skipped == 2 and [d.file for d in report.incomplete] == ["cut.txt"]


def test_format_text_shows_source_lines_and_what_was_removed(tmp_path: Path) -> None:
    path = tmp_path / "page.txt"
    path.write_text(SCRAPED, encoding="utf-8")
    result = CliRunner().invoke(cli, ["extract", str(path), "--format", "text"])
    assert result.exit_code == 0
    text, removed = result.output.split("==== removed in normalization", 1)
    assert "9\t 平潭综合实验区管委会关于印发" in text
    assert "\n1\theader\t标题: 平潭综合实验区管委会" in removed
    assert "\n9\tnoise.breadcrumb\t当前位置： 首页政务公开最新文件区管委会文件" in removed


def test_markdown_heading_marks_and_an_own_number_in_brackets() -> None:
    text = ("# 上海市交通委员会、上海市发展和改革委员会关于印发《上海交通领域光伏推广应用实施方案》的通知\n\n"
            "（沪交科〔2023〕429号）\n\n## 第一章 总则\n\n第一条 为推进光伏应用，制定本办法。\n")
    doc = parse_text(text)
    assert doc.metadata.title == "上海市交通委员会、上海市发展和改革委员会关于印发《上海交通领域光伏推广应用实施方案》的通知"
    assert doc.metadata.doc_number == "沪交科〔2023〕429号"
    assert doc.metadata.issuer == "上海市交通委员会"
    assert [s.id for s in doc.iter_sections()] == ["第一章", "第一章/第一条"]


def test_typographic_spaces_indent_like_ideographic_ones() -> None:
    # Shandong exports (pkulaw_xlsx_shandong) indent with EM SPACE (U+2003)
    doc = parse_text("\u2003\u2003一、打造协同高效的数字政府\n\u2003\u20031.推动政务服务数字化转型。\n\u2003\u20032.完善应用。\n")
    assert [s.id for s in doc.iter_sections()] == ["一", "一/1", "一/2"]


def test_a_regulation_in_markdown() -> None:
    text = "# 某市绿色建筑管理办法\n\n## **第一章 总则**\n\n**第一条** 为了规范管理，制定本办法。\n\n**第二条** 本办法适用于本市。\n"
    doc = parse_text(text)
    assert doc.metadata.title == "某市绿色建筑管理办法"
    assert [(s.id, s.title) for s in doc.iter_sections()] == [("第一章", "总则"), ("第一章/第一条", ""),
                                                                ("第一章/第二条", "")]
