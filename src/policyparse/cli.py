"""The command line: a thin layer over the library.

Exit codes: 0 success; 1 some items of a batch failed, or `diff` found changes;
2 bad invocation or unreadable input (with a one-line message, never a traceback).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .reader import DEFAULT_MAX_BYTES

EXIT_INPUT = 2


def _fail(message: str) -> None:
    click.echo(message, err=True)
    sys.exit(EXIT_INPUT)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="policyparse", prog_name="policyparse")
def cli() -> None:
    """Turn Chinese government policy documents into structured records."""


@cli.command()
@click.argument("file", type=click.Path(dir_okay=True, allow_dash=True, path_type=str))
@click.option("--format", "fmt", type=click.Choice(["rich", "json"]), default="rich", show_default=True,
              help="rich: a view for people; json: the records for programs.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file instead of standard output (written atomically).")
@click.option("--rules", "rules_dirs", multiple=True, type=click.Path(file_okay=False, path_type=Path),
              help="A directory of rule files added on top of the shipped ones (repeatable).")
@click.option("--max-bytes", type=click.IntRange(min=1), default=DEFAULT_MAX_BYTES, show_default=True,
              help="Refuse files larger than this.")
def extract(file: str, fmt: str, output: Path | None, rules_dirs: tuple[Path, ...], max_bytes: int) -> None:
    """Extract the outline and metadata of FILE ('-' reads standard input)."""
    from . import render
    from .atomic import write_text_atomic
    from .errors import PolicyparseError
    from .pipeline import parse_file, parse_text
    from .reader import decode_bytes
    from .rulebook import load_rules

    if output is not None and file != "-" and Path(file).exists() and output.resolve() == Path(file).resolve():
        _fail(f"{output}: is the input file; refusing to overwrite it")
    try:
        rules = load_rules(rules_dirs) if rules_dirs else None
        if file == "-":
            data = sys.stdin.buffer.read(max_bytes + 1)
            if len(data) > max_bytes:
                _fail(f"<stdin>: more than {max_bytes:,} bytes (raise the limit with --max-bytes)")
            source = decode_bytes(data, "<stdin>")
            doc = parse_text(source.text, source="<stdin>", rules=rules, encoding=source.encoding)
        else:
            doc = parse_file(file, rules=rules, max_bytes=max_bytes)
    except PolicyparseError as exc:
        _fail(str(exc))
    if fmt == "json":
        text = render.to_json(doc)
        if output:
            write_text_atomic(output, text)
        else:
            click.echo(text, nl=False)
        return
    from rich.console import Console

    if output:
        with output.open("w", encoding="utf-8") as handle:
            Console(file=handle, width=120, color_system=None).print(render.document_view(doc))
    else:
        Console().print(render.document_view(doc))


@cli.command()
def schema() -> None:
    """Print the JSON Schema of the document records."""
    import json

    from .models import Document

    click.echo(json.dumps(Document.model_json_schema(), ensure_ascii=False, indent=2))


def main() -> None:
    cli(prog_name="policyparse")
