"""What makes records countable: ids stable across runs, and body targets linked to their task-table twins.

A plan often states a commitment twice: in its body (`2021年，建成乡镇品牌连锁超市5个`) and in a
row of its task table, which adds the lead unit and a deadline. The two are one commitment.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Sequence
from difflib import SequenceMatcher
from functools import lru_cache
from typing import Protocol, TypeVar

from ..models import Target

# Indicators this similar (difflib's ratio) name the same thing: `乡镇品牌连锁超市` and `品牌连锁超市`.
TWIN_SIMILARITY = 0.6
ID_DIGITS = 10


class Identified(Protocol):
    id: str


R = TypeVar("R", bound=Identified)


def assign_ids(kind: str, records: Sequence[R], keys: Sequence[str]) -> None:
    """Give each record an id from its kind and content (`t-3f9a0c1b2d`): the same text gives the same ids,
    and a record keeps its id when others are added before it. A repeat of the same content gets `-2`, `-3`."""
    seen: dict[str, int] = {}
    for record, key in zip(records, keys, strict=True):
        digest = hashlib.blake2b(key.encode("utf-8"), digest_size=ID_DIGITS // 2).hexdigest()
        base = f"{kind}-{digest}"
        seen[base] = seen.get(base, 0) + 1
        record.id = base if seen[base] == 1 else f"{base}-{seen[base]}"


def target_key(target: Target) -> str:
    return "\x1f".join((str(target.part), target.section or "", target.indicator, target.figure, target.text))


@lru_cache(maxsize=1 << 16)
def _twin_score(a: str, b: str) -> float:
    """`similarity(a, b)`, or 0 when a bound shows it below `TWIN_SIMILARITY`: difflib's ratio is at most twice
    the characters the two share over their total length. Kept per pair: a long plan weighs the same
    indicators against each other many times."""
    if a not in b and b not in a and 2 * sum((Counter(a) & Counter(b)).values()) < TWIN_SIMILARITY * (len(a) + len(b)):
        return 0.0
    return similarity(a, b)


def similarity(a: str, b: str) -> float:
    """How alike two indicators are: 1 when equal, 0.9 when one holds the other, else difflib's ratio."""
    if a == b:
        return 1.0
    if a in b or b in a:
        return 0.9
    return SequenceMatcher(None, a, b).ratio()


def best_first(scored: Iterable[tuple[float, int, int]]) -> list[tuple[int, int]]:
    """One-to-one pairs (left, right) from scored candidates, the highest score taken first (ties by the
    lower indices), each side paired once: how twins are linked and how `diff` pairs targets."""
    taken_left: set[int] = set()
    taken_right: set[int] = set()
    pairs = []
    for _, left, right in sorted(scored, key=lambda candidate: (-candidate[0], candidate[1], candidate[2])):
        if left not in taken_left and right not in taken_right:
            taken_left.add(left)
            taken_right.add(right)
            pairs.append((left, right))
    return pairs


def link_twins(body: Sequence[Target], table: Sequence[Target]) -> None:
    """Link each body target to the task-table target stating the same commitment: the same value, range
    and unit, indicators that name the same thing, and no different deadline year. The body copy gets
    `same_as` (the table target's id) and, where it has none, the row's units and deadline.

    Each table target is the twin of one body target at most; the most similar pair is linked first.
    """
    # Only targets of one value, range and unit can be twins: each body target is weighed against those
    # alone, not against every table target (a long plan has thousands of each).
    same_figure: dict[tuple[float, float | None, str], list[int]] = {}
    for t, theirs in enumerate(table):
        same_figure.setdefault((theirs.base_value, theirs.value_max, theirs.base_unit), []).append(t)
    pairs = []
    for b, mine in enumerate(body):
        for t in same_figure.get((mine.base_value, mine.value_max, mine.base_unit), ()):
            theirs = table[t]
            if mine.deadline and theirs.deadline and mine.deadline[:4] != theirs.deadline[:4]:
                continue
            score = _twin_score(mine.indicator, theirs.indicator)
            if score >= TWIN_SIMILARITY:
                pairs.append((score, b, t))
    for b, t in best_first(pairs):
        mine, theirs = body[b], table[t]
        mine.same_as = theirs.id
        if not mine.lead_units and theirs.lead_units:
            mine.lead_units = theirs.lead_units
        if not mine.deadline and theirs.deadline:
            mine.deadline = theirs.deadline
