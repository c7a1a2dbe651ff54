"""Time limits, responsible units and task tables, each with the text that motivated it."""


from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from policyparse import parse_text
from policyparse.extract.numbers import find_figures, read_number
from policyparse.extract.responsible import split_units
from policyparse.extract.targets import excluded_spans
from policyparse.extract.text import Coverage
from policyparse.extract.times import find_times
from policyparse.pipeline import normalize_text
from policyparse.rulebook import default_rules

RULES = default_rules()
DATED = "某部门通知\n2023年7月27日\n一、任务\n"


def limits(body: str, head: str = DATED) -> list[tuple[str, str | None, bool]]:
    return [(d.text, d.date, d.recurring) for d in parse_text(head + body).deadlines]


class TestTimeLimits:
    @pytest.mark.parametrize(
        ("body", "expected"),
        [
            ("到2025年，建成一批。", [("到2025年", "2025", False)]),
            ("摸底工作应于2023年8月底前完成，作为依据。", [("应于2023年8月底前完成", "2023-08", False)]),
            ("2022年底前完成验收。", [("2022年底前完成验收", "2022-12", False)]),
            ("部署启动阶段(2023年7月-12月)", [("(2023年7月-12月)", "2023-12", False)]),
            ("实施准备阶段（2020年12月—2021年2月）", [("（2020年12月—2021年2月）", "2021-02", False)]),
            ("每年11月底前通过地方推荐。", [("每年11月底前通过地方推荐", "2023-11", True)]),
            ("每年6月底前报送。", [("每年6月底前报送", "2024-06", True)]),
            ("按季度报送资金使用清单。", [("按季度报送资金使用清单", "2023-09", True)]),
            ("今年底前完成。", [("今年底前完成", "2023-12", False)]),
            ("年内建成。", [("年内建成", "2023", False)]),
        ],
        ids=["dao", "yingyu-month-end", "year-end", "phase-half-width", "phase-across-years", "every-year",
             "every-year-next-occurrence", "quarterly", "this-year-end", "within-the-year"],
    )
    def test_time_limits(self, body: str, expected: list) -> None:
        assert limits(body) == expected

    @pytest.mark.parametrize(
        "body",
        ["本实施方案自2021年2月1日起施行。", "自2024年起，逐步推广。", "某县人民政府办公室    2021年2月8日印发",
         "项目资金来源于2020年电子商务进农村综合示范专项资金。", "根据《县域商业三年行动计划(2023-2025年)》要求。"],
        ids=["effective-date", "start-year", "issuing-date", "year-in-a-name", "cited-title"],
    )
    def test_not_time_limits(self, body: str) -> None:
        assert limits(body) == []

    def test_recurring_limit_without_a_document_date_stays_unresolved(self) -> None:
        assert limits("按季度报送。", head="某通知\n一、任务\n") == [("按季度报送", None, True)]

    def test_limit_keeps_its_section_and_line(self) -> None:
        (deadline,) = parse_text(DATED + "（一）验收\n\n2022年底前完成验收。").deadlines
        assert (deadline.section, deadline.line) == ("一/(一)", 6)


@given(st.integers(min_value=1990, max_value=2099), st.integers(min_value=1, max_value=12))
def test_point_dates_parse_to_their_month(year: int, month: int) -> None:
    (time,) = find_times(f"应于{year}年{month}月底前完成", RULES.times)
    assert time.date == f"{year}-{month:02d}"


@given(st.integers(min_value=0, max_value=10**9), st.sampled_from(["个", "家", "万元", "亩", "人次"]))
def test_arabic_figures_read_back(value: int, unit: str) -> None:
    (figure,) = find_figures(f"建成{value:,}{unit}。", RULES.compiled.figures)
    assert (figure.value, figure.unit) == (value, unit)


@given(st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False, allow_infinity=False))
def test_decimal_numbers_read_back(value) -> None:
    assert read_number(str(value)) == float(value)


