"""JSON from untrusted files, its nesting bounded before it is parsed.

The standard parser recurses once per level of nesting: one line of 100,000 ``[`` raises
``RecursionError`` (not ``ValueError``), and any walker of such a value would too. National records,
decisions and manifests nest a few levels, so a value deeper than ``MAX_DEPTH`` is refused up front by
a linear scan, with the place where it became too deep.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

MAX_DEPTH = 64

# A bracket, or a whole string (skipped so that its brackets do not count). An unterminated string
# runs to the end of the text, so every match succeeds at its first try: the scan stays linear.
_TOKEN = re.compile(r'[\[\]{}]|"(?:[^"\\]|\\.)*(?:"|\\?\Z)', re.DOTALL)


class JsonTooDeep(ValueError):
    """JSON nested deeper than ``MAX_DEPTH``. ``lineno``/``colno`` as ``json.JSONDecodeError`` has them
    (1-based; 0 when the place is unknown)."""

    def __init__(self, text: str, offset: int | None) -> None:
        self.msg = f"JSON lồng quá sâu (quá {MAX_DEPTH} cấp)"
        self.lineno = text.count("\n", 0, offset) + 1 if offset is not None else 0
        self.colno = offset - text.rfind("\n", 0, offset) if offset is not None else 0
        where = f", dòng {self.lineno}, cột {self.colno}" if offset is not None else ""
        super().__init__(self.msg[:-1] + where + ")")


def too_deep_at(text: str, limit: int = MAX_DEPTH) -> int | None:
    """Offset of the first bracket nested deeper than ``limit``, or None. Linear in ``text``."""
    if text.count("[") + text.count("{") <= limit:  # the common case: cannot be that deep
        return None
    depth = 0
    for match in _TOKEN.finditer(text):
        token = match.group()
        if token in ("[", "{"):
            depth += 1
            if depth > limit:
                return match.start()
        elif token in ("]", "}"):
            depth = max(depth - 1, 0)
    return None


class JsonConstant(ValueError):
    """``NaN``, ``Infinity`` or ``-Infinity``: Python's parser takes them, JSON has none (a record's name
    became the text "nan")."""

    def __init__(self, name: str) -> None:
        self.msg = f"giá trị {name} không có trong JSON chuẩn"
        super().__init__(self.msg)


def _constant(name: str) -> Any:
    raise JsonConstant(name)


def _finite(text: str) -> float:
    """A JSON number; ``1e999`` is valid JSON but reads as infinity, as ``Infinity`` does."""
    value = float(text)
    if not math.isfinite(value):
        raise JsonConstant(text[:40])
    return value


# The standard parser's messages, which reach people in Vietnamese reports ("dòng 69: JSON không hợp lệ (…)").
_MESSAGES = {"Expecting value": "thiếu giá trị", "Expecting ',' delimiter": "thiếu dấu phẩy (,)",
             "Expecting ':' delimiter": "thiếu dấu hai chấm (:)",
             "Expecting property name enclosed in double quotes": "tên trường phải đặt trong ngoặc kép",
             "Unterminated string starting at": "chuỗi thiếu ngoặc kép đóng",
             "Invalid control character at": "ký tự điều khiển (xuống dòng, tab…) nằm trong chuỗi",
             "Extra data": "còn dữ liệu thừa sau giá trị JSON", "Invalid \\escape": "dấu \\ không hợp lệ",
             "Invalid \\uXXXX escape": "mã \\uXXXX không hợp lệ"}


def loads(text: str) -> Any:
    """``json.loads`` that raises ``JsonTooDeep`` (a ``ValueError``) instead of recursing too deep, and
    ``JsonConstant`` (a ``ValueError``) for ``NaN`` and the infinities."""
    offset = too_deep_at(text)
    if offset is not None:
        raise JsonTooDeep(text, offset)
    try:
        return json.loads(text, parse_constant=_constant, parse_float=_finite)
    except json.JSONDecodeError as error:  # same type, place and position; the message in Vietnamese
        raise json.JSONDecodeError(_MESSAGES.get(error.msg, error.msg), error.doc, error.pos) from None
    except RecursionError:  # only if the caller's own stack is already deep
        raise JsonTooDeep(text, None) from None
