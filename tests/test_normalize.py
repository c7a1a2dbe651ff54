"""Each normalization step, with the text that motivated it."""


import pytest

from policyparse import parse_text
from policyparse.normalize import Draft, join_broken_lines, split_lines
from policyparse.outline import starts_heading
from policyparse.pipeline import normalize_text
from policyparse.rulebook import default_rules

RULES = default_rules()


def norm(text: str):
    return normalize_text(text, RULES)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("縣(xiàn)域商業", "县域商业"),
        ("落實(shí)黨的二十大", "落实党的二十大"),
        ("中發(fā)〔2023〕1號", "中发〔2023〕1号"),
        ("區（qū）域", "区域"),
        ("平台(app)开发", "平台(app)开发"),
        ("选项(a)与(b)", "选项(a)与(b)"),
        ("服务中心(站)", "服务中心(站)"),
    ],
    ids=["gloss-xian", "gloss-shi", "gloss-inside-number", "fullwidth-parens", "english-kept",
         "letter-list-kept", "chinese-in-parens-kept"],
)
def test_pinyin_glosses_are_removed(source: str, expected: str) -> None:
    assert norm(source).text == expected


@pytest.mark.parametrize(
    ("source", "expected", "script"),
    [
        ("為全面貫徹落實黨的二十大", "为全面贯彻落实党的二十大", "traditional"),
        ("乡村振兴", "乡村振兴", "simplified"),
        ("全面推进乡村振兴，推动农产品高效流通和乡村消费潜力有效释放，畅通乡村消费內循環", "全面推进乡村振兴，推动农产品高效流通和乡村消费潜力有效释放，畅通乡村消费内循环", "mixed"),
    ],
    ids=["traditional", "simplified", "mixed"],
)
def test_traditional_is_converted_and_recorded(source: str, expected: str, script: str) -> None:
    result = norm(source)
    assert result.text == expected
    assert result.script == script


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("建成１５０个", "建成150个"),
        ("ＡＥＯ认证", "AEO认证"),
        ("增长１０％以上", "增长10%以上"),
        ("一、\u3000总体思路", "一、 总体思路"),
        ("①建立台账", "①建立台账"),
        ("⑴加强领导", "⑴加强领导"),
        ("（一）完善体系", "（一）完善体系"),
        ("1．建设一批", "1．建设一批"),
    ],
    ids=["digits", "letters", "percent", "ideographic-space", "circled-kept", "parenthesized-kept",
         "fullwidth-parens-kept", "fullwidth-stop-kept"],
)
def test_full_width_folding_is_narrow(source: str, expected: str) -> None:
    assert norm(source).text == expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("打造 150 个以上的农村综合服务中心", "打造 150个以上的农村综合服务中心"),
        ("桑园达 40 万亩以上", "桑园达 40万亩以上"),
        ("截至20 18年底", "截至2018年底"),
        ("年均增长 10%以上", "年均增长 10%以上"),
        ("开展 AEO 认证", "开展 AEO 认证"),
    ],
    ids=["number-unit", "number-scale", "split-year", "space-before-number-kept", "words-kept"],
)
def test_spaces_inside_numbers_are_removed(source: str, expected: str) -> None:
    assert norm(source).text == expected


@pytest.mark.parametrize(
    "line",
    ["- 12 -", "— 3 —", "第3页 共12页", "当前位置：首页 > 政务公开 > 通知公告", "微信 微博 QQ空间", "==== 正文 ====",
     "【打印】【关闭】"],
)
def test_noise_lines_are_dropped(line: str) -> None:
    result = norm(f"一、总体思路\n{line}\n二、工作目标")
    assert result.text.split("\n") == ["一、总体思路", "", "二、工作目标"]


def test_removals_are_listed_line_by_line() -> None:
    # each rule runs over the whole text at once; what they removed is listed as the lines are read
    result = norm("一、总体思路\n微信 微博 QQ空间\n第3页 共12页\n二、工作目标")
    assert [(r.line, r.by) for r in result.removed] == [(2, "noise.share_bar"), (3, "noise.page_of")]


def test_at_marks_are_stripped() -> None:
    assert norm("@@一、总体思路@@").text == "一、总体思路"


