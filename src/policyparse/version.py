"""The version of policyparse: written here once, read by the build (`pyproject.toml`, `tool.setuptools.dynamic`).

A constant rather than the installed package's metadata: reading that (`importlib.metadata`) scans every
folder on `sys.path` and costs a batch 30 ms before its first document.
"""

VERSION = "0.2.0"
