"""The records policyparse produces. Every field carries a description, so
`policyparse schema` documents the JSON output by itself."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Script = Literal["simplified", "traditional", "mixed"]


PART_OF_SECTION = "The `part` of that section: 2 and on when a notice issues several documents."
RECORD_ID = ("Stable id: the record's kind and a hash of its content (`t-3f9a0c1b2d`); the same text gives the "
             "same ids, run after run. A repeat of the same content gets `-2`, `-3`.")


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Span(Record):
    """Where a record's text stands: offsets in the normalized text and the source line."""

    start: int = Field(description="Offset of the first character in the normalized text.")
    end: int = Field(description="Offset one past the last character in the normalized text.")


class ParseWarning(Record):
    """Something a reader of the records should know: damaged input, content the tool could not keep."""

    code: str = Field(description="Stable machine-readable kind, e.g. `mojibake`, `empty`, `content_dropped`.")
    message: str = Field(description="What is wrong, for a person.")
    line: int | None = Field(default=None, description="1-based line of the source file, when one applies.")
    level: Literal["warning", "error"] = Field(
        default="warning",
        description="`error` when content was lost or nothing could be read from a sizeable text: the records "
        "are incomplete. Batch lists these documents in summary.json.",
    )


class Metadata(Record):
    title: str | None = Field(default=None, description="The document's title, joined when wrapped over lines.")
    doc_number: str | None = Field(default=None, description="发文字号 as written, e.g. `石商务委发〔2021〕35号`.")
    issuer: str | None = Field(default=None, description="发文机关: the first body that signs the document.")
    issued_date: str | None = Field(default=None, description="成文日期 as ISO `YYYY-MM-DD`.")
    original_script: Script = Field(
        default="simplified",
        description="Script of the source before normalization: text in traditional or mixed script is "
        "converted to simplified.",
    )
    encoding: str | None = Field(default=None, description="Encoding the file was decoded with (None for text input "
                                 "and for .docx and .pdf, which carry their own).")
    format: Literal["text", "html", "docx", "pdf"] = Field(
        default="text", description="The format the document was read as, recognized by its content, not its name."
    )
    header: dict[str, str] = Field(
        default_factory=dict, description="Every `key: value` of the header an export wrote above the text (front "
        "matter, a scraper's or database's header, a web page's table of labels), as written: the fields above are "
        "read from it, and the keys they do not use (`url`, `category` …) are kept here.",
    )


class Section(Record):
    id: str = Field(
        description="Path of id parts from the top level down, e.g. `三/(一)/1`; attachments start at `附件`. "
        "A number repeated under one parent gets `#2`, `#3`; ids are unique within a `part`."
    )
    part: int = Field(
        default=1, description="Which of the documents a notice issues holds the section: 1 unless the notice "
        "issues several, each with an outline of its own whose ids restart (`一`, `一/(一)` again in part 2)."
    )
    level: int = Field(description="Depth in the outline, 1 for top-level sections.")
    marker: str | None = Field(
        description="The numbering as printed (`一、`, `（一）`, `1．`); None when the source omitted it."
    )
    title: str = Field(description="Heading text without its marker, up to the first `。`.")
    line: int = Field(description="1-based line of the source file holding the heading.")
    span: Span = Field(description="The heading (marker and title) in the normalized text.")
    children: list[Section] = Field(default_factory=list, description="Sections nested under this one.")


Comparator = Literal[">=", "<=", "=", "~", "range"]
TargetKind = Literal["count", "money", "funding", "share", "growth", "area", "people", "duration", "volume", "other"]


class Target(Record):
    """A quantity the document commits someone to achieve, build, reach, train, sell, spend or cap."""

    id: str = Field(default="", description=RECORD_ID)
    section: str | None = Field(default=None, description="Id of the innermost section holding it.")
    part: int = Field(default=1, description=PART_OF_SECTION)
    indicator: str = Field(description="Shortest noun phrase naming what is counted, e.g. `乡镇物流中转站`.")
    value: float = Field(description="The number as written (`1.2` for `1.2亿元`); the low end of a range.")
    value_max: float | None = Field(default=None, description="The high end of a range (`2—3个` → 3), else None.")
    unit: str = Field(description="The unit as written, scale included: `个`, `万亩`, `亿元`, `%`.")
    base_value: float = Field(description="`value` in the base unit: `1.2亿元` → 120000000.")
    base_unit: str = Field(description="The unit without its scale: `亿元` → `元`, `万亩` → `亩`.")
    comparator: Comparator = Field(
        description="`>=` (以上, 不少于 …), `<=` (以下, 不超过, 以内 …), `~` (左右, 约), `range`, else `=`."
    )
    kind: TargetKind = Field(description="What sort of quantity: count, money, funding, share, growth, area, people, "
                             "duration, volume or other.")
    modality: str | None = Field(default=None, description="`力争`, `确保` … when the commitment is qualified so.")
    aggregation: str | None = Field(default=None, description="`累计`, `年均`, `每年`, `各` when the figure is one.")
    deadline: str | None = Field(default=None, description="`YYYY`, `YYYY-MM` or `YYYY-MM-DD` by which it is due.")
    lead_units: list[str] | None = Field(default=None, description="Units responsible for it, lead first.")
    figure: str = Field(description="The figure as written, e.g. `100个以上`.")
    text: str = Field(description="The sentence (or table cell) it stands in.")
    line: int = Field(description="1-based source line of the figure.")
    span: Span = Field(description="Where `text` stands in the normalized text.")
    same_as: str | None = Field(
        default=None, description="On a target of the body: the id of the task-table target that states the same "
        "commitment (same value and unit, matching indicator). Count the targets whose `same_as` is null to count "
        "each commitment once.")


