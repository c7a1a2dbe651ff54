"""Outline segmentation: marker forms, levels, titles, attachments, and what never opens a section."""

import pytest

from policyparse import parse_text
from policyparse.outline import rules_starting_with
from policyparse.rulebook import default_rules


def outline(text: str) -> list[tuple[str, int, str | None, str]]:
    return [(s.id, s.level, s.marker, s.title) for s in parse_text(text).iter_sections()]


def ids(text: str) -> list[str]:
    return [s.id for s in parse_text(text).iter_sections()]


@pytest.mark.parametrize(
    ("heading", "marker", "id_part"),
    [
        ("一、总体思路", "一、", "一"),
        ("十二、附则", "十二、", "十二"),
        ("（一）加强组织领导", "（一）", "(一)"),
        ("(四)实施县域商业设施提升工程", "(四)", "(四)"),
        ("㈠加强组织领导", "㈠", "(一)"),
        ("1．建设一批标准化农贸市场", "1．", "1"),
        ("1.城乡共同配送", "1.", "1"),
        ("1、加强培训", "1、", "1"),
        ("（1）农产品质量追溯体系", "（1）", "(1)"),
        ("(1)农产品质量追溯体系", "(1)", "(1)"),
        ("⑴农产品质量追溯体系", "⑴", "(1)"),
        ("①建立台账", "①", "①"),
        ("第一章 总则", "第一章", "第一章"),
        ("二．工作目标", "二．", "二"),
        ("第一部分 总体要求", "第一部分", "第一部分"),
    ],
)
def test_marker_forms(heading: str, marker: str, id_part: str) -> None:
    (section,) = parse_text(heading).sections
    assert (section.marker, section.id) == (marker, id_part)


def test_levels_follow_first_appearance() -> None:
    text = "一、主要任务\n1．建设市场\n（1）农贸市场\n二、保障措施\n（一）加强领导\n"
    assert [(i, lvl) for i, lvl, _, _ in outline(text)] == [
        ("一", 1), ("一/1", 2), ("一/1/(1)", 3), ("二", 1), ("二/(一)", 4)]


def test_gb_t_9704_nesting() -> None:
    text = "三、主要任务\n（一）完善体系\n1．建设市场。正文。\n（1）改造。\n①台账\n2．建设站点\n（二）优化供给\n"
    assert ids(text) == ["三", "三/(一)", "三/(一)/1", "三/(一)/1/(1)", "三/(一)/1/(1)/①", "三/(一)/2", "三/(二)"]


@pytest.mark.parametrize(
    ("line", "title"),
    [
        ("1．建设一批标准化农贸市场。根据乡镇区域规划布局，持续加强建设。", "建设一批标准化农贸市场"),
        ("（一）聚集重点，统筹兼顾。把巩固拓展脱贫攻坚成果作为首要任务。", "聚集重点，统筹兼顾"),
        ("（一）实施农村电商提质发展工程，促进一二三产业融合发展。", "实施农村电商提质发展工程，促进一二三产业融合发展"),
        ("（四） 电子商务培训提升工程", "电子商务培训提升工程"),
        ("一、主要任务：", "主要任务"),
        ("二、工作目标；", "工作目标"),
    ],
    ids=["to-first-stop", "comma-kept", "whole-sentence", "space-after-marker", "colon-dropped", "semicolon-dropped"],
)
def test_titles(line: str, title: str) -> None:
    assert parse_text(line).sections[0].title == title


@pytest.mark.parametrize(
    "text",
    [
        "一、目标\n1.2亿元的销售额要完成。\n",
        "一、目标\n3.5%的增长。\n",
        "一、目标\n11.5.14.2 条款\n",
        "一、目标\n2021年，建成20个。\n",
        "一、目标\n完成任务（1）所列事项。\n",
        "一、目标\n按照第一批试点推进。\n",
        "一、目标\n十九届二中、三中全会精神。\n",
    ],
    ids=["decimal", "percent", "dotted-number", "year", "inline-cross-reference", "ordinal", "numbers-in-prose"],
)
def test_numbers_in_running_text_never_open_a_section(text: str) -> None:
    assert ids(text) == ["一"]


class TestAttachments:
    def test_standalone_attachment_is_top_level_with_its_title(self) -> None:
        text = "一、总体思路\n（一）加强领导\n附件：任务分解表\n附件\n\n2021年任务分解表\n\t序号\n"
        assert outline(text)[-1] == ("附件", 1, "附件", "2021年任务分解表")

    def test_listing_line_is_not_a_heading(self) -> None:
        text = "一、总体思路\n附件：2021年任务分解表\n附件\n2021年任务分解表\n"
        assert ids(text) == ["一", "附件"]

    def test_titled_attachment_line_is_a_heading_when_nothing_follows(self) -> None:
        text = "一、总体思路\n附件:实施步骤\n实施步骤\n一、部署启动阶段(2023年7月-12月)\n二、全面推广阶段\n"
        assert outline(text) == [("一", 1, "一、", "总体思路"), ("附件", 1, "附件:", "实施步骤"),
                                 ("附件/一", 2, "一、", "部署启动阶段(2023年7月-12月)"),
                                 ("附件/二", 2, "二、", "全面推广阶段")]

    def test_numbered_attachments_restart_their_numbering(self) -> None:
        text = "一、总体思路\n附件1\n甲表\n一、说明\n附件2\n乙表\n（一）说明\n"
        assert ids(text) == ["一", "附件1", "附件1/一", "附件2", "附件2/(一)"]
        assert [s.level for s in parse_text(text).iter_sections()] == [1, 1, 2, 1, 2]

    def test_appended_table(self) -> None:
        assert ids("一、总体思路\n附表1\n项目清单\n") == ["一", "附表1"]

    def test_mention_of_an_attachment_is_not_a_heading(self) -> None:
        assert ids("一、总体思路\n对照实施步骤（见附件），制定方案。\n") == ["一"]


