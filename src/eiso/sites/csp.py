"""Content-Security-Policy for every page: no inline script but the theme's own.

The theme (Material) needs a few inline scripts; they are allowed by hash.
Scripts inside the page's article, where content goes, are never allowed:
if one ever got past the sanitiser, the browser would still refuse to run it.
"""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Iterator

# Elements are found as an opening tag and the first closing tag after it (what ``<x\b.*?</x\s*>`` matches), by two
# searches: a lazy ``.*?`` over every page's 30,000 characters was most of the policy's cost.
_SCRIPT_OPEN = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
_SCRIPT_CLOSE = re.compile(r"</script\s*>", re.IGNORECASE)
_TYPE = re.compile(r"""\btype\s*=\s*["']?([^"'\s>]+)""", re.IGNORECASE)
_ARTICLE_OPEN = re.compile(r"<article\b", re.IGNORECASE)
_ARTICLE_CLOSE = re.compile(r"</article\s*>", re.IGNORECASE)
_HEAD = re.compile(r"<head\b[^>]*>", re.IGNORECASE)
_DATA_TYPES = {"application/json", "application/ld+json"}

BASE_POLICY = (
    "default-src 'self'; img-src 'self' data:; font-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "connect-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'self'; form-action 'self'"
)


def _elements(html: str, opening: re.Pattern[str], closing: re.Pattern[str]) -> Iterator[tuple[re.Match[str], int, int]]:
    """Each element: the match of its opening tag, where its content ends and where the element ends."""
    position = 0
    while (start := opening.search(html, position)) is not None:
        end = closing.search(html, start.end())
        if end is None:  # no closing tag after this one: none after any later one either
            return
        yield start, end.start(), end.end()
        position = end.end()


def _executable_inline_scripts(html: str) -> list[str]:
    article = [(start.start(), after) for start, _, after in _elements(html, _ARTICLE_OPEN, _ARTICLE_CLOSE)]
    found = []
    for tag, end, _ in _elements(html, _SCRIPT_OPEN, _SCRIPT_CLOSE):
        attributes, body = tag.group(1), html[tag.end():end]
        if "src=" in attributes.lower() or any(a <= tag.start() < b for a, b in article):
            continue
        kind = _TYPE.search(attributes)
        if kind and kind.group(1).lower() in _DATA_TYPES:
            continue
        found.append(body)
    return found


def policy_for(html: str) -> str:
    hashes = sorted({
        "'sha256-" + base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode() + "'"
        for body in _executable_inline_scripts(html)
    })
    return f"{BASE_POLICY}; script-src 'self' {' '.join(hashes)}".rstrip()


def add_csp_meta(html: str) -> str:
    """Insert the policy as the first element of <head>, before any script can run."""
    head = _HEAD.search(html)
    if head is None:
        return html
    meta = f'<meta http-equiv="Content-Security-Policy" content="{policy_for(html)}">'
    return html[: head.end()] + meta + html[head.end():]


_META = re.compile(r'<meta http-equiv="Content-Security-Policy" content="[^"]*">')


def refresh_csp_meta(html: str) -> str:
    """The policy recomputed after a trusted tool added an inline script to a built page.

    Used by the live preview only: MkDocs' dev server appends its reload script (a new one
    per request) before ``</body>``; the recomputed policy allows exactly the scripts now in
    the page outside its article, so that one and nothing else.
    """
    return add_csp_meta(_META.sub("", html, count=1))
