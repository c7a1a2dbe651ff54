"""Outputs an analyst can count on and a pipeline can consume (issue 14)."""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
import stat
from pathlib import Path

import jsonschema
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from policyparse import convert_folder, parse_file, read_targets, read_targets_df
from policyparse.cli import cli
from policyparse.models import Document, document_schema
from policyparse.serialize import TABLE_FIELDS, table_header

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = sorted((ROOT / "samples").glob("*.txt"))
SAMPLE = SAMPLES[0]
FORMATS = ROOT / "tests" / "fixtures" / "formats"


def test_extract_piped_gives_tsv_rows_of_the_targets_table() -> None:
    result = CliRunner().invoke(cli, ["extract", str(SAMPLE)])
    lines = result.output.splitlines()
    assert lines[0].split("\t") == table_header("en")
    assert len(lines) - 1 == len(parse_file(SAMPLE).targets)
    assert all(len(line.split("\t")) == len(TABLE_FIELDS) for line in lines)


def test_csv_rows_parse_back_to_the_values_of_the_json() -> None:
    data = json.loads(CliRunner().invoke(cli, ["extract", str(SAMPLE), "-f", "json"]).output)
    text = CliRunner().invoke(cli, ["extract", str(SAMPLE), "-f", "CSV"]).output
    rows = list(csv.DictReader(io.StringIO(text)))
    frame = pd.read_csv(io.StringIO(text), dtype={"deadline": str})
    assert len(rows) == len(frame) == len(data["targets"])
    for row, (_, series), target in zip(rows, frame.iterrows(), data["targets"], strict=True):
        assert row["target_id"] == series["target_id"] == target["id"]
        assert float(row["value"]) == series["value"] == target["value"]
        assert "." not in row["value"] or not target["value"].is_integer()  # 6, not 6.0
        assert (row["deadline"] or None) == (None if pd.isna(series["deadline"]) else series["deadline"]) \
            == target["deadline"]
        assert (row["lead_unit"] or None) == ((target["lead_units"] or [None])[0])
        assert row["section_title"]


def test_ids_are_the_same_run_after_run_and_unique_in_a_document() -> None:
    first, second = parse_file(SAMPLE), parse_file(SAMPLE)
    for kind in ("targets", "tasks", "assignments", "deadlines"):
        ids = [record.id for record in getattr(first, kind)]
        assert ids == [record.id for record in getattr(second, kind)]
        assert len(set(ids)) == len(ids) and all(ids)
    assert first.id == second.id and first.id.startswith("doc-")


def test_body_targets_are_linked_to_their_table_twins_and_take_their_units() -> None:
    doc = parse_file(SAMPLE)
    by_id = {target.id: target for target in doc.targets}
    linked = [target for target in doc.targets if target.same_as]
    assert len(doc.targets) == 63 and len(linked) == 27  # 36 distinct commitments
    for body in linked:
        twin = by_id[body.same_as]
        assert twin.section == "附件" and body.section != "附件"
        assert (twin.base_value, twin.base_unit) == (body.base_value, body.base_unit)
        assert body.lead_units and body.lead_units[0] == twin.lead_units[0]


def test_sqlite_views_count_each_commitment_once(tmp_path: Path) -> None:
    db = tmp_path / "out.db"
    convert_folder(ROOT / "samples", tmp_path / "out", jobs=1, sqlite=db)
    with sqlite3.connect(db) as connection:
        count = connection.execute("SELECT COUNT(*) FROM targets_v WHERE file LIKE '000%'").fetchone()[0]
        assert count == 36
        workload = dict(connection.execute(
            "SELECT unit, targets FROM workload_v WHERE year = '2021' ORDER BY targets DESC").fetchall())
        assert workload["县商务委"] == 22
        found = connection.execute("SELECT indicator FROM targets_fts WHERE targets_fts MATCH '冷链物流'").fetchall()
        assert ("冷链物流集配中心",) in found
        assert connection.execute("PRAGMA user_version").fetchone()[0] >= 4
    connection.close()


def test_an_input_named_like_the_batch_summary_does_not_clash(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "summary.txt").write_bytes(SAMPLE.read_bytes())
    (src / "plan.txt").write_bytes(SAMPLES[1].read_bytes())
    report = convert_folder(src, tmp_path / "out", jobs=1)
    assert [(f.file, "summary.json" in f.reason) for f in report.failures] == [("summary.txt", True)]
    assert json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))["documents"] == 2


def test_written_files_follow_the_umask(tmp_path: Path) -> None:
    previous = os.umask(0o022)
    try:
        out = tmp_path / "one.json"
        CliRunner().invoke(cli, ["extract", str(SAMPLE), "-f", "json", "-o", str(out)])
        convert_folder(ROOT / "samples", tmp_path / "batch", jobs=1)
    finally:
        os.umask(previous)
    files = [out, tmp_path / "batch" / "summary.json", tmp_path / "batch" / "targets.csv",
             tmp_path / "batch" / f"{SAMPLE.stem}.json"]
    assert [stat.S_IMODE(path.stat().st_mode) for path in files] == [0o644] * len(files)


@pytest.mark.parametrize("path", [*SAMPLES, FORMATS / "000_2b56176de5d9e3f3.docx", FORMATS / "scanned.pdf"],
                         ids=lambda p: p.name[:12])
def test_the_schema_validates_every_output(path: Path) -> None:
    schema = document_schema()
    assert schema["$schema"].startswith("https://json-schema.org/") and schema["$id"].startswith("urn:policyparse:")
    data = json.loads(CliRunner().invoke(cli, ["extract", str(path), "-f", "json"]).output)
    jsonschema.validate(data, schema)


