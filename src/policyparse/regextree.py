"""What `re`'s own parse of a pattern says about its matches, read from the parse tree.

Pure functions over the items `re._parser.parse` gives (`(op, argument)` pairs, as `re._compiler`
reads them): which characters a match can start with, which it cannot do without, which no part of
it can match, and the same pattern with the line break taken out of it. `regexcache` compiles with
them and answers the stages' questions about a pattern; the tests compare every answer with what
the plain pattern does on generated patterns and texts. Private to CPython's `re`, hence every
caller guards its use and falls back to the plain pattern.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

try:
    from re import _constants as sre  # type: ignore[attr-defined]
    from re import _parser  # type: ignore[attr-defined]

    AVAILABLE = True
except ImportError:  # another interpreter
    AVAILABLE = False


def _opening(items: Any, flags: int) -> tuple[Any, int]:
    """The sequence from its first item that is no group, with the flags in force there."""
    while items and items[0][0] is sre.SUBPATTERN:
        flags = (flags | items[0][1][1]) & ~items[0][1][2]
        items = items[0][1][3].data
    return items, flags


def anchored(items: Any, flags: int) -> bool:
    """Whether the pattern opens with `^` (not under MULTILINE) or `\\A`: `re` tries it at the start only."""
    items, flags = _opening(items, flags)
    return bool(items) and items[0][0] is sre.AT and (items[0][1] is sre.AT_BEGINNING_STRING or (
        items[0][1] is sre.AT_BEGINNING and not flags & re.MULTILINE))


def first_characters(items: Any) -> tuple[list[tuple[Any, Any]] | None, bool]:
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
            first, can_be_empty = first_characters(data)
            if first is None:
                return None, False
            found += first
            empty = empty or can_be_empty or least == 0
        if not empty:
            return found, False
    return found, True


def opens_lines(items: Any, flags: int) -> bool:
    """Whether every match of the sequence `items` starts a line: it opens with `^` under MULTILINE, or with
    alternatives that each do (`(?m)^\\s*第|^\\d+/\\d+`)."""
    items, flags = _opening(items, flags)
    if not items:
        return False
    op, av = items[0]
    if op is sre.AT:
        return av is sre.AT_BEGINNING and bool(flags & re.MULTILINE)
    return op is sre.BRANCH and all(opens_lines(branch.data, flags) for branch in av[1])


class NotAcross(Exception):
    """The pattern may match a line break itself, or is anchored at the whole text's start or end."""


def without_breaks(items: Any, flags: int) -> list[tuple[Any, Any]]:
    """The parsed sequence with `\\n` taken out of every part that matches a character; raises `NotAcross`."""
    out: list[tuple[Any, Any]] = []
    for op, av in items:
        if (op is sre.LITERAL and av == BREAK) or (op is sre.AT and _text_edge(av, flags)):
            raise NotAcross
        if op is sre.NOT_LITERAL:
            op, av = sre.IN, [(sre.NEGATE, None), (sre.LITERAL, av), (sre.LITERAL, BREAK)]
        elif op is sre.ANY and flags & re.DOTALL:
            op, av = sre.IN, [(sre.NEGATE, None), (sre.LITERAL, BREAK)]
        elif op is sre.IN:
            op, av = _class_without_break(av)
        elif op is sre.SUBPATTERN:
            inner = (flags | av[1]) & ~av[2]
            av = (av[0], av[1], av[2], _parser.SubPattern(av[3].state, without_breaks(av[3].data, inner)))
        elif op is sre.ATOMIC_GROUP:
            av = _parser.SubPattern(av.state, without_breaks(av.data, flags))
        elif op is sre.BRANCH:
            av = (av[0], [_parser.SubPattern(a.state, without_breaks(a.data, flags)) for a in av[1]])
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
            av = (av[0], av[1], _parser.SubPattern(av[2].state, without_breaks(av[2].data, flags)))
        elif op in (sre.ASSERT, sre.ASSERT_NOT):
            av = (av[0], _parser.SubPattern(av[1].state, without_breaks(av[1].data, flags)))
        elif op not in (sre.LITERAL, sre.ANY, sre.AT):  # a backreference, a conditional: not followed
            raise NotAcross
        out.append((op, av))
    return out


