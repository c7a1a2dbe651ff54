"""Targets: each case is the sentence that motivated a rule, grouped by phenomenon."""

import pytest

from policyparse import parse_text

HEAD = "2021年某县提升乡村消费工作实施方案\n一、工作目标\n"


def targets(body: str, head: str = HEAD) -> list[tuple[str, float, float | None, str, str]]:
    doc = parse_text(head + body)
    return [(t.indicator, t.value, t.value_max, t.unit, t.comparator) for t in doc.targets]


def one(body: str, head: str = HEAD):
    (target,) = parse_text(head + body).targets
    return target


class TestFigures:
    @pytest.mark.parametrize(
        ("body", "expected"),
        [
            ("2021年建成乡镇物流中转站20个。", ("乡镇物流中转站", 20, None, "个", "=")),
            ("实现消费帮扶销售金额1.2亿元。", ("消费帮扶销售金额", 1.2, None, "亿元", "=")),
            ("建成末端网点1,200个。", ("末端网点", 1200, None, "个", "=")),
            ("培训人员一千二百人次。", ("培训人员", 1200, None, "人次", "=")),
            ("新建冷库二十座。", ("冷库", 20, None, "座", "=")),
            ("建成服务网点1O0个。", ("服务网点", 100, None, "个", "=")),
            ("建成服务网点1l0个。", ("服务网点", 110, None, "个", "=")),
        ],
        ids=["arabic", "decimal-with-scale", "thousands-separator", "chinese-numeral", "chinese-tens",
             "letter-O-for-zero", "letter-l-for-one"],
    )
    def test_numbers(self, body: str, expected: tuple) -> None:
        assert targets(body) == [expected]

    @pytest.mark.parametrize(
        ("body", "expected"),
        [
            ("培育 5—10 家农特产品出口龙头企业。", ("农特产品出口龙头企业", 5, 10, "家", "range")),
            ("引导电商企业入驻5-10家。", ("电商企业", 5, 10, "家", "range")),
            ("新增装机35-36MW。", ("装机", 35, 36, "MW", "range")),
            ("财政支出增幅保持在2%～3%。", ("财政支出", 2, 3, "%", "range")),
            ("培育示范企业3至5家。", ("示范企业", 3, 5, "家", "range")),
        ],
        ids=["em-dash", "hyphen", "latin-unit", "percent-both-ends", "zhi"],
    )
    def test_ranges(self, body: str, expected: tuple) -> None:
        assert targets(body) == [expected]

    @pytest.mark.parametrize(
        ("body", "comparator"),
        [
            ("建成末端网点100个以上。", ">="),
            ("全县网络零售额超过500万元。", ">="),
            ("就业技能示范培训不少于200人。", ">="),
            ("双向配送时效不超过24小时。", "<="),
            ("审批时间控制在5个工作日以内。", "<="),
            ("打造500个左右的县域商业“领跑县”。", "~"),
            ("建成约20个站点。", "~"),
            ("培育带头人100余名。", ">="),
        ],
        ids=["yishang", "chaoguo", "bushaoyu", "buchaoguo", "kongzhizai-yinei", "zuoyou", "yue", "yu"],
    )
    def test_comparators(self, body: str, comparator: str) -> None:
        assert parse_text(HEAD + body).targets[0].comparator == comparator

    def test_base_value_and_unit(self) -> None:
        target = one("实现消费帮扶销售金额1.2亿元。")
        assert (target.base_value, target.base_unit) == (120_000_000, "元")


