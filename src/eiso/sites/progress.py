"""Progress of long builds on a terminal; silent in CI logs unless asked for."""

from __future__ import annotations

import os
import sys
from typing import TextIO

THRESHOLD = 300  # below this many documents a build is quick enough to say nothing


def wanted(total: int, stream: TextIO = sys.stderr) -> bool:
    forced = os.environ.get("EISO_PROGRESS", "").lower()
    if forced in {"1", "true", "yes"}:
        return True
    if forced in {"0", "false", "no"} or os.environ.get("CI"):
        return False
    return total >= THRESHOLD and stream.isatty()


class Progress:
    """``Đang dựng trang: 1200/2000 (60%)``, rewritten in place on a terminal, a line per tenth otherwise."""

    def __init__(self, total: int, label: str = "Đang dựng trang", stream: TextIO = sys.stderr) -> None:
        self.total, self.label, self.stream = total, label, stream
        self.done = 0
        self.enabled = total > 0 and wanted(total, stream)
        self.interactive = self.enabled and stream.isatty()
        self._last_tenth = -1

    def tick(self) -> None:
        if not self.enabled:
            return
        self.done += 1
        percent = self.done * 100 // self.total
        if self.interactive:
            end = "\n" if self.done >= self.total else ""
            self.stream.write(f"\r{self.label}: {self.done}/{self.total} ({percent}%){end}")
            self.stream.flush()
        elif percent // 10 != self._last_tenth:
            self._last_tenth = percent // 10
            self.stream.write(f"{self.label}: {self.done}/{self.total} ({percent}%)\n")
