"""Find figures (a number, or a range, with its unit and comparator) in normalized text.

`150个以上`, `2—3个`, `2%～3%`, `1.2亿元`, `35-36MW`, `一千二百人`, `100余个`, `各1000万元`:
each is a `Figure` with its span, the number as written, the base value and unit, and
the comparator words around it. The unit words and comparator words are data
(`rules/measures.toml`), built into one pattern by `rulebook.compiled`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import cast

from ..models import Comparator
from ..numerals import chinese_to_int
from ..rulebook.compiled import FigurePattern


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


def _comparator(text: str, start: int, end: int, pattern: FigurePattern) -> tuple[str | None, int]:
    """The comparator around text[start:end] and where the figure, comparator included, ends."""
    # One search each way, within the four characters after the figure and the eight before it.
    found = pattern.after_word.match(text, end, end + 4)
    if found:
        return pattern.after[found.group(1)], found.end()
    found = pattern.before_word.search(text, max(0, start - 8), start)
    if found:
        # 以内 closes 控制在…以内; the word before is enough.
        return pattern.before[found.group(1)], end
    return None, end


def find_figures(text: str, pattern: FigurePattern) -> list[Figure]:
    """Every figure in `text`, in order.

    >>> from policyparse.rulebook import default_rules
    >>> figures = default_rules().compiled.figures
    >>> [(f.value, f.value_max, f.unit, f.comparator) for f in find_figures("培育5—10家企业，建成100个以上", figures)]
    [(5.0, 10.0, '家', 'range'), (100.0, None, '个', '>=')]
    """
    out: list[Figure] = []
    for found in pattern.regex.finditer(text):
        raw, raw2, unit1, word, scale_word, infix = found.group("num", "num2", "unit1", "word", "scale", "infix")
        value = read_number(raw)
        value_max = read_number(raw2) if raw2 else None
        if value is None or (raw2 and value_max is None):
            continue
        if unit1 and word not in ("%", "％"):
            continue  # `5%～10个`: not one figure
        if raw2 and value_max is not None and value_max <= value:
            continue  # `2021-12月`-like runs, not ranges
        if raw[0].isdigit() and ("l" in raw or "O" in raw) and not re.fullmatch(r"\d[\dlO]*\d", raw.replace(".", "")):
            continue
        chinese = not raw[0].isdigit()
        if chinese and raw2:
            continue
        scale_word = scale_word or ""
        word = word.replace("％", "%")
        start, end = found.span()
        symbol, end = _comparator(text, start, end, pattern)
        comparator: Comparator = "range" if value_max is not None else cast(
            Comparator, symbol or (">=" if infix else "=")
        )
        out.append(Figure(
            start=start, end=end, value=value, value_max=value_max, unit=scale_word + word, base_unit=word,
            scale=pattern.scales.get(scale_word, 1.0), kind=pattern.units[word], comparator=comparator,
            approximate=bool(infix), chinese=chinese,
        ))
    return out
