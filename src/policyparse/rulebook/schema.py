"""The rule-file models: what each file in `rules/` may hold, as dataclasses pydantic validates.

Every regex field is a `Regex`: compiled when the file is validated, checked for
catastrophic backtracking (unless it is a shipped pattern, which the tests check), and
written as `(?&measure)` where it needs the words of another file (see `Validation`).
A pattern rule also carries examples and counter-examples, run when a user's rule is
loaded. Behaviour a rule needs is a field of the rule (`scope`, `check_shape`), so code
never tests a rule's id. The classes are plain dataclasses (`policyparse.fields`): a book
read back from the cache is used without building pydantic's validators.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import types
import typing
from collections.abc import Iterable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Literal, TypeVar, dataclass_transform

from .. import regexcache
from ..fields import adapter, field
from .safety import unsafe

if TYPE_CHECKING:
    from pydantic import GetCoreSchemaHandler
    from pydantic_core import CoreSchema

    from .compiled import CompiledRules

# `(?&name)` is PCRE's call of a named pattern; Python's re has no such syntax, so a rule
# naming a word class can never be mistaken for a plain pattern.
WORD_CLASS = regexcache.compile(r"\(\?&(\w+)\)")
# The shipped patterns are a few hundred characters; a pattern of megabytes is no rule.
MAX_PATTERN_CHARS = 10_000


@dataclass(frozen=True)
class Validation:
    """What validating rule files knows beyond them: the shipped pattern texts (checked by the tests,
    trusted at run time), and the word classes a pattern may name."""

    trusted: frozenset[str] = frozenset()
    word_classes: dict[str, str] = dataclasses.field(default_factory=dict)


# The validation under way, if any: a rule made in code trusts no pattern and knows no word class.
_validation: ContextVar[Validation | None] = ContextVar("validation", default=None)
NOTHING_KNOWN = Validation()


def expand_word_classes(pattern: str, classes: dict[str, str]) -> str:
    """`(?&measure)` replaced by the alternation of the measure words (longest first)."""

    def words_of(found: re.Match[str]) -> str:
        name = found.group(1)
        if name not in classes:
            raise ValueError(f"unknown word class (?&{name}); known: {', '.join(sorted(classes)) or 'none'}")
        return classes[name]

    return WORD_CLASS.sub(words_of, pattern)


def alternation(words: Iterable[str]) -> str:
    """A non-capturing group matching any of `words`, longest first (`人次` before `人`)."""
    return "(?:" + "|".join(map(re.escape, sorted(set(words), key=lambda w: (-len(w), w)))) + ")"


def _compile_checked(value: Any) -> re.Pattern[str]:
    if isinstance(value, re.Pattern):
        return value
    if not isinstance(value, str):
        raise ValueError("a regular expression must be a string")
    if len(value) > MAX_PATTERN_CHARS:
        raise ValueError(f"{len(value):,} characters long; a rule's pattern is at most {MAX_PATTERN_CHARS:,}")
    validation = _validation.get() or NOTHING_KNOWN
    source = expand_word_classes(value, validation.word_classes)
    try:
        compiled = regexcache.compile(source)
        problem = None if value in validation.trusted else unsafe(source)
    except re.error as exc:
        raise ValueError(str(exc)) from None
    except OverflowError as exc:  # `a{4294967296}`
        raise ValueError(f"a repeat count too large: {exc}") from None
    except RecursionError:  # thousands of nested groups
        raise ValueError("groups nested too deeply to compile") from None
    if problem:
        raise ValueError(f"{problem}; make what the repeated parts match distinct")
    return compiled


if TYPE_CHECKING:
    Regex = re.Pattern[str]
    Char = str
else:

    class Regex:
        """A regular expression as a rule file writes it; validated into a compiled pattern, written as its text."""

        @classmethod
        def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
            from pydantic_core import core_schema

            return core_schema.no_info_before_validator_function(
                _compile_checked, core_schema.is_instance_schema(re.Pattern),
                serialization=core_schema.plain_serializer_function_ser_schema(
                    lambda pattern: pattern.pattern, return_schema=core_schema.str_schema()))

    class Char:
        """One character."""

        @classmethod
        def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
            from pydantic_core import core_schema

            return core_schema.str_schema(min_length=1, max_length=1)


T = TypeVar("T")


@dataclass_transform(kw_only_default=True, field_specifiers=(field,))
def rules(cls: type[T]) -> type[T]:
    """A class of rule-file content: a keyword-only dataclass."""
    return dataclass(kw_only=True)(cls)


class Strict:
    # Read by pydantic: a key a rule file's entry does not define is refused.
    __pydantic_config__: ClassVar[dict[str, Any]] = {"extra": "forbid"}


@rules
class PatternRule(Strict):
    """A regular expression with its own examples (must match) and counter-examples (must not)."""

    required_groups: ClassVar[tuple[str, ...]] = ()
    # Anchored rules are matched at a position (a heading start), not searched in a line.
    anchored: ClassVar[bool] = False

    id: str = field(pattern=r"^[a-z0-9_]+(\.[a-z0-9_]+)+$", description="Dotted rule id, e.g. `noise.page_number`.")
    description: str = field(default="", description="Why the rule exists.")
    pattern: Regex = field(description="Python regular expression; `(?&measure)` names the measure words.")
    examples: list[str] = field(default_factory=list, description="Texts the pattern must find.")
    counter_examples: list[str] = field(default_factory=list, description="Texts the pattern must not find.")

    def __post_init__(self) -> None:
        self.pattern = _compile_checked(self.pattern)  # a rule made in code may give the text
        missing = [g for g in self.required_groups if g not in self.pattern.groupindex]
        if missing:
            raise ValueError(f"pattern: missing named group(s) {', '.join(missing)}")
        if self.pattern.pattern not in (_validation.get() or NOTHING_KNOWN).trusted:
            failures = self.example_failures()
            if failures:
                raise ValueError(f"examples: {failures[0]}")

    @property
    def regex(self) -> re.Pattern[str]:
        return self.pattern

    def example_failures(self) -> list[str]:
        """Examples the pattern misses and counter-examples it finds, as messages."""
        find = self.pattern.match if self.anchored else self.pattern.search
        failures = [f"example not matched: {ex!r}" for ex in self.examples if not find(ex)]
        failures += [f"counter-example matched: {ex!r}" for ex in self.counter_examples if find(ex)]
        return failures


@rules
class MarkerRule(PatternRule):
    """One printed form of an outline number. Forms that share `form` share a level."""

    required_groups: ClassVar[tuple[str, ...]] = ("num",)
    anchored: ClassVar[bool] = True
    form: str = field(description="Level identity: `㈠` and `（一）` are both form `paren_cn`.")
    numeral: Literal["chinese", "arabic", "enclosed_chinese", "parenthesized_digit", "circled"] = field(
        description="How the `num` group is read as a number."
    )
    id_format: str = field(description="Id part made from the number, e.g. `({num})`; `{raw}`: the number as printed.")
    midline: bool = field(default=False, description="May open a heading after `。` or `：` on a flattened line.")
    title: Literal["sentence", "bracketed"] = field(
        default="sentence",
        description="`sentence`: the title runs to the first `。`; `bracketed`: only a heading in brackets right "
        "after the marker is a title (articles: `第三条（资金来源）…`), else the title is empty.",
    )


@rules
class AttachmentRule(PatternRule):
    """`附件`/`附表` headings; an optional `title` group carries a title on the same line."""

    required_groups: ClassVar[tuple[str, ...]] = ("label", "num")


@rules
class DateRule(PatternRule):
    required_groups: ClassVar[tuple[str, ...]] = ("year", "month", "day")


@rules
class DocNumberRule(PatternRule):
    required_groups: ClassVar[tuple[str, ...]] = ("number",)


@rules
class TitleRule(PatternRule):
    required_groups: ClassVar[tuple[str, ...]] = ("title",)


@rules
class NamedRule(PatternRule):
    required_groups: ClassVar[tuple[str, ...]] = ("name",)


@rules
class YearRule(PatternRule):
    required_groups: ClassVar[tuple[str, ...]] = ("year",)


@rules
class NormalizeRules(Strict):
    noise: list[PatternRule] = field(
        default_factory=list,
        description="Page furniture and scraper chrome: the span each matches is removed (a whole line only when "
        "the pattern spans it), and the Han characters removed are counted.",
    )
    strip: list[PatternRule] = field(
        default_factory=list, description="Spans removed from inside lines before script conversion (pinyin glosses)."
    )
    mojibake: list[PatternRule] = field(default_factory=list, description="Signs of damaged decoding.")
    header_keys: list[str] = field(
        default_factory=list,
        description="Keys of a header a scraper or database writes before the text (`标题`, `发布时间`, `原文链接`); "
        "two or more such `key: value` lines at the top are read as metadata, not text.",
    )
    header_end: PatternRule = field(description="A banner closing a scraper's header (`==== 正文 ====`).")


@rules
class OutlineRules(Strict):
    marker: list[MarkerRule] = field(default_factory=list)
    attachment: list[AttachmentRule] = field(default_factory=list, description="Attachment headings.")
    midline_min_length: int = field(
        default=800, description="A line at least this long counts as a flattened body: headings may start after `。`."
    )
    heading_words: list[str] = field(
        default_factory=list,
        description="Common headings; on a flattened line, a heading that is one of them ends with it.",
    )
    run_on_after: PatternRule = field(
        description="The character a heading may run straight on from (`基本原则（一）聚集重点`): one that ends a "
        "phrase. A marker of any form right after it is a candidate heading."
    )
    box: PatternRule = field(
        description="The heading of a boxed panel (`专栏1 重点工程`): neither it nor the items numbered inside it "
        "are sections; what they hold belongs to the section around the box."
    )
    contents_leader: PatternRule = field(
        description="The leader (and page number) a line of a table of contents ends with: such a line names a "
        "heading that comes later, and is not one."
    )


@rules
class MetadataRules(Strict):
    doc_number: list[DocNumberRule] = field(default_factory=list)
    date: list[DateRule] = field(default_factory=list)
    front_matter_date: list[DateRule] = field(
        default_factory=list, description="Further date forms read only in a front-matter value (`2021-06-29`)."
    )
    title_cited: list[TitleRule] = field(
        default_factory=list, description="Titles named by the notice text."
    )
    issuer_suffixes: list[str] = field(description="Endings of the names of issuing bodies.")
    title_endings: list[str] = field(description="Words a document title ends with (通知, 方案, …).")
    notice_words: list[str] = field(
        description="Words a notice title holds (`关于…的通知`); a line holding one is a title, not a list of issuers."
    )
    letterhead_suffixes: list[str] = field(
        default_factory=list, description="Words closing a letterhead line of issuers (`某某委员会文件`)."
    )
    front_matter_keys: dict[str, list[str]] = field(
        description="Metadata field → keys of an export's front matter that carry it."
    )
    record_keys: dict[str, list[str]] = field(
        default_factory=dict,
        description="Metadata field → header keys that name the field itself as the publisher records it (a "
        "gov.cn header table's `成文日期`, `发文字号`, `发文机关`): their value wins over the body's reading, where "
        "a publication date or a scraper's source does not.",
    )
    site_words: list[str] = field(description="Words that mark a front-matter publisher as a website, not an issuer.")


@rules
class UnitWord(Strict):
    word: str = field(min_length=1, description="The unit as written, without scale: `个`, `亩`, `元`.")
    kind: Literal["count", "money", "share", "area", "people", "duration", "volume", "other"]


@rules
class ComparatorWord(Strict):
    word: str = field(min_length=1)
    symbol: Literal[">=", "<=", "~"]


@rules
class MeasuresRules(Strict):
    """Units of measure, their scales, and the words that say how a figure compares."""

    scales: dict[str, float] = field(description="Scale words and their factors: 万 → 10000.")
    units: list[UnitWord]
    comparators_after: list[ComparatorWord]
    comparators_before: list[ComparatorWord]
    approximate_infixes: list[str] = field(default_factory=list, description="`100余个`: more than the number.")
    range_dashes: list[str] = field(description="What joins the two ends of a range: `2—3个`, `5至10家`.")


@rules
class ExclusionRule(PatternRule):
    keep_as: Literal["incentive"] | None = field(
        default=None, description="`incentive`: the figures it covers are kept as incentives, not dropped."
    )


@rules
class TargetsRules(Strict):
    action_verbs: list[str]
    nominal_suffixes: list[str]
    trailing_words: list[str]
    leading_words: list[str]
    growth_words: list[str]
    share_words: list[str]
    people_nouns: list[str]
    funding_words: list[str]
    modality_words: list[str]
    after_stop_words: list[str]
    aggregation_words: list[str]
    adjacent_aggregation_words: list[str] = field(
        default_factory=list, description="Aggregation words that count only right before the figure (`各1000万元`)."
    )
    list_joiners: list[str] = field(description="Words joining the items of a list (`、`, `和`).")
    respectively_words: list[str] = field(
        description="Words that hand listed figures to listed indicators in order (`分别`)."
    )
    conjunctions: list[str] = field(description="Words between two verbs or two phrases (`新建或提升改造`).")
    attributive_particles: list[Char] = field(description="Particles joining a modifier to its noun (`的`).")
    counted_kinds: list[str] = field(
        description="Kinds of measure that count the noun after them (`5个产业集群`); a bounded figure of another "
        "kind right before a noun qualifies it (`5000头以上生猪规模养殖场`) and is no target."
    )
    indicator_max_chars: int = field(description="An indicator longer than this is cut to its head.")
    head_breaks: list[Char] = field(description="Where a long noun phrase's modifiers end (`、`, `等`, `的`).")
    share_heads: list[str] = field(
        description="Nouns that name a share or rate (`比例`, `覆盖率`): a share keeps what it is a share of."
    )
    comparison_words: list[str] = field(description="Words opening a comparison (`比上年增加`): the same indicator.")
    review_section_words: list[str] = field(
        description="A section whose title holds one (`2023年工作回顾`, `发展现状`) reports what was done: its figures "
        "are past facts, not targets, unless the title also holds a word of `forward_section_words`."
    )
    forward_section_words: list[str] = field(
        description="Words of a title that looks ahead (`目标`, `任务`): `“十三五”时期发展成就和“十四五”主要目标`."
    )
    condition_section_words: list[str] = field(
        description="A section whose title holds one (`申报条件`, `计算方法`) sets conditions: no targets in it."
    )
    activity_suffix: PatternRule = field(description="Activity nouns an indicator may end with, removed.")
    comparison_base: PatternRule = field(description="A comparison base an indicator may end with, removed.")
    leading_qualifier: PatternRule = field(description="A measured qualifier an indicator may start with, removed.")
    exclusion: list[ExclusionRule] = field(default_factory=list, description="Spans whose numbers are never targets.")
    cap_words: list[str] = field(description="Words before an incentive's figure that make it a cap (`最高`, `上限`).")
    recipient: NamedRule = field(description="The condition naming who receives an incentive; its `name` group.")


GROUPS_BY_KIND = {
    "point": ("year",),
    "period": ("y1", "m1", "m2"),
    "years": ("y1", "y2"),
    "recurring": ("every",),
    "relative": ("word",),
    "five_year": ("n",),
}


@rules
class TimeRule(PatternRule):
    kind: Literal["point", "period", "years", "recurring", "relative", "five_year"]
    limit: bool = field(description="Whether it is a time limit on its own, listed under `deadlines`.")

    def __post_init__(self) -> None:
        super().__post_init__()
        missing = [g for g in GROUPS_BY_KIND[self.kind] if g not in self.pattern.groupindex]
        if missing:
            raise ValueError(f"pattern: a {self.kind} rule needs named group(s) {', '.join(missing)}")


@rules
class TimesRules(Strict):
    """Time expressions: which are limits, how they are read, and the goals that scope a plan."""

    time: list[TimeRule]
    not_limit: list[PatternRule] = field(
        default_factory=list, description="Start, effective and issuing dates, which are not time limits."
    )
    name_year: list[PatternRule] = field(default_factory=list, description="Years that are part of a name.")
    not_limit_leads: list[str] = field(description="Words before a date that state a fact, not a limit (`截至`).")
    weak_leads: list[str] = field(description="Words before a year that may also stand before a name (`于`, `在`).")
    year_end_words: list[str] = field(description="End words that mean December (`2022年底`) or the end of a year.")
    quarter_words: list[str] = field(description="Words of a recurring limit that mean every quarter.")
    half_year_words: list[str] = field(description="Words of a recurring limit that mean every half year.")
    next_year_words: list[str] = field(description="Relative words that mean the year after the document's.")
    goal_section_words: list[str] = field(description="A section whose title holds one sets the plan's horizon.")
    title_year: YearRule = field(
        description="A year in a title, the plan's horizon when its goals section sets none."
    )


@rules
class StatementRule(PatternRule):
    scope: Literal["paragraph", "section"] = field(
        default="paragraph",
        description="`section`: a statement on a line of its own (`责任单位：…`) assigns its whole section.",
    )
    check_shape: bool = field(
        default=False,
        description="Its words are units only if every one looks like a unit (a unit suffix, 2–30 characters); "
        "a closing statement of this kind also assigns the sections it names in quotes.",
    )

    def __post_init__(self) -> None:
        super().__post_init__()
        if not ({"units", "lead"} & set(self.pattern.groupindex)):
            raise ValueError("pattern: needs a named group `units` or `lead`")


@rules
class ResponsibleRules(Strict):
    """Statements of responsible bodies, and how a list of them is split and cleaned."""

    statement: list[StatementRule]
    separator: PatternRule = field(description="What splits a list of units.")
    label_prefix: PatternRule = field(description="A label (`配合单位：`) inside a list of units, dropped.")
    placeholder: PatternRule = field(description="Words that name no body (`相关单位`).")
    person: PatternRule = field(description="People and posts (`副县长`).")
    names_with_and: list[str] = field(description="Unit names with a separator word inside, never split there.")
    list_trailing_words: list[str] = field(description="Words closing a list that are no part of a unit (`等`).")
    suffixes: list[str] = field(description="Endings of unit names.")
    aliases: dict[str, str] = field(default_factory=dict, description="Written name → reported name.")


@rules
class TableColumns(Strict):
    no: list[str]
    category: list[str]
    project: list[str]
    task: list[str]
    lead: list[str]
    support: list[str]
    deadline: list[str]
    note: list[str]


@rules
class TablesRules(Strict):
    columns: TableColumns
    total_labels: list[str] = field(description="Labels of a table's total row (`合计`, `汇总`).")
    count_unit: str = field(description="The unit of an allocation column whose header names none (`新增示范工程`).")
    deadline_cell: PatternRule = field(description="A 完成时限 cell: a date, or a phrase for an open-ended task.")
    run_together: list[PatternRule] = field(default_factory=list)


@rules
class FindingRule(Strict):
    """A kind of finding `policyparse check` reports: its severity, and texts it must and must not be found in."""

    id: str = field(pattern=r"^[a-z0-9_]+(\.[a-z0-9_]+)+$", description="Dotted rule id, e.g. `check.row_differs`.")
    code: Literal["body_without_row", "row_differs", "row_without_unit", "deadline_after_horizon",
                  "deadline_before_issue", "phase_reversed", "unit_only_in_table", "unit_two_spellings",
                  "total_mismatch", "numbering_gap", "numbering_repeat"] = field(
        description="The kind of finding, as reported.")
    severity: Literal["error", "warning", "info"] = field(description="`error` makes `check` exit 1.")
    description: str = field(description="What the finding means, for a person.")
    examples: list[str] = field(default_factory=list, description="Documents in which check reports it.")
    counter_examples: list[str] = field(default_factory=list, description="Documents in which it does not.")


@rules
class PhasePattern(PatternRule):
    required_groups: ClassVar[tuple[str, ...]] = ("start_year", "start_month", "end_year", "end_month")


@rules
class TotalPattern(PatternRule):
    required_groups: ClassVar[tuple[str, ...]] = ("total", "parts")


@rules
class CheckRules(Strict):
    """What `policyparse check` looks for: a plan checked against itself."""

    finding: list[FindingRule] = field(default_factory=list)
    phase: PhasePattern = field(description="A phase with its start and end (`2021年1月—2021年6月`).")
    total: TotalPattern = field(description="A total followed by its parts in brackets.")
    short_forms: dict[str, str] = field(
        default_factory=dict, description="Ending of a unit's full name → ending of its short form (`委员会` → `委`): "
        "two spellings of one unit.")


@rules
class RuleBook(Strict):
    """Every rule policyparse runs, merged from the shipped set and any user directories."""

    normalize: NormalizeRules
    outline: OutlineRules
    metadata: MetadataRules
    measures: MeasuresRules
    targets: TargetsRules
    times: TimesRules
    responsible: ResponsibleRules
    tables: TablesRules
    checks: CheckRules

    def pattern_rules(self) -> Iterable[tuple[str, PatternRule]]:
        """Every pattern rule with the file it belongs to."""
        for name in (f.name for f in dataclasses.fields(self)):
            part = getattr(self, name)
            for inner in dataclasses.fields(part):
                value = getattr(part, inner.name)
                for rule in value if isinstance(value, list) else [value]:
                    if isinstance(rule, PatternRule):
                        yield f"{name}.toml", rule

    @property
    def compiled(self) -> CompiledRules:
        """What the stages run, derived from these rules once."""
        from .compiled import compiled_rules

        return compiled_rules(self)


def validate_book(raws: dict[str, Any], validation: Validation) -> RuleBook:
    """The rule book of the merged files' raw data; what is wrong raises `pydantic.ValidationError`."""
    token = _validation.set(validation)
    try:
        book: RuleBook = adapter(RuleBook).validate_python(raws)
    finally:
        _validation.reset(token)
    return book


