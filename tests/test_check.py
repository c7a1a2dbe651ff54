"""`policyparse check`: every finding rule's examples, and sample 000 against itself and with three edits."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from policyparse.check import Finding, check_document, check_file
from policyparse.cli import cli
from policyparse.pipeline import normalize_text, parse_text
from policyparse.rulebook import default_rules

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "000_2b56176de5d9e3f3.txt"
RULES = default_rules().checks.finding


def _codes(text: str) -> set[str]:
    norm = normalize_text(text)
    return {f.code for f in check_document(parse_text(text), norm.source_line)}


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_each_finding_rule_holds_on_its_examples(rule) -> None:
    assert rule.examples and rule.counter_examples
    for example in rule.examples:
        assert rule.code in _codes(example), example
    for example in rule.counter_examples:
        assert rule.code not in _codes(example), example


def test_sample_000_has_only_what_a_reader_would_flag_too() -> None:
    findings = check_file(SAMPLE).findings
    assert not [f for f in findings if f.severity == "error"]
    # Three body figures the task table leaves out (便民店 100个, 推介活动 20次, 消费帮扶 1.2亿元), and three lead
    # units the body never names (县供销社, 县扶贫办, 县发改委).
    assert sorted((f.code, f.lines[0]) for f in findings) == [
        ("body_without_row", 44), ("body_without_row", 47), ("body_without_row", 59),
        ("unit_only_in_table", 176), ("unit_only_in_table", 243), ("unit_only_in_table", 261)]


def _without_row(lines: list[str], task_text: str) -> list[str]:
    """The flattened task table without the row whose task cell starts with `task_text`."""
    at = next(i for i, line in enumerate(lines) if line.strip().startswith(task_text))
    start = max(i for i in range(at) if lines[i].strip().isdigit())
    end = next(i for i in range(at + 1, len(lines)) if lines[i].strip().isdigit())
    return lines[:start] + lines[end:]


def test_three_edits_give_exactly_three_new_findings(tmp_path: Path) -> None:
    lines = SAMPLE.read_text(encoding="utf-8").split("\n")
    changed = next(i for i, line in enumerate(lines) if line.startswith("\t") and "建成乡镇品牌连锁超市5个" in line)
    lines[changed] = lines[changed].replace("连锁超市5个", "连锁超市8个")  # a changed table value
    moved = lines.index("\t2021年10月")
    lines[moved] = "\t2023年10月"  # a deadline past the 2021 horizon
    lines = _without_row(lines, "建成“田间天猫”")  # a removed table row
    edited = tmp_path / "edited.txt"
    edited.write_text("\n".join(lines), encoding="utf-8")

    def keys(findings: list[Finding]) -> set[tuple[str, str]]:
        return {(f.code, f.message) for f in findings}

    new = keys(check_file(edited).findings) - keys(check_file(SAMPLE).findings)
    assert sorted(code for code, _ in new) == ["body_without_row", "deadline_after_horizon", "row_differs"]
    messages = " | ".join(message for _, message in sorted(new))
    assert "乡镇品牌连锁超市 8个" in messages and "乡镇品牌连锁超市 5个" in messages
    assert "“田间天猫”农产品网货定制化基地 5000亩" in messages and "2023-10" in messages


def test_check_cli_exit_codes_and_formats(tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["check", str(SAMPLE)]).exit_code == 0
    broken = tmp_path / "plan.txt"
    broken.write_text("一、资金\n共需资金约2.5亿元（道路1.2亿元，管网0.8亿元，绿化0.4亿元）。\n", encoding="utf-8")
    result = runner.invoke(cli, ["check", str(broken), "-f", "json"])
    assert result.exit_code == 1
    (report,) = json.loads(result.output)
    assert [(f["code"], f["severity"], f["lines"]) for f in report["findings"]] == [("total_mismatch", "error", [2])]
    assert "2.4亿元" in report["findings"][0]["message"]
    rows = runner.invoke(cli, ["check", str(broken), "-f", "csv"]).output.splitlines()
    assert rows[0] == "file,severity,code,lines,message,rule" and len(rows) == 2
