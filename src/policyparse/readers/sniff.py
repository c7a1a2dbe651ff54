"""What a document's first bytes say it is, read without importing any reader; and the warning both
the HTML reader and normalization give for markup left open."""

from __future__ import annotations

import re

from .. import regexcache
from ..models import ParseWarning

HTML_SIGNS = regexcache.compile(r"<(?:!doctype|html|body|head|meta|p|div|br|span|table|td|tr|li)\b[^>]{0,200}>", re.I)
HTML_SNIFF_CHARS = 20000


def looks_like_html(text: str) -> bool:
    """Whether text is a web page: markup among its first characters."""
    return bool(HTML_SIGNS.search(text[:HTML_SNIFF_CHARS]))


def unclosed_markup(name: str, line: int) -> ParseWarning:
    """A `<script>` or `<style>` never closed: it hides the rest of its line only, not the rest of the page."""
    return ParseWarning(code="unclosed_markup", line=line, message=(
        f"a <{name}> is never closed: only the rest of its line was left out as markup; the lines after it are "
        "read as text"))
