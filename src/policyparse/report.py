"""`policyparse report OUT_DIR`: a corpus at a glance, in one self-contained HTML file.

Read from a batch's output folder (its `<stem>.json` files): a timeline of deadlines by year,
stacked by kind; the workload of lead units by deadline year; one row per document with its
metadata, counts, warnings and findings; and every commitment in a table that a search box
filters and a click on a header sorts. Charts are SVG drawn here; the script is plain
JavaScript written here: the page loads nothing from anywhere.

Commitments are counted once: a body target linked to its task-table twin (`same_as`) is left
to the twin, which carries the row's unit and deadline.
"""

from __future__ import annotations

import html
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from .batch import SUMMARY
from .check import check_document
from .errors import InputError
from .models import Document
from .rulebook import RuleBook, default_rules

KINDS = ("count", "money", "funding", "share", "growth", "area", "people", "duration", "volume", "other")
# Colour-blind-safe palette (Okabe–Ito), one colour per kind, then per deadline year in the workload chart.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000", "#999999",
           "#7F3C8D")
TOP_UNITS = 15
CHART_WIDTH = 760
BAR_HEIGHT = 18


def load_outputs(out_dir: Path) -> list[tuple[str, Document]]:
    """The documents a batch wrote under `out_dir`, with their paths relative to it."""
    if not out_dir.is_dir():
        raise InputError(f"{out_dir}: not a folder (run `policyparse batch IN_DIR -o {out_dir}` first)")
    docs = []
    for path in sorted(out_dir.rglob("*.json")):
        if path.name == SUMMARY and path.parent == out_dir:
            continue
        try:
            docs.append((path.relative_to(out_dir).as_posix(), Document.model_validate_json(path.read_bytes())))
        except ValueError:
            continue  # not a policyparse document (another tool's JSON in the folder)
    if not docs:
        raise InputError(f"{out_dir}: no policyparse JSON documents in it")
    return docs


def _esc(value: object) -> str:
    return html.escape("" if value is None else str(value))


def _commitments(docs: list[tuple[str, Document]]) -> list[tuple[int, Any]]:
    return [(n, target) for n, (_, doc) in enumerate(docs) for target in doc.targets if target.same_as is None]


def _timeline(commitments: list[tuple[int, Any]]) -> str:
    by_year: dict[str, Counter[str]] = defaultdict(Counter)
    for _, target in commitments:
        if target.deadline:
            by_year[target.deadline[:4]][target.kind] += 1
    years = sorted(by_year)
    if not years:
        return "<p class='empty'>No commitment has a deadline.</p>"
    tallest = max(sum(counter.values()) for counter in by_year.values())
    height, bottom, headroom = 220, 30, 24  # room for the year below the bars and the total above them
    step = (CHART_WIDTH - 40) / len(years)
    width = max(6.0, step * 0.7)
    bars, labels = [], []
    for i, year in enumerate(years):
        x, y = 30 + i * step, float(height - bottom)
        for kind in KINDS:
            count = by_year[year][kind]
            if not count:
                continue
            h = (height - bottom - headroom) * count / tallest
            y -= h
            colour = PALETTE[KINDS.index(kind)]
            bars.append(f"<rect class='bar' data-year='{year}' data-kind='{kind}' x='{x:.1f}' y='{y:.1f}' "
                        f"width='{width:.1f}' height='{h:.1f}' fill='{colour}'>"
                        f"<title>{year}: {count} {kind}</title></rect>")
        total = sum(by_year[year].values())
        top = height - bottom - 6 - (height - bottom - headroom) * total / tallest
        labels.append(f"<text x='{x + width / 2:.1f}' y='{height - 12}' text-anchor='middle'>{year}</text>"
                      f"<text x='{x + width / 2:.1f}' y='{top:.1f}' text-anchor='middle' class='n'>{total}</text>")
    legend = "".join(f"<span><i style='background:{PALETTE[KINDS.index(k)]}'></i>{k}</span>" for k in KINDS
                     if any(by_year[y][k] for y in years))
    return (f"<svg id='timeline' viewBox='0 0 {CHART_WIDTH} {height}' role='img' "
            f"aria-label='Commitments by deadline year'>{''.join(bars)}{''.join(labels)}</svg>"
            f"<div class='legend'>{legend}</div>")


