"""Hostile inputs that once hung or lost content: each test states the input that did and what must hold now.

A hang shows as the suite not finishing; the assertions check the output, never the time taken.
"""

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from policyparse import parse_text
from policyparse.cli import cli
from policyparse.extract.text import MAX_QUOTE
from policyparse.rulebook import default_rules
from policyparse.rulebook.compiled import WordRun
from policyparse.rulebook.schema import alternation

RULES = default_rules()
TRAILING = RULES.targets.trailing_words


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([*TRAILING[:8], "指标", "率", "x"]), max_size=8).map("".join))
def test_word_run_strips_what_the_regex_it_replaces_strips(phrase: str) -> None:
    regex = re.compile(alternation(TRAILING) + "+$")
    assert WordRun.of(TRAILING).strip_end(phrase) == regex.sub("", phrase)


def test_a_phrase_repeating_trailing_words_is_read_not_backtracked_over() -> None:
    # `(?:同比增长|年均增长|年均|增长|…)+$` took 140 s over this line (exponential in the repeats).
    doc = parse_text("一、目标\n到2025年，指标" + "年均增长" * 26 + "x5%。")
    assert [(t.value, t.unit) for t in doc.targets] == [(5.0, "%")]
    assert WordRun.of(TRAILING).strip_end("产值" + "年均增长" * 26) == "产值"


def test_a_sentence_of_ten_thousand_figures_gives_each_its_target_and_a_bounded_quote() -> None:
    # Each figure scanned its whole sentence for its bounds and quoted all of it: quadratic time and output.
    doc = parse_text("一、目标\n到2025年，" + "，".join(f"新建站点{i}个" for i in range(1, 10001)) + "。")
    assert len(doc.targets) == 10000
    assert all(len(t.text) <= MAX_QUOTE and doc.text[t.span.start : t.span.end] == t.text for t in doc.targets)
    assert f"新建站点{5000}个" in doc.targets[4999].text
    assert doc.targets[0].text.startswith("到2025年，新建站点1个")


def _pairs_by_weighing_every_pair(old, new, rules):
    """The pairing `pair_targets` must give, computed the slow way: identical targets, then every pair weighed."""
    from policyparse.diff import MIN_SIMILARITY, SAME_SECTION_BONUS, SAME_VALUE_BONUS, _identity, indicator_similarity

    kinds = rules.compiled.measure_kinds
    pairs, free = [], list(range(len(new)))
    unpaired = []
    for i, target in enumerate(old):
        j = next((j for j in free if _identity(new[j]) == _identity(target)), None)
        if j is None:
            unpaired.append(i)
        else:
            pairs.append((i, j))
            free.remove(j)
    scored = []
    for i in unpaired:
        for j in free:
            if kinds.get(old[i].base_unit, old[i].base_unit) != kinds.get(new[j].base_unit, new[j].base_unit):
                continue
            similarity = indicator_similarity(old[i].indicator, new[j].indicator)
            if similarity >= MIN_SIMILARITY:
                scored.append((similarity + SAME_SECTION_BONUS * (old[i].section == new[j].section)
                               + SAME_VALUE_BONUS * (old[i].base_value == new[j].base_value), i, j))
    used_old, used_new = set(), set()
    for _, i, j in sorted(scored, key=lambda s: (-s[0], s[1], s[2])):
        if i not in used_old and j not in used_new:
            pairs.append((i, j))
            used_old.add(i)
            used_new.add(j)
    return sorted(pairs)


def test_diff_pairs_as_weighing_every_pair_would_while_weighing_few() -> None:
    # Weighing every pair of two 1,000-target documents with moved deadlines took 145 s.
    import random

    from policyparse.diff import pair_targets

    words = "乡镇 物流 中转站 快递 网点 农村 电商 服务站 冷链 仓储 品牌 连锁 超市 充电桩 覆盖率 床位 数 量 新建".split()
    units = ["个", "家", "公里", "%", "万千瓦", "张"]
    def document(chance: random.Random):
        return parse_text("一、目标\n" + "\n".join(
            f"（{i % 5 + 1}）到{chance.choice([2025, 2027])}年，{''.join(chance.sample(words, chance.randint(1, 3)))}"
            f"达到{chance.randint(1, 5)}{chance.choice(units)}。" for i in range(60)))

    for seed in range(3):
        chance = random.Random(seed)
        old, new = document(chance), document(chance)
        assert pair_targets(old.targets, new.targets, RULES) == _pairs_by_weighing_every_pair(
            old.targets, new.targets, RULES)


