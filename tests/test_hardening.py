"""Hostile inputs that once hung or lost content: each test states the input that did and what must hold now.

A hang shows as the suite not finishing; the assertions check the output, never the time taken.
"""

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from policyparse import parse_text
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
