"""The indicator of a target: the shortest noun phrase naming what is counted.

This is the one module that imports jieba. Its words come from jieba's dictionary plus
the domain words of `rules/targets.toml` (action verbs, modality and aggregation words),
so that `新建或提升改造电商综合服务中心` splits at its verbs. The tokenizer is built on
first use: a document without figures never loads the dictionary.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import marshal
import sys
from collections.abc import Callable
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from .. import cache as cache_files
from .. import regexcache
from ..rulebook.compiled import Phrases

SPACES = regexcache.compile(r"\s+")
LIST_BREAK = "、"


def _import_jieba() -> Any:
    """jieba, imported without pkg_resources.

    jieba's _compat imports pkg_resources (60 ms, deprecated) only to open its own data
    files, and falls back to plain files when that import fails; it is made to fail for
    the length of jieba's import, and nothing else in the process is affected.
    """
    if "jieba" in sys.modules or "pkg_resources" in sys.modules:
        import jieba

        return jieba
    sys.modules["pkg_resources"] = None  # type: ignore[assignment]
    try:
        import jieba
    finally:
        del sys.modules["pkg_resources"]
    return jieba


@cache
def _jieba_cut() -> Callable[[str], list[str]]:
    jieba = _import_jieba()

    jieba.setLogLevel(logging.WARNING)
    # The frequent words of jieba's own dictionary (scripts/build_jieba_dictionary.py):
    # a tenth of the load time of the full one, the same segmentation where it matters here.
    dictionary = Path(str(resources.files("policyparse.data") / "jieba_words.txt"))
    tokenizer = jieba.Tokenizer(dictionary=str(dictionary))
    tokenizer.FREQ, tokenizer.total = _prefix_dictionary(tokenizer, dictionary)
    tokenizer.initialized = True
    return lambda text: list(tokenizer.cut(text, HMM=True))


def _prefix_dictionary(tokenizer: Any, dictionary: Path) -> tuple[dict[str, int], int]:
    """jieba's prefix dictionary of `dictionary`, from policyparse's cache.

    jieba's `initialize` reads its cache with `marshal.load(file)`, which reads in small pieces: 120–160 ms
    here, where one read and `marshal.loads` take 20–40 ms for the same dictionary. The cache is keyed by
    the dictionary's content, so every clone and version with the same words shares one.
    """
    data = dictionary.read_bytes()
    name = f"jieba-{hashlib.blake2b(data, digest_size=8).hexdigest()}.marshal"
    with contextlib.suppress(EOFError, ValueError, TypeError):  # none stored, or damaged: built again
        freq, total = marshal.loads(cache_files.read(name) or b"")
        if isinstance(freq, dict):
            return freq, total
    freq, total = tokenizer.gen_pfdict(io.BytesIO(data))
    cache_files.write(name, marshal.dumps((freq, total)))
    return freq, total


@cache
def _tokenizer(words: frozenset[str]) -> Callable[[str], tuple[str, ...]]:
    """jieba's cut, with the rules' domain words kept whole; one per set of words. Each text's tokens are
    kept: a figure's words are cut again when the words after it are read (a third of the cuts of a batch)."""
    return lru_cache(maxsize=TOKENS_KEPT)(_with_words(_jieba_cut(), words))


TOKENS_KEPT = 4096


def _with_words(cut: Callable[[str], list[str]], words: frozenset[str]) -> Callable[[str], tuple[str, ...]]:
    """Re-join jieba tokens that together spell one of `words` (`提升`+`改造` stay apart; `同比`+`增长` join)."""
    longest = max((len(w) for w in words), default=1)

    def tokenize(text: str) -> tuple[str, ...]:
        tokens = cut(text)
        out: list[str] = []
        i = 0
        while i < len(tokens):
            joined, best = "", 1
            for j in range(i, min(len(tokens), i + 4)):
                joined += tokens[j]
                if len(joined) > longest:
                    break
                if joined in words:
                    best = j - i + 1
            out.append("".join(tokens[i : i + best]))
            i += best
        return tuple(out)

    return tokenize


def _tidy(phrase: str, trim: Phrases) -> str:
    phrase = trim.leading_marker.sub("", phrase.strip())
    phrase = SPACES.sub("", phrase).strip("，,、；;：:。 ")
    phrase = trim.leading.sub("", phrase)
    phrase = trim.leading_qualifier.sub("", phrase)
    phrase = trim.trailing.strip_end(phrase)
    phrase = trim.comparison_base.sub("", phrase)
    phrase = trim.trailing.strip_end(phrase)
    return phrase.strip("，,、；;：:。 ")


