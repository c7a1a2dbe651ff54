"""Metadata: 发文字号, issuer, date and title, from the head, the signature and front matter."""

import pytest

from policyparse import parse_text


def meta(text: str):
    return parse_text(text).metadata


@pytest.mark.parametrize(
    ("line", "number"),
    [
        ("石商务委发〔2021〕35号", "石商务委发〔2021〕35号"),
        ("渝商务发[2022]13号", "渝商务发[2022]13号"),
        ("巫溪府办发（2021）70号", "巫溪府办发（2021）70号"),
        ("国办发〔2020〕 5 号", "国办发〔2020〕5号"),
    ],
    ids=["hexagonal-brackets", "square-brackets", "parentheses", "spaced"],
)
def test_doc_number_forms(line: str, number: str) -> None:
    assert meta(f"{line}\n某县人民政府\n一、总体思路\n").doc_number == number


def test_cited_document_numbers_are_not_the_documents_own() -> None:
    text = "为落实《中共中央 国务院关于做好2023年工作的意见》(中发〔2023〕1号)精神，制定本方案。\n一、总体思路\n"
    assert meta(text).doc_number is None


@pytest.mark.parametrize(
    ("line", "iso"),
    [
        ("2021年6月29日", "2021-06-29"),
        ("  2021 年 6 月 29 日  ", "2021-06-29"),
        ("二〇二一年六月二十九日", "2021-06-29"),
        ("二○一二年一月九日", "2012-01-09"),
        ("二〇二三年十二月三十一日", "2023-12-31"),
    ],
    ids=["arabic", "spaced", "chinese-zero", "circle-zero", "two-digit-chinese"],
)
def test_issued_date_forms(line: str, iso: str) -> None:
    assert meta(f"一、总体思路\n正文。\n某县人民政府\n{line}\n").issued_date == iso


def test_date_closing_a_signature_line_when_none_stands_alone() -> None:
    text = "关于某事的通知\n一、总体思路\n正文。\n  石柱县商务委员会办公室                2021年6月29日\n"
    assert meta(text).issued_date == "2021-06-29"


def test_first_short_line_is_the_title_of_last_resort() -> None:
    assert meta("某县数字经济重点任务清单\n一、总体思路\n").title == "某县数字经济重点任务清单"


def test_impossible_date_is_ignored() -> None:
    assert meta("一、总体思路\n2021年2月30日\n").issued_date is None


def test_date_inside_a_sentence_is_not_the_issued_date() -> None:
    assert meta("一、总体思路\n应于2023年8月31日前完成。\n").issued_date is None


def test_title_wrapped_over_lines_is_joined() -> None:
    text = "巫溪县人民政府办公室\n\n关于继续大力实施消费帮扶巩固拓展\n\n脱贫攻坚成果的实施意见\n\n各乡镇人民政府：\n一、指导思想\n"
    assert meta(text).title == "关于继续大力实施消费帮扶巩固拓展脱贫攻坚成果的实施意见"


def test_title_named_by_the_notice() -> None:
    text = "商务部等9部门研究制定了《县域商业三年行动计划(2023-2025年)》。现印发给你们。\n一、总体思路\n"
    assert meta(text).title == "县域商业三年行动计划(2023-2025年)"


def test_plan_title_when_there_is_no_notice_title() -> None:
    assert meta("2021年石柱县提升乡村消费工作实施方案\n\n为巩固成果，特制定此方案。\n一、总体思路\n").title == (
        "2021年石柱县提升乡村消费工作实施方案")


@pytest.mark.parametrize(
    ("head", "issuer"),
    [
        ("石柱土家族自治县商务委员会\n", "石柱土家族自治县商务委员会"),
        ("重庆市商务委员会文件\n", "重庆市商务委员会"),
        ("商务部办公厅 国家发展改革委办公厅\n", "商务部办公厅"),
    ],
    ids=["single", "file-header", "first-of-several"],
)
def test_issuer_from_the_head(head: str, issuer: str) -> None:
    assert meta(f"{head}关于印发《某方案》的通知\n一、总体思路\n").issuer == issuer


def test_issuer_from_the_signature() -> None:
    text = "关于某事的通知\n一、总体思路\n正文。\n巫溪县人民政府办公室\n2021年11月26日\n"
    assert meta(text).issuer == "巫溪县人民政府办公室"


def test_addressee_line_is_not_the_issuer() -> None:
    assert meta("各乡镇人民政府、街道办事处，县政府各部门：\n一、总体思路\n").issuer is None


class TestFrontMatter:
    def test_front_matter_fields_are_read(self) -> None:
        text = ("---\n标题: 某区实施方案\n文号: 某发改〔2022〕3号\n发布单位: 上海市某区发展和改革委员会\n发布日期: 2022-03-05\n---\n"
                "一、总体思路\n")
        assert meta(text).model_dump(include={"title", "doc_number", "issuer", "issued_date"}) == {
            "title": "某区实施方案", "doc_number": "某发改〔2022〕3号", "issuer": "上海市某区发展和改革委员会",
            "issued_date": "2022-03-05"}

    def test_body_signature_date_wins_over_publication_date(self) -> None:
        text = "---\n标题: 某区实施方案\n发布日期: 2022-03-09\n---\n一、总体思路\n正文。\n某区发展和改革委员会\n2022年3月5日\n"
        assert meta(text).issued_date == "2022-03-05"

    def test_website_is_not_an_issuer(self) -> None:
        text = "---\n发布机构: 某市人民政府门户网站\n---\n一、总体思路\n正文。\n某市人民政府办公厅\n2022年3月5日\n"
        assert meta(text).issuer == "某市人民政府办公厅"


def test_a_notice_title_naming_its_issuer_beats_a_site_name_above_it() -> None:
    # A city government's page: the site's name stands above the notice, whose title names who signs.
    text = ("某市人民政府\n首页 政务公开 互动交流\n某市人民政府办公室关于印发某市数字经济发展三年行动计划的通知\n"
            "各县（市、区）人民政府，市政府各部门：\n现印发给你们，请认真贯彻执行。\n某市人民政府办公室\n2023年4月28日\n"
            "一、总体要求\n")
    assert parse_text(text).metadata.issuer == "某市人民政府办公室"