class TestFlattenedBody:
    BODY = ("一、总体思路。以习近平新时代中国特色社会主义思想为指导，" + "坚持新发展理念，" * 60
            + "全面助力乡村振兴。二、工作目标。到2025年，建成一批市场。" + "完善体系，" * 100 + "。"
            + "（一）加强组织领导。成立专班。1.2亿元资金到位。（二）加强政策支持。统筹资金。")

    def test_headings_after_full_stops_are_found(self) -> None:
        assert ids(self.BODY) == ["一", "二", "二/(一)", "二/(二)"]

    def test_titles_end_at_the_first_full_stop(self) -> None:
        assert [s.title for s in parse_text(self.BODY).iter_sections()] == ["总体思路", "工作目标", "加强组织领导",
                                                                             "加强政策支持"]

    def test_out_of_sequence_number_mid_line_is_running_text(self) -> None:
        body = self.BODY + "引用第三项：五、其他事项。"
        assert ids(body) == ["一", "二", "二/(一)", "二/(二)"]

    def test_headings_running_straight_on(self) -> None:
        body = ("一、指导思想以习近平新时代中国特色社会主义思想为指导，" + "坚持新发展理念，" * 100 + "助力振兴。"
                "二、基本原则（一）聚集重点，统筹兼顾。把巩固成果作为首要任务。（二）政府引导，市场主导。继续发挥作用。"
                "三、持续扩大产品和服务定向消费（一）强化消费协作采购帮扶。主动对接。〔县商务委具体负责〕"
                "（二）加强预算采购帮扶。严格执行。")
        assert [(s.id, s.title) for s in parse_text(body).iter_sections()] == [
            ("一", "指导思想"), ("二", "基本原则"), ("二/(一)", "聚集重点，统筹兼顾"), ("二/(二)", "政府引导，市场主导"),
            ("三", "持续扩大产品和服务定向消费"), ("三/(一)", "强化消费协作采购帮扶"), ("三/(二)", "加强预算采购帮扶")]

    def test_run_on_numbers_out_of_sequence_are_running_text(self) -> None:
        body = "一、工作目标" + "推动一、二、三产业融合发展，" * 80 + "完成任务。二、保障措施加强领导。"
        assert ids(body) == ["一", "二"]

    def test_short_lines_do_not_split_mid_line(self) -> None:
        assert ids("一、目标。二、任务。") == ["一"]


class TestHeadingsWithoutMarkers:
    def test_missing_parent_number_before_restarted_children(self) -> None:
        text = ("（三）畅通双向流通渠道工程\n1．农产品上行供应链体系提升改造工程\n（1）追溯体系项目。正文。\n"
                "（2）研供中心项目。正文。\n\n工业品下乡流通服务体系提升改造工程\n（1）消费体系融合发展项目。正文。\n")
        assert outline(text)[-2:] == [("(三)/2", 2, None, "工业品下乡流通服务体系提升改造工程"),
                                      ("(三)/2/(1)", 3, "（1）", "消费体系融合发展项目")]

    def test_missing_number_after_last_sibling(self) -> None:
        text = ("五、实施时限\n（一）实施准备阶段（2020年12月—2021年2月）\n正文。\n（二）项目验收阶段（2022年1月—2022年5月）\n"
                "正文。\n\n巩固运营阶段（2022年5月—2022年12月）\n\n总结经验，提升水平。\n六、保障措施\n")
        assert outline(text)[3] == ("五/(三)", 2, None, "巩固运营阶段（2022年5月—2022年12月）")

    def test_signature_before_attachment_is_not_a_heading(self) -> None:
        text = "一、总体思路\n（一）加强领导\n正文。\n（二）加强支持\n正文。\n某县人民政府办公室\n附件\n任务表\n"
        assert ids(text) == ["一", "一/(一)", "一/(二)", "附件"]

    def test_short_body_line_unlike_its_siblings_is_not_a_heading(self) -> None:
        text = "一、总体思路\n（一）加强领导\n正文。\n（二）加强支持\n正文。\n各乡镇认真落实\n二、工作目标\n"
        assert ids(text) == ["一", "一/(一)", "一/(二)", "二"]


