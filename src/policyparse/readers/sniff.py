"""What a document's first bytes say it is, read without importing any reader."""

from __future__ import annotations

import re

HTML_SIGNS = re.compile(r"<(?:!doctype|html|body|head|meta|p|div|br|span|table|td|tr|li)\b[^>]{0,200}>", re.I)
HTML_SNIFF_CHARS = 20000


def looks_like_html(text: str) -> bool:
    """Whether text is a web page: markup among its first characters."""
    return bool(HTML_SIGNS.search(text[:HTML_SNIFF_CHARS]))
