"""Whatever a government website served: each input gets its documented exit code, a one-line
message naming the file and no traceback; inside a batch, the other files are converted.

Inputs are generated here, never committed as binaries.
"""

from __future__ import annotations

import codecs
import json
import os
import random
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from policyparse import convert_folder, load_rules, parse_text
from policyparse.cli import cli
from policyparse.errors import RuleError

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_TEXT = (ROOT / "samples" / "001_57ccd24b1a768582.txt").read_text(encoding="utf-8")
TRADITIONAL = "關於印發《縣域商業三年行動計劃》的通知\n一、總體思路\n建成物流中心20個。\n二、工作目標\n"
MiB = 1024 * 1024


def _html() -> bytes:
    page = ("<!DOCTYPE html><html><head><style>p{color:red}</style></head><body>\n"
            "<p>一、总体思路&nbsp;&#9826;</p><div>建成站点20个。</div>\n</body></html>")
    return page.encode()


# name → (bytes, exit code of `extract`, what the message or output must say)
INPUTS: dict[str, tuple[Callable[[], bytes], int, str]] = {
    "empty": (lambda: b"", 0, '"code": "empty"'),
    "whitespace-only": (lambda: b" \n\t\n\r\n   ", 0, '"code": "empty"'),
    "png-header": (lambda: b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), 2, "a PNG image"),
    "random-bytes": (lambda: random.Random(3).randbytes(8192), 2, "not a text document"),
    "nul-inside-text": (lambda: "一、总体思路\n".encode() + b"\x00" * 8 + "二、工作目标\n".encode(), 2, "NUL bytes"),
    "truncated-utf8": (lambda: SAMPLE_TEXT.encode()[:-1], 0, '"code": "truncated"'),
    "gb18030": (lambda: SAMPLE_TEXT.encode("gb18030"), 0, '"encoding": "gb18030"'),
    "big5-traditional": (lambda: TRADITIONAL.encode("big5"), 0, '"original_script": "traditional"'),
    "utf16-le-bom": (lambda: codecs.BOM_UTF16_LE + SAMPLE_TEXT.encode("utf-16-le"), 0, '"encoding": "utf-16"'),
    "utf16-be-bom": (lambda: codecs.BOM_UTF16_BE + SAMPLE_TEXT.encode("utf-16-be"), 0, '"encoding": "utf-16"'),
    "utf16-le-no-bom": (lambda: SAMPLE_TEXT.encode("utf-16-le"), 0, '"encoding": "utf-16-le"'),
    "utf16-be-no-bom": (lambda: SAMPLE_TEXT.encode("utf-16-be"), 0, '"encoding": "utf-16-be"'),
    "huge-single-line": (lambda: ("建设乡村消费市场体系，" * (21 * MiB // 33)).encode(), 2, "over the limit"),
    "100k-headings": (lambda: "一、标题\n".encode() * 100_000, 0, '"id": "一#100000"'),
    "10k-digit-number": (lambda: ("一、目标\n建成" + "9" * 10_000 + "个站点。\n").encode(), 0, '"targets": []'),
    "numbering-out-of-order": (lambda: "一、甲\n1．子\n3．丙\n2．乙\n2．乙又\n三、丙\n二、乙\n".encode(), 0, '"id": "一/2#2"'),
    "nested-10-deep": (lambda: "第一章 总则\n第一条 规定\n一、甲\n（一）乙\n1．丙\n（1）丁\n①戊\n⑴己\n㈠庚\n1、辛\n".encode(), 0,
                       '"level": 7'),
    "html-page": (_html, 0, '"title": "总体思路 ♢"'),
}


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("bad")
    paths = {}
    for name, (make, _, _) in INPUTS.items():
        path = folder / f"{name}.txt"
        path.write_bytes(make())
        paths[name] = path
    return paths


@pytest.mark.parametrize("name", list(INPUTS))
def test_extract_exit_code_and_message(made: dict[str, Path], name: str) -> None:
    _, code, expected = INPUTS[name]
    result = CliRunner().invoke(cli, ["extract", str(made[name]), "--format", "json"])
    assert result.exit_code == code, result.stderr
    assert "Traceback" not in result.output + result.stderr
    if code == 0:
        assert expected in result.output
        json.loads(result.output)
    else:
        assert result.stderr.count("\n") == 1 and result.stderr.startswith(str(made[name]))
        assert expected in result.stderr


def test_huge_single_line_is_read_when_the_limit_allows(made: dict[str, Path]) -> None:
    result = CliRunner().invoke(cli, ["extract", str(made["huge-single-line"]), "--format", "json",
                                      "--max-bytes", str(40 * MiB)])
    assert result.exit_code == 0 and json.loads(result.output)["sections"] == []


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p, "is a folder"),
        (lambda p: p / "missing.txt", "no such file"),
    ],
    ids=["folder", "missing-path"],
)
def test_paths_that_are_not_documents(tmp_path: Path, make: Callable[[Path], Path], message: str) -> None:
    result = CliRunner().invoke(cli, ["extract", str(make(tmp_path))])
    assert result.exit_code == 2 and message in result.stderr and result.stderr.count("\n") == 1


