"""The safety gate every rule pattern passes: a regex that can backtrack catastrophically is refused.

Python's `re` backtracks. A pattern takes exponential time on a text that almost matches
when a repeated group can match the same characters in more than one way: `(a+)+`,
`(a|a)*`, `(?:年均增长|年均|增长)+`, `(?:a?){30}`. Backreferences have no bound at all.
The gate has two parts:

- a structural check over the parsed pattern, which refuses backreferences, repeated groups
  that can match nothing, repeats (bounded or not) inside a repeat that can start the same
  way, and alternatives inside a repeat that can match the same text — lookarounds are seen
  through (`(?:(?=a)a|a)*`);
- a trial: the pattern is searched in texts made of what its repeated parts match, pumped
  one copy at a time, and refused as soon as one search takes longer than `TRIAL_SECONDS`
  (growing one copy at a time, an exponential pattern is caught before it runs long).

The check is conservative: `(?:ab|a)+` is safe but refused (its alternatives share a start).
Such a rule is written with the longer alternative's rest optional (`(?:ab?)+`) or as a word
list. (`(?:(?:微信|微博)[\\s、|/]*){2,}` passes: every iteration starts with a word the inner
repeat cannot match, and the two words part at their second character.)
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

try:  # Python 3.11+
    from re import _constants as C  # type: ignore[attr-defined]
    from re import _parser as parser  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - Python < 3.11 is not supported by the package
    import sre_constants as C
    import sre_parse as parser

# A character class part: ("range", lo, hi), ("category", name), ("not", parts) or ("any",).
Part = tuple[Any, ...]
CATEGORY_PATTERNS = {
    C.CATEGORY_DIGIT: r"\d", C.CATEGORY_NOT_DIGIT: r"\D", C.CATEGORY_SPACE: r"\s",
    C.CATEGORY_NOT_SPACE: r"\S", C.CATEGORY_WORD: r"\w", C.CATEGORY_NOT_WORD: r"\W",
}
# A character each category matches, for the trial's texts.
CATEGORY_SAMPLES = {
    C.CATEGORY_DIGIT: "1", C.CATEGORY_NOT_DIGIT: "a", C.CATEGORY_SPACE: " ", C.CATEGORY_NOT_SPACE: "a",
    C.CATEGORY_WORD: "a", C.CATEGORY_NOT_WORD: "，",
}
EXHAUSTIVE_RANGE = 4096
REPEATS = tuple(op for op in (C.MAX_REPEAT, C.MIN_REPEAT, getattr(C, "POSSESSIVE_REPEAT", None)) if op)
ZERO_WIDTH = (C.AT, C.ASSERT, C.ASSERT_NOT)
BACKREFERENCES = tuple(op for op in (C.GROUPREF, C.GROUPREF_EXISTS, getattr(C, "GROUPREF_IGNORE", None),
                                     getattr(C, "GROUPREF_LOC_IGNORE", None), getattr(C, "GROUPREF_UNI_IGNORE", None))
                       if op)
# A repeat of at most this many iterations multiplies the work of what it holds by a bounded power:
# `(?:、[^。]{1,120}?负责){0,3}` is left to the trial.
FEW_ITERATIONS = 4
# The trial: copies of a repeated part, one more at a time up to 40, then a few long texts.
TRIAL_COPIES = (*range(1, 41), 64, 256)
TRIAL_SECONDS = 0.05
# What ends a trial text so that the pattern fails after the copies: a character few patterns take, or a
# line break that `.` does not take and `$` does not stand before.
TRIAL_ENDS = ("\x00", "\n\x00")


def _parts_of_in(items: list[tuple[Any, Any]]) -> list[Part]:
    if any(op is C.NEGATE for op, _ in items):
        return [("not", tuple(_parts_of_in([(op, av) for op, av in items if op is not C.NEGATE])))]
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


def _char_parts(op: Any, av: Any) -> list[Part] | None:
    """What one character item matches, or None when the item is no single character."""
    if op is C.LITERAL:
        return [("range", av, av)]
    if op is C.IN:
        return _parts_of_in(av)
    if op in (C.ANY, C.NOT_LITERAL):
        return [("any",)]
    return None


def nullable(items: Any) -> bool:
    """Whether a parsed (sub)pattern can match the empty string."""
    for op, av in items:
        if op in ZERO_WIDTH:
            continue
        if op is C.SUBPATTERN:
            if not nullable(av[-1]):
                return False
        elif op is C.BRANCH:
            if not any(nullable(branch) for branch in av[1]):
                return False
        elif op in REPEATS:
            if av[0] > 0 and not nullable(av[2]):
                return False
        else:
            return False
    return True


def first_parts(items: Any) -> list[Part]:
    """What the first character matched by a parsed (sub)pattern can be; ("any",) when unsure."""
    parts: list[Part] = []
    for op, av in items:
        single = _char_parts(op, av)
        if single is not None:
            return parts + single
        if op is C.SUBPATTERN:
            parts += first_parts(av[-1])
            if not nullable(av[-1]):
                return parts
            continue
        if op is C.BRANCH:
            parts += [p for branch in av[1] for p in first_parts(branch)]
            if not any(nullable(branch) for branch in av[1]):
                return parts
            continue
        if op in REPEATS:
            parts += first_parts(av[2])
            if av[0] > 0 and not nullable(av[2]):
                return parts
            continue  # an optional repeat: what follows may come first too
        if op in ZERO_WIDTH:
            continue
        return [("any",)]
    return parts


def _category_meets_range(category: Any, lo: int, hi: int) -> bool:
    if hi - lo > EXHAUSTIVE_RANGE:
        return True
    regex = re.compile(CATEGORY_PATTERNS.get(category, r"[\s\S]"))
    return any(regex.match(chr(code)) for code in range(lo, hi + 1))


def _holds(parts: tuple[Part, ...], code: int) -> bool:
    """Whether a character is in a class's parts."""
    for part in parts:
        if part[0] == "range" and part[1] <= code <= part[2]:
            return True
        if part[0] == "category" and re.match(CATEGORY_PATTERNS.get(part[1], r"[\s\S]"), chr(code)):
            return True
    return False


