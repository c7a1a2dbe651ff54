"""Time expressions and time limits: `到2025年`, `2022年底前`, `（2023年7月-12月）`, `每年11月底前`,
`按季度`, `今年底`, `十四五`.

`find_times` reads every expression with its end date (as precise as the text gives it);
`extract_deadlines` lists the ones that are time limits; `plan_horizon` finds the period a
plan is scoped to (its title, or the limit in its goals section), which a target with no
time of its own inherits.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from ..models import Deadline, Section, Span
from ..normalize import NormalizedText
from ..numerals import chinese_to_int
from ..rulebook.schema import TimeRule, TimesRules
from .text import CLAUSE_ENDS, Claimed, Coverage, SectionIndex, find_all, holds_any

QUARTER_END = {1: 3, 2: 3, 3: 3, 4: 6, 5: 6, 6: 6, 7: 9, 8: 9, 9: 9, 10: 12, 11: 12, 12: 12}
DEADLINE_TEXT_MAX = 40


@dataclass(frozen=True)
class TimeExpr:
    """A time expression and the date it ends on."""

    start: int
    end: int
    date: str | None
    recurring: bool
    limit: bool
    kind: str
    rule_id: str


def _iso(year: int, month: int | None = None, day: int | None = None) -> str | None:
    try:
        if day:
            return dt.date(year, month or 1, day).isoformat()
        if month:
            return f"{dt.date(year, month, 1):%Y-%m}"
        return f"{dt.date(year, 1, 1):%Y}"
    except ValueError:
        return None


def _int(text: str | None) -> int | None:
    if not text:
        return None
    return int(text) if text.isdigit() else chinese_to_int(text)


def _reference(doc_date: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(doc_date) if doc_date else None
    except ValueError:
        return None


def _read(rule: TimeRule, found: re.Match[str], ref: dt.date | None,
          rules: TimesRules) -> tuple[str | None, bool, bool]:
    """(date, recurring, limit) of one match."""
    group = found.groupdict()
    if rule.kind == "point":
        year, month, day = _int(group["year"]), _int(group.get("month")), _int(group.get("day"))
        end, lead = group.get("end") or "", group.get("lead") or ""
        if month is None and end in rules.year_end_words:
            month = 12
        assert year is not None
        is_limit = bool(lead or end or month) and lead not in rules.not_limit_leads
        return _iso(year, month, day), False, is_limit and rule.limit
    if rule.kind == "period":
        y1, m2 = _int(group["y1"]), _int(group["m2"])
        y2 = _int(group.get("y2")) or y1
        assert y2 is not None and m2 is not None
        return _iso(y2, m2), False, rule.limit
    if rule.kind == "years":
        y2 = _int(group["y2"])
        assert y2 is not None
        return _iso(y2), False, rule.limit
    if rule.kind == "recurring":
        return _next_occurrence(group, ref, rules), True, rule.limit
    if rule.kind == "relative":
        return _relative(group["word"], ref, rules), False, rule.limit
    n = _int(group["n"])
    assert n is not None
    return _iso(2010 + 5 * (n - 11)), False, rule.limit


def _next_occurrence(group: dict[str, str | None], ref: dt.date | None, rules: TimesRules) -> str | None:
    """First occurrence of a recurring limit on or after the document's date."""
    if ref is None:
        return None
    every = group.get("every") or ""
    month = _int(group.get("month"))
    if month:
        year = ref.year if month >= ref.month else ref.year + 1
        return _iso(year, month)
    if holds_any(every, rules.quarter_words):
        return _iso(ref.year, QUARTER_END[ref.month])
    if holds_any(every, rules.half_year_words):
        return _iso(ref.year, 6 if ref.month <= 6 else 12)
    return _iso(ref.year, ref.month)


def _relative(word: str, ref: dt.date | None, rules: TimesRules) -> str | None:
    if ref is None:
        return None
    year = ref.year + 1 if word.startswith(tuple(rules.next_year_words)) else ref.year
    return _iso(year, 12) if holds_any(word, rules.year_end_words) else _iso(year)


