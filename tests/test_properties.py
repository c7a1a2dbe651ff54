"""Properties that hold for any text: parsing never raises, normalization is idempotent, spans hold."""

import re

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from policyparse import Document, parse_text
from policyparse.extract.tables import _column_of
from policyparse.extract.text import marks_around
from policyparse.metadata import _standalone_dates, _unit_names, read_date
from policyparse.numerals import chinese_to_int, int_to_chinese
from policyparse.outline import find_candidates
from policyparse.pipeline import normalize_text
from policyparse.readers.text import HAN, controls_in, han_in
from policyparse.rulebook import default_rules

RULES = default_rules()
PIECES = ["一、", "（一）", "(二)", "  附件2：", "\u3000专栏1 ", "　（三）", "1．", "2.", "3、", "（1）", "①", "㈠", "⑴", "第一章", "第二条", "附件", "附件1",
          "附件：", "。", "：", "，", "\n", "\n\n", "\t", " ", "　", "- 12 -", "縣(xiàn)", "為", "万亩", "亿元", "%",
          "以上", "１２", "20 18年", "?,F(xiàn)", "〔2021〕35号", "2021年6月29日", "---", "标题: 某", "@@", "（", "）",
          "建成", "个", "家", "—", "到2025年", "每年11月底前", "按季度", "〔县商务委具体负责〕", "由县商务委牵头",
          "序号", "工作任务", "牵头单位", "完成时限", "2021年12月", "“", "”", "左右", "不超过", "各", "1.2", "一千二百"]
chinese_text = st.lists(
    st.one_of(st.sampled_from(PIECES), st.text(alphabet="建设乡村消费市场体系目标任务0123456789", max_size=12)),
    max_size=60,
).map("".join)
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def norm(text: str):
    return normalize_text(text, RULES)


@SETTINGS
@given(st.one_of(chinese_text, st.text(max_size=200)))
def test_parsing_never_raises_and_records_point_into_the_text(text: str) -> None:
    doc = parse_text(text)
    source_lines = text.count("\n") + text.count("\r") + 1
    for section in doc.iter_sections():
        assert doc.text[section.span.start : section.span.end].strip().endswith(section.title)
        assert 1 <= section.line <= source_lines
    for record in [*doc.targets, *doc.deadlines, *doc.assignments]:
        assert doc.text[record.span.start : record.span.end] == record.text
        assert 1 <= record.line <= source_lines
    for task in doc.tasks:
        assert doc.text[task.span.start : task.span.end].startswith(task.task[:1])


@SETTINGS
@given(chinese_text)
def test_normalization_is_idempotent(text: str) -> None:
    once = norm(text).text
    assert norm(once).text == once


@SETTINGS
@given(chinese_text)
def test_json_round_trips(text: str) -> None:
    doc = parse_text(text)
    again = Document.model_validate_json(doc.model_dump_json())
    assert again.model_dump() == doc.model_dump()


@given(st.integers(min_value=1, max_value=99))
def test_chinese_numerals_round_trip(number: int) -> None:
    assert chinese_to_int(int_to_chinese(number)) == number


@given(st.integers(min_value=1000, max_value=2999))
def test_years_read_digit_by_digit(year: int) -> None:
    assert chinese_to_int("".join("〇一二三四五六七八九"[int(d)] for d in str(year))) == year


@SETTINGS
@given(chinese_text)
def test_diff_of_a_document_with_itself_is_empty(text: str) -> None:
    from policyparse import diff_documents

    doc = parse_text(text)
    assert not diff_documents(doc, doc).targets_differ


@given(st.text(alphabet=st.characters(min_codepoint=0x3300, max_codepoint=0xa100) | st.sampled_from("\n a1，"),
               max_size=60))
@example("\u33ff\u3400\u343f\u3440\u3fff\u4000\u9fff\ua000\u3002\udc80\U00020000")  # each edge of the byte ranges
def test_han_counted_from_bytes_as_by_characters(text: str) -> None:
    assert han_in(text) == len(HAN.findall(text))


@given(st.text(alphabet=st.characters(max_codepoint=0x3100) | st.sampled_from("\x00\x08\t\r\x0e\x1f\x7f\x85中"),
               max_size=80))
@example("\x00\x08\t\n\x0b\x0c\r\x0e\x1f \x7f\x80\x9f\udc80中")
def test_control_characters_counted_from_bytes_as_by_characters(text: str) -> None:
    assert controls_in(text) == len(re.findall(r"[\x00-\x08\x0e-\x1f]", text))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 600), st.sampled_from("。，\n")), max_size=6), st.integers(0, 1200),
       st.sampled_from(["。", "。，\n", "\n"]))
def test_marks_around_an_offset_are_the_nearest_ones_near_or_far(runs: list[tuple[int, str]], pos: int,
                                                                   ends: str) -> None:
    text = "".join("字" * length + mark for length, mark in runs)  # runs of text longer and shorter than NEAR
    pos = min(pos, len(text))
    marks = [i for i, char in enumerate(text) if char in ends]
    assert marks_around(text, pos, ends) == (
        max((i for i in marks if i < pos), default=-1), min((i for i in marks if i >= pos), default=len(text)))


COLUMN_WORDS = sorted(RULES.compiled.table_columns)


@given(st.lists(st.one_of(st.sampled_from([" ", "\u3000", "\t", "*", "\x1f", "x"]), st.sampled_from(COLUMN_WORDS)),
                max_size=5).map("".join))
def test_a_header_line_is_found_in_the_text_as_it_is_read_line_by_line(line: str) -> None:
    found = RULES.compiled.column_line.search(f"前文\n{line}\n后文")
    assert (found.group("word") if found else None) == (line.strip().strip("*") if _column_of(line, RULES.compiled.table_columns) else None)


@SETTINGS
@given(chinese_text)
@example("一、总体要求\n  附件2：重点任务表\n\u3000专栏1 重点工程\n （三）加强保障\n\t附表\n" + "建设" * 500)
def test_heading_candidates_are_read_from_the_lines_that_may_open_one(text: str) -> None:
    normalized = norm(text)
    every_line = find_candidates(normalized, RULES.outline, RULES.compiled.run_on_marker)
    assert RULES.compiled.heading_lines is not None
    assert find_candidates(normalized, RULES.outline, RULES.compiled.run_on_marker,
                           RULES.compiled.heading_lines) == every_line


@SETTINGS
@given(chinese_text)
@example("某某县人民政府办公室\n2021年6月29日\n某委员会办公室    2022年1月5日\n二〇二一年六月二十九日\n正文2021年6月29日起")
def test_standalone_dates_are_those_read_line_by_line(text: str) -> None:
    rules = RULES.metadata
    alone, signed = [], []
    for line in (raw.strip() for raw in norm(text).text.split("\n")):
        for rule in rules.date:
            found = rule.regex.fullmatch(line)
            if found and (iso := read_date(found)):
                alone.append(iso)
                continue
            found = rule.regex.search(line)
            if found and found.end() == len(line) and _unit_names(line[: found.start()], rules):
                if iso := read_date(found):
                    signed.append(iso)
    assert _standalone_dates(norm(text), rules) == (alone or signed)
