"""Load documents into SQLite (stdlib `sqlite3`, no server), one transaction per document.

Tables `documents`, `sections`, `targets`, `tasks`, `assignments`, `deadlines`, keyed by
document and section id, with foreign keys (children cascade with their document) and
indexes on what analysts filter by: document, section, unit, deadline, indicator. A
document is replaced whole: its old rows are deleted and its new ones inserted in one
transaction, so an interrupted load leaves each document either complete or absent.
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from pathlib import Path
from typing import Any, get_args, get_origin, get_type_hints

from .errors import InputError
from .models import Assignment, Deadline, Document, Incentive, Record, Target, Task

# The record tables are made from the models: one column per field (`section` as `section_id`),
# lists as JSON text, and `lead_unit` (the first unit) where analysts filter by it.
RECORD_TABLES: dict[str, type[Record]] = {"targets": Target, "tasks": Task, "assignments": Assignment,
                                          "deadlines": Deadline, "incentives": Incentive}
LEAD_FROM = {"targets": "lead_units", "tasks": "lead_units", "assignments": "units"}
NOT_STORED = ("span",)
SQL_TYPES = {str: "TEXT", float: "REAL", int: "INTEGER", bool: "INTEGER"}

# Raised whenever a table's columns or keys change (2: sections keyed by part; 3: record ids, same_as;
# 4: views, full-text index, document id and format; 5: the document's header as JSON).
SCHEMA_VERSION = 5
# Another process writing the database (a second batch, an analyst's open transaction): wait this long, then fail.
LOCK_WAIT_SECONDS = 10
SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    id INTEGER PRIMARY KEY,
    file TEXT NOT NULL UNIQUE,
    digest TEXT NOT NULL,
    record_id TEXT,
    title TEXT, doc_number TEXT, issuer TEXT, issued_date TEXT,
    original_script TEXT, encoding TEXT, format TEXT,
    header TEXT  -- every key of the export's header, as a JSON object: json_extract(header, '$.url')
);
CREATE TABLE IF NOT EXISTS sections (
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    part INTEGER NOT NULL,
    id TEXT NOT NULL,
    parent_id TEXT,
    level INTEGER NOT NULL, marker TEXT, title TEXT, line INTEGER,
    PRIMARY KEY (document_id, part, id)
);
"""
INDEXES = """
CREATE INDEX IF NOT EXISTS targets_document ON targets(document_id, part, section_id);
CREATE INDEX IF NOT EXISTS targets_lead_unit ON targets(lead_unit);
CREATE INDEX IF NOT EXISTS targets_deadline ON targets(deadline);
CREATE INDEX IF NOT EXISTS targets_indicator ON targets(indicator);
CREATE INDEX IF NOT EXISTS tasks_document ON tasks(document_id, part, section_id);
CREATE INDEX IF NOT EXISTS tasks_lead_unit ON tasks(lead_unit);
CREATE INDEX IF NOT EXISTS tasks_deadline ON tasks(deadline);
CREATE INDEX IF NOT EXISTS assignments_document ON assignments(document_id, part, section_id);
CREATE INDEX IF NOT EXISTS assignments_lead_unit ON assignments(lead_unit);
CREATE INDEX IF NOT EXISTS deadlines_document ON deadlines(document_id, part, section_id);
CREATE INDEX IF NOT EXISTS deadlines_date ON deadlines(date);
"""
# What an analyst queries directly. targets_v: one row per commitment (a body target linked to its
# task-table twin is left out: the twin carries the row's units and deadline), with its document and
# section. workload_v: per lead unit and deadline year, commitments and task rows. targets_fts: the
# indicators and texts of targets, searched by substring (`MATCH '覆盖率'`, three characters or more).
VIEWS = """
CREATE VIEW IF NOT EXISTS targets_v AS
SELECT d.file, d.title, d.doc_number, d.issuer, d.issued_date, t.part, t.section_id, s.title AS section_title,
       t.record_id AS target_id, t.indicator, t.value, t.value_max, t.unit, t.base_value, t.base_unit, t.comparator,
       t.kind, t.modality, t.aggregation, t.deadline, t.lead_unit, t.lead_units, t.figure, t.line, t.text
FROM targets t
JOIN documents d ON d.id = t.document_id
LEFT JOIN sections s ON s.document_id = t.document_id AND s.part = t.part AND s.id = t.section_id
WHERE t.same_as IS NULL;
CREATE VIEW IF NOT EXISTS workload_v AS
SELECT unit, year, SUM(kind = 'target') AS targets, SUM(kind = 'task') AS tasks FROM (
    SELECT lead_unit AS unit, substr(deadline, 1, 4) AS year, 'target' AS kind FROM targets
    WHERE same_as IS NULL AND lead_unit IS NOT NULL
    UNION ALL
    SELECT lead_unit, substr(deadline, 1, 4), 'task' FROM tasks WHERE lead_unit IS NOT NULL
) GROUP BY unit, year;
CREATE VIRTUAL TABLE IF NOT EXISTS targets_fts USING fts5(
    indicator, text, content = 'targets', content_rowid = 'id', tokenize = 'trigram');
CREATE TRIGGER IF NOT EXISTS targets_fts_insert AFTER INSERT ON targets BEGIN
    INSERT INTO targets_fts (rowid, indicator, text) VALUES (new.id, new.indicator, new.text);
END;
CREATE TRIGGER IF NOT EXISTS targets_fts_delete AFTER DELETE ON targets BEGIN
    INSERT INTO targets_fts (targets_fts, rowid, indicator, text) VALUES ('delete', old.id, old.indicator, old.text);
END;
"""