@lru_cache(maxsize=4096)
def indicator_before(clause: str, trim: Phrases) -> str:
    """The indicator in the words before a figure: after the verb that opens the phrase.

    Cached: a list of figures repeats its words (`新建站点1个，新建站点2个，…`), and segmenting them is most of
    the cost of a target.

    >>> from policyparse.rulebook import default_rules
    >>> indicator_before("2021年建成乡镇物流中转站", default_rules().compiled.phrases)
    '乡镇物流中转站'
    """
    clause = SPACES.sub("", clause)
    # A time is never part of what is counted: `今年中央财政赤字拟按`, `处置率应于2020年底前达到`. The base of a
    # comparison stays for the trimmer that knows it (`用水量比2013年下降`).
    clause = trim.time_expression.sub(
        lambda found: found.group(0) if clause[: found.start()].endswith(trim.comparison_words) else "", clause)
    clause = trim.opening.sub("", clause)
    tokens = _tokenizer(trim.tokenizer_words)(clause) if clause else ()
    verbs = trim.verbs
    phrase = clause
    depth = 0  # a verb inside brackets (`水质优良（达到或好于Ⅲ类）比例`) does not open the phrase
    for i, token in enumerate(tokens):
        depth += token.count("（") + token.count("(") - token.count("）") - token.count(")")
        nominal = i + 1 < len(tokens) and tokens[i + 1] in trim.nominal_suffixes
        if token in verbs and depth <= 0 and not nominal:
            rest = tokens[i + 1 :]
            while rest and (rest[0] in verbs or rest[0] in trim.conjunctions):
                rest = rest[1:]
            tail = _tidy("".join(rest), trim)
            measured = tail.endswith(trim.share_heads) or tail.endswith(tuple(trim.nominal_suffixes))
            if i > 0 and measured and not tail.startswith(trim.share_heads):
                # `水质达到或优于Ⅲ类比例`, `交通领域新增光伏装机容量`: the verb qualifies what a share or a
                # measure is of; the phrase is whole.
                break
            # `拥有量提升到5件`: a verb with nothing but a preposition after it closes the phrase instead
            phrase = tail if tail and not (len(tail) == 1 and not is_noun_character(tail)) else "".join(tokens[:i])
            break
    modifier, particle, head = _split_at_particle(phrase, trim)
    if particle:
        # `地下水质量极差的比例`: a share names nothing without what it is a share of.
        bare = _tidy(head, trim) in trim.share_heads
        phrase = (_drop_particles(modifier, trim) + head) if bare else head or _drop_particles(modifier, trim)
    return _tidy(phrase, trim)


def _split_at_particle(phrase: str, trim: Phrases) -> tuple[str, str, str]:
    """`适合网销的产品` → (`适合网销`, `的`, `产品`), at the last particle; ('', '', phrase) without one."""
    at = max(phrase.rfind(p) for p in trim.particles) if trim.particles else -1
    if at < 0:
        return "", "", phrase
    return phrase[:at], phrase[at], phrase[at + 1 :]


def _drop_particles(phrase: str, trim: Phrases) -> str:
    return phrase.translate({ord(p): None for p in trim.particles})


def indicator_after(words: str, trim: Phrases, keep_verbs: bool = False) -> str:
    """The indicator in the words after a figure (`5个十亿级产业集群`, `90%的县达到…`).

    >>> from policyparse.rulebook import default_rules
    >>> indicator_after("有代表性、有特色、适合网销的产品实现标准化生产", default_rules().compiled.phrases)
    '适合网销产品'
    """
    words = SPACES.sub("", words).lstrip(trim.particles)
    words = trim.activity_suffix.sub("", words) or words
    if keep_verbs and len(_tidy(_drop_particles(words, trim), trim)) > trim.max_chars:
        keep_verbs = False  # `57.0%的受访者认为企业较多运用了…`: the share is of the respondents
    if not keep_verbs:
        tokens = _tokenizer(trim.tokenizer_words)(words)
        cut = next((i for i, token in enumerate(tokens) if i > 0 and token in trim.verbs), len(tokens))
        words = "".join(tokens[:cut])
        words = trim.activity_suffix.sub("", words) or words
        first_particle = min((at for p in trim.particles if (at := words.find(p)) >= 0), default=-1)
        if first_particle >= 0 and LIST_BREAK in words[:first_particle]:
            words = words[words.rfind(LIST_BREAK, 0, first_particle) + 1 :]
    return _tidy(_drop_particles(words, trim), trim)


def head_of(phrase: str, trim: Phrases) -> str:
    """A phrase too long to name what is counted, cut to its head: a Chinese noun phrase ends with its head,
    so the modifiers go first, at a list or `等`/`的` boundary, else word by word.

    `基础共性、场景应用、终端产品等国家、行业、团体标准` → `国家、行业、团体标准`.
    """
    if len(phrase) <= trim.max_chars:
        return phrase
    for mark in trim.head_breaks:  # in order of preference: `等` and `的` close modifiers, `、` a list
        cuts = [at for at, ch in enumerate(phrase[:-1]) if ch == mark and len(phrase) - at - 1 <= trim.max_chars]
        if cuts:
            return phrase[cuts[0] + 1 :]
    tokens = _tokenizer(trim.tokenizer_words)(phrase)
    head = ""
    for token in reversed(tokens):
        if len(head) + len(token) > trim.max_chars:
            break
        head = token + head
    return head or phrase[-trim.max_chars :]


# A line of the dictionary (`word frequency tag`) of a one-character noun (`n`, `ns`, `nz` …).
NOUN_CHARACTER_LINE = regexcache.compile(r"\n(\S) \S+ n")


@cache
def _noun_characters() -> frozenset[str]:
    """The characters the dictionary tags as nouns, found with one search, read on first use: splitting each
    of its 52,000 lines took 35 ms of a batch."""
    dictionary = (resources.files("policyparse.data") / "jieba_words.txt").read_text(encoding="utf-8")
    return frozenset(NOUN_CHARACTER_LINE.findall("\n" + dictionary))


def is_noun_character(char: str) -> bool:
    """Whether the dictionary tags the one character `char` as a noun (`人` is one, `到` is not).

    >>> is_noun_character("人"), is_noun_character("到")
    (True, False)
    """
    return char in _noun_characters()


def words(text: str) -> list[str]:
    """The jieba words of `text`, spaces dropped."""
    return [word for word in _jieba_cut()(text) if word.strip()]


def first_token(words: str, trim: Phrases) -> str:
    """The first word of `words`, as the tokenizer cuts it."""
    tokens = _tokenizer(trim.tokenizer_words)(SPACES.sub("", words)[:12])
    return tokens[0] if tokens else ""
