"""Load the rules in `rules/*.toml` into validated models.

Rules are data: each file is read with `tomllib`, validated by a pydantic model with
`extra="forbid"`, and every pattern is compiled and checked for the named groups its
stage reads. A broken file fails with `rules/outline.toml: rule outline.cn_comma:
pattern: …` instead of a traceback. Users add their own directory of files with the
same names; a user rule with the id of a shipped one replaces it.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Iterable
from functools import cache, cached_property
from importlib import resources
from pathlib import Path
from typing import Any, ClassVar, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, model_validator

from .errors import RuleError
from .regexcheck import catastrophic_backtracking

T = TypeVar("T")
# Validation context key: patterns from the shipped rule set, checked by the tests, not at every start.
TRUSTED = "trusted"


class PatternRule(BaseModel):
    """A regular expression with its own examples (must match) and counter-examples (must not)."""

    model_config = ConfigDict(extra="forbid")
    required_groups: ClassVar[tuple[str, ...]] = ()
    # Anchored rules are matched at a position (a heading start), not searched in a line.
    anchored: ClassVar[bool] = False

    id: str = Field(pattern=r"^[a-z0-9_]+(\.[a-z0-9_]+)+$", description="Dotted rule id, e.g. `noise.page_number`.")
    description: str = Field(default="", description="Why the rule exists.")
    pattern: str = Field(description="Python regular expression.")
    examples: list[str] = Field(default_factory=list, description="Texts the pattern must find.")
    counter_examples: list[str] = Field(default_factory=list, description="Texts the pattern must not find.")

    @model_validator(mode="after")
    def _compile(self, info: ValidationInfo) -> PatternRule:
        try:
            compiled = re.compile(self.pattern)
        except re.error as exc:
            raise ValueError(f"pattern: {exc}") from None
        missing = [g for g in self.required_groups if g not in compiled.groupindex]
        if missing:
            raise ValueError(f"pattern: missing named group(s) {', '.join(missing)}")
        trusted = bool(info.context and info.context.get(TRUSTED))
        problem = None if trusted else catastrophic_backtracking(self.pattern)
        if problem:
            raise ValueError(f"pattern: {problem}; bound the inner repeat or make what it matches distinct")
        return self

    # A plain cached attribute: rules are read in every inner loop, and pydantic's private
    # attributes cost a __getattr__ round trip on each read.
    @cached_property
    def regex(self) -> re.Pattern[str]:
        return re.compile(self.pattern)

    def example_failures(self) -> list[str]:
        """Examples the pattern misses and counter-examples it finds, as messages."""
        find = self.regex.match if self.anchored else self.regex.search
        failures = [f"example not matched: {ex!r}" for ex in self.examples if not find(ex)]
        failures += [f"counter-example matched: {ex!r}" for ex in self.counter_examples if find(ex)]
        return failures


class MarkerRule(PatternRule):
    """One printed form of an outline number. Forms that share `form` share a level."""

    required_groups: ClassVar[tuple[str, ...]] = ("num",)
    anchored: ClassVar[bool] = True
    form: str = Field(description="Level identity: `㈠` and `（一）` are both form `paren_cn`.")
    numeral: Literal["chinese", "arabic", "enclosed_chinese", "parenthesized_digit", "circled"] = Field(
        description="How the `num` group is read as a number."
    )
    id_format: str = Field(description="Id part made from the number, e.g. `({num})`; `{raw}`: the number as printed.")
    midline: bool = Field(default=False, description="May open a heading after `。` or `：` on a flattened line.")
    title: Literal["sentence", "bracketed"] = Field(
        default="sentence",
        description="`sentence`: the title runs to the first `。`; `bracketed`: only a heading in brackets right "
        "after the marker is a title (articles: `第三条（资金来源）…`), else the title is empty.",
    )


class AttachmentRule(PatternRule):
    """`附件`/`附表` headings; an optional `title` group carries a title on the same line."""

    required_groups: ClassVar[tuple[str, ...]] = ("label", "num")


class DateRule(PatternRule):
    required_groups: ClassVar[tuple[str, ...]] = ("year", "month", "day")


class DocNumberRule(PatternRule):
    required_groups: ClassVar[tuple[str, ...]] = ("number",)


class NormalizeRules(BaseModel):
    model_config = ConfigDict(extra="forbid")
    drop_line: list[PatternRule] = Field(default_factory=list, description="Whole lines that are not document text.")
    strip: list[PatternRule] = Field(default_factory=list, description="Spans removed from inside lines.")
    mojibake: list[PatternRule] = Field(default_factory=list, description="Signs of damaged decoding.")


class OutlineRules(BaseModel):
    model_config = ConfigDict(extra="forbid")
    marker: list[MarkerRule] = Field(default_factory=list)
    attachment: list[AttachmentRule] = Field(default_factory=list, description="Attachment headings.")
    midline_min_length: int = Field(
        default=800, description="A line at least this long counts as a flattened body: headings may start after `。`."
    )
    heading_words: list[str] = Field(
        default_factory=list,
        description="Common headings; on a flattened line, a heading that is one of them ends with it.",
    )


class TitleRule(PatternRule):
    required_groups: ClassVar[tuple[str, ...]] = ("title",)


class MetadataRules(BaseModel):
    model_config = ConfigDict(extra="forbid")
    doc_number: list[DocNumberRule] = Field(default_factory=list)
    date: list[DateRule] = Field(default_factory=list)
    title_cited: list[TitleRule] = Field(default_factory=list, description="Titles named by the notice text.")
    issuer_suffixes: list[str] = Field(description="Endings of the names of issuing bodies.")
    title_endings: list[str] = Field(description="Words a document title ends with (通知, 方案, …).")
    front_matter_keys: dict[str, list[str]] = Field(
        description="Metadata field → keys of an export's front matter that carry it."
    )
    site_words: list[str] = Field(description="Words that mark a front-matter publisher as a website, not an issuer.")


class UnitWord(BaseModel):
    model_config = ConfigDict(extra="forbid")
    word: str = Field(min_length=1, description="The unit as written, without scale: `个`, `亩`, `元`.")
    kind: Literal["count", "money", "share", "area", "people", "duration", "volume", "other"]


class ComparatorWord(BaseModel):
    model_config = ConfigDict(extra="forbid")
    word: str = Field(min_length=1)
    symbol: Literal[">=", "<=", "~"]


class UnitsRules(BaseModel):
    model_config = ConfigDict(extra="forbid")
    scales: dict[str, float] = Field(description="Scale words and their factors: 万 → 10000.")
    units: list[UnitWord]
    comparators_after: list[ComparatorWord]
    comparators_before: list[ComparatorWord]
    approximate_infixes: list[str] = Field(default_factory=list, description="`100余个`: more than the number.")


class TargetsRules(BaseModel):
    model_config = ConfigDict(extra="forbid")
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
    activity_suffix: str = Field(description="Regex of activity nouns an indicator may end with, removed.")
    comparison_base: str = Field(description="Regex of a comparison base an indicator may end with, removed.")
    leading_qualifier: str = Field(description="Regex of a measured qualifier an indicator may start with, removed.")
    exclusion: list[PatternRule] = Field(default_factory=list, description="Spans whose numbers are never targets.")

    @model_validator(mode="after")
    def _compile_suffix(self) -> TargetsRules:
        for name in ("activity_suffix", "comparison_base", "leading_qualifier"):
            try:
                re.compile(getattr(self, name))
            except re.error as exc:
                raise ValueError(f"{name}: {exc}") from None
        return self


GROUPS_BY_KIND = {
    "point": ("year",),
    "period": ("y1", "m1", "m2"),
    "years": ("y1", "y2"),
    "recurring": ("every",),
    "relative": ("word",),
    "five_year": ("n",),
}


class TimeRule(PatternRule):
    kind: Literal["point", "period", "years", "recurring", "relative", "five_year"]
    limit: bool = Field(description="Whether it is a time limit on its own, listed under `deadlines`.")

    @model_validator(mode="after")
    def _groups_of_kind(self) -> TimeRule:
        missing = [g for g in GROUPS_BY_KIND[self.kind] if g not in self.regex.groupindex]
        if missing:
            raise ValueError(f"pattern: a {self.kind} rule needs named group(s) {', '.join(missing)}")
        return self


class DeadlinesRules(BaseModel):
    model_config = ConfigDict(extra="forbid")
    time: list[TimeRule]
    not_limit: list[PatternRule] = Field(
        default_factory=list, description="Start, effective and issuing dates, which are not time limits."
    )
    name_year: list[PatternRule] = Field(default_factory=list, description="Years that are part of a name.")


class StatementRule(PatternRule):
    @model_validator(mode="after")
    def _unit_groups(self) -> StatementRule:
        groups = self.regex.groupindex
        if not ({"units", "lead"} & set(groups)):
            raise ValueError("pattern: needs a named group `units` or `lead`")
        return self


class AssignmentsRules(BaseModel):
    model_config = ConfigDict(extra="forbid")
    statement: list[StatementRule]
    separator: str = Field(description="Regex splitting a list of units.")
    label_prefix: str = Field(description="Regex of a label (`配合单位：`) inside a list of units, dropped.")
    names_with_and: list[str] = Field(description="Unit names with 和 inside, never split there.")
    placeholder: str = Field(description="Regex of words that name no body (`相关单位`).")
    person: str = Field(description="Regex of people and posts (`副县长`).")
    suffixes: list[str] = Field(description="Endings of unit names.")
    aliases: dict[str, str] = Field(default_factory=dict, description="Written name → reported name.")

    @model_validator(mode="after")
    def _compile(self) -> AssignmentsRules:
        for name in ("separator", "label_prefix", "placeholder", "person"):
            try:
                re.compile(getattr(self, name))
            except re.error as exc:
                raise ValueError(f"{name}: {exc}") from None
        return self


class TableColumns(BaseModel):
    model_config = ConfigDict(extra="forbid")
    no: list[str]
    category: list[str]
    project: list[str]
    task: list[str]
    lead: list[str]
    support: list[str]
    deadline: list[str]
    note: list[str]


class TablesRules(BaseModel):
    model_config = ConfigDict(extra="forbid")
    columns: TableColumns
    run_together: list[PatternRule] = Field(default_factory=list)


FILES: dict[str, type[BaseModel]] = {
    "normalize.toml": NormalizeRules,
    "outline.toml": OutlineRules,
    "metadata.toml": MetadataRules,
    "units.toml": UnitsRules,
    "targets.toml": TargetsRules,
    "deadlines.toml": DeadlinesRules,
    "assignments.toml": AssignmentsRules,
    "tables.toml": TablesRules,
}


class RuleBook(BaseModel):
    """Every rule policyparse runs, merged from the shipped set and any user directories."""

    model_config = ConfigDict(extra="forbid")
    normalize: NormalizeRules
    outline: OutlineRules
    metadata: MetadataRules
    units: UnitsRules
    targets: TargetsRules
    deadlines: DeadlinesRules
    assignments: AssignmentsRules
    tables: TablesRules

    def pattern_rules(self) -> Iterable[tuple[str, PatternRule]]:
        """Every pattern rule with the file it belongs to."""
        for name in FILES:
            part = getattr(self, name.removesuffix(".toml"))
            for field in type(part).model_fields:
                value = getattr(part, field)
                if isinstance(value, list):
                    for rule in value:
                        if isinstance(rule, PatternRule):
                            yield name, rule


def _rule_id_at(raw: dict[str, Any], loc: tuple[Any, ...]) -> str | None:
    if len(loc) >= 2 and isinstance(loc[1], int):
        items = raw.get(str(loc[0]))
        if isinstance(items, list) and loc[1] < len(items) and isinstance(items[loc[1]], dict):
            return str(items[loc[1]].get("id", f"{loc[0]}[{loc[1]}]"))
    return None


def _load_file(path: Path | resources.abc.Traversable, label: str, trusted: bool = False) -> tuple[BaseModel,
                                                                                                  dict[str, Any]]:
    model = FILES[path.name]
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise RuleError(f"{label}: not valid TOML: {exc}") from None
    try:
        return model.model_validate(raw, context={TRUSTED: trusted}), raw
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(err["loc"])
        rule_id = _rule_id_at(raw, loc)
        field = ".".join(str(p) for p in (loc[2:] if rule_id else loc))
        where = f"rule {rule_id}: " if rule_id else ""
        message = str(err["msg"]).removeprefix("Value error, ")
        raise RuleError(f"{label}: {where}{field}: {message}".replace(": : ", ": ")) from None


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in extra.items():
        if isinstance(value, list) and isinstance(merged.get(key), list) and all(isinstance(v, str) for v in value):
            merged[key] = list(dict.fromkeys(merged[key] + value))  # word lists: a union, in order
        elif isinstance(value, list) and isinstance(merged.get(key), list):
            replaced = {item.get("id") for item in value if isinstance(item, dict)}
            kept = [item for item in merged[key] if not (isinstance(item, dict) and item.get("id") in replaced)]
            merged[key] = kept + value
        else:
            merged[key] = value
    return merged


def load_rules(extra_dirs: Iterable[str | Path] = (), trust_shipped: bool = True) -> RuleBook:
    """The shipped rules, with the files of each directory in `extra_dirs` merged on top.

    Every user pattern is checked for catastrophic backtracking; the shipped ones are checked
    by the test suite and `policyparse rules check`, and trusted at run time (`trust_shipped`).

    >>> book = load_rules()
    >>> any(rule.id == "noise.page_number" for rule in book.normalize.drop_line)
    True
    """
    shipped = resources.files("policyparse.rules")
    raws: dict[str, dict[str, Any]] = {}
    parts: dict[str, BaseModel] = {}
    for name in FILES:
        parts[name], raws[name] = _load_file(shipped / name, f"rules/{name}", trusted=trust_shipped)
    for directory in extra_dirs:
        directory = Path(directory)
        if not directory.is_dir():
            raise RuleError(f"{directory}: not a directory of rule files")
        for path in sorted(directory.glob("*.toml")):
            if path.name not in FILES:
                raise RuleError(f"{path}: unknown rule file (expected one of {', '.join(FILES)})")
            _, raw = _load_file(path, str(path))
            raws[path.name] = _merge(raws[path.name], raw)
            # The merged file holds user patterns: validated whole, nothing trusted.
            parts[path.name] = FILES[path.name].model_validate(raws[path.name])
    return RuleBook(**{name.removesuffix(".toml"): part for name, part in parts.items()})


def compiled_per_rules(build: Callable[[Any], T]) -> Callable[[Any], T]:
    """Cache what `build` derives from a rules object, once per object.

    Rule models hold lists and so are not hashable; the cache is keyed by identity and
    keeps the object alive, so an id is never reused while its entry stands.
    """
    entries: dict[int, tuple[Any, T]] = {}

    def derived(rules: Any) -> T:
        entry = entries.get(id(rules))
        if entry is None or entry[0] is not rules:
            entry = entries[id(rules)] = (rules, build(rules))
        return entry[1]

    return derived


@cache
def default_rules() -> RuleBook:
    """The shipped rules, loaded once per process."""
    return load_rules()
