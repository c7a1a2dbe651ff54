"""Targets as a table for notebooks: the rows of `targets.csv`, as dicts or a pandas DataFrame.

`read_targets(folder)` reads documents of every supported format and the JSON `batch` wrote,
so a notebook can start from the sources or from a batch's output alike.
"""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from .batch import SUMMARY, discover
from .errors import InputError
from .serialize import target_rows

PathLike = str | Path


def _paths(source: PathLike | Iterable[PathLike]) -> list[Path]:
    """A file, a folder (its documents, recursively; a batch's output folder: the JSON it wrote) or several
    paths. A batch's output also holds its summary and maybe `report.html`, which are no documents."""
    if isinstance(source, str | Path):
        root = Path(source)
        if root.is_dir():
            if (root / SUMMARY).is_file():
                return sorted(p for p in root.rglob("*.json") if p != root / SUMMARY)
            return discover(root, None, None, recursive=True)
        return [root]
    return [path for item in source for path in _paths(item)]


def _rows(path: Path) -> list[dict[str, Any]]:
    from .pipeline import load_document

    doc = load_document(path)
    return list(target_rows(doc.model_dump(mode="json"), str(path)))


def read_targets(source: PathLike | Iterable[PathLike], jobs: int | None = None) -> list[dict[str, Any]]:
    """Every target of the documents at `source` as a dict with the columns of `targets.csv`.

    `source` is a document, a folder (documents of any supported format and JSON written by
    `extract` or `batch`, read recursively) or a list of paths; `jobs` > 1 parses in that many
    processes. Raises InputError on a document that cannot be read.
    """
    paths = _paths(source)
    if not paths:
        raise InputError(f"{source}: no documents found")
    if jobs and jobs > 1 and len(paths) > 1:
        with ProcessPoolExecutor(jobs) as pool:
            per_document = list(pool.map(_rows, paths))
    else:
        per_document = [_rows(path) for path in paths]
    return [row for rows in per_document for row in rows]


def read_targets_df(source: PathLike | Iterable[PathLike], jobs: int | None = None) -> Any:
    """`read_targets` as a pandas DataFrame (needs `pip install 'policyparse[pandas]'`)."""
    try:
        import pandas as pd
    except ImportError:
        raise InputError("read_targets_df needs pandas: pip install 'policyparse[pandas]'") from None
    from .serialize import TABLE_FIELDS

    return pd.DataFrame(read_targets(source, jobs), columns=list(TABLE_FIELDS))
