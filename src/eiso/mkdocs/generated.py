"""A generated page as the engine is given it, and what comes back: its source with e-ISO's own front matter, its
table of contents with the sections the templates add around the body."""

from __future__ import annotations

import html
import json

from mkdocs.structure.files import File, Files
from mkdocs.structure.toc import AnchorLink, TableOfContents

from eiso.sites.intranet import PlannedPage
from eiso.sites.renderer import section_headings
from eiso.sites.sanitize import clean_text


def page_source(page: PlannedPage) -> str:
    # Trusted front matter of our own, so nothing in the untrusted body can set page meta.
    # The theme prints titles without escaping (header, nav, search): escape them here.
    meta = {"title": html.escape(page.title, quote=False), "render_macros": False}
    if not page.searchable:
        meta["search"] = {"exclude": True}
    if page.document is None:
        meta["hide"] = ["toc", "navigation"] if page.wide else ["toc"]  # lists need the width
    return f"---\n{json.dumps(meta, ensure_ascii=False)}\n---\n\n{page.markdown}"


def clean_toc(items) -> None:
    # The theme prints table-of-contents titles as HTML; headings of untrusted bodies become text.
    for item in items:
        item.title = clean_text(item.title)
        clean_toc(item.children)


def with_generated_sections(toc: TableOfContents, output: str, body: str) -> TableOfContents:
    """The page's table of contents with the sections the templates add around the body.

    The body's own headings become children of the section just before the body ("Nội dung").
    """
    before, after = (output.split(body, 1) if body.strip() and body in output else (output, ""))
    items = [AnchorLink(title, anchor, 2) for anchor, title in section_headings(before)]
    if items:
        items[-1].children = list(toc)
    else:
        items = list(toc)
    items += [AnchorLink(title, anchor, 2) for anchor, title in section_headings(after)]
    return TableOfContents(items)


def replace_file(files: Files, file: File) -> None:
    existing = files.get_file_from_path(file.src_uri)
    if existing is not None:
        files.remove(existing)
    files.append(file)
