"""Run a batch on a Dask cluster: `pip install 'policyparse[dask]'`.

`convert_folder(in_dir, out_dir, client=client)` sends the documents to the workers in
chunks; each worker converts them with the same code path as a local batch
(`batch.convert_chunk`) and writes each JSON atomically, and the client then assembles
`targets.csv`, `summary.json` and SQLite exactly as a local run does. The rule book is
sent to the cluster once, not with every chunk. A chunk whose worker died is sent again
once; if it dies again, its documents are reported as failed, and every other document's
result is kept. Since outputs are written atomically and named by their input, a chunk
that runs twice still leaves one output per document.

Nothing from dask is imported until a function here is called.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from .batch import Job, Outcome, ProgressCallback, Runner, WorkerSettings, convert_chunk

CHUNK_SIZE = 16
LOCAL_PREFIX = "local:"


def _chunks(jobs: list[Job], size: int) -> list[list[Job]]:
    return [jobs[i : i + size] for i in range(0, len(jobs), size)]


def dask_runner(client: Any, chunk_size: int = CHUNK_SIZE) -> Runner:
    """A runner that sends chunks of jobs to the workers of `client`."""

    def run(jobs: list[Job], settings: WorkerSettings, on_progress: ProgressCallback | None) -> Iterator[Outcome]:
        from distributed import as_completed

        total, done = len(jobs), 0
        if not jobs:
            return
        shared = client.scatter(settings, broadcast=True) if settings.rules is not None else settings
        pending = {}
        for chunk in _chunks(jobs, chunk_size):
            future = client.submit(convert_chunk, chunk, shared, pure=False)
            pending[future] = (chunk, 0)
        queue = as_completed(list(pending))
        for future in queue:
            chunk, attempt = pending.pop(future)
            try:
                outcomes: list[Outcome] = future.result()
            except Exception as exc:  # the worker died (KilledWorker) or the task could not run
                if attempt == 0:
                    retry = client.submit(convert_chunk, chunk, shared, pure=False)
                    pending[retry] = (chunk, 1)
                    queue.add(retry)
                    continue
                reason = f"the Dask worker died while converting it, twice ({type(exc).__name__})"
                outcomes = [Outcome(job[2], reason) for job in chunk]
            for outcome in outcomes:
                done += 1
                if on_progress:
                    on_progress(done, total, outcome)
                yield outcome

    return run


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


def worker_count(client: Any) -> int:
    return len(client.scheduler_info().get("workers", {})) or 1
