"""Regular expressions compiled once per machine, not once per process.

Compiling is the largest single cost of a cold start: the rules and the stages compile about
two hundred patterns, and `re` spends ~90 ms on them, most of it building the bitmaps of
Han-character classes in Python. `re` keeps what it compiled for the life of the process only.

`compile` keeps, per pattern, what `re`'s compiler hands to the regex engine (the engine's
code, the flags and the group names) in one cache file (`policyparse.cache`), and gives it
straight to the engine the next time, exactly as `re._compiler.compile` does after parsing.
The file is named by the interpreter version and the engine's version (`_sre.MAGIC`), the
engine validates the code it is given, and anything unexpected falls back to `re.compile`:
the pattern objects are the ones `re.compile` returns, only made sooner.
"""

from __future__ import annotations

import atexit
import marshal
import re
import sys
import threading
from array import array

from . import cache

try:  # the engine `re` itself drives; private, hence every use is guarded
    import _sre
    from re import _compiler, _parser  # type: ignore[attr-defined]

    CACHE_FILE: str | None = f"regex-{sys.implementation.cache_tag}-{_sre.MAGIC}-{_sre.CODESIZE}.marshal"
    CODE_TYPE = "I" if array("I").itemsize == _sre.CODESIZE else "L"
except (ImportError, AttributeError):  # another interpreter: plain re.compile
    CACHE_FILE = None

# Beyond this many patterns the file keeps only those the last process used: user rule sets
# that were tried and dropped do not pile up.
MAX_ENTRIES = 3000

Key = tuple[str, int]
# (flags, engine code as bytes, number of groups, group index, index group)
Entry = tuple[int, bytes, int, dict[str, int], tuple[str | None, ...]]

_lock = threading.Lock()
_entries: dict[Key, Entry] | None = None
_used: set[Key] = set()
_compiled: dict[Key, re.Pattern[str]] = {}
_arguments: dict[re.Pattern[str], Key] = {}
_changed = False


def compile(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """`re.compile(pattern, flags)`, from the cache file when an earlier process compiled it."""
    key = (pattern, int(flags))
    compiled = _compiled.get(key)
    if compiled is not None:
        return compiled
    if CACHE_FILE is None:
        return re.compile(pattern, flags)
    entries = _load()
    entry = entries.get(key)
    compiled = _from_entry(pattern, entry) if entry is not None else None
    if compiled is None:
        compiled, entry = _compile_new(pattern, key[1])
        if entry is not None:
            _remember(key, entry)
    _used.add(key)
    _compiled[key] = compiled
    _arguments[compiled] = key
    return compiled


def arguments(pattern: re.Pattern[str]) -> Key:
    """What to call `compile` with to get `pattern` back: the arguments it was made with when known.

    Flags written inline (`(?i)`) show in `pattern.flags` as well: compiling with those is the same
    pattern under another key of the cache.
    """
    return _arguments.get(pattern) or (pattern.pattern, pattern.flags & ~re.UNICODE)


def _from_entry(pattern: str, entry: Entry) -> re.Pattern[str] | None:
    try:
        flags, code, groups, groupindex, indexgroup = entry
        return _sre.compile(pattern, flags, array(CODE_TYPE, code).tolist(), groups, groupindex, indexgroup)
    except Exception:
        return None


def _compile_new(pattern: str, flags: int) -> tuple[re.Pattern[str], Entry | None]:
    """What `re._compiler.compile` does, keeping the engine's input as an entry (None if the engine refuses it)."""
    parsed = _parser.parse(pattern, flags)
    code = _compiler._code(parsed, flags)
    groupindex = dict(parsed.state.groupdict)
    indexgroup: list[str | None] = [None] * parsed.state.groups
    for name, index in groupindex.items():
        indexgroup[index] = name
    entry: Entry = (flags | parsed.state.flags, array(CODE_TYPE, code).tobytes(), parsed.state.groups - 1,
                    groupindex, tuple(indexgroup))
    compiled = _from_entry(pattern, entry)
    if compiled is None:  # pragma: no cover - the engine refused what re's own compiler made
        return re.compile(pattern, flags), None
    return compiled, entry


def _load() -> dict[Key, Entry]:
    global _entries
    if _entries is None:
        with _lock:
            if _entries is None:
                _entries = _read()
    return _entries


def _read() -> dict[Key, Entry]:
    assert CACHE_FILE is not None
    data = cache.read(CACHE_FILE)
    if not data:
        return {}
    try:
        entries = marshal.loads(data)
    except (EOFError, ValueError, TypeError):
        return {}
    return entries if isinstance(entries, dict) else {}


def _remember(key: Key, entry: Entry) -> None:
    global _changed
    assert _entries is not None
    with _lock:
        _entries[key] = entry
        if not _changed:
            _changed = True
            atexit.register(save)


def save() -> None:
    """Write the cache file if this process compiled a pattern it did not hold (run at exit)."""
    global _changed
    if not _changed or _entries is None or CACHE_FILE is None:
        return
    with _lock:
        kept = _entries if len(_entries) <= MAX_ENTRIES else {k: v for k, v in _entries.items() if k in _used}
        data = marshal.dumps(kept)
        _changed = False
    cache.write(CACHE_FILE, data)

