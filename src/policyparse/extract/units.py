"""Responsible units: who leads and who supports, from the statements that say so.

`〔A、B和各乡镇（街道）具体负责〕`, `（X牵头，Y、Z参与）`, `（X负责）`, `（责任单位：A、B）`,
`牵头单位：X；配合单位：Y`, `由X牵头`, `X、Y牵头…` opening a sentence. Units are kept as
written (a prefix shared between names is not filled in); placeholders that name no body
(`相关单位`) and people or posts (`副县长`) are dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..models import Assignment, Section, Span
from ..normalize import NormalizedText
from ..rulebook import AssignmentsRules, compiled_per_rules
from .text import Claimed, SectionIndex, paragraph_bounds

QUOTED = re.compile(r"“([^“”]{2,20})”")
# Statements whose shape alone does not make their words units: every unit must look like one.
SHAPE_CHECKED = ("lead.opening", "lead.by")


@dataclass(frozen=True)
class UnitPatterns:
    separator: re.Pattern[str]
    label_prefix: re.Pattern[str]
    placeholder: re.Pattern[str]
    person: re.Pattern[str]


@compiled_per_rules
def _patterns(rules: AssignmentsRules) -> UnitPatterns:
    return UnitPatterns(re.compile(rules.separator), re.compile(rules.label_prefix), re.compile(rules.placeholder),
                        re.compile(rules.person))


def split_units(text: str, rules: AssignmentsRules) -> list[str]:
    """The units of a list as written, placeholders and people dropped.

    >>> from policyparse.rulebook import default_rules
    >>> split_units("县商务委、县文化和旅游委和各乡镇（街道）", default_rules().assignments)
    ['县商务委', '县文化和旅游委', '各乡镇（街道）']
    """
    patterns = _patterns(rules)
    protected = text
    for name in rules.names_with_and:
        protected = protected.replace(name, name.replace("和", "\0"))
    units = []
    for part in patterns.separator.split(protected):
        unit = patterns.label_prefix.sub("", part.replace("\0", "和").strip(" \t等"))
        if not unit or patterns.placeholder.search(unit) or patterns.person.search(unit):
            continue
        units.append(rules.aliases.get(unit, unit))
    return units


def _looks_like_unit(unit: str, rules: AssignmentsRules) -> bool:
    return 2 <= len(unit) <= 30 and unit.endswith(tuple(rules.suffixes))


@dataclass(frozen=True)
class Statement:
    """A statement of responsible units found in the text."""

    start: int
    end: int
    units: list[str]
    rule_id: str


def find_statements(text: str, rules: AssignmentsRules, start: int = 0) -> list[Statement]:
    """Every statement of responsible units, earlier rules winning where two overlap."""
    taken = Claimed()
    out: list[Statement] = []
    for rule in rules.statement:
        for found in rule.regex.finditer(text, start):
            a, b = found.span()
            if taken.overlaps(a, b):
                continue
            while a < b and text[a] in "。；; \t\n":
                a += 1  # the sentence end a pattern anchors on is not part of the statement
            groups = found.groupdict()
            listed = groups.get("units") or groups.get("units2")
            if listed:
                units = split_units(listed, rules)
            else:
                units = split_units(groups.get("lead") or "", rules) + split_units(groups.get("support") or "", rules)
            if rule.id in SHAPE_CHECKED and not all(_looks_like_unit(u, rules) for u in units):
                continue
            if not units:
                continue
            taken.claim(a, b)
            out.append(Statement(a, b, units, rule.id))
    return sorted(out, key=lambda s: s.start)


def _named_sections(sentence: str, sections: list[Section]) -> list[Section]:
    """Sections a closing statement names: `县商务委牵头抓好“六个一批”…` names the section whose title says so."""
    terms = QUOTED.findall(sentence)
    return [s for s in sections if any(term in s.title for term in terms)]


def extract_assignments(norm: NormalizedText, statements: list[Statement], index: SectionIndex,
                        sections: list[Section]) -> list[Assignment]:
    """One assignment per statement, or one per section a closing statement names."""
    out = []
    for statement in statements:
        text = norm.text[statement.start : statement.end].rstrip("。；; \t")
        span = Span(start=statement.start, end=statement.start + len(text))
        own = index.at(statement.start)
        targets: list[Section | None] = [own]
        if statement.rule_id in SHAPE_CHECKED:
            _, paragraph_end = paragraph_bounds(norm.text, statement.start)
            named = [s for s in _named_sections(norm.text[statement.start : paragraph_end], sections) if s is not own]
            targets = list(named) or targets
        for section in targets:
            out.append(Assignment(section=section.id if section else None, units=statement.units,
                                  rule=statement.rule_id, text=text, line=norm.source_line(statement.start),
                                  span=span))
    return out
