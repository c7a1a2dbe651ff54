"""The records policyparse produces, as plain dataclasses: making them costs nothing at start-up.

Every field carries a description, so `policyparse schema` documents the JSON output by itself.
pydantic reads these dataclasses (their field descriptions included) to validate JSON read back
and to write the JSON Schema, building its validators only when one of those is asked for. The
records keep the methods of the pydantic models they were (`model_dump`, `model_dump_json`,
`model_copy`, `model_validate`, `model_validate_json`, `model_json_schema`), so code written
against those runs unchanged.
"""

from __future__ import annotations

import dataclasses
import inspect
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Self, TypeVar, dataclass_transform

from .fields import adapter, field

Script = Literal["simplified", "traditional", "mixed"]


PART_OF_SECTION = "The `part` of that section: 2 and on when a notice issues several documents."
RECORD_ID = ("Stable id: the record's kind and a hash of its content (`t-3f9a0c1b2d`); the same text gives the "
             "same ids, run after run. A repeat of the same content gets `-2`, `-3`.")


class Record:
    """What every record can do: give its data as a dict or JSON, copy itself, be read back from JSON."""

    __slots__ = ()
    if TYPE_CHECKING:  # what `record` gives every subclass
        __dataclass_fields__: ClassVar[dict[str, dataclasses.Field[Any]]]
    # Read by pydantic: keys a record does not have are refused when JSON is read back.
    __pydantic_config__: ClassVar[dict[str, Any]] = {"extra": "forbid"}

    def model_dump(self, *, mode: str = "python", include: set[str] | None = None) -> dict[str, Any]:
        """The record as a dict of plain values, nested records as dicts (`mode` is accepted for pydantic's
        sake: the values are the same either way)."""
        data = _plain(self)
        return data if include is None else {key: value for key, value in data.items() if key in include}

    def model_dump_json(self, *, indent: int | None = None) -> str:
        return json.dumps(_plain(self), ensure_ascii=False, indent=indent,
                          separators=None if indent is not None else (",", ":"))

    def model_copy(self, *, update: dict[str, Any] | None = None) -> Self:
        return dataclasses.replace(self, **(update or {}))  # type: ignore[type-var]

    @classmethod
    def model_validate(cls, data: Any) -> Self:
        """A record from a dict of its JSON, checked (unknown keys, wrong types: `pydantic.ValidationError`)."""
        return adapter(cls).validate_python(data)  # type: ignore[no-any-return]

    @classmethod
    def model_validate_json(cls, data: str | bytes) -> Self:
        return adapter(cls).validate_json(data)  # type: ignore[no-any-return]

    @classmethod
    def model_json_schema(cls) -> dict[str, Any]:
        """The JSON Schema of the record's JSON, each record's docstring as its description."""
        schema = adapter(cls).json_schema()
        # pydantic leaves out a plain dataclass's docstring (a dataclass without one gets its signature).
        for name, part in [(cls.__name__, schema), *schema.get("$defs", {}).items()]:
            doc = _DOCSTRINGS.get(name)
            if doc:
                part["description"] = inspect.cleandoc(doc)
        return schema


_dumped: dict[type, tuple[str, ...]] = {}


def _dumped_fields(cls: type) -> tuple[str, ...]:
    names = _dumped.get(cls)
    if names is None:
        names = _dumped[cls] = tuple(f.name for f in dataclasses.fields(cls) if not f.metadata.get("exclude"))
    return names


# Values a record's dict holds as they are: most of a record's fields, spared a call each.
PLAIN = frozenset({str, int, float, bool, type(None)})


def _plain(value: Any) -> Any:
    if isinstance(value, Record):
        return {name: item if type(item := getattr(value, name)) in PLAIN else _plain(item)
                for name in _dumped_fields(type(value))}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value


# The float fields of targets and incentives.
FLOAT_FIELDS = ("value", "value_max", "base_value")


def _floats(record: Any, names: tuple[str, ...]) -> None:
    """Numbers given to float fields as int made float, as the JSON writes them (`5.0`)."""
    for name in names:
        value = getattr(record, name)
        if type(value) is int:
            setattr(record, name, float(value))


_DOCSTRINGS: dict[str, str | None] = {}
T = TypeVar("T")


@dataclass_transform(kw_only_default=True, field_specifiers=(field,))
def record(cls: type[T]) -> type[T]:
    """A record class: a keyword-only dataclass with slots."""
    _DOCSTRINGS[cls.__name__] = cls.__doc__
    return dataclass(kw_only=True, slots=True)(cls)


@record
class Span(Record):
    """Where a record's text stands: offsets in the normalized text and the source line."""

    start: int = field(description="Offset of the first character in the normalized text.")
    end: int = field(description="Offset one past the last character in the normalized text.")


@record
class ParseWarning(Record):
    """Something a reader of the records should know: damaged input, content the tool could not keep."""

    code: str = field(description="Stable machine-readable kind, e.g. `mojibake`, `empty`, `content_dropped`.")
    message: str = field(description="What is wrong, for a person.")
    line: int | None = field(default=None, description="1-based line of the source file, when one applies.")
    level: Literal["warning", "error"] = field(
        default="warning",
        description="`error` when content was lost or nothing could be read from a sizeable text: the records "
        "are incomplete. Batch lists these documents in summary.json.",
    )


