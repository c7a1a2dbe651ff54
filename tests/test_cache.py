"""The cache of derived data (policyparse.cache): what a later process reads back is what it would have built."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from array import array
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser  # type: ignore[attr-defined]

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policyparse import RuleError, cache, load_rules, parse_text, regexcache
from policyparse.extract import indicator
from policyparse.extract import text as text_module
from policyparse.extract.text import find_all
from policyparse.memo import ByIdentity
from policyparse.normalize import matches_in_lines, sub_in_lines
from policyparse.rulebook import bookcache, default_rules, load
from regex_strategies import patterns

SAMPLES = sorted(Path(__file__).resolve().parent.parent.joinpath("samples").glob("*.txt"))


@pytest.fixture
def fresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The cache module as a new process finds it, with its cache folder in `tmp_path`."""
    monkeypatch.setenv(cache.ENVIRONMENT, str(tmp_path))
    _new_process(monkeypatch)
    return tmp_path


def _new_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(regexcache, "_entries", None)
    monkeypatch.setattr(regexcache, "_used", set())
    monkeypatch.setattr(regexcache, "_compiled", {})
    monkeypatch.setattr(regexcache, "_arguments", {})
    monkeypatch.setattr(regexcache, "_changed", False)
    monkeypatch.setattr(regexcache, "_facts", ByIdentity())
    monkeypatch.setattr(regexcache, "_variants", ByIdentity())


def _refuse_compiling(pattern: str, flags: int) -> object:
    raise AssertionError(f"compiled again: {pattern!r}")


def _patterns() -> list[tuple[str, int]]:
    book = default_rules()
    found = [(rule.pattern.pattern, rule.pattern.flags & ~re.UNICODE) for _, rule in book.pattern_rules()]
    return [*found, (r"(?P<a>x)(?i:Y)+|\d{2,}", 0), ("abc", re.IGNORECASE | re.MULTILINE), (r"^\s*$", re.M)]


def _same(one: re.Pattern[str], other: re.Pattern[str], texts: list[str]) -> None:
    assert (one.pattern, one.flags, one.groups, one.groupindex) == (
        other.pattern, other.flags, other.groups, other.groupindex)
    for text in texts:
        assert [m.span() + m.groups() for m in one.finditer(text)] == [
            m.span() + m.groups() for m in other.finditer(text)]


