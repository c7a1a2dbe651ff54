"""The installed version of policyparse, read from the package metadata."""

from __future__ import annotations

from functools import cache


@cache
def package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("policyparse")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0+unknown"
