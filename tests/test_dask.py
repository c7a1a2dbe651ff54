"""Batches on Dask: the same outputs as a local batch, and no document lost when a worker dies."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from policyparse import parse_bytes
from policyparse.cli import cli

distributed = pytest.importorskip("distributed", reason="the dask extra is part of the test extra")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
import corpus  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=":0") as cluster, \
            distributed.Client(cluster) as dask_client:
        yield dask_client


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    src = tmp_path / "in"
    src.mkdir()
    for sample in sorted((ROOT / "samples").glob("*.txt")):
        shutil.copy(sample, src / sample.name)
    (src / "scan.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    return src


def _tree(out: Path) -> dict[str, bytes]:
    files = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    summary = json.loads(files.pop("summary.json"))
    for varying in ("seconds", "output"):
        summary.pop(varying)
    files["summary.json"] = json.dumps(summary, sort_keys=True).encode()
    # The journal names the run that wrote each record; apart from that, both wrote the same.
    records = [json.loads(line) for line in files.pop(".policyparse-journal.jsonl").splitlines()]
    files["journal"] = json.dumps([{k: v for k, v in r.items() if k != "run"} for r in records]).encode()
    return files


def test_dask_outputs_equal_local_outputs(client, folder: Path, tmp_path: Path) -> None:
    from policyparse import convert_folder

    local = convert_folder(folder, tmp_path / "local", jobs=2)
    remote = convert_folder(folder, tmp_path / "dask", client=client, chunk_size=2)
    assert _tree(tmp_path / "local") == _tree(tmp_path / "dask")
    assert [f.file for f in remote.failures] == ["scan.txt"] == [f.file for f in local.failures]


def test_cli_scheduler_local(folder: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["batch", str(folder), "-o", str(tmp_path / "out"), "--scheduler", "local:2"])
    assert result.exit_code == 1
    assert "failed: scan.txt: a PNG image" in result.stderr
    assert len(list((tmp_path / "out").glob("0*.json"))) == 5


def test_workers_run_the_rule_book_they_are_sent(client, folder: Path, tmp_path: Path) -> None:
    from policyparse import convert_folder, load_rules

    overlay = tmp_path / "rules"
    overlay.mkdir()
    (overlay / "responsible.toml").write_text('[aliases]\n"县商务委" = "县商务委员会"\n', encoding="utf-8")
    book = load_rules([overlay])
    convert_folder(folder, tmp_path / "local", jobs=2, rules=book)
    convert_folder(folder, tmp_path / "dask", client=client, chunk_size=2, rules=book)
    assert _tree(tmp_path / "local") == _tree(tmp_path / "dask")
    assert "县商务委员会" in (tmp_path / "dask" / "targets.csv").read_text(encoding="utf-8-sig")


def test_a_killed_worker_loses_no_document(client, tmp_path: Path) -> None:
    from policyparse import convert_folder

    corpus.write_corpus(tmp_path / "in", 300)
    pids = client.run(os.getpid)
    killed = []

    def kill_one_worker(done: int, total: int, outcome: object) -> None:
        if not killed and done >= 16:
            victim = pids[sorted(pids)[0]]
            os.kill(victim, signal.SIGKILL)  # a crash, as the OOM killer would do it
            killed.append(victim)

    report = convert_folder(tmp_path / "in", tmp_path / "out", client=client, chunk_size=8,
                            on_progress=kill_one_worker)
    assert killed
    assert (report.documents, report.converted, report.failed) == (300, 300, 0)
    outputs = sorted(p.name for p in (tmp_path / "out").glob("doc_*.json"))
    assert outputs == [f"doc_{n:05d}.json" for n in range(300)]
    rows = (tmp_path / "out" / "targets.csv").read_text(encoding="utf-8-sig").splitlines()[1:]
    assert len(rows) == report.targets  # no document's targets twice


def test_parse_bytes_for_dask_bags(client) -> None:
    import dask.bag as db

    data = [(p.read_bytes(), p.name) for p in sorted((ROOT / "samples").glob("*.txt"))]
    docs = db.from_sequence(data, npartitions=2).map(lambda item: parse_bytes(*item)).compute()
    assert [d.metadata.doc_number for d in docs][:3] == ["石商务委发〔2021〕35号", "渝商务发〔2022〕13号", "巫溪府办发〔2021〕70号"]


def test_nothing_from_dask_is_imported_unless_used() -> None:
    code = ("import sys, policyparse, policyparse.batch, policyparse.cli\n"
            "policyparse.parse_text('一、总体思路')\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
