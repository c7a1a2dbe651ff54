"""Extraction: targets, time limits, responsible units and task tables, read with the rules in `rules/`."""

from __future__ import annotations

from dataclasses import dataclass

from .. import regexcache
from ..models import Assignment, Deadline, Incentive, Metadata, ParseWarning, Section, Target, Task
from ..normalize import NormalizedText
from ..rulebook import RuleBook
from .numbers import find_figures
from .records import assign_ids, link_twins, target_key
from .responsible import extract_assignments, find_statements
from .tables import find_allocations, find_tables, read_tasks
from .targets import (
    Context,
    Scope,
    allocation_targets,
    excluded_spans,
    read_incentives,
    read_targets,
    sections_without_targets,
)
from .text import ByStart, Coverage, SectionIndex, find_all, paragraph_bounds, sentence_bounds
from .times import extract_deadlines, find_times, plan_horizon

# The years in a cited document's title (`《…行动计划(2023-2025年)》`) are that document's, not limits here.
CITED_TITLE = regexcache.compile(r"《[^《》\n]*》")


@dataclass(frozen=True)
class Extraction:
    targets: list[Target]
    deadlines: list[Deadline]
    assignments: list[Assignment]
    tasks: list[Task]
    incentives: list[Incentive]
    warnings: list[ParseWarning]


Spans = list[tuple[int, int]]


def _run_together(norm: NormalizedText, rules: RuleBook, start: int) -> tuple[list[ParseWarning], Spans]:
    """Lines where table cells ran together: warned about, and no figure is read there."""
    warnings, spans = [], []
    for rule in rules.tables.run_together:
        for found in find_all(rule.regex, norm.text, start):
            lo, hi = paragraph_bounds(norm.text, found.start())
            line = norm.source_line(found.start())
            warnings.append(ParseWarning(code="cells_run_together", line=line, message=(
                f"table cells run together without separators near '{found.group(0)}'; no figures read on this line")))
            spans.append((lo, hi))
    return warnings, spans


def extract(norm: NormalizedText, sections: list[Section], metadata: Metadata, rules: RuleBook) -> Extraction:
    """Every record the extraction rules find in a normalized, segmented document."""
    index = SectionIndex.build(sections)
    body = index.body_start
    figures = ByStart(find_figures(norm.text, rules.compiled.figures))
    excluded, incentive_spans = excluded_spans(norm.text, rules.targets, figures.records)
    cited = [m.span() for m in CITED_TITLE.finditer(norm.text)]
    times = [t for t in find_times(norm.text, rules.times, metadata.issued_date, start=body)
             if not any(a <= t.start and t.end <= b for a, b in cited)]
    statements = find_statements(norm.text, rules.responsible, start=body)
    tables = find_tables(norm, rules)
    tasks = read_tasks(norm, tables, index, rules, metadata.issued_date)
    warnings, run_together = _run_together(norm, rules, body)
    section_units: dict[tuple[int, str] | None, list[str]] = {}
    for statement in statements:
        if statement.rule.scope == "section":
            section_units.setdefault(index.key_at(statement.start), statement.units)
    # No figure is read in a sentence that a wrong decoding damaged: its digits may be anything.
    damaged = [sentence_bounds(norm.text, m.start(), "。！？\n") for rule in rules.normalize.mojibake
               for m in find_all(rule.regex, norm.text, body)]
    ctx = Context(
        past_sections=sections_without_targets(sections, rules.targets),
        norm=norm, index=index, rules=rules, times=ByStart(t for t in times if t.date and not t.recurring),
        statements=ByStart(statements), horizon=plan_horizon(metadata.title, sections, times, rules.times),
        excluded=Coverage(excluded + run_together + damaged),
        figures=figures,
        section_units=section_units,
    )
    in_body = read_targets(ctx, Scope(body, len(norm.text)), skip=Coverage((t.start, t.end) for t in tables))
    allocations = find_allocations(norm, rules)
    in_tables: list[Target] = []
    for task in tasks:
        scope = Scope(task.span.start, task.span.end, deadline=task.deadline,
                      units=(task.lead_units + task.support_units) or None)
        in_tables += read_targets(ctx, scope)
    targets = sorted([*in_body, *allocation_targets(ctx, allocations), *in_tables], key=lambda t: t.span.start)
    assign_ids("t", targets, [target_key(t) for t in targets])
    link_twins(in_body, in_tables)
    found = Extraction(
        targets=targets,
        deadlines=extract_deadlines(norm, times, index),
        assignments=extract_assignments(norm, statements, index, sections),
        tasks=tasks,
        incentives=read_incentives(ctx, Coverage(incentive_spans), body),
        warnings=warnings,
    )
    assign_ids("k", found.tasks, [f"{t.part}\x1f{t.section}\x1f{t.no}\x1f{t.task}" for t in found.tasks])
    assign_ids("a", found.assignments, [f"{a.part}\x1f{a.section}\x1f{a.text}" for a in found.assignments])
    assign_ids("d", found.deadlines, [f"{d.part}\x1f{d.section}\x1f{d.text}" for d in found.deadlines])
    assign_ids("i", found.incentives, [f"{i.part}\x1f{i.section}\x1f{i.figure}\x1f{i.text}" for i in found.incentives])
    return found
