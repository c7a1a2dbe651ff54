"""What the stages run, derived once per rule book: the figure pattern, the phrase trimmers,
the run-on heading pattern, the kinds of measures.

Each part is built on first use (a document without figures never builds the figure
pattern) and kept with its book: `book.compiled.figures`. Stages receive the part they need.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

from .. import regexcache
from ..memo import ByIdentity
from ..numerals import DIGITS, SMALL_UNITS
from .schema import PatternRule, RuleBook, alternation

# `l` and `O` typed for 1 and 0 inside a run of digits (`1O0个`), never at its edges.
# Bounded, and never starting inside a longer run of digits: a 10,000-digit string is no
# figure, and reading it must not backtrack over the whole run from every position.
# (The look-behind follows the first digit: a pattern that opens with one is tried at every
# position of the text, one that opens with a digit only where digits are.)
ARABIC = r"\d(?<![\d.,]\d)(?:[\d,lO]{0,18}\d)?(?:\.\d{1,6})?(?![\d,])"
CHINESE = "[" + "".join(DIGITS) + "".join(SMALL_UNITS) + "]{1,12}"
PERCENT = r"%|％"
# A named group turned into a plain one, so that several patterns can share one alternation.
NAMED_GROUP = regexcache.compile(r"\(\?P<\w+>")


@dataclass(frozen=True)
class FigurePattern:
    """A number or range, its scale and unit word, with the words around it that compare."""

    regex: re.Pattern[str]
    units: dict[str, str]
    scales: dict[str, float]
    after: dict[str, str]
    before: dict[str, str]
    # The comparator words after a figure (after blanks) and before it (before blanks), longest first.
    after_word: re.Pattern[str]
    before_word: re.Pattern[str]

    def split_unit(self, unit: str) -> tuple[str, str] | None:
        """(scale word, unit word) of a unit as written (`万千瓦` → (`万`, `千瓦`), `MW` → (``, `MW`)), else None."""
        if unit in self.units:
            return "", unit
        scale = next((s for s in sorted(self.scales, key=len, reverse=True)
                      if unit.startswith(s) and unit[len(s) :] in self.units), None)
        return (scale, unit[len(scale) :]) if scale else None


@dataclass(frozen=True)
class WordRun:
    """A run of listed words closing a phrase (`…同比增长`), found by tiling the phrase from its end.

    The regex `(?:年均增长|年均|增长)+$` finds the same run but backtracks exponentially over a
    phrase that repeats the words and ends in something else; this is linear in the phrase.
    """

    words: frozenset[str]
    longest: int

    @classmethod
    def of(cls, words: Iterable[str]) -> WordRun:
        listed = frozenset(word for word in words if word)
        return cls(listed, max(map(len, listed), default=0))

    def strip_end(self, text: str) -> str:
        """`text` without the longest run of the words it ends with."""
        size = len(text)
        tiled = [False] * size + [True]  # tiled[i]: text[i:] is a run of the words
        start = size
        # Further left than a word's length from the run found so far, nothing can join it.
        for i in range(size - 1, -1, -1):
            if i < start - self.longest:
                break
            if any(tiled[i + k] and text[i : i + k] in self.words for k in range(1, min(self.longest, size - i) + 1)):
                tiled[i] = True
                start = i
        return text[:start]


@dataclass(frozen=True, eq=False)  # one per rule book: compared and hashed as itself, cheaply (it keys caches)
class Phrases:
    """The word lists of `targets.toml` as patterns: runs of them at the start or end of a phrase."""

    leading: re.Pattern[str]
    trailing: WordRun
    opening: re.Pattern[str]
    comparison_base: re.Pattern[str]
    activity_suffix: re.Pattern[str]
    leading_qualifier: re.Pattern[str]
    verbs: frozenset[str]
    nominal_suffixes: frozenset[str]
    # Words the tokenizer keeps whole (`同比增长`, `提升改造`).
    tokenizer_words: frozenset[str]
    particles: str
    conjunctions: tuple[str, ...]
    comparison_words: tuple[str, ...]
    share_heads: tuple[str, ...]
    max_chars: int
    head_breaks: tuple[str, ...]
    # Any time expression of times.toml: never part of an indicator.
    time_expression: re.Pattern[str]
    # An outline number an item of a list opens with (`（四）`): never part of an indicator.
    leading_marker: re.Pattern[str]


def _any_of(rules: Iterable[PatternRule]) -> str:
    """One alternation of the rules' patterns, their named groups made plain so that they can share it."""
    return "|".join(f"(?:{NAMED_GROUP.sub('(?:', rule.pattern.pattern)})" for rule in rules)


def _run_of(words: list[str]) -> str:
    return alternation(words) + "+"


