"""Convert a folder of documents: one JSON per document, a targets table, a summary, and SQLite.

Documents are parsed in worker processes; each worker writes its document's JSON
atomically, so an interrupted batch never leaves half a file, and a document that fails
is recorded with its reason without costing the others. `targets.csv`, `summary.json`
and the SQLite database are then built from the JSON files, so documents skipped as up
to date are in them exactly as freshly converted ones.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from .atomic import atomic_writer, write_text_atomic
from .defaults import DEFAULT_MAX_BYTES
from .errors import InputError, PolicyparseError
from .models import Document
from .readers import SUFFIXES as DOCUMENT_SUFFIXES
from .rulebook import RuleBook, default_rules
from .serialize import target_rows, to_json, write_table
from .version import package_version

SUMMARY = "summary.json"
POOL_CHUNK = 4
TARGETS_CSV = "targets.csv"


class BatchReport(BaseModel):
    """What a batch did: counts, failures with their reasons, and the time it took."""

    input: str = Field(description="The input folder.")
    output: str = Field(description="The output folder.")
    documents: int = Field(description="Documents found.")
    converted: int = Field(description="Documents parsed in this run.")
    skipped: int = Field(description="Documents whose output was already up to date.")
    failed: int = Field(description="Documents that could not be converted.")
    targets: int = Field(description="Targets across all converted documents.")
    warnings: int = Field(description="Warnings across all converted documents.")
    formats: dict[str, int] = Field(
        default_factory=dict, description="Documents read in each format (`text`, `html`, `docx`, `pdf`).")
    incomplete: list[IncompleteDocument] = Field(
        default_factory=list,
        description="Documents converted with error-level warnings (content dropped, truncated, unreadable in "
        "part, nothing read): their records are incomplete.",
    )
    failures: list[BatchFailure] = Field(default_factory=list, description="Each failed document and its reason.")
    seconds: float = Field(description="Wall time of the run.")
    jobs: int = Field(description="Worker processes used.")
    fingerprint: str = Field(description="Version and rules the outputs were made with; a change redoes them all.")


class BatchFailure(BaseModel):
    """A document that could not be converted, and why."""

    file: str = Field(description="The document's path relative to the input folder.")
    reason: str = Field(description="Why it could not be converted.")


class IncompleteDocument(BaseModel):
    """A document converted with error-level warnings, and what they say."""

    file: str = Field(description="The document's path relative to the input folder.")
    errors: list[str] = Field(description="Each error-level warning as `code: message`.")


@dataclass(frozen=True)
class Outcome:
    """What a worker reports for one document."""

    file: str
    reason: str | None = None
    # Error-level warnings of a converted document: its records are incomplete.
    errors: tuple[str, ...] = ()
    format: str | None = None


ProgressCallback = Callable[[int, int, Outcome], None]
# (source path, output path, label): one document to convert.
Job = tuple[str, str, str]


@dataclass(frozen=True)
class WorkerSettings:
    """What a worker needs besides its jobs: the validated rules (None: the shipped ones) and the size limit."""

    rules: RuleBook | None = None
    max_bytes: int = DEFAULT_MAX_BYTES


# Runs the jobs somewhere (this process, a process pool, a Dask cluster), yielding outcomes as they come.
Runner = Callable[[list[Job], WorkerSettings, "ProgressCallback | None"], Iterator[Outcome]]

_worker = WorkerSettings()


def _init_worker(settings: WorkerSettings) -> None:
    global _worker
    _worker = settings


def convert_chunk(jobs: list[Job], settings: WorkerSettings) -> list[Outcome]:
    """Convert a chunk of documents in this process: what a Dask worker runs."""
    _init_worker(settings)
    return [_convert(*job) for job in jobs]


def _convert(source: str, target: str, label: str) -> Outcome:
    """Parse one document and write its JSON; never raises, so one document cannot stop the batch."""
    from .pipeline import parse_file

    try:
        doc = parse_file(source, rules=_worker.rules, max_bytes=_worker.max_bytes)
        doc = doc.model_copy(update={"source": label})
        Path(target).parent.mkdir(parents=True, exist_ok=True)
        write_text_atomic(target, to_json(doc))
        return Outcome(label, errors=tuple(f"{w.code}: {w.message}" for w in doc.warnings if w.level == "error"),
                       format=doc.metadata.format)
    except PolicyparseError as exc:
        reason = str(exc).removeprefix(f"{source}: ")
    except Exception as exc:  # a bug on one document must not cost the others
        reason = f"internal error: {type(exc).__name__}: {exc}"
    Path(target).unlink(missing_ok=True)  # no stale output for a document that now fails
    return Outcome(label, reason)


def _warm_up(rules: RuleBook) -> None:
    """Load the dictionaries and rules once in the parent: workers forked from it start warm.

    The text is made of the rules' own examples: a heading, and a sentence with a target.
    """
    from .pipeline import parse_text

    heading = next((rule.examples[0] for rule in rules.outline.marker if rule.examples), "")
    sentence = next((ex for rule in rules.targets.exclusion for ex in rule.counter_examples), "")
    parse_text(f"{heading}\n{sentence}", rules=rules)


def _fingerprint(rules: RuleBook) -> str:
    digest = hashlib.sha256(rules.model_dump_json().encode()).hexdigest()[:16]
    return f"{package_version()}+{digest}"


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


def _up_to_date(source: Path, target: Path) -> bool:
    try:
        return target.stat().st_mtime >= source.stat().st_mtime
    except OSError:
        return False


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
    _warm_up(settings.rules or default_rules())
    # Small chunks: one message per few documents instead of one per document, still fine-grained
    # enough that both workers stay busy to the end.
    chunks = [jobs_list[i : i + chunk_size] for i in range(0, total, chunk_size)]
    with ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=(settings,)) as pool:
        futures: dict[Future[list[Outcome]], list[Job]] = {
            pool.submit(convert_chunk, chunk, settings): chunk for chunk in chunks
        }
        done = 0
        for future in as_completed(futures):
            try:
                outcomes = future.result()
            except BrokenProcessPool:
                outcomes = [Outcome(label, "a worker process died while converting it") for _, _, label in
                            futures[future]]
            for outcome in outcomes:
                done += 1
                if on_progress:
                    on_progress(done, total, outcome)
                yield outcome


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
    `zh`. Raises InputError when `in_dir` is
    not a folder; a document that fails is listed in the report instead.
    """
    in_dir, out_dir = Path(in_dir), Path(out_dir)
    if not in_dir.is_dir():
        raise InputError(f"{in_dir}: not a folder")
    paths = discover(in_dir, out_dir, pattern, recursive)
    if client is not None:
        from .dask import CHUNK_SIZE, dask_runner, worker_count

        runner, workers = dask_runner(client, chunk_size or CHUNK_SIZE), worker_count(client)
    else:
        workers = max(1, jobs or os.cpu_count() or 1)
        runner = process_runner(workers, chunk_size or POOL_CHUNK)
    book = rules or default_rules()
    started = time.monotonic()
    out_dir.mkdir(parents=True, exist_ok=True)
    fingerprint = _fingerprint(book)
    force = force or _previous_fingerprint(out_dir) != fingerprint
    labels = {path: path.relative_to(in_dir).as_posix() for path in paths}
    failures: list[BatchFailure] = []
    todo: list[Job] = []
    owners: dict[Path, str] = {}
    for path in paths:
        try:
            target = output_path(in_dir, out_dir, path)
            if target in owners:
                raise InputError(f"its output {target.name} is also that of {owners[target]}; rename one of them")
            if target == out_dir / SUMMARY:
                raise InputError(f"its output would overwrite the batch's own {SUMMARY}; rename it")
        except InputError as exc:
            failures.append(BatchFailure(file=labels[path], reason=str(exc)))
            continue
        owners[target] = labels[path]
        if force or not _up_to_date(path, target):
            todo.append((str(path), str(target), labels[path]))
    for outcome in runner(todo, WorkerSettings(rules, max_bytes), on_progress):
        if outcome.reason is not None:
            failures.append(BatchFailure(file=outcome.file, reason=outcome.reason))

    failed = {f.file for f in failures}
    attempted = {job[2] for job in todo}
    readable = [path for path in paths if labels[path] not in failed]
    targets, warnings, incomplete, formats = _write_tables(in_dir, out_dir, readable, labels, sqlite, failed,
                                                           header)
    report = BatchReport(
        input=str(in_dir), output=str(out_dir), documents=len(paths), converted=len(attempted - failed),
        skipped=len(paths) - len(attempted) - len(failed - attempted), failed=len(failed), targets=targets,
        warnings=warnings, formats=formats, incomplete=incomplete, failures=sorted(failures, key=lambda f: f.file),
        seconds=round(time.monotonic() - started, 3), jobs=workers, fingerprint=fingerprint,
    )
    write_text_atomic(out_dir / SUMMARY, report.model_dump_json(indent=2) + "\n")
    return report