def test_patterns_read_back_from_the_file_match_as_re_compiles_them(
        fresh: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    texts = [path.read_text(encoding="utf-8") for path in SAMPLES[:2]] + ["xYy 123", "ABC\nabc", "  \n"]
    for pattern, flags in _patterns():
        regexcache.compile(pattern, flags)
    regexcache.save()
    assert len(list(fresh.glob("regex-*"))) == 1

    _new_process(monkeypatch)
    monkeypatch.setattr(regexcache, "_compile_new", _refuse_compiling)
    for pattern, flags in _patterns():
        _same(regexcache.compile(pattern, flags), re.compile(pattern, flags), texts)


def test_a_damaged_file_or_entry_is_compiled_afresh(fresh: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert regexcache.CACHE_FILE is not None
    (fresh / regexcache.CACHE_FILE).write_bytes(b"\x00not marshal")
    _same(regexcache.compile(r"[\u4e00-\u9fff]+年"), re.compile(r"[\u4e00-\u9fff]+年"), ["二〇二五年", "2025年"])

    _new_process(monkeypatch)
    regexcache._load()[("a+b", 0)] = (32, b"\x01\x02\x03\x04", 0, {}, (None,), {})  # code the engine refuses
    _same(regexcache.compile("a+b"), re.compile("a+b"), ["aab", "b"])


def test_a_folder_that_cannot_be_written_costs_nothing_but_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    monkeypatch.setenv(cache.ENVIRONMENT, str(blocked / "cache"))
    _new_process(monkeypatch)
    assert regexcache.compile(r"\d+个").search("建成12个").group() == "12个"
    regexcache.save()
    assert blocked.read_text() == "not a folder"


def test_an_empty_setting_keeps_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cache.ENVIRONMENT, "")
    monkeypatch.chdir(tmp_path)
    _new_process(monkeypatch)
    regexcache.compile(r"\d+万元")
    regexcache.save()
    assert cache.folder() is None
    assert list(tmp_path.iterdir()) == []


def test_past_its_size_the_file_keeps_what_the_last_process_used(
        fresh: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(regexcache, "MAX_ENTRIES", 3)
    for i in range(5):
        regexcache.compile(f"x{i}")
    regexcache.save()
    _new_process(monkeypatch)
    regexcache.compile("x4")
    regexcache.compile("y")
    regexcache.save()
    _new_process(monkeypatch)
    assert sorted(pattern for pattern, _ in regexcache._load()) == ["x4", "y"]


def test_what_a_pattern_was_found_to_need_is_read_back_by_the_next_process(
        fresh: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def asked() -> tuple[object, ...]:
        question = regexcache.compile(r"[\u3400-\u9fff]\?|\?[,;]")
        quoted = regexcache.compile(r"“[^“”\n]{1,40}”")
        page = regexcache.compile(r"^\s*第\d+页$")
        return (regexcache.can_match(question, "规划。"), regexcache.barriers(quoted, "。\n"),
                regexcache.can_start_with(quoted, "“"), regexcache.can_start_with(quoted, "a"),
                regexcache.after_breaks(quoted) is None, regexcache.across_lines(quoted) is None,
                regexcache.after_breaks(page, across=True) is None)

    answers = asked()
    assert answers == (False, "\n", True, False, True, False, False)
    regexcache.save()
    _new_process(monkeypatch)
    monkeypatch.setattr(regexcache._parser, "parse", _refuse_compiling)
    monkeypatch.setattr(regexcache, "_compile_new", _refuse_compiling)
    assert asked() == answers


def _refuse_validating(*args: object) -> object:
    raise AssertionError("validated again")


def _overlay(folder: Path, units: str) -> Path:
    folder.mkdir(exist_ok=True)
    (folder / "measures.toml").write_text(f'units = [{{ word = "{units}", kind = "count" }}]\n', encoding="utf-8")
    return folder


def test_a_rule_book_is_read_back_by_the_next_process(fresh: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    overlay = _overlay(fresh / "rules", "标准间")
    first = load_rules([overlay])
    text = "新建标准间120个，改造标准间3间。"
    expected = parse_text(text, rules=first).model_dump()
    regexcache.save()
    assert [path.name.split("-")[0] for path in fresh.glob("rules-*")] == ["rules"]

    _new_process(monkeypatch)
    monkeypatch.setattr(load, "_validate", _refuse_validating)
    monkeypatch.setattr(regexcache, "_compile_new", _refuse_compiling)
    again = load_rules([overlay])
    assert again is not first
    assert again == first
    assert parse_text(text, rules=again).model_dump() == expected


def test_other_files_make_another_book(fresh: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    overlay = _overlay(fresh / "rules", "标准间")
    load_rules([overlay])
    _overlay(overlay, "示范户")
    book = load_rules([overlay])
    assert "示范户" in {unit.word for unit in book.measures.units}
    assert "标准间" not in {unit.word for unit in book.measures.units}
    assert len(list(fresh.glob("rules-*"))) == 2


def test_a_damaged_book_is_validated_afresh(fresh: Path) -> None:
    book = load_rules()
    (stored,) = fresh.glob("rules-*")
    stored.write_bytes(stored.read_bytes()[:100])
    assert load_rules() == book
    assert len(stored.read_bytes()) > 100


def test_rules_check_validates_every_time(fresh: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    load_rules(trust_shipped=False)
    assert list(fresh.glob("rules-*")) == []
    load_rules()
    monkeypatch.setattr(load, "_validate", _refuse_validating)
    with pytest.raises(AssertionError, match="validated again"):
        load_rules(trust_shipped=False)


def test_a_broken_overlay_is_never_kept(fresh: Path) -> None:
    folder = fresh / "rules"
    folder.mkdir()
    (folder / "measures.toml").write_text('units = [{ word = "台", kind = "machines" }]\n', encoding="utf-8")
    for _ in range(2):
        with pytest.raises(RuleError, match=r"measures\.toml"):
            load_rules([folder])
    assert list(fresh.glob("rules-*")) == []


def test_only_the_latest_books_are_kept(fresh: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bookcache, "KEPT_BOOKS", 2)
    folder = fresh / "rules"
    for word in ["甲", "乙", "丙"]:
        load_rules([_overlay(folder, word)])
    assert len(list(fresh.glob("rules-*"))) == 2


def test_jieba_dictionary_is_read_back(fresh: Path) -> None:
    dictionary = Path(str(resources.files("policyparse.data") / "jieba_words.txt"))
    tokenizer = indicator._import_jieba().Tokenizer(dictionary=str(dictionary))
    built = indicator._prefix_dictionary(tokenizer, dictionary)
    (stored,) = fresh.glob("jieba-*")
    assert indicator._prefix_dictionary(tokenizer, dictionary) == built
    stored.write_bytes(b"damaged")
    assert indicator._prefix_dictionary(tokenizer, dictionary) == built


def test_a_cold_extract_reads_what_the_first_one_kept(tmp_path: Path) -> None:
    sample = SAMPLES[0]
    env = {**os.environ, cache.ENVIRONMENT: str(tmp_path / "cache")}
    outputs = [subprocess.run([sys.executable, "-m", "policyparse", "extract", str(sample), "--format", "json"],
                              env=env, capture_output=True, check=True).stdout for _ in range(2)]
    assert outputs[0] == outputs[1]
    assert sorted(path.name.split("-")[0] for path in (tmp_path / "cache").iterdir()) == ["jieba", "regex", "rules"]


# Patterns of the constructs the skip looks through: anchors, look-arounds, optional and repeated parts,
# groups, alternatives of classes.
SKIPPED_PATTERNS = patterns(
    atoms=["a", "b", "年", "1", "[ab]", r"\d", r"\s", r"\w", ".", "[^b]", "^", "$", r"\b", "(?<=a)", "(?<!b)",
           "(?=a)", "(?!1)", "[a-c年]", r"\W", "(?=..)", r"(?<!\W)", "(?!.1)"],
    repeats=["*", "+", "?", "{0,2}", "{2}", "??", "+?"], wrappers=["(?P<g>{})", "(?>{})"], max_leaves=6)


@settings(max_examples=400, deadline=None)
@given(SKIPPED_PATTERNS, st.lists(st.text("ab年1 \n", max_size=12), max_size=6))
def test_the_skip_changes_no_match(pattern: str, texts: list[str]) -> None:
    try:
        plain = re.compile(pattern)
    except re.error:
        return
    skipping = regexcache._compile_new(pattern, 0)[0]
    assert skipping.pattern == plain.pattern and skipping.groupindex == plain.groupindex
    for text in texts:
        assert [m.span() + m.groups() for m in skipping.finditer(text)] == [
            m.span() + m.groups() for m in plain.finditer(text)]
        assert bool(skipping.match(text)) == bool(plain.match(text))


def _skip_of(pattern: str) -> int:
    """The skip flags of the info block `regexcache` compiles `pattern` with."""
    entry = regexcache._compile_new(pattern, 0)[1]
    assert entry is not None
    return array(regexcache.CODE_TYPE, entry[1])[2] & (sre.SRE_INFO_PREFIX | sre.SRE_INFO_CHARSET)


def test_a_skip_is_given_where_re_would_try_every_position() -> None:
    for pattern in [r"(?:力争|争取)?到?\s*20\d\d年", r"(?<=\d)[ \u3000]+个", r"\d(?<!\d\d)x|双十|[A-Z]q", r"\d{1,4}页"]:
        assert re.compile(pattern).search("x" * 3) is None
        assert _skip_of(pattern) == sre.SRE_INFO_CHARSET, pattern
    # re's own skip is kept; a pattern that may start anywhere, an anchored one and (?i) get none
    assert _skip_of(r"20\d\d年") == sre.SRE_INFO_PREFIX
    for pattern in [".x", "(?i)(?:a|b)?c", "a*", r"^\s*\d+页", r"(?:\A|x)?[^a]b"]:
        assert _skip_of(pattern) == 0, pattern


def test_a_compiler_of_another_shape_falls_back_to_re(fresh: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def changed(*args: object) -> object:
        raise TypeError("'SubPattern' object has no attribute 'state'")

    monkeypatch.setattr(regexcache, "_code", changed)
    _same(regexcache.compile(r"(?P<n>\d+)个"), re.compile(r"(?P<n>\d+)个"), ["建成12个"])
    with pytest.raises(re.error):
        monkeypatch.undo()
        _new_process(monkeypatch)
        regexcache.compile("(unclosed")


# Patterns of what `across_lines` rewrites or refuses: classes holding a line break, negated classes, `.` under
# DOTALL, anchors of lines and of the text, look-arounds at a line's edge.
LINE_PATTERNS = patterns(
    atoms=["a", "1", " ", r"\s", r"\S", r"[\s>]", "[^a]", "[^a>]", "[^\\s>]", ".", "(?s:.)", r"\d", r"\W", r"\D", "[\t-\r]",
           "^", "$", r"\b", r"\A", r"\Z", "(?<=a)", r"(?<!\s)", r"(?=\s)", r"(?!\S)", "\\n", "(?m:^)"],
    repeats=["*", "+", "?", "{0,2}", "+?"], wrappers=["(?P<g>{})", "(?>{})", "(?s:{})"], max_leaves=6)
LINES = st.lists(st.text("ab1 >\t", max_size=8), min_size=1, max_size=5)


@settings(max_examples=400, deadline=None)
@given(LINE_PATTERNS, LINES)
def test_one_pass_over_lines_finds_what_each_line_finds(pattern: str, lines: list[str]) -> None:
    try:
        regex = re.compile(pattern)
    except re.error:
        return
    assert list(matches_in_lines("\n".join(lines), regex)) == [
        (index, found.start(), found.end()) for index, line in enumerate(lines) for found in regex.finditer(line)]
    assert sub_in_lines("\n".join(lines), regex, "#") == "\n".join(regex.sub("#", line) for line in lines)


@settings(max_examples=300, deadline=None)
@given(LINE_PATTERNS, st.text("ab1 >\t\n", max_size=12))
def test_a_text_ruled_out_holds_no_match(pattern: str, text: str) -> None:
    try:
        regex = re.compile(pattern)
    except re.error:
        return
    assert regexcache.can_match(regex, text) or not regex.search(text)


def test_rules_of_lines_run_over_the_whole_text() -> None:
    rules = default_rules().normalize
    assert all(regexcache.across_lines(rule.regex) for rule in [*rules.strip, *rules.noise, *rules.mojibake])
    for pattern in ["a\\nb", r"\Aa", r"a\Z", "(?-m:^a)", r"(a)\1"]:
        assert regexcache.across_lines(re.compile(pattern)) is None, pattern
    page = regexcache.across_lines(re.compile(r"^\s*第\s*\d+\s*页\s*$"))
    assert page is not None and [m.group(0) for m in page.finditer("正文\n 第 3 页 \n\n第4页")] == [" 第 3 页 ", "第4页"]


# Patterns every match of which starts a line: one form, or alternatives that each do.
LINE_START_PATTERNS = st.builds(lambda one, other, two: f"(?m)^{one}" + (f"|^{other}" if two else ""),
                                SKIPPED_PATTERNS, SKIPPED_PATTERNS, st.booleans())


@settings(max_examples=400, deadline=None)
@given(LINE_START_PATTERNS, st.text("ab年1 \n", max_size=24), st.integers(0, 6), st.integers(0, 30))
def test_a_search_from_line_break_to_line_break_finds_what_re_finds(pattern: str, text: str, pos: int,
                                                                    endpos: int) -> None:
    try:
        regex = re.compile(pattern)
    except re.error:
        return
    if _parser.parse(pattern).getwidth()[0] > 0:
        assert regexcache.after_breaks(regex) is not None
    assert [m.span() + m.groups() for m in regexcache.finditer(regex, text, pos, endpos)] == [
        m.span() + m.groups() for m in regex.finditer(text, pos, endpos)]
    assert regexcache.sub(regex, "#", text) == regex.sub("#", text)
    assert regexcache.sub(regex, lambda m: m.group(0)[::-1], text) == regex.sub(lambda m: m.group(0)[::-1], text)


def test_only_patterns_whose_matches_start_lines_are_searched_from_line_breaks() -> None:
    for pattern in [r"(?m)^\s*第\d+页", r"(?m)(?:^a|^b)c", r"(?m)(?P<g>^x)y"]:
        assert regexcache.after_breaks(re.compile(pattern)) is not None, pattern
    for pattern in [r"^a", r"(?m)^a|b", r"(?m)^\s*", r"(?m)x^a", r"(?m)(?=a)^a", r"\Aa"]:
        assert regexcache.after_breaks(re.compile(pattern)) is None, pattern
    # a rule of lines is searched from line break to line break once it is made to run across them
    page_number = re.compile(r"^\s*-\s*\d+\s*-\s*$")
    assert regexcache.after_breaks(page_number) is None
    assert regexcache.after_breaks(page_number, across=True) is not None
    assert list(matches_in_lines("正文\n - 3 - \n- 4 -", page_number)) == [(1, 0, 7), (2, 0, 5)]


def test_a_pattern_is_not_run_over_a_text_without_the_characters_its_matches_need() -> None:
    question = re.compile(r"[\u3400-\u9fff]\?|\?[,;][A-Za-z]\(|\)\?;")
    assert not regexcache.can_match(question, "全面推进乡村振兴，推动农产品流通。")
    assert regexcache.can_match(question, "规?划") and list(find_all(question, "规?划"))
    assert not list(find_all(question, "全面推进乡村振兴，推动农产品流通。"))
    assert regexcache.can_match(re.compile(r"\d+个?"), "")  # no character every match needs: always run


@settings(max_examples=300, deadline=None)
@given(SKIPPED_PATTERNS, st.text("ab年1 \n", max_size=8))
def test_a_match_starts_with_a_character_it_may_start_with(pattern: str, text: str) -> None:
    try:
        regex = re.compile(pattern)
    except re.error:
        return
    assert regexcache.can_start_with(regex, text[:1]) or not regex.match(text)


@settings(max_examples=400, deadline=None)
@given(SKIPPED_PATTERNS, st.text("ab年1 。\n", max_size=16))
def test_between_barriers_a_stretch_alone_holds_the_matches_of_the_whole_text(pattern: str, text: str) -> None:
    try:
        regex = re.compile(pattern)
    except re.error:
        return
    if not regexcache.barriers(regex, "。"):
        return
    ends = [i + 1 for i, char in enumerate(text) if char == "。"]
    stretches = zip([0, *ends], [*ends, len(text)], strict=True)
    assert [m.span() for m in regex.finditer(text)] == [
        m.span() for lo, hi in stretches for m in regex.finditer(text, lo, hi)]


def test_barriers_are_the_characters_no_part_of_a_pattern_can_match() -> None:
    assert regexcache.barriers(re.compile(r"\d+\s{0,2}[个项](?!\d)"), "。\n") == "。"
    assert regexcache.barriers(re.compile(r"(?:已经?|现有)[^，。；\n]*"), "。；\n") == "。；\n"
    for pattern in [r"\d*", "[^a]+", r"\d+。", r"\d+$", r"(?i)\d+x", r"\d+(?<=.)", r"\d+(?!。)"]:
        assert regexcache.barriers(re.compile(pattern), "。") == "", pattern


@settings(max_examples=400, deadline=None)
@given(SKIPPED_PATTERNS, st.text("ab年1 。，\n", max_size=24), st.integers(0, 6), st.integers(0, 30))
def test_a_search_around_the_needed_character_finds_what_a_search_of_the_whole_text_finds(
        pattern: str, text: str, pos: int, endpos: int) -> None:
    try:
        regex = re.compile(pattern)
    except re.error:
        return
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(text_module, "SPARSE", 1)  # every text sparse enough to be searched around
        found = [m.span() + m.groups() for m in find_all(regex, text, pos, endpos)]
    assert found == [m.span() + m.groups() for m in regex.finditer(text, pos, endpos)]


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda path: path.stem[:3])
def test_time_and_unit_rules_searched_around_what_they_need_find_what_they_find_everywhere(
        sample: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = parse_text(sample.read_text(encoding="utf-8")).text
    monkeypatch.setattr(text_module, "SPARSE", 1)
    book = default_rules()
    for rule in [*book.times.time, *book.times.not_limit, *book.times.name_year, *book.responsible.statement]:
        assert [m.span() for m in find_all(rule.regex, text)] == [m.span() for m in rule.regex.finditer(text)]


def test_values_by_identity_are_made_once_per_object_and_question() -> None:
    made: list[str] = []
    memo = ByIdentity[str, str](kept=3)

    def asking(question: str) -> Callable[[str], str]:
        def make(text: str) -> str:
            made.append(question)
            return f"{question}:{len(text)}"
        return make

    one, equal = "一" * 5, "".join(["一"] * 5)  # equal, not the same object
    assert memo.get(one, asking("a"), "a") == "a:5"
    assert memo.get(one, asking("a"), "a") == "a:5" and made == ["a"]
    assert memo.get(one, asking("b"), "b") == "b:5" and made == ["a", "b"]
    memo.get(equal, asking("a"), "a")
    assert made == ["a", "b", "a"]  # an equal text is another object: its own entry
    memo.get("x", asking("c"), "c")  # a fourth entry: the three before are dropped
    memo.get(one, asking("a"), "a")
    assert made == ["a", "b", "a", "c", "a"]
