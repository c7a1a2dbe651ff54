"""A batch that is stopped, killed, rerun after edits and deletions, or given awkward names and outputs.

Each test is an input a hostile probe found: the batch must convert exactly what is missing, never
leave a worker, a temporary file or a stale row behind, and say what it did in one line.
"""

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from policyparse import convert_folder, load_rules
from policyparse.cli import cli

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = sorted((ROOT / "samples").glob("*.txt"))
BATCH = [sys.executable, "-m", "policyparse", "batch"]


def _copies(folder: Path, count: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        shutil.copy(SAMPLES[i % len(SAMPLES)], folder / f"doc{i:04d}.txt")
    return folder


def _outputs(out: Path) -> set[str]:
    return {p.name for p in out.glob("doc*.json")}


def test_an_edited_input_is_reconverted_whatever_its_time_stamp(tmp_path: Path) -> None:
    src, out = _copies(tmp_path / "in", 2), tmp_path / "out"
    convert_folder(src, out, jobs=1)
    edited = src / "doc0000.txt"
    stamp = edited.stat().st_mtime
    edited.write_text("一、目标\n到2025年，建成站点20个。", encoding="utf-8")
    os.utime(edited, (stamp - 3600, stamp - 3600))  # older than its output
    report = convert_folder(src, out, jobs=1)
    assert (report.converted, report.skipped) == (1, 1)
    assert json.loads((out / "doc0000.json").read_text(encoding="utf-8"))["targets"][0]["value"] == 20


def test_outputs_made_under_other_rules_are_not_up_to_date(tmp_path: Path) -> None:
    # A run under --rules B killed before its summary left B's outputs that a default rerun kept.
    src, out = _copies(tmp_path / "in", 3), tmp_path / "out"
    convert_folder(src, out, jobs=1)
    summary = (out / "summary.json").read_text(encoding="utf-8")
    overlay = tmp_path / "rules"
    overlay.mkdir()
    (overlay / "measures.toml").write_text('units = [{word = "标准间", kind = "count"}]\n', encoding="utf-8")
    convert_folder(src, out, jobs=1, rules=load_rules([overlay]))
    (out / "summary.json").write_text(summary, encoding="utf-8")  # as if killed before writing its own
    report = convert_folder(src, out, jobs=1)
    assert (report.converted, report.skipped) == (3, 0)


def test_a_deleted_input_leaves_the_json_the_csv_and_the_database(tmp_path: Path) -> None:
    src, out, db = _copies(tmp_path / "in", 3), tmp_path / "out", tmp_path / "out.db"
    convert_folder(src, out, jobs=1, sqlite=db)
    (src / "doc0001.txt").unlink()
    report = convert_folder(src, out, jobs=1, sqlite=db)
    assert report.removed == ["doc0001.txt"] and _outputs(out) == {"doc0000.json", "doc0002.json"}
    with sqlite3.connect(db) as connection:
        assert [r[0] for r in connection.execute("SELECT file FROM documents ORDER BY file")] == [
            "doc0000.txt", "doc0002.txt"]
    assert "doc0001.txt" not in (out / "targets.csv").read_text(encoding="utf-8-sig")


def test_a_name_that_is_no_utf8_is_converted_and_reported_escaped(tmp_path: Path) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    name = os.fsdecode(b"\xb0\xe6\xb1\xbe.txt")  # GBK bytes of 版本 on a UTF-8 file system
    shutil.copy(SAMPLES[0], src / name)
    report = convert_folder(src, out, jobs=1)
    assert (report.converted, report.failed) == (1, 0)
    doc = json.loads(next(p for p in out.glob("*.json") if p.name != "summary.json").read_text(encoding="utf-8"))
    assert doc["source"] == "\\xb0汾.txt"  # the bytes that are UTF-8 (汾) read as such, the others escaped
    assert convert_folder(src, out, jobs=1).skipped == 1


def test_a_name_of_any_length_is_written(tmp_path: Path) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    name = "实施方案" * 20 + ".txt"  # 243 bytes: the temporary file's name once added a suffix to it
    shutil.copy(SAMPLES[0], src / name)
    assert convert_folder(src, out, jobs=1).converted == 1
    assert (out / name.replace(".txt", ".json")).is_file()


@pytest.mark.parametrize("where", ["same", "parent"])
def test_an_output_folder_holding_the_input_is_refused(tmp_path: Path, where: str) -> None:
    src = _copies(tmp_path / "in", 1)
    out = src if where == "same" else tmp_path
    result = CliRunner().invoke(cli, ["batch", str(src), "-o", str(out)])
    assert result.exit_code == 2 and "holds the input folder" in result.stderr


@pytest.mark.parametrize("database", ["not a database", "missing folder"])
def test_a_sqlite_path_that_is_no_database_fails_at_once_in_one_line(tmp_path: Path, database: str) -> None:
    src = _copies(tmp_path / "in", 1)
    db = tmp_path / "no.db"
    if database == "not a database":
        db.write_text("hello, this is text" * 100)
    else:
        db = tmp_path / "missing" / "out.db"
    result = CliRunner().invoke(cli, ["batch", str(src), "-o", str(tmp_path / "out"), "--sqlite", str(db)])
    assert result.exit_code == 2 and str(db) in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "out" / "doc0000.json").exists()  # refused before any work


