"""The part of a body that reaches the public portal: only sections whose heading has the class ``public``.

Public content is opt-in. The body is parsed by Python-Markdown with the site's own
extensions, and the decision is taken on the element tree it builds: a heading whose
``class`` (as attr_list sets it) contains ``public``, and whose attribute lists nowhere
mention ``internal``, opens a public section, which runs to the next heading of the same
or a higher level. Everything else — text before the
first heading, sections marked ``{.internal}`` or not marked at all — is dropped from
the tree before it is serialised. No line regex decides, so no spelling of a heading
(setext, closing hashes, ids, other classes, inside admonitions or lists, after any
code fence) can make Markdown and this filter disagree.

Markdown itself may read a heading line as something else where it stands: a row of the table just
above it, text inside a raw-HTML block left open. The tree then carries the section after it inside
the public one, though a reader of the file sees it end. So the lines that may be headings (every ATX
line, every line with a setext underline: an over-approximation) are also read one by one, each on its
own, as a reader reads them. When fewer of them are headings in the tree than on their own, the body is
converted once more with the text of each heading line the reader takes for internal replaced by a
numbered marker: a marker in the public part means that line, and what follows it, would be published,
and the body is refused (:class:`UnclearSections`, with the line) rather than trusted.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from typing import Any, Callable

from markdown import Extension, Markdown
from markdown.blockprocessors import ReferenceProcessor
from markdown.extensions.attr_list import AttrListTreeprocessor, get_attrs_and_remainder
from markdown.extensions.footnotes import FootnoteInlineProcessor
from markdown.treeprocessors import Treeprocessor

from eiso.documents.budget import MarkdownSetup, within_budget
from eiso.documents.htmlscan import SAFE_EXTENSIONS
from eiso.documents.literal import protect_template_text
from eiso.errors import EisoError

HEADINGS = {f"h{level}": level for level in range(1, 7)}
_ATX = re.compile(r" {0,3}#{1,6}(?:[ \t]|$)")  # a line that may be an ATX heading
_UNDERLINE = re.compile(r" {0,3}(?:=+|-+)[ \t]*$")  # a line that may make the one above a setext heading
_ATX_PREFIX = re.compile(r" {0,3}#{1,6}[ \t]?")
#: Markers stand for a heading line's text in the check; the body's own characters of this range are
#: replaced first, so that no body can write a marker.
_MARK_OPEN, _MARK_CLOSE = "\ue000", "\ue001"
PUBLIC_CLASS = "public"
INTERNAL_CLASS = "internal"
# Python-Markdown's own priorities, kept where our processors take the place of its own.
ATTR_LIST_PRIORITY = 8
FOOTNOTE_REF_PRIORITY = 175
REFERENCE_PRIORITY = 15
#: Where a reference definition was written, in the tree until the public part is chosen (never serialised).
DEFINITION_TAG = "eiso-reference-definition"
#: What a reference link's URL and title are until the public part is chosen: the number of the definition.
#: A body writing one gets what that definition gives, and only if it is public.
_REFERENCE_TOKEN = re.compile("\ue002([0-9]+)\ue003")
#: What public parts are converted with: the site's extensions that read nothing but the text (no snippets,
#: no includes: a body could otherwise publish any file of the repository), less abbreviations, whose
#: definitions, written anywhere in the body, would put internal text into public words' titles.
PUBLIC_EXTENSIONS = SAFE_EXTENSIONS - {"abbr"}


class UnclearSections(EisoError):
    """A heading line that Markdown reads as something else where it stands, with what follows it in the
    public part: where the public part ends is not certain, so nothing of the body is published."""


def public_sections(markdown: str, setup: MarkdownSetup | None = None) -> str:
    """HTML of the body's public sections only (empty when it has none). May raise OverBudget."""
    return PublicSections(setup)(markdown)


