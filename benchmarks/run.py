"""policyparse benchmarks: cold start, batch throughput, memory, scaling and a stage profile.

Run from the project root, with the project installed:

    python benchmarks/run.py            # everything (about two minutes on 2 cores)
    python benchmarks/run.py --quick    # smaller corpus and fewer repeats, for a smoke run

It prints a Markdown report (the README's Performance section is a copy) and writes it to
benchmarks/results.md. Times are wall-clock medians; memory is the peak resident set of the
whole process tree (the batch and its workers, summed), sampled every 20 ms from /proc.
Nothing here is a test: budgets are reported against, never asserted.
"""

from __future__ import annotations

import argparse
import importlib.util
import itertools
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import corpus

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
POLICYPARSE = str(BIN / "policyparse")
SAMPLE = ROOT / "samples" / "000_2b56176de5d9e3f3.txt"


def median_seconds(work: Callable[[], object], repeat: int) -> float:
    """Median wall time of `repeat` calls of `work`."""
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def side_by_side(works: list[Callable[[], object]], repeat: int) -> list[float]:
    """Median wall time of each of `works`, run in turn `repeat` times: a ratio of two of them is taken under
    the same load of this shared machine, not one run's load against a later run's."""
    runs: list[list[float]] = [[] for _ in works]
    for _ in range(repeat):
        for times, work in zip(runs, works, strict=True):
            start = time.perf_counter()
            work()
            times.append(time.perf_counter() - start)
    return [statistics.median(times) for times in runs]


def timed(argv: list[str], repeat: int, empty_cache: bool = False) -> float:
    """Median wall time of running `argv` as a whole process; with `empty_cache`, each run with a cache folder
    of its own, as the first run on a machine finds it."""

    def run() -> None:
        env = os.environ.copy()
        with tempfile.TemporaryDirectory() as folder:
            if empty_cache:
                env["POLICYPARSE_CACHE"] = folder
            subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)

    return median_seconds(run, repeat)