class TestBrokenLines:
    def test_sentence_broken_across_blank_line_is_joined(self) -> None:
        result = norm("到2025年，打造一批农村电子商务典型，农\n\n村网络零售额年均增长10%以上。")
        assert result.text.split("\n")[0] == "到2025年，打造一批农村电子商务典型，农村网络零售额年均增长10%以上。"

    def test_joined_text_maps_to_both_source_lines(self) -> None:
        result = norm("到2025年，打造一批典型，农\n\n村网络零售额年均增长10%以上。")
        offset = result.text.index("村网络")
        assert result.source_line(0) == 1
        assert result.source_line(offset) == 3

    def test_line_ending_with_enumeration_comma_is_joined(self) -> None:
        result = norm("1. 壮大农特产品出口企业主体。加强涪陵榨菜、丰都榨菜、\n\n潼南柠檬等基地建设。")
        assert "丰都榨菜、潼南柠檬" in result.text

    def test_heading_is_never_a_continuation(self) -> None:
        result = norm("完善体系，提升能力\n（二）加强政策支持")
        assert result.text == "完善体系，提升能力\n（二）加强政策支持"

    def test_standalone_heading_does_not_run_on(self) -> None:
        result = norm("（一）聚集重点，统筹兼顾\n把巩固拓展脱贫攻坚成果作为首要任务。")
        assert result.text.count("\n") == 1

    def test_title_lines_are_not_joined(self) -> None:
        result = norm("石商务委发〔2021〕35号\n石柱土家族自治县商务委员会")
        assert result.text.count("\n") == 1

    def test_table_cells_are_not_joined(self) -> None:
        result = norm("\t依托现有门店，建成乡镇品牌连锁超市5个\n\t县商务委")
        assert result.text.count("\n") == 1

    def test_closed_sentence_is_not_joined(self) -> None:
        result = norm("建成冷链物流集配中心3个以上。\n\n完成项目建设，并正式运营。")
        assert result.text.count("\n") == 2


class TestMojibake:
    def test_damaged_line_is_warned_with_its_source_line(self) -> None:
        result = norm("一、总体思路\n商务部等9部门研究制定了《计划》?,F(xiàn)印发给你们,请认真落实。")
        assert [(w.code, w.line) for w in result.warnings] == [("mojibake", 2)]

    def test_utf8_read_as_gbk_is_warned(self) -> None:
        damaged = "全面推进乡村振兴，推动农产品流通。".encode().decode("gbk", errors="replace")
        assert [w.line for w in norm(f"一、总体思路\n{damaged}").warnings] == [2]

    def test_clean_text_has_no_warning(self) -> None:
        assert norm("是否达标？请于2023年8月底前报送。What? No.").warnings == ()


class TestFrontMatter:
    TEXT = "---\n标题: 某县实施方案\n文号: 某府发〔2021〕1号\n---\n一、总体思路\n"

    def test_front_matter_is_read_and_removed_from_the_body(self) -> None:
        result = norm(self.TEXT)
        assert result.front_matter == {"标题": "某县实施方案", "文号": "某府发〔2021〕1号"}
        assert result.text.strip() == "一、总体思路"

    def test_line_numbers_survive_front_matter(self) -> None:
        doc = parse_text(self.TEXT)
        assert doc.sections[0].line == 5

    def test_dashes_without_key_values_are_not_front_matter(self) -> None:
        assert norm("---\n这不是元数据\n---\n").front_matter == {}


def test_empty_text_is_a_warning_not_an_error() -> None:
    doc = parse_text("  \n\n")
    assert doc.sections == []
    assert [w.code for w in doc.warnings] == ["empty"]


def test_text_without_outline_is_warned() -> None:
    doc = parse_text("这是一段没有标题的文字。")
    assert [w.code for w in doc.warnings] == ["no_outline"]


def test_joining_broken_lines_leaves_the_lines_it_was_given() -> None:
    draft = Draft(split_lines("到2025年，打造一批典型，农\n村网络零售额年均增长10%以上。\n二、任务"), RULES.normalize)
    before = [(line.text, list(line.pieces)) for line in draft.lines]
    joined = join_broken_lines(draft, lambda line: starts_heading(line, RULES.outline))
    assert [line.text for line in joined.lines] == ["到2025年，打造一批典型，农村网络零售额年均增长10%以上。", "二、任务"]
    assert [(line.text, list(line.pieces)) for line in draft.lines] == before
