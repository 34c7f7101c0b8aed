"""The part of a body that reaches the public portal: only sections whose heading has the class ``public``.

Public content is opt-in. The body is parsed by Python-Markdown with the site's own
extensions, and the decision is taken on the element tree it builds: a heading whose
``class`` (as attr_list sets it) contains ``public`` opens a public section, which runs
to the next heading of the same or a higher level. Everything else — text before the
first heading, sections marked ``{.internal}`` or not marked at all — is dropped from
the tree before it is serialised. No line regex decides, so no spelling of a heading
(setext, closing hashes, ids, other classes, inside admonitions or lists, after any
code fence) can make Markdown and this filter disagree.

Markdown itself may read a heading line as something else: a row of the table just above it, text
inside a raw-HTML block left open. The tree then carries an internal section inside a public one. So
the heading lines are also read one by one, each on its own; when one of them is a heading on its own
but not where it stands, and its text is in what would be published, the body is refused
(:class:`UnclearSections`) rather than trusted. The lines looked at are an over-approximation (every line
that may be a heading): a ``#`` line in a code block of a public section is refused too, with its line
number, never published by mistake; one in an internal part publishes nothing and is left alone.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from html import unescape

from markdown import Extension, Markdown
from markdown.treeprocessors import Treeprocessor

from eiso.documents.budget import MarkdownSetup, within_budget
from eiso.documents.literal import protect_template_text
from eiso.errors import EisoError

HEADINGS = {f"h{level}": level for level in range(1, 7)}
_ATX = re.compile(r" {0,3}#{1,6}(?:[ \t]|$)")  # a line that may be an ATX heading
_UNDERLINE = re.compile(r" {0,3}(?:=+|-+)[ \t]*$")  # a line that may make the one above a setext heading
_TAG = re.compile(r"<[^<>]*>")


class UnclearSections(EisoError):
    """A heading line that Markdown reads as something else in its place: where the public part ends is
    not certain, so nothing of the body is published."""
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
        self._heads: Markdown | None = None  # reads heading lines on their own

    def __call__(self, markdown: str) -> str:
        md = self._md or Markdown(extensions=[*self.setup.extensions, _PublicOnly()],
                                  extension_configs=self.setup.configs)
        self._md = None  # a conversion cut short (over budget, an error) leaves it half-way: never reused
        md.reset()  # every extension's state back to a fresh converter's
        html = within_budget(lambda: md.convert(protect_template_text(markdown))).strip()
        self._md = md
        if html:
            in_place = md.treeprocessors["eiso_public_only"].headings  # type: ignore[attr-defined]
            self._check_headings(markdown, in_place, html)
        return html

    def _check_headings(self, markdown: str, in_place: list[tuple[int, str]], html: str) -> None:
        """Refuse the body when a line that is a heading on its own is not one where it stands, and its text
        is published (a table row, raw text: what follows it may be an internal section)."""
        heads = _heading_lines(markdown)
        alone = self._headings([text for _, text in heads])
        remaining = list(in_place)
        published = (_squeeze(unescape(html)), _squeeze(unescape(_TAG.sub(" ", html))))
        for (line, _), heading in zip(heads, alone):
            if heading is None:
                continue
            if heading in remaining:
                remaining.remove(heading)
            elif any(heading[1] in text for text in published):
                raise UnclearSections(
                    f"dòng {line} của phần nội dung trông như tiêu đề mục nhưng Markdown không đọc là tiêu đề ở chỗ "
                    "đó (nằm trong bảng, khối HTML hoặc khối mã chưa đóng), nên không biết chắc mục công khai kết "
                    "thúc ở đâu; hãy thêm một dòng trống trước tiêu đề, đóng khối đó, hoặc bỏ dấu # ở đầu dòng")

    def _headings(self, heads: list[str]) -> list[tuple[int, str] | None]:
        """Level and text of each heading line read on its own (None: not a heading)."""
        if not heads:
            return []
        found = self._read("\n\n".join(heads))
        if len(found) != len(heads):  # a line that is not read as one block: each on its own
            found = [(self._read(head) or [None])[0] for head in heads]
        return found

    def _read(self, text: str) -> list[tuple[int, str] | None]:
        md = self._heads or Markdown(extensions=[*self.setup.extensions, _ReadHeadings()],
                                     extension_configs=self.setup.configs)
        self._heads = None
        md.reset()
        within_budget(lambda: md.convert(protect_template_text(text)))
        self._heads = md
        return md.treeprocessors["eiso_read_headings"].found  # type: ignore[attr-defined]


class _PublicOnly(Extension):
    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 (Python-Markdown's name)
        # Priority 1: after attr_list (8) has set the classes and toc (5) the ids, before serialising.
        md.treeprocessors.register(_PruneToPublic(md), "eiso_public_only", 1)


class _ReadHeadings(Extension):
    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 (Python-Markdown's name)
        md.treeprocessors.register(_TopHeadings(md), "eiso_read_headings", 1)


class _TopHeadings(Treeprocessor):
    """Records each top-level element: (level, text) of a heading, None for anything else."""

    found: list[tuple[int, str] | None] = []

    def run(self, root: etree.Element) -> None:
        self.found = [_heading(child) if child.tag in HEADINGS else None for child in root]


class _PruneToPublic(Treeprocessor):
    headings: list[tuple[int, str]] = []  # the headings of the last body, before pruning

    def run(self, root: etree.Element) -> None:
        self.headings = [_heading(element) for element in root.iter() if element.tag in HEADINGS]
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


def _heading_lines(markdown: str) -> list[tuple[int, str]]:
    """(line number from 1, text) of every line that may be a heading — an ATX line, or a line with a setext
    underline (both lines) — in order. Linear: each line is looked at once, with the one after it."""
    lines = markdown.split("\n")
    found: list[tuple[int, str]] = []
    i = 0
    while i < len(lines):
        if _ATX.match(lines[i]):
            found.append((i + 1, lines[i]))
            i += 1
        elif lines[i].strip() and i + 1 < len(lines) and _UNDERLINE.match(lines[i + 1]):
            found.append((i + 1, lines[i] + "\n" + lines[i + 1]))
            i += 2
        else:
            i += 1
    return found


def _heading(element: etree.Element) -> tuple[int, str]:
    return HEADINGS[element.tag], _squeeze("".join(element.itertext()))


def _squeeze(text: str) -> str:
    return " ".join(text.split())


def _classes(element: etree.Element) -> set[str]:
    return set((element.get("class") or "").split())


def _has_class(element: etree.Element, name: str) -> bool:
    return name in _classes(element)
