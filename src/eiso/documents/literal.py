"""Keep template-like text in procedure bodies literal through Markdown.

Procedure bodies are never rendered by Jinja, so ``{{ a.__init__ }}`` is plain
text; without this, Markdown would still read ``__init__`` as bold.
"""

from __future__ import annotations

import re

from eiso.documents.mdlines import text_lines

_SPAN = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]])")


def protect_template_text(markdown: str) -> str:
    """Backslash-escape Markdown syntax inside ``{{ }}``, ``{% %}`` and ``{# #}`` outside code."""
    if "{" not in markdown:
        return markdown
    return "\n".join(_outside_code_spans(line) if prose and "{" in line else line
                     for line, prose in text_lines(markdown))


def _outside_code_spans(line: str) -> str:
    pieces, last = [], 0
    for code in _CODE_SPAN.finditer(line):
        pieces.append(_escape_spans(line[last:code.start()]))
        pieces.append(code.group(0))
        last = code.end()
    pieces.append(_escape_spans(line[last:]))
    return "".join(pieces)


def _escape_spans(text: str) -> str:
    return _SPAN.sub(lambda m: _MARKDOWN_SPECIAL.sub(r"\\\1", m.group(0)), text)