def _tree_rss_kb(pid: int) -> int:
    """Resident memory of a process and all its descendants, in KiB."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
            for task in Path(f"/proc/{current}/task").iterdir():
                stack.extend(int(c) for c in (task / "children").read_text().split())
        except (OSError, ValueError):
            continue
    return total


def run_with_peak_memory(argv: list[str]) -> tuple[float, float]:
    """(seconds, peak MB of the process tree) for one run of `argv`."""
    start = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss_kb(process.pid))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    process.wait()
    elapsed = time.perf_counter() - start
    done.set()
    sampler.join()
    return elapsed, peak / 1024


def compile_bytecode() -> None:
    """Write the package's bytecode, as `pip install` does: an editable install under PYTHONDONTWRITEBYTECODE
    would otherwise compile every module from source on every cold start and overstate it by ~50 ms."""
    import compileall

    import policyparse

    compileall.compile_dir(Path(policyparse.__file__).parent, quiet=1)


def cold_start(repeat: int) -> list[tuple[str, float]]:
    python = sys.executable
    compile_bytecode()
    extract = [POLICYPARSE, "extract", str(SAMPLE), "--format", "json"]
    timed(extract, 1)  # the cache folder filled, as after any first run
    return [
        ("`python -c \"import pydantic, rich, click\"` (floor)", timed([python, "-c", "import pydantic, rich, click"],
                                                                     repeat)),
        ("`policyparse --help`", timed([POLICYPARSE, "--help"], repeat)),
        (f"`policyparse extract {SAMPLE.name} --format json`", timed(extract, repeat)),
        ("the same, the first time on a machine (empty cache: rules validated, regexes compiled)",
         timed(extract, repeat, empty_cache=True)),
    ]


def throughput(work: Path, count: int) -> tuple[list[tuple[str, float, float, float]], int]:
    """Rows (how, seconds, documents/s, MB/s) for a generated corpus, and its size in bytes."""
    folder = work / f"corpus_{count}"
    size = corpus.write_corpus(folder, count)
    rows = []
    ways = [("`--jobs 1`", ["--jobs", "1"]), ("`--jobs 2`", ["--jobs", "2"])]
    if importlib.util.find_spec("distributed"):
        ways.append(("`--scheduler local:2` (Dask)", ["--scheduler", "local:2"]))
    for n, (name, options) in enumerate(ways):
        out = work / f"out_{count}_{n}"
        shutil.rmtree(out, ignore_errors=True)
        elapsed, _ = run_with_peak_memory([POLICYPARSE, "batch", str(folder), "-o", str(out), *options])
        rows.append((name, elapsed, count / elapsed, size / 1e6 / elapsed))
    return rows, size


# One pass of the kind of pattern extraction runs: a number and its unit.
FIGURE = re.compile(r"\d+(?:\.\d+)?\s*(?:万|亿)?(?:个|家|人|元|亩|公里|%|项|次|座|条)")
SHARED_CORPUS = ROOT.parent / "shared" / "corpus"


def read_floor(files: list[Path]) -> None:
    """Read every file, decode it and run one number+unit regex pass over it."""
    for path in files:
        FIGURE.findall(path.read_bytes().decode("utf-8", errors="replace"))


def shared_corpus_files() -> list[Path]:
    """The documents of ../shared/corpus, when it stands beside the project (none otherwise)."""
    if not SHARED_CORPUS.is_dir():
        return []
    return sorted(p for p in SHARED_CORPUS.rglob("*") if p.is_file() and p.suffix in (".txt", ".md"))


PARSE_ALONE = "import sys\nfrom policyparse import parse_file\nfor path in sys.argv[1:]:\n    parse_file(path)"


def corpus_against_floor(work: Path, repeat: int) -> list[tuple[str, float, float]] | None:
    """Rows (how, seconds, × floor) of `batch` over ../shared/corpus, when it stands beside the project: the floor,
    the parse alone and the batches timed in turn, each batch into a folder of its own.

    The parse alone (`parse_file` over the same files in a fresh interpreter, nothing written) is a batch
    without its output: the least a batch can reach without making start-up or the parse itself faster.
    """
    files = shared_corpus_files()
    if not files:
        return None
    runs = itertools.count()

    def batch(jobs: str) -> Callable[[], object]:
        return lambda: subprocess.run(
            [POLICYPARSE, "batch", str(SHARED_CORPUS), "-o", str(work / f"shared_{jobs}_{next(runs)}"), "--recursive",
             "--jobs", jobs, "--quiet"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def parse_alone() -> object:
        return subprocess.run([sys.executable, "-c", PARSE_ALONE, *map(str, files)], check=True)

    floor, alone, one, two = side_by_side([lambda: read_floor(files), parse_alone, batch("1"), batch("2")], repeat)
    return [("read + one regex pass (floor)", floor, 1.0),
            ("the parse alone (`parse_file` of each, one fresh process, nothing written)", alone, alone / floor),
            ("`batch --jobs 1`", one, one / floor), ("`batch --jobs 2`", two, two / floor)]


# Run in a fresh interpreter: each step's wall time, in the order a cold `extract` pays for them.
COLD_STEPS = """
import json, sys, time
marks = [("interpreter start", time.perf_counter())]
def lap(name): marks.append((name, time.perf_counter()))
import pydantic, rich, click; lap("import pydantic, rich, click (floor)")
import policyparse.cli; lap("the command line")
import policyparse.models; lap("document records (dataclasses)")
import policyparse.rulebook.schema; lap("rule-file models (dataclasses)")
import policyparse.pipeline, policyparse.serialize; lap("the stages' modules (their own regexes, from the cache)")
from policyparse.rulebook import default_rules; default_rules(); lap("shipped rules (the book, from the cache)")
from policyparse import parse_file
from policyparse.serialize import to_json
to_json(parse_file(sys.argv[1])); lap("first document (jieba, OpenCC, derived rules)")
to_json(parse_file(sys.argv[1])); lap("the same document again")
print(json.dumps([(b[0], b[1] - a[1]) for a, b in zip(marks, marks[1:])]))
"""


def cold_breakdown(repeat: int) -> list[tuple[str, float]]:
    """Milliseconds of each step of a cold extract (median over `repeat` fresh interpreters)."""
    import json

    runs = [json.loads(subprocess.run([sys.executable, "-c", COLD_STEPS, str(SAMPLE)], capture_output=True,
                                      text=True, check=True).stdout) for _ in range(repeat)]
    return [(name, 1000 * statistics.median(run[i][1] for run in runs)) for i, (name, _) in enumerate(runs[0])]


def import_profile(limit: int = 8) -> list[tuple[str, float]]:
    """The modules whose import costs `extract` most (self time, `python -X importtime`)."""
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "policyparse", "extract", str(SAMPLE),
                             "--format", "json"], capture_output=True, text=True, check=True)
    costs = []
    for line in result.stderr.splitlines():
        parts = line.removeprefix("import time:").split("|")
        if len(parts) == 3 and parts[0].strip().isdigit():
            costs.append((parts[2].strip(), int(parts[0]) / 1000))
    return sorted(costs, key=lambda item: -item[1])[:limit]


def memory(work: Path, counts: tuple[int, ...]) -> list[tuple[int, float, float]]:
    rows = []
    for count in counts:
        folder = work / f"corpus_{count}"
        if not folder.exists():
            corpus.write_corpus(folder, count)
        out = work / f"mem_{count}"
        shutil.rmtree(out, ignore_errors=True)
        elapsed, peak = run_with_peak_memory([POLICYPARSE, "batch", str(folder), "-o", str(out), "--jobs", "2"])
        rows.append((count, elapsed, peak))
    return rows


def scaling(repeat: int) -> list[tuple[int, int, float]]:
    """Rows (times, characters, seconds) parsing sample 000 grown 1×, 10× and 100×, in process.

    Sample 000 is the one richest in targets and task-table rows (63 and 36), so that linking body targets to
    their table twins grows with it; the largest sample, 003, holds back nearly all its figures as damaged.
    """
    from policyparse import parse_text

    parse_text("一、目标\n建成站点20个。")  # load the dictionaries outside the timings
    sizes = (1, 10, 100)
    texts = [corpus.grown(times, sample=corpus.SAMPLES[0]) for times in sizes]
    seconds = side_by_side([lambda text=text: parse_text(text) for text in texts], repeat)
    return [(times, len(text), elapsed) for times, text, elapsed in zip(sizes, texts, seconds, strict=True)]


PATHOLOGICAL = {
    "`一、` × 100,000": "一、" * 100_000,
    "`1` × 100,000": "1" * 100_000,
    "`（` × 100,000": "（" * 100_000,
    "`以上` × 100,000": "以上" * 100_000,
    "`一、标题⏎` × 100,000": "一、标题\n" * 100_000,
    "spaces × 100,000": "一" + " " * 100_000 + "二",
    # The trailing words of an indicator, repeated: their regex run once backtracked exponentially.
    "`年均增长` × 26 before a figure": "一、目标\n到2025年，指标" + "年均增长" * 26 + "x5%。",
    # One sentence, ten thousand figures: each figure once scanned the whole sentence for its bounds.
    "one sentence of 10,000 figures": "一、目标\n到2025年，" + "，".join(f"新建站点{i}个" for i in range(10_000))
    + "。",
}


def ordinary(length: int) -> str:
    """An ordinary document of `length` characters: the five samples one after another, repeated and cut.

    (Not the largest sample grown, as the scaling table uses: sample 003 is the one whose damaged lines
    hold back most of its figures, two targets in 12,000 characters where the five average one in 150.)
    """
    samples = "\n".join(path.read_text(encoding="utf-8") for path in corpus.SAMPLES)
    return (samples * (length // len(samples) + 1))[:length]


def pathological(repeat: int) -> list[tuple[str, int, float, float, float]]:
    """Rows (input, characters, seconds, × plain text of the same length, × an ordinary document of it)."""
    from policyparse import parse_text

    parse_text("一、目标\n建成站点20个。")
    rows = []
    for name, text in PATHOLOGICAL.items():
        plain = ("建设乡村消费市场体系。" * (len(text) // 11 + 1))[: len(text)]
        seconds, plain_seconds, ordinary_seconds = side_by_side(
            [lambda sample=sample: parse_text(sample) for sample in (text, plain, ordinary(len(text)))], repeat)
        rows.append((name, len(text), seconds, seconds / plain_seconds, seconds / ordinary_seconds))
    rows.append(_diff_of_many_targets(repeat))
    return rows


def _diff_of_many_targets(repeat: int, count: int = 5000) -> tuple[str, int, float, float, float]:
    """Two documents of `count` targets whose deadlines all moved, a third of them reworded: their diff once
    weighed every pair. The diff alone, against parsing the two, and parsing two ordinary documents of their
    size."""
    import random

    from policyparse import parse_text
    from policyparse.diff import diff_documents

    chance = random.Random(7)
    words = "乡镇 物流 中转站 快递 网点 农村 电商 服务站 冷链 仓储 品牌 连锁 超市 充电桩 光伏 学校 医院 床位".split()
    lines = [(f"{''.join(chance.sample(words, 3))}达到{i + 1}{chance.choice(['个', '家', '公里', '张'])}")
             for i in range(count)]
    old = "一、目标\n" + "\n".join(f"到2025年，{line}。" for line in lines)
    new = "一、目标\n" + "\n".join(f"到2027年，{line}{'以上' if i % 3 == 0 else ''}。" for i, line in enumerate(lines))
    before, after = parse_text(old), parse_text(new)
    seconds = median_seconds(lambda: diff_documents(before, after), repeat)
    plain_seconds = median_seconds(lambda: (parse_text(old), parse_text(new)), repeat)
    ordinary_seconds = median_seconds(lambda: (parse_text(ordinary(len(old))), parse_text(ordinary(len(new)))),
                                       repeat)
    return (f"diff of two {count:,}-target documents (as `diff` reads batch JSON: parsed beforehand)",
            len(old) + len(new), seconds, seconds / plain_seconds, seconds / ordinary_seconds)


STAGES = ("read", "normalize", "outline", "metadata", "extract", "serialize")


def stage_profile(paths: list[Path], repeat: int) -> list[float]:
    """Milliseconds per stage (`STAGES`) over `paths` (dictionaries already loaded), mean of `repeat` passes."""

    from policyparse.extract import extract
    from policyparse.metadata import extract_metadata
    from policyparse.models import Document, flatten_sections
    from policyparse.outline import split_sections
    from policyparse.pipeline import normalize_text, parse_text
    from policyparse.readers import read_file
    from policyparse.rulebook import default_rules
    from policyparse.serialize import to_json

    rules = default_rules()
    parse_text("一、目标\n建成站点20个。")
    totals = dict.fromkeys(STAGES, 0.0)
    for _ in range(repeat):
        for path in paths:
            marks = [time.perf_counter()]
            source = read_file(path)
            marks.append(time.perf_counter())
            norm = normalize_text(source, rules)
            marks.append(time.perf_counter())
            sections = split_sections(norm, rules)
            marks.append(time.perf_counter())
            metadata = extract_metadata(norm, sections, rules.metadata)
            marks.append(time.perf_counter())
            found = extract(norm, flatten_sections(sections), metadata, rules)
            marks.append(time.perf_counter())
            to_json(Document(metadata=metadata, sections=sections, targets=found.targets, tasks=found.tasks,
                             deadlines=found.deadlines, assignments=found.assignments), bulk=True)
            marks.append(time.perf_counter())
            for name, a, b in zip(totals, marks, marks[1:], strict=False):
                totals[name] += b - a
    return [1000 * total / repeat for total in totals.values()]


def report(args: argparse.Namespace) -> str:
    lines = [f"Machine: {os.cpu_count()} cores, {platform.python_implementation()} {platform.python_version()}, "
             f"{platform.machine()}. Command: `python benchmarks/run.py{' --quick' if args.quick else ''}`.", ""]
    floor = None
    lines += [f"### Cold start (median of {args.repeat} runs, whole process)", "", "| command | seconds | × floor |",
              "|---|---|---|"]
    for name, seconds in cold_start(args.repeat):
        floor = floor or seconds
        lines.append(f"| {name} | {seconds:.3f} | {seconds / floor:.1f} |")
    lines += ["", f"Where a cold `extract` spends its time (ms, median of {args.repeat} fresh interpreters; the "
              "interpreter's own start, ~20 ms, is not in it):", "", "| step | ms |", "|---|---|"]
    lines += [f"| {name} | {ms:.1f} |" for name, ms in cold_breakdown(args.repeat)]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        rows, size = throughput(work, args.documents)
        lines += ["", f"### Batch throughput ({args.documents} generated documents, {size / 1e6:.1f} MB)", "",
                  "| how | seconds | documents/s | MB/s |", "|---|---|---|---|"]
        lines += [f"| {how} | {s:.1f} | {docs:.0f} | {mb:.2f} |" for how, s, docs, mb in rows]
        lines.append(f"\n`--jobs 2` / `--jobs 1`: {rows[1][3] / rows[0][3]:.2f}×")
        small = max(10, args.documents // 10)
        lines += ["", "### Peak memory of `batch --jobs 2` (process tree)", "", "| documents | seconds | peak MB |",
                  "|---|---|---|"]
        lines += [f"| {n} | {s:.1f} | {mb:.0f} |" for n, s, mb in memory(work, (small, args.documents))]
        shared = corpus_against_floor(work, args.repeat)
        if shared:
            title = f"../shared/corpus against the floor (182 documents; median of {args.repeat}, timed in turn)"
            lines += ["", f"### {title}", "", "| how | seconds | × floor |", "|---|---|---|"]
            lines += [f"| {how} | {s:.2f} | {ratio:.1f} |" for how, s, ratio in shared]
    scale = scaling(args.repeat)
    base = scale[0][2]
    lines += ["", "### Scaling (sample 000 grown, parse_text in process)", "",
              "| size | characters | seconds | × 1× time |", "|---|---|---|---|"]
    lines += [f"| {times}× | {chars:,} | {seconds:.3f} | {seconds / base:.1f} |" for times, chars, seconds in scale]
    lines += ["", "### Pathological input (parse_text in process)", "",
              "Against a plain sentence repeated to the same length, and against an ordinary document of that "
              "length (the five samples one after another, repeated and cut); for the diff (of documents already "
              "parsed), against parsing the same two documents, and two ordinary documents of their size.", "",
              "| input | characters | seconds | × plain | × ordinary |", "|---|---|---|---|---|"]
    lines += [f"| {name} | {chars:,} | {seconds:.3f} | {ratio:.1f} | {against_ordinary:.1f} |"
              for name, chars, seconds, ratio, against_ordinary in pathological(min(args.repeat, 3))]
    profiles = {"the five samples": stage_profile(corpus.SAMPLES, args.repeat)}
    if shared_files := shared_corpus_files():
        profiles["../shared/corpus"] = stage_profile(shared_files, min(args.repeat, 3))
    lines += ["", f"### Stage profile (ms per pass, mean of {args.repeat} passes; 3 over ../shared/corpus)", "",
              "| stage | " + " | ".join(f"{name} ms | share" for name in profiles) + " |",
              "|---|" + "---|---|" * len(profiles)]
    for i, stage in enumerate(STAGES):
        cells = [f"{ms[i]:.1f} | {ms[i] / sum(ms):.0%}" for ms in profiles.values()]
        lines.append(f"| {stage} | " + " | ".join(cells) + " |")
    lines += ["", "### Import cost of a cold `extract` (ms, self time, `python -X importtime`)", "",
              "| module | ms |", "|---|---|"]
    lines += [f"| `{module}` | {ms:.1f} |" for module, ms in import_profile()]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="200 documents and 3 repeats")
    args = parser.parse_args()
    args.documents = 200 if args.quick else 2000
    args.repeat = 3 if args.quick else 7
    # The benchmark's cache files stay its own: the first cold run fills the folder, as on any machine.
    with tempfile.TemporaryDirectory(prefix="policyparse-benchmark-cache-") as cache_folder:
        os.environ["POLICYPARSE_CACHE"] = cache_folder
        text = report(args)
    (Path(__file__).resolve().parent / "results.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
