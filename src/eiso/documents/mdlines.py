"""Markdown read line by line, knowing which lines are code (where nothing is interpreted)."""

from __future__ import annotations

import re
from typing import Iterator

_FENCE = re.compile(r"^\s*(```|~~~)")


def text_lines(markdown: str) -> Iterator[tuple[str, bool]]:
    """Each line with True when it is prose, False inside a fenced code block (fences included)."""
    fence = None
    for line in markdown.split("\n"):
        opened = _FENCE.match(line)
        if fence is None and opened:
            fence = opened.group(1)
            yield line, False
        elif fence is not None:
            if line.strip().startswith(fence):
                fence = None
            yield line, False
        else:
            yield line, True
