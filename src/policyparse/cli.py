"""The command line: a thin layer over the library.

Exit codes: 0 success; 1 some items of a batch failed, or `diff` found changes;
2 bad invocation or unreadable input (with a one-line message, never a traceback);
130 a batch stopped with Ctrl-C (its summary says what finished).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from .defaults import DEFAULT_MAX_BYTES
from .errors import PolicyparseError, RuleError
from .version import VERSION

if TYPE_CHECKING:
    from .batch import Outcome
    from .rulebook import RuleBook

EXIT_INPUT = 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as a shell reports a command stopped with Ctrl-C
# Standard input is read in pieces of this size, so that an endless or binary stream is refused early.
STDIN_CHUNK = 1 << 20


def _fail(message: str) -> NoReturn:
    click.echo(message, err=True)
    sys.exit(EXIT_INPUT)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(version=VERSION, prog_name="policyparse")
def cli() -> None:
    """Turn Chinese government policy documents into structured records."""


rules_option = click.option(
    "--rules", "rules_dirs", multiple=True, type=click.Path(file_okay=False, path_type=Path),
    help="A directory of rule files added on top of the shipped ones (repeatable).",
)


def _load_rules(rules_dirs: tuple[Path, ...]) -> RuleBook | None:
    from .rulebook import load_rules

    try:
        return load_rules(rules_dirs) if rules_dirs else None
    except RuleError as exc:
        _fail(str(exc))


FORMATS = ["rich", "json", "jsonl", "csv", "tsv", "text"]


@cli.command(epilog="""\b
Examples:
  policyparse extract samples/000_2b56176de5d9e3f3.txt
  policyparse extract plans/*.docx -f csv --header zh -o targets.csv""")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=True, allow_dash=True, path_type=str))
@click.option("-f", "--format", "fmt", type=click.Choice(FORMATS, case_sensitive=False), default=None,
              help="rich: a view for people (the default on a terminal); tsv: one target per row (the default when "
                   "piped); json: every record (an array for several files); jsonl, csv: one target per line or row; "
                   "text: the normalized text the records point into, each line after its source line number.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file instead of standard output (written atomically; CSV gets a BOM for Excel).")
@click.option("--header", "language", type=click.Choice(["en", "zh"], case_sensitive=False), default="en",
              show_default=True, help="Column names of csv and tsv: English or Chinese.")
@click.option("--with-text", is_flag=True, help="json: include `text`, the normalized text every span points into.")
@click.option("--outline", "show_outline", is_flag=True, help="rich: also show the outline.")
@click.option("--tasks", "show_tasks", is_flag=True, help="rich: also show the task table.")
@rules_option
@click.option("--max-bytes", type=click.IntRange(min=1), default=DEFAULT_MAX_BYTES, show_default=True,
              help="Refuse files larger than this.")
def extract(files: tuple[str, ...], fmt: str | None, output: Path | None, language: str, with_text: bool,
            show_outline: bool, show_tasks: bool, rules_dirs: tuple[Path, ...], max_bytes: int) -> None:
    """Extract the metadata, targets, outline, deadlines, units and tasks of FILES ('-' reads standard input).

    Text, web pages, .docx and .pdf are read, whatever their names.
    """
    from . import serialize
    from .pipeline import normalize_text, parse_bytes, parse_file
    from .readers import read_bytes, read_file

    for file in files:
        if output is not None and file != "-" and Path(file).exists() and output.resolve() == Path(file).resolve():
            _fail(f"{output}: is the input file; refusing to overwrite it")
    fmt = (fmt or ("rich" if output is not None or sys.stdout.isatty() else "tsv")).lower()
    rules = _load_rules(rules_dirs)
    docs, texts = [], []
    try:
        for file in files:
            data = _stdin_bytes(max_bytes) if file == "-" else None
            if fmt == "text":
                source = read_bytes(data, "<stdin>") if data is not None else read_file(file, max_bytes=max_bytes)
                banner = f"==> {file} <==\n" if len(files) > 1 else ""
                texts.append(banner + serialize.numbered_lines(normalize_text(source, rules)))
            else:
                docs.append(parse_bytes(data, "<stdin>", rules=rules) if data is not None
                            else parse_file(file, rules=rules, max_bytes=max_bytes))
    except PolicyparseError as exc:
        _fail(str(exc))
    if fmt == "text":
        _write("\n".join(texts), output)
    elif fmt == "json":
        _write(serialize.to_json(docs[0], with_text) if len(docs) == 1 else serialize.to_json_array(docs, with_text),
               output)
    elif fmt == "jsonl":
        _write("".join(serialize.to_jsonl(doc) for doc in docs), output)
    elif fmt in ("csv", "tsv"):
        body = "".join(serialize.to_table(doc, fmt, language.lower(), header=n == 0) for n, doc in enumerate(docs))
        _write(body, output, bom=fmt == "csv")
    else:
        from .render import document_view

        _print([document_view(doc, outline=show_outline, tasks=show_tasks) for doc in docs], output)


def _print(views: list[Any], output: Path | None) -> None:
    """Rich views on the terminal, or as plain text 120 columns wide into a file written atomically."""
    from rich.console import Console

    if output:
        with _output_file(output) as handle:
            console = Console(file=handle, width=120, color_system=None)
            for view in views:
                console.print(view)
    else:
        console = Console()
        for view in views:
            console.print(view)


def _stdin_bytes(max_bytes: int) -> bytes:
    """Standard input, up to `max_bytes`; a stream of NUL bytes (`/dev/zero`, a binary) is refused at its
    first piece instead of being read into memory."""
    pieces, size = [], 0
    while size <= max_bytes:
        piece = sys.stdin.buffer.read(min(STDIN_CHUNK, max_bytes + 1 - size))
        if not piece:
            break
        if b"\x00" * 8 in piece:  # UTF-16 and UTF-32 text has at most three NULs in a row
            _fail("<stdin>: not a text document (it contains runs of NUL bytes)")
        pieces.append(piece)
        size += len(piece)
    if size > max_bytes:
        _fail(f"<stdin>: more than {max_bytes:,} bytes (raise the limit with --max-bytes)")
    return b"".join(pieces)


def _write(text: str, output: Path | None, bom: bool = False) -> None:
    """To the output file, written atomically (with a BOM for Excel when asked), or to standard output."""
    if output:
        with _output_file(output, bom) as handle:
            handle.write(text)
    else:
        click.echo(text, nl=False)


@contextmanager
def _output_file(output: Path, bom: bool = False) -> Iterator[Any]:
    """`output` written atomically; what the system refuses (a full disk, a folder not writable) is one line
    naming the file, and nothing is left half written."""
    from .atomic import atomic_writer

    try:
        with atomic_writer(output, bom=bom) as handle:
            yield handle
    except OSError as exc:
        _fail(f"{output}: cannot be written ({exc.strerror or exc})")
    except PolicyparseError as exc:  # a link, a FIFO, a folder: refused, not replaced
        _fail(str(exc))


@cli.command(epilog="""\b
Examples:
  policyparse batch plans -o out --recursive --sqlite out.db
  policyparse batch plans -o out --glob '*.pdf' --header zh --quiet""")
@click.argument("in_dir", type=click.Path(path_type=Path))
@click.option("-o", "--output", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for <stem>.json per document, targets.csv and summary.json.")
@click.option("--glob", "pattern", default=None,
              help="Convert only the files matching this pattern (e.g. '*.pdf'); default: every .txt, .md, .html, "
                   ".docx and .pdf (a .doc or .wps is reported as unreadable).")
@click.option("--recursive", is_flag=True, help="Also convert the files in subfolders (the tree is mirrored).")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="Worker processes (default: all cores).")
@click.option("--force", is_flag=True, help="Convert every document, even those whose output is up to date.")
@click.option("--sqlite", type=click.Path(dir_okay=False, path_type=Path),
              help="Also load the results into this SQLite database.")
@click.option("--scheduler", metavar="ADDRESS",
              help="Run on a Dask cluster: a scheduler address, or local:N for N local worker processes "
                   "(needs `pip install 'policyparse[dask]'`).")
@rules_option
@click.option("--max-bytes", type=click.IntRange(min=1), default=DEFAULT_MAX_BYTES, show_default=True,
              help="Refuse files larger than this.")
@click.option("--header", "language", type=click.Choice(["en", "zh"], case_sensitive=False), default="en",
              show_default=True, help="Column names of targets.csv: English or Chinese.")
@click.option("-q", "--quiet", is_flag=True, help="No progress and no summary line: only failures and incomplete "
              "documents are printed.")
def batch(in_dir: Path, out_dir: Path, pattern: str | None, recursive: bool, jobs: int | None, force: bool,
          sqlite: Path | None, scheduler: str | None, rules_dirs: tuple[Path, ...], max_bytes: int, language: str,
          quiet: bool) -> None:
    """Convert every document in IN_DIR; exit 1 when any of them failed.

    Each document's JSON is written atomically; a re-run skips documents whose output is
    up to date. Failures are listed with their reasons in OUT_DIR/summary.json.
    """
    from .batch import convert_folder

    rules = _load_rules(rules_dirs)  # a broken rule file is a bad invocation, reported before any work
    with _batch_progress(quiet) as on_progress:
        run = partial(convert_folder, in_dir, out_dir, pattern=pattern, recursive=recursive, force=force,
                      sqlite=sqlite, rules=rules, max_bytes=max_bytes, on_progress=on_progress,
                      header=language.lower())
        try:
            if scheduler:
                with _dask_client(scheduler) as client:
                    report = run(client=client)
            else:
                report = run(jobs=jobs)
        except PolicyparseError as exc:
            _fail(str(exc))
    for failure in report.failures:
        click.echo(f"failed: {failure.file}: {failure.reason}", err=True)
    for document in report.incomplete:
        click.echo(f"incomplete: {document.file}: {'; '.join(document.errors)}", err=True)
    if report.interrupted:
        click.echo(f"interrupted: {report.converted} converted, {report.pending} left for the next run; "
                   f"summary in {out_dir / 'summary.json'}", err=True)
        sys.exit(EXIT_INTERRUPTED)
    if quiet:
        sys.exit(1 if report.failed else 0)
    for file in report.removed:
        click.echo(f"removed: {file}: its input is gone", err=True)
    click.echo(f"{report.documents} documents: {report.converted} converted, {report.skipped} up to date, "
               f"{report.failed} failed, {len(report.incomplete)} incomplete; {report.targets} targets, "
               f"{report.warnings} warnings; "
               + (f"read as {', '.join(f'{n} {fmt}' for fmt, n in report.formats.items())}; " if report.formats else "")
               + f"{report.seconds:.1f} s with {report.jobs} job(s) → {out_dir}", err=True)
    sys.exit(1 if report.failed else 0)


@contextmanager
def _dask_client(scheduler: str) -> Iterator[Any]:
    """A client of the Dask cluster at `scheduler` (or `local:N`); an unreachable one is a bad invocation."""
    import importlib.util

    if importlib.util.find_spec("distributed") is None:
        _fail("--scheduler needs Dask: pip install 'policyparse[dask]'")
    from .dask import connect

    with ExitStack() as stack:
        try:
            client = stack.enter_context(connect(scheduler))
        except OSError as exc:  # the scheduler cannot be reached
            _fail(f"{scheduler}: cannot reach the Dask scheduler ({exc})")
        yield client


@contextmanager
def _batch_progress(quiet: bool = False) -> Iterator[Callable[[int, int, Outcome], None] | None]:
    """A Rich progress bar on a terminal; plain log lines otherwise; nothing when quiet."""
    if quiet:
        yield None
        return
    if not sys.stderr.isatty():
        def log(done: int, total: int, outcome: Outcome) -> None:
            status = f"ok ({outcome.format})" if outcome.reason is None else f"FAILED ({outcome.reason})"
            if outcome.errors:
                status += f", {len(outcome.errors)} error(s): {'; '.join(outcome.errors)}"
            click.echo(f"[{done}/{total}] {outcome.file}: {status}", err=True)

        yield log
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task("converting", total=None)

        def advance(done: int, total: int, outcome: Outcome) -> None:
            progress.update(task, completed=done, total=total, description=outcome.file[-40:])

        yield advance


@cli.command(epilog="""\b
Examples:
  policyparse diff plan-2021.txt plan-2022.docx
  policyparse extract new.pdf -f json | policyparse diff old.json - -f csv -o changes.csv""")
@click.argument("old", type=click.Path(allow_dash=True, path_type=str))
@click.argument("new", type=click.Path(allow_dash=True, path_type=str))
@click.option("-f", "--format", "fmt", type=click.Choice(["rich", "json", "csv"], case_sensitive=False), default="rich",
              show_default=True,
              help="rich: a table of changes for people; json: added, removed, changed, unchanged; csv: one row per "
                   "added, removed or changed target.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file instead of standard output (written atomically).")
@rules_option
@click.option("--max-bytes", type=click.IntRange(min=1), default=DEFAULT_MAX_BYTES, show_default=True,
              help="Refuse files larger than this.")
def diff(old: str, new: str, fmt: str, output: Path | None, rules_dirs: tuple[Path, ...], max_bytes: int) -> None:
    """Compare the targets of OLD and NEW (documents of any format, or JSON written by extract or batch; '-' reads
    one of them from standard input).

    Exit 0 when no target changed, 1 when some did, 2 on an error.
    """
    from .diff import diff_documents, to_csv

    if old == "-" and new == "-":
        _fail("only one of OLD and NEW can be '-' (standard input)")
    rules = _load_rules(rules_dirs)
    try:
        before, after = (_document(arg, rules, max_bytes) for arg in (old, new))
    except PolicyparseError as exc:
        _fail(str(exc))
    result = diff_documents(before, after, rules)
    fmt = fmt.lower()
    if fmt == "json":
        _write(result.model_dump_json(indent=2) + "\n", output)
    elif fmt == "csv":
        _write(to_csv(result), output, bom=output is not None)
    else:
        from .render import diff_view

        _print([diff_view(result, old, new)], output)
    sys.exit(1 if result.targets_differ else 0)


def _document(arg: str, rules: RuleBook | None, max_bytes: int) -> Any:
    """A document from a path, or from standard input: JSON written by policyparse, or a document's bytes."""
    from .pipeline import document_from_json, load_document, parse_bytes

    if arg != "-":
        return load_document(arg, rules=rules)
    data = _stdin_bytes(max_bytes)
    if data.lstrip()[:1] == b"{":
        return document_from_json(data, "<stdin>")
    return parse_bytes(data, "<stdin>", rules=rules)


@cli.command(epilog="""\b
Examples:
  policyparse check samples/000_2b56176de5d9e3f3.txt
  policyparse check plans/*.docx -f csv -o findings.csv""")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=str))
@click.option("-f", "--format", "fmt", type=click.Choice(["rich", "json", "csv"], case_sensitive=False),
              default="rich", show_default=True, help="rich: findings grouped by severity; json; csv: one row each.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file instead of standard output (written atomically).")
@rules_option
def check(files: tuple[str, ...], fmt: str, output: Path | None, rules_dirs: tuple[Path, ...]) -> None:
    """Check each plan in FILES against itself: body and task table, dates, units, totals, numbering.

    Exit 0 when no finding is an error, 1 when some is, 2 when a file cannot be read.
    """
    import csv
    import io
    import json

    from .check import check_file

    rules = _load_rules(rules_dirs)
    try:
        reports = [check_file(file, rules) for file in files]
    except PolicyparseError as exc:
        _fail(str(exc))
    fmt = fmt.lower()
    if fmt == "json":
        _write(json.dumps([r.model_dump() for r in reports], ensure_ascii=False, indent=2) + "\n", output)
    elif fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["file", "severity", "code", "lines", "message", "rule"])
        writer.writerows([r.file, f.severity, f.code, " ".join(map(str, f.lines)), f.message, f.rule]
                         for r in reports for f in r.findings)
        _write(out.getvalue(), output, bom=output is not None)
    else:
        from .render import check_view

        _print([check_view(reports)], output)
    sys.exit(1 if any(r.has_errors for r in reports) else 0)


@cli.command(epilog="""\b
Examples:
  policyparse batch plans -o out --recursive && policyparse report out
  policyparse report out -o /tmp/corpus.html""")
@click.argument("out_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the HTML (default: OUT_DIR/report.html).")
@rules_option
def report(out_dir: Path, output: Path | None, rules_dirs: tuple[Path, ...]) -> None:
    """One self-contained HTML page on a batch's output: deadlines by year, the workload of lead units,
    every document with its findings, and a searchable table of the commitments."""
    from .report import write_report

    rules = _load_rules(rules_dirs)
    try:
        written = write_report(out_dir, output, rules)
    except PolicyparseError as exc:
        _fail(str(exc))
    click.echo(f"report written to {written}", err=True)


@cli.group(epilog="""\b
Examples:
  policyparse rules list
  policyparse rules check my-rules""")
def rules() -> None:
    """List and check extraction rules."""


@rules.command("list", epilog="""\b
Examples:
  policyparse rules list
  policyparse rules list --rules my-rules | grep exclude""")
@rules_option
def rules_list(rules_dirs: tuple[Path, ...]) -> None:
    """Show every rule: its file, id and what it is for."""
    from rich.console import Console
    from rich.table import Table

    from .rulebook import default_rules

    book = _load_rules(rules_dirs) or default_rules()
    table = Table(show_lines=False)
    for column in ("file", "id", "description", "examples"):
        table.add_column(column, overflow="fold")
    for file, rule in book.pattern_rules():
        table.add_row(file, rule.id, rule.description, str(len(rule.examples) + len(rule.counter_examples)))
    Console().print(table)


@rules.command("check", epilog="""\b
Examples:
  policyparse rules check
  policyparse rules check my-rules""")
@click.argument("directory", required=False, type=click.Path(file_okay=False, exists=True, path_type=Path))
def rules_check(directory: Path | None) -> None:
    """Validate the shipped rules, with DIRECTORY's on top, and run every rule's examples.

    Exit 0 when all are valid; 2 with a line naming the file and rule otherwise.
    """
    from .rulebook import load_rules

    try:
        book = load_rules((directory,) if directory else (), trust_shipped=False)
    except RuleError as exc:
        _fail(str(exc))
    failures = [f"{file}: rule {rule.id}: {problem}" for file, rule in book.pattern_rules()
                for problem in rule.example_failures()]
    if failures:
        click.echo("\n".join(failures), err=True)
        sys.exit(EXIT_INPUT)
    count = sum(1 for _ in book.pattern_rules())
    click.echo(f"{count} rules valid, every example and counter-example holds")


@cli.command(epilog="""\b
Examples:
  policyparse schema > policyparse.schema.json
  policyparse schema | jq '.properties | keys'""")
def schema() -> None:
    """Print the JSON Schema of the document records (what `extract -f json` and `batch` write)."""
    import json

    from .models import document_schema

    click.echo(json.dumps(document_schema(), ensure_ascii=False, indent=2))


def main() -> None:
    """The command line; what the system refuses (a full disk, a folder not writable, too little memory)
    is reported in one line with exit 2, never as a traceback."""
    try:
        cli(prog_name="policyparse")
    except PolicyparseError as exc:  # an output the command refuses to write, found as it writes
        _fail(str(exc))
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        _fail(f"policyparse: {where}{exc.strerror or exc}")
    except MemoryError:
        _fail("policyparse: out of memory (a smaller --max-bytes refuses such input early)")
