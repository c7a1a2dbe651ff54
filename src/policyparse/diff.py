"""Compare the targets of two documents: last year's plan and this year's, a county's and its province's.

Targets are paired by what they measure: identical targets first, then by indicator
similarity (jieba words and characters) with a nudge for the same section and the same
figure, never across unit families (a count is not paired with an area). A pair whose
value, unit, comparator, deadline or lead units differ is a change; the rest are
unchanged; what is left unpaired was added or removed.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Callable
from difflib import SequenceMatcher
from typing import Literal

from pydantic import BaseModel, Field

from .extract.records import best_first
from .models import Document, Target
from .rulebook import RuleBook, default_rules

ChangedField = Literal["value", "unit", "comparator", "deadline", "lead_units"]
FIELDS: tuple[ChangedField, ...] = ("value", "unit", "comparator", "deadline", "lead_units")
# Below this indicator similarity two targets measure different things, whatever else they share.
MIN_SIMILARITY = 0.45
SAME_SECTION_BONUS = 0.15
SAME_VALUE_BONUS = 0.1


class TargetChange(BaseModel):
    old: Target = Field(description="The target in the old document.")
    new: Target = Field(description="The target it became in the new document.")
    fields: list[ChangedField] = Field(description="Which of value, unit, comparator, deadline, lead_units differ.")


class MetadataChange(BaseModel):
    field: str = Field(description="`title`, `doc_number`, `issuer` or `issued_date`.")
    old: str | None
    new: str | None


class SectionChanges(BaseModel):
    added: list[str] = Field(default_factory=list, description="Ids of sections only in the new document.")
    removed: list[str] = Field(default_factory=list, description="Ids of sections only in the old document.")
    retitled: list[tuple[str, str, str]] = Field(default_factory=list, description="(id, old title, new title).")


class DocumentDiff(BaseModel):
    """What changed between two documents' targets, metadata and outline."""

    added: list[Target] = Field(default_factory=list, description="Targets only in the new document.")
    removed: list[Target] = Field(default_factory=list, description="Targets only in the old document.")
    changed: list[TargetChange] = Field(default_factory=list, description="Paired targets that differ.")
    unchanged: int = Field(default=0, description="Paired targets that do not differ.")
    metadata: list[MetadataChange] = Field(default_factory=list, description="Metadata fields that differ.")
    sections: SectionChanges = Field(default_factory=SectionChanges, description="Outline changes.")

    @property
    def targets_differ(self) -> bool:
        return bool(self.added or self.removed or self.changed)


