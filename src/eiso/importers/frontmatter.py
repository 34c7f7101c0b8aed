"""Edit a document's front matter and keep its body byte for byte.

The front matter is re-emitted with the importer's YAML dumper (block style, keys in their order);
everything from the closing ``---`` on is copied unchanged. A value that YAML would write differently
from how it was read (``1.10``, ``007``) keeps its text, so no code or number silently changes.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eiso.documents import yamlsource
from eiso.errors import EisoError

_FENCE = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.MULTILINE)


@dataclass
class FrontMatterFile:
    path: Path
    data: dict[str, Any]  # plain Python data, ready to change and dump
    rest: str  # from the closing fence to the end, unchanged
    comments: int = 0  # comment lines of the front matter, which text() does not write back

    def text(self) -> str:
        from eiso.importers.tthc import render_document

        rendered = render_document(self.data, "")
        header = rendered[: rendered.rindex("---\n")]  # "---\n<yaml>" without the closing fence
        return header + self.rest


def read_front_matter(path: Path) -> FrontMatterFile:
    """The front matter of ``path`` as plain data. Raises ``EisoError`` (Vietnamese) when it cannot."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise EisoError(f"không đọc được tệp: {error.strerror or error}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise EisoError("tệp không phải mã UTF-8") from None
    if "\r" in text or text.startswith("\ufeff"):
        raise EisoError("tệp dùng xuống dòng CRLF hoặc có BOM; hãy lưu lại dạng UTF-8, xuống dòng LF rồi đồng bộ")
    if not text.startswith("---\n"):
        raise EisoError("thiếu phần đầu YAML")
    closing = _FENCE.search(text, 4)
    if closing is None:
        raise EisoError("phần đầu YAML không có dòng --- kết thúc")
    try:
        parsed = yamlsource.load(text[4: closing.start()])
    except yamlsource.YamlError as error:
        raise EisoError(f"dòng {error.line + 1}: {error.message}") from None
    if not isinstance(parsed.data, dict):
        raise EisoError("phần đầu YAML phải là các cặp khóa: giá trị")
    yaml_text = text[4: closing.start()]
    return FrontMatterFile(path, plain(parsed.data), text[closing.start():], comment_lines(yaml_text))


def comment_lines(yaml_text: str) -> int:
    """How many lines of ``yaml_text`` hold a comment: a ``#`` at a line's start or after a blank, outside every
    scalar as YAML's own scanner delimits them (``# `` inside a quoted or block value is text). Linear."""
    import yaml

    try:
        spans = [(token.start_mark.index, token.end_mark.index)
                 for token in yaml.scan(yaml_text, Loader=yaml.SafeLoader) if isinstance(token, yaml.ScalarToken)]
    except yaml.YAMLError:  # read by the loader, which is laxer (a tab after ":"): count nothing, never fail
        return 0
    lines, span, line, counted = set(), 0, 0, 0
    for match in re.finditer(r"(?:^|(?<=[ \t]))#", yaml_text, re.MULTILINE):
        while span < len(spans) and spans[span][1] <= match.start():
            span += 1
        if span < len(spans) and spans[span][0] <= match.start():
            continue  # inside a value
        line += yaml_text.count("\n", counted, match.start())  # from the last one only: linear
        counted = match.start()
        lines.add(line)
    return len(lines)


def plain(value: Any) -> Any:
    """YAML values with their written text (``YamlInt``…) as the plain types the dumper knows."""
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    raw = getattr(value, "raw", None)
    if isinstance(value, int):
        return int(value) if raw is None or str(int(value)) == raw else raw
    if isinstance(value, float):
        return float(value) if raw is None or repr(float(value)) == raw else raw
    if isinstance(value, dt.date):
        return dt.date(value.year, value.month, value.day)
    return value