def test_temporary_files_of_a_dead_writer_are_removed(tmp_path: Path) -> None:
    src, out = _copies(tmp_path / "in", 1), tmp_path / "out"
    out.mkdir()
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = out / f".policyparse-{dead.stdout.strip()}-abc.tmp"
    stale.write_text("half a document")
    mine = out / f".policyparse-{os.getpid()}-abc.tmp"
    mine.write_text("being written")
    convert_folder(src, out, jobs=1)
    assert not stale.exists() and mine.exists()


def _wait_for(predicate, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "the batch did not get that far"
        time.sleep(0.05)


def _processes_running(marker: str) -> list[int]:
    """Pids of the processes whose command line holds `marker` (the batch and its workers)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and marker in (entry / "cmdline").read_bytes().decode(errors="replace"):
                state = next(line for line in (entry / "status").read_text().splitlines() if line.startswith("State"))
                if "zombie" not in state:
                    found.append(int(entry.name))
        except (OSError, StopIteration):
            continue
    return found


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to find the batch's processes")
def test_ctrl_c_stops_the_queue_writes_a_summary_and_the_rerun_does_the_rest(tmp_path: Path) -> None:
    src, out = _copies(tmp_path / "in", 400), tmp_path / "out"
    batch = subprocess.Popen([*BATCH, str(src), "-o", str(out), "--jobs", "2", "--quiet"],
                             stderr=subprocess.PIPE, text=True)
    _wait_for(lambda: len(_outputs(out)) >= 8)
    batch.send_signal(signal.SIGINT)
    stderr = batch.communicate(timeout=60)[1]
    assert batch.returncode == 130, stderr
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    done = len(_outputs(out))
    assert summary["interrupted"] and summary["converted"] == done and summary["pending"] == 400 - done > 0
    assert "Traceback" not in stderr and "interrupted:" in stderr
    assert len((out / "targets.csv").read_text(encoding="utf-8-sig").splitlines()) > done
    rerun = convert_folder(src, out, jobs=2)
    assert (rerun.converted, rerun.skipped, rerun.interrupted) == (400 - done, done, False)


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to find the batch's processes")
def test_after_kill_9_no_worker_stays_and_the_rerun_converts_only_what_is_missing(tmp_path: Path) -> None:
    src, out, db = _copies(tmp_path / "in", 300), tmp_path / "out", tmp_path / "out.db"
    batch = subprocess.Popen([*BATCH, str(src), "-o", str(out), "--jobs", "2", "--quiet", "--sqlite", str(db)],
                             stderr=subprocess.DEVNULL)
    _wait_for(lambda: len(_outputs(out)) >= 8)
    batch.kill()
    batch.wait()
    _wait_for(lambda: not _processes_running(str(out)), seconds=10)
    written = _outputs(out)
    rerun = convert_folder(src, out, jobs=2, sqlite=db)
    assert rerun.converted <= 300 - len(written) + 2 * 4  # at most the chunks in flight when it was killed
    assert rerun.converted + rerun.skipped == 300 and rerun.failed == 0
    assert not list(out.glob(".policyparse-*.tmp"))
    with sqlite3.connect(db) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        stored = connection.execute("SELECT COUNT(*) FROM targets").fetchone()[0]
    assert stored == sum(len(json.loads(p.read_text(encoding="utf-8"))["targets"]) for p in out.glob("doc*.json"))


def test_inputs_with_one_output_name_are_refused_not_merged(tmp_path: Path) -> None:
    # a.txt, a.TXT and a.md once made one a.json, and the CSV and SQLite credited its targets to all three.
    src, out, db = tmp_path / "in", tmp_path / "out", tmp_path / "out.db"
    src.mkdir()
    shutil.copy(SAMPLES[0], src / "a.TXT")
    shutil.copy(SAMPLES[1], src / "a.md")
    shutil.copy(SAMPLES[2], src / "a.txt")
    report = convert_folder(src, out, jobs=1, sqlite=db)
    assert report.converted == 1 and sorted(f.file for f in report.failures) == ["a.md", "a.txt"]
    assert all("is also that of a.TXT" in f.reason for f in report.failures)
    files = {line.split(",")[1] for line in (out / "targets.csv").read_text(encoding="utf-8-sig").splitlines()[1:]}
    assert files == {"a.TXT"}
    with sqlite3.connect(db) as connection:
        assert connection.execute("SELECT file FROM documents").fetchall() == [("a.TXT",)]


def test_the_header_of_an_export_is_queryable_in_sqlite(tmp_path: Path) -> None:
    src, db = tmp_path / "in", tmp_path / "out.db"
    src.mkdir()
    (src / "a.txt").write_text("---\ntitle: 测试标题\nurl: http://x\ncategory: 通知\n---\n一、目标\n建成站点20个。\n",
                               encoding="utf-8")
    convert_folder(src, tmp_path / "out", jobs=1, sqlite=db)
    with sqlite3.connect(db) as connection:
        assert connection.execute("SELECT json_extract(header, '$.url'), json_extract(header, '$.category') "
                                  "FROM documents").fetchall() == [("http://x", "通知")]
