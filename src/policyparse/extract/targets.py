"""Quantitative targets: a figure, what it measures, how it compares, by when and by whom.

A figure (`extract.numbers`) is a target unless an exclusion covers it (quoted names,
document numbers, dates, ordinals, …), it qualifies the thing counted (`500亩以上…基地50个`
keeps only `50个`), or no indicator can be read for it. Its fields come from the words
around it; its deadline and units from the first of: its own sentence, its table row,
the time that opens its paragraph, and the plan's horizon.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, cast

from .. import regexcache
from ..models import Incentive, Section, Span, Target, TargetKind
from ..normalize import NormalizedText
from ..rulebook import RuleBook
from ..rulebook.compiled import Phrases
from ..rulebook.schema import TargetsRules
from .indicator import first_token, head_of, indicator_after, indicator_before, is_noun_character
from .numbers import Figure
from .responsible import Statement, split_units
from .tables import RANGE_CELL, Allocation
from .text import (
    ByStart,
    Coverage,
    SectionIndex,
    clause_bounds,
    holds_any,
    paragraph_bounds,
    quote_bounds,
    section_key,
    section_place,
    sentence_bounds,
    stretches_around,
)
from .times import TimeExpr

CJK_OR_QUOTE = regexcache.compile(r"[\u4e00-\u9fff“\"]")
CLOSING_BRACKETS = "）)"
LIST_MARK = "、"
# A last item this many times longer than the others on average carries their shared head.
LONGER_LAST_ITEM = 1.5


@dataclass(frozen=True)
class Scope:
    """Where figures are read, and what a figure there inherits when its sentence says nothing."""

    start: int
    end: int
    deadline: str | None = None
    units: list[str] | None = None


@dataclass(frozen=True)
class Context:
    """Everything the target reader needs about the document."""

    norm: NormalizedText
    index: SectionIndex
    rules: RuleBook
    times: ByStart[TimeExpr]
    statements: ByStart[Statement]
    horizon: str | None
    excluded: Coverage
    figures: ByStart[Figure]
    # Statements on a line of their own (`责任单位：…`) assign their whole section.
    section_units: dict[tuple[int, str] | None, list[str]]
    # Sections that review what was done or set conditions, and the sections inside them.
    past_sections: frozenset[tuple[int, str]]


def sections_without_targets(sections: list[Section], rules: TargetsRules) -> frozenset[tuple[int, str]]:
    """Ids of the sections whose title (or an ancestor's) reviews the past (`一、2023年工作回顾`, `（一）发展现状`)
    or sets conditions (`（二）申报条件`): their figures are no commitments."""
    roots = [(s.part, s.id) for s in sections if holds_any(s.title, rules.condition_section_words) or (
        holds_any(s.title, rules.review_section_words) and not holds_any(s.title, rules.forward_section_words))]
    return frozenset((s.part, s.id) for s in sections
                     if any(s.part == part and (s.id == root or s.id.startswith(root + "/")) for part, root in roots))


# Exclusion rules that cannot match this character are searched only in the stretches between two of them
# that hold a figure (`regexcache.barriers`).
STRETCH_END = "。"


def excluded_spans(text: str, rules: TargetsRules, figures: Sequence[Figure]) -> tuple[
        list[tuple[int, int]], list[tuple[int, int]]]:
    """The spans of exclusion rules that may touch one of `figures` (whose figures are no targets), and among
    them those whose figures are incentives."""
    spans, incentives = [], []
    around: list[tuple[int, int]] | None = None
    for rule in rules.exclusion:
        if not regexcache.can_match(rule.regex, text):
            continue
        if regexcache.barriers(rule.regex, STRETCH_END):
            if around is None:
                around = stretches_around(text, (o for f in figures for o in (f.start, f.end - 1)), STRETCH_END)
            regions = around
        else:
            regions = [(0, len(text))]
        for lo, hi in regions:
            for found in rule.regex.finditer(text, lo, hi):
                spans.append(found.span())
                if rule.keep_as == "incentive":
                    incentives.append(found.span())
    return sorted(spans), sorted(incentives)


def _is_article(text: str, figure: Figure) -> bool:
    """A lone Chinese digit (`一个景区`, `一张网`, `一次性`) is an article, not a quantity."""
    return figure.chinese and len(text[figure.start : figure.end].split(figure.unit)[0].strip()) == 1


def read_incentives(ctx: Context, incentives: Coverage, start: int) -> list[Incentive]:
    """The figures an incentive span covers (`给予最高200万元奖补`), with their kind and, when a condition
    names them (`对新认定的…平台，给予…`), their recipient."""
    text = ctx.norm.text
    rules = ctx.rules.targets
    out = []
    for figure in ctx.figures.between(start, len(text)):
        if not incentives.touches(figure.start, figure.end) or _is_article(text, figure):
            continue
        sentence = quote_bounds(sentence_bounds(text, figure.start), figure.start)
        head = text[sentence[0] : figure.start]
        kind: Literal["amount", "cap", "rate"] = "rate" if figure.kind == "share" else (
            "cap" if any(word in head[-8:] for word in rules.cap_words) else "amount")
        named = [found.group("name") for found in rules.recipient.pattern.finditer(head)]
        recipient = named[-1].rsplit(ctx.rules.compiled.phrases.particles or " ", 1)[-1] if named else None
        sentence_text = text[sentence[0] : sentence[1]].rstrip()
        out.append(Incentive(
            **ctx.index.place(figure.start), kind=kind, value=figure.value, value_max=figure.value_max,
            unit=figure.unit, base_value=figure.base_value, base_unit=figure.base_unit, recipient=recipient or None,
            figure=text[figure.start : figure.end], text=sentence_text, line=ctx.norm.source_line(figure.start),
            span=Span(start=sentence[0], end=sentence[0] + len(sentence_text)),
        ))
    return out


def _is_qualifier(text: str, figure: Figure, following: Figure | None, clause_end: int, rules: TargetsRules,
                  phrases: Phrases) -> bool:
    """`建设500亩以上规模化基地50个`: the first figure describes the thing the second one counts."""
    if following is None or following.start >= clause_end:
        return False
    between = text[figure.end : following.start]
    if not CJK_OR_QUOTE.match(between.lstrip(" " + phrases.particles)) or between.rstrip().endswith(
            tuple(rules.list_joiners)):
        return False
    return not CJK_OR_QUOTE.match(text[following.end : following.end + 1])


def _is_condition(text: str, figure: Figure, clause_end: int, rules: TargetsRules, phrases: Phrases) -> bool:
    """`存栏5000头以上生猪规模养殖场`, `建筑面积15万平方米以上的住宅小区`, `大型公共建筑（单体建筑面积2万平方米以上）`:
    a bounded measure right before the noun it qualifies, or closing a bracket that defines one, says what a
    rule applies to. Counts are what they count (`5个产业集群`), and shares are shares of it (`90%的县`)."""
    if figure.kind in rules.counted_kinds or figure.comparator not in (">=", "<="):
        return False
    after = text[figure.end : clause_end].lstrip(" ")
    if after and after[0] in CLOSING_BRACKETS:
        return True
    if after and after[0] in phrases.particles:
        # After `的` the words are the noun it qualifies, verbs included (`超过2万平方米的新建公共建筑`).
        rest = after.lstrip(phrases.particles)
        return bool(CJK_OR_QUOTE.match(rest)) and not rest.startswith(tuple(rules.after_stop_words))
    return _reads_after(text, figure, clause_end, rules, phrases)


def _reads_after(text: str, figure: Figure, clause_end: int, rules: TargetsRules, phrases: Phrases) -> bool:
    after = text[figure.end : clause_end].lstrip(" ").lstrip(phrases.particles)
    if not after or not CJK_OR_QUOTE.match(after):
        return False
    return first_token(after, phrases) not in phrases.verbs and not after.startswith(tuple(rules.after_stop_words))


def _kind(figure: Figure, indicator: str, before: str, rules: TargetsRules) -> TargetKind:
    if figure.kind == "share":
        near = before[-6:]
        if any(word in near for word in rules.growth_words):
            return "growth"
        return "share"
    if figure.kind == "money" and any(word in indicator for word in rules.funding_words):
        return "funding"
    if figure.kind == "count" and indicator.endswith(tuple(rules.people_nouns)):
        return "people"
    return cast(TargetKind, figure.kind)


def _deadline(ctx: Context, figure: Figure, sentence: tuple[int, int], scope: Scope) -> str | None:
    in_sentence = ctx.times.between(*sentence)
    before = [t for t in in_sentence if t.start < figure.start]
    if before:
        return before[-1].date
    if in_sentence:
        return in_sentence[0].date
    if scope.deadline:
        return scope.deadline
    para_start, _ = paragraph_bounds(ctx.norm.text, figure.start)
    for time in ctx.times.between(para_start, figure.start)[:1]:
        sentence_start, _ = sentence_bounds(ctx.norm.text, time.start)
        if time.start - sentence_start <= 4:
            return time.date
    return ctx.horizon


def _units(ctx: Context, figure: Figure, scope: Scope, section: tuple[int, str] | None) -> list[str] | None:
    """The units responsible for a figure: its scope's, a statement's in its paragraph, or its section's."""
    if scope.units is not None:
        return scope.units
    here = ctx.statements.between(*paragraph_bounds(ctx.norm.text, figure.start))
    after = [s for s in here if s.start >= figure.end]
    if after:
        return after[0].units
    if here:
        return here[-1].units
    return ctx.section_units.get(section)


def _words_before(text: str, figure: Figure, clause_start: int, previous: Figure | None, phrases: Phrases) -> str:
    start = clause_start
    if previous is not None and previous.end > clause_start:
        start = previous.end
    return text[start : figure.start].lstrip(phrases.particles + "、 ")


def read_targets(ctx: Context, scope: Scope, skip: Coverage | None = None) -> list[Target]:
    """The targets in text[scope.start:scope.end], leaving out the spans in `skip` (tables read on their own)."""
    text = ctx.norm.text
    rules = ctx.rules.targets
    phrases = ctx.rules.compiled.phrases
    joiners = " " + "".join(rules.list_joiners)
    comparison_words = tuple(rules.comparison_words)
    figures = [f for f in ctx.figures.between(scope.start, scope.end)
               if f.end <= scope.end and not (skip and skip.touches(f.start, f.end))]
    figures = [f for f in figures if not _is_article(text, f)]
    out: list[Target] = []
    last_sentence_start = -1
    # Per sentence, where each modality word first ends: `w in sentence[:figure]` for every figure of a
    # long sentence would cost its length each time.
    modality_ends: dict[int, list[tuple[int, str]]] = {}
    for n, figure in enumerate(figures):
        section = ctx.index.at(figure.start)
        key = section_key(section)
        if ctx.excluded.touches(figure.start, figure.end) or key in ctx.past_sections:
            continue
        clause_start, clause_end = clause_bounds(text, figure.start)
        clause_end = min(clause_end, scope.end)
        following = figures[n + 1] if n + 1 < len(figures) else None
        if _is_qualifier(text, figure, following, clause_end, rules, phrases) or _is_condition(
                text, figure, clause_end, rules, phrases):
            continue
        previous = figures[n - 1] if n > 0 else None
        before = _words_before(text, figure, max(clause_start, scope.start), previous, phrases)
        if _reads_after(text, figure, clause_end, rules, phrases):
            stop = following.start if following and following.start < clause_end else clause_end
            share_of = figure.kind == "share" and text[figure.end : figure.end + 1] in phrases.particles
            indicator = indicator_after(text[figure.end : stop], phrases, keep_verbs=share_of)
        else:
            indicator = indicator_before(before, phrases)
        sentence = sentence_bounds(text, figure.start)
        sentence = (max(sentence[0], scope.start), min(sentence[1], scope.end))
        listed = previous is not None and not text[previous.end : figure.start].strip(joiners)
        carried = out and not indicator and out[-1].base_unit == figure.base_unit
        same_subject = (not indicator and (figure.kind == "share" or listed)) or carried or indicator.startswith(
            comparison_words)
        if same_subject and out and last_sentence_start == sentence[0]:
            # `投资120亿元，同比增长8%`: the growth of what the sentence just counted;
            # `减排量分别达到12.5万吨、0.6万吨`: figures listed for one indicator;
            # `完成投资50亿元，比年度计划增加5亿元`: an increase of the same indicator;
            # `改造供水管网20公里，拟新增8公里，共计完成28公里`: clauses that share their subject
            indicator = out[-1].indicator
        if not indicator or indicator.isdigit() or (len(indicator) == 1 and not is_noun_character(indicator)):
            continue  # `到`, `每`, `按`: a function word is no indicator; `村` in `5个村` is one
        if sentence[0] not in modality_ends:
            found = ((text.find(w, *sentence), w) for w in rules.modality_words)
            modality_ends[sentence[0]] = [(at + len(w), w) for at, w in found if at >= 0]
        last_sentence_start = sentence[0]
        quote = quote_bounds(sentence, figure.start)
        sentence_text = text[quote[0] : quote[1]].rstrip()
        out.append(Target(
            indicator=indicator, value=figure.value, value_max=figure.value_max, unit=figure.unit,
            base_value=figure.base_value, base_unit=figure.base_unit, comparator=figure.comparator,
            kind=_kind(figure, indicator, before, rules),
            modality=next((w for end, w in modality_ends[sentence[0]] if end <= figure.start), None),
            aggregation=_aggregation(text, figure, before, rules),
            deadline=_deadline(ctx, figure, sentence, scope), **section_place(section),
            lead_units=_units(ctx, figure, scope, key),
            figure=text[figure.start : figure.end], text=sentence_text,
            line=ctx.norm.source_line(figure.start), span=Span(start=quote[0], end=quote[0] + len(sentence_text)),
        ))
    return [t if len(t.indicator) <= phrases.max_chars else t.model_copy(update={"indicator": head_of(
        t.indicator, phrases)}) for t in _distribute(out, rules)]


def _distribute(targets: list[Target], rules: TargetsRules) -> list[Target]:
    """`A、B和C分别占比达30%、20%和10%`: figures listed for a list of indicators go to them in order."""
    out: list[Target] = []
    run: list[Target] = []
    for target in [*targets, None]:
        if target is not None and run and target.span.start == run[0].span.start and \
                target.indicator == run[0].indicator:
            run.append(target)
            continue
        if len(run) > 1 and any(word in run[0].text for word in rules.respectively_words):
            items = _list_items(run[0].indicator, len(run), rules)
            if items:
                run = [t.model_copy(update={"indicator": item}) for t, item in zip(run, items, strict=True)]
        out += run
        run = [target] if target is not None else []
    return out


def _list_items(phrase: str, count: int, rules: TargetsRules) -> list[str] | None:
    """The `count` items of a listed phrase (`货物贸易、对外投资和实际利用外资`), else None."""
    items = [item for item in phrase.split(LIST_MARK) if item]
    if len(items) == count - 1:
        last = items[-1]
        at = max(last.rfind(word) for word in rules.list_joiners if word != LIST_MARK)
        if at > 0:
            items[-1:] = [last[:at], last[at + 1 :]]
    if len(items) != count or not all(items):
        return None
    shorter = [len(item) for item in items[:-1]]
    if len(items[-1]) > LONGER_LAST_ITEM * sum(shorter) / len(shorter):
        return None  # `化学需氧量、氨氮重点工程减排量`: the last item carries a head the list shares; kept whole
    return items


def allocation_targets(ctx: Context, allocations: list[Allocation]) -> list[Target]:
    """A target per figure of an allocation table: `黄浦区` × `新增装机容量（MW）` → 黄浦区新增装机容量 0.3–0.4 MW;
    a total row's label follows the measure (`十四五装机计划汇总`)."""
    figures = ctx.rules.compiled.figures
    responsible = ctx.rules.responsible
    out = []
    for allocation in allocations:
        found = RANGE_CELL.match(allocation.value.text)
        if found is None:
            continue
        scale_word, base_unit = figures.split_unit(allocation.unit) or ("", allocation.unit)
        value = float(found.group("value"))
        value_max = float(found.group("value_max")) if found.group("value_max") else None
        scale = figures.scales.get(scale_word, 1.0)
        kind = cast(TargetKind, figures.units.get(base_unit, "other"))
        parts = (allocation.measure, allocation.label) if allocation.total else (allocation.label, allocation.measure)
        indicator = "".join(parts)
        cell = allocation.value
        out.append(Target(
            **ctx.index.place(cell.start), indicator=indicator, value=value, value_max=value_max,
            unit=allocation.unit, base_value=value * scale, base_unit=base_unit,
            comparator="range" if value_max is not None else "=", kind=kind, deadline=ctx.horizon,
            lead_units=split_units(allocation.units.text, responsible) or None if allocation.units else None,
            figure=cell.text + allocation.unit, text=cell.text, line=ctx.norm.source_line(cell.start),
            span=Span(start=cell.start, end=cell.end),
        ))
    return out


def _aggregation(text: str, figure: Figure, before: str, rules: TargetsRules) -> str | None:
    if text.endswith(tuple(rules.adjacent_aggregation_words), 0, figure.start):  # one test before the search
        return next(w for w in rules.adjacent_aggregation_words if text.endswith(w, 0, figure.start))
    return next((w for w in rules.aggregation_words if w not in rules.adjacent_aggregation_words and w in before),
                None)
