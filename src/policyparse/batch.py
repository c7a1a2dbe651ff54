"""Convert a folder of documents: one JSON per document, a targets table, a summary, and SQLite.

Documents are parsed in worker processes; each worker writes its document's JSON
atomically, so an interrupted batch never leaves half a file, and a document that fails
is recorded with its reason without costing the others. `targets.csv`, `summary.json`
and the SQLite database are then built from the JSON files, so documents skipped as up
to date are in them exactly as freshly converted ones.

What is up to date is decided by content: each document's JSON is recorded, as it is
written, in a journal (`.policyparse-journal.jsonl`) with the hash of the input's bytes
and the fingerprint of the version and rules it was made with. A rerun converts exactly
the documents without a current record, whatever the files' times say and however the
run before ended (Ctrl-C, a kill, a full disk); a document whose input is gone has its
JSON, its rows and its record removed.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import signal
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .atomic import TEMPORARY_PREFIX, TEMPORARY_SUFFIX, atomic_writer, write_text_atomic, writer_alive
from .defaults import DEFAULT_MAX_BYTES
from .errors import InputError, PolicyparseError
from .fields import field
from .models import Document, Record, record
from .readers import SUFFIXES as DOCUMENT_SUFFIXES
from .rulebook import RuleBook, bookcache, default_rules
from .serialize import json_text, target_rows, write_table
from .version import VERSION

SUMMARY = "summary.json"
POOL_CHUNK = 4
TARGETS_CSV = "targets.csv"
JOURNAL = ".policyparse-journal.jsonl"
# How often a worker checks that the batch that started it is still there.
PARENT_CHECK_SECONDS = 0.5


@record
class BatchReport(Record):
    """What a batch did: counts, failures with their reasons, and the time it took."""

    input: str = field(description="The input folder.")
    output: str = field(description="The output folder.")
    documents: int = field(description="Documents found.")
    converted: int = field(description="Documents parsed in this run.")
    skipped: int = field(description="Documents whose output was already up to date.")
    failed: int = field(description="Documents that could not be converted.")
    targets: int = field(description="Targets across all converted documents.")
    warnings: int = field(description="Warnings across all converted documents.")
    formats: dict[str, int] = field(
        default_factory=dict, description="Documents read in each format (`text`, `html`, `docx`, `pdf`).")
    incomplete: list[IncompleteDocument] = field(
        default_factory=list,
        description="Documents converted with error-level warnings (content dropped, truncated, unreadable in "
        "part, nothing read): their records are incomplete.",
    )
    failures: list[BatchFailure] = field(default_factory=list, description="Each failed document and its reason.")
    seconds: float = field(description="Wall time of the run.")
    jobs: int = field(description="Worker processes used.")
    fingerprint: str = field(description="Version and rules the outputs were made with; a change redoes them all.")
    interrupted: bool = field(default=False, description="The run was stopped (Ctrl-C) before its queue was done.")
    pending: int = field(default=0, description="Documents left unconverted because the run was interrupted.")
    removed: list[str] = field(default_factory=list, description="Documents whose input is gone: their JSON and "
                               "rows were removed.")


@record
class BatchFailure(Record):
    """A document that could not be converted, and why."""

    file: str = field(description="The document's path relative to the input folder.")
    reason: str = field(description="Why it could not be converted.")


@record
class IncompleteDocument(Record):
    """A document converted with error-level warnings, and what they say."""

    file: str = field(description="The document's path relative to the input folder.")
    errors: list[str] = field(description="Each error-level warning as `code: message`.")


@dataclass(frozen=True)
class Outcome:
    """What a worker reports for one document."""

    file: str
    reason: str | None = None
    # Error-level warnings of a converted document: its records are incomplete.
    errors: tuple[str, ...] = ()
    format: str | None = None
    # What targets.csv and the summary take from a converted document, so that the batch need not read
    # its JSON back: the counts of targets and warnings, and its rows of targets.csv (CSV, no header).
    targets: int = 0
    warnings: int = 0
    rows: str = ""


ProgressCallback = Callable[[int, int, Outcome], None]
# (source path, output path, label, sha256 of the source's bytes): one document to convert.
Job = tuple[str, str, str, str]


@dataclass(frozen=True)
class WorkerSettings:
    """What a worker needs besides its jobs: the validated rules (None: the shipped ones), the size limit, and
    where to record each output with the fingerprint it was made with (no journal: nothing recorded)."""

    rules: RuleBook | None = None
    max_bytes: int = DEFAULT_MAX_BYTES
    journal: str | None = None
    fingerprint: str = ""
    # Which run wrote a record: what a run converted is told from what it found done.
    run: str = ""
    # The input folder, resolved: batches of several folders may share an output folder and its journal.
    root: str = ""


# Runs the jobs somewhere (this process, a process pool, a Dask cluster), yielding outcomes as they come.
Runner = Callable[[list[Job], WorkerSettings, "ProgressCallback | None"], Iterator[Outcome]]

_worker = WorkerSettings()


def _init_worker(settings: WorkerSettings) -> None:
    global _worker
    _worker = settings


def _init_pool_worker(settings: WorkerSettings) -> None:
    """A pool worker: Ctrl-C is the batch's to handle (it lets running documents finish), and the worker
    exits when the batch is gone, even killed: it would otherwise wait on its queue forever."""
    _init_worker(settings)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, daemon=True, name="policyparse-parent-watch").start()


def convert_chunk(jobs: list[Job], settings: WorkerSettings) -> list[Outcome]:
    """Convert a chunk of documents in this process: what a Dask worker runs."""
    _init_worker(settings)
    return [_convert(*job) for job in jobs]


def _convert(source: str, target: str, label: str, digest: str) -> Outcome:
    """Parse one document, write its JSON and record it in the journal; never raises, so one document
    cannot stop the batch."""
    from .pipeline import parse_file

    try:
        doc = parse_file(source, rules=_worker.rules, max_bytes=_worker.max_bytes)
        data = doc.model_copy(update={"source": label}).model_dump(mode="json")
        Path(target).parent.mkdir(parents=True, exist_ok=True)
        write_text_atomic(target, json_text(data, bulk=True))
        if _worker.journal:
            output = Path(os.path.relpath(target, os.path.dirname(_worker.journal))).as_posix()
            _record(_worker.journal, {"root": _worker.root, "file": label, "input": digest,
                                      "rules": _worker.fingerprint, "output": output, "run": _worker.run})
        rows = io.StringIO()
        write_table(target_rows(data, label), rows, header=False)
        return replace(_summary(label, data), rows=rows.getvalue())
    except PolicyparseError as exc:
        reason = str(exc).removeprefix(f"{source}: ")
    except OSError as exc:  # the output cannot be written: a full disk, a folder not writable
        reason = f"cannot write its output: {exc.strerror or exc}"
    except Exception as exc:  # a bug on one document must not cost the others
        reason = f"internal error: {type(exc).__name__}: {exc}"
    with contextlib.suppress(OSError):
        Path(target).unlink(missing_ok=True)  # no stale output for a document that now fails
    return Outcome(label, reason)


def _summary(label: str, data: dict[str, Any]) -> Outcome:
    """What targets.csv and the summary count of a converted document, from its JSON's dict."""
    warnings = data.get("warnings") or []
    return Outcome(label, errors=tuple(f"{w.get('code')}: {w.get('message')}" for w in warnings
                                       if w.get("level") == "error"),
                   format=str((data.get("metadata") or {}).get("format") or "text"),
                   targets=len(data.get("targets") or []), warnings=len(warnings))


