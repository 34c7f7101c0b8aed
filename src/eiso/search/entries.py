"""What each page contributes to the search index: engine-independent, from core objects."""

from __future__ import annotations

import html
import re

from eiso.documents import durations
from eiso.documents.model import Document, Kind
from eiso.sites.projection import PublicProcedure
from eiso.search.model import SearchEntry

_TAG = re.compile(r"<[^>]+>")
# Parts of a page that identify it but are not its text (the header block of labels,
# signatures, revision table, print style): marked by the templates, left out of the index.
# The sanitiser removes comments from bodies, so content cannot hide its own text.
_NOINDEX = re.compile(r"<!--eiso:noindex-->.*?<!--/eiso:noindex-->", re.DOTALL)
# The body (the page's own text) comes first, so that a result's excerpt is its text.
_BODY = re.compile(r"<!--eiso:body-->(.*?)<!--/eiso:body-->", re.DOTALL)
# Style sheets and scripts (the public page's JSON-LD) are not text.
_STYLE = re.compile(r"<(style|script)\b[^>]*>.*?</\1\s*>", re.DOTALL | re.IGNORECASE)
# The heading's permalink ("¶") is navigation, not text (attributes as the toc extension writes them).
_PERMALINK = re.compile(r'<a class="headerlink"(?: [a-z]+="[^"<>]*")*>[^<]*</a>')
_BRACKETS = re.compile(r"[<>]")


def plain_text(markup: str) -> str:
    """Text of rendered HTML, as the index wants it: no tags, entities decoded, spaces collapsed.

    Angle brackets are dropped too: the worker escapes what it shows, but hostile
    text that looks like markup has no business in an index people download.
    """
    body = _BODY.search(markup)
    if body is not None:
        markup = body.group(1) + " " + markup[:body.start()] + " " + markup[body.end():]
    markup = _PERMALINK.sub(" ", _STYLE.sub(" ", _NOINDEX.sub(" ", markup)))
    return _one_spaced(_BRACKETS.sub(" ", html.unescape(_TAG.sub(" ", markup))))


def plain_title(title: str) -> str:
    return _one_spaced(_BRACKETS.sub(" ", title))


def _one_spaced(text: str) -> str:
    # What ``re.sub(r"\s+", " ", text).strip()`` gives (both split at ``str.isspace``), several times faster.
    return " ".join(text.split())


def _time_label(channels) -> tuple[tuple[str, str], ...]:
    label = durations.shortest_label(channels)
    return (("Thời hạn", label),) if label else ()


def document_entry(doc: Document, location: str, page_html: str) -> SearchEntry:
    meta = doc.meta
    codes = [meta.code, *(f.code for f in meta.forms), *(ref.code for ref in meta.legal_basis if ref.code)]
    labels: tuple[tuple[str, str], ...] = (("Mã", meta.code),)
    if meta.kind is Kind.tthc and meta.tthc:
        codes += [meta.tthc.national_code, *([meta.tthc.decision] if meta.tthc.decision else [])]
        labels += (("Cấp", meta.tthc.level),) + _time_label(meta.tthc.channels)
    else:
        labels += (("Đơn vị", meta.unit),)
    return SearchEntry(location, plain_title(meta.title), plain_text(page_html), tuple(dict.fromkeys(codes)), labels)


def public_entry(proc: PublicProcedure, location: str, page_html: str) -> SearchEntry:
    codes = [proc.national_code, proc.code, *(f.code for f in proc.forms), *(r.code for r in proc.legal_basis if r.code)]
    if proc.decision:
        codes.append(proc.decision)
    labels = (("Mã", proc.national_code), ("Cấp", proc.level)) + _time_label(proc.channels)
    return SearchEntry(location, plain_title(proc.title), plain_text(page_html), tuple(dict.fromkeys(codes)), labels)


def page_entry(location: str, title: str, page_html: str) -> SearchEntry:
    """A hand-written page (its title as MkDocs holds it, HTML-escaped)."""
    return SearchEntry(location, plain_title(html.unescape(title)), plain_text(page_html))
