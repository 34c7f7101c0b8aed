"""Facts about the checkout: the time of HEAD (what makes builds reproducible) and its commit."""

from __future__ import annotations

import subprocess
from pathlib import Path


def head_commit_time(root: Path) -> int | None:
    """Committer time of HEAD (Unix seconds), or None outside git or without commits."""
    try:
        result = subprocess.run(
            ["git", "-C", str(root), "log", "-1", "--format=%ct", "HEAD"],
            capture_output=True, text=True, timeout=30, check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    value = result.stdout.strip()
    return int(value) if result.returncode == 0 and value.isdigit() else None


def head_commit(root: Path) -> str:
    """The commit HEAD names, "" outside git or without commits."""
    try:
        result = subprocess.run(["git", "-C", str(root), "rev-parse", "--verify", "-q", "HEAD^{commit}"],
                                capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        return ""
    return result.stdout.strip() if result.returncode == 0 else ""