def find_times(text: str, rules: TimesRules, doc_date: str | None = None, start: int = 0,
               stop: int | None = None) -> list[TimeExpr]:
    """Every time expression in text[start:stop], earlier rules winning where two overlap.

    >>> from policyparse.rulebook import default_rules
    >>> [(t.date, t.limit) for t in find_times("力争到2022年底，建成5个。2021年，完成", default_rules().times)]
    [('2022-12', True), ('2021', False)]
    """
    stop = len(text) if stop is None else stop
    ref = _reference(doc_date)
    not_limits = Coverage(m.span() for rule in rules.not_limit
                          for m in find_all(rule.regex, text, start, stop))
    names = Coverage(m.span() for rule in rules.name_year for m in find_all(rule.regex, text, start, stop))
    taken = Claimed()
    out: list[TimeExpr] = []
    for rule in rules.time:
        for found in find_all(rule.regex, text, start, stop):
            matched = found.group(0)
            a = found.start() + len(matched) - len(matched.lstrip())
            b = found.start() + len(matched.rstrip())
            if a == b or taken.overlaps(a, b):
                continue
            if not_limits.touches(a, b):
                continue
            lead = found.groupdict().get("lead") or ""
            year_at = found.start("year" if "year" in found.re.groupindex else 0)
            if names.touches(year_at, year_at + 1) and (not lead or lead in rules.weak_leads):
                continue  # `来源于2020年电子商务…专项资金`: a year in a name; `到2025年全面建成` is a time
            date, recurring, is_limit = _read(rule, found, ref, rules)
            taken.claim(a, b)
            out.append(TimeExpr(a, b, date, recurring, is_limit, rule.kind, rule.id))
    return sorted(out, key=lambda t: t.start)


def _deadline_text(text: str, time: TimeExpr) -> tuple[int, int]:
    """The limit with the rest of its clause: `每年11月底前通过地方推荐`."""
    stop = time.end
    while stop < len(text) and text[stop] not in CLAUSE_ENDS + "\t|（(" and stop - time.start < DEADLINE_TEXT_MAX:
        stop += 1
    start = time.start
    while start < stop and text[start] in " \t":
        start += 1
    while stop > start and text[stop - 1] in " \t":
        stop -= 1
    return start, stop


def extract_deadlines(norm: NormalizedText, times: list[TimeExpr], index: SectionIndex) -> list[Deadline]:
    """The time limits among `times`, each with its clause, section and source line."""
    out = []
    for time in times:
        if not time.limit:
            continue
        start, stop = _deadline_text(norm.text, time)
        out.append(Deadline(
            text=norm.text[start:stop], date=time.date, recurring=time.recurring, **index.place(start),
            line=norm.source_line(start), span=Span(start=start, end=stop),
        ))
    return out


def plan_horizon(title: str | None, sections: list[Section], times: list[TimeExpr], rules: TimesRules) -> str | None:
    """The period a plan is scoped to: the limit its goals section sets, else the year its title names.

    `到2025年` in `工作目标` → `2025`; `力争到2022年底` → `2022-12`; `2021年…实施方案` → `2021`.
    """
    for section in sections:
        if not holds_any(section.title, rules.goal_section_words):
            continue
        following = [s.span.start for s in sections if s.span.start > section.span.start and s.level <= section.level]
        end = min(following, default=None)
        for time in times:
            if time.start >= section.span.start and (end is None or time.start < end) and time.kind in (
                    "point", "years") and time.date:
                return time.date
    years = title_years(title, rules)
    return str(years[-1]) if years else None


def title_years(title: str | None, rules: TimesRules) -> list[int]:
    """The years a title names, in order (`县域商业三年行动计划(2023-2025年)` → 2023, 2025)."""
    return [int(found.group("year")) for found in rules.title_year.pattern.finditer(title or "")]
