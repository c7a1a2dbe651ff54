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
with (`regextree.first_characters`), which the engine scans for as it does for a class (a rule's
search over ../shared/corpus is up to 5× faster). It changes no match: a match's first character is in the set
by construction, and the tests compare these patterns with `re`'s on generated patterns and texts.

The same parse (`regextree`) tells the stages what they may skip, each answer property-tested
against the plain pattern: `across_lines` (a rule of lines run over the whole text in one pass),
`can_match` (a text lacking every character one of which each match holds is not searched),
`can_start_with` (only the marker forms that can start with a line's first character are tried),
`barriers` (characters no match holds or looks at: between two of them the matches of a
stretch are those of the whole text) and `after_breaks` (a pattern whose matches all start lines,
`^…` under MULTILINE, which gets no skip from its `^`, is searched with `\\n` before it, a literal
the engine skips to; `finditer` and `sub` then take each match from the line start after it).
Each answer is kept with the pattern's code in the cache file (`_fact`).
"""

from __future__ import annotations

import atexit
import marshal
import re
import sys
import threading
from array import array
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from typing import Any

from . import cache, regextree
from .memo import ByIdentity

try:  # the engine `re` itself drives; private, hence every use is guarded
    import _sre
    from re import _compiler, _parser  # type: ignore[attr-defined]
    from re import _constants as sre  # type: ignore[attr-defined]

    # The last part names how the code is made here (5: with the skip of `_code`, `across_lines` keys, facts).
    CACHE_FILE: str | None = f"regex-{sys.implementation.cache_tag}-{_sre.MAGIC}-{_sre.CODESIZE}-5.marshal"
    CODE_TYPE = "I" if array("I").itemsize == _sre.CODESIZE else "L"
except (ImportError, AttributeError):  # another interpreter: plain re.compile
    CACHE_FILE = None

# Beyond this many patterns the file keeps only those the last process used: user rule sets
# that were tried and dropped do not pile up.
MAX_ENTRIES = 3000

Key = tuple[str, int]
# (flags, engine code as bytes, number of groups, group index, index group, facts: `_fact`'s answers)
Entry = tuple[int, bytes, int, dict[str, int], tuple[str | None, ...], dict[str, str | None]]

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
    try:
        compiled = _cached(key, _compile_new)
    except re.error:
        raise
    except Exception:  # the private compiler changed shape (another Python): re's own compile, uncached
        compiled = re.compile(pattern, flags)
    _compiled[key] = compiled
    _arguments[compiled] = key
    return compiled


def _cached(key: Key, make: Callable[[str, int], tuple[re.Pattern[str], Entry | None]]) -> re.Pattern[str]:
    """The pattern of `key` from its entry in the cache file, else made (and its entry kept)."""
    entry = _load().get(key)
    compiled = _from_entry(key[0], entry) if entry is not None else None
    if compiled is None:
        compiled, entry = make(*key)
        if entry is not None:
            _remember(key, entry)
    _used.add(key)
    return compiled


def arguments(pattern: re.Pattern[str]) -> Key:
    """What to call `compile` with to get `pattern` back: the arguments it was made with when known.

    Flags written inline (`(?i)`) show in `pattern.flags` as well: compiling with those is the same
    pattern under another key of the cache.
    """
    return _arguments.get(pattern) or (pattern.pattern, pattern.flags & ~re.UNICODE)


def _from_entry(pattern: str, entry: Entry) -> re.Pattern[str] | None:
    try:
        flags, code, groups, groupindex, indexgroup, _ = entry
        return _sre.compile(pattern, flags, array(CODE_TYPE, code).tolist(), groups, groupindex, indexgroup)
    except Exception:  # a damaged entry (the engine checks the code): compiled afresh and replaced
        return None


def _compile_new(pattern: str, flags: int) -> tuple[re.Pattern[str], Entry | None]:
    """What `re._compiler.compile` does, keeping the engine's input as an entry (None if the engine refuses it)."""
    return _engine(pattern, flags, _parser.parse(pattern, flags))


def _engine(pattern: str, flags: int, parsed: Any) -> tuple[re.Pattern[str], Entry | None]:
    """The pattern the engine makes of a parsed pattern, and its entry for the cache file."""
    code = _code(parsed, flags)
    groupindex = dict(parsed.state.groupdict)
    indexgroup: list[str | None] = [None] * parsed.state.groups
    for name, index in groupindex.items():
        indexgroup[index] = name
    entry: Entry = (flags | parsed.state.flags, array(CODE_TYPE, code).tobytes(), parsed.state.groups - 1,
                    groupindex, tuple(indexgroup), {})
    compiled = _from_entry(pattern, entry)
    if compiled is None:  # pragma: no cover - the engine refused what re's own compiler made
        return re.compile(pattern, flags), None
    return compiled, entry


def _code(parsed: Any, flags: int) -> list[int]:
    """`re._compiler._code`, with the characters a match can start with (`regextree.first_characters`) as the
    skip of its info block where `re` has no skip of its own and the pattern is not anchored at the start of
    the text (where `re` stops at once)."""
    code: list[int] = _compiler._code(parsed, flags)
    if code[0] != sre.INFO or code[2] & (sre.SRE_INFO_PREFIX | sre.SRE_INFO_CHARSET):
        return code
    if regextree.anchored(parsed.data, flags | parsed.state.flags):
        return code
    if parsed.state.flags & (re.IGNORECASE | re.LOCALE) or flags & (re.IGNORECASE | re.LOCALE):
        return code
    first, can_be_empty = regextree.first_characters(parsed.data)
    lo, hi = parsed.getwidth()
    if not first or can_be_empty or lo == 0:
        return code
    charset, _ = _compiler._optimize_charset(first)
    info = [sre.INFO, 0, sre.SRE_INFO_CHARSET, min(lo, _compiler.MAXCODE), min(hi, _compiler.MAXCODE)]
    _compiler._compile_charset(charset, flags | parsed.state.flags, info)
    info[1] = len(info) - 1
    return info + code[code[1] + 1 :]


_variants = ByIdentity[re.Pattern[str], re.Pattern[str] | None]()
# Mark a key of the cache file as a pattern `across_lines` or `after_breaks` makes (no flag of re's has these).
ACROSS_LINES = 1 << 30
AFTER_BREAKS = 1 << 29


def across_lines(pattern: re.Pattern[str]) -> re.Pattern[str] | None:
    """`pattern` made to search a text of lines joined by `\\n` in one pass, finding there exactly what it
    finds in each line searched on its own; None when it cannot be made so.

    A line holds no line break, so what a part of the pattern matches in a line is unchanged when `\\n`
    is taken out of it (`\\s` becomes `[^\\S\\n]`, `[^，]` becomes `[^，\\n]`, a DOTALL `.` becomes
    `[^\\n]`); with that done, no match crosses a line's end, a look-around at a line's edge sees a
    break it cannot match where the line alone shows nothing, and `^` and `$` are compiled to match at
    each line's edges (`re.MULTILINE`). Not for a pattern that names `\\n`, a backreference, `\\A`
    or `\\Z`. Normalization runs its rules this way: one pass per rule, not one search per line and rule.
    """
    return _variants.get(pattern, _VARIANT_OF[ACROSS_LINES], ACROSS_LINES)


def after_breaks(pattern: re.Pattern[str], across: bool = False) -> re.Pattern[str] | None:
    """`\\n(?:pattern)` (of `across_lines(pattern)` with `across`), when every match of that pattern starts a
    line and holds a character; else None. `re` tries a pattern that opens with `^` at every position of a
    text (its `^` gives it no skip, 2 ns a character); this one it skips through to the line breaks in C.
    `finditer` and `sub` find with it what the pattern finds."""
    kind = AFTER_BREAKS | (ACROSS_LINES if across else 0)
    return _variants.get(pattern, _VARIANT_OF[kind], kind)


def _variant(pattern: re.Pattern[str], kind: int) -> re.Pattern[str] | None:
    def made(parsed: Any) -> Fact:
        _variant_data(parsed, kind)  # raises when it cannot be made: the fact is None
        return "yes"

    # Whether it can be made is a fact of the pattern, kept in the cache file: a pattern that cannot is not
    # parsed again by each process to find that out.
    if CACHE_FILE is None or _fact(pattern, f"variant {kind}", made) is None:
        return None
    text, flags = arguments(pattern)
    try:
        return _cached((text, int(flags) | kind), _compile_variant)
    except Exception:  # a private parser of another shape (another Python)
        return None


_VARIANT_OF = {kind: partial(_variant, kind=kind) for kind in (ACROSS_LINES, AFTER_BREAKS, ACROSS_LINES | AFTER_BREAKS)}


class NotAfterBreaks(Exception):
    """Some match of the pattern starts elsewhere than at a line's start, or is empty."""


def _variant_data(parsed: Any, kind: int) -> list[tuple[Any, Any]]:
    """The parsed sequence of the pattern `kind` (`ACROSS_LINES`, `AFTER_BREAKS`) makes of a parsed pattern;
    raises `regextree.NotAcross` or `NotAfterBreaks` when it cannot be made."""
    flags = parsed.state.flags | (re.MULTILINE if kind & ACROSS_LINES else 0)
    data = regextree.without_breaks(parsed.data, flags) if kind & ACROSS_LINES else list(parsed.data)
    if kind & AFTER_BREAKS:
        if not regextree.opens_lines(data, flags) or parsed.getwidth()[0] == 0:
            raise NotAfterBreaks
        data = [(sre.LITERAL, ord("\n")), *data]
    return data


def _compile_variant(pattern: str, flags: int) -> tuple[re.Pattern[str], Entry | None]:
    kind = flags & (ACROSS_LINES | AFTER_BREAKS)
    plain = int(flags & ~kind | (re.MULTILINE if kind & ACROSS_LINES else 0))
    parsed = _parser.parse(pattern, plain)
    parsed.data = _variant_data(parsed, kind)
    return _engine(pattern, plain, parsed)


def finditer(pattern: re.Pattern[str], text: str, pos: int = 0, endpos: int | None = None,
             across: bool = False) -> Iterator[re.Match[str]]:
    """`pattern.finditer(text, pos, endpos)` (with `across`, of `across_lines(pattern)`, which the caller knows
    to be one); where `after_breaks` makes a pattern of it, its matches found from line break to line break:
    each starts a line, after the previous match."""
    searched, line_starts = _searched(pattern, across)
    endpos = len(text) if endpos is None else min(endpos, len(text))
    if line_starts is None:
        return searched.finditer(text, pos, endpos)
    return _after_line_breaks(searched, line_starts, text, max(pos, 0), endpos)


def _searched(pattern: re.Pattern[str], across: bool) -> tuple[re.Pattern[str], re.Pattern[str] | None]:
    searched = across_lines(pattern) if across else pattern
    if searched is None:
        raise ValueError(f"{pattern.pattern!r} cannot be searched across lines")
    return searched, after_breaks(pattern, across)


def _after_line_breaks(pattern: re.Pattern[str], line_starts: re.Pattern[str], text: str, pos: int,
                       endpos: int) -> Iterator[re.Match[str]]:
    if pos == 0 and (found := pattern.match(text, 0, endpos)):
        yield found
        pos = found.end()
    while (line_break := line_starts.search(text, max(pos - 1, 0), endpos)) is not None:
        found = pattern.match(text, line_break.start() + 1, endpos)
        assert found is not None  # the pattern matches where it matched after the break
        yield found
        pos = found.end()


def sub(pattern: re.Pattern[str], repl: str | Callable[[re.Match[str]], str], text: str, across: bool = False) -> str:
    """`pattern.sub(repl, text)` (with `across`, of `across_lines(pattern)`), the matches found as `finditer`
    finds them."""
    searched, line_starts = _searched(pattern, across)
    if line_starts is None:
        return searched.sub(repl, text)
    pieces, last = [], 0
    for found in _after_line_breaks(searched, line_starts, text, 0, len(text)):
        pieces += [text[last : found.start()], repl(found) if callable(repl) else found.expand(repl)]
        last = found.end()
    pieces.append(text[last:])
    return "".join(pieces)


Fact = str | None
_facts = ByIdentity[re.Pattern[str], Fact]()


def _fact(pattern: re.Pattern[str], question: str, answer: Callable[[Any], Fact]) -> Fact:
    """What `answer` says of re's parse of `pattern` (None when that cannot be read: "not known"), kept for the
    process and, beside the pattern's code, in the cache file: a cold start asks of about a hundred patterns."""
    def make(pattern: re.Pattern[str]) -> Fact:
        key = arguments(pattern)
        entry = _load().get(key) if CACHE_FILE else None
        if entry is not None and question in entry[5]:
            return entry[5][question]
        try:
            value = answer(_parser.parse(*key))
        except Exception:  # the private parser changed shape (another Python): not known
            value = None
        if entry is not None:
            _remember(key, (*entry[:5], {**entry[5], question: value}))
        return value

    return _facts.get(pattern, make, question)


def can_start_with(pattern: re.Pattern[str], char: str) -> bool:
    """Whether a match of `pattern` may start with `char` ("": at the end of the text): False only when
    `regextree.first_characters` says it cannot."""
    first = _first_class(pattern)
    return first is None or (bool(char) and compile(f"[{first}]").match(char) is not None)


def first_class(patterns: Iterable[re.Pattern[str]], after_blanks: bool = False) -> str | None:
    """The inside of a class (`[...]`) of the characters a match of any of `patterns` may start with, or with
    `after_blanks` its first character that no blanks it opens with (`^\\s*附件`: `附`) can be; None when one of
    them may start with any."""
    parts = []
    for pattern in patterns:
        part = _first_class(pattern, after_blanks)
        if part is None:
            return None
        parts.append(part)
    return "".join(parts)


def _first_class(pattern: re.Pattern[str], after_blanks: bool = False) -> str | None:
    """`regextree.first_characters` of `pattern` (`after_blanks`: of what follows the blanks it opens with) as
    a class's inside, when it matches no empty string and is case-sensitive; else None."""
    def answer(parsed: Any) -> Fact:
        if pattern.flags & (re.IGNORECASE | re.LOCALE | re.ASCII):
            return None
        first, can_be_empty = regextree.first_characters(
            regextree.blanks_skipped(parsed.data) if after_blanks else parsed.data)
        return None if first is None or can_be_empty else regextree.class_text(first)

    return _fact(pattern, "first after blanks" if after_blanks else "first", answer)


def barriers(pattern: re.Pattern[str], chars: str) -> str:
    """The characters of `chars` that no match of `pattern` holds or looks at, when it matches no empty string
    and looks at no end of the text (`$`, `\\Z`); else "".

    Between two such characters, the matches `finditer` finds in the whole text are those it finds in that
    stretch alone, searched from after the first up to and with the second (`pos`, `endpos`): no match
    crosses either, so the chain of matches starts afresh after each. A caller that needs the matches in a
    few places of a text searches only the stretches around them.
    """
    def answer(parsed: Any) -> Fact:
        if parsed.getwidth()[0] == 0 or pattern.flags & (re.IGNORECASE | re.LOCALE | re.ASCII):
            return ""
        return "".join(char for char in chars if not regextree.may_hold(parsed.data, pattern.flags, ord(char)))

    return _fact(pattern, f"barriers {chars}", answer) or ""


def can_match(pattern: re.Pattern[str], text: str) -> bool:
    """False when `text` holds none of the characters one of which every match of `pattern` holds (`?` for
    `[\\u3400-\\u9fff]\\?|\\?[,;]`): the pattern is then not run at all. A pattern that opens with a
    class of thousands of characters is tried at nearly every position of a Chinese text, however rare
    the character its matches need."""
    chars = needed(pattern)
    return chars is None or any(char in text for char in chars)


def needed(pattern: re.Pattern[str]) -> str | None:
    """The characters one of which every match of `pattern` holds (`regextree.needed_characters`), or None."""
    def answer(parsed: Any) -> Fact:
        found = None if parsed.state.flags & re.IGNORECASE else regextree.needed_characters(parsed.data)
        return "".join(map(chr, sorted(found))) if found else None

    return _fact(pattern, "needed", answer)


def opening_literal(pattern: re.Pattern[str]) -> str | None:
    """The one character every match of `pattern` opens with, if there is one: `re` then skips to it itself."""
    def answer(parsed: Any) -> Fact:
        first, can_be_empty = regextree.first_characters(parsed.data)
        return chr(first[0][1]) if first and len(first) == 1 and first[0][0] is sre.LITERAL and not can_be_empty \
            else None

    return _fact(pattern, "opening", answer)


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

