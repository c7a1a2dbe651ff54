"""The shipped jieba dictionary is exactly what the build script makes from the installed jieba."""

import importlib.util
from importlib import resources
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_shipped_dictionary_is_reproducible() -> None:
    spec = importlib.util.spec_from_file_location("build", ROOT / "scripts" / "build_jieba_dictionary.py")
    assert spec and spec.loader
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    shipped = (resources.files("policyparse.data") / "jieba_words.txt").read_text(encoding="utf-8")
    assert shipped == build.build(build.jieba_dictionary())
    assert len(shipped.splitlines()) > 50_000
