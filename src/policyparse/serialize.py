"""Serializations for programs: JSON, JSON Lines and CSV. No Rich here: batch jobs use this too."""

from __future__ import annotations

import csv
import io
import json

from .models import Document, Target

CSV_FIELDS = ("source", "section", "indicator", "value", "value_max", "unit", "base_value", "base_unit", "comparator",
              "kind", "modality", "aggregation", "deadline", "lead_units", "figure", "text", "line")
def to_json(doc: Document) -> str:
    """The document as the JSON the scorer and other programs read (Chinese kept as Chinese)."""
    return json.dumps(doc.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n"


def _target_row(doc: Document, target: Target) -> dict[str, object]:
    row = target.model_dump(mode="json", exclude={"span"})
    return {"source": doc.source, **row}


def target_rows(doc: Document) -> list[dict[str, object]]:
    """The targets as flat rows for a spreadsheet: lead units joined with `、`."""
    return [{**_target_row(doc, t), "lead_units": "、".join(t.lead_units or [])} for t in doc.targets]


def to_jsonl(doc: Document) -> str:
    """One target per line, each with the document it came from."""
    return "".join(json.dumps(_target_row(doc, t), ensure_ascii=False) + "\n" for t in doc.targets)


def to_csv(doc: Document) -> str:
    """One row per target."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_FIELDS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(target_rows(doc))
    return out.getvalue()
