"""The pipeline: read → normalize → outline → metadata, behind `parse_text` and `parse_file`."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from pathlib import Path

from .defaults import DEFAULT_MAX_BYTES
from .errors import InputError
from .extract import extract
from .metadata import extract_metadata
from .models import Document, ParseWarning, flatten_sections
from .normalize import normalize
from .outline import split_sections, starts_heading
from .reader import decode_bytes, read_file
from .rulebook import RuleBook, default_rules


def parse_text(text: str, source: str | None = None, *, rules: RuleBook | None = None,
               encoding: str | None = None, reading_warnings: Sequence[ParseWarning] = ()) -> Document:
    """Parse the text of one policy document.

    >>> doc = parse_text("关于印发《某县实施方案》的通知\\n一、总体思路\\n二、工作目标")
    >>> [s.title for s in doc.sections]
    ['总体思路', '工作目标']
    """
    rules = rules or default_rules()
    norm = normalize(text, rules.normalize, partial(starts_heading, rules=rules.outline))
    sections = split_sections(norm, rules)
    metadata = extract_metadata(norm, sections, rules.metadata)
    metadata = metadata.model_copy(update={"original_script": norm.script, "encoding": encoding})
    flat = flatten_sections(sections)
    found = extract(norm, flat, metadata, rules)
    warnings = [*reading_warnings, *norm.warnings, *found.warnings]
    if norm.text.strip() and not sections:
        warnings.append(ParseWarning(code="no_outline", message="no numbered headings: the document has no outline"))
    return Document(source=source, metadata=metadata, sections=sections, targets=found.targets,
                    deadlines=found.deadlines, assignments=found.assignments, tasks=found.tasks,
                    warnings=warnings, text=norm.text)


def parse_bytes(data: bytes, name: str | None = None, *, rules: RuleBook | None = None) -> Document:
    """Parse a document's raw bytes (any supported encoding): for `dask.bag` over files read with fsspec.

    Raises InputError when the bytes are not a text document.

    >>> parse_bytes("一、总体思路".encode("gb18030"), "a.txt").metadata.encoding
    'gb18030'
    """
    source = decode_bytes(data, name)
    return parse_text(source.text, source=name, rules=rules, encoding=source.encoding,
                      reading_warnings=source.warnings)


def load_document(path: str | Path, *, rules: RuleBook | None = None) -> Document:
    """A document from a text file, or from the JSON `extract --format json` or `batch` wrote."""
    path = Path(path)
    if path.suffix.lower() == ".json":
        try:
            return Document.model_validate_json(path.read_bytes())
        except OSError as exc:
            raise InputError(f"{path}: cannot be read ({exc.strerror or exc})") from None
        except ValueError as exc:
            raise InputError(f"{path}: not a policyparse JSON document ({str(exc).splitlines()[0]})") from None
    return parse_file(path, rules=rules)


def parse_file(path: str | Path, *, rules: RuleBook | None = None, max_bytes: int = DEFAULT_MAX_BYTES) -> Document:
    """Read, decode and parse one file; raises InputError when it is not a text document."""
    source = read_file(path, max_bytes=max_bytes)
    return parse_text(source.text, source=str(path), rules=rules, encoding=source.encoding,
                      reading_warnings=source.warnings)
