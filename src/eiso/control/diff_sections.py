"""The body of a document as sections (split at Markdown headings), compared section by section."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from eiso.control.alignment import opcodes
from eiso.control.diff_model import MAX_DIFF_LINES, SectionChange, match_key


_FENCE_OPEN = re.compile(r"^ {0,3}(`{3,}|~{3,})")
PREAMBLE = "(Phần đầu, trước đề mục đầu tiên)"


@dataclass
class _Section:
    heading: str  # display text
    key: str  # for matching
    lines: list[str]


def atx_heading(line: str) -> tuple[str, str] | None:
    """``(hashes, text)`` when a right-stripped line is an ATX heading, else None.

    Read with string methods in one pass: the regex it replaces (``(.*?)[ \t]*#*[ \t]*$``) took
    over a minute on one heading line holding 1,500 spaces, which any merge request can write.
    """
    stripped = line.lstrip(" ")
    if len(line) - len(stripped) > 3:
        return None
    level = len(stripped) - len(stripped.lstrip("#"))
    if level == 0:
        return None
    if level > 6:  # seven or more hashes are a heading only when nothing else follows
        return ("#" * 6, "") if not stripped.strip("#") else None
    rest = stripped[level:]
    if rest.strip(" \t") and rest[0] not in " \t":
        return None  # "##text" is no heading
    # Without the closing sequence: trailing blanks, then hashes, then blanks.
    text = rest.strip(" \t").rstrip("#").rstrip(" \t")
    return "#" * level, text.strip()


def split_sections(body: str) -> list[_Section]:
    """Sections of a Markdown body, split at ATX headings outside fenced code blocks."""
    sections = [_Section(PREAMBLE, "", [])]
    fence: str | None = None
    for raw in body.split("\n"):
        line = raw.rstrip()
        opened = _FENCE_OPEN.match(line)
        if fence is None and opened:
            fence = opened.group(1)
        elif fence is not None and line.strip().startswith(fence[0] * len(fence)) and \
                set(line.strip()) == {fence[0]}:
            fence = None
        elif fence is None and (heading := atx_heading(line)):
            hashes, text = heading
            sections.append(_Section(text or hashes, match_key(text), []))
        sections[-1].lines.append(line)
    for section in sections:  # blank lines at the edges are not content
        while section.lines and not section.lines[-1].strip():
            section.lines.pop()
    if not any(line.strip() for line in sections[0].lines):
        sections.pop(0)
    return sections


def body_changes(old: str, new: str) -> list[SectionChange]:
    a, b = split_sections(old), split_sections(new)
    changes: list[SectionChange] = []
    for tag, i1, i2, j1, j2 in opcodes([s.key for s in a], [s.key for s in b]):
        pairs = list(zip(range(i1, i2), range(j1, j2))) if tag in ("equal", "replace") else []
        for i, j in pairs:
            if a[i].lines != b[j].lines:
                changes.append(_section_change("changed", a[i], b[j]))
        for i in range(i1 + len(pairs), i2):
            changes.append(_section_change("removed", a[i], None))
        for j in range(j1 + len(pairs), j2):
            changes.append(_section_change("added", None, b[j]))
    return changes


def _section_change(change: str, old: _Section | None, new: _Section | None) -> SectionChange:
    lines = list(difflib.unified_diff(old.lines if old else [], new.lines if new else [], n=2, lineterm=""))[2:]
    added = sum(1 for line in lines if line.startswith("+"))
    removed = sum(1 for line in lines if line.startswith("-"))
    truncated = len(lines) > MAX_DIFF_LINES
    if truncated:
        hidden = len(lines) - MAX_DIFF_LINES
        lines = lines[:MAX_DIFF_LINES] + [f"… (còn {hidden} dòng không hiển thị)"]
    shown = new if new is not None else old
    assert shown is not None
    return SectionChange(change, shown.heading, old.heading if old and new and old.heading != new.heading else None,
                         added, removed, "\n".join(lines), truncated)
