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

from ..errors import InputError
from ..models import ParseWarning

BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


HAN = re.compile(r"[\u3400-\u9fff]")
# Chinese text puts no space between its characters: a run of blanks between two of them is layout.
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


def collapse_spaces(text: str, blanks: re.Pattern[str]) -> str:
    """Runs of `blanks` removed between two Chinese characters or marks, one space elsewhere
    (`建 成 站 点` → `建成站点`, `5G 基站` kept apart)."""
    def space(found: re.Match[str]) -> str:
        before = found.string[found.start() - 1] if found.start() else ""
        after = found.string[found.end()] if found.end() < len(found.string) else ""
        return "" if CJK.match(before or " ") and CJK.match(after or " ") else " "

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


# Counted over a sample with one search each, not a loop over characters.
UNIFIED_HAN = re.compile(r"[\u4e00-\u9fff]")
IMPLAUSIBLE = re.compile(r"[^ -~\t\r\n\u3000-\u9fff\uff00-\uffef\u2000-\u206f]")
CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f]")


def _common_share(text: str, encoding: str) -> float:
    """Share of the CJK characters of `text` that sit in the everyday block of `encoding`.

    GB2312 level 1 (lead bytes 0xB0–0xD7) holds the 3,755 common simplified characters,
    Big5 0xA4–0xC6 the 5,401 common traditional ones. A wrong decoding lands on rare ones.
    """
    sample = UNIFIED_HAN.findall(text, 0, 20000)
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
    return 1 - len(IMPLAUSIBLE.findall(sample)) / len(sample)


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
    bad = text.count("\ufffd")
    han = len(UNIFIED_HAN.findall(text, 0, 20000))
    if bad <= max(3, len(text) // 1000) and han >= 20 and _binary_reason(text) is None:
        note = ParseWarning(code="invalid_bytes", level="error", message=(
            f"{bad} invalid UTF-8 byte sequence(s) replaced with U+FFFD; the lines holding them are reported as "
            "damaged"))
        return SourceText(text, "utf-8", source, (note,))
    return None


def _binary_reason(text: str) -> str | None:
    controls = len(CONTROLS.findall(text, 0, 20000))
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
    for encoding in ("gb18030", "big5"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _binary_reason(text) is None:
            readings[encoding] = text
    if not readings:
        if b"\x00" in data:
            raise InputError(f"{label}: not a text document (it contains NUL bytes)")
        raise InputError(f"{label}: not a text document (not UTF-8, UTF-16, GB18030 or Big5)")
    encoding = max(readings, key=lambda enc: _common_share(readings[enc], enc))
    return SourceText(readings[encoding], encoding, source)
