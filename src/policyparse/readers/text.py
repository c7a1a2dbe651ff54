"""Text files: decode their bytes, detecting the encoding without guessing silently.

Government sites serve UTF-8, UTF-8 with a BOM, UTF-16 and GB18030/GBK. Each candidate
is tried as a *strict* decode; where more than one succeeds (GBK bytes are often valid
Big5 too), the reading whose CJK characters are the more common ones in its own
character set wins. Bytes are never replaced: what no candidate decodes is not text.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from .. import regexcache
from ..errors import InputError
from ..models import ParseWarning

BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


HAN = regexcache.compile(r"[\u3400-\u9fff]")


# In UTF-8, U+4000–U+9FFF are the characters whose first byte is E4–E9 (no other byte of any character is);
# U+3400–U+3FFF start E3 90–E3 BF.
HAN_LEAD_BYTES = bytes(range(0xE4, 0xEA))
NOT_HAN_LEAD_BYTES = bytes(byte for byte in range(256) if byte not in HAN_LEAD_BYTES)
HAN_E3 = re.compile(rb"\xe3[\x90-\xbf]")


def han_in(text: str) -> int:
    """How many Han characters `text` holds, counted from its UTF-8 bytes: C loops over bytes, 4× faster than
    a search for runs of Han characters, which stops at every punctuation mark of a Chinese text."""
    data = text.encode("utf-8", "surrogatepass")
    return len(data.translate(None, NOT_HAN_LEAD_BYTES)) + (len(HAN_E3.findall(data)) if b"\xe3" in data else 0)


# Chinese text puts no space between its characters: a run of blanks between two of them is layout.
CJK = regexcache.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


def collapse_spaces(text: str, blanks: re.Pattern[str]) -> str:
    """Runs of `blanks` removed between two Chinese characters or marks, one space elsewhere
    (`建 成 站 点` → `建成站点`, `5G 基站` kept apart)."""
    def space(found: re.Match[str]) -> str:
        before = found.string[found.start() - 1] if found.start() else ""
        after = found.string[found.end()] if found.end() < len(found.string) else ""
        return "" if CJK.match(before or " ") and CJK.match(after or " ") else " "

    if blanks.fullmatch(text):  # the blanks between two tags of a page: one run, nothing on either side
        return " "
    return blanks.sub(space, text)


@dataclass(frozen=True)
class Removed:
    """Text holding Han characters that reading or normalization took out: where, by what, and the text itself."""

    line: int
    by: str
    text: str


@dataclass(frozen=True)
class SourceText:
    """The text of one input as its reader gives it, with what the reader learned and left out.

    Every format comes out as lines of text in the shapes the later stages read: paragraphs
    as lines, table rows as tab-separated cells, a header of metadata as a `---` block.
    """

    text: str
    encoding: str | None
    source: str | None = None
    warnings: tuple[ParseWarning, ...] = ()
    format: str = "text"
    # The source line of each line of `text` (a web page's own lines), when not simply 1, 2, 3 …
    line_numbers: tuple[int, ...] | None = None
    # What the reader left out (navigation, scripts, page headers): listed, never counted as lost text.
    removed: tuple[Removed, ...] = ()


# Counted over a sample with one search each, not a loop over characters. The two classes of tens of
# thousands of characters cost milliseconds to compile and serve only text that is no UTF-8: they are
# compiled on first use (and kept by `re`'s cache), not when the module is imported.
UNIFIED_HAN = r"[\u4e00-\u9fff]"
IMPLAUSIBLE = r"[^ -~\t\r\n\u3000-\u9fff\uff00-\uffef\u2000-\u206f]"
# Control characters other than the blanks (tab, newline, form feed …). They are ASCII: in UTF-8 each is one
# byte of its own value, which no byte of another character has; a text's are counted from its bytes.
CONTROL_BYTES = bytes([*range(0x00, 0x09), *range(0x0E, 0x20)])
NOT_CONTROL_BYTES = bytes(byte for byte in range(256) if byte not in CONTROL_BYTES)
LEGACY = ("gb18030", "big5")
# A line of this many Han characters, some of them rare in its file's encoding and (nearly) all common in
# the other, was written in the other: Big5 read as GB18030 lands on rare characters about a quarter of the
# time, GB18030 read as Big5 on rare or invalid ones about half of the time.
MIXED_LINE_MIN_HAN = 4
MIXED_LINE_OWN_BELOW = 0.9
MIXED_LINE_OTHER_AT_LEAST = 0.95


def _common_share(text: str, encoding: str) -> float:
    """Share of the CJK characters of `text` that sit in the everyday block of `encoding`.

    GB2312 level 1 (lead bytes 0xB0–0xD7) holds the 3,755 common simplified characters,
    Big5 0xA4–0xC6 the 5,401 common traditional ones. A wrong decoding lands on rare ones.
    """
    sample = re.findall(UNIFIED_HAN, text[:20000])
    if not sample:
        return 0.0
    lo, hi = (0xB0, 0xD7) if encoding == "gb18030" else (0xA4, 0xC6)
    common = 0
    for ch in sample:
        try:
            lead = ch.encode("gb2312" if encoding == "gb18030" else "big5")[0]
        except UnicodeEncodeError:
            continue
        common += lo <= lead <= hi
    return common / len(sample)


def _plausible_share(text: str) -> float:
    """Share of characters a Chinese document is made of: CJK, CJK punctuation, printable ASCII, newlines."""
    sample = text[:20000]
    if not sample:
        return 0.0
    return 1 - len(re.findall(IMPLAUSIBLE, sample)) / len(sample)


def _utf16_without_bom(data: bytes) -> tuple[str, str] | None:
    """UTF-16 without a BOM: of the two byte orders, the one that reads as a Chinese document."""
    if len(data) < 2 or len(data) % 2 or b"\x00" not in data:
        return None
    readings = []
    for encoding in ("utf-16-le", "utf-16-be"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        readings.append((_plausible_share(text), encoding, text))
    if not readings:
        return None
    share, encoding, text = max(readings)
    return (text, encoding) if share > 0.9 else None


def _damaged_utf8(data: bytes, error: UnicodeDecodeError, source: str | None) -> SourceText | None:
    """UTF-8 with a few bad bytes (a truncated download, a damaged sequence), read as UTF-8 and warned about.

    Reading it as GB18030 instead would decode without an error and silently give nonsense.
    """
    if error.reason == "unexpected end of data" and error.end == len(data) and len(data) - error.start < 4:
        try:
            text = data[: error.start].decode("utf-8")
        except UnicodeDecodeError:
            text = None
        if text is not None and _binary_reason(text) is None:
            note = ParseWarning(code="truncated", level="error", message=(
                f"the file ends inside a character (a truncated download?); its last {len(data) - error.start} "
                "byte(s) were dropped"), line=text.count("\n") + 1)
            return SourceText(text, "utf-8", source, (note,))
    text = data.decode("utf-8", errors="replace")
    return SourceText(text, "utf-8", source, (_replaced_bytes(text, "UTF-8"),)) if _few_bad(text) else None


def controls_in(text: str) -> int:
    """How many control characters (`CONTROL_BYTES`) `text` holds."""
    return len(text.encode("utf-8", "surrogatepass").translate(None, NOT_CONTROL_BYTES))


def _binary_reason(text: str) -> str | None:
    controls = controls_in(text[:20000])
    if "\x00" in text:
        return "it contains NUL bytes"
    if controls > max(8, len(text[:20000]) // 100):
        return "it is full of control characters"
    return None


def decode_bytes(data: bytes, source: str | None = None) -> SourceText:
    """Decode `data`, raising InputError when it is not text in a supported encoding.

    >>> decode_bytes("县域商业".encode("gb18030")).encoding
    'gb18030'
    """
    label = source or "input"
    for bom, encoding in BOMS:
        if data.startswith(bom):
            try:
                return SourceText(data.decode(encoding), encoding.replace("-sig", " with BOM"), source)
            except UnicodeDecodeError as exc:
                reason = f"{encoding} BOM, then invalid bytes at offset {exc.start}"
                raise InputError(f"{label}: not a text document ({reason})") from None
    utf16 = _utf16_without_bom(data)
    if utf16:
        return SourceText(utf16[0], utf16[1], source)
    try:
        # A strict UTF-8 decode of non-ASCII bytes is practically never an accident.
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        damaged = _damaged_utf8(data, exc, source)
        if damaged is not None:
            return damaged
    else:
        if binary := _binary_reason(text):
            raise InputError(f"{label}: not a text document ({binary})")
        return SourceText(text, "utf-8", source)
    readings: dict[str, str] = {}
    for encoding in LEGACY:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _binary_reason(text) is None:
            readings[encoding] = text
    if not readings:
        if b"\x00" in data:
            raise InputError(f"{label}: not a text document (it contains NUL bytes)")
        damaged = _damaged_legacy(data, source)
        if damaged is not None:
            return damaged
        raise InputError(f"{label}: not a text document (not UTF-8, UTF-16, GB18030 or Big5)")
    encoding = max(readings, key=lambda enc: _common_share(readings[enc], enc))
    return _mixed_lines(data, encoding, source) or SourceText(readings[encoding], encoding, source)


def _few_bad(text: str) -> bool:
    """A text with a few replaced bytes among many Chinese characters: damage, not another kind of file."""
    bad = text.count("\ufffd")
    return bad <= max(3, len(text) // 1000) and len(re.findall(UNIFIED_HAN, text[:20000])) >= 20 and \
        _binary_reason(text) is None


def _damaged_legacy(data: bytes, source: str | None) -> SourceText | None:
    """GB18030 or Big5 with a few bytes no reading decodes: read with them replaced, and warned about."""
    readings = {encoding: data.decode(encoding, errors="replace") for encoding in LEGACY}
    readings = {encoding: text for encoding, text in readings.items() if _few_bad(text)}
    if not readings:
        return None
    encoding = max(readings, key=lambda enc: _common_share(readings[enc], enc))
    return SourceText(readings[encoding], encoding, source, (_replaced_bytes(readings[encoding], encoding),))


def _replaced_bytes(text: str, encoding: str) -> ParseWarning:
    first = text.index("\ufffd")
    return ParseWarning(code="invalid_bytes", level="error", line=text.count("\n", 0, first) + 1, message=(
        f"{text.count(chr(0xFFFD))} invalid {encoding} byte sequence(s) replaced with U+FFFD; the lines holding "
        "them are reported as damaged"))


def _mixed_lines(data: bytes, encoding: str, source: str | None) -> SourceText | None:
    """A file pasted together from GB18030 and Big5 parts: each line read in the encoding its characters are
    common in, with a warning; None when every line reads well in `encoding`.

    Neither encoding uses the newline byte inside a character, so lines split safely before decoding.
    """
    other = next(enc for enc in LEGACY if enc != encoding)
    lines, switched = [], []
    for number, raw in enumerate(data.split(b"\n"), start=1):
        text = raw.decode(encoding, errors="replace")
        if not raw.isascii() and len(re.findall(UNIFIED_HAN, text)) >= MIXED_LINE_MIN_HAN and \
                _common_share(text, encoding) < MIXED_LINE_OWN_BELOW:
            try:
                alternative = raw.decode(other)
            except UnicodeDecodeError:
                alternative = None
            if alternative is not None and _common_share(alternative, other) >= MIXED_LINE_OTHER_AT_LEAST:
                text = alternative
                switched.append(number)
        lines.append(text)
    if not switched:
        return None
    note = ParseWarning(code="mixed_encoding", line=switched[0], message=(
        f"{len(switched)} line(s) are in {other} where the rest is in {encoding} (first at line {switched[0]}); "
        "each was read in its own"))
    return SourceText("\n".join(lines), encoding, source, (note,))
