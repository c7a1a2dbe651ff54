"""The README's commands are real: CI runs its test command, and its CLI reference names real commands."""

import re
from pathlib import Path

import click
import pytest

from policyparse.cli import cli

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
TEST_COMMAND = "python3 -m venv .venv && .venv/bin/pip install -e '.[test]' && .venv/bin/pytest"


def test_readme_test_command_is_what_ci_runs() -> None:
    assert TEST_COMMAND in README
    assert TEST_COMMAND in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_readme_run_command_names_a_sample_that_exists() -> None:
    found = re.search(r"policyparse extract (samples/\S+\.txt)\n", README)
    assert found and (ROOT / found.group(1)).exists()


@pytest.mark.parametrize("command", sorted(set(re.findall(r"`policyparse (\w+)", README)) - {"FILE"}))
def test_readme_commands_exist(command: str) -> None:
    assert command in cli.commands, f"README documents `policyparse {command}`, which does not exist"


def _options(group: click.Group) -> set[str]:
    found: set[str] = set()
    for command in group.commands.values():
        if isinstance(command, click.Group):
            found |= _options(command)
        found |= {opt for param in command.params for opt in param.opts}
    return found


@pytest.mark.parametrize("option", sorted(set(re.findall(r"`(--[a-z][a-z-]+)", README))))
def test_readme_options_exist(option: str) -> None:
    assert option in _options(cli) | {"--help", "--version", "--update-goldens", "--quick"}, option


def test_readme_overlay_does_what_it_says(tmp_path: Path) -> None:
    from policyparse import load_rules, parse_text

    found = re.search(r"This `myrules/(\w+\.toml)`:\n\n```toml\n(.*?)```", README, re.S)
    assert found, "the README shows an overlay file"
    (tmp_path / found.group(1)).write_text(found.group(2), encoding="utf-8")
    rules = load_rules([tmp_path])
    text = "某县意见\n一、任务\n（一）加强。推进建设（县发改委负责）。\n（二）推进。由县商务委牵头，县财政局配合。\n"
    assert [a.units for a in parse_text(text).assignments] == [["县发改委"], ["县商务委", "县财政局"]]
    assert [a.units for a in parse_text(text, rules=rules).assignments] == [["县发展改革委"]]