def _workload(docs: list[tuple[str, Document]], commitments: list[tuple[int, Any]]) -> str:
    per_unit: dict[str, Counter[str]] = defaultdict(Counter)
    for _, target in commitments:
        if target.lead_units:
            per_unit[target.lead_units[0]][(target.deadline or "none")[:4]] += 1
    for _, doc in docs:
        for task in doc.tasks:
            if task.lead_units:
                per_unit[task.lead_units[0]][(task.deadline or "none")[:4]] += 1
    units = sorted(per_unit, key=lambda unit: -sum(per_unit[unit].values()))[:TOP_UNITS]
    if not units:
        return "<p class='empty'>No lead unit is named.</p>"
    years = sorted({year for unit in units for year in per_unit[unit]})
    widest = max(sum(per_unit[unit].values()) for unit in units)
    left, rows = 200, []
    for i, unit in enumerate(units):
        x, y = float(left), 10 + i * (BAR_HEIGHT + 6)
        for year in years:
            count = per_unit[unit][year]
            if not count:
                continue
            w = (CHART_WIDTH - left - 40) * count / widest
            colour = PALETTE[years.index(year) % len(PALETTE)]
            rows.append(f"<rect class='bar' data-unit='{_esc(unit)}' data-year='{year}' x='{x:.1f}' y='{y}' "
                        f"width='{w:.1f}' height='{BAR_HEIGHT}' fill='{colour}'>"
                        f"<title>{_esc(unit)}, {year}: {count}</title></rect>")
            x += w
        rows.append(f"<text x='{left - 6}' y='{y + BAR_HEIGHT - 5}' text-anchor='end'>{_esc(unit)}</text>"
                    f"<text x='{x + 4:.1f}' y='{y + BAR_HEIGHT - 5}' class='n'>{sum(per_unit[unit].values())}</text>")
    height = 20 + len(units) * (BAR_HEIGHT + 6)
    legend = "".join(f"<span><i style='background:{PALETTE[n % len(PALETTE)]}'></i>{year}</span>"
                     for n, year in enumerate(years))
    return (f"<svg id='workload' viewBox='0 0 {CHART_WIDTH} {height}' role='img' "
            f"aria-label='Commitments and task rows per lead unit'>{''.join(rows)}</svg>"
            f"<div class='legend'>{legend}</div>")


def _documents(docs: list[tuple[str, Document]], findings: list[list[Any]]) -> str:
    rows = []
    for n, ((file, doc), found) in enumerate(zip(docs, findings, strict=True)):
        meta = doc.metadata
        distinct = sum(1 for t in doc.targets if t.same_as is None)
        notes = "".join(f"<li class='{_esc(f.severity)}'>{_esc(f.code)}: {_esc(f.message)}</li>" for f in found)
        opened = " open" if any(f.severity == "error" for f in found) else ""
        rows.append(
            f"<tr id='doc-{n}'><td><a href='#targets' data-file='{_esc(file)}' class='doc-link'>"
            f"{_esc(meta.title or file)}</a><div class='file'>{_esc(file)}</div></td><td>{_esc(meta.doc_number)}</td>"
            f"<td>{_esc(meta.issuer)}</td><td>{_esc(meta.issued_date)}</td><td class='n'>{distinct}</td>"
            f"<td class='n'>{len(doc.tasks)}</td><td><details{opened}><summary>{len(found)}</summary>"
            f"<ul>{notes}</ul></details></td></tr>")
    return ("<table id='documents'><thead><tr><th>document</th><th>文号</th><th>issuer</th><th>date</th>"
            "<th>commitments</th><th>task rows</th><th>warnings and findings</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>")


def _targets(docs: list[tuple[str, Document]], commitments: list[tuple[int, Any]]) -> str:
    rows = []
    for n, target in commitments:
        file = docs[n][0]
        rows.append(
            f"<tr data-file='{_esc(file)}' data-year='{_esc((target.deadline or '')[:4])}'>"
            f"<td>{_esc(file)}</td><td>{_esc(target.section)}</td><td>{_esc(target.indicator)}</td>"
            f"<td class='n' data-sort='{target.base_value}'>{_esc(target.figure)}</td><td>{_esc(target.kind)}</td>"
            f"<td>{_esc(target.deadline)}</td><td>{_esc((target.lead_units or [''])[0])}</td>"
            f"<td class='text'>{_esc(target.text)}</td></tr>")
    return ("<input id='search' type='search' placeholder='Search indicators, units, texts… (filters the table)'>"
            "<span id='shown'></span><button id='clear' type='button'>show all</button>"
            "<table id='targets-table'><thead><tr><th>file</th><th>section</th><th>indicator 指标</th>"
            "<th>value 数值</th><th>kind</th><th>deadline 期限</th><th>lead 牵头</th><th>text</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>")