# A record's stable `id` is `record_id`: `id` is the row's own key.
COLUMN_NAMES = {"section": "section_id", "id": "record_id"}


def _column_name(field: str) -> str:
    return COLUMN_NAMES.get(field, field)


def _sql_type(annotation: Any) -> tuple[str, bool]:
    """(SQLite type, nullable) of a model field's annotation; lists and literals are TEXT."""
    args = [a for a in get_args(annotation) if a is not type(None)]
    nullable = type(None) in get_args(annotation)
    base = args[0] if nullable and len(args) == 1 else annotation
    return SQL_TYPES.get(get_origin(base) or base, "TEXT"), nullable


def stored_fields(model: type[Record]) -> list[str]:
    return [field.name for field in dataclasses.fields(model) if field.name not in NOT_STORED]


def table_sql(table: str, model: type[Record]) -> str:
    """`CREATE TABLE` for one kind of record, its columns read from the model."""
    columns = []
    annotations = get_type_hints(model)
    for name in stored_fields(model):
        sql_type, nullable = _sql_type(annotations[name])
        columns.append(f"{_column_name(name)} {sql_type}{'' if nullable else ' NOT NULL'}")
    if table in LEAD_FROM:
        columns.append("lead_unit TEXT")
    return (f"CREATE TABLE IF NOT EXISTS {table} (\n    id INTEGER PRIMARY KEY,\n"
            f"    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,\n    "
            + ",\n    ".join(columns)
            + ",\n    FOREIGN KEY (document_id, part, section_id) REFERENCES sections(document_id, part, id)\n);")


def _value(value: Any) -> Any:
    if isinstance(value, list):
        return json.dumps(value, ensure_ascii=False)
    return int(value) if isinstance(value, bool) else value


def _insert(connection: sqlite3.Connection, table: str, model: type[Record], doc_id: int | None,
            records: list[Any]) -> None:
    fields = stored_fields(model)
    names = ["document_id", *map(_column_name, fields)] + (["lead_unit"] if table in LEAD_FROM else [])
    rows = []
    for record in records:
        row = [doc_id, *(_value(getattr(record, f)) for f in fields)]
        if table in LEAD_FROM:
            units = getattr(record, LEAD_FROM[table])
            row.append(units[0] if units else None)
        rows.append(row)
    connection.executemany(f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})", rows)


def connect(path: str | Path) -> sqlite3.Connection:
    """Open (creating if needed) a policyparse database with foreign keys enforced.

    A database written with another layout is rebuilt: its tables are derived from the JSON
    outputs, and `batch` reloads every document whose rows are missing.
    """
    try:
        connection = sqlite3.connect(path, isolation_level=None, timeout=LOCK_WAIT_SECONDS)
    except sqlite3.Error as exc:
        raise InputError(f"{path}: cannot open the database ({exc})") from None
    try:
        connection.execute("PRAGMA foreign_keys = ON")
        connection.execute("PRAGMA journal_mode = WAL")
        if connection.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
            for view in ("targets_v", "workload_v"):
                connection.execute(f"DROP VIEW IF EXISTS {view}")
            for table in ("targets_fts", *RECORD_TABLES, "sections", "documents"):
                connection.execute(f"DROP TABLE IF EXISTS {table}")
            connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        connection.executescript(
            SCHEMA + "\n".join(table_sql(t, m) for t, m in RECORD_TABLES.items()) + INDEXES + VIEWS)
    except sqlite3.Error as exc:
        connection.close()
        raise InputError(f"{path}: not a database policyparse can write ({exc})") from None
    return connection


def keep_only(connection: sqlite3.Connection, files: set[str]) -> None:
    """Remove every document but `files`: the failed and the deleted ones."""
    for (file,) in connection.execute("SELECT file FROM documents").fetchall():
        if file not in files:
            remove_document(connection, file)


def stored_digest(connection: sqlite3.Connection, file: str) -> str | None:
    row = connection.execute("SELECT digest FROM documents WHERE file = ?", (file,)).fetchone()
    return row[0] if row else None


def remove_document(connection: sqlite3.Connection, file: str) -> None:
    connection.execute("DELETE FROM documents WHERE file = ?", (file,))


def load_document(connection: sqlite3.Connection, file: str, digest: str, doc: Document) -> None:
    """Replace `file`'s rows with `doc`'s, in one transaction."""
    meta = doc.metadata
    connection.execute("BEGIN IMMEDIATE")
    try:
        connection.execute("DELETE FROM documents WHERE file = ?", (file,))
        cursor = connection.execute(
            "INSERT INTO documents (file, digest, record_id, title, doc_number, issuer, issued_date, original_script,"
            " encoding, format, header) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (file, digest, doc.id, meta.title, meta.doc_number, meta.issuer, meta.issued_date, meta.original_script,
             meta.encoding, meta.format, json.dumps(meta.header, ensure_ascii=False)),
        )
        doc_id = cursor.lastrowid
        sections = doc.iter_sections()
        parents = {(child.part, child.id): s.id for s in sections for child in s.children}
        connection.executemany(
            "INSERT INTO sections (document_id, part, id, parent_id, level, marker, title, line)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [(doc_id, s.part, s.id, parents.get((s.part, s.id)), s.level, s.marker, s.title, s.line)
             for s in sections],
        )
        for table, model in RECORD_TABLES.items():
            _insert(connection, table, model, doc_id, getattr(doc, table))
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise
