"""Regular expressions compiled once per machine, not once per process.

Compiling is the largest single cost of a cold start: the rules and the stages compile about
two hundred patterns, and `re` spends ~90 ms on them, most of it building the bitmaps of
Han-character classes in Python. `re` keeps what it compiled for the life of the process only.

`compile` keeps, per pattern, what `re`'s compiler hands to the regex engine (the engine's
code, the flags and the group names) in one cache file (`policyparse.cache`), and gives it
straight to the engine the next time, exactly as `re._compiler.compile` does after parsing.
The file is named by the interpreter version and the engine's version (`_sre.MAGIC`), the
engine validates the code it is given, and anything unexpected falls back to `re.compile`.

The code is compiled from the pattern with a guard in front, when one helps: a look-ahead for
the characters a match can start with (`first_characters`). `re` skips ahead in C only for a
pattern that opens with a literal or a character class; one that opens with an optional word,
a look-behind or an alternation of classes is tried at every position of the text, each
alternative in turn. The guard fails at once where no match can start (a rule's search over
../shared/corpus is 2–3.5× faster), and it changes no match: a match's first character is in
the set by construction, and the tests compare guarded and plain patterns on generated
patterns and texts. The pattern object keeps the text it was given (`.pattern`).
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

    # The last part names how the code is made here (2: with the guard).
    CACHE_FILE: str | None = f"regex-{sys.implementation.cache_tag}-{_sre.MAGIC}-{_sre.CODESIZE}-2.marshal"
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
    parsed = _guarded(pattern, flags, _parser.parse(pattern, flags))
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


GLOBAL_FLAGS = re.compile(r"\(\?[aiLmsux]+\)")


def _guarded(pattern: str, flags: int, parsed: Any) -> Any:
    """The parsed pattern with the look-ahead of `first_characters` in front, when it has one and needs one."""
    if _opens_with_a_skip(parsed.data) or parsed.state.flags & (re.IGNORECASE | re.LOCALE | re.VERBOSE):
        return parsed
    first = first_characters(parsed.data)
    if first is None:
        return parsed
    opening = GLOBAL_FLAGS.match(pattern)
    head, body = (pattern[: opening.end()], pattern[opening.end() :]) if opening else ("", pattern)
    try:
        guarded = _parser.parse(f"{head}(?=[{first}])(?:{body})", flags)
    except re.error:
        return parsed
    same = (guarded.state.groups, guarded.state.groupdict, guarded.state.flags) == (
        parsed.state.groups, parsed.state.groupdict, parsed.state.flags)
    return guarded if same else parsed


def _opens_with_a_skip(items: Any) -> bool:
    """Whether `re` skips to candidates by itself, or fails a position at the pattern's first step anyway: it
    opens with a literal or a class, alternatives that each open with a literal, a repeat of a class or a
    literal that must match once, or an anchor (`^`, `\\b`)."""
    if not items:
        return False
    op, av = items[0]
    if op is sre.SUBPATTERN:
        return _opens_with_a_skip(av[3].data)
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
        return av[0] >= 1 and _opens_with_a_skip(av[2].data)
    if op is sre.BRANCH:
        return all(alternative.data and alternative.data[0][0] is sre.LITERAL for alternative in av[1])
    return op in (sre.LITERAL, sre.IN, sre.AT)


# The classes a guard may hold. A guard passing most characters of a text (a class of the Han block,
# `\w`, `\S`) only adds a step: none is made for a set holding a range wider than this.
CATEGORIES = {"CATEGORY_DIGIT": r"\d", "CATEGORY_SPACE": r"\s"}
WIDEST_RANGE = 256


def first_characters(items: Any) -> str | None:
    """The characters a match of the parsed pattern `items` can start with, as the inside of a class, or None
    when it can start with any character (or most: see `WIDEST_RANGE`) or match nothing at all: for
    `(?:力争|争取)?到?\\s*(?<!\\d)20\\d\\d年` they are 力, 争, 到, a space and 2 (look-arounds and anchors
    match no character; an optional part adds what follows it).
    """
    found, can_be_empty = _first(items)
    if found is None or can_be_empty or not found:
        return None
    parts = []
    for op, av in found:
        if op is sre.LITERAL:
            parts.append(f"\\U{av:08x}")
        elif op is sre.RANGE and av[1] - av[0] < WIDEST_RANGE:
            parts.append(f"\\U{av[0]:08x}-\\U{av[1]:08x}")
        elif op is sre.CATEGORY and str(av) in CATEGORIES:
            parts.append(CATEGORIES[str(av)])
        else:
            return None
    return "".join(dict.fromkeys(parts))


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

