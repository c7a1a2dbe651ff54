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
