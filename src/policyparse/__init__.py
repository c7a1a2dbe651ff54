"""policyparse: structured records from Chinese government policy documents.

>>> import policyparse
>>> doc = policyparse.parse_text("一、总体思路\\n二、工作目标")
>>> [s.id for s in doc.sections]
['一', '二']
"""

from importlib.metadata import PackageNotFoundError, version

from .batch import BatchReport, convert_folder
from .diff import DocumentDiff, diff_documents
from .errors import InputError, PolicyparseError, RuleError
from .models import Document, Metadata, ParseWarning, Section
from .pipeline import load_document, parse_file, parse_text
from .rulebook import load_rules

try:
    __version__ = version("policyparse")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"

__all__ = [
    "BatchReport",
    "Document",
    "DocumentDiff",
    "InputError",
    "Metadata",
    "ParseWarning",
    "PolicyparseError",
    "RuleError",
    "Section",
    "__version__",
    "convert_folder",
    "diff_documents",
    "load_document",
    "load_rules",
    "parse_file",
    "parse_text",
]