def _same_number(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def _base_max(target: Target) -> float | None:
    if target.value_max is None:
        return None
    scale = target.base_value / target.value if target.value else 1.0
    return target.value_max * scale


def changed_fields(old: Target, new: Target) -> list[ChangedField]:
    """The fields that differ; values compare in the base unit, so `1.2亿元` equals `12000万元`."""
    differs = {
        "value": not (_same_number(old.base_value, new.base_value) and _same_number(_base_max(old), _base_max(new))),
        "unit": old.unit != new.unit,
        "comparator": old.comparator != new.comparator,
        "deadline": old.deadline != new.deadline,
        "lead_units": (old.lead_units or []) != (new.lead_units or []),
    }
    return [name for name in FIELDS if differs[name]]


def _identity(target: Target) -> tuple[object, ...]:
    return (target.indicator, target.section, target.base_value, target.value_max, target.unit, target.comparator,
            target.deadline, tuple(target.lead_units or ()))


def _family(target: Target, kinds: dict[str, str]) -> str:
    return kinds.get(target.base_unit, target.base_unit)


def indicator_similarity(a: str, b: str) -> float:
    """Half character overlap, half jieba word overlap, in [0, 1].

    >>> indicator_similarity("乡镇物流中转站", "乡镇物流中转站")
    1.0
    """
    from .extract.indicator import words

    return _Indicator(a, frozenset(words(a))).similarity(_Indicator(b, frozenset(words(b))))


class _Indicator:
    """An indicator with its jieba words, cut once for all the pairs it is weighed in."""

    __slots__ = ("chars", "text", "words")

    def __init__(self, text: str, words: frozenset[str]) -> None:
        self.text, self.words, self.chars = text, words, Counter(text)

    def similarity(self, other: _Indicator) -> float:
        if self.text == other.text:
            return 1.0
        chars = SequenceMatcher(None, self.text, other.text).ratio()
        union = self.words | other.words
        jaccard = len(self.words & other.words) / len(union) if union else 0.0
        return (chars + jaccard) / 2

    def similarity_bound(self, other: _Indicator, shared_chars: int) -> float:
        """An upper bound of `similarity` from the characters both hold: difflib's ratio is at most
        2·shared / total length, and each shared word holds a shared character."""
        chars = 2 * shared_chars / (len(self.text) + len(other.text))
        words = min(1.0, shared_chars / max(len(self.words), len(other.words), 1))
        return (chars + words) / 2


def _pair_identical(old: list[Target], new: list[Target], key: Callable[[Target], tuple[object, ...]],
                    free_old: list[int], free_new: list[int]) -> tuple[list[tuple[int, int]], list[int], list[int]]:
    """Pairs of free targets with the same key, each old one (in order) with the first free new one."""
    waiting: dict[tuple[object, ...], list[int]] = {}
    for j in free_new:
        waiting.setdefault(key(new[j]), []).append(j)
    pairs, left_old = [], []
    for i in free_old:
        matches = waiting.get(key(old[i]))
        if matches:
            pairs.append((i, matches.pop(0)))
        else:
            left_old.append(i)
    taken = {j for _, j in pairs}
    return pairs, left_old, [j for j in free_new if j not in taken]


def pair_targets(old: list[Target], new: list[Target], rules: RuleBook) -> list[tuple[int, int]]:
    """One-to-one pairs (index in old, index in new) of targets that measure the same thing.

    Identical targets pair first; then, most alike first, targets of one unit family whose indicators are at
    least `MIN_SIMILARITY` alike, with a nudge for the same section and the same value. Only pairs that share a
    character are weighed, and only when the bound of their similarity can reach the threshold: documents of
    thousands of targets pair in about the time of their distinct pairs, not of every pair.
    """
    from .extract.indicator import words

    kinds = rules.compiled.measure_kinds
    pairs, free_old, free_new = _pair_identical(old, new, _identity, list(range(len(old))), list(range(len(new))))
    # Same indicator, section, value and family: the best score a pair can have, paired as the greedy pass would.
    more, free_old, free_new = _pair_identical(
        old, new, lambda t: (t.indicator, t.section, t.base_value, _family(t, kinds)), free_old, free_new)
    pairs += more
    cut: dict[str, _Indicator] = {}

    def indicator(target: Target) -> _Indicator:
        if target.indicator not in cut:
            cut[target.indicator] = _Indicator(target.indicator, frozenset(words(target.indicator)))
        return cut[target.indicator]

    holders: dict[tuple[str, str], list[int]] = {}
    for j in free_new:
        for char in indicator(new[j]).chars:
            holders.setdefault((_family(new[j], kinds), char), []).append(j)
    scored = []
    for i in free_old:
        mine = indicator(old[i])
        shared: Counter[int] = Counter()
        for char, count in mine.chars.items():
            for j in holders.get((_family(old[i], kinds), char), ()):
                shared[j] += min(count, indicator(new[j]).chars[char])
        for j, in_common in shared.items():
            theirs = indicator(new[j])
            if mine.similarity_bound(theirs, in_common) < MIN_SIMILARITY:
                continue
            similarity = mine.similarity(theirs)
            if similarity < MIN_SIMILARITY:
                continue
            score = similarity + SAME_SECTION_BONUS * (old[i].section == new[j].section) \
                + SAME_VALUE_BONUS * _same_number(old[i].base_value, new[j].base_value)
            scored.append((score, i, j))
    return sorted(pairs + best_first(scored))  # scored holds only targets the exact passes left free


def diff_documents(old: Document, new: Document, rules: RuleBook | None = None) -> DocumentDiff:
    """What changed from `old` to `new`.

    >>> from policyparse import parse_text
    >>> a = parse_text("一、目标\\n建成站点20个。")
    >>> b = parse_text("一、目标\\n建成站点30个以上。")
    >>> [c.fields for c in diff_documents(a, b).changed]
    [['value', 'comparator']]
    """
    rules = rules or default_rules()
    pairs = pair_targets(old.targets, new.targets, rules)
    result = DocumentDiff()
    for i, j in pairs:
        fields = changed_fields(old.targets[i], new.targets[j])
        if fields:
            result.changed.append(TargetChange(old=old.targets[i], new=new.targets[j], fields=fields))
        else:
            result.unchanged += 1
    paired_old, paired_new = {i for i, _ in pairs}, {j for _, j in pairs}
    result.removed = [t for i, t in enumerate(old.targets) if i not in paired_old]
    result.added = [t for j, t in enumerate(new.targets) if j not in paired_new]
    for name in ("title", "doc_number", "issuer", "issued_date"):
        before, after = getattr(old.metadata, name), getattr(new.metadata, name)
        if before != after:
            result.metadata.append(MetadataChange(field=name, old=before, new=after))
    old_titles = {s.id: s.title for s in old.iter_sections()}
    new_titles = {s.id: s.title for s in new.iter_sections()}
    result.sections = SectionChanges(
        added=[i for i in new_titles if i not in old_titles],
        removed=[i for i in old_titles if i not in new_titles],
        retitled=[(i, old_titles[i], new_titles[i]) for i in old_titles
                  if i in new_titles and old_titles[i] != new_titles[i]],
    )
    return result


DIFF_COLUMNS = ("change", "section", "indicator", "old_value", "new_value", "unit", "changed_fields",
                "old_deadline", "new_deadline", "old_lead_unit", "new_lead_unit", "old_line", "new_line", "text")


def _lead(target: Target | None) -> str | None:
    return target.lead_units[0] if target and target.lead_units else None


def diff_rows(result: DocumentDiff) -> list[dict[str, object]]:
    """One row per added, removed or changed target, old and new side by side."""
    sides: list[tuple[str, Target | None, Target | None, list[ChangedField]]] = [
        *(("removed", t, None, []) for t in result.removed), *(("added", None, t, []) for t in result.added),
        *(("changed", c.old, c.new, list(c.fields)) for c in result.changed)]
    rows: list[dict[str, object]] = []
    for change, before, after, fields in sides:
        either = after or before
        assert either is not None
        rows.append({
            "change": change, "section": either.section, "indicator": either.indicator,
            "old_value": before.figure if before else None, "new_value": after.figure if after else None,
            "unit": either.unit, "changed_fields": " ".join(fields),
            "old_deadline": before.deadline if before else None, "new_deadline": after.deadline if after else None,
            "old_lead_unit": _lead(before), "new_lead_unit": _lead(after),
            "old_line": before.line if before else None, "new_line": after.line if after else None,
            "text": either.text})
    return sorted(rows, key=lambda row: (str(row["section"] or ""), row["indicator"]))


def to_csv(result: DocumentDiff) -> str:
    """The diff as CSV: DIFF_COLUMNS, one row per added, removed or changed target."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=DIFF_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(diff_rows(result))
    return out.getvalue()