@record
class Metadata(Record):
    title: str | None = field(default=None, description="The document's title, joined when wrapped over lines.")
    doc_number: str | None = field(default=None, description="发文字号 as written, e.g. `石商务委发〔2021〕35号`.")
    issuer: str | None = field(default=None, description="发文机关: the first body that signs the document.")
    issued_date: str | None = field(default=None, description="成文日期 as ISO `YYYY-MM-DD`.")
    original_script: Script = field(
        default="simplified",
        description="Script of the source before normalization: text in traditional or mixed script is "
        "converted to simplified.",
    )
    encoding: str | None = field(default=None, description="Encoding the file was decoded with (None for text input "
                                 "and for .docx and .pdf, which carry their own).")
    format: Literal["text", "html", "docx", "pdf"] = field(
        default="text", description="The format the document was read as, recognized by its content, not its name."
    )
    header: dict[str, str] = field(
        default_factory=dict, description="Every `key: value` of the header an export wrote above the text (front "
        "matter, a scraper's or database's header, a web page's table of labels), as written: the fields above are "
        "read from it, and the keys they do not use (`url`, `category` …) are kept here.",
    )


@record
class Section(Record):
    id: str = field(
        description="Path of id parts from the top level down, e.g. `三/(一)/1`; attachments start at `附件`. "
        "A number repeated under one parent gets `#2`, `#3`; ids are unique within a `part`."
    )
    part: int = field(
        default=1, description="Which of the documents a notice issues holds the section: 1 unless the notice "
        "issues several, each with an outline of its own whose ids restart (`一`, `一/(一)` again in part 2)."
    )
    level: int = field(description="Depth in the outline, 1 for top-level sections.")
    marker: str | None = field(
        description="The numbering as printed (`一、`, `（一）`, `1．`); None when the source omitted it."
    )
    title: str = field(description="Heading text without its marker, up to the first `。`.")
    line: int = field(description="1-based line of the source file holding the heading.")
    span: Span = field(description="The heading (marker and title) in the normalized text.")
    children: list[Section] = field(default_factory=list, description="Sections nested under this one.")


Comparator = Literal[">=", "<=", "=", "~", "range"]
TargetKind = Literal["count", "money", "funding", "share", "growth", "area", "people", "duration", "volume", "other"]


@record
class Target(Record):
    """A quantity the document commits someone to achieve, build, reach, train, sell, spend or cap."""

    id: str = field(default="", description=RECORD_ID)
    section: str | None = field(default=None, description="Id of the innermost section holding it.")
    part: int = field(default=1, description=PART_OF_SECTION)
    indicator: str = field(description="Shortest noun phrase naming what is counted, e.g. `乡镇物流中转站`.")
    value: float = field(description="The number as written (`1.2` for `1.2亿元`); the low end of a range.")
    value_max: float | None = field(default=None, description="The high end of a range (`2—3个` → 3), else None.")
    unit: str = field(description="The unit as written, scale included: `个`, `万亩`, `亿元`, `%`.")
    base_value: float = field(description="`value` in the base unit: `1.2亿元` → 120000000.")
    base_unit: str = field(description="The unit without its scale: `亿元` → `元`, `万亩` → `亩`.")
    comparator: Comparator = field(
        description="`>=` (以上, 不少于 …), `<=` (以下, 不超过, 以内 …), `~` (左右, 约), `range`, else `=`."
    )
    kind: TargetKind = field(description="What sort of quantity: count, money, funding, share, growth, area, people, "
                             "duration, volume or other.")
    modality: str | None = field(default=None, description="`力争`, `确保` … when the commitment is qualified so.")
    aggregation: str | None = field(default=None, description="`累计`, `年均`, `每年`, `各` when the figure is one.")
    deadline: str | None = field(default=None, description="`YYYY`, `YYYY-MM` or `YYYY-MM-DD` by which it is due.")
    lead_units: list[str] | None = field(default=None, description="Units responsible for it, lead first.")
    figure: str = field(description="The figure as written, e.g. `100个以上`.")
    text: str = field(description="The sentence (or table cell) it stands in.")
    line: int = field(description="1-based source line of the figure.")
    span: Span = field(description="Where `text` stands in the normalized text.")
    same_as: str | None = field(
        default=None, description="On a target of the body: the id of the task-table target that states the same "
        "commitment (same value and unit, matching indicator). Count the targets whose `same_as` is null to count "
        "each commitment once.")

    def __post_init__(self) -> None:
        _floats(self, FLOAT_FIELDS)


@record
class Deadline(Record):
    """A time limit stated in the text, whether or not a figure goes with it."""

    id: str = field(default="", description=RECORD_ID)
    text: str = field(description="The time limit as written, with the rest of its clause.")
    date: str | None = field(description="End of the period as `YYYY[-MM[-DD]]`; the first occurrence on or after "
                             "the document's date when recurring; None when it cannot be resolved.")
    recurring: bool = field(default=False, description="True for `每年11月底前`, `每季度` and the like.")
    section: str | None = field(default=None, description="Id of the innermost section holding it.")
    part: int = field(default=1, description=PART_OF_SECTION)
    line: int = field(description="1-based source line.")
    span: Span = field(description="Where `text` stands in the normalized text.")