def _text_edge(anchor: Any, flags: int) -> bool:
    """`\\A`, `\\Z`, and `^` or `$` where MULTILINE does not make them a line's edges."""
    return anchor in (sre.AT_BEGINNING_STRING, sre.AT_END_STRING) or (
        not flags & re.MULTILINE and anchor in (sre.AT_BEGINNING, sre.AT_END))


# The class categories that hold `\\n`, each with the one that holds the rest; those that do not.
WITH_BREAK = {sre.CATEGORY_SPACE: sre.CATEGORY_NOT_SPACE, sre.CATEGORY_NOT_DIGIT: sre.CATEGORY_DIGIT,
              sre.CATEGORY_NOT_WORD: sre.CATEGORY_WORD} if AVAILABLE else {}
WITHOUT_BREAK = {sre.CATEGORY_NOT_SPACE, sre.CATEGORY_DIGIT, sre.CATEGORY_WORD} if AVAILABLE else set()
BREAK = ord("\n")


def _class_without_break(items: list[tuple[Any, Any]]) -> tuple[Any, Any]:
    """A class (`[...]` items) less `\\n`: a negated class excludes it too; `[\\s>]` becomes
    `(?:[>]|[^\\S\\n])`."""
    if any(op is sre.NEGATE for op, _ in items):
        return sre.IN, [*items, (sre.LITERAL, BREAK)]
    kept: list[tuple[Any, Any]] = []
    negated: list[list[tuple[Any, Any]]] = []
    for op, av in items:
        if op is sre.LITERAL and av == BREAK:
            continue
        if op is sre.RANGE and av[0] <= BREAK <= av[1]:
            kept += [(sre.RANGE, part) for part in ((av[0], BREAK - 1), (BREAK + 1, av[1])) if part[0] <= part[1]]
        elif op is sre.CATEGORY and av in WITH_BREAK:
            negated.append([(sre.NEGATE, None), (sre.CATEGORY, WITH_BREAK[av]), (sre.LITERAL, BREAK)])
        elif op is sre.CATEGORY and av not in WITHOUT_BREAK:
            raise NotAcross
        else:
            kept.append((op, av))
    classes = ([kept] if kept else []) + negated
    if len(classes) == 1:
        return sre.IN, classes[0]
    return sre.BRANCH, (None, [_parser.SubPattern(_parser.State(), [(sre.IN, c)]) for c in classes])


def blanks_skipped(items: Any) -> Any:
    """The parsed sequence without what opens it and matches blanks or nothing (`^`, `\\s*`, `[ \\t]{0,3}`)."""
    start = 0
    while start < len(items):
        op, av = items[start]
        if not (op is sre.AT or (op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT) and av[0] == 0
                                 and _blanks_only(av[2].data))):
            break
        start += 1
    return items[start:]


def _blanks_only(items: Any) -> bool:
    """Whether the sequence is one character that can only be a blank (`\\s`, `[ \\t]`, ` `)."""
    if len(items) != 1:
        return False
    op, av = items[0]
    if op is sre.LITERAL:
        return chr(av).isspace()
    return op is sre.IN and all((o is sre.CATEGORY and str(v) == "CATEGORY_SPACE")
                                or (o is sre.LITERAL and chr(v).isspace()) for o, v in av)


# The class escapes of the categories.
CATEGORY_ESCAPES = {"CATEGORY_DIGIT": r"\d", "CATEGORY_NOT_DIGIT": r"\D", "CATEGORY_SPACE": r"\s",
                    "CATEGORY_NOT_SPACE": r"\S", "CATEGORY_WORD": r"\w", "CATEGORY_NOT_WORD": r"\W"}


