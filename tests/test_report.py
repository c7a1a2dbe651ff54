"""`policyparse report`: one self-contained HTML page, checked in headless Chromium.

Chromium and its driver are Debian's packages (`chromium`, `chromium-driver`), which `.ci/run`
installs; selenium drives them. Outside CI the browser test is skipped when they are missing.
"""

from __future__ import annotations

import os
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from policyparse import convert_folder
from policyparse.cli import cli
from policyparse.report import load_outputs

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
BROWSER, DRIVER = shutil.which("chromium"), shutil.which("chromedriver")


@pytest.fixture(scope="module")
def batch_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The samples, and ../shared/corpus when it stands beside the clone, converted by batch."""
    src = tmp_path_factory.mktemp("in")
    for sample in (ROOT / "samples").glob("*.txt"):
        shutil.copy(sample, src / sample.name)
    if CORPUS.is_dir():
        shutil.copytree(CORPUS, src / "corpus", ignore=shutil.ignore_patterns("*.md", "*.jsonl"))
    out = tmp_path_factory.mktemp("out")
    convert_folder(src, out, recursive=True, jobs=2)
    return out


@pytest.fixture(scope="module")
def page(batch_out: Path) -> Path:
    result = CliRunner().invoke(cli, ["report", str(batch_out)])
    assert result.exit_code == 0, result.output
    return batch_out / "report.html"


def test_the_report_is_one_small_file_that_loads_nothing(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    assert page.stat().st_size < 5_000_000
    assert not re.search(r"""(?:src|href|action)\s*=\s*["']?\s*(?:https?:)?//""", text, re.I)
    assert not re.search(r"""@import|url\(\s*["']?(?:https?:)?//""", text, re.I)
    assert "<script src" not in text and "<link" not in text


def _expected(out: Path) -> tuple[int, int, int]:
    docs = load_outputs(out)
    commitments = [t for _, doc in docs for t in doc.targets if t.same_as is None]
    years = {t.deadline[:4] for t in commitments if t.deadline}
    units = Counter(t.lead_units[0] for t in commitments if t.lead_units)
    units.update(task.lead_units[0] for _, doc in docs for task in doc.tasks if task.lead_units)
    return len(years), min(15, len(units)), len(commitments)


@pytest.mark.skipif((not BROWSER or not DRIVER) and not os.environ.get("CI"),
                    reason="needs Debian's chromium and chromium-driver (.ci/run installs them)")
def test_the_report_renders_in_chromium_and_its_search_filters(page: Path, batch_out: Path, tmp_path: Path) -> None:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By

    options = webdriver.ChromeOptions()
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,2000"):
        options.add_argument(argument)
    options.binary_location = str(BROWSER)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(DRIVER)), options=options)
    try:
        driver.get(page.as_uri())
        years, units, commitments = _expected(batch_out)
        timeline = {bar.get_attribute("data-year") for bar in driver.find_elements(By.CSS_SELECTOR, "#timeline .bar")}
        workload = {bar.get_attribute("data-unit") for bar in driver.find_elements(By.CSS_SELECTOR, "#workload .bar")}
        assert (len(timeline), len(workload)) == (years, units)
        rows = driver.find_elements(By.CSS_SELECTOR, "#targets-table tbody tr")
        assert len(rows) == commitments
        search = driver.find_element(By.ID, "search")
        search.send_keys("冷链")
        visible = [row for row in rows if row.is_displayed()]
        assert 0 < len(visible) < commitments and all("冷链" in row.text for row in visible)
        assert driver.find_element(By.ID, "shown").text.startswith(f"{len(visible)} of {commitments}")
        driver.find_element(By.ID, "clear").click()
        first_year = sorted(timeline)[0]
        driver.find_element(By.CSS_SELECTOR, f"#timeline .bar[data-year='{first_year}']").click()
        assert all(row.get_attribute("data-year") == first_year for row in rows if row.is_displayed())
        driver.save_screenshot(str(tmp_path / "report.png"))
        assert (tmp_path / "report.png").stat().st_size > 10_000
        errors = [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
        assert errors == []
    finally:
        driver.quit()
