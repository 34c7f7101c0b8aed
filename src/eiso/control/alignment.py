"""Aligning two sequences (sections, steps, a body's lines) within a bounded amount of work.

difflib's ``SequenceMatcher`` is quadratic when items repeat (``n * m`` for ``n`` identical
headings), and a merge request chooses both sides of what ``eiso diff`` and ``check --against``
compare. Here the common head and tail are taken first (an edit touches a few items), the middle
is aligned by difflib only while it is small enough, and a larger middle counts as replaced as a
whole: every difference is still reported, in less detail.
"""

from __future__ import annotations

import difflib
from collections.abc import Hashable, Sequence

#: ``len(a) * len(b)`` of the differing middle that difflib may align: about a tenth of a second
MAX_COMPARISONS = 250_000

Opcode = tuple[str, int, int, int, int]


def opcodes(a: Sequence[Hashable], b: Sequence[Hashable]) -> list[Opcode]:
    """difflib's opcodes (``equal``, ``replace``, ``delete``, ``insert``) turning ``a`` into ``b``."""
    start = 0
    while start < len(a) and start < len(b) and a[start] == b[start]:
        start += 1
    end = 0
    while end < len(a) - start and end < len(b) - start and a[len(a) - 1 - end] == b[len(b) - 1 - end]:
        end += 1
    a_end, b_end = len(a) - end, len(b) - end
    codes: list[Opcode] = [("equal", 0, start, 0, start)] if start else []
    if start < a_end or start < b_end:
        if (a_end - start) * (b_end - start) <= MAX_COMPARISONS:
            matcher = difflib.SequenceMatcher(None, a[start:a_end], b[start:b_end], autojunk=False)
            codes += [(tag, i1 + start, i2 + start, j1 + start, j2 + start)
                      for tag, i1, i2, j1, j2 in matcher.get_opcodes()]
        else:
            tag = "replace" if start < a_end and start < b_end else ("delete" if start < a_end else "insert")
            codes.append((tag, start, a_end, start, b_end))
    if end:
        codes.append(("equal", a_end, len(a), b_end, len(b)))
    return codes


def similarity(a: Sequence[Hashable], b: Sequence[Hashable]) -> float:
    """``SequenceMatcher.ratio()``: twice the matched items over all items (1.0 for two empty sequences)."""
    if not a and not b:
        return 1.0
    matched = sum(i2 - i1 for tag, i1, i2, _, _ in opcodes(a, b) if tag == "equal")
    return 2.0 * matched / (len(a) + len(b))