def _meet(a: Part, b: Part) -> bool:
    if a[0] == "any" or b[0] == "any":
        return True
    if a[0] == "not" or b[0] == "not":
        negated, other = (a, b) if a[0] == "not" else (b, a)
        if other[0] == "range" and other[2] - other[1] <= EXHAUSTIVE_RANGE:
            return any(not _holds(negated[1], code) for code in range(other[1], other[2] + 1))
        return not (other[0] == "category" and other in negated[1])  # `[^\s…]` and `\s` never meet
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


# A run of one character set, as (parts, fewest, most): most is None when unbounded.
Run = tuple[list[Part], int, int | None]


def _runs(items: Any) -> list[Run] | None:
    """A (sub)pattern as runs of character sets (`年均`, `[ \\t]{0,3}[|/]`), lookarounds seen through; None when it
    holds something else (alternatives, a repeated group)."""
    out: list[Run] = []
    for op, av in items:
        if op in ZERO_WIDTH:
            continue
        single = _char_parts(op, av)
        if single is not None:
            out.append((single, 1, 1))
        elif op is C.SUBPATTERN and (inner := _runs(av[-1])) is not None:
            out += inner
        elif op in REPEATS and len(av[2]) == 1 and (single := _char_parts(*av[2][0])) is not None:
            out.append((single, av[0], None if av[1] is C.MAXREPEAT else av[1]))
        else:
            return None
    return out


def _moves(runs: list[Run], state: tuple[int, int]) -> Iterator[tuple[list[Part], tuple[int, int]]]:
    """(characters, next state) from a state (run, count) of `runs`, skipping runs already satisfied."""
    index, count = state
    while index < len(runs):
        parts, fewest, most = runs[index]
        if most is None or count < most:
            yield parts, (index, min(count + 1, max(fewest, 1)) if most is None else count + 1)
        if count < fewest:
            return
        index, count = index + 1, 0


def _ends(runs: list[Run], state: tuple[int, int]) -> bool:
    index, count = state
    return index >= len(runs) or (count >= runs[index][1] and all(r[1] == 0 for r in runs[index + 1 :]))


def _same_text(a: list[Run], b: list[Run], follow: list[Part]) -> bool:
    """Whether `a` and `b` can match one text, or one a text and the other that text and more that what follows
    the group (`follow`) can start (`年均` then `增长`, against `年均增长`)."""
    start = ((0, 0), (0, 0))
    seen, queue = {start}, [start]
    while queue:
        state_a, state_b = queue.pop()
        moved = (state_a, state_b) != start
        end_a, end_b = _ends(a, state_a), _ends(b, state_b)
        if moved and end_a and end_b:
            return True
        if end_a and any(_overlap(parts, follow) for parts, _ in _moves(b, state_b)):
            return True
        if end_b and any(_overlap(parts, follow) for parts, _ in _moves(a, state_a)):
            return True
        for parts_a, next_a in _moves(a, state_a):
            for parts_b, next_b in _moves(b, state_b):
                if (next_a, next_b) not in seen and _overlap(parts_a, parts_b):
                    seen.add((next_a, next_b))
                    queue.append((next_a, next_b))
    return False


def _alternatives_collide(branches: list[Any], follow: list[Part]) -> bool:
    """Whether two alternatives can match the same text, or one a text and the other that text continued as
    the group's follower can start it; alternatives that are no runs of characters collide when they can start
    the same way."""
    shapes = [(_runs(branch), first_parts(branch), nullable(branch)) for branch in branches]
    for i, (runs_a, first_a, empty_a) in enumerate(shapes):
        for runs_b, first_b, empty_b in shapes[i + 1 :]:
            if empty_a and empty_b:  # two ways to match nothing (`(?:.|.)` is `.(?:|)`)
                return True
            if runs_a is not None and runs_b is not None:
                if _same_text(runs_a, runs_b, follow):
                    return True
            elif empty_a or empty_b or _overlap(first_a, first_b):
                return True
    return False


