"""Generated inputs for the benchmarks: varied copies of the samples, and one document grown N times.

Copies change every figure and the place names, so no cache (ours, jieba's, the OS's page
cache aside) sees the same document twice. Nothing here is committed output: the benchmarks
write into a temporary folder.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = sorted((ROOT / "samples").glob("*.txt"))
PLACES = ["石柱", "巫溪", "黔江", "秀山", "酉阳", "彭水", "武隆",
          "丰都", "忠县", "云阳", "奉节", "巫山", "城口", "开州"]
DIGITS = re.compile(r"(?<![〔\[（(年月\d])\d{1,4}(?![\d年月日号〕\]）)])")
CN_NUMERALS = "一二三四五六七八九十"


def vary(text: str, rng: random.Random) -> str:
    """The text with its figures and place names changed."""
    text = DIGITS.sub(lambda m: str(max(1, int(m.group(0)) + rng.randint(-3, 9))), text)
    for place in PLACES:
        if place in text:
            text = text.replace(place, rng.choice(PLACES))
    return text


def write_corpus(folder: Path, count: int, seed: int = 7) -> int:
    """Write `count` varied copies of the samples into `folder`; returns the bytes written."""
    rng = random.Random(seed)
    texts = [p.read_text(encoding="utf-8") for p in SAMPLES]
    folder.mkdir(parents=True, exist_ok=True)
    total = 0
    for n in range(count):
        data = vary(texts[n % len(texts)], rng).encode("utf-8")
        (folder / f"doc_{n:05d}.txt").write_bytes(data)
        total += len(data)
    return total


def largest_sample() -> Path:
    return max(SAMPLES, key=lambda p: p.stat().st_size)


def grown(times: int, sample: Path | None = None, seed: int = 11) -> str:
    """The largest sample with its numbered sections repeated `times` times, with new figures.

    Top-level sections keep counting (`一、` … `二十、` …) so the outline grows with the text.
    """
    rng = random.Random(seed)
    text = (sample or largest_sample()).read_text(encoding="utf-8")
    head, _, body = text.partition("一、")
    body = "一、" + body
    top = re.compile(r"(?m)^([一二三四五六七八九十]+)、")
    parts = []
    number = 0

    def renumber(match: re.Match[str]) -> str:
        nonlocal number
        number += 1
        return _chinese((number - 1) % 99 + 1) + "、"  # markers go to 九十九, then repeat

    for _ in range(times):
        parts.append(top.sub(renumber, vary(body, rng)))
    return head + "\n".join(parts)


def _chinese(number: int) -> str:
    if number <= 10:
        return CN_NUMERALS[number - 1]
    if number < 20:
        return "十" + CN_NUMERALS[number - 11]
    tens, ones = divmod(number, 10)
    return CN_NUMERALS[tens - 1] + "十" + (CN_NUMERALS[ones - 1] if ones else "")
