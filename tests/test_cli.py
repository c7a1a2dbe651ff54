"""The command line, through click's CliRunner, and the start-up cost of --help."""

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from policyparse import __version__
from policyparse.cli import cli

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "000_2b56176de5d9e3f3.txt"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_extract_json(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["extract", str(SAMPLE), "--format", "json"])
    assert result.exit_code == 0
    doc = json.loads(result.output)
    assert doc["metadata"]["doc_number"] == "石商务委发〔2021〕35号"
    assert doc["sections"][2]["children"][0]["id"] == "三/(一)"
    assert "\\u" not in result.output  # Chinese is written as Chinese


def test_extract_rich_view_shows_metadata_and_outline(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["extract", str(SAMPLE), "-f", "rich", "--outline"], terminal_width=120)
    assert result.exit_code == 0
    assert "石商务委发〔2021〕35号" in result.output
    assert "（一）围绕“六个一批”，完善乡村消费市场体系" in result.output
    assert "No warnings." in result.output


def test_extract_rich_view_lists_warnings_with_lines(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["extract", str(ROOT / "samples" / "003_115909857b71146d.txt"), "-f", "rich"],
                           terminal_width=160)
    assert result.exit_code == 0
    assert "mojibake" in result.output and "Warnings" in result.output


def test_extract_reads_stdin(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["extract", "-", "--format", "json"], input="一、总体思路\n二、工作目标\n".encode("gb18030"))
    assert result.exit_code == 0
    assert [s["id"] for s in json.loads(result.output)["sections"]] == ["一", "二"]


def test_extract_writes_output_file(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    result = runner.invoke(cli, ["extract", str(SAMPLE), "--format", "json", "-o", str(out)])
    assert result.exit_code == 0 and result.output == ""
    assert json.loads(out.read_text(encoding="utf-8"))["metadata"]["issuer"] == "石柱土家族自治县商务委员会"


def test_output_never_overwrites_the_input(runner: CliRunner, tmp_path: Path) -> None:
    doc = tmp_path / "doc.txt"
    doc.write_text("一、总体思路\n", encoding="utf-8")
    result = runner.invoke(cli, ["extract", str(doc), "--format", "json", "-o", str(doc)])
    assert result.exit_code == 2
    assert doc.read_text(encoding="utf-8") == "一、总体思路\n"


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p.joinpath("x.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR") and p / "x.png",
         "a PNG image"),
        (lambda p: p, "is a folder"),
        (lambda p: p / "missing.txt", "no such file"),
    ],
    ids=["binary", "folder", "missing"],
)
def test_bad_input_exits_2_with_one_line(runner: CliRunner, tmp_path: Path, make, message: str) -> None:
    path = make(tmp_path)
    result = runner.invoke(cli, ["extract", str(path)])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and message in result.stderr
    assert result.stderr.startswith(str(path))
    assert "Traceback" not in result.output


def test_max_bytes(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["extract", str(SAMPLE), "--max-bytes", "100"])
    assert result.exit_code == 2 and "over the limit" in result.stderr


def test_broken_rules_directory_exits_2(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "normalize.toml").write_text("[[strip]]\nid='noise.bad'\npattern='('\n", encoding="utf-8")
    result = runner.invoke(cli, ["extract", str(SAMPLE), "--rules", str(tmp_path)])
    assert result.exit_code == 2 and "rule noise.bad: pattern" in result.stderr


def test_extract_csv_has_one_row_per_target(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["extract", str(SAMPLE), "--format", "csv"])
    rows = list(csv.DictReader(io.StringIO(result.output)))
    doc = json.loads(runner.invoke(cli, ["extract", str(SAMPLE), "--format", "json"]).output)
    assert len(rows) == len(doc["targets"]) > 0
    assert rows[0]["indicator"] == doc["targets"][0]["indicator"]
    out = tmp_path / "targets.csv"
    runner.invoke(cli, ["extract", str(SAMPLE), "--format", "csv", "-o", str(out)])
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")  # a BOM, so Excel reads UTF-8


def test_extract_jsonl_has_one_target_per_line(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["extract", str(SAMPLE), "--format", "jsonl"])
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert lines and all(line["file"] == str(SAMPLE) and "indicator" in line for line in lines)


def test_rich_view_shows_targets_tasks_and_units(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["extract", str(SAMPLE), "-f", "rich", "--tasks"], terminal_width=200)
    assert "Targets (" in result.output and "Task table (19 rows)" in result.output
    assert "≥ 100个" in result.output


