"""Every rule's own examples, and the errors a broken rule file gives."""

import dataclasses
import importlib
import pkgutil
import re
import shutil
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import policyparse
from policyparse import RuleError, load_rules
from policyparse.rulebook import default_rules, load
from policyparse.rulebook.safety import unsafe
from policyparse.rulebook.schema import Validation, build_trusted, validate_book
from regex_strategies import patterns

RULES = [(name, rule) for name, rule in default_rules().pattern_rules()]


@pytest.mark.parametrize(("file", "rule"), RULES, ids=[rule.id for _, rule in RULES])
def test_rule_examples(file: str, rule) -> None:
    assert rule.examples, f"{file}: rule {rule.id} has no examples"
    assert rule.example_failures() == []


def test_shipped_patterns_cannot_backtrack_catastrophically() -> None:
    load_rules(trust_shipped=False)  # raises RuleError naming the file and rule otherwise


def _patterns_the_program_runs() -> dict[str, re.Pattern[str]]:
    """Every regex of every module, and every pattern derived from the shipped rules."""
    found = {}
    for module in pkgutil.walk_packages(policyparse.__path__, "policyparse."):
        if module.name.endswith("__main__"):
            continue
        for name, value in vars(importlib.import_module(module.name)).items():
            if isinstance(value, re.Pattern):
                found[f"{module.name}.{name}"] = value
    compiled = default_rules().compiled
    for part in ("figures", "phrases", "run_on_marker"):
        value = getattr(compiled, part)
        if isinstance(value, re.Pattern):
            found[f"compiled.{part}"] = value
        else:
            found |= {f"compiled.{part}.{f.name}": getattr(value, f.name) for f in dataclasses.fields(value)
                      if isinstance(getattr(value, f.name), re.Pattern)}
    return found


def test_every_regex_the_program_runs_passes_the_safety_gate() -> None:
    patterns = _patterns_the_program_runs()
    assert len(patterns) > 40 and "compiled.figures.regex" in patterns
    assert {name: problem for name, pattern in patterns.items() if (problem := unsafe(pattern.pattern))} == {}


def test_rule_ids_are_unique() -> None:
    ids = [rule.id for _, rule in RULES]
    assert len(ids) == len(set(ids))


@pytest.fixture
def user_dir(tmp_path: Path) -> Path:
    return tmp_path / "myrules"


def _write(directory: Path, name: str, text: str) -> Path:
    directory.mkdir(exist_ok=True)
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("[[noise]]\nid = 'noise.mine'\npattern = '(unclosed'\n", "rule noise.mine: pattern: missing ), unterminated"),
        ("[[noise]]\nid = 'noise.mine'\npattern = 'x'\ncolour = 'red'\n", "rule noise.mine: colour: Extra inputs"),
        ("[[noise]]\nid = 'Bad Id'\npattern = 'x'\n", "rule Bad Id: id: String should match pattern"),
        ("noise = 3\n", "noise: Input should be a valid list"),
        ("[[noise\n", "not valid TOML"),
    ],
    ids=["broken-regex", "unknown-field", "bad-id", "wrong-type", "bad-toml"],
)
def test_broken_rule_file_names_file_rule_and_field(user_dir: Path, body: str, expected: str) -> None:
    path = _write(user_dir, "normalize.toml", body)
    with pytest.raises(RuleError) as err:
        load_rules([user_dir])
    assert str(err.value).startswith(str(path))
    assert expected in str(err.value)


def test_marker_rule_without_num_group_is_refused(user_dir: Path) -> None:
    _write(user_dir, "outline.toml", "[[marker]]\nid='outline.x'\nform='x'\nnumeral='arabic'\nid_format='{num}'\n"
           "pattern='\\d+'\n")
    with pytest.raises(RuleError, match=r"rule outline\.x: pattern: missing named group\(s\) num"):
        load_rules([user_dir])


def test_unknown_rule_file_is_refused(user_dir: Path) -> None:
    _write(user_dir, "typo.toml", "")
    with pytest.raises(RuleError, match="unknown rule file"):
        load_rules([user_dir])


def test_user_rule_adds_to_shipped_rules(user_dir: Path) -> None:
    _write(user_dir, "normalize.toml", "[[noise]]\nid='noise.site_footer'\npattern='^版权所有'\n"
           "examples=['版权所有：某某县人民政府']\n")
    book = load_rules([user_dir])
    ids = [rule.id for rule in book.normalize.noise]
    assert "noise.site_footer" in ids and "noise.page_number" in ids


def test_user_rule_with_a_shipped_id_replaces_it(user_dir: Path) -> None:
    _write(user_dir, "normalize.toml", "[[noise]]\nid='noise.page_number'\npattern='^PAGE$'\n")
    book = load_rules([user_dir])
    rules = [rule for rule in book.normalize.noise if rule.id == "noise.page_number"]
    assert [rule.pattern.pattern for rule in rules] == ["^PAGE$"]


def test_shipped_rules_copy_loads_as_a_user_directory(tmp_path: Path) -> None:
    shipped = Path(__file__).resolve().parent.parent / "rules"
    copy = tmp_path / "copy"
    shutil.copytree(shipped, copy, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    assert load_rules([copy]) == load_rules()


# Patterns built from the constructs that backtrack: repeats of repeats, overlapping alternatives,
# lookarounds, bounded repeats nested in each other.
RISKY_PATTERNS = patterns(
    atoms=["a", "b", "年", "均", "[ab]", r"\w", r"\s", r"\d", ".", "[^b]", "年均", "a?"],
    repeats=["*", "+", "?", "{2,5}", "{1,40}", "{0,1000}", "{30}"],
    wrappers=["(?=a){}", "(?:(?!b){})+"], max_leaves=8)

# Runs in a child process: a search that hangs is killed there, and the test fails naming the pattern.
# 300 copies make any exponential backtracking astronomical (and a cubic one take minutes), while a
# quadratic pattern the gate rightly accepts (`(?:(?!b)\w)+!`, like `\w+!`) stays far below the second:
# at 1,000 copies of four characters it alone took a second on a loaded machine.
SEARCH_EVERYWHERE = """
import re, sys
pattern = re.compile(sys.argv[1])
for pump in ("a", "b", "ab", "年均", "年", " ", "1", "a b", "年均增长"):
    for copies in (10, 30, 100, 300):
        for end in ("!", "", "b", "\\n"):
            pattern.search(pump * copies + end)
"""


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(RISKY_PATTERNS, st.sampled_from(["", "$", "!"]))
def test_a_pattern_the_gate_accepts_never_searches_for_a_second(body: str, end: str) -> None:
    pattern = body + end
    if unsafe(pattern) is not None:
        return
    try:
        subprocess.run([sys.executable, "-c", SEARCH_EVERYWHERE, pattern], check=True, timeout=1.0,
                       capture_output=True)
    except subprocess.TimeoutExpired:
        pytest.fail(f"the gate accepted {pattern!r}, and a search ran past 1 s")


def test_the_shipped_files_built_as_trusted_make_the_validated_book() -> None:
    """The first run on a machine builds the shipped book without pydantic; it must be the book pydantic
    validates, field for field (a key no model has, a number given as int for a float, would show here)."""
    root = resources.files("policyparse.rules")
    raws = {name.removesuffix(".toml"): load.parse_toml(load.read_source(root / name, name), name)
            for name in load.FILES}
    validation = Validation(frozenset(load._patterns_in(raws)), load._word_classes(raws["measures"]))
    built = build_trusted(raws, validation)
    assert built == validate_book(raws, validation)
    assert isinstance(built.measures.scales["万"], float)