class TestIndicators:
    @pytest.mark.parametrize(
        ("body", "indicator"),
        [
            ("2021年，完成新（改）建乡镇农贸市场6个。", "乡镇农贸市场"),
            ("新建或提升改造电商综合服务中心10个。", "电商综合服务中心"),
            ("建设或改造 “零售通” 乡村便民店100个。", "“零售通”乡村便民店"),
            ("引导电商及电商服务企业入驻50家以上。", "电商及电商服务企业"),
            ("入驻率达到60%以上。", "入驻率"),
            ("实现区到乡、村双向配送时效不超过24小时。", "区到乡、村双向配送时效"),
            ("力争完成各类电商人才培训1000人次。", "电商人才培训"),
            ("培育能够独立承担电商直播自运营的乡村“带货”主播50个以上。", "乡村“带货”主播"),
            ("乡村社会消费品零售总额同比增长9%以上。", "乡村社会消费品零售总额"),
            ("单位地区生产总值能耗比2020年下降13.5%。", "单位地区生产总值能耗"),
            ("企业开办时间压缩至1个工作日以内。", "企业开办时间"),
            ("促进南岸、綦江帮助我县销售农特产品、文旅产品各1000万元以上。", "农特产品、文旅产品"),
            ("地表水国控断面水质优良（达到或好于Ⅲ类）比例达到95%。", "地表水国控断面水质优良（达到或好于Ⅲ类）比例"),
            ("饮用水水源地水质达标率保持100%。", "饮用水水源地水质达标率"),
            ("2023年底前，淘汰35蒸吨/小时以下燃煤锅炉200台。", "燃煤锅炉"),
            ("农村生活污水治理率达到40%。", "农村生活污水治理率"),
        ],
        ids=["verb-chain-with-brackets", "verb-or-verb", "quoted-name-spaces", "trailing-verb", "rate-subject",
             "dao-inside-phrase", "determiner", "qualifier-clause-de", "growth-words", "comparison-base",
             "reach-to", "each", "verb-inside-brackets", "keep-at", "measured-qualifier", "verb-as-part-of-noun"],
    )
    def test_indicator_before_the_figure(self, body: str, indicator: str) -> None:
        assert one(body).indicator == indicator

    @pytest.mark.parametrize(
        ("body", "indicator"),
        [
            ("依托加油站打造 150 个以上的农村综合服务中心。", "农村综合服务中心"),
            ("加快建设马铃薯、中药材等5个十亿级产业集群。", "十亿级产业集群"),
            ("完成6个农贸市场标准化建设。", "农贸市场"),
            ("完成2—3个电商产品的溯源体系建设。", "电商产品溯源体系"),
            ("整合区内3—5款有代表性、有特色、适合网销的产品实现标准化生产。", "适合网销产品"),
            ("90%的县达到“基本型”及以上商业功能。", "县达到“基本型”及以上商业功能"),
        ],
        ids=["after-yishang-de", "after-chinese-scale-word", "activity-suffix", "de-dropped", "last-modifier",
             "share-keeps-verb"],
    )
    def test_indicator_after_the_figure(self, body: str, indicator: str) -> None:
        assert one(body).indicator == indicator

    def test_list_of_figures_each_with_its_noun(self) -> None:
        body = "打造2个市级现代农业产业园、5个县级现代农业产业园，新创建10个“一村一品”示范镇村。"
        assert [t[0] for t in targets(body)] == ["市级现代农业产业园", "县级现代农业产业园", "“一村一品”示范镇村"]

    def test_figures_listed_for_one_indicator(self) -> None:
        assert targets("化学需氧量、氨氮重点工程减排量分别达到12.5万吨、0.6万吨。") == [
            ("化学需氧量、氨氮重点工程减排量", 12.5, None, "万吨", "="), ("化学需氧量、氨氮重点工程减排量", 0.6, None, "万吨", "=")]

    def test_increase_against_a_plan_keeps_the_indicator(self) -> None:
        assert [t[:2] for t in targets("全年计划完成投资50亿元，比年度计划增加5亿元。")] == [("投资", 50), ("投资", 5)]

    def test_every_year_is_an_aggregation_not_part_of_the_indicator(self) -> None:
        target = one("每年培训电商人才1000人次。")
        assert (target.indicator, target.aggregation) == ("培训电商人才", "每年")

    def test_growth_without_a_subject_measures_the_figure_before(self) -> None:
        assert [t[0] for t in targets("全年完成固定资产投资120亿元，同比增长8%。")] == ["固定资产投资", "固定资产投资"]


