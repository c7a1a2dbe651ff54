"""Regular expressions compiled once per machine, not once per process.

Compiling is the largest single cost of a cold start: the rules and the stages compile about
two hundred patterns, and `re` spends ~90 ms on them, most of it building the bitmaps of
Han-character classes in Python. `re` keeps what it compiled for the life of the process only.

`compile` keeps, per pattern, what `re`'s compiler hands to the regex engine (the engine's
code, the flags and the group names) in one cache file (`policyparse.cache`), and gives it
straight to the engine the next time, exactly as `re._compiler.compile` does after parsing.
The file is named by the interpreter version and the engine's version (`_sre.MAGIC`), the
engine validates the code it is given, and anything unexpected falls back to `re.compile`.

The code is given a skip where `re` has none. `re`'s engine jumps in C to the next place a match
can start only when the pattern opens with a literal or a character class: its info block then
holds that literal or class. A pattern that opens with an optional word, a look-behind, a repeat
or an alternation of classes gets no skip and is tried at every position of the text, each
alternative in turn. `_code` writes into the info block the set of characters a match can start
with (`_first`), which the engine scans for as it does for a class (a rule's search over
../shared/corpus is up to 5× faster). It changes no match: a match's first character is in the set
by construction, and the tests compare these patterns with `re`'s on generated patterns and texts.
"""

from __future__ import annotations

import atexit
import marshal
import re
import sys
import threading
from array import array
from typing import Any

from . import cache

try:  # the engine `re` itself drives; private, hence every use is guarded
    import _sre
    from re import _compiler, _parser  # type: ignore[attr-defined]
    from re import _constants as sre  # type: ignore[attr-defined]

    # The last part names how the code is made here (3: with the skip of `_code`).
    CACHE_FILE: str | None = f"regex-{sys.implementation.cache_tag}-{_sre.MAGIC}-{_sre.CODESIZE}-3.marshal"
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
        try:
            compiled, entry = _compile_new(pattern, key[1])
        except re.error:
            raise
        except Exception:  # the private compiler changed shape (another Python): re's own compile, uncached
            compiled, entry = re.compile(pattern, flags), None
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
    except Exception:  # a damaged entry (the engine checks the code): compiled afresh and replaced
        return None


def _compile_new(pattern: str, flags: int) -> tuple[re.Pattern[str], Entry | None]:
    """What `re._compiler.compile` does, keeping the engine's input as an entry (None if the engine refuses it)."""
    parsed = _parser.parse(pattern, flags)
    code = _code(parsed, flags)
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


def _code(parsed: Any, flags: int) -> list[int]:
    """`re._compiler._code`, with the set of `_first` characters as the skip of its info block where `re` has
    no skip of its own and the pattern is not anchored at the start of the text (where `re` stops at once)."""
    code: list[int] = _compiler._code(parsed, flags)
    if code[0] != sre.INFO or code[2] & (sre.SRE_INFO_PREFIX | sre.SRE_INFO_CHARSET) or _anchored(parsed.data):
        return code
    if parsed.state.flags & (re.IGNORECASE | re.LOCALE) or flags & (re.IGNORECASE | re.LOCALE):
        return code
    first, can_be_empty = _first(parsed.data)
    lo, hi = parsed.getwidth()
    if not first or can_be_empty or lo == 0:
        return code
    charset, _ = _compiler._optimize_charset(first)
    info = [sre.INFO, 0, sre.SRE_INFO_CHARSET, min(lo, _compiler.MAXCODE), min(hi, _compiler.MAXCODE)]
    _compiler._compile_charset(charset, flags | parsed.state.flags, info)
    info[1] = len(info) - 1
    return info + code[code[1] + 1 :]


def _anchored(items: Any) -> bool:
    """Whether the pattern opens with `^` or `\\A`: `re` tries it at the start of the text only."""
    while items and items[0][0] is sre.SUBPATTERN:
        items = items[0][1][3].data
    return bool(items) and items[0][0] is sre.AT and items[0][1] in (sre.AT_BEGINNING, sre.AT_BEGINNING_STRING)


def _first(items: Any) -> tuple[list[tuple[Any, Any]] | None, bool]:
    """(what a match of the sequence `items` can start with, as class items, None for anything; whether the
    sequence can match the empty string)."""
    found: list[tuple[Any, Any]] = []
    for op, av in items:
        if op in (sre.AT, sre.ASSERT, sre.ASSERT_NOT):
            continue  # matches no character: the first one comes after it
        if op is sre.LITERAL:
            return [*found, (op, av)], False
        if op is sre.IN:
            if any(item[0] is sre.NEGATE for item in av):
                return None, False
            return [*found, *av], False
        if op is sre.SUBPATTERN or op is sre.ATOMIC_GROUP:
            inner = av[3] if op is sre.SUBPATTERN else av
            if op is sre.SUBPATTERN and (av[1] | av[2]) & (re.IGNORECASE | re.LOCALE):
                return None, False
            parts = [(inner.data, 1)]
        elif op is sre.BRANCH:
            parts = [(alternative.data, 1) for alternative in av[1]]
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
            parts = [(av[2].data, av[0])]
        else:  # any character, a negated literal, a backreference, a conditional
            return None, False
        empty = False
        for data, least in parts:
            first, can_be_empty = _first(data)
            if first is None:
                return None, False
            found += first
            empty = empty or can_be_empty or least == 0
        if not empty:
            return found, False
    return found, True


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

