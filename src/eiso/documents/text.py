"""Text helpers shared by the whole core: Unicode normalisation, accent folding, slugs."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_NON_SLUG = re.compile(r"[^a-z0-9]+")
_HIDDEN = ("Cc", "Cf", "Cs", "Co", "Cn")  # control, format (bidi, zero-width), surrogate, private, unassigned


def nfc(text: str) -> str:
    """Return ``text`` in Unicode NFC, the one form every comparison in e-ISO uses."""
    return unicodedata.normalize("NFC", text)


# What Word, web pages and PDFs put in a code ("số, ký hiệu") in place of the keyboard's characters: dashes
# (hyphen, non-breaking hyphen, en and em dash, minus), Ð (eth, which old Vietnamese fonts give for Đ), other slashes.
_CODE_CHARS = {**dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d"), "-"),
               ord("\u00d0"): "Đ", ord("\u00f0"): "đ", ord("\uff0f"): "/", ord("\u2044"): "/"}


@lru_cache(maxsize=65536)  # the same codes come back in every document (legal bases, forms)
def code_text(code: str) -> str:
    """A code as typed on a keyboard: NFC, those characters replaced, no whitespace and no invisible characters
    (zero-width space, soft hyphen, BOM), so that one code copied from anywhere is one code."""
    text = nfc(code).translate(_CODE_CHARS)
    return "".join(char for char in text if not char.isspace() and unicodedata.category(char) not in ("Cf", "Cc"))


class _WithoutMarks(dict):
    """``str.translate`` table that deletes combining marks, filled as characters are met."""

    LIMIT = 65_536  # distinct characters remembered; hostile text cannot grow it further

    def __missing__(self, code: int) -> str:
        value = "" if unicodedata.combining(chr(code)) else chr(code)
        if len(self) < self.LIMIT:
            self[code] = value
        return value


_WITHOUT_MARKS = _WithoutMarks()


def fold(text: str) -> str:
    """Lower-case ``text`` and remove Vietnamese accents (``đ`` becomes ``d``)."""
    # Codes, titles, units and fields are folded again and again (sorting, slugs, lookups); long texts are not.
    return _fold_short(text) if len(text) <= 256 else _fold(text)


def fold_order(text: str) -> tuple[str, str]:
    """Sort key: folded text first, the text itself breaking ties (so a set sorts the same in every run)."""
    return fold(text), text


@lru_cache(maxsize=65536)
def _fold_short(text: str) -> str:
    return _fold(text)


def _fold(text: str) -> str:
    # translate() walks the text in C; a per-character generator cost most of `eiso check`'s time.
    stripped = unicodedata.normalize("NFD", text.lower()).translate(_WITHOUT_MARKS)
    return nfc(stripped.replace("đ", "d"))


@lru_cache(maxsize=65536)
def slugify(code: str) -> str:
    """Slug of a document code, as fixed by DESIGN.md: ``QT 01/CX-HCTP`` -> ``qt-01-cx-hctp``."""
    return _NON_SLUG.sub("-", fold(nfc(code))).strip("-")


def heading_slug(value: str, separator: str = "-") -> str:
    """Anchor of a heading (Python-Markdown's ``toc`` ``slugify``): accents removed, ``đ`` kept as ``d``.

    ``1. Mục đích`` -> ``1-muc-dich`` (the default slugify drops ``đ``: ``1-muc-ich``).
    """
    return _NON_SLUG.sub(separator, fold(nfc(value))).strip(separator)


def shown(text: str, limit: int | None = 80) -> str:
    """Untrusted text for a message or a terminal: control and format characters escaped
    (``\\u001b``, ``\\u202e``), long text shortened (``limit=None``: never)."""
    part = text if limit is None else text[:limit]
    escaped = "".join(f"\\u{ord(ch):04x}" if unicodedata.category(ch) in _HIDDEN else ch for ch in part)
    return escaped + ("…" if limit is not None and len(text) > limit else "")