@pytest.mark.parametrize(
    ("text", "titles"),
    [
        ("第一章 总则\n第一条 为了规范资金管理，制定本办法。\n第二条 本办法适用于全县。\n", ["总则", "", ""]),
        ("第三条（资金来源）资金来源于专项资金。\n", ["资金来源"]),
    ],
    ids=["plain-articles", "article-with-heading"],
)
def test_articles_have_a_title_only_when_they_carry_a_heading(text: str, titles: list[str]) -> None:
    doc = parse_text(text)
    assert [s.title for s in doc.iter_sections()] == titles
    assert doc.iter_sections()[-1].id.endswith(("第二条", "第三条"))


def test_repeated_number_keeps_ids_unique() -> None:
    assert ids("一、目标\n一、任务\n") == ["一", "一#2"]


def test_skipped_and_out_of_order_numbers_at_line_start_are_kept() -> None:
    assert ids("1．甲\n3．丙\n2．乙\n") == ["1", "3", "2"]


def test_section_line_is_the_source_line() -> None:
    doc = parse_text("\n\n前言\n\n一、总体思路\n\n（一）加强领导\n")
    assert [(s.id, s.line) for s in doc.iter_sections()] == [("一", 5), ("一/(一)", 7)]


def test_section_span_points_at_the_heading() -> None:
    doc = parse_text("前言\n一、总体思路\n")
    span = doc.sections[0].span
    assert doc.text[span.start : span.end] == "一、总体思路"


def test_a_second_document_of_a_notice_restarts_its_outline() -> None:
    # The construction of the State Council's 2018 notice issuing two 规定 (../shared/corpus/govcn_sql).
    text = ("文化体制改革中经营性文化事业单位转制为企业的规定\n一、关于公司制股份制改革\n（一）依法登记。\n"
            "二、关于国有文化资产管理\n（二）完善管理。\n进一步支持文化企业发展的规定\n"
            "为进一步深化文化体制改革，特制定以下规定：\n一、关于财政税收\n（一）创新资金投入。\n二、关于投资和融资\n")
    sections = parse_text(text).iter_sections()
    assert [(s.part, s.id) for s in sections] == [
        (1, "一"), (1, "一/(一)"), (1, "二"), (1, "二/(二)"), (2, "一"), (2, "一/(一)"), (2, "二")]


def test_records_carry_the_part_of_their_section() -> None:
    text = "一、甲\n到2025年建成站点10个。\n二、乙\n一、丙\n到2025年建成站点20个。\n二、丁\n"
    assert [(t.part, t.section, t.value) for t in parse_text(text).targets] == [(1, "一", 10), (2, "一", 20)]


@pytest.mark.parametrize(
    "contents",
    [
        "（一）指导思想..........................................................................1\n"
        "（二）基本原则..........................................................................1\n",
        "一、现状与形势...................................\n二、总体思路....................................\n",
        "（一）建设目标 ........................................ 4\n（二）加强国际合作 ................................... 19\n",
    ],
)
def test_lines_of_a_table_of_contents_are_no_headings(contents: str) -> None:
    body = "一、现状与形势\n（一）指导思想\n坚持统筹规划。\n（二）基本原则\n坚持需求牵引。\n二、总体思路\n"
    assert ids(contents + body) == ids(body)


@pytest.mark.parametrize(
    "box",
    [
        # 2017 New Generation AI Development Plan: a box of numbered fields after item 1.
        "专栏1　基础理论\n1.大数据智能理论。研究数据驱动。\n2.跨媒体感知计算理论。研究感知。\n3.混合增强智能理论。\n",
        # 2018 intelligent ship plan: a box whose items are numbered in another form.
        "专栏 1 关键智能技术\n（1）感知技术。突破环境感知。\n（2）通信导航技术。\n",
        # 2021 Shandong action plan: a box of prose.
        "专栏1：重点突破的技术领域\n重点突破智能传感器设计、制造、封装测试技术。\n",
    ],
)
def test_a_boxed_panel_and_its_items_are_no_sections(box: str) -> None:
    before = "三、重点任务\n（一）构建创新体系\n1.建立基础理论体系。\n聚焦前沿问题。\n"
    after = "2.建立关键共性技术体系。\n围绕竞争力。\n（二）培育智能经济\n"
    assert ids(before + box + after) == ids(before + after) == ["三", "三/(一)", "三/(一)/1", "三/(一)/2", "三/(二)"]


def test_figures_in_a_box_belong_to_the_section_around_it() -> None:
    text = "一、重点任务\n（一）建设平台\n专栏1 重点工程\n1.建成示范工厂10个。\n2.培育企业20家。\n（二）保障\n"
    assert [(t.section, t.value) for t in parse_text(text).targets] == [("一/(一)", 10), ("一/(一)", 20)]


def test_only_the_marker_forms_a_line_may_open_with_are_tried() -> None:
    markers = default_rules().outline.marker
    assert [rule.id for rule in rules_starting_with(markers, "一")] == ["outline.cn_comma"]
    assert [rule.id for rule in rules_starting_with(markers, "（")] == ["outline.paren_cn", "outline.paren_arabic"]
    assert [rule.id for rule in rules_starting_with(markers, "第")] == [
        "outline.part", "outline.chapter", "outline.article"]
    assert rules_starting_with(markers, "综") == []
