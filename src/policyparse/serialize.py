"""Serializations for programs: JSON, JSON Lines and CSV. No Rich here: batch jobs use this too.

The row functions work on the JSON form of a document (a dict), so a batch can build its
targets table from the files it wrote without validating them again.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

from .models import Document, Target
from .normalize import NormalizedText

# One row per target: the document it came from, then every field of Target but its span.
CSV_FIELDS = ("source", *(name for name in Target.model_fields if name != "span"))


def to_json(doc: Document) -> str:
    """The document as the JSON the scorer and other programs read (Chinese kept as Chinese)."""
    return json.dumps(doc.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n"


def _targets(data: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for target in data.get("targets") or []:
        yield {"source": data.get("source"), **{k: v for k, v in target.items() if k != "span"}}


def target_rows(data: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The targets of a document's JSON as flat rows for a spreadsheet: lead units joined with `、`."""
    for row in _targets(data):
        yield {**row, "lead_units": "、".join(row.get("lead_units") or [])}


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


def to_jsonl(doc: Document) -> str:
    """One target per line, each with the document it came from."""
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in _targets(doc.model_dump(mode="json")))


def to_csv(doc: Document) -> str:
    """One row per target."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_FIELDS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(target_rows(doc.model_dump(mode="json")))
    return out.getvalue()
