"""Bounded work for untrusted Markdown: shapes refused before rendering, and a time budget around it.

Python-Markdown is superlinear on some inputs (``[`` or ``<![CDATA[`` repeated:
minutes for a few kilobytes) and recursive on nesting (RecursionError). A body
is first screened in one pass for the nesting that recursion cannot take; a body
large or dense in Markdown openers is then rendered once under a time budget,
and one over budget is refused with a finding instead of hanging the run.
"""

from __future__ import annotations

import re
import signal
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable, TypeVar

from eiso.documents.findings import Finding
from eiso.errors import EisoError

T = TypeVar("T")

RENDER_SECONDS = 3.0  # a real procedure renders in tens of milliseconds (as htmlscan.RENDER_SECONDS)
TRIAL_BYTES = 16 * 1024  # bodies from this size are rendered once by the check
TRIAL_OPENERS = 400  # ...and so are bodies with this many [ < ` { (real ones have tens)
MAX_NESTING = 24  # lists and quotes: real procedures use three or four levels
MAX_MARKER_RUN = 64  # consecutive emphasis markers
MAX_DEFINITIONS = 200  # definition-list items in one block: Python-Markdown recurses once per item
MAX_DEFINITIONS_TOTAL = 1000  # definition-list items in a body
MAX_RUN = 64  # identical Markdown punctuation in a row (a code fence is 3 to 5)
MAX_UNCLOSED = 500  # openers more numerous than their closers, by this much
#: Headings and rules inside one block (no blank line between them) times that block's lines: Python-Markdown
#: splits such a block one line at a time, scanning the rest each time (4,000 headings in a row: 3 s).
MAX_BLOCK_SPLITS = 2_000_000
MAX_BRACKET_DEPTH = 32  # "[" inside "[": link parsing rescans the rest for each level (3,000 levels: 3 s)
# Openers that make Python-Markdown rescan the rest of the text when they are not closed.
_PAIRS = (("<!--", "-->"), ("<![CDATA[", "]]>"), ("[", "]"), ("<", ">"), ("{{", "}}"), ("(", ")"))
_BRACKET = re.compile(r"[\[\]]")
# What Python-Markdown takes off a block a few lines at a time, after the line's quote and list markers: a heading
# (any "#", a space after it is not needed), a setext underline, a rule, an admonition or a details title; an
# empty list item too (see _line_shapes).
_SPLITTER = re.compile(r"#|=+[ \t]*$|-+[ \t]*$|(?:[-*_][ \t]*){3,}$|!!!|\?\?\?")
_LIST_MARK = re.compile(r"[-*+.)]")
# An escaped character is text: "\]" closes nothing (a line-ending backslash is a line break, not an escape).
_ESCAPED = re.compile(r"\\[^\n]")
_RUN = re.compile(r"([`\[\]{}<>:#|!^(])\1{%d,}" % MAX_RUN)

# The extensions of the demo's mkdocs.yml: used when the project's own list is not known.
DEFAULT_EXTENSIONS = ("toc", "tables", "admonition", "attr_list", "def_list", "footnotes",
                      "pymdownx.details", "pymdownx.superfences", "pymdownx.tasklist")

# A line's containers: its indentation, then quote and list markers in any mix ("> - > - x").
_CONTAINERS = re.compile(r"^([ \t]*)((?:(?:>|[-*+](?=\s)|\d{1,9}[.)](?=\s))[ \t]*)*)")
_MARKER = re.compile(r">|[-*+]|\d{1,9}[.)]")
_MARKERS = re.compile(r"[*_~]{%d,}" % (MAX_MARKER_RUN + 1))
_DEFINITION = re.compile(r"^ {0,3}:[ \t]")


class OverBudget(EisoError):
    """Rendering took longer than its budget, or nested deeper than the parser can recurse."""


@dataclass(frozen=True)
class MarkdownSetup:
    """The Markdown extensions a site renders bodies with (mkdocs.yml's ``markdown_extensions``)."""

    extensions: tuple[Any, ...] = DEFAULT_EXTENSIONS
    configs: dict[str, dict] = field(default_factory=dict)

    def markdown(self):
        import markdown

        return markdown.Markdown(extensions=list(self.extensions), extension_configs=self.configs)


def within_budget(work: Callable[[], T], seconds: float = RENDER_SECONDS) -> T:
    """``work()``, or OverBudget when it runs past ``seconds`` or overflows the stack.

    The clock is SIGALRM, which interrupts pure-Python loops (Python-Markdown's are); it
    exists only in the main thread, elsewhere (live preview) only the depth is guarded.
    """
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        return _guard_depth(work)

    def expire(signum, frame):
        raise OverBudget(f"quá {seconds:g} giây — hãy chia nhỏ hoặc bỏ các ký hiệu lặp lại")

    previous = signal.signal(signal.SIGALRM, expire)
    outer, _ = signal.getitimer(signal.ITIMER_REAL)  # an enclosing budget keeps what is left of it
    started = time.monotonic()
    signal.setitimer(signal.ITIMER_REAL, min(seconds, outer) if outer else seconds)
    try:
        return _guard_depth(work)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous if previous is not None else signal.SIG_DFL)
        if outer:
            signal.setitimer(signal.ITIMER_REAL, max(outer - (time.monotonic() - started), 0.001))


def _guard_depth(work: Callable[[], T]) -> T:
    try:
        return work()
    except RecursionError:
        raise OverBudget("lồng quá sâu — hãy chia nhỏ hoặc bỏ các ký hiệu lặp lại") from None


def pathological_markdown(path: str, markdown: str, first_line: int) -> list[Finding]:
    """Shapes that make Markdown parsers deep or slow; such a body is not rendered. Linear."""
    unescaped = _ESCAPED.sub("", markdown)
    return (_unclosed(path, unescaped, first_line) or _bracket_depth(path, unescaped, first_line)
            or _line_shapes(path, markdown, first_line))


def _unclosed(path: str, markdown: str, first_line: int) -> list[Finding]:
    for opener, closer in _PAIRS:
        excess = markdown.count(opener) - markdown.count(closer)
        if excess > MAX_UNCLOSED:
            return [_depth(path, first_line, f"quá nhiều «{opener}» không được đóng bằng «{closer}» "
                                             f"({excess} lần, tối đa {MAX_UNCLOSED})")]
    return []


def _bracket_depth(path: str, markdown: str, first_line: int) -> list[Finding]:
    depth = 0
    for match in _BRACKET.finditer(markdown):
        depth = depth + 1 if match.group() == "[" else max(depth - 1, 0)
        if depth > MAX_BRACKET_DEPTH:
            line = first_line + markdown.count("\n", 0, match.start())
            return [_depth(path, line, f"quá nhiều «[» lồng trong nhau (hơn {MAX_BRACKET_DEPTH} cấp)")]
    return []


def _line_shapes(path: str, markdown: str, first_line: int) -> list[Finding]:
    """The shapes read line by line, in one pass: nesting, marker runs, definition lists, crowded blocks."""
    definitions = total = 0
    block_start, block_lines, splits = first_line, 0, 0
    for number, line in enumerate(markdown.split("\n"), first_line):
        containers = _CONTAINERS.match(line)
        indent, markers = containers.groups()
        depth = (len(indent.expandtabs(4)) // 2 if markers else 0) + len(_MARKER.findall(markers))
        if depth > MAX_NESTING:
            return [_depth(path, number, f"Markdown lồng quá sâu (hơn {MAX_NESTING} cấp danh sách/trích dẫn)")]
        if _MARKERS.search(line) or line.count("*") + line.count("_") > 2000:
            return [_depth(path, number, "quá nhiều ký hiệu nhấn mạnh (* _ ~) liên tiếp")]
        if run := _RUN.search(line):
            return [_depth(path, number, f"quá nhiều ký tự «{run.group(1)}» liên tiếp (tối đa {MAX_RUN})")]
        blank = not line.strip()
        definition = bool(_DEFINITION.match(line))
        total += definition
        definitions = definitions + 1 if definition else (0 if blank else definitions)
        if total > MAX_DEFINITIONS_TOTAL:
            return [_depth(path, number, f"quá nhiều mục danh sách định nghĩa (hơn {MAX_DEFINITIONS_TOTAL})")]
        if definitions > MAX_DEFINITIONS:
            return [_depth(path, number, f"danh sách định nghĩa quá dài (hơn {MAX_DEFINITIONS} mục liền nhau "
                                         "không có dòng trống)")]
        if blank:
            block_start, block_lines, splits = number + 1, 0, 0
            continue
        block_lines += 1
        rest = line[containers.end():]
        splits += bool(_SPLITTER.match(rest) or (not rest.strip() and _LIST_MARK.search(markers)))
        if splits * block_lines > MAX_BLOCK_SPLITS:
            return [_depth(path, block_start, "quá nhiều tiêu đề, đường kẻ hoặc mục trống liền nhau không có dòng "
                                              f"trống (khối từ dòng {block_start}); hãy thêm dòng trống giữa các mục")]
    return []


def _depth(path: str, line: int, message: str) -> Finding:
    return Finding(path, line, "body", message, "markdown-depth")


def needs_trial(markdown: str) -> bool:
    """Large or opener-dense bodies, the only ones that can take long: the rest are not rendered by the check."""
    if len(markdown) >= TRIAL_BYTES:
        return True
    return sum(markdown.count(c) for c in "[<`{") >= TRIAL_OPENERS


def render_budget(path: str, markdown: str, first_line: int, setup: MarkdownSetup | None = None) -> list[Finding]:
    """A finding when rendering the body would run past its budget; nothing otherwise."""
    if not needs_trial(markdown):
        return []
    md = (setup or MarkdownSetup()).markdown()
    try:
        within_budget(lambda: md.convert(markdown))
    except OverBudget as error:
        return [over_budget(path, first_line, str(error))]
    except Exception as error:  # noqa: BLE001 - as the build's BudgetExtension: a finding, not a stopped check
        return [over_budget(path, first_line, f"lỗi khi đọc Markdown: {type(error).__name__}")]
    return []


def over_budget(path: str, line: int, reason: str) -> Finding:
    return Finding(path, line, "body", f"nội dung Markdown không hiển thị được ({reason}); tài liệu không "
                   "được xuất bản", "markdown-budget")
