"""Renderables for people (Rich). Nothing here prints; the CLI does."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from .models import Document, Section, Target

if TYPE_CHECKING:
    from .diff import DocumentDiff

COMPARATOR_SIGNS = {">=": "≥ ", "<=": "≤ ", "~": "≈ ", "=": "", "range": ""}

def format_value(target: Target) -> str:
    """`≥ 100个`, `2–3个`, `≈ 500个`: the figure as a reader scans it."""
    number = _number(target.value)
    if target.value_max is not None:
        number += f"–{_number(target.value_max)}"
    return f"{COMPARATOR_SIGNS[target.comparator]}{number}{target.unit}"


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def metadata_panel(doc: Document) -> Panel:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    meta = doc.metadata
    rows = [("标题 title", meta.title), ("文号 number", meta.doc_number), ("发文机关 issuer", meta.issuer),
            ("成文日期 date", meta.issued_date)]
    for label, value in rows:
        table.add_row(label, Text(value) if value else Text("—", style="dim"))
    facts = ", ".join(fact for fact in (meta.format, meta.encoding, meta.original_script) if fact)
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
    table.add_column("kind")
    table.add_column("message")
    # Errors first: the records are incomplete, which is what a reader must see before anything else.
    for warning in sorted(doc.warnings, key=lambda w: w.level != "error"):
        style = "bold red" if warning.level == "error" else "yellow"
        table.add_row(str(warning.line or ""), Text(f"{warning.code} ({warning.level})", style=style), warning.message)
    return table


def targets_table(doc: Document) -> RenderableType:
    if not doc.targets:
        return Text("No quantitative targets found.", style="dim")
    distinct = sum(1 for target in doc.targets if target.same_as is None)
    title = f"Targets ({len(doc.targets)}; {distinct} distinct commitments, twins in the task table counted once)" \
        if distinct != len(doc.targets) else f"Targets ({len(doc.targets)})"
    table = _titled(title, ("章节 section", {"style": "cyan", "no_wrap": True}),
                    ("指标 indicator", {"min_width": 24, "overflow": "fold"}),  # 12 Chinese characters
                    ("数值 value", {"justify": "right", "style": "bold"}), ("类型 kind", {"style": "dim"}),
                    ("期限 deadline", {"no_wrap": True}), ("牵头 lead", {}), ("行 line", LINE_COLUMN[1]))
    for target in doc.targets:
        lead = (target.lead_units or [""])[0]
        table.add_row(target.section or "", target.indicator, format_value(target), target.kind,
                      target.deadline or "", lead, str(target.line))
    return table


KIND_LEGEND = Text(
    "kind: count 数量 · money 金额 · funding 资金投入 · share 比例 · growth 增长率 · area 面积 · people 人数 · "
    "duration 时长 · volume 体积/重量 · other 其他", style="dim")
Column = tuple[str, Mapping[str, Any]]
SECTION_COLUMN: Column = ("section", {"style": "cyan", "no_wrap": True})
LINE_COLUMN: Column = ("line", {"justify": "right", "style": "dim"})


def _titled(title: str, *columns: Column) -> Table:
    table = Table(title=title, title_style="bold", title_justify="left")
    for name, options in columns:
        table.add_column(name, **options)
    return table


def tasks_table(doc: Document) -> RenderableType | None:
    if not doc.tasks:
        return None
    table = _titled(f"Task table ({len(doc.tasks)} rows)", *((name, {"overflow": "fold"}) for name in (
        "no", "category", "project", "task", "lead", "support", "deadline")))
    for task in doc.tasks:
        table.add_row(task.no or "", task.category or "", task.project or "", task.task, "、".join(task.lead_units),
                      "、".join(task.support_units), task.deadline or task.deadline_text or "")
    return table


def assignments_table(doc: Document) -> RenderableType | None:
    if not doc.assignments:
        return None
    table = _titled(f"Responsible units ({len(doc.assignments)})", SECTION_COLUMN, ("units (lead first)", {}),
                    LINE_COLUMN)
    for assignment in doc.assignments:
        table.add_row(assignment.section or "", "、".join(assignment.units), str(assignment.line))
    return table


def deadlines_table(doc: Document) -> RenderableType | None:
    if not doc.deadlines:
        return None
    table = _titled(f"Time limits ({len(doc.deadlines)})", SECTION_COLUMN, ("date", {"no_wrap": True}),
                    ("as written", {}), LINE_COLUMN)
    for deadline in doc.deadlines:
        date = (deadline.date or "?") + (" (recurring)" if deadline.recurring else "")
        table.add_row(deadline.section or "", date, deadline.text, str(deadline.line))
    return table


def diff_view(result: DocumentDiff, old_name: str, new_name: str) -> Group:
    """The changes between two documents, with both sentences and their lines."""
    table = _titled(f"Target changes: {old_name} → {new_name}", ("change", {"overflow": "fold"}), SECTION_COLUMN,
                    ("indicator", {"min_width": 8, "overflow": "fold"}), ("old", {"overflow": "fold"}),
                    ("new", {"overflow": "fold"}))
    for change in result.changed:
        table.add_row(Text("changed: " + ", ".join(change.fields), style="yellow"), change.new.section or "",
                      change.new.indicator, _value_cell(change.old), _value_cell(change.new))
    for target in result.removed:
        table.add_row(Text("removed", style="red"), target.section or "", target.indicator, _value_cell(target), "")
    for target in result.added:
        table.add_row(Text("added", style="green"), target.section or "", target.indicator, "", _value_cell(target))
    summary = Text(f"{len(result.changed)} changed, {len(result.added)} added, {len(result.removed)} removed, "
                   f"{result.unchanged} unchanged", style="bold")
    parts: list[RenderableType] = [table if table.row_count else Text("No target changed.", style="green"), summary]
    for field in result.metadata:
        parts.append(Text(f"metadata {field.field}: {field.old} → {field.new}", style="dim"))
    sections = result.sections
    if sections.added or sections.removed or sections.retitled:
        parts.append(Text(f"sections: {len(sections.added)} added, {len(sections.removed)} removed, "
                          f"{len(sections.retitled)} retitled", style="dim"))
    return Group(*parts)


def _value_cell(target: Target) -> Text:
    """The figure, its deadline, and where it stands: `10家 by 2021` over `line 34: …培育星级农家乐10家，民宿…`."""
    cell = Text(format_value(target), style="bold")
    if target.deadline:
        cell.append(f" by {target.deadline}")
    if target.lead_units:
        cell.append(f" · {target.lead_units[0]}")
    cell.append(f"\nline {target.line}: {excerpt(target)}", style="dim")
    return cell


def excerpt(target: Target, before: int = 10, after: int = 6) -> str:
    """The figure with a few characters of its sentence on each side."""
    at = target.text.find(target.figure)
    if at == -1:
        return target.text[: before + after]
    start, end = max(0, at - before), min(len(target.text), at + len(target.figure) + after)
    return ("…" if start else "") + target.text[start:end] + ("…" if end < len(target.text) else "")


def document_view(doc: Document, outline: bool = False, tasks: bool = False) -> Group:
    """What `policyparse extract` shows a person: metadata, warnings, then the targets; the outline and the
    task table when asked for (they run to hundreds of lines), and a line saying how to ask."""
    parts = [metadata_panel(doc), warnings_table(doc), targets_table(doc), KIND_LEGEND,
             outline_tree(doc) if outline else None, tasks_table(doc) if tasks else None,
             assignments_table(doc), deadlines_table(doc)]
    hidden = [f"{name} (--{option})" for name, option, shown, present in (
        (f"outline of {len(doc.iter_sections())} sections", "outline", outline, doc.sections),
        (f"task table of {len(doc.tasks)} rows", "tasks", tasks, doc.tasks)) if present and not shown]
    if hidden:
        parts.append(Text("Not shown: " + "; ".join(hidden) + ".", style="dim"))
    return Group(*(part for part in parts if part is not None))


SEVERITY_STYLES = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def check_view(reports: list[Any]) -> Group:
    """Findings of `policyparse check`, per file, grouped by severity."""
    parts: list[RenderableType] = []
    for report in reports:
        if not report.findings:
            parts.append(Text(f"{report.file}: no findings.", style="green"))
            continue
        table = _titled(f"{report.file}: {len(report.findings)} finding(s)", ("severity", {}),
                        ("line", LINE_COLUMN[1]), ("code", {}), ("finding", {"overflow": "fold"}))
        for finding in report.findings:
            table.add_row(Text(finding.severity, style=SEVERITY_STYLES[finding.severity]),
                          ", ".join(map(str, finding.lines)), finding.code, finding.message)
        parts.append(table)
    return Group(*parts)