def _record(journal: str, entry: dict[str, str]) -> None:
    """Append one line to the journal in a single write: lines of several workers never interleave."""
    line = (json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8", "surrogateescape")
    fd = os.open(journal, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)
    try:
        os.write(fd, line)
    finally:
        os.close(fd)


Records = dict[tuple[str, str], dict[str, str]]


def read_journal(out_dir: Path) -> Records:
    """The latest record of each document, by (input folder, file); a line a kill cut short is passed over."""
    records: Records = {}
    try:
        lines = (out_dir / JOURNAL).read_bytes().decode("utf-8", "surrogateescape").split("\n")
    except OSError:
        return records
    for line in lines:
        try:
            entry = json.loads(line)
            records[entry["root"], entry["file"]] = entry
        except (ValueError, KeyError, TypeError):
            continue
    return records


def _warm_up(rules: RuleBook) -> None:
    """Load the dictionaries and rules once in the parent: workers forked from it start warm.

    The text is made of the rules' own examples: a heading, and a sentence with a target.
    """
    from .pipeline import parse_text

    heading = next((rule.examples[0] for rule in rules.outline.marker if rule.examples), "")
    sentence = next((ex for rule in rules.targets.exclusion for ex in rule.counter_examples), "")
    parse_text(f"{heading}\n{sentence}", rules=rules)


def _fingerprint(rules: RuleBook) -> str:
    return f"{VERSION}+{bookcache.fingerprint(rules)}"


def discover(in_dir: Path, out_dir: Path | None, pattern: str | None, recursive: bool) -> list[Path]:
    """The documents in `in_dir`, in a stable order, leaving out anything inside `out_dir`.

    Without a pattern, every file whose name ends like a document (`.txt`, `.html`, `.docx`, `.pdf`, and
    `.doc`/`.wps`, which are reported as unreadable rather than passed over). Folders another batch wrote
    (its summary.json beside them) hold outputs and a report, no documents.
    """
    found = in_dir.rglob(pattern or "*") if recursive else in_dir.glob(pattern or "*")
    outputs = [s.parent.resolve() for s in in_dir.rglob(SUMMARY) if _previous_fingerprint(s.parent)] \
        if recursive else []
    if out_dir is not None:
        outputs.append(out_dir.resolve())
    paths = []
    for path in found:
        if pattern is None and path.suffix.lower() not in DOCUMENT_SUFFIXES:
            continue
        try:
            if path.is_symlink() and not path.exists():
                paths.append(path)  # broken, or a loop: listed, so that it is reported with its reason
                continue
            if not path.is_file() or any(path.resolve().is_relative_to(folder) for folder in outputs):
                continue
        except (OSError, RuntimeError):
            paths.append(path)  # unreadable while listing: converting it reports why
            continue
        paths.append(path)
    return sorted(paths)


def output_path(in_dir: Path, out_dir: Path, path: Path) -> Path:
    """Where a document's JSON goes: the same place under `out_dir`, never outside it."""
    relative = path.relative_to(in_dir)
    target = (out_dir / relative).with_suffix(".json")
    if ".." in relative.parts or not target.parent.resolve().is_relative_to(out_dir.resolve()):
        raise InputError(f"{path}: its output would fall outside {out_dir}")
    return target


def process_runner(jobs: int, chunk_size: int = POOL_CHUNK) -> Runner:
    """Run the jobs in this process (one job) or in a pool of `jobs` worker processes."""

    def run(jobs_list: list[Job], settings: WorkerSettings, on_progress: ProgressCallback | None) -> Iterator[Outcome]:
        return _run(jobs_list, jobs, chunk_size, settings, on_progress)

    return run


def _run(jobs_list: list[Job], jobs: int, chunk_size: int, settings: WorkerSettings,
         on_progress: ProgressCallback | None) -> Iterator[Outcome]:
    total = len(jobs_list)
    if jobs <= 1 or total <= 1:
        _init_worker(settings)
        for done, job in enumerate(jobs_list, start=1):
            outcome = _convert(*job)
            if on_progress:
                on_progress(done, total, outcome)
            yield outcome
        return
    # Imported here: a batch in one process (`--jobs 1`) starts 10 ms sooner without the pool's modules.
    from concurrent.futures import Future, ProcessPoolExecutor, as_completed
    from concurrent.futures.process import BrokenProcessPool

    _warm_up(settings.rules or default_rules())
    # Small chunks: one message per few documents instead of one per document, still fine-grained
    # enough that both workers stay busy to the end.
    chunks = [jobs_list[i : i + chunk_size] for i in range(0, total, chunk_size)]
    pool = ProcessPoolExecutor(max_workers=jobs, initializer=_init_pool_worker, initargs=(settings,))
    try:
        futures: dict[Future[list[Outcome]], list[Job]] = {
            pool.submit(convert_chunk, chunk, settings): chunk for chunk in chunks
        }
        done = 0
        for future in as_completed(futures):
            chunk = futures.pop(future)  # a finished chunk's outcomes (rows of targets.csv) are not kept here
            try:
                outcomes = future.result()
            except BrokenProcessPool:
                outcomes = [Outcome(job[2], "a worker process died while converting it") for job in chunk]
            for outcome in outcomes:
                done += 1
                if on_progress:
                    on_progress(done, total, outcome)
                yield outcome
    finally:
        # Stopped early (Ctrl-C): the chunks not started are dropped, the running ones finish and are journaled.
        pool.shutdown(wait=True, cancel_futures=True)


def convert_folder(
    in_dir: str | Path,
    out_dir: str | Path,
    *,
    pattern: str | None = None,
    recursive: bool = False,
    jobs: int | None = None,
    client: Any = None,
    chunk_size: int | None = None,
    force: bool = False,
    sqlite: str | Path | None = None,
    rules: RuleBook | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    on_progress: ProgressCallback | None = None,
    header: str = "en",
) -> BatchReport:
    """Convert every document in `in_dir` (of any supported format, or matching `pattern`) into `out_dir`.

    Writes `<stem>.json` per document (mirroring the folder tree), `targets.csv` and
    `summary.json`, and loads SQLite when `sqlite` is given. Documents are converted in
    `jobs` worker processes (default: all cores), or on a Dask cluster when `client` (a
    `distributed.Client`) is given, in chunks of `chunk_size` documents. `rules` is a rule
    book from `load_rules` (default: the shipped rules); `header` names targets.csv's columns in `en` or
    `zh`. Raises InputError when `in_dir` is not a folder, when it lies inside `out_dir`, or when `sqlite`
    cannot be opened as a database; a document that fails is listed in the report instead.

    Ctrl-C stops the queue: the documents being converted finish, the tables and the summary are written
    for what is done, and the report says `interrupted` (the CLI exits 130).
    """
    in_dir, out_dir = Path(in_dir), Path(out_dir)
    if not in_dir.is_dir():
        raise InputError(f"{in_dir}: not a folder")
    if in_dir.resolve().is_relative_to(out_dir.resolve()):
        raise InputError(f"{out_dir}: holds the input folder {in_dir}; write the outputs to a folder outside it")
    paths = discover(in_dir, out_dir, pattern, recursive)
    if client is not None:
        from .dask import CHUNK_SIZE, dask_runner, worker_count

        runner, workers = dask_runner(client, chunk_size or CHUNK_SIZE), worker_count(client)
    else:
        workers = max(1, jobs or os.cpu_count() or 1)
        runner = process_runner(workers, chunk_size or POOL_CHUNK)
    book = rules or default_rules()
    started = time.monotonic()
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"{out_dir}: cannot create the output folder ({exc.strerror or exc})") from None
    if sqlite:
        _check_database(sqlite)
    _remove_stale_temporaries(out_dir)
    fingerprint = _fingerprint(book)
    root = str(in_dir.resolve())
    recorded = read_journal(out_dir)
    labels = {path: readable_label(path.relative_to(in_dir)) for path in paths}
    failures: list[BatchFailure] = []
    todo: list[Job] = []
    owners: dict[Path, str] = {}
    current: dict[str, Path] = {}  # label → output, for documents whose output is (or will be) current
    for path in paths:
        label = labels[path]
        try:
            target = output_path(in_dir, out_dir, path)
            if target in owners:
                raise InputError(f"its output {target.name} is also that of {owners[target]}; rename one of them")
            if target == out_dir / SUMMARY:
                raise InputError(f"its output would overwrite the batch's own {SUMMARY}; rename it")
        except InputError as exc:
            failures.append(BatchFailure(file=label, reason=str(exc)))
            continue
        owners[target] = label
        digest = _digest(path)
        record = recorded.get((root, label))
        if force or record is None or (record.get("input"), record.get("rules"), record.get("output")) != (
                digest, fingerprint, target.relative_to(out_dir).as_posix()) or not target.is_file():
            todo.append((str(path), str(target), label, digest))
        else:
            current[label] = target
    run = f"{os.getpid()}-{time.time_ns()}"
    settings = WorkerSettings(rules, max_bytes, journal=str(out_dir / JOURNAL), fingerprint=fingerprint, run=run,
                              root=root)
    attempted: set[str] = set()
    interrupted = False
    converted_rows = _Spool()
    try:
        for outcome in runner(todo, settings, on_progress):
            attempted.add(outcome.file)
            if outcome.reason is not None:
                failures.append(BatchFailure(file=outcome.file, reason=outcome.reason))
            else:
                converted_rows.add(outcome)
    except KeyboardInterrupt:
        interrupted = True
    failed = {f.file for f in failures}
    finished = read_journal(out_dir)
    for _, output, label, _ in todo:
        # Read from the journal, not from the outcomes: documents that finished while an interrupted run
        # was stopping count too.
        if label not in failed and finished.get((root, label), {}).get("run") == run and Path(output).is_file():
            current[label] = Path(output)
            attempted.add(label)
    removed = _remove_deleted(finished, root, set(labels.values()), out_dir)
    with converted_rows:
        targets, warnings, incomplete, formats = _write_tables(out_dir, current, sqlite, header, converted_rows)
    _write_journal(out_dir, {key: record for key, record in finished.items()
                             if key[0] != root or (key[1] in current and record.get("rules") == fingerprint)})
    converted = len(attempted - failed)
    report = BatchReport(
        input=str(in_dir), output=str(out_dir), documents=len(paths), converted=converted,
        skipped=len(current) - converted, failed=len(failed), targets=targets,
        warnings=warnings, formats=formats, incomplete=incomplete, failures=sorted(failures, key=lambda f: f.file),
        seconds=round(time.monotonic() - started, 3), jobs=workers, fingerprint=fingerprint,
        interrupted=interrupted, pending=len(paths) - len(current) - len(failed), removed=removed,
    )
    write_text_atomic(out_dir / SUMMARY, report.model_dump_json(indent=2) + "\n")
    return report


