"""Task tables (任务分解表) in the three shapes exports leave them in.

- flattened, one cell per line (`\\t序号`, `\\t类别`, …), blank cells as empty lines,
  a cell split over two lines, merged cells absent from continuation rows;
- one row per line with tab-separated cells;
- Markdown pipe tables.

Columns are recognized by their header words (synonyms in `rules/tables.toml`). A row
keeps the offsets of its cells so that the targets inside a task are read in place.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .. import regexcache
from ..models import Span, Task
from ..normalize import NormalizedText, line_spans
from ..outline import starts_heading
from ..rulebook import RuleBook
from ..rulebook.schema import ResponsibleRules, TablesRules
from .responsible import looks_like_unit, split_units
from .text import SectionIndex
from .times import find_times

MIN_HEADER_COLUMNS = 3
PIPE_RULE = regexcache.compile(r"^\s*\|?\s*:?-{3,}")
ROW_NUMBER = regexcache.compile(r"^\d{1,3}$")
SENTENCE_MARKS = "，,。；;"
UNIT_MAX_CHARS = 20


@dataclass
class Cell:
    text: str
    start: int
    end: int


@dataclass
class Table:
    """A task table: its column names in order, its rows of cells, and where it stands."""

    columns: list[str]
    rows: list[list[Cell | None]] = field(default_factory=list)
    start: int = 0
    end: int = 0


def _column_of(word: str, columns: dict[str, str]) -> str | None:
    """The column a header word names (`责任单位` → `support`), from `CompiledRules.table_columns`."""
    return columns.get(word.strip().strip("*"))


def _cell(text: str, lo: int, hi: int) -> Cell:
    raw = text[lo:hi]
    lead = len(raw) - len(raw.lstrip())
    stripped = raw.strip()
    return Cell(stripped, lo + lead, lo + lead + len(stripped))


def _split_row(text: str, lo: int, hi: int, pipe: bool) -> list[Cell]:
    line = text[lo:hi]
    separator = "|" if pipe else "\t"
    cells, offset = [], lo
    parts = line.split(separator)
    if pipe:
        parts = parts[1:-1] if line.strip().startswith("|") else parts
        offset += line.index("|") + 1 if line.strip().startswith("|") else 0
    for part in parts:
        cells.append(_cell(text, offset, offset + len(part)))
        offset += len(part) + 1
    return cells


def _is_date_cell(cell: Cell | None, rules: TablesRules) -> bool:
    return cell is not None and len(cell.text) <= 24 and bool(rules.deadline_cell.pattern.match(cell.text))


def _align(cells: list[Cell], columns: list[str], rules: TablesRules) -> list[list[Cell | None]]:
    """Cut a run of cells into rows, anchored on the deadline column when there is one.

    A row whose leading (merged) cells are absent is padded at the front.
    """
    width = len(columns)
    if "deadline" not in columns:
        chunks = [cells[i : i + width] for i in range(0, len(cells), width)]
        return [list(chunk) for chunk in chunks if any(c.text for c in chunk)]
    anchor = columns.index("deadline")
    rows: list[list[Cell | None]] = []
    i = 0
    while i < len(cells):
        j = next((k for k in range(i, len(cells)) if _is_date_cell(cells[k], rules)), None)
        if j is None:
            break
        present: list[Cell | None] = list(cells[i:j][-anchor:]) if anchor else []
        missing: list[Cell | None] = [None] * (anchor - len(present))
        after: list[Cell | None] = list(cells[j + 1 : j + width - anchor])
        padding: list[Cell | None] = [None] * (width - anchor - 1 - len(after))
        rows.append([*missing, *present, cells[j], *after, *padding])
        i = j + width - anchor
    return rows


def find_tables(norm: NormalizedText, book: RuleBook) -> list[Table]:
    """Every task table in the text."""
    rules = book.tables
    columns = book.compiled.table_columns
    text = norm.text
    if "\t" not in text and "|" not in text and not next(regexcache.finditer(book.compiled.column_line, text), None):
        return []  # no row of cells, no header word on a line of its own
    lines = list(line_spans(text))
    tables: list[Table] = []
    index = 0
    while index < len(lines):
        lo, hi = lines[index]
        line = text[lo:hi]
        pipe = line.strip().startswith("|")
        inline = _split_row(text, lo, hi, pipe) if ("\t" in line.strip() or pipe) else []
        inline_columns = [_column_of(c.text, columns) for c in inline]
        if len([c for c in inline_columns if c]) >= MIN_HEADER_COLUMNS:
            table, index = _read_row_table(text, lines, index, [c or "note" for c in inline_columns], pipe)
            tables.append(table)
            continue
        if _column_of(line, columns) is None:  # no header, of either kind, starts here
            index += 1
            continue
        header, k = _cell_header(text, lines, index, columns, spaced=False)
        if len(header) >= MIN_HEADER_COLUMNS and "task" in header:
            table, index = _read_flat_table(text, lines, k, header, rules)
            table.start = lo
            tables.append(table)
            continue
        header, k = _cell_header(text, lines, index, columns, spaced=True)
        if len(header) >= MIN_HEADER_COLUMNS and "task" in header and "no" in header:
            table, index = _read_numbered_table(text, lines, k, header, book)
            table.start = lo
            tables.append(table)
            continue
        index += 1
    return tables


def _cell_header(text: str, lines: list[tuple[int, int]], index: int, columns: dict[str, str],
                 spaced: bool) -> tuple[list[str], int]:
    """A header printed one cell per line: (its columns, the line after it). `spaced`: blank lines stand
    between its cells (a web page's table), which then never start with a tab."""
    header: list[str] = []
    k = index
    while k < len(lines):
        line = text[lines[k][0] : lines[k][1]]
        if spaced and not line.strip() and header:
            k += 1
            continue
        name = _column_of(line, columns)
        if not name or (spaced and line.startswith("\t")):
            break
        header.append(name)
        k += 1
    return header, k


def _read_numbered_table(text: str, lines: list[tuple[int, int]], index: int, columns: list[str],
                         book: RuleBook) -> tuple[Table, int]:
    """A table a web page left one cell per line with blank lines between, each row opened by its number.

    Merged cells are printed once, in the first of their rows: a row without a category or without units
    carries the row above's. Which cell is which comes from its shape: units are a list of unit names,
    the task is the longest other cell, a short cell before it is the category (`“光伏+地铁”工程`); a
    cell after the units is a group row (`建立健全“光伏+”推进机制`) and is skipped.
    """
    table = Table(columns)
    cells: list[list[Cell]] = []
    end = index
    while end < len(lines):
        lo, hi = lines[end]
        line = text[lo:hi]
        if line.strip():
            if starts_heading(line.strip(), book.outline):
                break
            cell = _cell(text, lo, hi)
            if cell.text == str(len(cells) + 1):  # the next row's number
                cells.append([cell])
            elif cells:
                cells[-1].append(cell)
            table.end = hi
        end += 1
    category: Cell | None = None
    units: Cell | None = None
    category_column = next((c for c in ("category", "project") if c in columns), None)
    units_column = "lead" if "lead" in columns else "support"
    for number, *rest in cells:
        shaped = [(cell, _is_unit_list(cell.text, book.responsible)) for cell in rest]
        prose = [cell for cell, is_units in shaped if not is_units]
        if not prose:
            continue
        task = max(prose, key=lambda cell: len(cell.text))
        position = rest.index(task)
        before = [cell for cell, is_units in shaped[:position] if not is_units]
        after_units = [cell for cell, is_units in shaped[position + 1 :] if is_units]
        category = before[-1] if before else category
        units = after_units[0] if after_units else units
        row: dict[str, Cell | None] = {"no": number, "task": task, units_column: units}
        if category_column:
            row[category_column] = category
        table.rows.append([row.get(column) for column in columns])
    return table, end


def _is_unit_list(text: str, rules: ResponsibleRules) -> bool:
    """A cell of unit names: no sentence and no figure in it, short parts, half of them at least shaped like
    a unit (`各交通行业企业、市道路运输局`: a class of bodies may stand beside them)."""
    if any(mark in text for mark in SENTENCE_MARKS) or any(ch.isdigit() for ch in text):
        return False
    units = split_units(text, rules)
    shaped = sum(looks_like_unit(unit, rules) for unit in units)
    return bool(units) and all(len(unit) <= UNIT_MAX_CHARS for unit in units) and 2 * shaped >= len(units)


def _read_row_table(text: str, lines: list[tuple[int, int]], index: int, columns: list[str],
                    pipe: bool) -> tuple[Table, int]:
    table = Table(columns, start=lines[index][0])
    header = text[lines[index][0] : lines[index][1]].strip()
    index += 1
    while index < len(lines):
        lo, hi = lines[index]
        line = text[lo:hi]
        after = next((k for k in range(index, len(lines)) if text[slice(*lines[k])].strip()), len(lines))
        if after < len(lines) and text[slice(*lines[after])].strip() == header:
            index = after + 1  # the header repeated on the next page: the same table goes on
            continue
        if not line.strip() or (pipe and not line.strip().startswith("|")) or (not pipe and "\t" not in line):
            break
        if not (pipe and PIPE_RULE.match(line)):
            table.rows.append(_pad(_split_row(text, lo, hi, pipe), columns))
        table.end = hi
        index += 1
    return table, index


def _pad(cells: list[Cell], columns: list[str]) -> list[Cell | None]:
    """A row of fewer cells than columns: its trailing empty cells were trimmed when it starts at the first
    column (its number, or an empty cell a reader wrote under a merged one), else its leading merged cells
    are absent."""
    missing: list[Cell | None] = [None] * (len(columns) - len(cells))
    if cells and (not cells[0].text or (columns[0] == "no" and ROW_NUMBER.match(cells[0].text))):
        return [*cells[: len(columns)], *missing]
    return [*missing, *cells[-len(columns):]]


def _read_flat_table(text: str, lines: list[tuple[int, int]], index: int, columns: list[str],
                     rules: TablesRules) -> tuple[Table, int]:
    cells: list[Cell] = []
    end = lines[index - 1][1]
    while index < len(lines):
        lo, hi = lines[index]
        line = text[lo:hi]
        if line.startswith("\t"):
            cells.append(_cell(text, lo, hi))
        elif line.strip():
            if len(line.strip()) > 20 or not cells:
                break  # a paragraph after the table
            cells[-1].text += line.strip()  # a cell the export split over two lines
            cells[-1].end = lo + len(line.rstrip())
        end = hi
        index += 1
    table = Table(columns, _align(cells, columns, rules), end=end)
    return table, index


def read_tasks(norm: NormalizedText, tables: list[Table], index: SectionIndex, rules: RuleBook,
               doc_date: str | None) -> list[Task]:
    """One task per table row, categories carried down from the row above."""
    tasks: list[Task] = []
    for table in tables:
        category: str | None = None
        for row in table.rows:
            cell = dict(zip(table.columns, row, strict=False))
            task_cell = cell.get("task")
            if task_cell is None or not task_cell.text:
                continue
            category = _text(cell.get("category")) or category
            deadline_cell = cell.get("deadline")
            times = find_times(deadline_cell.text, rules.times, doc_date) if deadline_cell else []
            first = next((c for c in row if c is not None and c.text), task_cell)
            lead, support = _units(cell.get("lead"), rules.responsible), _units(cell.get("support"), rules.responsible)
            if "lead" not in table.columns:
                lead, support = support, []  # a lone 责任单位 column names the lead
            tasks.append(Task(
                no=_text(cell.get("no")), category=category, project=_text(cell.get("project")),
                task=task_cell.text, lead_units=lead, support_units=support,
                deadline=times[0].date if times else None, deadline_text=_text(deadline_cell),
                **index.place(task_cell.start), line=norm.source_line(first.start),
                span=Span(start=task_cell.start, end=task_cell.end),
            ))
    return tasks


def _text(cell: Cell | None) -> str | None:
    return cell.text if cell is not None and cell.text else None


def _units(cell: Cell | None, rules: ResponsibleRules) -> list[str]:
    return split_units(cell.text, rules) if cell is not None and cell.text else []


@dataclass(frozen=True)
class Allocation:
    """One figure of an allocation table (a unit or district per row, a value or range per column)."""

    label: str
    measure: str
    unit: str
    value: Cell
    units: Cell | None
    total: bool


def find_allocations(norm: NormalizedText, book: RuleBook) -> list[Allocation]:
    """Allocation tables a web page left one cell per line (`序号 区域 新增装机容量（MW） 责任单位`, then
    `1 黄浦区 0.3-0.4 …`): each value cell is a figure of its row's label and its column's measure. A column
    is a measure when most rows hold a number or a range there; its unit is the header's (`（MW）`), else it
    counts (`新增示范工程` → `个`)."""
    text = norm.text
    columns = book.compiled.table_columns
    if not any(columns[found.group("word")] == "no" for found in regexcache.finditer(book.compiled.column_line, text)):
        return []  # no header opens with a row-number column
    lines = [(lo, hi) for lo, hi in line_spans(text) if text[lo:hi].strip()]
    out: list[Allocation] = []
    index = 0
    while index < len(lines):
        if _column_of(text[slice(*lines[index])], columns) != "no":
            index += 1
            continue
        header: list[Cell] = []
        k = index + 1
        while k < len(lines) and not ROW_NUMBER.match(text[slice(*lines[k])].strip()) and len(header) < MAX_COLUMNS:
            header.append(_cell(text, *lines[k]))
            k += 1
        if any(_column_of(cell.text, columns) == "task" for cell in header):
            index += 1
            continue
        rows, index = _allocation_rows(text, lines, k, book)
        out += _allocations(header, rows, book)
    return out


MAX_COLUMNS = 12
MEASURE_HEADER = regexcache.compile(r"^(?P<name>.+?)\s*[（(](?P<unit>[^（()）]{1,8})[）)]$")
RANGE_CELL = regexcache.compile(r"^(?P<value>\d+(?:\.\d+)?)(?:\s*[-—–~～]\s*(?P<value_max>\d+(?:\.\d+)?))?$")


def _allocation_rows(text: str, lines: list[tuple[int, int]], index: int,
                     book: RuleBook) -> tuple[list[tuple[list[Cell], bool]], int]:
    """The rows after a header: opened by their number, or by a total label (`汇总`); until a heading."""
    rows: list[tuple[list[Cell], bool]] = []
    number = 0
    while index < len(lines):
        cell = _cell(text, *lines[index])
        if starts_heading(cell.text, book.outline):
            break
        if cell.text == str(number + 1):  # the next row's number; a `1` in a value column is a value
            number += 1
            rows.append(([], False))
        elif cell.text in book.tables.total_labels:
            rows.append(([cell], True))
        elif rows:
            rows[-1][0].append(cell)
        else:
            break
        index += 1
    return rows, index


def _measure(header: Cell, book: RuleBook) -> tuple[str, str]:
    """(measure, unit) of a header cell: `新增装机容量（MW）` → (`新增装机容量`, `MW`); no unit: it counts."""
    found = MEASURE_HEADER.match(header.text)
    if found and book.compiled.figures.split_unit(found.group("unit")):
        return found.group("name"), found.group("unit")
    return header.text, book.tables.count_unit


def _allocations(header: list[Cell], rows: list[tuple[list[Cell], bool]], book: RuleBook) -> list[Allocation]:
    body = [cells for cells, total in rows if not total and cells]
    if not body or len(header) < 2:
        return []
    value_columns = [j for j in range(1, len(header))
                     if 2 * sum(1 for cells in body if j < len(cells) and RANGE_CELL.match(cells[j].text)) > len(body)]
    if not value_columns:
        return []
    columns = book.compiled.table_columns
    units_at = next((j for j, cell in enumerate(header) if _column_of(cell.text, columns) in ("lead", "support")), None)
    out = []
    for cells, total in rows:
        if not cells or RANGE_CELL.match(cells[0].text):
            continue
        values = [cell for cell in cells[1:] if RANGE_CELL.match(cell.text)] if total else [
            cells[j] for j in value_columns if j < len(cells) and RANGE_CELL.match(cells[j].text)]
        units = None
        if units_at is not None and not total and len(cells) > units_at:
            parts = cells[units_at:]  # a units cell the page wrapped over lines (`申通地铁` / `集团`) is one cell
            units = Cell("".join(p.text for p in parts), parts[0].start, parts[-1].end)
        for j, cell in zip(value_columns, values, strict=False):
            name, unit = _measure(header[j], book)
            out.append(Allocation(cells[0].text, name, unit, cell, units, total))
    return out
