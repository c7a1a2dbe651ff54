"""A user's rule files add to the shipped ones: each overlay is a file of a few lines.

Every test reads a sentence of the samples (sample 002, line 47) or of the corpus with the
shipped rules and with one overlay, and checks that the overlay changed what it says it does.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from policyparse import RuleError, load_rules, parse_text
from policyparse.cli import cli

ROOT = Path(__file__).resolve().parent.parent
# Sample 002, line 47, under a heading of its own.
SENTENCE = ("某县意见\n一、重点任务\n（一）推动特色农副产品规模化发展。加快建设马铃薯、生态畜牧、特色经果、中药材、乡村旅游等"
            "5个十亿级产业集群，打造2个市级现代农业产业园、5个县级现代农业产业园，新创建10个“一村一品”示范镇村。"
            "〔县农业农村委、县发展改革委、县乡村振兴局、县商务委和各乡镇（街道）具体负责〕\n")


def overlay(tmp_path: Path, name: str, text: str) -> Path:
    directory = tmp_path / "myrules"
    directory.mkdir(exist_ok=True)
    (directory / name).write_text(text, encoding="utf-8")
    return directory


def indicators(text: str, directory: Path | None = None) -> list[str]:
    rules = load_rules([directory]) if directory else None
    return [t.indicator for t in parse_text(text, rules=rules).targets]


def test_a_unit_word(tmp_path: Path) -> None:
    # The work reports count grain in 斤 (`9680亿斤`), which the shipped measures do not hold.
    text = "某县报告\n一、目标\n粮食总产量稳定在9600亿斤以上。\n"
    directory = overlay(tmp_path, "measures.toml", 'units = [{ word = "斤", kind = "volume" }]\n')
    assert indicators(text) == []
    (target,) = parse_text(text, rules=load_rules([directory])).targets
    assert (target.indicator, target.base_value, target.base_unit, target.comparator) == (
        "粮食总产量", 960_000_000_000, "斤", ">=")


def test_an_exclusion(tmp_path: Path) -> None:
    directory = overlay(tmp_path, "targets.toml", """
[[exclusion]]
id = "exclude.parks"
description = "Parks are counted in another table."
pattern = '\\d{1,3}个[^，。]{0,6}产业园'
examples = ["打造2个市级现代农业产业园"]
""")
    assert indicators(SENTENCE) == ["十亿级产业集群", "市级现代农业产业园", "县级现代农业产业园", "“一村一品”示范镇村"]
    assert indicators(SENTENCE, directory) == ["十亿级产业集群", "“一村一品”示范镇村"]


def test_an_alias(tmp_path: Path) -> None:
    directory = overlay(tmp_path, "responsible.toml", '[aliases]\n"县农业农村委" = "县农业农村委员会"\n')
    (target, *_) = parse_text(SENTENCE, rules=load_rules([directory])).targets
    assert target.lead_units is not None and target.lead_units[0] == "县农业农村委员会"


def test_a_new_lead_unit_form(tmp_path: Path) -> None:
    text = SENTENCE.replace("〔县农业农村委、县发展改革委、县乡村振兴局、县商务委和各乡镇（街道）具体负责〕",
                            "【主责单位：县农业农村委、县商务委】")
    directory = overlay(tmp_path, "responsible.toml", """
[[statement]]
id = "lead.main_duty"
pattern = '【主责单位[：:](?P<units>[^【】\\n]{2,200}?)】'
examples = ["【主责单位：县农业农村委、县商务委】"]
""")
    assert all(t.lead_units is None for t in parse_text(text).targets)
    targets = parse_text(text, rules=load_rules([directory])).targets
    assert {tuple(t.lead_units or ()) for t in targets} == {("县农业农村委", "县商务委")}


def test_disable_a_shipped_rule(tmp_path: Path) -> None:
    directory = overlay(tmp_path, "responsible.toml", 'disable = ["lead.bracket"]\n')
    assert parse_text(SENTENCE).assignments
    doc = parse_text(SENTENCE, rules=load_rules([directory]))
    assert doc.assignments == [] and all(t.lead_units is None for t in doc.targets)


def test_a_word_list_extends_the_shipped_one(tmp_path: Path) -> None:
    directory = overlay(tmp_path, "tables.toml", '[columns]\ntask = ["事项"]\n')
    columns = load_rules([directory]).tables.columns
    assert "事项" in columns.task and "工作任务" in columns.task


def test_a_word_class_follows_the_measures(tmp_path: Path) -> None:
    # `space.number_unit` joins a number to any unit of measures.toml, a user's included.
    text = "某县报告\n一、目标\n今年粮食总产量力争增产291 亿斤。\n"
    directory = overlay(tmp_path, "measures.toml", 'units = [{ word = "斤", kind = "volume" }]\n')
    assert "291亿斤" in parse_text(text, rules=load_rules([directory])).text


@pytest.mark.parametrize(
    ("name", "body", "expected"),
    [
        ("measures.toml", 'units = [{ word = "斤", kind = "weight" }]\n', "measures.toml: units '斤': kind: Input should be"),
        ("targets.toml", "[[exclusion]]\nid = 'exclude.mine'\npattern = '(a+)+b'\n",
         "targets.toml: rule exclude.mine: pattern: a repeated or optional part inside a repeat"),
        ("responsible.toml", "[[statement]]\nid = 'lead.mine'\npattern = '【(?P<units>.+?)】'\nexamples = ['没有括号']\n",
         "responsible.toml: rule lead.mine: examples: example not matched: '没有括号'"),
        ("responsible.toml", "[placeholder]\nid = 'units.placeholder'\npattern = '(unclosed'\n",
         "responsible.toml: rule units.placeholder: pattern: missing ), unterminated subpattern"),
        ("responsible.toml", 'disable = ["lead.nothing"]\n', "responsible.toml: disable: no rule lead.nothing"),
        ("normalize.toml", "[[strip]]\nid = 'space.mine'\npattern = '\\d(?=(?&nothing))'\n",
         "normalize.toml: rule space.mine: pattern: unknown word class (?&nothing)"),
        ("units.toml", "", "units.toml: this file is now called measures.toml"),
    ],
    ids=["bad-kind", "backtracking", "failing-example", "broken-regex", "disable-unknown", "word-class", "renamed"],
)
def test_a_broken_overlay_names_file_rule_and_field(tmp_path: Path, name: str, body: str, expected: str) -> None:
    directory = overlay(tmp_path, name, body)
    with pytest.raises(RuleError) as err:
        load_rules([directory])
    assert str(err.value).startswith(str(directory / name))
    assert expected in str(err.value)
    result = CliRunner().invoke(cli, ["extract", str(ROOT / "samples" / "002_8caab235f68fd400.txt"), "--format",
                                      "json", "--rules", str(directory)])
    assert result.exit_code == 2
    assert result.stderr.strip() == str(err.value) and "Traceback" not in result.output


def test_a_later_directory_overrides_an_earlier_one(tmp_path: Path) -> None:
    first = tmp_path / "first"
    second = tmp_path / "second"
    for directory, name in ((first, "县农业农村委员会"), (second, "农业农村委")):
        directory.mkdir()
        (directory / "responsible.toml").write_text(f'[aliases]\n"县农业农村委" = "{name}"\n', encoding="utf-8")
    assert load_rules([first, second]).responsible.aliases["县农业农村委"] == "农业农村委"
