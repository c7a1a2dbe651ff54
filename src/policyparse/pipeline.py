"""The pipeline: read → normalize → outline → metadata, behind `parse_text` and `parse_file`."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from functools import partial
from pathlib import Path

from . import regexcache
from .defaults import DEFAULT_MAX_BYTES
from .errors import InputError
from .extract import extract
from .metadata import extract_metadata
from .models import Document, ParseWarning, Section, flatten_sections
from .normalize import NormalizedText, normalize
from .outline import split_sections, starts_heading
from .readers import SourceText, read_bytes, read_file
from .rulebook import RuleBook, default_rules

# A document that loses more of its Han characters than this in normalization is flagged.
LOST_SHARE = 0.03
# A text this long that yields no outline and no target was not read, whatever it holds.
NOTHING_READ_MIN_CHARS = 2000
# Halves of UTF-16 pairs standing alone: no character, and no encoder or converter accepts them.
LONE_SURROGATE = regexcache.compile("[\ud800-\udfff]")


def parse_text(text: str, source: str | None = None, *, rules: RuleBook | None = None) -> Document:
    """Parse the text of one policy document.

    >>> doc = parse_text("关于印发《某县实施方案》的通知\\n一、总体思路\\n二、工作目标")
    >>> [s.title for s in doc.sections]
    ['总体思路', '工作目标']
    """
    notes: tuple[ParseWarning, ...] = ()
    if LONE_SURROGATE.search(text):
        notes = (ParseWarning(code="invalid_characters", level="error", message=(
            f"{len(LONE_SURROGATE.findall(text))} lone surrogate(s), which are no characters, replaced with "
            "U+FFFD")),)
        text = LONE_SURROGATE.sub("\ufffd", text)
    return parse_source(SourceText(text, None, source, notes), rules=rules)


def parse_source(read: SourceText, *, rules: RuleBook | None = None) -> Document:
    """Parse what a reader read (`policyparse.readers.read_file`): its text, with its line numbers and notes."""
    rules = rules or default_rules()
    norm = normalize_text(read, rules)
    sections = split_sections(norm, rules)
    metadata = extract_metadata(norm, sections, rules.metadata)
    metadata = metadata.model_copy(update={"original_script": norm.script, "encoding": read.encoding,
                                           "format": read.format})
    flat = flatten_sections(sections)
    found = extract(norm, flat, metadata, rules)
    warnings = [*read.warnings, *norm.warnings, *found.warnings]
    if norm.text.strip() and not sections:
        warnings.append(ParseWarning(code="no_outline", message="no numbered headings: the document has no outline"))
    warnings += completeness_warnings(norm, sections, found.targets)
    return Document(id=document_id(norm.text), source=read.source, metadata=metadata, sections=sections,
                    targets=found.targets,
                    deadlines=found.deadlines, assignments=found.assignments, tasks=found.tasks,
                    incentives=found.incentives,
                    warnings=warnings, text=norm.text)


def document_id(text: str) -> str:
    """`doc-` and a hash of the normalized text: the same document read from .txt, .docx or .pdf may differ."""
    return "doc-" + hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=5).hexdigest()


def normalize_text(text: str | SourceText, rules: RuleBook | None = None) -> NormalizedText:
    """The text every record points into, with the source line of each of its offsets (`extract --format text`)."""
    rules = rules or default_rules()
    read = text if isinstance(text, SourceText) else SourceText(text, None)
    return normalize(read.text, rules.normalize, partial(starts_heading, rules=rules.outline),
                     line_numbers=read.line_numbers, removed=read.removed)


def completeness_warnings(norm: NormalizedText, sections: Sequence[Section], targets: Sequence[object]) -> list[
        ParseWarning]:
    """Errors that say the records are incomplete: text removed in normalization, or nothing read from a long text."""
    out = []
    removed = sum(norm.han_removed.values())
    if norm.han_count and removed / norm.han_count > LOST_SHARE:
        steps = ", ".join(f"{count} by {step}" for step, count in sorted(norm.han_removed.items()))
        out.append(ParseWarning(code="content_dropped", level="error", message=(
            f"normalization removed {removed} of {norm.han_count} Han characters ({removed / norm.han_count:.0%}: "
            f"{steps}); run `extract --format text` to see what is left")))
    if len(norm.text) > NOTHING_READ_MIN_CHARS and not sections and not targets:
        out.append(ParseWarning(code="nothing_extracted", level="error", message=(
            f"no outline and no targets were read from {len(norm.text):,} characters of text")))
    return out


def parse_bytes(data: bytes, name: str | None = None, *, rules: RuleBook | None = None) -> Document:
    """Parse a document's raw bytes (any supported encoding): for `dask.bag` over files read with fsspec.

    Raises InputError when the bytes are not a document of a supported format.

    >>> parse_bytes("一、总体思路".encode("gb18030"), "a.txt").metadata.encoding
    'gb18030'
    """
    return parse_source(read_bytes(data, name), rules=rules)


def load_document(path: str | Path, *, rules: RuleBook | None = None) -> Document:
    """A document from a text file, or from the JSON `extract --format json` or `batch` wrote."""
    path = Path(path)
    if path.suffix.lower() == ".json":
        try:
            return document_from_json(path.read_bytes(), str(path))
        except OSError as exc:
            raise InputError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    return parse_file(path, rules=rules)


def document_from_json(data: bytes, label: str) -> Document:
    """A document from the JSON `extract --format json` or `batch` wrote; InputError when it is not one."""
    try:
        return Document.model_validate_json(data)
    except ValueError as exc:
        raise InputError(f"{label}: not a policyparse JSON document ({str(exc).splitlines()[0]})") from None


def parse_file(path: str | Path, *, rules: RuleBook | None = None, max_bytes: int = DEFAULT_MAX_BYTES) -> Document:
    """Read and parse one file of any supported format; raises InputError when it is not a document."""
    return parse_source(read_file(path, max_bytes=max_bytes), rules=rules)
