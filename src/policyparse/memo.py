"""Values worked out once per object, found again by the object's identity."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

Owner = TypeVar("Owner")
V = TypeVar("V")


class ByIdentity(Generic[Owner, V]):
    """Values worked out once per object (and question), found by the object's identity, not its value.

    A lookup by value hashes and compares the whole object each time: a compiled pattern's hash walks its
    code (1.5 µs for the figure pattern, asked about thousands of times a batch), a text's comparison
    every character, and a rule book is not hashable at all. The object is held beside its value, so its
    id is never reused while the entry stands. With `kept`, every entry is dropped when that many stand
    (for texts: a batch passes thousands, each needed only while it is parsed).

    >>> lengths = ByIdentity[str, int](kept=2)
    >>> lengths.get("一二三", len)
    3
    """

    def __init__(self, kept: int | None = None) -> None:
        self._entries: dict[tuple[int, Hashable], tuple[object, V]] = {}
        self._kept = kept

    def made(self, owner: Owner, question: Hashable = None) -> V | None:
        """The value of `owner` (for `question`) if it was made, else None."""
        entry = self._entries.get((id(owner), question))
        return entry[1] if entry is not None and entry[0] is owner else None

    def get(self, owner: Owner, make: Callable[[Owner], V], question: Hashable = None) -> V:
        """The value of `owner` (for `question`), `make(owner)` the first time it is asked for."""
        entry = self._entries.get((id(owner), question))
        if entry is not None and entry[0] is owner:
            return entry[1]
        if self._kept is not None and len(self._entries) >= self._kept:
            self._entries.clear()
        value = make(owner)
        self._entries[id(owner), question] = (owner, value)
        return value
