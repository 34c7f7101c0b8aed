"""The one fact about the checkout that makes builds reproducible: the time of HEAD."""

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
