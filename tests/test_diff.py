"""`policyparse diff` and `diff_documents`: exactly the edits made, nothing else."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from policyparse import diff_documents, parse_file, parse_text
from policyparse.cli import cli

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "000_2b56176de5d9e3f3.txt"
EDITS = [
    ("2021年，培育星级农家乐10家，民宿示范点1个。", "2021年，培育星级农家乐12家，民宿示范点1个。"),
    ("2021年，新建或提升改造电商综合服务中心10个，逐步实现乡镇（街道）全覆盖。", ""),
    ("2021年建成乡镇物流中转站20个。", "2021年建成乡镇物流中转站20个，新增农村电商直播基地3个。"),
    ("2021年，实现消费帮扶销售金额1.2亿元。", "2022年，实现消费帮扶销售金额1.2亿元。"),
    ("开展农产品推介活动20次以上", "开展农产品推介活动20次左右"),
]


@pytest.fixture(scope="module")
def edited(tmp_path_factory: pytest.TempPathFactory) -> Path:
    text = SAMPLE.read_text(encoding="utf-8")
    for old, new in EDITS:
        assert old in text
        text = text.replace(old, new)
    path = tmp_path_factory.mktemp("edit") / "edited.txt"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_document_against_itself_is_empty() -> None:
    doc = parse_file(SAMPLE)
    result = diff_documents(doc, doc)
    assert not result.targets_differ and result.unchanged == len(doc.targets) and result.metadata == []


def test_exactly_the_edits_are_reported(edited: Path) -> None:
    result = diff_documents(parse_file(SAMPLE), parse_file(edited))
    assert sorted((c.old.indicator, tuple(c.fields)) for c in result.changed) == [
        # 12家 no longer matches its task-table row (10家): the body copy loses the units it took from it.
        ("农产品推介活动", ("comparator",)), ("星级农家乐", ("value", "lead_units")), ("消费帮扶销售金额", ("deadline",))]
    assert [(t.indicator, t.value) for t in result.removed] == [("电商综合服务中心", 10)]
    assert [(t.indicator, t.value) for t in result.added] == [("农村电商直播基地", 3)]


def test_scale_change_of_the_same_amount_is_a_unit_change() -> None:
    old = parse_text("一、目标\n实现销售金额1.2亿元。")
    new = parse_text("一、目标\n实现销售金额12000万元。")
    assert [c.fields for c in diff_documents(old, new).changed] == [["unit"]]


def test_targets_of_different_unit_families_are_never_paired() -> None:
    old = parse_text("一、目标\n建设桑园10个。")
    new = parse_text("一、目标\n建设桑园10万亩。")
    result = diff_documents(old, new)
    assert (len(result.added), len(result.removed), result.changed) == (1, 1, [])


def test_reworded_indicator_is_paired_across_plans() -> None:
    old = parse_file(ROOT / "samples" / "001_57ccd24b1a768582.txt")
    text = (ROOT / "samples" / "001_57ccd24b1a768582.txt").read_text(encoding="utf-8")
    new = parse_text(text.replace("规模化集约化优质高产桑园达 40 万亩以上", "优质高产桑园面积达到 45 万亩以上"))
    result = diff_documents(old, new)
    assert [(c.old.indicator, c.new.indicator, c.fields) for c in result.changed] == [
        ("规模化集约化优质高产桑园", "优质高产桑园面积", ["value"])]
    assert not result.added and not result.removed


def test_cli_diff_json_and_exit_codes(edited: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["diff", str(SAMPLE), str(edited), "--format", "json"])
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert set(data) >= {"added", "removed", "changed", "unchanged"}
    assert len(data["changed"]) == 3 and data["changed"][0]["fields"]
    same = runner.invoke(cli, ["diff", str(SAMPLE), str(SAMPLE)])
    assert same.exit_code == 0 and "No target changed." in same.output


def test_cli_diff_reads_extract_json(tmp_path: Path) -> None:
    runner = CliRunner()
    saved = tmp_path / "old.json"
    runner.invoke(cli, ["extract", str(SAMPLE), "--format", "json", "-o", str(saved)])
    result = runner.invoke(cli, ["diff", str(saved), str(SAMPLE)])
    assert result.exit_code == 0


def test_cli_diff_rich_view_shows_both_figures(edited: Path) -> None:
    result = CliRunner().invoke(cli, ["diff", str(SAMPLE), str(edited)], terminal_width=160)
    assert "10家 by 2021" in result.output and "12家 by 2021" in result.output
    assert "3 changed, 1 added, 1 removed" in result.output


@pytest.mark.parametrize("bad", ["missing.txt", "broken.json"])
def test_cli_diff_bad_input_exits_2(tmp_path: Path, bad: str) -> None:
    (tmp_path / "broken.json").write_text("{not json", encoding="utf-8")
    result = CliRunner().invoke(cli, ["diff", str(tmp_path / bad), str(SAMPLE)])
    assert result.exit_code == 2 and result.stderr.count("\n") == 1
