"""The part of a body that reaches the public portal: only sections whose heading has the class ``public``.

Public content is opt-in. The body is parsed by Python-Markdown with the site's own
extensions, and the decision is taken on the element tree it builds: a heading whose
``class`` (as attr_list sets it) contains ``public`` opens a public section, which runs
to the next heading of the same or a higher level. Everything else — text before the
first heading, sections marked ``{.internal}`` or not marked at all — is dropped from
the tree before it is serialised. No line regex decides, so no spelling of a heading
(setext, closing hashes, ids, other classes, inside admonitions or lists, after any
code fence) can make Markdown and this filter disagree.
"""

from __future__ import annotations

import xml.etree.ElementTree as etree

from markdown import Extension, Markdown
from markdown.treeprocessors import Treeprocessor

from eiso.documents.budget import MarkdownSetup, within_budget
from eiso.documents.literal import protect_template_text

HEADINGS = {f"h{level}": level for level in range(1, 7)}
PUBLIC_CLASS = "public"
INTERNAL_CLASS = "internal"


def public_sections(markdown: str, setup: MarkdownSetup | None = None) -> str:
    """HTML of the body's public sections only (empty when it has none). May raise OverBudget."""
    return PublicSections(setup)(markdown)


class PublicSections:
    """``public_sections`` for many bodies with one converter: making a Markdown converter with a site's
    extensions costs more than converting a typical body with it."""

    def __init__(self, setup: MarkdownSetup | None = None) -> None:
        self.setup = setup or MarkdownSetup()
        self._md: Markdown | None = None

    def __call__(self, markdown: str) -> str:
        md = self._md or Markdown(extensions=[*self.setup.extensions, _PublicOnly()],
                                  extension_configs=self.setup.configs)
        self._md = None  # a conversion cut short (over budget, an error) leaves it half-way: never reused
        md.reset()  # every extension's state back to a fresh converter's
        html = within_budget(lambda: md.convert(protect_template_text(markdown))).strip()
        self._md = md
        return html


class _PublicOnly(Extension):
    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 (Python-Markdown's name)
        # Priority 1: after attr_list (8) has set the classes and toc (5) the ids, before serialising.
        md.treeprocessors.register(_PruneToPublic(md), "eiso_public_only", 1)


class _PruneToPublic(Treeprocessor):
    def run(self, root: etree.Element) -> None:
        footnotes = [child for child in root if _has_class(child, "footnote")]
        for child in footnotes:
            root.remove(child)  # all definitions, wherever written: only the cited ones come back
        holds_heading = _elements_holding_headings(root)
        _prune(root, _Sections(), holds_heading)
        parents = {id(child): parent for parent in root.iter() for child in parent}
        for toc in [el for el in root.iter() if _has_class(el, "toc")]:
            parents[id(toc)].remove(toc)  # [TOC] lists every heading of the body, internal ones too
        _restore_cited_footnotes(root, footnotes)


class _Sections:
    """Visibility as the walk meets headings in document order."""

    def __init__(self) -> None:
        self.open: list[tuple[int, bool]] = []  # (level, public) of the enclosing sections

    @property
    def public(self) -> bool:
        return bool(self.open) and self.open[-1][1]

    def heading(self, level: int, classes: set[str]) -> None:
        while self.open and self.open[-1][0] >= level:
            self.open.pop()
        if PUBLIC_CLASS in classes:
            public = True
        elif INTERNAL_CLASS in classes:
            public = False
        else:
            public = self.public  # a sub-section follows the section it is in
        self.open.append((level, public))


def _prune(parent: etree.Element, sections: _Sections, holds_heading: set[int]) -> bool:
    """Remove what is not public under ``parent``; True when something of it is kept."""
    if not sections.public:
        parent.text = None
    kept = False
    for child in list(parent):
        if child.tag in HEADINGS:
            sections.heading(HEADINGS[child.tag], _classes(child))
            keep = sections.public
        elif id(child) in holds_heading:
            keep = _prune(child, sections, holds_heading)
        else:
            keep = sections.public
        if keep:
            kept = True
        else:
            parent.remove(child)
    return kept or bool(parent.text and parent.text.strip())


def _elements_holding_headings(root: etree.Element) -> set[int]:
    """ids of the elements with a heading somewhere below them (one pass, parents from a map)."""
    parents = {id(child): parent for parent in root.iter() for child in parent}
    holding: set[int] = set()
    for element in root.iter():
        if element.tag in HEADINGS:
            parent = parents.get(id(element))
            while parent is not None and id(parent) not in holding:
                holding.add(id(parent))
                parent = parents.get(id(parent))
    return holding


def _restore_cited_footnotes(root: etree.Element, footnotes: list[etree.Element]) -> None:
    cited = {a.get("href", "")[1:] for a in root.iter("a") if a.get("href", "").startswith("#")}
    for block in footnotes:
        for ol in block.iter("ol"):
            for item in list(ol):
                if item.get("id") not in cited:
                    ol.remove(item)
        if any(len(ol) for ol in block.iter("ol")):
            root.append(block)


def _classes(element: etree.Element) -> set[str]:
    return set((element.get("class") or "").split())


def _has_class(element: etree.Element, name: str) -> bool:
    return name in _classes(element)