def test_page_breaks_and_unicode_separators_break_lines_within_their_source_line() -> None:
    # pdftotext puts `\f` before every page; it hid the heading that opened the page.
    doc = parse_text("前言\n\f一、目标\n到2025年，建成站点20个。\u2028二、保障\u2029加强领导。")
    assert [(s.title, s.line) for s in doc.sections] == [("目标", 2), ("保障", 3)]
    assert doc.targets[0].line == 3


def test_zero_width_characters_inside_a_number_are_removed_before_it_is_read() -> None:
    doc = parse_text("一、目标\n到2025年，建成站点2\u200b0个，就业\u200b增加100\u2060万人。")
    assert [(t.indicator, t.value) for t in doc.targets] == [("站点", 20.0), ("就业", 100.0)]


def test_spaces_join_digits_only_inside_one_number() -> None:
    text = parse_text("覆盖率达到85 95 %，截至20 18年底，投资1 000万元，序号132 5 信息技术").text
    assert "85 95%" in text and "2018年" in text and "1000万元" in text and "132 5" in text


def test_entities_are_decoded_only_when_terminated() -> None:
    assert parse_text("<p>&notice 与 &amp; 和 &copy 及 &#20013;</p>").text.strip() == "&notice 与 & 和 &copy 及 中"


def test_an_unclosed_script_hides_the_rest_of_its_line_not_of_the_page(tmp_path) -> None:
    page = "<p>一、目标</p><script>var a=1;\n<p>到2025年，建成站点20个。</p>\n<p>二、保障</p>"
    as_text = parse_text(page)
    (tmp_path / "page.html").write_text(f"<html><body>{page}</body></html>", encoding="utf-8")
    from policyparse import parse_file

    as_page = parse_file(tmp_path / "page.html")
    for doc in (as_text, as_page):
        assert [t.value for t in doc.targets] == [20.0]
        assert [s.title for s in doc.sections] == ["目标", "保障"]
        assert [(w.code, w.line) for w in doc.warnings] == [("unclosed_markup", 1)]


def test_every_key_of_a_header_is_kept() -> None:
    keys = {"title": "标题", "发文机关": "某局", "date": "2021-01-01", "url": "http://x", "source": "某网",
            "author": "张三", "发文字号": "某〔2021〕1号", "keywords": "a", "id": "123", "category": "通知"}
    doc = parse_text("---\n" + "".join(f"{k}: {v}\n" for k, v in keys.items()) + "---\n正文。")
    assert doc.metadata.header == keys
    assert (doc.metadata.title, doc.metadata.issuer, doc.metadata.doc_number) == ("标题", "某局", "某〔2021〕1号")


def test_a_rule_line_at_the_top_is_no_header_unless_key_value_lines_follow() -> None:
    doc = parse_text("---\n一、总体要求\n到2025年，建成站点20个。\n---\n二、保障\n加强领导。")
    assert [s.title for s in doc.sections] == ["总体要求", "保障"] and doc.metadata.header == {}


SIMPLIFIED = "一、总体要求\n到2025年，全县建成乡镇商贸中心10个，村级便民商店200个。\n"
TRADITIONAL = "二、保障措施\n加強組織領導，確保各項任務落實到位，建立健全工作機制。\n"


def test_a_gbk_file_with_one_bad_byte_is_read_with_a_warning_not_refused() -> None:
    from policyparse.readers.text import decode_bytes

    data = (SIMPLIFIED * 4).encode("gbk")
    at = data.index("村".encode("gbk"), len(data) // 2)
    read = decode_bytes(data[:at] + b"\xff" + data[at:])
    assert read.encoding == "gb18030" and read.text.count("\ufffd") == 1
    assert [(w.code, w.line) for w in read.warnings] == [("invalid_bytes", 6)]
    assert read.text.startswith(SIMPLIFIED * 2)


def test_lines_in_big5_inside_a_gbk_file_are_each_read_in_their_own_encoding() -> None:
    from policyparse.readers.text import decode_bytes

    for parts in ([(SIMPLIFIED, "gbk")] * 3 + [(TRADITIONAL, "big5")] * 2,
                  [(TRADITIONAL, "big5")] * 3 + [(SIMPLIFIED, "gbk")] * 2):
        read = decode_bytes(b"".join(text.encode(encoding) for text, encoding in parts))
        assert read.text == "".join(text for text, _ in parts)
        assert [w.code for w in read.warnings] == ["mixed_encoding"]
    assert decode_bytes((TRADITIONAL * 5).encode("big5")).warnings == ()
    assert decode_bytes((SIMPLIFIED * 5).encode("gbk")).warnings == ()


SAMPLE = Path(__file__).resolve().parent.parent / "samples" / "000_2b56176de5d9e3f3.txt"


def _policyparse(*args: str, stdin: Any = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "policyparse", *args], stdin=stdin, capture_output=True, text=True,
                          timeout=120)