def test_rules_check_shipped_and_broken(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["rules", "check", str(ROOT / "rules")])
    assert result.exit_code == 0 and "rules valid" in result.output
    broken = tmp_path / "rules"
    broken.mkdir()
    (broken / "targets.toml").write_text(
        (ROOT / "rules" / "targets.toml").read_text(encoding="utf-8").replace("pattern = '第", "pattern = '(第"),
        encoding="utf-8")
    result = runner.invoke(cli, ["rules", "check", str(broken)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{broken / 'targets.toml'}: rule exclude.ordinal: pattern:")


def test_rules_check_reports_a_failing_example(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "normalize.toml").write_text(
        "[[noise]]\nid='noise.mine'\npattern='^版权'\nexamples=['不是版权']\n", encoding="utf-8")
    result = runner.invoke(cli, ["rules", "check", str(tmp_path)])
    assert result.exit_code == 2 and "normalize.toml: rule noise.mine: examples: example not matched" in result.stderr


def test_rules_list(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["rules", "list"], terminal_width=200)
    assert result.exit_code == 0 and "exclude.quoted" in result.output and "lead.bracket" in result.output


def test_version(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["--version"])
    assert result.exit_code == 0 and __version__ in result.output


def test_version_is_the_installed_packages() -> None:
    """The build reads the version from `policyparse.version`: the metadata pip installed says the same."""
    from importlib.metadata import version

    assert version("policyparse") == __version__


def test_batch_in_one_process_loads_no_pool_and_no_package_metadata(tmp_path: Path) -> None:
    """`--jobs 1` converts in this process: the process pool's modules and a scan of `sys.path` for the
    package's metadata (30 ms before the first document) are not paid for."""
    code = ("import sys; from policyparse.cli import cli\n"
            f"try:\n    cli(['batch', {str(ROOT / 'samples')!r}, '-o', {str(tmp_path / 'out')!r}, '-q', '--jobs', '1'])\n"
            "except SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m in ('concurrent.futures.process', 'importlib.metadata')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]" and (tmp_path / "out" / "summary.json").exists()


def test_schema_describes_every_field(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["schema"])
    schema = json.loads(result.output)
    for name, model in schema["$defs"].items():
        for field, spec in model["properties"].items():
            assert spec.get("description"), f"{name}.{field} has no description"


@pytest.mark.parametrize("command", [[], ["extract"], ["schema"], ["rules"], ["rules", "list"], ["rules", "check"]])
def test_every_command_has_help(runner: CliRunner, command: list[str]) -> None:
    result = runner.invoke(cli, [*command, "--help"])
    assert result.exit_code == 0 and "Usage:" in result.output


def test_help_does_not_load_dictionaries() -> None:
    code = ("import sys; from policyparse.cli import cli\n"
            "try:\n    cli(['--help'])\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in ('jieba', 'opencc') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().endswith("[]")


@pytest.mark.parametrize("command", [["extract", str(SAMPLE), "--format", "json"], ["batch", str(ROOT / "samples")]])
def test_extract_and_batch_build_no_pydantic_machinery(command: list[str], tmp_path: Path) -> None:
    """Records and rule files are dataclasses: pydantic (its model machinery alone cost a cold extract
    ~130 ms) is imported only to read JSON back, validate a rule file or write a schema. The rule book
    comes from the cache on the second run, as on any run after a machine's first."""
    if command[0] == "batch":  # a new output folder each run: every document converted
        command = [*command, "-o", str(tmp_path / "{}"), "-q", "--jobs", "1"]
    code = ("import sys; from policyparse.cli import cli\n"
            f"try:\n    cli({command!r})\nexcept SystemExit:\n    pass\n"
            "print(sorted({m.split('.')[0] for m in sys.modules if m.split('.')[0] in ('pydantic', 'pydantic_core')}))")
    runs = [subprocess.run([sys.executable, "-c", code.replace("{}", f"out{n}")], capture_output=True, text=True,
                           check=True).stdout for n in range(2)]
    imported = json.loads(runs[1].strip().splitlines()[-1].replace("'", '"'))
    # batch writes with pydantic-core's encoder, and nothing of pydantic's model machinery
    assert imported == ([] if command[0] == "extract" else ["pydantic_core"])


def test_python_dash_m() -> None:
    result = subprocess.run([sys.executable, "-m", "policyparse", "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and "policyparse" in result.stdout