class PublicSections:
    """``public_sections`` for many bodies with one converter: making a Markdown converter with a site's
    extensions costs more than converting a typical body with it."""

    def __init__(self, setup: MarkdownSetup | None = None) -> None:
        setup = _public_setup(setup or MarkdownSetup())
        self._public = _Converter(setup, _PublicOnly, "eiso_public_only")
        self._reader = _Converter(setup, _ReadHeadings, "eiso_read_headings")  # heading lines on their own

    def __call__(self, markdown: str) -> str:
        html, pruner = self._public(markdown)
        candidates = _candidate_lines(markdown) if html else []
        if pruner.top_headings < len(candidates):  # some line that may be a heading is not one in the tree
            # One budget for the whole check, however many lines it reads one by one.
            within_budget(lambda: self._check_swallowed(markdown, candidates))
        return html

    def _check_swallowed(self, markdown: str, candidates: list[tuple[int, int]]) -> None:
        """Refuse the body if a heading line that a reader takes for internal is published where it stands."""
        lines = markdown.split("\n")
        readings = self._read(["\n".join(lines[index:index + size]) for index, size in candidates])
        sections, internal = _Sections(), []
        for (index, size), reading in zip(candidates, readings):
            if reading is not None:
                sections.heading(*reading)
                if not sections.public:
                    internal.append((index, size))
        marked, _ = self._public(_marked(markdown, internal))
        for number, (index, _) in enumerate(internal):
            if _marker(number) in marked:
                raise UnclearSections(
                    f"dòng {index + 1} của phần nội dung là một tiêu đề mục nhưng Markdown không đọc là tiêu đề ở "
                    "chỗ đó (nằm trong bảng, khối HTML hoặc khối mã chưa đóng), nên phần sau nó sẽ lọt vào mục công "
                    "khai; hãy thêm một dòng trống trước tiêu đề, đóng khối đó, hoặc viết tiêu đề dạng «## …»")

    def _read(self, texts: list[str]) -> list[tuple[int, bool | None] | None]:
        """Level and visibility of each text read on its own (None: not a heading): all in one conversion,
        one by one when a text is not read as exactly one heading there."""
        found = self._reader("\n\n".join(texts))[1].found
        if len(found) != len(texts) or None in found:
            found = [(self._reader(text)[1].found or [None])[0] for text in texts]
        return found


def _public_setup(setup: MarkdownSetup) -> MarkdownSetup:
    """``setup`` with the extensions of :data:`PUBLIC_EXTENSIONS` only (by name; an extension given as an
    object is left out: what it reads is not known)."""
    kept = tuple(name for name in setup.extensions
                 if isinstance(name, str) and name.removeprefix("markdown.extensions.") in PUBLIC_EXTENSIONS)
    return MarkdownSetup(kept, {name: config for name, config in setup.configs.items() if name in kept})


class _Converter:
    """A Markdown converter with the site's extensions and one of ours, reused from body to body."""

    def __init__(self, setup: MarkdownSetup, extension: Callable[[], Extension], name: str) -> None:
        self.setup, self.extension, self.name = setup, extension, name
        self._md: Markdown | None = None

    def __call__(self, markdown: str) -> tuple[str, Any]:
        """The HTML, and our tree processor (what it saw of this conversion)."""
        md = self._md or Markdown(extensions=[*self.setup.extensions, self.extension()],
                                  extension_configs=self.setup.configs)
        self._md = None  # a conversion cut short (over budget, an error) leaves it half-way: never reused
        md.reset()  # every extension's state back to a fresh converter's
        html = within_budget(lambda: md.convert(protect_template_text(markdown))).strip()
        self._md = md
        return html, md.treeprocessors[self.name]


