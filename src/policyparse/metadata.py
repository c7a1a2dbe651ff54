"""Read a document's metadata: title, 发文字号, issuer and issued date.

The head of a document (the text before its first outline heading) carries the
发文字号, the issuing body and the notice title; the signature carries the date. An
export's front matter counts too, except that the body's own date wins over a
publication date, and a website named as publisher is not an issuer.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from . import regexcache
from .models import Metadata, Section
from .normalize import NormalizedText, matches_in_lines
from .numerals import chinese_to_int
from .rulebook.schema import MetadataRules

HEAD_MAX_LINES = 60
TITLE_MAX_LENGTH = 120
CITATION_OPENERS = "（(《〈、“"
OPENING_BRACKETS = ("", "（", "(")
CLOSING_BRACKETS = "）)"
# Issuers listed on one line: `商务部办公厅 国家发展改革委办公厅`, `上海市交通委员会、上海市发展和改革委员会`.
NAME_SEPARATOR = regexcache.compile(r"\s+|、")
# A signature inside a flattened notice is looked for this far into the text, its name this far before the date.
SIGNATURE_SEARCH_CHARS = 3000
SIGNATURE_NAME_MAX = 40
SIGNATURE_BREAK = regexcache.compile(r"[\s。；：:，,]")


@dataclass(frozen=True)
class HeadLine:
    start: int
    text: str


def _head_lines(norm: NormalizedText, sections: list[Section]) -> list[HeadLine]:
    end = sections[0].span.start if sections else len(norm.text)
    out: list[HeadLine] = []
    position = 0
    for raw in norm.text[:end].split("\n"):
        if raw.strip():
            out.append(HeadLine(position, raw.strip()))
        position += len(raw) + 1
        if len(out) >= HEAD_MAX_LINES:
            break
    return out


def read_date(found: re.Match[str]) -> str | None:
    """ISO date from a match with groups year, month, day in Arabic or Chinese numerals."""
    parts = [found.group(g) for g in ("year", "month", "day")]
    values = [int(p) if p.isdigit() else chinese_to_int(p) for p in parts]
    if any(v is None for v in values):
        return None
    try:
        return dt.date(*values).isoformat()  # type: ignore[arg-type]
    except ValueError:
        return None


def _front_value(norm: NormalizedText, rules: MetadataRules, field: str, record: bool = False) -> str | None:
    """A header's value for a field; with `record`, only under a key that names the field itself."""
    for key in (rules.record_keys if record else rules.front_matter_keys).get(field, []):
        value = norm.front_matter.get(key)
        if value:
            return value
    return None


def _front_date(value: str | None, rules: MetadataRules) -> str | None:
    if not value:
        return None
    for rule in [*rules.date, *rules.front_matter_date]:
        found = rule.regex.search(value)
        if found and (iso := read_date(found)):
            return iso
    return None


def _unit_names(line: str, rules: MetadataRules) -> list[str]:
    """The names on a line that lists issuing bodies (`商务部办公厅 国家发展改革委办公厅`), else []."""
    for suffix in rules.letterhead_suffixes:
        line = line.removesuffix(suffix)
    line = line.strip()
    if not line or len(line) > 80 or any(ch in line for ch in "：:，,。《》") or _holds_notice_word(line, rules):
        return []
    names = NAME_SEPARATOR.split(line)
    if all(2 <= len(n) <= 30 and not any(c.isdigit() for c in n) and n.endswith(tuple(rules.issuer_suffixes))
           for n in names):
        return names
    return []


def _doc_number(head: list[HeadLine], rules: MetadataRules) -> str | None:
    for line in head:
        for rule in rules.doc_number:
            for found in rule.regex.finditer(line.text):
                before = line.text[: found.start()].rstrip()
                alone = not line.text[found.end() :].strip(CLOSING_BRACKETS + " ") and before in OPENING_BRACKETS
                # A cited document's number (`依据…（中发〔2022〕1号）`); one alone in brackets is the document's own.
                if before and before[-1] in CITATION_OPENERS and not alone:
                    continue
                return re.sub(r"\s+", "", found.group("number"))
    return None


def _holds_notice_word(text: str, rules: MetadataRules) -> bool:
    return any(word in text for word in rules.notice_words)


def _ends_like_title(text: str, rules: MetadataRules) -> bool:
    return text.rstrip("”\"").endswith(tuple(rules.title_endings))


def _notice_title(head: list[HeadLine], rules: MetadataRules) -> str | None:
    for index, line in enumerate(head):
        text = line.text
        if (not _holds_notice_word(text, rules) or "。" in text or text.endswith(("：", ":"))
                or len(text) > TITLE_MAX_LENGTH):
            continue
        for following in head[index + 1 : index + 3]:
            if _ends_like_title(text, rules) or "：" in following.text or len(following.text) > 40:
                break
            text += following.text
        if _ends_like_title(text, rules):
            return text
    return None


def _cited_title(head: list[HeadLine], rules: MetadataRules) -> str | None:
    for line in head:
        for rule in rules.title_cited:
            found = rule.regex.search(line.text)
            if found:
                return found.group("title")
    return None


