"""The records policyparse produces. Every field carries a description, so
`policyparse schema` documents the JSON output by itself."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Script = Literal["simplified", "traditional", "mixed"]


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Span(Record):
    """Where a record's text stands: offsets in the normalized text and the source line."""

    start: int = Field(description="Offset of the first character in the normalized text.")
    end: int = Field(description="Offset one past the last character in the normalized text.")


class ParseWarning(Record):
    code: str = Field(description="Stable machine-readable kind, e.g. `mojibake`, `empty`.")
    message: str = Field(description="What is wrong, for a person.")
    line: int | None = Field(default=None, description="1-based line of the source file, when one applies.")


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
    encoding: str | None = Field(default=None, description="Encoding the file was decoded with (None for text input).")


class Section(Record):
    id: str = Field(
        description="Path of id parts from the top level down, e.g. `三/(一)/1`; attachments start at `附件`. "
        "A number repeated under one parent gets `#2`, `#3` so ids stay unique."
    )
    level: int = Field(description="Depth in the outline, 1 for top-level sections.")
    marker: str | None = Field(
        description="The numbering as printed (`一、`, `（一）`, `1．`); None when the source omitted it."
    )
    title: str = Field(description="Heading text without its marker, up to the first `。`.")
    line: int = Field(description="1-based line of the source file holding the heading.")
    span: Span = Field(description="The heading (marker and title) in the normalized text.")
    children: list[Section] = Field(default_factory=list, description="Sections nested under this one.")


class Document(Record):
    source: str | None = Field(default=None, description="Path the document was read from, or None for text input.")
    metadata: Metadata = Field(default_factory=Metadata, description="Title, 发文字号, issuer, date and reading facts.")
    sections: list[Section] = Field(default_factory=list, description="The outline as a tree of top-level sections.")
    warnings: list[ParseWarning] = Field(default_factory=list, description="Problems found while reading the text.")
    text: str = Field(
        default="",
        exclude=True,
        description="The normalized text that every span points into (not serialized).",
    )

    def iter_sections(self) -> list[Section]:
        """All sections in document order, parents before children."""
        out: list[Section] = []
        stack = list(reversed(self.sections))
        while stack:
            section = stack.pop()
            out.append(section)
            stack.extend(reversed(section.children))
        return out