class Deadline(Record):
    """A time limit stated in the text, whether or not a figure goes with it."""

    id: str = Field(default="", description=RECORD_ID)
    text: str = Field(description="The time limit as written, with the rest of its clause.")
    date: str | None = Field(description="End of the period as `YYYY[-MM[-DD]]`; the first occurrence on or after "
                             "the document's date when recurring; None when it cannot be resolved.")
    recurring: bool = Field(default=False, description="True for `每年11月底前`, `每季度` and the like.")
    section: str | None = Field(default=None, description="Id of the innermost section holding it.")
    part: int = Field(default=1, description=PART_OF_SECTION)
    line: int = Field(description="1-based source line.")
    span: Span = Field(description="Where `text` stands in the normalized text.")


class Assignment(Record):
    """A statement of the units responsible for a section."""

    id: str = Field(default="", description=RECORD_ID)
    section: str | None = Field(description="Id of the section it assigns (the one holding it, or one it names).")
    part: int = Field(default=1, description=PART_OF_SECTION)
    units: list[str] = Field(description="Units as written, in order, the lead first.")
    rule: str = Field(description="Id of the `statement` rule of responsible.toml that read it.")
    text: str = Field(description="The statement as written.")
    line: int = Field(description="1-based source line.")
    span: Span = Field(description="Where `text` stands in the normalized text.")


class Task(Record):
    """One row of a task table (任务分解表)."""

    id: str = Field(default="", description=RECORD_ID)
    no: str | None = Field(default=None, description="The row's number (序号) as written.")
    category: str | None = Field(default=None, description="Category (类别), carried down from the row above.")
    project: str | None = Field(default=None, description="Project (项目).")
    task: str = Field(description="The task text (工作任务).")
    lead_units: list[str] = Field(default_factory=list, description="牵头单位, in order.")
    support_units: list[str] = Field(default_factory=list, description="责任单位 / 配合单位, in order.")
    deadline: str | None = Field(default=None, description="完成时限 as `YYYY[-MM[-DD]]`.")
    deadline_text: str | None = Field(default=None, description="完成时限 as written.")
    section: str | None = Field(default=None, description="Id of the section holding the table.")
    part: int = Field(default=1, description=PART_OF_SECTION)
    line: int = Field(description="1-based source line of the row's first cell.")
    span: Span = Field(description="Where the task cell stands in the normalized text.")


class Incentive(Record):
    """An incentive a document grants per recipient (an award, a subsidy, its cap or rate): never a target."""

    id: str = Field(default="", description=RECORD_ID)
    section: str | None = Field(default=None, description="Id of the innermost section holding it.")
    part: int = Field(default=1, description=PART_OF_SECTION)
    kind: Literal["amount", "cap", "rate"] = Field(
        description="`amount` (`一次性奖励20万元`), `cap` (`最高补助200万元`, `补贴上限为每年20万元`) or `rate` "
        "(`按设备投资额的15%给予补贴`)."
    )
    text: str = Field(description="The sentence it stands in.")
    line: int = Field(description="1-based source line of the figure.")
    span: Span = Field(description="Where `text` stands in the normalized text.")
    figure: str = Field(description="The figure as written.")
    recipient: str | None = Field(default=None, description="Who receives it, when the text names them "
                                  "(`对新认定的省级公共服务示范平台，给予…` → `省级公共服务示范平台`).")
    value: float = Field(description="The number as written; the low end of a range.")
    unit: str = Field(description="The unit as written, scale included.")
    value_max: float | None = Field(default=None, description="The high end of a range, else None.")
    base_value: float = Field(description="`value` in the base unit.")
    base_unit: str = Field(description="The unit without its scale.")


class Document(Record):
    id: str = Field(default="", description="Stable id of the document: a hash of its normalized text (`doc-…`).")
    source: str | None = Field(default=None, description="Path the document was read from, or None for text input.")
    metadata: Metadata = Field(default_factory=Metadata, description="Title, 发文字号, issuer, date and reading facts.")
    sections: list[Section] = Field(default_factory=list, description="The outline as a tree of top-level sections.")
    targets: list[Target] = Field(default_factory=list, description="Quantitative targets, in text order.")
    deadlines: list[Deadline] = Field(default_factory=list, description="Every explicit time limit, in text order.")
    assignments: list[Assignment] = Field(default_factory=list, description="Statements of responsible units.")
    tasks: list[Task] = Field(default_factory=list, description="Rows of task tables.")
    incentives: list[Incentive] = Field(default_factory=list, description="Incentives granted per recipient, which "
                                        "are no targets: amounts, caps and rates.")
    warnings: list[ParseWarning] = Field(default_factory=list, description="Problems found while reading the text.")
    text: str = Field(
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
    from .version import package_version

    schema = Document.model_json_schema()
    return {"$schema": SCHEMA_DIALECT, "$id": f"urn:policyparse:document:{package_version()}",
            **schema}