def _plan_title(head: list[HeadLine], rules: MetadataRules) -> str | None:
    for index, line in enumerate(head):
        text = line.text
        if any(ch in text for ch in "。，：:") or len(text) > 60:
            continue
        if not _ends_like_title(text, rules) and index + 1 < len(head):
            joined = text + head[index + 1].text
            if len(head[index + 1].text) <= 30 and _ends_like_title(joined, rules):
                return joined
        if _ends_like_title(text, rules):
            return text
    return None


def _first_line(head: list[HeadLine]) -> str | None:
    """Last resort: a short first line that is not a sentence, as most untitled exports start with the title."""
    if head and len(head[0].text) <= 60 and not any(ch in head[0].text for ch in "。，；："):
        return head[0].text
    return None


def _standalone_dates(norm: NormalizedText, rules: MetadataRules) -> list[str]:
    """Dates alone on their line, else dates closing a signature line (`某委员会办公室    2021年6月29日`)."""
    alone, signed = [], []
    lines = [raw.strip() for raw in norm.text.split("\n")]
    joined = "\n".join(lines)
    # Only a line some date rule finds something in can hold one: found for all lines in a pass per rule.
    holding = sorted({index for rule in rules.date for index, _, _ in matches_in_lines(joined, rule.regex)})
    for text in (lines[index] for index in holding):
        for rule in rules.date:
            found = rule.regex.fullmatch(text)
            if found and (iso := read_date(found)):
                alone.append(iso)
                continue
            found = rule.regex.search(text)
            if found and found.end() == len(text) and _unit_names(text[: found.start()], rules):
                if iso := read_date(found):
                    signed.append(iso)
    return alone or signed


def _signature_issuer(norm: NormalizedText, rules: MetadataRules) -> str | None:
    """The last line naming a body before a standalone date, as a signature prints it."""
    lines = [raw.strip() for raw in norm.text.split("\n") if raw.strip()]
    for index in range(len(lines) - 1, 0, -1):
        if any(rule.regex.fullmatch(lines[index]) for rule in rules.date):
            names = _unit_names(lines[index - 1], rules)
            if names:
                return names[0]
    return None


def _inline_signature(norm: NormalizedText, rules: MetadataRules) -> tuple[str, str] | None:
    """(issuer, date) of a signature inside a flattened notice: `…贯彻执行。 某某管委会2015年12月25日 某某方案`."""
    for rule in rules.date:
        for found in rule.regex.finditer(norm.text, 0, SIGNATURE_SEARCH_CHARS):
            before = norm.text[max(0, found.start() - SIGNATURE_NAME_MAX) : found.start()]
            name = SIGNATURE_BREAK.split(before)[-1].strip()
            if name and _unit_names(name, rules) and (iso := read_date(found)):
                return name, iso
    return None


def _front_issuer(norm: NormalizedText, rules: MetadataRules) -> str | None:
    """The header's issuer, unless it names a website (`中国平潭`, `某某政府网`) rather than a body."""
    value = _front_value(norm, rules, "issuer")
    if not value or any(word in value for word in rules.site_words) or not _unit_names(value, rules):
        return None
    return value


def extract_metadata(norm: NormalizedText, sections: list[Section], rules: MetadataRules) -> Metadata:
    """Metadata of a normalized document whose outline is `sections`; the body's own wins over a header's."""
    head = _head_lines(norm, sections)
    header_title = _front_value(norm, rules, "title")
    title = (_notice_title(head, rules) or header_title
             or _cited_title(head, rules) or _plan_title(head, rules) or _first_line(head))
    if title and header_title and len(header_title) > len(title) and header_title.endswith(title):
        title = header_title  # the body's title lost a line the header keeps (`国务院办公厅` above `关于…的函`)
    doc_number = (_front_value(norm, rules, "doc_number", record=True) or _doc_number(head, rules)
                  or _front_value(norm, rules, "doc_number"))
    head_issuer = next((names[0] for line in head if (names := _unit_names(line.text, rules))), None)
    signature = _inline_signature(norm, rules)
    # A notice title that names its issuer (`某市人民政府办公室关于印发…`) says who signs, where a line above it
    # may be a web page's site name (`某市人民政府`).
    title_issuer = None
    if title and _holds_notice_word(title, rules):
        prefix = title[: min(at for word in rules.notice_words if (at := title.find(word)) >= 0)].strip()
        title_issuer = next(iter(_unit_names(prefix, rules)), None)
    issuer = (_front_value(norm, rules, "issuer", record=True) or title_issuer or head_issuer
              or _signature_issuer(norm, rules) or (signature[0] if signature else None) or _front_issuer(norm, rules))
    body_dates = _standalone_dates(norm, rules) or ([signature[1]] if signature else [])
    issued = (_front_date(_front_value(norm, rules, "issued_date", record=True), rules)
              or (body_dates[0] if body_dates else _front_date(_front_value(norm, rules, "issued_date"), rules)))
    return Metadata(title=title, doc_number=doc_number, issuer=issuer, issued_date=issued,
                    header=dict(norm.front_matter))