def test_file_without_read_permission(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "secret.txt"
    path.write_text("一、总体思路", encoding="utf-8")
    path.chmod(0)
    if os.geteuid() == 0:  # root reads anything: make the read fail as it would for anyone else
        def denied(self: Path) -> bytes:
            raise PermissionError(13, "Permission denied", str(self))

        monkeypatch.setattr(Path, "read_bytes", denied)
    result = CliRunner().invoke(cli, ["extract", str(path)])
    assert result.exit_code == 2 and "permission denied" in result.stderr


def test_symlink_loop(tmp_path: Path) -> None:
    (tmp_path / "a.txt").symlink_to(tmp_path / "b.txt")
    (tmp_path / "b.txt").symlink_to(tmp_path / "a.txt")
    result = CliRunner().invoke(cli, ["extract", str(tmp_path / "a.txt")])
    assert result.exit_code == 2 and result.stderr.count("\n") == 1 and "a.txt" in result.stderr


def test_batch_converts_every_readable_document_and_lists_the_rest(made: dict[str, Path], tmp_path: Path) -> None:
    folder = made["empty"].parent
    for sample in sorted((ROOT / "samples").glob("*.txt")):
        (folder / sample.name).write_bytes(sample.read_bytes())
    (folder / "loop.txt").symlink_to(folder / "loop.txt")
    (folder / "a-folder.txt").mkdir()
    vanishing = folder / "zz-vanishes.txt"
    vanishing.write_text("一、总体思路\n", encoding="utf-8")

    def remove_the_last_one(done: int, total: int, outcome: object) -> None:
        vanishing.unlink(missing_ok=True)

    report = convert_folder(folder, tmp_path / "out", jobs=1, on_progress=remove_the_last_one)
    reasons = {f.file: f.reason for f in report.failures}
    unreadable = {"png-header.txt", "random-bytes.txt", "nul-inside-text.txt", "huge-single-line.txt", "loop.txt",
                  "zz-vanishes.txt"}
    assert set(reasons) == unreadable
    assert "no such file" in reasons["zz-vanishes.txt"] and "symbolic links" in reasons["loop.txt"]
    assert report.converted == report.documents - len(unreadable)
    for name in INPUTS:
        assert (tmp_path / "out" / f"{name}.json").exists() == (f"{name}.txt" not in unreadable)


def test_batch_cli_exit_code_with_failures(made: dict[str, Path], tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["batch", str(made["empty"].parent), "-o", str(tmp_path / "out"), "-j", "2"])
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    assert "failed: png-header.txt: a PNG image" in result.stderr


@pytest.mark.parametrize(("pattern", "reason"), [
    (r"(a+)+b", "repeated or optional part inside a repeat"),
    (r"(\w+\s?)+$", "repeated or optional part inside a repeat"),
    (r"(?:[\u4e00-\u9fff]+\s*)+。", "repeated or optional part inside a repeat"),
    (r"(?:a+){1,1000}$", "repeated or optional part inside a repeat"),
    (r"(?:(?:a{1,5}){1,5}){1,5}$", "repeated or optional part inside a repeat"),
    (r"(?:a?){30}a{30}", "repeated group that can match nothing"),
    (r"(?:(?=a)a|a)*$", "alternatives inside a repeat that can match the same text"),
    (r"(?:年均增长|年均|增长)+$", "alternatives inside a repeat that can match the same text"),
    (r"(a|a)*$", "alternatives inside a repeat that can match the same text"),
    (r"(?:a+){1,3}$", "a search took over"),
    (r"(a)(b)\2\1", "backreference"),
    (r"(?P<x>a)(?P=x)+", "backreference"),
])
def test_rules_that_can_backtrack_catastrophically_are_refused(tmp_path: Path, pattern: str, reason: str) -> None:
    (tmp_path / "normalize.toml").write_text(f"[[noise]]\nid='noise.slow'\npattern='{pattern}'\n",
                                             encoding="utf-8")
    with pytest.raises(RuleError, match=rf"normalize\.toml: rule noise\.slow: pattern: .*{re.escape(reason)}"):
        load_rules([tmp_path])


def test_output_is_never_the_input(tmp_path: Path) -> None:
    path = tmp_path / "doc.txt"
    path.write_text("一、总体思路\n", encoding="utf-8")
    for fmt in ("json", "csv", "rich"):
        result = CliRunner().invoke(cli, ["extract", str(path), "--format", fmt, "-o", str(path)])
        assert result.exit_code == 2
    assert path.read_text(encoding="utf-8") == "一、总体思路\n"


def test_failed_rich_output_leaves_no_partial_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "view.txt"
    out.write_text("previous", encoding="utf-8")

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("renderer failed")

    monkeypatch.setattr("policyparse.render.document_view", broken)
    CliRunner().invoke(cli, ["extract", str(ROOT / "samples" / "000_2b56176de5d9e3f3.txt"), "-o", str(out)])
    assert out.read_text(encoding="utf-8") == "previous"


@pytest.mark.parametrize("text", ["一、" * 20_000, "1" * 20_000, "（" * 20_000, "以上" * 10_000, " " * 20_000 + "一"])
def test_pathological_text_is_parsed(text: str) -> None:
    """That these finish at all is the check here; benchmarks/run.py measures that they take linear time."""
    assert parse_text(text).targets == []