STYLE = """
body{font-family:system-ui,"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:2em;color:#222;max-width:1200px}
h1{font-size:1.5em}h2{font-size:1.15em;margin-top:2em}svg{width:100%;height:auto;font-size:11px}
.bar{cursor:pointer}.bar:hover{opacity:.75}.n{text-align:right;font-variant-numeric:tabular-nums}
.legend span{margin-right:1em;font-size:.85em}.legend i{display:inline-block;width:.8em;height:.8em;margin-right:.3em}
table{border-collapse:collapse;width:100%;font-size:.9em}th,td{border-bottom:1px solid #ddd;padding:.3em .4em;
vertical-align:top;text-align:left}th{cursor:pointer;background:#f4f4f4;position:sticky;top:0}
td.text{max-width:28em;color:#555}.file{color:#888;font-size:.8em}li.error{color:#b00}li.warning{color:#a60}
#search{width:30em;padding:.4em;margin:.5em 0}#shown{margin:0 1em;color:#555}.empty{color:#888}
"""

SCRIPT = """
(function () {
  var table = document.getElementById('targets-table');
  var rows = Array.prototype.slice.call(table.tBodies[0].rows);
  var search = document.getElementById('search'), shown = document.getElementById('shown');
  var filter = {text: '', file: '', year: ''};
  function apply() {
    var n = 0, words = filter.text.toLowerCase().split(/\\s+/).filter(Boolean);
    rows.forEach(function (row) {
      var text = row.textContent.toLowerCase();
      var ok = words.every(function (w) { return text.indexOf(w) >= 0; }) &&
        (!filter.file || row.dataset.file === filter.file) && (!filter.year || row.dataset.year === filter.year);
      row.style.display = ok ? '' : 'none';
      if (ok) { n += 1; }
    });
    shown.textContent = n + ' of ' + rows.length + ' commitments' +
      (filter.file ? ' in ' + filter.file : '') + (filter.year ? ' due in ' + filter.year : '');
  }
  search.addEventListener('input', function () { filter.text = search.value; apply(); });
  document.getElementById('clear').addEventListener('click', function () {
    filter = {text: '', file: '', year: ''}; search.value = ''; apply();
  });
  document.querySelectorAll('#timeline .bar').forEach(function (bar) {
    bar.addEventListener('click', function () { filter.year = bar.dataset.year; apply(); table.scrollIntoView(); });
  });
  document.querySelectorAll('.doc-link').forEach(function (link) {
    link.addEventListener('click', function () { filter.file = link.dataset.file; apply(); });
  });
  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, column) {
    var ascending = true;
    th.addEventListener('click', function () {
      var body = table.tBodies[0];
      rows.sort(function (a, b) {
        var x = a.cells[column], y = b.cells[column];
        var p = parseFloat(x.dataset.sort), q = parseFloat(y.dataset.sort);
        var order = (!isNaN(p) && !isNaN(q)) ? p - q : x.textContent.localeCompare(y.textContent, 'zh');
        return ascending ? order : -order;
      });
      ascending = !ascending;
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });
  apply();
})();
"""


def build_report(out_dir: str | Path, rules: RuleBook | None = None) -> str:
    """The HTML of the report on a batch's output folder."""
    rules = rules or default_rules()
    docs = load_outputs(Path(out_dir))
    findings = [check_document(doc, lambda _offset: 1, rules, text_checks=False) for _, doc in docs]
    commitments = _commitments(docs)
    dated = sum(1 for _, t in commitments if t.deadline)
    return f"""<!DOCTYPE html>
<html lang="zh"><head><meta charset="utf-8"><title>policyparse report: {_esc(out_dir)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>{STYLE}</style></head>
<body><h1>policyparse report</h1>
<p>{len(docs)} documents, {len(commitments)} commitments ({dated} with a deadline),
{sum(len(doc.tasks) for _, doc in docs)} task rows. A body target stated again in its task table counts once.</p>
<h2>Deadlines by year</h2><p class="file">Click a bar to list its commitments.</p>{_timeline(commitments)}
<h2>Workload of lead units (commitments and task rows, by deadline year; top {TOP_UNITS})</h2>
{_workload(docs, commitments)}
<h2>Documents</h2>{_documents(docs, findings)}
<h2 id="targets">Commitments</h2>{_targets(docs, commitments)}
<script>{SCRIPT}</script></body></html>
"""


def write_report(out_dir: str | Path, output: str | Path | None = None, rules: RuleBook | None = None) -> Path:
    """Write the report (default `OUT_DIR/report.html`) and return its path."""
    from .atomic import write_text_atomic

    target = Path(output) if output else Path(out_dir) / "report.html"
    write_text_atomic(target, build_report(out_dir, rules))
    return target
