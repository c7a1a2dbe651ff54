"""regexcache: patterns compiled by an earlier process behave exactly as `re.compile`'s."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from policyparse import cache, regexcache
from policyparse.rulebook import default_rules

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
    monkeypatch.setattr(regexcache, "_changed", False)


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
    assert len(list(fresh.iterdir())) == 1

    _new_process(monkeypatch)
    monkeypatch.setattr(regexcache, "_compile_new", _refuse_compiling)
    for pattern, flags in _patterns():
        _same(regexcache.compile(pattern, flags), re.compile(pattern, flags), texts)


def test_a_damaged_file_or_entry_is_compiled_afresh(fresh: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert regexcache.CACHE_FILE is not None
    (fresh / regexcache.CACHE_FILE).write_bytes(b"\x00not marshal")
    _same(regexcache.compile(r"[\u4e00-\u9fff]+年"), re.compile(r"[\u4e00-\u9fff]+年"), ["二〇二五年", "2025年"])

    _new_process(monkeypatch)
    regexcache._load()[("a+b", 0)] = (32, b"\x01\x02\x03\x04", 0, {}, (None,))  # code the engine refuses
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