def class_text(items: list[tuple[Any, Any]]) -> str | None:
    """The class items (not negated) written as the inside of a class (`\\d\\U00004e00-\\U00009fff`), None when
    one has no written form."""
    parts = []
    for op, av in items:
        if op is sre.LITERAL:
            parts.append(f"\\U{av:08x}")
        elif op is sre.RANGE:
            parts.append(f"\\U{av[0]:08x}-\\U{av[1]:08x}")
        elif op is sre.CATEGORY and str(av) in CATEGORY_ESCAPES:
            parts.append(CATEGORY_ESCAPES[str(av)])
        else:
            return None
    return "".join(parts)


# What each category of a class holds, as `re` decides it for a str pattern.
CATEGORY_TESTS: dict[str, Callable[[str], bool]] = {
    "CATEGORY_DIGIT": str.isdecimal, "CATEGORY_NOT_DIGIT": lambda c: not c.isdecimal(),
    "CATEGORY_SPACE": str.isspace, "CATEGORY_NOT_SPACE": lambda c: not c.isspace(),
    "CATEGORY_WORD": lambda c: c.isalnum() or c == "_", "CATEGORY_NOT_WORD": lambda c: not (c.isalnum() or c == "_"),
}


def holds(items: list[tuple[Any, Any]], code: int) -> bool:
    """Whether the class `items` may hold the character `code` (an item of unknown kind may)."""
    negated = member = False
    for op, av in items:
        if op is sre.NEGATE:
            negated = True
        elif op is sre.LITERAL:
            member = member or av == code
        elif op is sre.RANGE:
            member = member or av[0] <= code <= av[1]
        elif op is sre.CATEGORY and str(av) in CATEGORY_TESTS:
            member = member or CATEGORY_TESTS[str(av)](chr(code))
        else:
            return True
    return member != negated


def may_hold(items: Any, flags: int, code: int) -> bool:
    """Whether a part of the parsed sequence (a look-around too) may match the character `code`, or an end."""
    for op, av in items:
        if op is sre.LITERAL:
            hit = av == code
        elif op is sre.NOT_LITERAL:
            hit = av != code
        elif op is sre.ANY:
            hit = code != BREAK or bool(flags & re.DOTALL)
        elif op is sre.IN:
            hit = holds(av, code)
        elif op is sre.AT:
            hit = av in (sre.AT_END, sre.AT_END_STRING)
        elif op is sre.SUBPATTERN:
            hit = bool(av[1] & (re.IGNORECASE | re.ASCII)) or may_hold(av[3].data, (flags | av[1]) & ~av[2], code)
        elif op is sre.ATOMIC_GROUP:
            hit = may_hold(av.data, flags, code)
        elif op is sre.BRANCH:
            hit = any(may_hold(alternative.data, flags, code) for alternative in av[1])
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
            hit = may_hold(av[2].data, flags, code)
        elif op in (sre.ASSERT, sre.ASSERT_NOT):
            hit = may_hold(av[1].data, flags, code)
        else:  # a backreference, a conditional: not followed
            hit = True
        if hit:
            return True
    return False


# A set of characters this large is no use to look for: one of them stands in nearly any text.
MOST_REQUIRED = 8


def needed_characters(items: Any) -> set[int] | None:
    """The smallest set of characters found of some part that every match of the sequence must match."""
    best: set[int] | None = None
    for op, av in items:
        if op is sre.LITERAL:
            found: set[int] | None = {av}
        elif op is sre.IN:
            found = {v for o, v in av if o is sre.LITERAL} if all(o is sre.LITERAL for o, _ in av) else None
        elif op is sre.SUBPATTERN:
            found = None if av[1] & re.IGNORECASE else needed_characters(av[3].data)
        elif op is sre.ATOMIC_GROUP:
            found = needed_characters(av.data)
        elif op is sre.BRANCH:
            found = set()
            for alternative in av[1]:
                needed = needed_characters(alternative.data)
                if needed is None:
                    found = None
                    break
                found |= needed
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT) and av[0] >= 1:
            found = needed_characters(av[2].data)
        else:  # an optional part, a look-around, any character, a negated class: nothing certain
            found = None
        if found and len(found) <= MOST_REQUIRED and (best is None or len(found) < len(best)):
            best = found
    return best
