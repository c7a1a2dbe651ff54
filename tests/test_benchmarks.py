"""The benchmark script runs against the current library API (its timings are not asserted here)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
import run


def test_stage_profile_runs_every_stage() -> None:
    stages = run.stage_profile(run.corpus.SAMPLES[:2], 1)
    assert len(stages) == len(run.STAGES) == 6
    assert all(ms > 0 for ms in stages)


def test_scaling_grows_the_largest_sample() -> None:
    assert [size for size, _, _ in run.scaling(1)] == [1, 10, 100]
