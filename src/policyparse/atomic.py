"""Write files so that a reader never sees half of one."""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from .errors import InputError

# Temporary files are named by the writing process, not by the file they become: a name of any length
# fits, and a batch can tell the ones a killed run left (their process is gone) from another run's.
TEMPORARY_PREFIX = ".policyparse-"
TEMPORARY_SUFFIX = ".tmp"


@contextmanager
def atomic_writer(path: str | Path, bom: bool = False, errors: str = "strict") -> Iterator[TextIO]:
    """A text file that appears at `path`, whole, only when the block ends without an error.

    It is written to a temporary file in the same folder and renamed over `path`.
    """
    path = Path(path)
    encoding = "utf-8-sig" if bom else "utf-8"
    if _kind(path) == "device":  # /dev/null, /dev/stdout, a terminal: written through, never replaced
        with open(path, "w", encoding=encoding, errors=errors, newline="\n") as device:
            yield device
        return
    fd, tmp = tempfile.mkstemp(prefix=f"{TEMPORARY_PREFIX}{os.getpid()}-", suffix=TEMPORARY_SUFFIX, dir=path.parent)
    try:
        # mkstemp makes the file private (0600); the file takes the mode any new file of the user's would.
        os.fchmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, "w", encoding=encoding, errors=errors, newline="\n") as handle:
            yield handle
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _kind(path: Path) -> str:
    """`new` or `file` (replaced by the rename), `device` (a character device); anything else is refused:
    a rename would replace a symbolic link, a FIFO or a block device with a regular file."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return "new"
    except OSError as exc:
        raise InputError(f"{path}: cannot be written ({exc.strerror or exc})") from None
    if stat.S_ISREG(mode):
        return "file"
    if stat.S_ISCHR(mode):
        return "device"
    what = ("a symbolic link" if stat.S_ISLNK(mode) else "a FIFO" if stat.S_ISFIFO(mode) else
            "a folder" if stat.S_ISDIR(mode) else "not a regular file")
    raise InputError(f"{path}: is {what}; refusing to replace it (write to a regular file, or to its target)")


def writer_alive(name: str) -> bool:
    """Whether the process that is writing the temporary file `name` still runs (on Windows, where signal 0
    would terminate the process, always assumed so)."""
    if os.name == "nt":
        return True
    try:
        pid = int(name.removeprefix(TEMPORARY_PREFIX).split("-", 1)[0])
        os.kill(pid, 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:  # another user's process
        return True
    return True


def _umask() -> int:
    mask = os.umask(0)  # reading the umask means setting it: put it back at once
    os.umask(mask)
    return mask


def write_text_atomic(path: str | Path, text: str) -> None:
    """Write `text` to `path` through a temporary file in the same folder and a rename."""
    with atomic_writer(path) as handle:
        handle.write(text)
