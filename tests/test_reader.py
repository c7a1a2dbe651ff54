"""Decoding: every encoding government sites serve, detected strictly; binary input refused."""

import codecs
import random
from pathlib import Path

import pytest

from policyparse import InputError, parse_file
from policyparse.readers import decode_bytes, read_file

TEXT = "关于印发《2021年石柱县提升乡村消费工作实施方案》的通知\n一、总体思路\n（一）建设一批标准化农贸市场\n"
TRADITIONAL = "關於印發《縣域商業三年行動計劃》的通知\n一、總體思路\n二、工作目標\n"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (TEXT.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8 with BOM"),
        (TEXT.encode("utf-16"), "utf-16"),
        (codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"), "utf-16"),
        (TEXT.encode("utf-16-le"), "utf-16-le"),
        (TEXT.encode("utf-16-be"), "utf-16-be"),
        (TEXT.encode("gb18030"), "gb18030"),
        (TEXT.encode("gbk"), "gb18030"),
        (TRADITIONAL.encode("big5"), "big5"),
        (TRADITIONAL.encode("gb18030"), "gb18030"),
    ],
    ids=["utf8", "utf8-bom", "utf16-bom-le", "utf16-bom-be", "utf16-le-no-bom", "utf16-be-no-bom",
         "gb18030", "gbk", "big5-traditional", "gb18030-traditional"],
)
def test_encoding_is_detected(data: bytes, encoding: str) -> None:
    source = decode_bytes(data)
    assert source.encoding == encoding
    assert source.text.removeprefix("\ufeff") in (TEXT, TRADITIONAL)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00", "not a text document"),
        (random.Random(7).randbytes(4096), "not a text document"),
        (b"\x01\x02\x03\x04\x05\x06\x07\x08" * 64, "control characters"),
        ("一、总体思路\x00\x00二、工作目标".encode(), "NUL bytes"),
    ],
    ids=["png-header", "random-bytes", "control-characters", "nul-inside-text"],
)
def test_binary_input_is_refused(data: bytes, reason: str) -> None:
    with pytest.raises(InputError, match=reason):
        decode_bytes(data, "x.txt")


def test_mixed_line_endings_keep_source_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "mixed.txt"
    path.write_bytes("前言\r\n一、总体思路\n\r\n二、工作目标\r三、主要任务\n".encode())
    doc = parse_file(path)
    assert [(s.id, s.line) for s in doc.sections] == [("一", 2), ("二", 4), ("三", 5)]


def test_folder_and_missing_path_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="is a folder"):
        read_file(tmp_path)
    with pytest.raises(InputError, match="no such file"):
        read_file(tmp_path / "missing.txt")


def test_file_over_the_size_limit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_text("一" * 1000, encoding="utf-8")
    with pytest.raises(InputError, match="over the limit of 100"):
        read_file(path, max_bytes=100)
