"""Golden JSON per sample: the whole output of `extract --format json`, reviewed as behaviour changes.

Regenerate with `pytest --update-goldens` and read the diff before committing it.
"""

from pathlib import Path

import pytest

from policyparse import parse_file
from policyparse.serialize import to_json

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = sorted((ROOT / "samples").glob("*.txt"))


@pytest.mark.parametrize("sample", SAMPLES, ids=[p.stem for p in SAMPLES])
def test_sample_matches_golden(sample: Path, update_goldens: bool) -> None:
    golden = ROOT / "tests" / "goldens" / f"{sample.stem}.json"
    actual = to_json(parse_file(sample)).replace(str(sample), f"samples/{sample.name}")
    if update_goldens:
        golden.write_text(actual, encoding="utf-8")
    assert golden.exists(), f"no golden for {sample.name}: run pytest --update-goldens"
    assert actual == golden.read_text(encoding="utf-8")


def test_there_are_five_samples() -> None:
    assert len(SAMPLES) == 5
