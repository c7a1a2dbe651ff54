"""Validated rule books kept between processes.

Reading the shipped rules means parsing TOML, validating it with the rule-file models and
compiling every pattern; the book that comes out depends on nothing but the rule files and
the code that reads them. It is kept pickled in the cache (`policyparse.cache`) under a key
made of both (the files' labels and texts; this package's rule modules and the interpreter's
version), so a process given the same files reads it back instead. The book is plain
dataclasses, its patterns pickled as their text and flags and rebuilt through `regexcache`.
"""

from __future__ import annotations

import hashlib
import io
import pickle
import re
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .. import cache, regexcache
from .schema import RuleBook

# The modules whose code decides what a validated book holds.
CODE = (Path(__file__).with_name("schema.py"), Path(__file__).with_name("load.py"),
        Path(__file__).with_name("safety.py"), Path(__file__).parent.parent / "fields.py")
PREFIX = "rules-"
# Books of rule sets and versions not used for a while are removed past this many.
KEPT_BOOKS = 16


def key(parts: Iterable[str]) -> str | None:
    """The cache key of a book read from these parts, or None when this package's code cannot be read."""
    digest = hashlib.blake2b(sys.version.encode(), digest_size=16)
    try:
        for path in CODE:
            digest.update(path.read_bytes())
    except OSError:
        return None
    for part in parts:
        digest.update(part.encode("utf-8", "surrogatepass") + b"\0")
    return digest.hexdigest()


def read(key: str | None) -> RuleBook | None:
    """The book stored under `key`, or None when there is none that can be read."""
    data = cache.read(f"{PREFIX}{key}.pickle") if key else None
    if data is None:
        return None
    try:
        book = pickle.loads(data)
    except Exception:  # a damaged or outdated file is validated afresh and replaced
        return None
    return book if isinstance(book, RuleBook) else None


def write(key: str | None, book: RuleBook) -> None:
    """Store `book` under `key`."""
    if key is not None:
        cache.write(f"{PREFIX}{key}.pickle", _pickled(book), keep=(PREFIX, KEPT_BOOKS))


def fingerprint(book: RuleBook) -> str:
    """A short digest of what the book holds: equal books, made anywhere, have equal fingerprints."""
    return hashlib.blake2b(_pickled(book), digest_size=8).hexdigest()


def _pickled(book: RuleBook) -> bytes:
    buffer = io.BytesIO()
    _Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(book)
    return buffer.getvalue()


class _Pickler(pickle.Pickler):
    def reducer_override(self, obj: Any) -> Any:
        if isinstance(obj, re.Pattern):
            return regexcache.compile, regexcache.arguments(obj)
        return NotImplemented
