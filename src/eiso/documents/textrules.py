"""What characters codes and front-matter text may carry.

A code becomes a URL and is compared with other codes: a Cyrillic "а" or a zero-width
space would make a look-alike duplicate with its own page, so codes are limited to Latin and
Vietnamese letters, digits and ``-_./`` and space. Text anywhere in the front matter may not
carry control characters (they forge lines in reports and terminals) nor format characters
such as bidi overrides (U+202E shows text reversed) or zero-width characters.
"""

from __future__ import annotations

import unicodedata
from typing import Any, Callable, Iterator

from pydantic import BaseModel

from eiso.documents.findings import Finding, field_name
from eiso.documents.model import Document
from eiso.documents.text import nfc, shown, slugify

MAX_CODE_CHARS = 80  # a code is part of URLs and file names
_TONES = ("", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323")
_VOWELS = "aăâeêioôơuưy"
_VIETNAMESE = frozenset(nfc(base + tone) for vowel in _VOWELS for base in (vowel, vowel.upper()) for tone in _TONES)
CODE_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./ đĐ") | _VIETNAMESE
# One-line values: a newline or tab in them is a trick, not formatting.
ONE_LINE = frozenset({"code", "title", "name", "unit", "field", "actor", "channel", "level", "agency",
                      "national_code", "decision", "form", "keeper", "retention", "file"})


def code_problem(code: str) -> str | None:
    """Vietnamese reason why ``code`` cannot be a document code, or None."""
    bad = sorted({ch for ch in code if ch not in CODE_CHARACTERS})
    if bad:
        listed = ", ".join(f"«{_char(ch)}» (U+{ord(ch):04X})" for ch in bad[:5])
        return (f"mã hiệu «{shown(code)}» chứa ký tự không được phép: {listed}; chỉ dùng chữ cái Latin, "
                "chữ tiếng Việt, chữ số và các dấu - _ . / và dấu cách")
    if len(code) > MAX_CODE_CHARS:
        return f"mã hiệu dài {len(code)} ký tự, tối đa {MAX_CODE_CHARS}"
    if not slugify(code):
        return f"mã hiệu «{shown(code)}» không có chữ cái hay chữ số nào, không tạo được địa chỉ trang"
    return None


def text_findings(doc: Document) -> list[Finding]:
    """Codes with characters outside the allowed set, and hidden characters in any front-matter text."""
    found = []
    dossier = doc.meta.tthc.dossier if doc.meta.tthc else []
    for key in [("code",), *(("forms", i, "code") for i in range(len(doc.meta.forms))),
                *(("related", i) for i in range(len(doc.meta.related))),
                *(("tthc", "dossier", i, "form") for i, item in enumerate(dossier) if item.form is not None)]:
        value = _value_at(doc.meta, key)
        problem = code_problem(value) if isinstance(value, str) else None
        if problem:
            found.append(Finding(doc.path, doc.line_of(*key), field_name(key), problem, "code"))
    found.extend(hidden_findings(doc.path, doc.meta, doc.line_of, skip=_is_code))
    return found


def _is_code(key: tuple) -> bool:
    """Codes are checked by :func:`code_problem`, the stricter rule."""
    return key[:1] in (("code",), ("related",)) or key[-1] == "form" or (key[:1] == ("forms",) and key[-1] == "code")


def hidden_findings(path: str, meta: BaseModel, line_of: Callable[..., int], one_line: frozenset[str] = ONE_LINE,
                    skip: Callable[[tuple], bool] = lambda key: False) -> list[Finding]:
    """Hidden characters in any front-matter text of ``meta`` (a document's or a record's), located by
    ``line_of``; the fields named in ``one_line`` (and the items of those that are lists) may not carry a newline
    or tab either."""
    found = []
    for key, value in _strings(meta.model_dump(mode="python")):
        hidden = "" if skip(key) else _hidden(value, one_line=_field_of(key) in one_line)
        if hidden:
            found.append(Finding(path, line_of(*key), field_name(key),
                                 f"chứa ký tự điều khiển hoặc ký tự ẩn {hidden} (có thể làm giả nội dung hiển thị)",
                                 "hidden-character"))
    return found


def _field_of(key: tuple) -> str:
    """The field a string is in: an item of a list of strings (``units[1]``) is in the list's field."""
    return next((part for part in reversed(key) if isinstance(part, str)), "")


def _hidden(text: str, one_line: bool) -> str:
    allowed = "" if one_line else "\n\t"
    # Printable text holds no character of these categories (str.isprintable is false for each): most values.
    if (text if one_line else text.replace("\n", "").replace("\t", "")).isprintable():
        return ""
    bad = sorted({ch for ch in text if unicodedata.category(ch) in ("Cc", "Cf", "Cs") and ch not in allowed})
    return ", ".join(f"U+{ord(ch):04X}" for ch in bad[:5])


def _char(ch: str) -> str:
    return ch if unicodedata.category(ch)[0] in "LNPS" else shown(ch)


def _value_at(data: Any, key: tuple) -> Any:
    for part in key:
        data = data[part] if isinstance(part, int) else getattr(data, part)
    return data


def _strings(data: Any, key: tuple = ()) -> Iterator[tuple[tuple, str]]:
    if isinstance(data, str):
        yield key, data
    elif isinstance(data, dict):
        for name, value in data.items():
            yield from _strings(value, (*key, name))
    elif isinstance(data, (list, tuple)):
        for index, value in enumerate(data):
            yield from _strings(value, (*key, index))