class TestKinds:
    @pytest.mark.parametrize(
        ("body", "kind"),
        [
            ("建成乡镇物流中转站20个。", "count"),
            ("实现年销售额5000万元以上。", "money"),
            ("项目资金总额1000万元。", "funding"),
            ("占全县社会消费品零售总额20%以上。", "share"),
            ("乡村社会消费品零售总额同比增长9%以上。", "growth"),
            ("商贸物流效率提升10%以上。", "growth"),
            ("建成“田间天猫”基地5000亩。", "area"),
            ("培育农村电商带头人30名。", "people"),
            ("培育乡村“带货”主播50个以上。", "people"),
            ("配送时效不超过24小时。", "duration"),
            ("新增冷库容量2万吨。", "volume"),
        ],
    )
    def test_kind(self, body: str, kind: str) -> None:
        assert one(body).kind == kind


class TestExclusions:
    @pytest.mark.parametrize(
        "body",
        [
            "以“654”即“六个一批、五大行动、四项工程”为抓手。",
            "采取“5+N”的配送模式，围绕“四个30万”现代高效农业产业布局。",
            "继续推进“十万吨渝货进山东”。",
            "根据石商务委发〔2021〕35号文件精神。",
            "商务部等9部门研究制定了本方案。",
            "抓住9-10月销售旺季。",
            "经地方推荐产生第一批全国县域商业“领跑县”。",
            "进一步提升4G网络覆盖水平，推动5G基站建设。",
            "持续组织企业参加6·18电商节、双十一等活动。",
            "按照CJJ 27-2005标准执行，咨询电话023-12345678。",
            "联席会议办公室下设提升农产品供给品质、乡村文化旅游消费帮扶等6个专班。",
            "探索创新“1+N”模式，即一个景区融合多元产业，形成全县农资社会化服务一张网。",
            "截至2020年底，全县已建成电商服务站120个。",
            "〔县商务委、30个县级帮扶集团牵头单位和有关乡镇（街道）具体负责〕",
            "《县域商业三年行动计划(2023-2025年)》",
            "对年网络零售额首次超过1亿元的企业予以表彰。",
            "有关部门应当在受理申请之日起15个工作日内作出决定。",
        ],
        ids=["quoted-slogans", "quoted-programmes", "quoted-volume", "doc-number", "signing-bodies", "months",
             "ordinal", "network-names", "shopping-festivals", "codes-and-phones", "working-group-structure",
             "lone-chinese-one", "past-fact", "assignment-bracket", "cited-title", "eligibility-condition",
             "procedural-time-limit"],
    )
    def test_not_a_target(self, body: str) -> None:
        assert targets(body) == []

    @pytest.mark.parametrize(
        ("body", "kept"),
        [
            ("建设 500 亩以上规模化集约化蚕桑示范基地 50 个以上。", [("规模化集约化蚕桑示范基地", 50)]),
            ("培育年营业额1000万元及以上的电商企业1—2个。", [("电商企业", 1)]),
        ],
        ids=["area-qualifier", "turnover-qualifier"],
    )
    def test_qualifiers_of_the_thing_counted_are_not_targets(self, body: str, kept: list) -> None:
        assert [(t[0], t[1]) for t in targets(body)] == kept

    def test_damaged_line_gives_no_target(self) -> None:
        doc = parse_text(HEAD + "推进規(guī)?;?建设,建成站点20个。\n")
        assert doc.targets == [] and doc.warnings[0].code == "mojibake"

    def test_damage_costs_only_its_sentence(self) -> None:
        body = "一、目标\n" + "建成站点20个。推进規(guī)?;?建设10个。培育企业5家。" + "完善体系，" * 200
        assert [t.value for t in parse_text(body).targets] == [20, 5]

    def test_figures_before_the_first_heading_are_not_targets(self) -> None:
        assert parse_text("为落实方案，建成站点20个。\n一、总体思路\n").targets == []


