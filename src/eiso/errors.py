"""The core's own errors. The command line maps them to exit codes; the core never exits."""

from __future__ import annotations


class EisoError(Exception):
    """A problem with the input or the files a task needs; the message is Vietnamese and complete."""


class GitError(EisoError):
    """Git could not answer (unknown revision, not a repository…)."""
