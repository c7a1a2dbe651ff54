"""Renderables for people (Rich) and serializations for programs. Nothing here prints."""

from __future__ import annotations

import json

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from .models import Document, Section


def to_json(doc: Document) -> str:
    """The document as the JSON the scorer and other programs read (Chinese kept as Chinese)."""
    return json.dumps(doc.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n"


def metadata_panel(doc: Document) -> Panel:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    meta = doc.metadata
    rows = [("标题 title", meta.title), ("文号 number", meta.doc_number), ("发文机关 issuer", meta.issuer),
            ("成文日期 date", meta.issued_date)]
    for label, value in rows:
        table.add_row(label, Text(value) if value else Text("—", style="dim"))
    facts = f"{meta.encoding or 'text'}, {meta.original_script}"
    return Panel(table, title=doc.source or "document", subtitle=facts, subtitle_align="right")


def _section_label(section: Section) -> Text:
    label = Text()
    if section.marker:
        label.append(section.marker, style="bold cyan")
    else:
        label.append("(unnumbered) ", style="dim italic")
    label.append(section.title or "", style="bold" if section.level == 1 else "")
    label.append(f"  {section.id} · line {section.line}", style="dim")
    return label


def outline_tree(doc: Document) -> Tree:
    tree = Tree(Text(f"Outline: {len(doc.iter_sections())} sections", style="bold"), guide_style="dim")

    def grow(branch: Tree, sections: list[Section]) -> None:
        for section in sections:
            grow(branch.add(_section_label(section)), section.children)

    grow(tree, doc.sections)
    return tree


def warnings_table(doc: Document) -> RenderableType:
    if not doc.warnings:
        return Text("No warnings.", style="green")
    table = Table(title="Warnings", title_style="bold yellow", show_edge=False)
    table.add_column("line", justify="right", style="dim")
    table.add_column("kind", style="yellow")
    table.add_column("message")
    for warning in doc.warnings:
        table.add_row(str(warning.line or ""), warning.code, warning.message)
    return table


def document_view(doc: Document) -> Group:
    """Everything `policyparse extract` shows a person."""
    return Group(metadata_panel(doc), outline_tree(doc), warnings_table(doc))