class TestUnits:
    @pytest.mark.parametrize(
        ("text", "units"),
        [
            ("县商务委、县农业农村委和各乡镇（街道）", ["县商务委", "县农业农村委", "各乡镇（街道）"]),
            ("30个县级帮扶集团牵头单位和有关乡镇（街道）", ["30个县级帮扶集团牵头单位", "有关乡镇（街道）"]),
            ("县文化和旅游委、县住房和城乡建设委", ["县文化和旅游委", "县住房和城乡建设委"]),
            ("县商务委、相关单位", ["县商务委"]),
            ("副县长何德华、县商务委", ["县商务委"]),
            ("县发展改革委、农业农村委", ["县发展改革委", "农业农村委"]),
            ("市商务局，配合单位：市发展改革委", ["市商务局", "市发展改革委"]),
        ],
        ids=["and-before-a-class", "class-of-bodies", "names-with-and", "placeholder", "person", "shared-prefix-kept",
             "label-inside-the-list"],
    )
    def test_split_units(self, text: str, units: list[str]) -> None:
        assert split_units(text, RULES.responsible) == units

    @pytest.mark.parametrize(
        ("body", "units", "rule"),
        [
            ("（一）加强。推进建设。〔县乡村振兴局、县商务委和有关乡镇（街道）具体负责〕",
             ["县乡村振兴局", "县商务委", "有关乡镇（街道）"], "lead.bracket"),
            ("（一）加强。推进建设（县商务委牵头，县发展改革委、农业农村委参与）。",
             ["县商务委", "县发展改革委", "农业农村委"], "lead.paren_lead_support"),
            ("（一）加强。推进建设（县商务委负责）。", ["县商务委"], "lead.paren_responsible"),
            ("（一）加强。推进建设（责任单位：县商务委、县财政局）。", ["县商务委", "县财政局"], "lead.paren_responsible"),
            ("（一）加强。推进建设。\n责任单位：县商务委、县财政局", ["县商务委", "县财政局"], "lead.label"),
            ("（一）加强。推进建设。〔责任单位：县商务委、县财政局〕", ["县商务委", "县财政局"], "lead.paren_responsible"),
            ("（一）加强。推进建设（牵头单位：县商务委；配合单位：县财政局）。", ["县商务委", "县财政局"],
             "lead.label_lead_support"),
            ("（一）加强。推进建设。\n牵头单位：县商务委；配合单位：县财政局", ["县商务委", "县财政局"],
             "lead.label_lead_support"),
            ("（一）加强。由联席会议办公室牵头，相关单位密切配合。", ["联席会议办公室"], "lead.by"),
            ("（一）加强。县乡村振兴局、县商务委牵头建立统计体系。", ["县乡村振兴局", "县商务委"], "lead.opening"),
            # Digital Shandong 2019 and an Anhui plan: the last group shares the work out (`分工负责`).
            ("（一）加强。实现“最多跑一次”（省政府办公厅牵头，省大数据局配合，各有关部门、各市政府分工负责）。",
             ["省政府办公厅", "省大数据局", "各市政府"], "lead.paren_lead_support"),
            ("（一）加强。推进建设（省交通运输厅牵头，省发展改革委、省港航集团按职责分工负责）。",
             ["省交通运输厅", "省发展改革委", "省港航集团"], "lead.paren_lead_support"),
            ("（一）加强。推进建设（省发展改革委、省交通运输厅按职责分工负责）。",
             ["省发展改革委", "省交通运输厅"], "lead.paren_responsible"),
        ],
        ids=["bracket", "lead-and-support", "responsible", "responsible-label-in-brackets", "label-line",
             "label-in-hexagonal-brackets", "lead-support-labels-in-brackets",
             "lead-label-support-label", "you-lead", "opening-lead", "shared-out", "shared-out-by-duty",
             "all-by-duty"],
    )
    def test_assignment_statements(self, body: str, units: list[str], rule: str) -> None:
        (assignment,) = parse_text("某县意见\n一、任务\n" + body).assignments
        assert (assignment.section, assignment.units, assignment.rule) == ("一/(一)", units, rule)

    def test_closing_paragraph_assigns_the_sections_it_names(self) -> None:
        text = ("某县方案\n一、任务\n（一）实施“六个一批”工程\n建设。\n（二）开展“五大行动”\n开展。\n二、保障\n"
                "县商务委牵头抓好“六个一批”和“五大行动”。\n")
        assert [(a.section, a.units) for a in parse_text(text).assignments] == [
            ("一/(一)", ["县商务委"]), ("一/(二)", ["县商务委"])]

    def test_user_alias_table_renames_units(self, tmp_path) -> None:
        from policyparse import load_rules

        (tmp_path / "responsible.toml").write_text('[aliases]\n"县发改委" = "县发展改革委"\n', encoding="utf-8")
        doc = parse_text("某县意见\n一、任务\n（一）加强。推进建设（县发改委负责）。", rules=load_rules([tmp_path]))
        assert doc.assignments[0].units == ["县发展改革委"]

    def test_people_and_placeholders_give_no_assignment(self) -> None:
        assert parse_text("某县意见\n一、任务\n由分管副县长牵头，相关部门配合。\n").assignments == []


class TestTables:
    FLAT = ("某县方案\n一、总体思路\n附件\n任务分解表\n\t序号\n\t类别\n\t工作任务\n\t牵头单位\n\t责任单位\n\t完成时限\n\t备注\n\n"
            "\t1\n\t市场体系\n\t建成农贸市场6个\n\t县商务委\n\t县市场监管局、各乡镇（街道）\n\t2021年12月\n\t\n\n"
            "\t2\n\t\n\t建成连锁超市5个，\n\n。\n\t县商务委\n\t县供销社\n\t2021年10月\n\t\n\n"
            "\t\n\t\n\t建成冷库2个以上\n\t县农业农村委\n\n\n\t各乡镇（街道）\n\t2021年11月\n\t\n")

    def test_flattened_table_rows(self) -> None:
        tasks = parse_text(self.FLAT).tasks
        assert [(t.no, t.category, t.task, t.lead_units, t.support_units, t.deadline) for t in tasks] == [
            ("1", "市场体系", "建成农贸市场6个", ["县商务委"], ["县市场监管局", "各乡镇（街道）"], "2021-12"),
            ("2", "市场体系", "建成连锁超市5个，。", ["县商务委"], ["县供销社"], "2021-10"),
            (None, "市场体系", "建成冷库2个以上", ["县农业农村委"], ["各乡镇（街道）"], "2021-11"),
        ]

    def test_merged_cells_absent_from_a_continuation_row(self) -> None:
        text = self.FLAT.replace("\t\n\t\n\t建成冷库", "\t建成冷库")
        assert parse_text(text).tasks[-1].task == "建成冷库2个以上"

    def test_targets_in_a_table_take_its_section(self) -> None:
        assert {t.section for t in parse_text(self.FLAT).targets} == {"附件"}

    def test_tab_separated_table_with_synonym_headers(self) -> None:
        text = ("某县方案\n一、总体思路\n附件\n任务分解表\n序号\t重点任务\t工作内容\t牵头单位\t配合单位\t时间节点\n"
                "1\t数字乡村\t建成益农信息社20个\t县农业农村委\t县商务委\t2022年6月底\n")
        (task,) = parse_text(text).tasks
        assert (task.project, task.task, task.lead_units, task.support_units, task.deadline) == (
            "数字乡村", "建成益农信息社20个", ["县农业农村委"], ["县商务委"], "2022-06")

    def test_markdown_pipe_table_with_one_responsible_column(self) -> None:
        text = ("某县方案\n一、总体思路\n附表1\n| 编号 | 工作任务 | 责任单位 | 完成时间 |\n|---|---|---|---|\n"
                "| 1 | 建设冷库3座 | 县供销社 | 2022年10月 |\n")
        (task,) = parse_text(text).tasks
        assert (task.no, task.task, task.lead_units, task.deadline, task.section) == (
            "1", "建设冷库3座", ["县供销社"], "2022-10", "附表1")

    def test_cells_run_together_give_a_warning_and_no_targets(self) -> None:
        doc = parse_text("某县方案\n一、任务\n1建成农贸市场6个县商务委2021123\n")
        assert doc.targets == []
        assert [w.code for w in doc.warnings] == ["cells_run_together"]


@pytest.mark.parametrize("sample", sorted(Path(__file__).resolve().parent.parent.joinpath("samples").glob("*.txt")),
                         ids=lambda path: path.stem[:3])
def test_exclusions_searched_around_the_figures_cover_what_the_whole_text_covers(sample: Path) -> None:
    text = normalize_text(sample.read_text(encoding="utf-8"), RULES).text
    figures = find_figures(text, RULES.compiled.figures)
    spans, incentives = excluded_spans(text, RULES.targets, figures)
    whole = [(rule, m.span()) for rule in RULES.targets.exclusion for m in rule.regex.finditer(text)]
    for found, expected in [(spans, [span for _, span in whole]),
                            (incentives, [span for rule, span in whole if rule.keep_as == "incentive"])]:
        assert all(Coverage(found).touches(f.start, f.end) == Coverage(expected).touches(f.start, f.end)
                   for f in figures)
    assert len(spans) < len(whole)  # the stretches without a figure were not searched


def test_a_text_is_cut_once(monkeypatch: pytest.MonkeyPatch) -> None:
    from policyparse.extract import indicator

    cuts: list[str] = []

    def cut(text: str) -> list[str]:
        cuts.append(text)
        return list(text)

    monkeypatch.setattr(indicator, "_jieba_cut", lambda: cut)
    indicator._tokenizer.cache_clear()
    try:
        tokenize = indicator._tokenizer(frozenset({"站点"}))
        assert tokenize("建成站点") == tokenize("建成站点") == ("建", "成", "站点")
        assert cuts == ["建成站点"]
    finally:
        indicator._tokenizer.cache_clear()


def test_noun_characters_are_the_one_character_words_the_dictionary_tags_as_nouns() -> None:
    from importlib import resources

    from policyparse.extract.indicator import _noun_characters

    lines = (resources.files("policyparse.data") / "jieba_words.txt").read_text(encoding="utf-8").splitlines()
    tagged = [line.split() for line in lines]
    assert _noun_characters() == {parts[0] for parts in tagged
                                  if len(parts) == 3 and len(parts[0]) == 1 and parts[2].startswith("n")}
    assert "人" in _noun_characters() and not {"到", "每", "按"} & _noun_characters()
