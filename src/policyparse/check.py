"""`policyparse check`: a plan checked against itself.

Each kind of finding is a rule of `checks.toml` (its severity, and small documents it must and
must not be found in); the code here finds them:

- the body and the task table: a figure in a section the table covers with no row
  (`body_without_row`), a row whose figure differs from the body's statement of the same target
  (`row_differs`), a row naming no unit (`row_without_unit`);
- dates: a deadline after the plan's horizon (`deadline_after_horizon`) or before its issue date
  (`deadline_before_issue`), a phase ending before it starts (`phase_reversed`);
- units: one the table names and the body never does (`unit_only_in_table`), one spelled two
  ways (`unit_two_spellings`: `县商务委` and `县商务委员会`);
- totals whose parts do not add up (`total_mismatch`);
- outline numbering that skips or repeats (`numbering_gap`, `numbering_repeat`);
- and every warning of the reading (damaged text, content dropped), at its own level.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from .extract.numbers import find_figures
from .extract.records import similarity
from .extract.times import title_years
from .models import Document, Section, Target
from .numerals import NUMERAL_RUN, chinese_to_int
from .rulebook import RuleBook, default_rules
from .rulebook.schema import FindingRule

Severity = Literal["error", "warning", "info"]
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
# Indicators this similar, with the same unit and different figures, state one target two ways.
DIFFERS_SIMILARITY = 0.8
Found = Iterator[tuple[str, list[int], str]]
LineOf = Callable[[int], int]


class Finding(BaseModel):
    """Something in a plan that disagrees with the plan itself."""

    code: str = Field(description="Kind of finding, e.g. `row_differs`.")
    severity: Severity = Field(description="`error`, `warning` or `info`.")
    lines: list[int] = Field(description="1-based source lines it concerns.")
    message: str = Field(description="What is wrong, in one line.")
    rule: str | None = Field(default=None, description="Id of the rule of checks.toml that reports it.")


class CheckReport(BaseModel):
    file: str | None = Field(description="The document checked.")
    findings: list[Finding] = Field(default_factory=list)

    @property
    def has_errors(self) -> bool:
        return any(f.severity == "error" for f in self.findings)


def _in_table(doc: Document) -> list[Target]:
    spans = [(task.span.start, task.span.end) for task in doc.tasks]
    return [t for t in doc.targets if any(a <= t.span.start < b for a, b in spans)]


def _figure(target: Target) -> str:
    return f"{target.indicator} {target.figure}" + (f" by {target.deadline}" if target.deadline else "")


def _body_and_table(doc: Document, rules: RuleBook, line_of: LineOf) -> Found:
    if not doc.tasks:
        return
    table = _in_table(doc)
    in_table = {id(t) for t in table}
    body = [t for t in doc.targets if id(t) not in in_table and t.section and not t.aggregation]
    twins = {t.same_as for t in body if t.same_as}
    # The parts of the body the table follows: the parent of every section with a target in the table.
    covered = {(t.part, t.section.rsplit("/", 1)[0]) for t in body if t.same_as and t.section}
    lone_rows = [t for t in table if t.id not in twins]
    lone_body = [t for t in body if not t.same_as]
    horizon = _horizon(doc, rules)
    used: set[int] = set()
    for row in lone_rows:
        best = max(((similarity(row.indicator, b.indicator), n) for n, b in enumerate(lone_body)
                    if n not in used and b.base_unit == row.base_unit), default=(0.0, -1))
        if best[0] < DIFFERS_SIMILARITY:
            continue
        used.add(best[1])
        mine = lone_body[best[1]]
        if (row.base_value, row.value_max) == (mine.base_value, mine.value_max) and _after(row.deadline, horizon):
            continue  # only the row's deadline differs, and it is past the horizon: reported as that
        yield ("row_differs", [row.line, mine.line],
               f"the task table says {_figure(row)}; the body says {_figure(mine)}")
    missing: dict[int, list[Target]] = {}
    for n, target in enumerate(lone_body):
        if n not in used and any(part == target.part and f"{target.section}/".startswith(parent + "/")
                                 for part, parent in covered):
            missing.setdefault(target.line, []).append(target)
    for line, targets in missing.items():
        yield ("body_without_row", [line], f"{'; '.join(map(_figure, targets))} (section {targets[0].section}): "
               "no row of the task table states it")
    for task in doc.tasks:
        if not task.lead_units and not task.support_units:
            yield "row_without_unit", [task.line], f"task row {task.no or ''} names no responsible unit: {task.task}"


def _after(deadline: str | None, horizon: int | None) -> bool:
    return bool(deadline) and horizon is not None and int(str(deadline)[:4]) > horizon


def _horizon(doc: Document, rules: RuleBook) -> int | None:
    """The last year the plan's title covers."""
    return max(title_years(doc.metadata.title, rules.times), default=None)


def _dates(doc: Document, rules: RuleBook, line_of: LineOf) -> Found:
    horizon = _horizon(doc, rules)
    issued = doc.metadata.issued_date
    dated: dict[int, tuple[str, str]] = {}
    in_rows = {id(t) for t in _in_table(doc)}  # a row's targets share its deadline: the row is reported
    for target in doc.targets:
        if target.deadline and id(target) not in in_rows:
            dated.setdefault(target.line, (target.deadline, _figure(target)))
    for task in doc.tasks:
        if task.deadline:
            dated.setdefault(task.line, (task.deadline, f"task {task.no or ''}: {task.task}"))
    for line, (deadline, what) in sorted(dated.items()):
        if _after(deadline, horizon):
            yield "deadline_after_horizon", [line], f"{what}: due {deadline}, after the plan's horizon {horizon}"
        elif issued and deadline < issued[: len(deadline)]:
            yield "deadline_before_issue", [line], f"{what}: due {deadline}, before the plan was issued ({issued})"


