"""Targets are commitments: past facts, conditions, incentives, penalties and procedures are not targets;
indicators are noun phrases without times or modal verbs. Sentences from the corpus and the scored documents."""

from __future__ import annotations

import pytest

from policyparse import parse_text

HEAD = "某市方案\n一、主要目标\n"


def figures(text: str) -> list[tuple[str, str]]:
    return [(t.indicator, t.figure) for t in parse_text(text).targets]


@pytest.mark.parametrize(
    "body",
    [
        # work reports (2006, 2023): the review of the past year
        "一、2023年工作回顾\n过去一年，国内生产总值超过126万亿元，增长5.2%。\n二、2024年政府工作任务\n",
        "一、去年工作回顾\n去年投入国债资金152亿元，主要用于淮河治理。\n",
        # a plan's status quo (a sentence opened by a past time; a perfective 了)
        "（一）发展现状\n全县建成电商服务站120个。\n",
        "五年来，国务院部门行政审批事项削减44%。\n",
        "在《规划》的基础上新增了228个水环境保护项目。\n",
    ],
    ids=["report-review", "report-last-year", "status-quo", "five-years", "perfective"],
)
def test_past_facts_are_not_targets(body: str) -> None:
    assert figures(HEAD + body) == []


@pytest.mark.parametrize(
    "body",
    [
        "对新认定的省级中小企业公共服务示范平台，给予一次性奖励20万元。",  # Jinan policies
        "对园区内引进的全职高端人才（团队），经评定，给予最高200万元生活补贴。",  # Shandong AI park rules
        "单个企业累计补贴金额不超过100万元。",
        "违反本办法的，可以处10万元以下的罚款。",
        "应当自收到申请之日起7个工作日内答复。",
        "并在3个工作日内将更新后的政务数据资源目录报送。",
        "对进入全国排名前10的企业予以通报表扬。",
        "计算方法：I类切口手术部位感染人次数/同期I类切口手术台次数×100%。",
        "自2018年起，单体建筑面积超过2万平方米的新建公共建筑，应安装雨水利用设施。",  # Pingtan
        "新建国家机关办公建筑、大型公共建筑（单体建筑面积2万平方米以上），应当按照绿色建筑标准设计。",  # Xinyu
    ],
    ids=["award", "subsidy-cap", "subsidy-total-cap", "penalty", "procedure", "procedure-days", "rank", "formula",
         "condition-with-de", "condition-in-brackets"],
)
def test_conditions_incentives_penalties_and_procedures_are_not_targets(body: str) -> None:
    assert figures(HEAD + body + "\n") == []


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("安排补助资金1000万元。", [("补助资金", "1000万元")]),
        ("审批时间控制在5个工作日以内。", [("审批时间", "5个工作日以内")]),
        ("到2020年，全区用水总量控制在1.55亿立方米以内。", [("全区用水总量", "1.55亿立方米以内")]),
        # a year inside the clause, a modal verb after the subject (work reports 2013, 2019)
        ("今年赤字率拟按3%安排。", [("赤字率", "3%")]),
        ("铁路投资要保持在8000亿元以上。", [("铁路投资", "8000亿元以上")]),
        ("污泥无害化处理处置率应于2020年底前达到90%以上。", [("污泥无害化处理处置率", "90%以上")]),
        # a share keeps its subject (Pingtan)
        ("地下水质量极差的比例控制在10%以内。", [("地下水质量极差比例", "10%以内")]),
        ("三桥水库和玉井水库水源水质达到或优于Ⅲ类比例达到90%以上。",
         [("三桥水库和玉井水库水源水质达到或优于Ⅲ类比例", "90%以上")]),
        # the base of a comparison is no time of the indicator
        ("全区万元工业增加值用水量比2013年下降10%以上。", [("全区万元工业增加值用水量", "10%以上")]),
    ],
    ids=["budget", "capped-time", "capped-volume", "modal-ni", "modal-yao", "time-inside", "share-de", "share-verb",
         "comparison-base"],
)
def test_commitments_keep_their_noun_phrase(body: str, expected: list[tuple[str, str]]) -> None:
    assert figures(HEAD + body + "\n") == expected


def test_listed_figures_go_to_listed_indicators() -> None:
    # Anhui RCEP opinions (pkulaw_txt): three shares for three indicators
    body = "到2024年，全省与其他RCEP国家货物贸易、对外投资和实际利用外资分别占比达30%、20%和10%。"
    assert figures(HEAD + body + "\n") == [("全省与其他RCEP国家货物贸易", "30%"), ("对外投资", "20%"),
                                          ("实际利用外资", "10%")]


def test_a_long_phrase_keeps_its_head() -> None:
    # national light-industry plan (pkulaw_xlsx_central): the modifiers before `等` go
    body = "制修订100项以上基础共性、场景应用、终端产品等国家、行业、团体标准。"
    (indicator, figure), = figures(HEAD + body + "\n")
    assert (indicator, figure) == ("国家、行业、团体标准", "100项以上")


def test_a_preposition_after_the_verb_is_no_indicator() -> None:
    # Shandong science plan (pkulaw_xlsx_shandong): `提升到5件` names what rises before the verb
    assert figures(HEAD + "到7671年，户均有效发明专利拥有量提升到5件左右。\n") == [("户均有效发明专利拥有量", "5件左右")]


def test_clauses_sharing_a_subject_and_sub_figures() -> None:
    assert figures(HEAD + "全年计划改造供水管网20公里，拟新增8公里，共计完成28公里。\n") == [
        ("供水管网", "20公里"), ("供水管网", "8公里"), ("供水管网", "28公里")]
    assert figures(HEAD + "新建污水处理厂3座，其中城区2座，乡镇1座。\n") == [
        ("污水处理厂", "3座"), ("城区", "2座"), ("乡镇", "1座")]


def test_a_verb_inside_a_measured_phrase() -> None:
    # Shanghai transport PV plan: the verb qualifies what the measure is of
    assert figures(HEAD + "全市交通领域新增光伏装机容量确保达到120MW。\n") == [("全市交通领域新增光伏装机容量", "120MW")]


def test_incentives_are_records_of_their_own() -> None:
    # Jinan and Shandong AI park policies (pkulaw_xlsx_shandong), and a rate
    doc = parse_text(HEAD + "对新认定的省级中小企业公共服务示范平台，给予一次性奖励20万元。"
                     "对园区内引进的全职高端人才，给予最高200万元生活补贴。每个项目按不超过实际投入的20%予以资助。\n")
    assert doc.targets == []
    assert [(i.kind, i.value, i.unit, i.recipient) for i in doc.incentives] == [
        ("amount", 20, "万元", "省级中小企业公共服务示范平台"), ("cap", 200, "万元", "全职高端人才"), ("rate", 20, "%", None)]
