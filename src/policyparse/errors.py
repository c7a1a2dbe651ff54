"""Errors a caller can act on. The CLI turns each into a one-line message and an exit code."""


class PolicyparseError(Exception):
    """Base of every error policyparse raises on purpose."""


class InputError(PolicyparseError):
    """The input cannot be read as a text document (binary, missing, too large, a folder)."""


class RuleError(PolicyparseError):
    """A rule file is malformed; the message names the file, the rule and the field."""
