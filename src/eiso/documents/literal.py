"""Keep template-like text in procedure bodies literal through Markdown.

Procedure bodies are never rendered by Jinja, so ``{{ a.__init__ }}`` is plain
text; without this, Markdown would still read ``__init__`` as bold.

Bodies are untrusted, so every scan here is a single left-to-right pass (no
backtracking regex): time stays linear in the length of the body.
"""

from __future__ import annotations

from eiso.documents.mdlines import text_lines

_CLOSERS = {"{{": "}}", "{%": "%}", "{#": "#}"}
_MARKDOWN_SPECIAL = frozenset("\\`*_[]")


def protect_template_text(markdown: str) -> str:
    """Backslash-escape Markdown syntax inside ``{{ }}``, ``{% %}`` and ``{# #}`` outside code."""
    if "{" not in markdown:
        return markdown
    return "\n".join(_outside_code_spans(line) if prose and "{" in line else line
                     for line, prose in text_lines(markdown))


def code_spans(line: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each code span: a backtick run closed by the next run of the same length.

    Runs are listed once; for each length a cursor only moves forward, so the
    search is linear even for thousands of unmatched backticks.
    """
    runs: list[tuple[int, int]] = []  # (start, length)
    i, n = 0, len(line)
    while i < n:
        if line[i] == "`":
            j = i
            while j < n and line[j] == "`":
                j += 1
            runs.append((i, j - i))
            i = j
        else:
            i += 1
    by_length: dict[int, list[int]] = {}
    for index, (_, length) in enumerate(runs):
        by_length.setdefault(length, []).append(index)
    cursor = dict.fromkeys(by_length, 0)
    spans, index = [], 0
    while index < len(runs):
        start, length = runs[index]
        same, k = by_length[length], cursor[length]
        while k < len(same) and same[k] <= index:
            k += 1
        cursor[length] = k
        if k == len(same):
            index += 1  # no closing run: these backticks are text
            continue
        closing = same[k]
        spans.append((start, runs[closing][0] + length))
        index = closing + 1
    return spans


def _outside_code_spans(line: str) -> str:
    pieces, last = [], 0
    for start, end in code_spans(line):
        pieces.append(_escape_spans(line[last:start]))
        pieces.append(line[start:end])
        last = end
    pieces.append(_escape_spans(line[last:]))
    return "".join(pieces)


def _escape_spans(text: str) -> str:
    """Escape Markdown specials inside each template span, found left to right, shortest first."""
    if "{" not in text:
        return text
    pieces, last, i, n = [], 0, 0, len(text)
    unclosed: set[str] = set()  # openers with no closer after them: never searched again
    while True:
        i = text.find("{", i)
        if i < 0 or i + 1 >= n:
            break
        opener = text[i:i + 2]
        closer = _CLOSERS.get(opener)
        if closer is None or opener in unclosed:
            i += 1
            continue
        end = text.find(closer, i + 2)
        if end < 0:
            unclosed.add(opener)
            i += 1
            continue
        end += 2
        pieces.append(text[last:i])
        pieces.append("".join("\\" + c if c in _MARKDOWN_SPECIAL else c for c in text[i:end]))
        last = i = end
    pieces.append(text[last:])
    return "".join(pieces)