def _phases(doc: Document, rules: RuleBook, line_of: LineOf) -> Found:
    for found in rules.checks.phase.pattern.finditer(doc.text):
        start = (int(found.group("start_year")), int(found.group("start_month")))
        end = (int(found.group("end_year") or start[0]), int(found.group("end_month")))
        if end < start:
            yield "phase_reversed", [line_of(found.start())], f"the phase {found.group(0)} ends before it starts"


def _units(doc: Document, rules: RuleBook, line_of: LineOf) -> Found:
    table_start = min((task.span.start for task in doc.tasks), default=len(doc.text))
    body = doc.text[:table_start]
    named: dict[str, int] = {}
    for task in doc.tasks:
        for unit in task.lead_units:
            named.setdefault(unit, task.line)
    for unit, line in named.items():
        if unit not in body:
            yield "unit_only_in_table", [line], f"{unit} leads a task row, and the body never names it"
    every: dict[str, int] = dict(named)
    for task in doc.tasks:
        for unit in task.support_units:
            every.setdefault(unit, task.line)
    for assignment in doc.assignments:
        for unit in assignment.units:
            every.setdefault(unit, assignment.line)
    for full, short in rules.checks.short_forms.items():
        for unit, line in every.items():
            abbreviated = unit[: -len(full)] + short if unit.endswith(full) else None
            if abbreviated and abbreviated in every:
                yield ("unit_two_spellings", sorted({line, every[abbreviated]}),
                       f"{abbreviated} and {unit} name one unit two ways")


def _totals(doc: Document, rules: RuleBook, line_of: LineOf) -> Found:
    figures = rules.compiled.figures
    for found in rules.checks.total.pattern.finditer(doc.text):
        total = find_figures(found.group("total"), figures)
        parts = find_figures(found.group("parts"), figures)
        if len(total) != 1 or len(parts) < 2 or any(p.base_unit != total[0].base_unit for p in parts):
            continue
        added = sum(p.base_value for p in parts)
        if abs(added - total[0].base_value) > 1e-9 * max(1.0, abs(total[0].base_value)):
            yield ("total_mismatch", [line_of(found.start())],
                   f"the parts add up to {_plain(added, total[0])}, the total says {found.group('total').strip()}")


def _plain(value: float, like: object) -> str:
    unit = getattr(like, "unit", "")
    scale = getattr(like, "base_value", 1) / (getattr(like, "value", 1) or 1)
    number = value / scale if scale else value
    return f"{number:g}{unit}"


def _number(section: Section) -> int | None:
    marker = (section.marker or "").strip("、．.（）()﹒ ")
    if marker.isdigit():
        return int(marker)
    return chinese_to_int(marker) if marker else None


def _numbering(doc: Document, rules: RuleBook, line_of: LineOf) -> Found:
    def siblings(children: list[Section]) -> Found:
        previous: dict[str, tuple[int, Section]] = {}
        for child in children:
            form = NUMERAL_RUN.sub("#", child.marker or "")
            number = _number(child)
            if number is not None and form in previous:
                last, before = previous[form]
                if number == last:
                    yield ("numbering_repeat", [before.line, child.line],
                           f"{child.marker} comes twice under one heading")
                elif number > last + 1 and number - last < 10:
                    yield ("numbering_gap", [before.line, child.line],
                           f"{before.marker} is followed by {child.marker}: the numbers between are missing")
            if number is not None:
                previous[form] = (number, child)
            yield from siblings(child.children)

    yield from siblings(doc.sections)


def check_document(doc: Document, line_of: LineOf, rules: RuleBook | None = None,
                   text_checks: bool = True) -> list[Finding]:
    """Every finding in a parsed document (one from `parse_source`, which keeps its text), errors first.

    `line_of` gives the source line of an offset of the normalized text (`NormalizedText.source_line`).
    Without `text_checks` (a document loaded from its JSON, which holds no text), the findings that read
    the text itself (phases, units the body names, totals) are not looked for.
    """
    rules = rules or default_rules()
    by_code: dict[str, FindingRule] = {rule.code: rule for rule in rules.checks.finding}
    found: list[Finding] = []
    seen: set[tuple[str, tuple[int, ...]]] = set()
    finders = (_body_and_table, _dates, _numbering, *((_phases, _units, _totals) if text_checks else ()))
    for finder in finders:
        for code, lines, message in finder(doc, rules, line_of):
            rule = by_code.get(code)
            if rule is None or (code, tuple(lines)) in seen:
                continue  # a kind the rules leave out (`disable`), or said already for these lines
            seen.add((code, tuple(lines)))
            found.append(Finding(code=code, severity=rule.severity, lines=lines, message=message, rule=rule.id))
    found += [Finding(code=w.code, severity="error" if w.level == "error" else "warning", lines=[w.line or 1],
                      message=w.message) for w in doc.warnings]
    return sorted(found, key=lambda f: (SEVERITY_ORDER[f.severity], f.lines[0], f.code))


def check_file(path: str | Path, rules: RuleBook | None = None) -> CheckReport:
    """Read, parse and check one document of any supported format."""
    from .pipeline import normalize_text, parse_source
    from .readers import read_file

    rules = rules or default_rules()
    read = read_file(path)
    doc = parse_source(read, rules=rules)
    norm = normalize_text(read, rules)
    return CheckReport(file=str(path), findings=check_document(doc, norm.source_line, rules))