def readable_label(relative: Path) -> str:
    """A document's name as reports, JSON and SQLite write it: its path relative to the input folder, with
    the bytes of a name that is no UTF-8 written as `\\xb0` escapes (the file itself is opened by its bytes)."""
    return relative.as_posix().encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _digest(path: Path) -> str:
    """The sha256 of a file's bytes; a file that cannot be read gets none, and converting it says why."""
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
    except OSError:
        return ""
    return digest.hexdigest()


def _check_database(sqlite: str | Path) -> None:
    """Open the database to load, and close it, before any work: a path that is no database fails the batch at
    once, not after every document is converted. (It is opened again to load: workers are not forked holding it.)"""
    from . import store

    store.connect(sqlite).close()


def _remove_stale_temporaries(out_dir: Path) -> None:
    """Temporary files a killed batch left behind: those whose writing process is gone."""
    for tmp in out_dir.rglob(f"{TEMPORARY_PREFIX}*{TEMPORARY_SUFFIX}"):
        if not writer_alive(tmp.name):
            with contextlib.suppress(OSError):
                tmp.unlink()


def _remove_deleted(journal: Records, root: str, labels: set[str], out_dir: Path) -> list[str]:
    """Outputs recorded for documents of `root` whose input is gone: removed, inside `out_dir` only."""
    gone = sorted(label for folder, label in journal if folder == root and label not in labels)
    for label in gone:
        output = out_dir / journal[root, label].get("output", "")
        if output.name and output.resolve().is_relative_to(out_dir.resolve()):
            with contextlib.suppress(OSError):
                output.unlink(missing_ok=True)
    return gone


