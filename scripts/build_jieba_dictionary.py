"""Build policyparse's jieba dictionary: jieba's own dict.txt, keeping the words seen 50 times or more.

jieba's full dictionary (349,046 words) takes about half a second to load even from its
cache, which was most of a cold `policyparse extract`. The words policy documents need are
frequent ones; the 52,178 kept here load in about a tenth of that, and the domain words of
`rules/targets.toml` are added on top at run time (benchmarks/README.md has the figures).
Re-run after upgrading jieba:

    python scripts/build_jieba_dictionary.py

tests/test_dictionary.py checks that the shipped file is what this script makes.
"""

from __future__ import annotations

import sys
from pathlib import Path

MIN_FREQUENCY = 50
TARGET = Path(__file__).resolve().parent.parent / "src" / "policyparse" / "data" / "jieba_words.txt"


def build(source: Path) -> str:
    kept = []
    for line in source.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) >= 2 and int(parts[1]) >= MIN_FREQUENCY:
            kept.append(line)
    return "\n".join(kept) + "\n"


def jieba_dictionary() -> Path:
    import jieba

    return Path(jieba.__file__).parent / "dict.txt"


if __name__ == "__main__":
    TARGET.write_text(build(jieba_dictionary()), encoding="utf-8")
    print(f"wrote {TARGET}", file=sys.stderr)