class _PublicOnly(Extension):
    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 (Python-Markdown's name)
        _record_heading_attributes(md)
        md.references = _Definitions()
        if "reference" in md.parser.blockprocessors:
            md.parser.blockprocessors.register(_PlacedReferences(md.parser), "reference", REFERENCE_PRIORITY)
        # Before inline (20) resolves references, after the whole body is parsed into blocks.
        md.treeprocessors.register(_PlaceDefinitions(md), "eiso_place_definitions", 30)
        if "footnote" in md.inlinePatterns:
            theirs = md.inlinePatterns["footnote"]
            md.inlinePatterns.register(_FootnoteRefs(theirs.pattern, theirs.footnotes), "footnote", FOOTNOTE_REF_PRIORITY)
        # Priority 1: after attr_list (8) has set the classes and toc (5) the ids, before serialising.
        md.treeprocessors.register(_PruneToPublic(md), "eiso_public_only", 1)
        md.registerExtension(self)  # reset() with the converter
        self.md = md

    def reset(self) -> None:
        if "footnote" in self.md.inlinePatterns:
            getattr(self.md.inlinePatterns["footnote"], "made", []).clear()


class _Definitions(dict):
    """``md.references``: link reference definitions, each known by its number. Python-Markdown keeps them
    document-wide and resolves ``[text][id]`` anywhere with them; here a reference resolves to its definition's
    number (:data:`_REFERENCE_TOKEN`), and the pruner puts the URL and title back only for a definition
    written in a public section."""

    def __init__(self) -> None:
        super().__init__()
        self.written: list[tuple[str, str | None]] = []  # (URL, title) of each definition, in order
        self.places: dict[int, tuple[etree.Element, etree.Element | None]] = {}  # number -> (parent, after)

    def __setitem__(self, key: str, value: tuple[str, str | None]) -> None:
        token = f"\ue002{len(self.written)}\ue003"
        self.written.append(value)
        super().__setitem__(key, (token, token if value[1] is not None else None))

    def clear(self) -> None:
        super().clear()
        self.written.clear()
        self.places.clear()


class _PlacedReferences(ReferenceProcessor):
    """Python-Markdown's reference definitions, each with its place: the element it follows in its parent.

    The text before a definition in its block is parsed after it, as a block of its own; it holds no heading
    (a heading line anywhere in the block is split off by the heading processors, which come first), so the
    definition is in the section of that text either way."""

    def run(self, parent: etree.Element, blocks: list[str]) -> bool:
        definitions = self.parser.md.references
        first = len(definitions.written)
        after = parent[-1] if len(parent) else None
        handled = super().run(parent, blocks)
        for number in range(first, len(definitions.written)):
            definitions.places[number] = (parent, after)
        return handled


class _PlaceDefinitions(Treeprocessor):
    """Put an element where each reference definition was written, so that the pruner meets it in its section.
    A definition whose place is gone (its parent was not kept in the tree, or the element it followed was
    replaced) gets none, and is never public."""

    def run(self, root: etree.Element) -> None:
        pending: dict[int, tuple[etree.Element, dict[int | None, list[int]]]] = {}
        for number, (parent, after) in self.md.references.places.items():
            following = pending.setdefault(id(parent), (parent, {}))[1]
            following.setdefault(None if after is None else id(after), []).append(number)
        for parent, following in pending.values():
            children = [_definition_element(number) for number in following.pop(None, [])]
            for child in parent:
                children.append(child)
                children.extend(_definition_element(number) for number in following.pop(id(child), []))
            parent[:] = children


def _definition_element(number: int) -> etree.Element:
    return etree.Element(DEFINITION_TAG, {"number": str(number)})


class _FootnoteRefs(FootnoteInlineProcessor):
    """The footnotes extension's references (``[^id]``), each link it makes kept: only these cite a footnote. A
    link written by the body, ``[x](#fn:id)``, even with ``{.footnote-ref}``, looks the same in the tree."""

    def __init__(self, pattern: str, footnotes: Any) -> None:
        super().__init__(pattern, footnotes)
        self.made: list[etree.Element] = []

    def handleMatch(self, m: re.Match[str], data: str) -> tuple[etree.Element | None, int | None, int | None]:  # noqa: N802
        element, start, end = super().handleMatch(m, data)
        if element is not None:
            self.made.extend(element.iter("a"))
        return element, start, end


class _ReadHeadings(Extension):
    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 (Python-Markdown's name)
        _record_heading_attributes(md)
        md.treeprocessors.register(_TopHeadings(md), "eiso_read_headings", 1)


def _record_heading_attributes(md: Markdown) -> None:
    if "attr_list" in md.treeprocessors:
        md.treeprocessors.register(_HeadingAttributes(md), "attr_list", ATTR_LIST_PRIORITY)


class _HeadingAttributes(AttrListTreeprocessor):
    """attr_list as it is, also keeping every word each heading's attribute lists wrote: ``class=`` replaces
    the classes before it (``{.internal class=public}`` leaves only ``public`` on the element), while the
    author wrote ``internal``, and the section must be read as the author marked it."""

    def run(self, root: etree.Element) -> None:
        self.written: dict[int, set[str]] = {}  # id(heading) -> words of its attribute lists
        super().run(root)

    def assign_attrs(self, elem: etree.Element, attrs_string: str, *, strict: bool = False) -> str:
        attrs, remainder = get_attrs_and_remainder(attrs_string)
        if elem.tag in HEADINGS and not (strict and remainder):  # what attr_list then assigns
            words = self.written.setdefault(id(elem), set())
            for name, value in attrs:
                words.update([name, *(value or "").split()])
        return super().assign_attrs(elem, attrs_string, strict=strict)


def _heading_visibility(md: Markdown) -> Callable[[etree.Element], bool | None]:
    """How a heading of the conversion just made is marked: True public, False internal, None unmarked.

    Internal wins: a heading whose class or any word of its attribute lists mentions ``internal`` (in any
    case, in any word) is internal, even if it also says ``public``. Public only by the class ``public``
    as attr_list leaves it on the element."""
    attributes = md.treeprocessors["attr_list"] if "attr_list" in md.treeprocessors else None
    written = getattr(attributes, "written", {})

    def visibility(heading: etree.Element) -> bool | None:
        classes = _classes(heading)
        if any(INTERNAL_CLASS in word.casefold() for word in classes | written.get(id(heading), set())):
            return False
        return True if PUBLIC_CLASS in classes else None
    return visibility


class _TopHeadings(Treeprocessor):
    """Records each top-level element: (level, visibility) of a heading, None for anything else."""

    def run(self, root: etree.Element) -> None:
        visibility = _heading_visibility(self.md)
        self.found = [(HEADINGS[child.tag], visibility(child)) if child.tag in HEADINGS else None for child in root]


class _PruneToPublic(Treeprocessor):
    def run(self, root: etree.Element) -> None:
        self.top_headings = sum(child.tag in HEADINGS for child in root)  # before pruning
        parents = {id(child): parent for parent in root.iter() for child in parent}
        # All definitions, wherever the block was put (its place marker may sit in a quote or a list of a
        # public section): only the cited ones come back.
        footnotes = [el for el in root.iter() if _has_class(el, "footnote")]
        for block in footnotes:
            parents[id(block)].remove(block)
        holds_heading = _elements_holding_headings(root)
        visibility = _heading_visibility(self.md)
        public_definitions = _public_definitions(root, visibility)
        _prune(root, _Sections(), holds_heading, visibility)
        for toc in [el for el in root.iter() if _has_class(el, "toc")]:
            parents[id(toc)].remove(toc)  # [TOC] lists every heading of the body, internal ones too
        references = self.md.inlinePatterns["footnote"] if "footnote" in self.md.inlinePatterns else None
        made = getattr(references, "made", [])
        kept = {id(link) for link in root.iter("a")}
        _restore_cited_footnotes(root, footnotes, [link for link in made if id(link) in kept])
        _resolve_references(root, self.md.references.written, public_definitions)


class _Sections:
    """Visibility as the walk meets headings in document order."""

    def __init__(self) -> None:
        self.open: list[tuple[int, bool]] = []  # (level, public) of the enclosing sections

    @property
    def public(self) -> bool:
        return bool(self.open) and self.open[-1][1]

    def heading(self, level: int, visibility: bool | None) -> None:
        """``visibility``: True for a heading marked public, False internal, None unmarked."""
        while self.open and self.open[-1][0] >= level:
            self.open.pop()
        # An unmarked sub-section follows the section it is in.
        self.open.append((level, self.public if visibility is None else visibility))


def _prune(parent: etree.Element, sections: _Sections, holds_heading: set[int],
           visibility: Callable[[etree.Element], bool | None]) -> bool:
    """Remove what is not public under ``parent``; True when something of it is kept."""
    if not sections.public:
        parent.text = None
    kept = False
    for child in list(parent):
        if child.tag in HEADINGS:
            sections.heading(HEADINGS[child.tag], visibility(child))
            keep = sections.public
        elif id(child) in holds_heading:
            keep = _prune(child, sections, holds_heading, visibility)
        else:
            keep = sections.public
        if keep:
            kept = True
        else:
            parent.remove(child)
    return kept or bool(parent.text and parent.text.strip())


def _public_definitions(root: etree.Element, visibility: Callable[[etree.Element], bool | None]) -> set[int]:
    """Numbers of the reference definitions written in public sections. The walk is the pruner's (document
    order, the same headings), without removing anything."""
    sections, public = _Sections(), set()
    for element in root.iter():
        if element.tag in HEADINGS:
            sections.heading(HEADINGS[element.tag], visibility(element))
        elif element.tag == DEFINITION_TAG and sections.public:
            public.add(int(element.get("number", "-1")))
    return public


def _resolve_references(root: etree.Element, written: list[tuple[str, str | None]], public: set[int]) -> None:
    """Give each reference link or image of the public part its definition's URL and title when the definition
    is public; otherwise keep only its text (a link) or its alt text (an image). Definition elements go."""
    unwrapped: set[int] = set()
    for element in root.iter():
        if element.tag == DEFINITION_TAG:
            unwrapped.add(id(element))
        for name, value in list(element.attrib.items()):
            token = _REFERENCE_TOKEN.fullmatch(value) if isinstance(value, str) else None
            if token is None:
                continue
            number = int(token.group(1))
            url, title = written[number] if number in public else (None, None)
            shown = title if name == "title" else url
            if shown is None:
                del element.attrib[name]
            else:
                element.set(name, shown)
            if number not in public and element.tag in ("a", "img"):
                unwrapped.add(id(element))
    _unwrap(root, unwrapped)


def _unwrap(root: etree.Element, unwrapped: set[int]) -> None:
    """Replace each element of ``unwrapped`` by its content: text (an image's alt text), children, tail. Deepest
    parents first, so that an element moved up is not looked at again; each element once."""
    for parent in reversed(list(root.iter())):
        if not any(id(child) in unwrapped for child in parent):
            continue
        children: list[etree.Element] = []

        def add_text(text: str | None) -> None:
            if not text:
                return
            if children:
                children[-1].tail = (children[-1].tail or "") + text
            else:
                parent.text = (parent.text or "") + text

        for child in list(parent):
            if id(child) in unwrapped:
                add_text(child.get("alt") if child.tag == "img" else child.text)
                children.extend(child)
                add_text(child.tail)
            else:
                children.append(child)
        parent[:] = children


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


def _restore_cited_footnotes(root: etree.Element, footnotes: list[etree.Element], references: list[etree.Element]) -> None:
    """Put back the footnotes that ``references`` (footnote references left in the public part) cite."""
    cited = {a.get("href", "")[1:] for a in references if a.get("href", "").startswith("#")}
    for block in footnotes:
        for ol in block.iter("ol"):
            for item in list(ol):
                if item.get("id") not in cited:
                    ol.remove(item)
        if any(len(ol) for ol in block.iter("ol")):
            root.append(block)


def _candidate_lines(markdown: str) -> list[tuple[int, int]]:
    """(index, number of lines) of every line that may be a heading — an ATX line, or a line with a setext
    underline (both lines) — in order. Linear: each line is looked at once, with the one after it."""
    lines = markdown.split("\n")
    found: list[tuple[int, int]] = []
    i = 0
    while i < len(lines):
        if _ATX.match(lines[i]):
            found.append((i, 1))
            i += 1
        elif lines[i].strip() and i + 1 < len(lines) and _UNDERLINE.match(lines[i + 1]):
            found.append((i, 2))
            i += 2
        else:
            i += 1
    return found


def _marked(markdown: str, headings: list[tuple[int, int]]) -> str:
    """The body with a marker (:func:`_marker`) at the start of the text of each of ``headings``, nothing else
    changed but the body's own marker characters: the rest of the line (its classes, a tag it closes) stays,
    so the body is read as before."""
    lines = markdown.replace(_MARK_OPEN, "x").replace(_MARK_CLOSE, "x").split("\n")
    for number, (index, _) in enumerate(headings):
        line = lines[index]
        prefix = _ATX_PREFIX.match(line)
        if prefix:
            start = prefix.group(0) if prefix.group(0)[-1:] in (" ", "\t") else prefix.group(0) + " "
            lines[index] = start + _marker(number) + line[prefix.end():]
        elif line.lstrip()[:1] in ("`", "~", "<"):  # a marker before it could end or open a block: not tried
            raise UnclearSections(f"dòng {index + 1} của phần nội dung là tiêu đề gạch dưới bắt đầu bằng «"
                                  f"{line.lstrip()[:1]}»; hãy viết tiêu đề dạng «## …»")
        else:
            indent = len(line) - len(line.lstrip())
            lines[index] = line[:indent] + _marker(number) + line[indent:]
    return "\n".join(lines)


def _marker(number: int) -> str:
    return f"{_MARK_OPEN}{number}{_MARK_CLOSE}"


def _classes(element: etree.Element) -> set[str]:
    return set((element.get("class") or "").split())


def _has_class(element: etree.Element, name: str) -> bool:
    return name in _classes(element)