def _write_journal(out_dir: Path, records: Records) -> None:
    """The journal compacted to one record per current document."""
    text = "".join(json.dumps(records[key], ensure_ascii=False) + "\n" for key in sorted(records))
    with atomic_writer(out_dir / JOURNAL, errors="surrogateescape") as handle:
        handle.write(text)


def _previous_fingerprint(out_dir: Path) -> str | None:
    try:
        return str(json.loads((out_dir / SUMMARY).read_text(encoding="utf-8"))["fingerprint"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


class _Spool:
    """The outcomes of the documents converted in this run, as they arrive: their counts in memory, their rows
    of targets.csv in a temporary file, so that memory stays flat however many documents a batch holds."""

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile()
        self._kept: dict[str, tuple[Outcome, int, int]] = {}

    def add(self, outcome: Outcome) -> None:
        data = outcome.rows.encode("utf-8", "surrogatepass")
        self._kept[outcome.file] = (replace(outcome, rows=""), self._file.seek(0, os.SEEK_END), len(data))
        self._file.write(data)

    def get(self, label: str) -> tuple[Outcome, str] | None:
        """The outcome of a document converted in this run, and its rows; None for any other document."""
        kept = self._kept.get(label)
        if kept is None:
            return None
        outcome, at, size = kept
        self._file.seek(at)
        return outcome, self._file.read(size).decode("utf-8", "surrogatepass")

    def __enter__(self) -> _Spool:
        return self

    def __exit__(self, *exc: object) -> None:
        self._file.close()


def _write_tables(out_dir: Path, current: dict[str, Path], sqlite: str | Path | None, header_language: str,
                  converted: _Spool) -> tuple[int, int, list[IncompleteDocument], dict[str, int]]:
    """targets.csv (and SQLite) from the current documents, one at a time: those converted in this run from
    what their workers reported (`converted`), the others (and all, for SQLite) from their JSON outputs. The
    database's other documents (failed, deleted) are removed from it.

    Returns the counts of targets and warnings, the documents with error-level warnings, and the
    number of documents read in each format.
    """
    import sqlite3

    from . import store

    targets = warnings = 0
    incomplete: list[IncompleteDocument] = []
    formats: dict[str, int] = {}
    with contextlib.ExitStack() as stack:
        connection = stack.enter_context(contextlib.closing(store.connect(sqlite))) if sqlite else None
        handle = stack.enter_context(atomic_writer(out_dir / TARGETS_CSV, bom=True))
        write_table([], handle, header_language)
        for label in sorted(current):
            reported = converted.get(label) if connection is None else None
            if reported is not None:
                outcome, rows = reported
                handle.write(rows)
            else:
                raw = current[label].read_bytes()
                data = json.loads(raw)
                outcome = _summary(label, data)
                write_table(target_rows(data, label), handle, header=False)
                if connection is not None:
                    digest = hashlib.sha256(raw).hexdigest()
                    try:
                        if store.stored_digest(connection, label) != digest:
                            store.load_document(connection, label, digest, Document.model_validate(data))
                    except sqlite3.Error as exc:
                        raise InputError(f"{sqlite}: cannot load {label} ({exc})") from None
            targets += outcome.targets
            warnings += outcome.warnings
            if outcome.errors:
                incomplete.append(IncompleteDocument(file=label, errors=list(outcome.errors)))
            fmt = outcome.format or "text"
            formats[fmt] = formats.get(fmt, 0) + 1
        if connection is not None:
            try:
                store.keep_only(connection, set(current))
            except sqlite3.Error as exc:
                raise InputError(f"{sqlite}: cannot remove old documents ({exc})") from None
    return targets, warnings, incomplete, dict(sorted(formats.items()))
