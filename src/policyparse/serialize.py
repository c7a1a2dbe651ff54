"""Serializations for programs: JSON, JSON Lines and CSV. No Rich here: batch jobs use this too.

The row functions work on the JSON form of a document (a dict), so a batch can build its
targets table from the files it wrote without validating them again.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from typing import IO, Any

from .models import Document
from .normalize import NormalizedText

# One row per target, the same in `extract --format csv|tsv|jsonl` and batch's targets.csv: the
# document, the section, then the target. (column, Chinese header); `--header en` uses the column names.
TABLE_COLUMNS = (
    ("document_id", "文档编号"), ("file", "文件"), ("title", "标题"), ("doc_number", "发文字号"),
    ("issuer", "发文机关"), ("issued_date", "成文日期"), ("part", "部分"), ("section", "章节编号"),
    ("section_title", "章节标题"), ("target_id", "目标编号"), ("indicator", "指标"), ("value", "数值"),
    ("value_max", "数值上限"), ("unit", "单位"), ("base_value", "基准数值"), ("base_unit", "基准单位"),
    ("comparator", "比较"), ("kind", "类型"), ("modality", "语气"), ("aggregation", "汇总方式"),
    ("deadline", "期限"), ("lead_unit", "牵头单位"), ("support_units", "配合单位"), ("figure", "原文数字"),
    ("line", "行"), ("text", "原文"), ("same_as", "同一承诺"),
)
TABLE_FIELDS = tuple(field for field, _ in TABLE_COLUMNS)
UNIT_SEPARATOR = "、"


def table_header(language: str = "en") -> list[str]:
    """Column names of the targets table: `en` (snake_case) or `zh` (Chinese)."""
    return [zh if language == "zh" else field for field, zh in TABLE_COLUMNS]


def _number(value: Any) -> Any:
    """`6.0` → `6`: a count prints as a count."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _section_titles(sections: list[dict[str, Any]]) -> dict[tuple[int, str], str]:
    titles: dict[tuple[int, str], str] = {}
    stack = list(sections)
    while stack:
        section = stack.pop()
        titles[(section.get("part", 1), section["id"])] = section.get("title", "")
        stack.extend(section.get("children") or [])
    return titles


def target_rows(data: dict[str, Any], file: str | None = None) -> Iterator[dict[str, Any]]:
    """The targets of a document's JSON as rows of the targets table (TABLE_FIELDS), one per target.

    Units are joined with `、`, the lead first in `lead_unit`; integral values print without `.0`.
    """
    meta = data.get("metadata") or {}
    titles = _section_titles(data.get("sections") or [])
    document = {"document_id": data.get("id"), "file": file or data.get("source"), "title": meta.get("title"),
                "doc_number": meta.get("doc_number"), "issuer": meta.get("issuer"),
                "issued_date": meta.get("issued_date")}
    for target in data.get("targets") or []:
        units = target.get("lead_units") or []
        row = {**document, **{k: v for k, v in target.items() if k in TABLE_FIELDS}}
        row["target_id"] = target.get("id")
        row["section_title"] = titles.get((target.get("part", 1), target.get("section") or ""))
        row["lead_unit"] = units[0] if units else None
        row["support_units"] = UNIT_SEPARATOR.join(units[1:]) or None
        for key in ("value", "value_max", "base_value"):
            row[key] = _number(row.get(key))
        yield row


def write_table(rows: Iterable[dict[str, Any]], handle: IO[str], language: str = "en", dialect: str = "csv",
                header: bool = True) -> None:
    """Rows of the targets table as CSV or TSV (tabs and line breaks inside a cell become spaces in TSV)."""
    if dialect == "tsv":
        if header:
            handle.write("\t".join(table_header(language)) + "\n")
        for row in rows:
            handle.write("\t".join(_tsv_cell(row.get(field)) for field in TABLE_FIELDS) + "\n")
        return
    writer = csv.writer(handle, lineterminator="\n")
    if header:
        writer.writerow(table_header(language))
    writer.writerows([row.get(field) for field in TABLE_FIELDS] for row in rows)


def _tsv_cell(value: Any) -> str:
    return "" if value is None else " ".join(str(value).split()) if isinstance(value, str) else str(value)


REMOVED_HEADING = "==== removed in normalization: source line, by what, the text ===="


def numbered_lines(norm: NormalizedText) -> str:
    """The normalized text, each line after the number of the source line it starts on and a tab; then,
    after a banner, every span holding Han characters that normalization removed (a header, markup, noise)."""
    out, position = [], 0
    for line in norm.text.split("\n"):
        out.append(f"{norm.source_line(position)}\t{line}\n")
        position += len(line) + 1
    if norm.removed:
        out.append(f"\n{REMOVED_HEADING}\n")
        out += [f"{removed.line}\t{removed.by}\t{removed.text}\n" for removed in norm.removed]
    return "".join(out)


def _data(doc: Document, with_text: bool) -> dict[str, Any]:
    data = doc.model_dump(mode="json")
    return {**data, "text": doc.text} if with_text else data


def to_json(doc: Document, with_text: bool = False, bulk: bool = False) -> str:
    """The document as the JSON the scorer and other programs read (Chinese kept as Chinese); with `with_text`,
    also the normalized text its spans point into; `bulk`: see `json_text`."""
    return json_text(_data(doc, with_text), bulk)


def json_text(data: dict[str, Any], bulk: bool = False) -> str:
    """A document's dict (`model_dump`) as its JSON file's text: two-space indent, Chinese as written.

    `bulk`: the process converts many documents (a batch), and writes them with pydantic-core's encoder, six
    times faster than the standard library's indented one once imported; the import (~30 ms) would cost a
    single `extract` more than it saves. Both write the same bytes (tested), except that a float below 1e-4
    has its exponent written `1e-05` by one and `1e-5` by the other: no figure of a policy is that small.
    """
    if bulk:
        from pydantic_core import to_json as encode

        return encode(data, indent=2).decode() + "\n"
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def to_json_array(docs: list[Document], with_text: bool = False) -> str:
    """Several documents as one JSON array."""
    return json.dumps([_data(doc, with_text) for doc in docs], ensure_ascii=False, indent=2) + "\n"


def to_jsonl(doc: Document) -> str:
    """One target per line: the columns of the targets table."""
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in target_rows(doc.model_dump(mode="json")))


def to_table(doc: Document, dialect: str = "csv", language: str = "en", header: bool = True) -> str:
    """One row per target, CSV or TSV, with the columns of batch's targets.csv."""
    out = io.StringIO()
    write_table(target_rows(doc.model_dump(mode="json")), out, language, dialect, header)
    return out.getvalue()