class CompiledRules:
    """The derived parts of one rule book."""

    def __init__(self, book: RuleBook):
        self.book = book

    @cached_property
    def figures(self) -> FigurePattern:
        rules = self.book.measures
        unit = (f"(?P<scale>{alternation(rules.scales)})?"
                f"(?P<word>{alternation(u.word for u in rules.units)})")
        number = rf"(?:{ARABIC}|{CHINESE})"
        dash = alternation(rules.range_dashes)
        infix = alternation(rules.approximate_infixes) if rules.approximate_infixes else "(?!)"
        after_number = (rf"\s{{0,2}}(?:(?P<unit1>{PERCENT})\s{{0,2}})?"
                        rf"(?:{dash}\s{{0,2}}(?P<num2>{number})\s{{0,2}})?(?P<infix>{infix})?\s{{0,2}}{unit}")
        # What may follow a number, as a look-ahead: most numerals of a text (`一是`, `进一步`) are followed by none
        # of it, and a class fails at once where the unit words would be tried one by one (figures 20% faster).
        follow = regexcache.first_class([regexcache.compile(after_number)])
        pattern = rf"(?P<num>{number})" + (f"(?=[{follow}])" if follow else "") + after_number
        after = sorted(rules.comparators_after, key=lambda c: len(c.word), reverse=True)
        before = sorted(rules.comparators_before, key=lambda c: len(c.word), reverse=True)
        return FigurePattern(
            regex=regexcache.compile(pattern),
            units={u.word: u.kind for u in rules.units},
            scales=dict(rules.scales),
            after={c.word: c.symbol for c in after},
            before={c.word: c.symbol for c in before},
            after_word=regexcache.compile(
                r"\s*(" + "|".join(re.escape(c.word) for c in after) + ")" if after else "(?!)"),
            before_word=regexcache.compile(
                "(" + "|".join(re.escape(c.word) for c in before) + r")\s*\Z" if before else "(?!)"),
        )

    @cached_property
    def phrases(self) -> Phrases:
        rules = self.book.targets
        return Phrases(
            leading=regexcache.compile("^" + _run_of(rules.leading_words)),
            trailing=WordRun.of(rules.trailing_words),
            opening=regexcache.compile(
                "^" + _run_of([*rules.modality_words, *rules.aggregation_words, *rules.leading_words])),
            comparison_base=rules.comparison_base.pattern,
            activity_suffix=rules.activity_suffix.pattern,
            leading_qualifier=rules.leading_qualifier.pattern,
            verbs=frozenset(rules.action_verbs),
            nominal_suffixes=frozenset(rules.nominal_suffixes),
            tokenizer_words=frozenset({*rules.action_verbs, *rules.modality_words, *rules.aggregation_words,
                                       *rules.growth_words}),
            particles="".join(rules.attributive_particles),
            conjunctions=tuple(rules.conjunctions),
            comparison_words=tuple(rules.comparison_words),
            share_heads=tuple(rules.share_heads),
            max_chars=rules.indicator_max_chars,
            head_breaks=tuple(rules.head_breaks),
            leading_marker=regexcache.compile(f"^(?:{_any_of(self.book.outline.marker)})\\s{{0,2}}"),
            time_expression=regexcache.compile(_any_of(self.book.times.time)),
        )

    @cached_property
    def run_on_marker(self) -> re.Pattern[str]:
        """Where a heading may run straight on from the one before: after a phrase end, a marker of any form."""
        markers = _any_of(self.book.outline.marker)
        return regexcache.compile(f"(?:{self.book.outline.run_on_after.pattern.pattern})\\s{{0,2}}(?=(?:{markers}))")

    @cached_property
    def heading_lines(self) -> re.Pattern[str] | None:
        """The start of every line where a heading may open, found in one pass: its first character after
        spaces and tabs one a marker form may start with, or after any blanks the first of an attachment or box
        heading; or a line long enough to hold headings run together. None when a form may start with any
        character."""
        outline = self.book.outline
        marker = regexcache.first_class(rule.regex for rule in outline.marker)
        whole_line = regexcache.first_class([*(rule.regex for rule in outline.attachment), outline.box.regex],
                                            after_blanks=True)
        if marker is None or whole_line is None:
            return None
        return regexcache.compile(
            f"(?m)^(?=[ \\t]*[{marker}]|[^\\S\\n]*[{whole_line}]|[^\\n]{{{outline.midline_min_length}}})")

    @cached_property
    def table_columns(self) -> dict[str, str]:
        """Header word → the task-table column it names (`责任单位` → `support`)."""
        return {word: name for name, words in dataclasses.asdict(self.book.tables.columns).items() for word in words}

    @cached_property
    def column_line(self) -> re.Pattern[str]:
        """A line that is one header word, blanks and `*` apart, as `_column_of` reads a line (`  **序号**`):
        over a whole text, to skip a text without a table in one search."""
        words = sorted(self.table_columns, key=len, reverse=True)
        return regexcache.compile(r"(?m)^[^\S\n]*\**(?P<word>" + "|".join(map(re.escape, words)) + r")\**[^\S\n]*$")

    @cached_property
    def measure_kinds(self) -> dict[str, str]:
        """Unit word → kind of quantity (`亩` → area)."""
        return {unit.word: unit.kind for unit in self.book.measures.units}


_compiled = ByIdentity[RuleBook, CompiledRules]()


def compiled_rules(book: RuleBook) -> CompiledRules:
    """The one `CompiledRules` of `book`."""
    return _compiled.get(book, CompiledRules)
