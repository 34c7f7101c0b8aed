"""Whether a file is still the one noted before, told without reading it: its *signature*.

Size, modification and change times, inode and type, as git's index keeps them: writing a file (by hand, by a
checkout, by an editor) gives it a new change time, which no user can set back. A change within the file
system's clock tick after the signature was noted could leave it equal (git's "racy clean" files): a signature
noted less than :data:`RACY_NS` after the file's last change is not trusted (:func:`settled`).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

RACY_NS = 100_000_000


def file_signature(path: Path) -> tuple[int, ...] | None:
    """The signature of the file itself (a link is not followed); None when it cannot be read."""
    try:
        return signature_of(path.lstat())
    except OSError:
        return None


def signature_of(info: os.stat_result) -> tuple[int, ...]:
    """The signature in a file's ``lstat`` (or a directory entry's ``stat(follow_symlinks=False)``)."""
    return (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino, info.st_mode)


def settled(signature: tuple[int, ...], now_ns: int | None = None) -> bool:
    """Whether the file's last change is far enough behind ``now_ns`` (default: now) for its signature to tell."""
    return max(signature[1], signature[2]) < (time.time_ns() if now_ns is None else now_ns) - RACY_NS