@pytest.mark.parametrize(("content", "message"), [
    ('[[noise]]\nid = "noise.x"\npattern = "a{4294967296}"\n', "rule noise.x: pattern: a repeat count too large"),
    ('[[noise]]\nid = "noise.x"\npattern = "' + "(" * 3000 + "a" + ")" * 3000 + '"\n', "nested too deeply"),
    ("x = " + "[" * 5000 + "]" * 5000 + "\n", "not valid TOML: arrays or tables nested too deeply"),
    ('[[noise]]\nid = "noise.x"\npattern = "' + "a" * 20000 + '"\n', "a rule's pattern is at most"),
    ("folder", "not a regular file"),
    ("dangling", "not a regular file"),
    ("fifo", "not a regular file"),  # it hung, waiting for a writer
    ("zeros", "not a regular file"),  # a link to /dev/zero ran out of memory
])
def test_a_broken_rules_file_is_one_line_and_exit_2(tmp_path: Path, content: str, message: str) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    if content == "folder":
        (rules / "normalize.toml").mkdir()
    elif content == "dangling":
        (rules / "normalize.toml").symlink_to(tmp_path / "nowhere.toml")
    elif content == "fifo":
        os.mkfifo(rules / "normalize.toml")
    elif content == "zeros":
        (rules / "normalize.toml").symlink_to("/dev/zero")
    else:
        (rules / "normalize.toml").write_text(content, encoding="utf-8")
    result = _policyparse("extract", str(SAMPLE), "--rules", str(rules))
    assert result.returncode == 2 and message in result.stderr and len(result.stderr.splitlines()) == 1


@pytest.mark.parametrize(("target", "message"), [("symlink", "is a symbolic link; refusing to replace it"),
                                                ("fifo", "is a FIFO; refusing to replace it"),
                                                ("folder", "is a directory")])
def test_extract_refuses_to_replace_what_is_no_regular_file(tmp_path: Path, target: str, message: str) -> None:
    output = tmp_path / "out.json"
    if target == "symlink":
        (tmp_path / "elsewhere.json").write_text("kept")
        output.symlink_to(tmp_path / "elsewhere.json")
    elif target == "fifo":
        os.mkfifo(output)
    else:
        output.mkdir()
    result = CliRunner().invoke(cli, ["extract", str(SAMPLE), "-f", "json", "-o", str(output)])
    assert result.exit_code == 2 and message in result.stderr
    assert output.is_symlink() == (target == "symlink") and output.is_fifo() == (target == "fifo")
    if target == "symlink":
        assert (tmp_path / "elsewhere.json").read_text() == "kept"


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full, a device that is always full")
def test_a_full_disk_is_one_line_and_exit_2_and_a_device_is_written_through() -> None:
    full = _policyparse("extract", str(SAMPLE), "-f", "json", "-o", "/dev/full")
    assert full.returncode == 2 and full.stderr.strip() == "/dev/full: cannot be written (No space left on device)"
    assert _policyparse("extract", str(SAMPLE), "-f", "json", "-o", "/dev/null").returncode == 0
    assert Path("/dev/null").is_char_device()


def test_an_endless_stream_of_nul_bytes_on_stdin_is_refused_early() -> None:
    with open("/dev/zero", "rb") as zeros:
        result = _policyparse("extract", "-", "--max-bytes", "100000000000", stdin=zeros)
    assert result.returncode == 2 and "runs of NUL bytes" in result.stderr


def test_lone_surrogates_given_to_parse_text_are_replaced_and_warned_about() -> None:
    doc = parse_text("一、目标\n到2025年，建成站点20个。\ud800")
    assert [t.value for t in doc.targets] == [20.0] and "\ud800" not in doc.text
    assert doc.warnings[0].code == "invalid_characters"
