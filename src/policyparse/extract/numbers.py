"""Find figures (a number, or a range, with its unit and comparator) in normalized text.

`150个以上`, `2—3个`, `2%～3%`, `1.2亿元`, `35-36MW`, `一千二百人`, `100余个`, `各1000万元`:
each is a `Figure` with its span, the number as written, the base value and unit, and
the comparator words around it. The unit words and comparator words are data
(`rules/units.toml`); this module only builds the pattern from them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import cast

from ..models import Comparator
from ..numerals import chinese_to_int
from ..rulebook import UnitsRules, compiled_per_rules

# `l` and `O` typed for 1 and 0 inside a run of digits (`1O0个`), never at its edges.
# Bounded, and never starting inside a longer run of digits: a 10,000-digit string is no
# figure, and reading it must not backtrack over the whole run from every position.
# (The look-behind follows the first digit: a pattern that opens with one is tried at every
# position of the text, one that opens with a digit only where digits are.)
ARABIC = r"\d(?<![\d.,]\d)(?:[\d,lO]{0,18}\d)?(?:\.\d{1,6})?(?![\d,])"
CHINESE = r"[零〇○一二两三四五六七八九十百千]{1,12}"
DASH = r"[-—–~～至到]"


@dataclass(frozen=True)
class Figure:
    """A number (or range) with its unit, as found in the text."""

    start: int
    end: int
    value: float
    value_max: float | None
    unit: str
    base_unit: str
    scale: float
    kind: str
    comparator: Comparator
    approximate: bool
    chinese: bool

    @property
    def base_value(self) -> float:
        return self.value * self.scale


@dataclass(frozen=True)
class FigurePattern:
    regex: re.Pattern[str]
    units: dict[str, str]
    scales: dict[str, float]
    after: dict[str, str]
    before: list[tuple[str, str]]


def read_number(text: str) -> float | None:
    """The value of an Arabic or Chinese number as written.

    >>> read_number("1,200"), read_number("1.5"), read_number("1O0"), read_number("一千二百"), read_number("十")
    (1200.0, 1.5, 100.0, 1200.0, 10.0)
    """
    if not text:
        return None
    if text[0].isdigit():
        cleaned = text.replace(",", "").replace("l", "1").replace("O", "0")
        try:
            return float(cleaned)
        except ValueError:
            return None
    value = chinese_to_int(text)
    return None if value is None else float(value)


@compiled_per_rules
def _compile(rules: UnitsRules) -> FigurePattern:
    words = sorted((u.word for u in rules.units), key=len, reverse=True)
    scales = sorted(rules.scales, key=len, reverse=True)
    unit = rf"(?P<scale>{'|'.join(map(re.escape, scales))})?(?P<word>{'|'.join(map(re.escape, words))})"
    number = rf"(?:{ARABIC}|{CHINESE})"
    infix = "|".join(map(re.escape, rules.approximate_infixes)) or "(?!)"
    pattern = (
        rf"(?P<num>{number})\s{{0,2}}(?:(?P<unit1>%|％)\s{{0,2}})?"
        rf"(?:{DASH}\s{{0,2}}(?P<num2>{number})\s{{0,2}})?(?P<infix>{infix})?\s{{0,2}}{unit}"
    )
    after = sorted(rules.comparators_after, key=lambda c: len(c.word), reverse=True)
    before = sorted(rules.comparators_before, key=lambda c: len(c.word), reverse=True)
    return FigurePattern(
        regex=re.compile(pattern),
        units={u.word: u.kind for u in rules.units},
        scales=dict(rules.scales),
        after={c.word: c.symbol for c in after},
        before=[(c.word, c.symbol) for c in before],
    )


def _comparator(text: str, start: int, end: int, pattern: FigurePattern) -> tuple[str | None, int]:
    """The comparator around text[start:end] and where the figure, comparator included, ends."""
    tail = text[end : end + 4].lstrip()
    skipped = len(text[end : end + 4]) - len(tail)
    for word, symbol in pattern.after.items():
        if tail.startswith(word):
            return symbol, end + skipped + len(word)
    head = text[max(0, start - 8) : start].rstrip()
    for word, symbol in pattern.before:
        if head.endswith(word):
            # 以内 closes 控制在…以内; the word before is enough.
            return symbol, end
    return None, end


def find_figures(text: str, rules: UnitsRules) -> list[Figure]:
    """Every figure in `text`, in order.

    >>> from policyparse.rulebook import default_rules
    >>> units = default_rules().units
    >>> [(f.value, f.value_max, f.unit, f.comparator) for f in find_figures("培育5—10家企业，建成100个以上", units)]
    [(5.0, 10.0, '家', 'range'), (100.0, None, '个', '>=')]
    """
    pattern = _compile(rules)
    out: list[Figure] = []
    for found in pattern.regex.finditer(text):
        raw, raw2 = found.group("num"), found.group("num2")
        value = read_number(raw)
        value_max = read_number(raw2) if raw2 else None
        if value is None or (raw2 and value_max is None):
            continue
        if found.group("unit1") and found.group("word") not in ("%", "％"):
            continue  # `5%～10个`: not one figure
        if raw2 and value_max is not None and value_max <= value:
            continue  # `2021-12月`-like runs, not ranges
        if raw[0].isdigit() and ("l" in raw or "O" in raw) and not re.fullmatch(r"\d[\dlO]*\d", raw.replace(".", "")):
            continue
        chinese = not raw[0].isdigit()
        if chinese and raw2:
            continue
        scale_word = found.group("scale") or ""
        word = found.group("word").replace("％", "%")
        start = found.start()
        end = found.end()
        symbol, end = _comparator(text, start, end, pattern)
        comparator: Comparator = "range" if value_max is not None else cast(
            Comparator, symbol or (">=" if found.group("infix") else "=")
        )
        out.append(Figure(
            start=start, end=end, value=value, value_max=value_max, unit=scale_word + word, base_unit=word,
            scale=pattern.scales.get(scale_word, 1.0), kind=pattern.units[word], comparator=comparator,
            approximate=bool(found.group("infix")), chinese=chinese,
        ))
    return out