def _inner_problem(items: Any, follow: list[Part]) -> str | None:
    """A problem inside the body of a repeat: a repeated or optional part, or a group of alternatives, that can
    match what comes right after it (`follow`: the rest of the body, or the next iteration's start)."""
    for k, (op, av) in enumerate(items):
        rest = items[k + 1 :]
        after = first_parts(rest) + (follow if nullable(rest) else [])
        if op in REPEATS:
            low, high, body = av
            if (low == 0 or high > 1) and _overlap(first_parts(body), after):
                return "a repeated or optional part inside a repeat that can match what follows it (`(a+)+`, " \
                       "`(?:a?a)+`, `(?:\\s?\\w+)+`) backtracks exponentially"
            found = _inner_problem(body, first_parts(body) + after if high > 1 else after)
        elif op is C.BRANCH:
            if _alternatives_collide(av[1], after):
                return "alternatives inside a repeat that can match the same text (`(a|a)*`, `(?:ab|a|b)+`) " \
                       "backtrack exponentially"
            found = next((f for branch in av[1] if (f := _inner_problem(branch, after))), None)
        elif op is C.SUBPATTERN:
            found = _inner_problem(av[-1], after)
        else:
            found = None
        if found:
            return found
    return None


def structural_problem(items: Any) -> str | None:
    """Why a parsed pattern can backtrack catastrophically, or None."""
    for op, av in items:
        if op in BACKREFERENCES:
            return "a backreference (`\\1`, `(?P=name)`, `(?(1)…)`) can take exponential time; rules cannot use them"
        found = None
        if op in REPEATS:
            _, high, body = av
            if high > FEW_ITERATIONS and op is not getattr(C, "POSSESSIVE_REPEAT", None):
                if nullable(body):
                    return "a repeated group that can match nothing (`(a?)*`, `(?:a?){30}`) backtracks exponentially"
                found = _inner_problem(body, first_parts(body))  # after the last part: the next iteration
            found = found or structural_problem(body)
        elif op is C.SUBPATTERN:
            found = structural_problem(av[-1])
        elif op is C.BRANCH:
            found = next((f for branch in av[1] if (f := structural_problem(branch))), None)
        elif op in (C.ASSERT, C.ASSERT_NOT):
            found = structural_problem(av[1])
        if found:
            return found
    return None


def _sample(parts: list[Part]) -> str:
    part = parts[0] if parts else ("any",)
    if part[0] == "range":
        return chr(part[1])
    if part[0] == "category":
        return CATEGORY_SAMPLES.get(part[1], "a")
    if part[0] == "not":
        # A character the negated class takes: a letter, a digit, a blank, or the first Han it does not exclude.
        return next((chr(code) for code in (*map(ord, "a1 ,!"), *range(0x4E00, 0x4E20)) if not _holds(part[1], code)),
                    "a")
    return "a"


def witnesses(items: Any) -> Iterator[str]:
    """Short texts parts of a parsed pattern match: the body of each repeat, each alternative."""
    for op, av in items:
        if op in REPEATS:
            yield _witness(av[2]) or "a"
            yield from witnesses(av[2])
        elif op is C.BRANCH:
            for branch in av[1]:
                yield _witness(branch) or "a"
                yield from witnesses(branch)
        elif op is C.SUBPATTERN:
            yield from witnesses(av[-1])


def _witness(items: Any) -> str:
    """One short text a parsed (sub)pattern matches (lookarounds aside)."""
    out = []
    for op, av in items:
        single = _char_parts(op, av)
        if single is not None:
            out.append(_sample(single))
        elif op is C.SUBPATTERN:
            out.append(_witness(av[-1]))
        elif op is C.BRANCH:
            out.append(_witness(av[1][0]))
        elif op in REPEATS:
            out.append(_witness(av[2]) * max(av[0], 1))
    return "".join(out)


def slow_on(compiled: re.Pattern[str], pumps: Iterator[str], seconds: float = TRIAL_SECONDS) -> str | None:
    """A text on which one search of `compiled` takes longer than `seconds`, or None."""
    for pump in dict.fromkeys(pumps):
        for end in TRIAL_ENDS:
            for copies in TRIAL_COPIES:
                text = pump * copies + end
                started = time.perf_counter()
                compiled.search(text)
                if time.perf_counter() - started > seconds:
                    return text
    return None


def unsafe(pattern: str) -> str | None:
    """Why `pattern` cannot be a rule's pattern (it can backtrack catastrophically), or None.

    >>> unsafe(r"(a+)+b") is not None, unsafe(r"(?:(?:微信|微博)[\\s、]*){2,}")
    (True, None)
    """
    parsed = parser.parse(pattern)
    problem = structural_problem(parsed)
    if problem:
        return problem
    slow = slow_on(re.compile(pattern), witnesses(parsed))
    if slow is not None:
        shown = slow if len(slow) <= 40 else f"{slow[:20]}…{slow[-10:]}"
        return f"a search took over {TRIAL_SECONDS} s on the {len(slow):,} characters {shown!r}"
    return None
