"""Start tags of raw HTML in a body, found in one left-to-right pass.

The standard library's ``HTMLParser`` rescans from every ``<`` it cannot
finish (``<!--`` or ``<http://`` repeated: quadratic, minutes for 100 KB). This
scanner follows the HTML tokenizer's rule instead: a construct that is not
closed runs to the end of the text, so no position is read twice.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Iterator

_TAG_NAME = re.compile(r"[A-Za-z][^\s/>]*")
_SPACE = re.compile(r"[\s/]*")
_ATTR_NAME = re.compile(r"=?[^\s/>=]*")
_BLANK = re.compile(r"\s*")
_UNQUOTED = re.compile(r"[^\s>]*")
# Constructs whose content is not markup, with what closes them.
_OPAQUE = (("<!--", "-->"), ("<![CDATA[", "]]>"), ("<!", ">"), ("<?", ">"), ("</", ">"))


@dataclass(frozen=True)
class StartTag:
    line: int  # 1-based, in the scanned text
    name: str  # lower case
    attrs: tuple[tuple[str, str], ...]  # names lower case, values with character references decoded


def start_tags(text: str) -> Iterator[StartTag]:
    lines = LineCounter(text)
    i, n = 0, len(text)
    while (lt := text.find("<", i)) >= 0:
        opaque = next(((o, c) for o, c in _OPAQUE if text.startswith(o, lt)), None)
        if opaque:
            end = text.find(opaque[1], lt + len(opaque[0]))
            if end < 0:
                return  # unclosed: the rest of the text is inside it
            i = end + len(opaque[1])
            continue
        name = _TAG_NAME.match(text, lt + 1)
        if name is None:
            i = lt + 1
            continue
        parsed = _attributes(text, name.end(), n)
        if parsed is None:
            return  # a tag still open at the end of the text is no tag
        attrs, i = parsed
        yield StartTag(lines.at(lt), name.group(0).lower(), attrs)


def _attributes(text: str, pos: int, n: int) -> tuple[tuple[tuple[str, str], ...], int] | None:
    attrs = []
    while True:
        pos = _SPACE.match(text, pos).end()
        if pos >= n:
            return None
        if text[pos] == ">":
            return tuple(attrs), pos + 1
        name = _ATTR_NAME.match(text, pos)
        pos = _BLANK.match(text, name.end()).end()
        value = ""
        if pos < n and text[pos] == "=":
            pos = _BLANK.match(text, pos + 1).end()
            if pos < n and text[pos] in "\"'":
                end = text.find(text[pos], pos + 1)
                if end < 0:
                    return None
                value, pos = text[pos + 1:end], end + 1
            else:
                unquoted = _UNQUOTED.match(text, pos)
                value, pos = unquoted.group(0), unquoted.end()
        attrs.append((name.group(0).lower(), html.unescape(value)))


class LineCounter:
    """Line of increasing offsets, counting each newline once."""

    def __init__(self, text: str) -> None:
        self.text, self.offset, self.line = text, 0, 1

    def at(self, offset: int) -> int:
        self.line += self.text.count("\n", self.offset, offset)
        self.offset = offset
        return self.line
