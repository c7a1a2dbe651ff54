"""Load documents into SQLite (stdlib `sqlite3`, no server), one transaction per document.

Tables `documents`, `sections`, `targets`, `tasks`, `assignments`, `deadlines`, keyed by
document and section id, with foreign keys (children cascade with their document) and
indexes on what analysts filter by: document, section, unit, deadline, indicator. A
document is replaced whole: its old rows are deleted and its new ones inserted in one
transaction, so an interrupted load leaves each document either complete or absent.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from .models import Document

SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    id INTEGER PRIMARY KEY,
    file TEXT NOT NULL UNIQUE,
    digest TEXT NOT NULL,
    title TEXT, doc_number TEXT, issuer TEXT, issued_date TEXT,
    original_script TEXT, encoding TEXT
);
CREATE TABLE IF NOT EXISTS sections (
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    parent_id TEXT,
    level INTEGER NOT NULL, marker TEXT, title TEXT, line INTEGER,
    PRIMARY KEY (document_id, id)
);
CREATE TABLE IF NOT EXISTS targets (
    id INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    section_id TEXT,
    indicator TEXT NOT NULL, value REAL NOT NULL, value_max REAL, unit TEXT NOT NULL,
    base_value REAL NOT NULL, base_unit TEXT NOT NULL, comparator TEXT NOT NULL, kind TEXT NOT NULL,
    modality TEXT, aggregation TEXT, deadline TEXT,
    lead_unit TEXT, lead_units TEXT,
    figure TEXT, text TEXT, line INTEGER,
    FOREIGN KEY (document_id, section_id) REFERENCES sections(document_id, id)
);
CREATE TABLE IF NOT EXISTS tasks (
    id INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    section_id TEXT,
    no TEXT, category TEXT, project TEXT, task TEXT NOT NULL,
    lead_unit TEXT, lead_units TEXT, support_units TEXT, deadline TEXT, deadline_text TEXT, line INTEGER,
    FOREIGN KEY (document_id, section_id) REFERENCES sections(document_id, id)
);
CREATE TABLE IF NOT EXISTS assignments (
    id INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    section_id TEXT,
    lead_unit TEXT, units TEXT NOT NULL, rule TEXT, text TEXT, line INTEGER,
    FOREIGN KEY (document_id, section_id) REFERENCES sections(document_id, id)
);
CREATE TABLE IF NOT EXISTS deadlines (
    id INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    section_id TEXT,
    text TEXT NOT NULL, date TEXT, recurring INTEGER NOT NULL, line INTEGER,
    FOREIGN KEY (document_id, section_id) REFERENCES sections(document_id, id)
);
CREATE INDEX IF NOT EXISTS targets_document ON targets(document_id, section_id);
CREATE INDEX IF NOT EXISTS targets_lead_unit ON targets(lead_unit);
CREATE INDEX IF NOT EXISTS targets_deadline ON targets(deadline);
CREATE INDEX IF NOT EXISTS targets_indicator ON targets(indicator);
CREATE INDEX IF NOT EXISTS tasks_document ON tasks(document_id, section_id);
CREATE INDEX IF NOT EXISTS tasks_lead_unit ON tasks(lead_unit);
CREATE INDEX IF NOT EXISTS tasks_deadline ON tasks(deadline);
CREATE INDEX IF NOT EXISTS assignments_document ON assignments(document_id, section_id);
CREATE INDEX IF NOT EXISTS assignments_lead_unit ON assignments(lead_unit);
CREATE INDEX IF NOT EXISTS deadlines_document ON deadlines(document_id, section_id);
CREATE INDEX IF NOT EXISTS deadlines_date ON deadlines(date);
"""


def connect(path: str | Path) -> sqlite3.Connection:
    """Open (creating if needed) a policyparse database with foreign keys enforced."""
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA foreign_keys = ON")
    connection.execute("PRAGMA journal_mode = WAL")
    connection.executescript(SCHEMA)
    return connection


def _first(units: list[str] | None) -> str | None:
    return units[0] if units else None


def _json(value: object) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False)


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
            "INSERT INTO documents (file, digest, title, doc_number, issuer, issued_date, original_script, encoding)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (file, digest, meta.title, meta.doc_number, meta.issuer, meta.issued_date, meta.original_script,
             meta.encoding),
        )
        doc_id = cursor.lastrowid
        sections = doc.iter_sections()
        parents = {child.id: s.id for s in sections for child in s.children}
        connection.executemany(
            "INSERT INTO sections (document_id, id, parent_id, level, marker, title, line)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(doc_id, s.id, parents.get(s.id), s.level, s.marker, s.title, s.line) for s in sections],
        )
        connection.executemany(
            "INSERT INTO targets (document_id, section_id, indicator, value, value_max, unit, base_value, base_unit,"
            " comparator, kind, modality, aggregation, deadline, lead_unit, lead_units, figure, text, line)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(doc_id, t.section, t.indicator, t.value, t.value_max, t.unit, t.base_value, t.base_unit, t.comparator,
              t.kind, t.modality, t.aggregation, t.deadline, _first(t.lead_units), _json(t.lead_units),
              t.figure, t.text, t.line) for t in doc.targets],
        )
        connection.executemany(
            "INSERT INTO tasks (document_id, section_id, no, category, project, task, lead_unit, lead_units,"
            " support_units, deadline, deadline_text, line) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(doc_id, t.section, t.no, t.category, t.project, t.task, _first(t.lead_units),
              _json(t.lead_units), _json(t.support_units), t.deadline, t.deadline_text, t.line) for t in doc.tasks],
        )
        connection.executemany(
            "INSERT INTO assignments (document_id, section_id, lead_unit, units, rule, text, line)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(doc_id, a.section, a.units[0] if a.units else None, _json(a.units), a.rule, a.text, a.line)
             for a in doc.assignments],
        )
        connection.executemany(
            "INSERT INTO deadlines (document_id, section_id, text, date, recurring, line) VALUES (?, ?, ?, ?, ?, ?)",
            [(doc_id, d.section, d.text, d.date, int(d.recurring), d.line) for d in doc.deadlines],
        )
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise
