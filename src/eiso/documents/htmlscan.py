"""What the sanitiser will remove from a body, decided from the rendered HTML.

The body is rendered with Python-Markdown and the project's Markdown extensions (as the site
does), and the resulting elements and attributes are inspected: code blocks and code spans
are text there, entities are decoded (``&#106;avascript:``), attr_list attributes
(``{onclick=...}``) are real attributes. No line regex decides; the source is only searched
afterwards to give the finding a line.
"""

from __future__ import annotations

import functools
import signal
import threading
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path
from typing import Iterator

import markdown as md

from eiso.documents.findings import Finding
from eiso.documents.mdlines import text_lines
from eiso.documents.text import shown
from eiso.project import read_mkdocs_yml

DANGEROUS_TAGS = frozenset({"script", "iframe", "object", "embed", "frame", "frameset", "base", "meta", "link",
                            "style", "form", "svg", "math", "template", "noscript"})
URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "xlink:href", "poster", "background", "srcset",
                            "data", "cite"})
BAD_SCHEMES = ("javascript:", "vbscript:", "data:")
# Extensions that only shape the document: rendering them reads no file and runs no code.
SAFE_EXTENSIONS = frozenset({
    "toc", "tables", "admonition", "attr_list", "def_list", "footnotes", "abbr", "md_in_html", "sane_lists",
    "fenced_code", "nl2br", "pymdownx.details", "pymdownx.superfences", "pymdownx.tasklist", "pymdownx.tabbed",
    "pymdownx.caret", "pymdownx.mark", "pymdownx.tilde", "pymdownx.betterem", "pymdownx.smartsymbols",
})
DEFAULT_EXTENSIONS = ("toc", "tables", "admonition", "attr_list", "def_list", "footnotes",
                      "pymdownx.details", "pymdownx.superfences", "pymdownx.tasklist")
RENDER_SECONDS = 3.0  # a real procedure renders in milliseconds


@functools.lru_cache(maxsize=8)
def project_extensions(root: Path) -> tuple[str, ...]:
    """The Markdown extensions of the site (``markdown_extensions`` of mkdocs.yml), safe ones only."""
    entries = read_mkdocs_yml(root / "mkdocs.yml").get("markdown_extensions")
    if not isinstance(entries, list):
        return DEFAULT_EXTENSIONS
    names = [next(iter(e)) if isinstance(e, dict) and e else e for e in entries]
    return tuple(name for name in names if isinstance(name, str) and name.replace("markdown.extensions.", "") in SAFE_EXTENSIONS)


def render(markdown: str, extensions: tuple[str, ...] = DEFAULT_EXTENSIONS) -> str:
    return md.Markdown(extensions=list(extensions)).convert(markdown)


class _Scanner(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)  # attribute values arrive decoded
        self.problems: list[tuple[str, str]] = []  # (message, what to look for in the source)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in DANGEROUS_TAGS:
            self.problems.append((f"thẻ HTML <{tag}> không được phép", f"<{tag}"))
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append((f"thuộc tính sự kiện «{shown(name, 40)}» không được phép", name))
            elif name in URL_ATTRIBUTES and value and (scheme := bad_scheme(value)):
                self.problems.append((f"địa chỉ «{scheme}» không được phép", value.split(":", 1)[-1][:40]))

    handle_startendtag = handle_starttag


def bad_scheme(url: str) -> str | None:
    """The script-capable scheme of ``url`` as a browser reads it (spaces, tabs and newlines
    inside the scheme are ignored), or None."""
    compact = "".join(ch for ch in url if ord(ch) > 0x20).lower()
    return next((scheme for scheme in BAD_SCHEMES if compact.startswith(scheme)), None)


def may_carry_markup(markdown: str) -> bool:
    """False only when rendering cannot produce a tag, a handler or a script URL (most bodies,
    which then cost nothing): a tag needs "<", an attr_list handler "{" and "=", a link or
    reference with a scheme "](" or "]:" and a colon (written, or as an entity with "&")."""
    if "<" in markdown or ("{" in markdown and "=" in markdown):
        return True
    return ("](" in markdown or "]:" in markdown) and (":" in markdown or "&" in markdown)


def unsafe_html(path: str, markdown: str, first_line: int, extensions: tuple[str, ...] = DEFAULT_EXTENSIONS) -> list[Finding]:
    """Script, event handlers and script URLs in a body: removed from the page, reported here.

    A body that Python-Markdown cannot render within the budget would stall the site too: it
    is refused with an error, so it is never rendered.
    """
    if not may_carry_markup(markdown):
        return []
    scanner = _Scanner()
    try:
        with time_budget(RENDER_SECONDS):
            scanner.feed(render(markdown, extensions))
            scanner.close()
    except BudgetExceeded:
        return [Finding(path, first_line, "body", f"nội dung quá phức tạp: không dựng được trong {RENDER_SECONDS:g} "
                        "giây (cấu trúc Markdown/HTML lặp lại bất thường); tài liệu không được xuất bản",
                        "markdown-budget")]
    except Exception as error:  # noqa: BLE001 - Python-Markdown failing on one body: a finding, not a stopped check
        return [Finding(path, first_line, "body", f"nội dung Markdown không hiển thị được (lỗi khi đọc Markdown: "
                        f"{type(error).__name__}); tài liệu không được xuất bản", "markdown-budget")]
    found = {(first_line + _line_of(markdown, needle) - 1, message) for message, needle in scanner.problems}
    return [Finding(path, line, "body", f"{message}; nội dung này bị loại khỏi trang", "unsafe-html", "warning")
            for line, message in sorted(found)]


def _line_of(markdown: str, needle: str) -> int:
    """Line (1-based) of the first prose line containing ``needle``, else of any line, else 1."""
    needle = needle.lower()
    fallback = 0
    for number, (line, prose) in enumerate(text_lines(markdown), 1):
        if needle and needle in line.lower():
            if prose:
                return number
            fallback = fallback or number
    return fallback or 1


class BudgetExceeded(Exception):
    """Rendering one body took longer than its budget."""


@contextmanager
def time_budget(seconds: float) -> Iterator[None]:
    """Interrupt the block after ``seconds`` of wall time (main thread on POSIX; elsewhere no limit)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise BudgetExceeded

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
