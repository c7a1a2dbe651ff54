"""Run a batch on a Dask cluster: `pip install 'policyparse[dask]'`.

Documents go to the workers in chunks; each worker converts them with the same code path
as a local batch (`batch.convert_chunk`) and writes each JSON atomically. The client then
assembles `targets.csv`, `summary.json` and SQLite exactly as a local run does. A chunk
whose worker died is sent again once; if it dies again, its documents are reported as
failed, and every other document's result is kept. Since outputs are written atomically
and named by their input, a chunk that runs twice still leaves one output per document.

Nothing from dask is imported until a function here is called.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .batch import BatchReport, Job, Outcome, ProgressCallback, Runner, convert_chunk, convert_paths, discover
from .defaults import DEFAULT_MAX_BYTES
from .errors import InputError

CHUNK_SIZE = 16
LOCAL_PREFIX = "local:"


def _chunks(jobs: list[Job], size: int) -> list[list[Job]]:
    return [jobs[i : i + size] for i in range(0, len(jobs), size)]


def dask_runner(client: Any, chunk_size: int = CHUNK_SIZE) -> Runner:
    """A runner that sends chunks of jobs to the workers of `client`."""

    def run(jobs: list[Job], rules_dirs: tuple[str, ...], max_bytes: int,
            on_progress: ProgressCallback | None) -> Iterator[Outcome]:
        from distributed import as_completed

        total, done = len(jobs), 0
        pending = {}
        for chunk in _chunks(jobs, chunk_size):
            future = client.submit(convert_chunk, chunk, rules_dirs, max_bytes, pure=False)
            pending[future] = (chunk, 0)
        queue = as_completed(list(pending))
        for future in queue:
            chunk, attempt = pending.pop(future)
            try:
                outcomes: list[Outcome] = future.result()
            except Exception as exc:  # the worker died (KilledWorker) or the task could not run
                if attempt == 0:
                    retry = client.submit(convert_chunk, chunk, rules_dirs, max_bytes, pure=False)
                    pending[retry] = (chunk, 1)
                    queue.add(retry)
                    continue
                reason = f"the Dask worker died while converting it, twice ({type(exc).__name__})"
                outcomes = [Outcome(label, reason) for _, _, label in chunk]
            for outcome in outcomes:
                done += 1
                if on_progress:
                    on_progress(done, total, outcome)
                yield outcome

    return run


def _paths(paths_or_glob: str | Path | Iterable[str | Path]) -> tuple[list[Path], Path]:
    """The documents and the folder their outputs mirror: a glob's fixed prefix, or the paths' common folder."""
    if isinstance(paths_or_glob, (str, Path)):
        text = str(paths_or_glob)
        if Path(text).is_dir():
            root = Path(text)
            return sorted(p for p in root.glob("*.txt") if p.is_file() or p.is_symlink()), root
        paths = sorted(Path(p) for p in glob.glob(text, recursive=True))
        prefix = text.split("*", 1)[0].split("?", 1)[0].split("[", 1)[0]
        root = Path(prefix if prefix.endswith(os.sep) else os.path.dirname(prefix) or ".")
        return paths, root
    paths = sorted(Path(p) for p in paths_or_glob)
    root = Path(os.path.commonpath([str(p.parent) for p in paths])) if paths else Path(".")
    return paths, root


@contextmanager
def connect(scheduler: str) -> Iterator[Any]:
    """A Dask client: `local:N` starts a LocalCluster of N worker processes, anything else is an address."""
    from distributed import Client, LocalCluster

    if scheduler.startswith(LOCAL_PREFIX):
        workers = int(scheduler.removeprefix(LOCAL_PREFIX) or os.cpu_count() or 1)
        with LocalCluster(n_workers=workers, processes=True, threads_per_worker=1, dashboard_address=":0") as cluster, \
                Client(cluster) as client:
            yield client
    else:
        with Client(scheduler, timeout="10s") as client:
            yield client


def convert_with_scheduler(
    scheduler: str,
    in_dir: str | Path,
    out_dir: str | Path,
    *,
    pattern: str = "*.txt",
    recursive: bool = False,
    force: bool = False,
    sqlite: str | Path | None = None,
    rules_dirs: tuple[str | Path, ...] = (),
    max_bytes: int = DEFAULT_MAX_BYTES,
    on_progress: ProgressCallback | None = None,
) -> BatchReport:
    """`policyparse batch --scheduler`: a folder converted on the cluster at `scheduler` (or `local:N`)."""
    in_dir, out_dir = Path(in_dir), Path(out_dir)
    if not in_dir.is_dir():
        raise InputError(f"{in_dir}: not a folder")
    paths = discover(in_dir, out_dir, pattern, recursive)
    with connect(scheduler) as client:
        return convert_paths(paths, in_dir, out_dir, runner=dask_runner(client), workers=_worker_count(client),
                             force=force, sqlite=sqlite, rules_dirs=rules_dirs, max_bytes=max_bytes,
                             on_progress=on_progress)


def _worker_count(client: Any) -> int:
    return len(client.scheduler_info().get("workers", {})) or 1


def convert_folder(
    paths_or_glob: str | Path | Iterable[str | Path],
    out_dir: str | Path,
    client: Any = None,
    *,
    force: bool = False,
    sqlite: str | Path | None = None,
    rules_dirs: tuple[str | Path, ...] = (),
    max_bytes: int = DEFAULT_MAX_BYTES,
    chunk_size: int = CHUNK_SIZE,
    on_progress: ProgressCallback | None = None,
) -> BatchReport:
    """Convert documents on a Dask cluster; the outputs are those of `policyparse batch`.

    `paths_or_glob` is a folder, a glob (`"/data/**/*.txt"`) or a list of paths; `client`
    a `distributed.Client` (default: the current one, or a LocalCluster of all cores).
    """
    paths, root = _paths(paths_or_glob)
    out = Path(out_dir)
    if client is None:
        from distributed import get_client

        try:
            client = get_client()
        except ValueError:
            with connect(LOCAL_PREFIX) as local:
                return convert_folder(paths, out, local, force=force, sqlite=sqlite, rules_dirs=rules_dirs,
                                      max_bytes=max_bytes, chunk_size=chunk_size, on_progress=on_progress)
    return convert_paths(paths, root, out, runner=dask_runner(client, chunk_size), workers=_worker_count(client),
                         force=force, sqlite=sqlite, rules_dirs=rules_dirs, max_bytes=max_bytes,
                         on_progress=on_progress)
