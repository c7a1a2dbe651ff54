import os
import tempfile

import pytest

# Cache files (policyparse.cache) of the test session go to a folder of its own, never the user's: the rule
# fuzzing compiles thousands of patterns, and the child processes the tests start inherit the setting.
os.environ["POLICYPARSE_CACHE"] = tempfile.mkdtemp(prefix="policyparse-test-cache-")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-goldens", action="store_true", help="rewrite tests/goldens from the current output")


@pytest.fixture(scope="session")
def update_goldens(request: pytest.FixtureRequest) -> bool:
    update = bool(request.config.getoption("--update-goldens"))
    if update and os.environ.get("CI"):
        pytest.exit("--update-goldens is refused under CI: goldens are reviewed, not regenerated", returncode=2)
    return update
