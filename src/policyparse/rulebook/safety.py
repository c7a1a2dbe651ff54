"""Reject rule patterns that can backtrack catastrophically.

A pattern like `(a+)+` or `(\\w+\\s?)+` takes exponential time on a string that almost
matches: the outer repeat can split the same characters between its iterations in
exponentially many ways. That happens when an unbounded repeat sits inside another one
and the inner repeat can match the characters an outer iteration starts with. Rules are
checked for exactly that when loaded, so a user's rule file cannot hang a batch.
(`(?:(?:微信|微博)[\\s、|/]*){2,}` is fine: every iteration starts with a word the inner
repeat cannot match.)
"""

from __future__ import annotations

import re
from typing import Any

try:  # Python 3.11+
    from re import _constants as C  # type: ignore[attr-defined]
    from re import _parser as parser  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - Python < 3.11 is not supported by the package
    import sre_constants as C
    import sre_parse as parser

# A character class part: ("range", lo, hi), ("category", name) or ("any",).
Part = tuple[Any, ...]
CATEGORY_PATTERNS = {
    C.CATEGORY_DIGIT: r"\d", C.CATEGORY_NOT_DIGIT: r"\D", C.CATEGORY_SPACE: r"\s",
    C.CATEGORY_NOT_SPACE: r"\S", C.CATEGORY_WORD: r"\w", C.CATEGORY_NOT_WORD: r"\W",
}
EXHAUSTIVE_RANGE = 4096


def _parts_of_in(items: list[tuple[Any, Any]]) -> list[Part]:
    if any(op is C.NEGATE for op, _ in items):
        return [("any",)]
    parts: list[Part] = []
    for op, av in items:
        if op is C.LITERAL:
            parts.append(("range", av, av))
        elif op is C.RANGE:
            parts.append(("range", av[0], av[1]))
        elif op is C.CATEGORY:
            parts.append(("category", av))
        else:
            parts.append(("any",))
    return parts


def first_parts(items: Any) -> list[Part]:
    """What the first character matched by a parsed (sub)pattern can be; ("any",) when unsure."""
    parts: list[Part] = []
    for op, av in items:
        if op is C.LITERAL:
            return [*parts, ("range", av, av)]
        if op is C.IN:
            return parts + _parts_of_in(av)
        if op is C.SUBPATTERN:
            return parts + first_parts(av[-1])
        if op is C.BRANCH:
            return parts + [p for branch in av[1] for p in first_parts(branch)]
        if op in (C.MAX_REPEAT, C.MIN_REPEAT):
            parts += first_parts(av[2])
            if av[0] > 0:
                return parts
            continue  # an optional repeat: what follows may come first too
        if op in (C.AT, C.ASSERT, C.ASSERT_NOT):
            continue
        return [("any",)]
    return parts


def _category_meets_range(category: Any, lo: int, hi: int) -> bool:
    if hi - lo > EXHAUSTIVE_RANGE:
        return True
    regex = re.compile(CATEGORY_PATTERNS.get(category, r"[\s\S]"))
    return any(regex.match(chr(code)) for code in range(lo, hi + 1))


def _meet(a: Part, b: Part) -> bool:
    if a[0] == "any" or b[0] == "any":
        return True
    if a[0] == "range" and b[0] == "range":
        return a[1] <= b[2] and b[1] <= a[2]
    if a[0] == "category" and b[0] == "category":
        disjoint = {frozenset({C.CATEGORY_SPACE, C.CATEGORY_DIGIT}), frozenset({C.CATEGORY_SPACE, C.CATEGORY_WORD}),
                    frozenset({C.CATEGORY_DIGIT, C.CATEGORY_NOT_DIGIT}),
                    frozenset({C.CATEGORY_SPACE, C.CATEGORY_NOT_SPACE}),
                    frozenset({C.CATEGORY_WORD, C.CATEGORY_NOT_WORD})}
        return frozenset({a[1], b[1]}) not in disjoint
    category, span = (a, b) if a[0] == "category" else (b, a)
    return _category_meets_range(category[1], span[1], span[2])


def _overlap(a: list[Part], b: list[Part]) -> bool:
    return any(_meet(x, y) for x in a for y in b)


def _walk(items: Any, outer_first: list[Part] | None) -> str | None:
    for op, av in items:
        if op in (C.MAX_REPEAT, C.MIN_REPEAT, getattr(C, "POSSESSIVE_REPEAT", None)):
            _, high, body = av
            unbounded = high is C.MAXREPEAT or high > 1000
            if unbounded and outer_first is not None and _overlap(first_parts(body), outer_first):
                return "nested quantifiers can backtrack catastrophically"
            found = _walk(body, first_parts(body) if unbounded and op is not getattr(C, "POSSESSIVE_REPEAT", None)
                          else outer_first)
        elif op is C.SUBPATTERN:
            found = _walk(av[-1], outer_first)
        elif op is C.BRANCH:
            found = next((f for branch in av[1] if (f := _walk(branch, outer_first))), None)
        elif op in (C.ASSERT, C.ASSERT_NOT):
            found = _walk(av[1], outer_first)
        else:
            found = None
        if found:
            return found
    return None


def catastrophic_backtracking(pattern: str) -> str | None:
    """Why `pattern` can backtrack catastrophically, or None.

    >>> catastrophic_backtracking(r"(a+)+b"), catastrophic_backtracking(r"(?:(?:微信|微博)[\\s、]*){2,}")
    ('nested quantifiers can backtrack catastrophically', None)
    """
    return _walk(parser.parse(pattern), None)