@record
class Assignment(Record):
    """A statement of the units responsible for a section."""

    id: str = field(default="", description=RECORD_ID)
    section: str | None = field(description="Id of the section it assigns (the one holding it, or one it names).")
    part: int = field(default=1, description=PART_OF_SECTION)
    units: list[str] = field(description="Units as written, in order, the lead first.")
    rule: str = field(description="Id of the `statement` rule of responsible.toml that read it.")
    text: str = field(description="The statement as written.")
    line: int = field(description="1-based source line.")
    span: Span = field(description="Where `text` stands in the normalized text.")


@record
class Task(Record):
    """One row of a task table (任务分解表)."""

    id: str = field(default="", description=RECORD_ID)
    no: str | None = field(default=None, description="The row's number (序号) as written.")
    category: str | None = field(default=None, description="Category (类别), carried down from the row above.")
    project: str | None = field(default=None, description="Project (项目).")
    task: str = field(description="The task text (工作任务).")
    lead_units: list[str] = field(default_factory=list, description="牵头单位, in order.")
    support_units: list[str] = field(default_factory=list, description="责任单位 / 配合单位, in order.")
    deadline: str | None = field(default=None, description="完成时限 as `YYYY[-MM[-DD]]`.")
    deadline_text: str | None = field(default=None, description="完成时限 as written.")
    section: str | None = field(default=None, description="Id of the section holding the table.")
    part: int = field(default=1, description=PART_OF_SECTION)
    line: int = field(description="1-based source line of the row's first cell.")
    span: Span = field(description="Where the task cell stands in the normalized text.")


@record
class Incentive(Record):
    """An incentive a document grants per recipient (an award, a subsidy, its cap or rate): never a target."""

    id: str = field(default="", description=RECORD_ID)
    section: str | None = field(default=None, description="Id of the innermost section holding it.")
    part: int = field(default=1, description=PART_OF_SECTION)
    kind: Literal["amount", "cap", "rate"] = field(
        description="`amount` (`一次性奖励20万元`), `cap` (`最高补助200万元`, `补贴上限为每年20万元`) or `rate` "
        "(`按设备投资额的15%给予补贴`)."
    )
    text: str = field(description="The sentence it stands in.")
    line: int = field(description="1-based source line of the figure.")
    span: Span = field(description="Where `text` stands in the normalized text.")
    figure: str = field(description="The figure as written.")
    recipient: str | None = field(default=None, description="Who receives it, when the text names them "
                                  "(`对新认定的省级公共服务示范平台，给予…` → `省级公共服务示范平台`).")
    value: float = field(description="The number as written; the low end of a range.")
    unit: str = field(description="The unit as written, scale included.")
    value_max: float | None = field(default=None, description="The high end of a range, else None.")
    base_value: float = field(description="`value` in the base unit.")
    base_unit: str = field(description="The unit without its scale.")

    def __post_init__(self) -> None:
        _floats(self, FLOAT_FIELDS)


@record
class Document(Record):
    id: str = field(default="", description="Stable id of the document: a hash of its normalized text (`doc-…`).")
    source: str | None = field(default=None, description="Path the document was read from, or None for text input.")
    metadata: Metadata = field(default_factory=Metadata, description="Title, 发文字号, issuer, date and reading facts.")
    sections: list[Section] = field(default_factory=list, description="The outline as a tree of top-level sections.")
    targets: list[Target] = field(default_factory=list, description="Quantitative targets, in text order.")
    deadlines: list[Deadline] = field(default_factory=list, description="Every explicit time limit, in text order.")
    assignments: list[Assignment] = field(default_factory=list, description="Statements of responsible units.")
    tasks: list[Task] = field(default_factory=list, description="Rows of task tables.")
    incentives: list[Incentive] = field(default_factory=list, description="Incentives granted per recipient, which "
                                        "are no targets: amounts, caps and rates.")
    warnings: list[ParseWarning] = field(default_factory=list, description="Problems found while reading the text.")
    text: str = field(
        default="",
        exclude=True,
        description="The normalized text that every span points into (not serialized).",
    )

    def iter_sections(self) -> list[Section]:
        """All sections in document order, parents before children."""
        return flatten_sections(self.sections)


def flatten_sections(sections: list[Section]) -> list[Section]:
    """A section tree in document order, parents before children."""
    out: list[Section] = []
    stack = list(reversed(sections))
    while stack:
        section = stack.pop()
        out.append(section)
        stack.extend(reversed(section.children))
    return out


SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def document_schema() -> dict[str, object]:
    """The JSON Schema of a document's JSON, with its dialect and an id naming the version that wrote it."""
    from .version import VERSION

    schema = Document.model_json_schema()
    return {"$schema": SCHEMA_DIALECT, "$id": f"urn:policyparse:document:{VERSION}",
            **schema}
