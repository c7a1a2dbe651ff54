"""policyparse: structured records from Chinese government policy documents.

>>> import policyparse
>>> doc = policyparse.parse_text("一、总体思路\\n二、工作目标")
>>> [s.id for s in doc.sections]
['一', '二']

Names are imported on first use, so that `import policyparse` (and `policyparse --help`)
stays cheap: the batch machinery, the differ and their dependencies load only when asked for.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .batch import BatchReport, convert_folder
    from .diff import DocumentDiff, diff_documents
    from .errors import InputError, PolicyparseError, RuleError
    from .models import Document, Metadata, ParseWarning, Section
    from .pipeline import load_document, parse_bytes, parse_file, parse_text
    from .rulebook import load_rules
    from .targets_table import read_targets, read_targets_df

_EXPORTS = {
    "BatchReport": "batch", "convert_folder": "batch",
    "DocumentDiff": "diff", "diff_documents": "diff",
    "InputError": "errors", "PolicyparseError": "errors", "RuleError": "errors",
    "Document": "models", "Metadata": "models", "ParseWarning": "models", "Section": "models",
    "load_document": "pipeline", "parse_bytes": "pipeline", "parse_file": "pipeline", "parse_text": "pipeline",
    "load_rules": "rulebook", "read_targets": "targets_table", "read_targets_df": "targets_table",
}

__all__ = [
    "BatchReport", "Document", "DocumentDiff", "InputError", "Metadata", "ParseWarning", "PolicyparseError",
    "RuleError", "Section", "__version__", "convert_folder", "diff_documents", "load_document", "load_rules",
    "parse_bytes", "parse_file", "parse_text", "read_targets", "read_targets_df",
]


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from .version import VERSION

        return VERSION
    if name in _EXPORTS:
        return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__