def _previous_fingerprint(out_dir: Path) -> str | None:
    try:
        return str(json.loads((out_dir / SUMMARY).read_text(encoding="utf-8"))["fingerprint"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _write_tables(in_dir: Path, out_dir: Path, readable: list[Path], labels: dict[Path, str],
                  sqlite: str | Path | None, failed: set[str], header_language: str
                  ) -> tuple[int, int, list[IncompleteDocument], dict[str, int]]:
    """targets.csv (and SQLite) from the JSON outputs, streamed one document at a time.

    Returns the counts of targets and warnings, the documents with error-level warnings, and the
    number of documents read in each format.
    """
    from . import store

    connection = store.connect(sqlite) if sqlite else None
    targets = warnings = 0
    incomplete: list[IncompleteDocument] = []
    formats: dict[str, int] = {}
    try:
        with atomic_writer(out_dir / TARGETS_CSV, bom=True) as handle:
            write_table([], handle, header_language)
            for path in readable:
                raw = output_path(in_dir, out_dir, path).read_bytes()
                data = json.loads(raw)
                targets += len(data.get("targets") or [])
                warnings += len(data.get("warnings") or [])
                errors = [f"{w.get('code')}: {w.get('message')}" for w in data.get("warnings") or []
                          if w.get("level") == "error"]
                if errors:
                    incomplete.append(IncompleteDocument(file=labels[path], errors=errors))
                meta = data.get("metadata") or {}
                fmt = str(meta.get("format") or "text")
                formats[fmt] = formats.get(fmt, 0) + 1
                write_table(target_rows(data, labels[path]), handle, header=False)
                if connection is not None:
                    digest = hashlib.sha256(raw).hexdigest()
                    if store.stored_digest(connection, labels[path]) != digest:
                        store.load_document(connection, labels[path], digest, Document.model_validate(data))
        if connection is not None:
            for file in failed:
                store.remove_document(connection, file)
    finally:
        if connection is not None:
            connection.close()
    return targets, warnings, incomplete, dict(sorted(formats.items()))
