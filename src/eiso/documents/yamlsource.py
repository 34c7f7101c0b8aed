"""Safe YAML reading for untrusted front matter, keeping the line of every value.

PyYAML is used at its event and node level so that hostile input is refused
before any Python object is built: aliases (the "billion laughs" bomb), custom
tags, deep nesting and huge documents never reach the constructor.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import yaml

from eiso.documents.text import nfc

try:  # libyaml is an order of magnitude faster; the pure parser is equivalent.
    _BaseLoader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _BaseLoader = yaml.SafeLoader

MAX_DEPTH = 40
MAX_EVENTS = 60_000
#: A number longer than this is kept as its text: PyYAML builds a base-60 integer (1:59:59:…) in time
#: quadratic in its length, and no count, revision or code of a procedure is this long.
MAX_NUMBER_CHARS = 40

_BOOL_TAG = "tag:yaml.org,2002:bool"
_STANDARD_TAGS = {
    "tag:yaml.org,2002:" + name
    for name in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq")
}


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    """Safe loader where only true/false are booleans (YAML 1.1 reads "no" as False)."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != _BOOL_TAG]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    _BOOL_TAG, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


class YamlInt(int):
    """An integer read from YAML that remembers how it was written (for text fields)."""

    raw: str


class YamlFloat(float):
    """A float read from YAML that remembers how it was written: ``1.001193`` stays text."""

    raw: str


class YamlDate(dt.date):
    """A date read from YAML that remembers how it was written."""

    raw: str


def raw_text(value: Any) -> Any:
    """The text a scalar was written as, when a text field received a number or date."""
    return getattr(value, "raw", value)


@dataclass
class YamlError(Exception):
    """A YAML problem at a line (1-based, relative to the parsed text)."""

    line: int
    message: str


Path = tuple[str | int, ...]


@dataclass
class YamlDocument:
    data: Any
    lines: dict[Path, int]  # the line (1-based, relative to the text) of every key and item

    def line_of(self, path: Path) -> int:
        """Line of ``path`` or of its nearest existing parent."""
        while path not in self.lines and path:
            path = path[:-1]
        return self.lines.get(path, 1)


def load(text: str, max_events: int = MAX_EVENTS) -> YamlDocument:
    """Parse one YAML document of untrusted text into plain data with line numbers.

    ``max_events`` bounds the work and memory; a whole file (``legal.yml``) may allow more than a front matter."""
    _screen_events(text, max_events)
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as error:
        raise _located(error) from None
    except yaml.YAMLError as error:
        raise YamlError(1, f"YAML không hợp lệ: {error}") from None
    if node is None:
        return YamlDocument({}, {(): 1})
    lines: dict[Path, int] = {(): node.start_mark.line + 1}
    data = _convert(node, (), lines)
    return YamlDocument(data, lines)


def _screen_events(text: str, max_events: int = MAX_EVENTS) -> None:
    depth = 0
    try:
        for count, event in enumerate(yaml.parse(text, Loader=_Loader)):
            line = event.start_mark.line + 1
            if count > max_events:
                raise YamlError(line, f"{'phần đầu YAML' if max_events == MAX_EVENTS else 'tệp YAML'} quá lớn "
                                      f"(quá {max_events} phần tử)")
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise YamlError(line, "không được dùng neo/bí danh YAML (& và *)")
            tag = getattr(event, "tag", None)
            if tag and tag not in _STANDARD_TAGS and tag != "!":
                raise YamlError(line, f"không được dùng thẻ YAML «{tag}»")
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > MAX_DEPTH:
                    raise YamlError(line, f"cấu trúc YAML lồng quá sâu (quá {MAX_DEPTH} cấp)")
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
            elif isinstance(event, yaml.DocumentStartEvent) and count > 2:
                raise YamlError(line, "phần đầu chỉ được chứa một tài liệu YAML")
    except yaml.MarkedYAMLError as error:
        raise _located(error) from None
    except yaml.YAMLError as error:
        raise YamlError(1, f"YAML không hợp lệ: {error}") from None


def _located(error: yaml.MarkedYAMLError) -> YamlError:
    mark = error.problem_mark or error.context_mark
    line = mark.line + 1 if mark else 1
    problem = error.problem or error.context or "lỗi cú pháp"
    return YamlError(line, f"YAML không hợp lệ: {problem}")


_constructor = yaml.constructor.SafeConstructor()


def _convert(node: yaml.Node, path: Path, lines: dict[Path, int]) -> Any:
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise YamlError(key_node.start_mark.line + 1, "khóa YAML phải là một chuỗi")
            key = nfc(str(raw_text(_scalar(key_node))))
            if key in result:
                raise YamlError(key_node.start_mark.line + 1, f"khóa «{key}» bị lặp lại")
            lines[path + (key,)] = key_node.start_mark.line + 1
            result[key] = _convert(value_node, path + (key,), lines)
        return result
    if isinstance(node, yaml.SequenceNode):
        items = []
        for index, item in enumerate(node.value):
            lines[path + (index,)] = item.start_mark.line + 1
            items.append(_convert(item, path + (index,), lines))
        return items
    return _scalar(node)


def _scalar(node: yaml.ScalarNode) -> Any:
    tag = node.tag.rsplit(":", 1)[-1]
    if tag in ("int", "float") and len(node.value) > MAX_NUMBER_CHARS:
        return nfc(node.value)
    try:
        if tag == "int":
            value: Any = YamlInt(_constructor.construct_yaml_int(node))
        elif tag == "float":
            value = YamlFloat(_constructor.construct_yaml_float(node))
        elif tag == "timestamp":
            stamp = _constructor.construct_yaml_timestamp(node)
            if isinstance(stamp, dt.datetime):
                return nfc(node.value)
            value = YamlDate(stamp.year, stamp.month, stamp.day)
        elif tag == "bool":
            return _constructor.construct_yaml_bool(node)
        elif tag == "null":
            return None
        else:
            return nfc(node.value)
    except (ValueError, OverflowError):
        return nfc(node.value)
    value.raw = nfc(node.value)
    return value
