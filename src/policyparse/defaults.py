"""Defaults shared by the library and the command line, in a module that imports nothing heavy."""

# Larger files are refused: a policy document is tens of kilobytes; 20 MB is a scan or a dump.
DEFAULT_MAX_BYTES = 20_000_000
