"""`policyparse batch` and `convert_folder`: outputs, failures, re-runs, SQLite."""

import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from policyparse import batch, convert_folder, parse_file
from policyparse.batch import BatchReport
from policyparse.cli import cli

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = sorted((ROOT / "samples").glob("*.txt"))


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """The samples, a binary file, an empty file, a GB18030 file named with a space, a nested file."""
    src = tmp_path / "in"
    (src / "sub").mkdir(parents=True)
    for sample in SAMPLES:
        shutil.copy(sample, src / sample.name)
    (src / "scan.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    (src / "empty.txt").write_bytes(b"")
    text = SAMPLES[2].read_text(encoding="utf-8")
    (src / "巫溪 意见.txt").write_bytes(text.encode("gb18030"))
    (src / "sub" / "nested.txt").write_text(SAMPLES[1].read_text(encoding="utf-8"), encoding="utf-8")
    return src


def test_every_readable_document_is_converted_and_the_binary_one_reported(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    report = convert_folder(folder, out, recursive=True, jobs=2)
    assert (report.documents, report.converted, report.failed) == (9, 8, 1)
    assert [(f.file, "a PNG image" in f.reason) for f in report.failures] == [("scan.txt", True)]
    assert (out / "巫溪 意见.json").exists() and (out / "sub" / "nested.json").exists()
    assert not (out / "scan.json").exists()
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert BatchReport.model_validate(summary) == report


def test_batch_json_equals_extract_json(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    convert_folder(folder, out, jobs=1)
    for sample in SAMPLES:
        doc = json.loads((out / f"{sample.stem}.json").read_text(encoding="utf-8"))
        expected = parse_file(sample).model_dump(mode="json")
        assert {**doc, "source": None} == {**expected, "source": None}


def test_gb18030_copy_gives_the_same_records(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    convert_folder(folder, out, jobs=1)
    original = json.loads((out / f"{SAMPLES[2].stem}.json").read_text(encoding="utf-8"))
    copy = json.loads((out / "巫溪 意见.json").read_text(encoding="utf-8"))
    assert copy["targets"] == original["targets"] and copy["sections"] == original["sections"]


def test_targets_csv_has_a_bom_and_every_target(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    report = convert_folder(folder, out, recursive=True, jobs=1)
    data = (out / "targets.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    lines = data.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("document_id,file,title,doc_number,issuer,issued_date,part,section")
    assert len(lines) - 1 == report.targets


def test_rerun_skips_up_to_date_documents_and_force_redoes_them(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    convert_folder(folder, out, jobs=1)
    again = convert_folder(folder, out, jobs=1)
    assert (again.converted, again.skipped, again.failed) == (0, 7, 1)
    assert again.targets > 0  # skipped documents still count, and are still in targets.csv
    forced = convert_folder(folder, out, jobs=1, force=True)
    assert (forced.converted, forced.skipped) == (7, 0)


def test_tables_of_converted_documents_come_from_their_workers(folder: Path, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """targets.csv and the summary of a run that converts some documents and skips others are those of a
    fresh run; the JSON of a document converted in the run is not read back for them."""
    out, fresh = tmp_path / "out", tmp_path / "fresh"
    convert_folder(folder, out, recursive=True, jobs=1)
    (folder / SAMPLES[0].name).write_text(SAMPLES[3].read_text(encoding="utf-8"), encoding="utf-8")
    read_back: list[dict[str, object]] = []

    def loads(raw: str | bytes) -> object:
        data = json_loads(raw)
        if isinstance(data, dict) and "targets" in data:
            read_back.append(data)
        return data

    json_loads = batch.json.loads
    monkeypatch.setattr(batch.json, "loads", loads)
    again = convert_folder(folder, out, recursive=True, jobs=2)
    monkeypatch.undo()
    whole = convert_folder(folder, fresh, recursive=True, jobs=1)
    assert (again.converted, again.skipped) == (1, 7)
    assert (out / "targets.csv").read_bytes() == (fresh / "targets.csv").read_bytes()
    assert (again.targets, again.warnings, again.formats, again.incomplete) == (
        whole.targets, whole.warnings, whole.formats, whole.incomplete)
    assert len(read_back) == 7 and SAMPLES[0].name not in {data["source"] for data in read_back}


def test_sqlite_holds_what_the_json_holds_and_reloads_cleanly(folder: Path, tmp_path: Path) -> None:
    out, db = tmp_path / "out", tmp_path / "out.db"
    report = convert_folder(folder, out, recursive=True, jobs=2, sqlite=db)
    convert_folder(folder, out, recursive=True, jobs=1, sqlite=db, force=True)
    with sqlite3.connect(db) as connection:
        assert connection.execute("SELECT count(*) FROM targets").fetchone()[0] == report.targets
        assert connection.execute("SELECT count(*) FROM documents").fetchone()[0] == 8
        due = connection.execute(
            "SELECT d.file, t.indicator, t.lead_unit FROM targets t JOIN documents d ON d.id = t.document_id "
            "WHERE t.deadline <= '2025-12-31' AND t.lead_unit = '县商务委'").fetchall()
        assert due and all(row[2] == "县商务委" for row in due)
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []


def test_a_document_whose_load_fails_leaves_no_partial_rows(tmp_path: Path) -> None:
    from policyparse import store

    doc = parse_file(SAMPLES[0])
    broken = doc.model_copy(update={"targets": [doc.targets[0].model_copy(update={"section": "no-such-section"})]})
    connection = store.connect(tmp_path / "db.sqlite")
    store.load_document(connection, "a.txt", "1", doc)
    with pytest.raises(sqlite3.IntegrityError):
        store.load_document(connection, "a.txt", "2", broken)  # fails mid-transaction: foreign key
    counts = [connection.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("documents", "targets", "tasks")]
    assert counts == [1, len(doc.targets), len(doc.tasks)]  # the previous version, whole
    assert store.stored_digest(connection, "a.txt") == "1"


def test_a_database_of_an_older_layout_is_rebuilt_and_refilled(folder: Path, tmp_path: Path) -> None:
    out, db = tmp_path / "out", tmp_path / "out.db"
    with sqlite3.connect(db) as old:  # sections keyed by id alone, as before parts
        old.execute("CREATE TABLE sections (document_id INTEGER, id TEXT, PRIMARY KEY (document_id, id))")
        old.execute("CREATE TABLE documents (id INTEGER PRIMARY KEY, file TEXT, digest TEXT)")
        old.execute("INSERT INTO documents VALUES (1, 'gone.txt', 'x')")
    old.close()
    report = convert_folder(folder, out, recursive=True, jobs=1, sqlite=db)
    with sqlite3.connect(db) as connection:
        files = {row[0] for row in connection.execute("SELECT file FROM documents")}
        assert "gone.txt" not in files and len(files) == 8
        assert connection.execute("SELECT count(*) FROM targets").fetchone()[0] == report.targets
        assert "part" in {row[1] for row in connection.execute("PRAGMA table_info(sections)")}
    connection.close()


def test_cli_batch_exit_codes_and_summary_line(folder: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["batch", str(folder), "-o", str(tmp_path / "out"), "--jobs", "1"])
    assert result.exit_code == 1
    assert "8 documents: 7 converted, 0 up to date, 1 failed" in result.stderr
    assert "failed: scan.txt: a PNG image" in result.stderr
    (folder / "scan.txt").unlink()
    result = runner.invoke(cli, ["batch", str(folder), "-o", str(tmp_path / "out"), "--jobs", "1"])
    assert result.exit_code == 0


def test_cli_batch_on_a_missing_folder_exits_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["batch", str(tmp_path / "nope"), "-o", str(tmp_path / "out")])
    assert result.exit_code == 2 and "not a folder" in result.stderr


def test_scorer_reads_batch_output_like_per_file_output(tmp_path: Path) -> None:
    scorer = ROOT.parent / "shared" / "eval" / "score.py"
    if not scorer.exists():
        pytest.skip("the evaluation kit is not beside this checkout")
    out = tmp_path / "out"
    convert_folder(ROOT / "samples", out, jobs=2)
    convert_folder(scorer.parent / "docs", out, jobs=2)  # the scored documents beyond the samples
    batch = subprocess.run([sys.executable, str(scorer), "--pred", str(out), "--docs", str(ROOT / "samples"), "--json"],
                           capture_output=True, text=True, check=True).stdout
    per_file = subprocess.run([sys.executable, str(scorer), "--docs", str(ROOT / "samples"), "--json",
                               "--cmd", f"{sys.executable} -m policyparse extract {{}} --format json"],
                              capture_output=True, text=True, check=True).stdout
    assert json.loads(batch)["total"] == json.loads(per_file)["total"]
