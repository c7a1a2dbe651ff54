"""Responsible units: who leads and who supports, from the statements that say so.

`〔A、B和各乡镇（街道）具体负责〕`, `（X牵头，Y、Z参与）`, `（X负责）`, `（责任单位：A、B）`,
`牵头单位：X；配合单位：Y`, `由X牵头`, `X、Y牵头…` opening a sentence. Units are kept as
written (a prefix shared between names is not filled in); placeholders that name no body
(`相关单位`) and people or posts (`副县长`) are dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import regexcache
from ..models import Assignment, Section, Span
from ..normalize import NormalizedText
from ..rulebook.schema import ResponsibleRules, StatementRule
from .text import Claimed, SectionIndex, find_all, paragraph_bounds

QUOTED = regexcache.compile(r"“([^“”]{2,20})”")
# Stands for a protected name while a list is split: a control character no document holds.
PROTECTED = "\x00{}\x00"
PROTECTED_NAME = regexcache.compile("\x00(\\d+)\x00")


def split_units(text: str, rules: ResponsibleRules) -> list[str]:
    """The units of a list as written, placeholders and people dropped.

    >>> from policyparse.rulebook import default_rules
    >>> split_units("县商务委、县文化和旅游委和各乡镇（街道）", default_rules().responsible)
    ['县商务委', '县文化和旅游委', '各乡镇（街道）']
    """
    names = [name for name in rules.names_with_and if name in text]
    for number, name in enumerate(names):
        text = text.replace(name, PROTECTED.format(number))
    units = []
    for part in _split_at_separators(text, rules):
        part = PROTECTED_NAME.sub(lambda found: names[int(found.group(1))], part)
        unit = rules.label_prefix.pattern.sub("", _strip_trailing(part.strip(), rules.list_trailing_words))
        if not unit or rules.placeholder.pattern.search(unit) or rules.person.pattern.search(unit):
            continue
        units.append(rules.aliases.get(unit, unit))
    return units


def _split_at_separators(text: str, rules: ResponsibleRules) -> list[str]:
    """The parts between separators. A word separator (`和`, `与`) splits only after a unit's name:
    `区环境与国土资源局` is one body, `县商务委和各乡镇` two."""
    parts, start = [], 0
    for found in rules.separator.pattern.finditer(text):
        if not found.group(0)[0].isalpha() or _ends_like_unit(text[start : found.start()], rules):
            parts.append(text[start : found.start()])
            start = found.end()
    parts.append(text[start:])
    return parts


def _ends_like_unit(text: str, rules: ResponsibleRules) -> bool:
    name = _strip_trailing(text.strip(), rules.list_trailing_words)
    return name.endswith(tuple(rules.suffixes)) or bool(PROTECTED_NAME.search(name))


def _strip_trailing(text: str, words: list[str]) -> str:
    """`区经济发展局等参与` → `区经济发展局`: the words a list closes with (`等`, `参与`) taken off its last name."""
    stripped = True
    while stripped:
        stripped = False
        for word in words:
            if text.endswith(word) and len(text) > len(word):
                text, stripped = text[: -len(word)].rstrip(), True
    return text


def looks_like_unit(unit: str, rules: ResponsibleRules) -> bool:
    """A name 2–30 characters long ending like a unit (`委`, `局`, `集团`, `（街道）`)."""
    return 2 <= len(unit) <= 30 and unit.endswith(tuple(rules.suffixes))


@dataclass(frozen=True)
class Statement:
    """A statement of responsible units found in the text."""

    start: int
    end: int
    units: list[str]
    rule: StatementRule


def find_statements(text: str, rules: ResponsibleRules, start: int = 0) -> list[Statement]:
    """Every statement of responsible units, earlier rules winning where two overlap."""
    taken = Claimed()
    out: list[Statement] = []
    for rule in rules.statement:
        for found in find_all(rule.regex, text, start):
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
            if rule.check_shape and not all(looks_like_unit(u, rules) for u in units):
                continue
            if not units:
                continue
            taken.claim(a, b)
            out.append(Statement(a, b, units, rule))
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
        if statement.rule.check_shape:
            _, paragraph_end = paragraph_bounds(norm.text, statement.start)
            named = [s for s in _named_sections(norm.text[statement.start : paragraph_end], sections) if s is not own]
            targets = list(named) or targets
        for section in targets:
            out.append(Assignment(section=section.id if section else None, part=section.part if section else 1,
                                  units=statement.units,
                                  rule=statement.rule.id, text=text, line=norm.source_line(statement.start),
                                  span=span))
    return out
