"""Rules live in `rules/`, not in code: no rule id and no Chinese word in the code outside the rule book.

Docstrings, field descriptions and messages may hold Chinese; a string the code matches
against text may not. The exceptions are listed with their reason.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from policyparse.rulebook import default_rules

SRC = Path(__file__).resolve().parent.parent / "src" / "policyparse"
HAN = re.compile(r"[\u3400-\u9fff]")
EXCEPTIONS = {
    # The numeral system (一千二百 → 1200) is arithmetic, not a rule a user would change.
    "numerals.py": "Chinese numerals",
    # Bilingual labels of the metadata panel, shown to people, never matched against text.
    "render.py": "labels of the Rich view",
    "serialize.py": "Chinese column names of the targets table (`--header zh`)",
    "report.py": "bilingual column labels of the HTML report",
}


def _code_strings(path: Path) -> list[tuple[int, str]]:
    """String constants of a module that are neither docstrings, field descriptions nor f-string messages."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                skipped.add(id(first.value))
        if isinstance(node, ast.keyword) and node.arg == "description":
            skipped.update(id(inner) for inner in ast.walk(node.value))
        if isinstance(node, ast.JoinedStr):
            skipped.update(id(inner) for inner in ast.walk(node))
    source = path.read_text(encoding="utf-8")
    # A code point written as an escape (`"\\u4e00" <= ch`) bounds a range; it is no word.
    return [(node.lineno, ast.get_source_segment(source, node) or "") for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skipped]


def _modules(outside_rulebook: bool) -> list[Path]:
    return [p for p in sorted(SRC.rglob("*.py")) if not (outside_rulebook and "rulebook" in p.parts)]


def test_no_chinese_word_in_code() -> None:
    found = [f"{path.relative_to(SRC)}:{line}: {value!r}" for path in _modules(outside_rulebook=False)
             if path.name not in EXCEPTIONS for line, value in _code_strings(path) if HAN.search(value)]
    assert found == []


def test_no_rule_id_in_code_outside_the_rule_book() -> None:
    ids = re.compile("|".join(rf"(?<![\w.]){re.escape(rule.id)}(?![\w.])" for _, rule in default_rules().pattern_rules()))
    found = [f"{path.relative_to(SRC)}:{node.lineno}: {node.value!r}" for path in _modules(outside_rulebook=True)
             for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
             if isinstance(node, ast.Constant) and isinstance(node.value, str) and ids.search(node.value)]
    assert found == []


def test_every_package_is_installed() -> None:
    import tomllib

    project = tomllib.loads((SRC.parent.parent / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(project["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(SRC.parent).parts) for p in SRC.rglob("__init__.py")}
    assert found <= listed, f"packages a wheel would leave out: {sorted(found - listed)}"
