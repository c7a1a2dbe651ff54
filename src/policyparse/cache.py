"""Files policyparse keeps between runs so that a process starts faster: derived data only.

Each file is named by what it was derived from (a dictionary's content, the interpreter's
regex engine), so versions, clones and rule sets never read each other's. A file that is
missing, unreadable or damaged is rebuilt; a folder that cannot be written costs the next
run time, never a result.

The folder is `$POLICYPARSE_CACHE` when set (set empty, nothing is kept), else
`$XDG_CACHE_HOME/policyparse`, else `~/.cache/policyparse`.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

ENVIRONMENT = "POLICYPARSE_CACHE"


def folder() -> Path | None:
    """Where the cache files are, or None when caching is turned off."""
    chosen = os.environ.get(ENVIRONMENT)
    if chosen is not None:
        return Path(chosen) if chosen else None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "policyparse"


def read(name: str) -> bytes | None:
    """The content of the cache file `name`, or None when there is none to read.

    A file another user owns is not read: what the cache holds is loaded as code's data
    (pickled rule books), and only the user's own processes may have written it.
    """
    where = folder()
    if where is None:
        return None
    try:
        with open(where / name, "rb") as handle:
            if hasattr(os, "getuid") and os.fstat(handle.fileno()).st_uid != os.getuid():
                return None
            return handle.read()
    except OSError:
        return None


def write(name: str, data: bytes, keep: tuple[str, int] | None = None) -> None:
    """Store `data` as the cache file `name`, whole or not at all (a reader never sees half a file).

    `keep=(prefix, n)`: of the files named with `prefix`, only the `n` written most recently stay.
    """
    where = folder()
    if where is None:
        return
    with contextlib.suppress(OSError):
        where.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=where, prefix=f".{name}-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, where / name)
        except OSError:
            Path(tmp).unlink(missing_ok=True)
            raise
        if keep is not None:
            prefix, count = keep
            older = sorted(where.glob(f"{prefix}*"), key=lambda path: path.stat().st_mtime, reverse=True)[count:]
            for path in older:
                path.unlink(missing_ok=True)