class TestDeadlines:
    @pytest.mark.parametrize(
        ("body", "deadline"),
        [
            ("到2025年，建成站点20个。", "2025"),
            ("力争到2022年底，建成站点20个。", "2022-12"),
            ("2023年8月底前建成站点20个。", "2023-08"),
            ("2021年，打造示范点5个，至2023年，累计打造示范点20个以上。", "2021"),
        ],
        ids=["dao", "lizheng-dao-nian-di", "month-end", "nearest-before"],
    )
    def test_time_in_the_sentence(self, body: str, deadline: str) -> None:
        assert parse_text("某县实施方案\n一、工作目标\n" + body).targets[0].deadline == deadline

    def test_later_time_in_the_same_sentence_governs_what_follows_it(self) -> None:
        doc = parse_text("某县实施方案\n一、工作目标\n2021年，打造示范点5个，至2023年，累计打造示范点20个以上。")
        assert [t.deadline for t in doc.targets] == ["2021", "2023"]

    def test_plan_horizon_from_the_goals_section(self) -> None:
        text = "某县实施方案\n一、工作目标\n力争到2022年底，培育企业10家。\n二、重点任务\n（一）建设站点。建成站点20个。\n"
        assert [t.deadline for t in parse_text(text).targets] == ["2022-12", "2022-12"]

    def test_plan_horizon_from_the_title(self) -> None:
        assert one("建成站点20个。").deadline == "2021"

    def test_year_in_a_name_is_not_a_time(self) -> None:
        text = "某区实施方案\n一、资金安排\n项目资金总额1000万元，来源于2020年电子商务进农村综合示范专项资金。\n"
        assert parse_text(text).targets[0].deadline is None

    def test_relative_time_against_the_document_date(self) -> None:
        text = "某县工作要点\n二〇二二年三月十五日\n一、目标\n今年底前建成站点5个，明年培育企业10家。\n"
        assert [t.deadline for t in parse_text(text).targets] == ["2022-12", "2023"]

    def test_five_year_plan(self) -> None:
        assert parse_text("某县方案\n一、目标\n“十四五”期间，累计建成物流中心5个。\n").targets[0].deadline == "2025"

    def test_table_cell_deadline(self) -> None:
        text = ("某县方案\n一、总体思路\n附件\n任务分解表\n序号\t工作任务\t牵头单位\t完成时限\n"
                "1\t建成站点20个\t县商务委\t2021年10月\n")
        assert parse_text(text).targets[0].deadline == "2021-10"


class TestLeadUnits:
    def test_closing_bracket_assigns_its_paragraph(self) -> None:
        text = "某县意见\n一、任务\n（一）推动特色产业发展。打造2个市级现代农业产业园。〔县农业农村委、县商务委和各乡镇（街道）具体负责〕\n"
        doc = parse_text(text)
        assert doc.targets[0].lead_units == ["县农业农村委", "县商务委", "各乡镇（街道）"]
        assert [(a.section, a.units) for a in doc.assignments] == [("一/(一)", ["县农业农村委", "县商务委", "各乡镇（街道）"])]

    def test_units_of_another_paragraph_do_not_apply(self) -> None:
        text = "某县意见\n一、任务\n（一）建设。建成站点20个。\n（二）培育。〔县商务委具体负责〕\n"
        assert parse_text(text).targets[0].lead_units is None

    def test_table_row_units_lead_first(self) -> None:
        text = ("某县方案\n一、总体思路\n附件\n任务分解表\n序号\t工作任务\t牵头单位\t配合单位\t完成时限\n"
                "1\t建成站点20个\t县商务委\t县财政局、各乡镇（街道）\t2021年10月\n")
        assert parse_text(text).targets[0].lead_units == ["县商务委", "县财政局", "各乡镇（街道）"]