def test_extract_takes_several_files() -> None:
    runner = CliRunner()
    array = json.loads(runner.invoke(cli, ["extract", str(SAMPLES[0]), str(SAMPLES[1]), "-f", "json"]).output)
    assert [doc["source"] for doc in array] == [str(SAMPLES[0]), str(SAMPLES[1])]
    lines = runner.invoke(cli, ["extract", str(SAMPLES[0]), str(SAMPLES[1]), "-f", "jsonl"]).output.splitlines()
    assert {json.loads(line)["file"] for line in lines} == {str(SAMPLES[0]), str(SAMPLES[1])}
    tsv = runner.invoke(cli, ["extract", str(SAMPLES[0]), str(SAMPLES[1]), "--header", "zh"]).output.splitlines()
    assert tsv[0].split("\t") == table_header("zh") and sum(line.startswith("文档编号") for line in tsv) == 1


def test_diff_reads_stdin_and_writes_csv(tmp_path: Path) -> None:
    edited = SAMPLE.read_text(encoding="utf-8").replace("培育星级农家乐10家", "培育星级农家乐12家")
    out = tmp_path / "changes.csv"
    result = CliRunner().invoke(cli, ["diff", str(SAMPLE), "-", "-f", "csv", "-o", str(out)],
                                input=edited.encode("utf-8"))
    assert result.exit_code == 1
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert {(row["change"], row["indicator"], row["old_value"], row["new_value"]) for row in rows} == {
        ("changed", "星级农家乐", "10家", "12家")}


def test_batch_quiet_prints_nothing_when_all_is_well(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["batch", str(ROOT / "samples"), "-o", str(tmp_path / "out"), "--quiet"])
    assert result.exit_code == 0 and result.stderr == "" and result.output == ""


@pytest.mark.parametrize("command", [["extract"], ["batch"], ["diff"], ["rules"], ["rules", "list"],
                                     ["rules", "check"], ["schema"]])
def test_every_help_ends_with_two_examples(command: list[str]) -> None:
    text = CliRunner().invoke(cli, [*command, "--help"]).output
    examples = text[text.index("Examples:"):].splitlines()[1:]
    assert len([line for line in examples if line.strip().startswith("policyparse ")]) == 2


def test_read_targets_gives_the_csv_columns_from_sources_or_batch_output(tmp_path: Path) -> None:
    convert_folder(ROOT / "samples", tmp_path / "out", jobs=1)
    CliRunner().invoke(cli, ["report", str(tmp_path / "out")])  # report.html beside the JSON is no document
    from_sources = read_targets(ROOT / "samples")
    from_output = read_targets(tmp_path / "out")
    assert [row["target_id"] for row in from_sources] == [row["target_id"] for row in from_output]
    frame = read_targets_df(ROOT / "samples")
    assert list(frame.columns) == list(TABLE_FIELDS) and len(frame) == len(from_sources)


@pytest.mark.parametrize("path", [*SAMPLES, FORMATS / "000_2b56176de5d9e3f3.pdf"], ids=lambda p: p.name[:12])
def test_both_encoders_write_the_json_of_the_document_dict(path: Path) -> None:
    from policyparse.serialize import to_json

    doc = parse_file(path)
    expected = json.dumps(doc.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n"
    assert to_json(doc) == expected
    assert to_json(doc, bulk=True) == expected
    assert to_json(doc, with_text=True, bulk=True) == to_json(doc, with_text=True)


@settings(max_examples=300, deadline=None)
@given(st.floats(min_value=1e-4, max_value=1e15) | st.integers(-(10**15), 10**15).map(float),
       st.text(max_size=30), st.lists(st.text(max_size=8), max_size=3))
def test_both_encoders_agree_on_any_figure_and_text(value: float, text: str, units: list[str]) -> None:
    from policyparse.models import Span, Target
    from policyparse.serialize import to_json

    target = Target(indicator=text, value=value, value_max=value * 3, unit="万元", base_value=value * 1e4,
                    base_unit="元", comparator=">=", kind="money", lead_units=units, figure=text, text=text,
                    line=1, span=Span(start=0, end=len(text)))
    doc = Document(source=text, targets=[target], text=text)
    assert to_json(doc, bulk=True) == to_json(doc)


def test_a_folder_with_an_earlier_batch_output_in_it_converts_only_its_documents(tmp_path: Path) -> None:
    src = tmp_path / "plans"
    src.mkdir()
    for sample in SAMPLES:
        (src / sample.name).write_bytes(sample.read_bytes())
    convert_folder(src, src / "out", recursive=True, jobs=1)
    CliRunner().invoke(cli, ["report", str(src / "out")])  # out/report.html: a page, but no document
    report = convert_folder(src, tmp_path / "elsewhere", recursive=True, jobs=1)
    assert (report.documents, report.failed) == (len(SAMPLES), 0)


def test_a_symlink_loop_beside_an_earlier_batch_output_is_reported_not_raised(tmp_path: Path) -> None:
    src = tmp_path / "plans"
    src.mkdir()
    (src / "plan.txt").write_bytes(SAMPLE.read_bytes())
    convert_folder(src, src / "out", recursive=True, jobs=1)
    (src / "loop.txt").symlink_to(src / "loop.txt")
    report = convert_folder(src, tmp_path / "elsewhere", recursive=True, jobs=1)
    assert (report.documents, [f.file for f in report.failures]) == (2, ["loop.txt"])


def test_read_targets_of_a_source_folder_leaves_an_earlier_batch_output_out(tmp_path: Path) -> None:
    src = tmp_path / "plans"
    src.mkdir()
    (src / "plan.txt").write_bytes(SAMPLE.read_bytes())
    convert_folder(src, src / "out", recursive=True, jobs=1)
    CliRunner().invoke(cli, ["report", str(src / "out")])
    assert len(read_targets(src)) == len(parse_file(SAMPLE).targets)