def build_trusted(raws: dict[str, Any], validation: Validation) -> RuleBook:
    """The rule book of the shipped files, built as they are written, without pydantic.

    The shipped files are validated by the test suite and `rules check` (which also asserts that
    this builds the same book as `validate_book`); trusting them here keeps pydantic's validator
    (~200 ms to build and run) out of the first run on a machine. Patterns are still compiled by
    `_compile_checked`, and each rule's own checks run in `__post_init__`.
    """
    token = _validation.set(validation)
    try:
        book: RuleBook = _built(RuleBook, raws)
    finally:
        _validation.reset(token)
    return book


def _built(kind: Any, raw: Any) -> Any:
    """`raw` as a value of the type `kind`, as pydantic would validate a valid one."""
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        hints = _hints(kind)
        return kind(**{f.name: _built(hints[f.name], raw[f.name]) for f in dataclasses.fields(kind)
                       if f.name in raw})
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin is list:
        return [_built(args[0], item) for item in raw]
    if origin is dict:
        return {key: _built(args[1], value) for key, value in raw.items()}
    if origin in (typing.Union, types.UnionType):
        return None if raw is None else _built(next(arg for arg in args if arg is not type(None)), raw)
    if kind is Regex:
        return _compile_checked(raw)
    if kind is float:
        return float(raw)
    return raw


@functools.cache
def _hints(kind: type) -> dict[str, Any]:
    return typing.get_type_hints(kind)

