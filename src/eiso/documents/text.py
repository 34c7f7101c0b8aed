"""Text helpers shared by the whole core: Unicode normalisation, accent folding, slugs."""

from __future__ import annotations

import re
import unicodedata

_NON_SLUG = re.compile(r"[^a-z0-9]+")


def nfc(text: str) -> str:
    """Return ``text`` in Unicode NFC, the one form every comparison in e-ISO uses."""
    return unicodedata.normalize("NFC", text)


def fold(text: str) -> str:
    """Lower-case ``text`` and remove Vietnamese accents (``đ`` becomes ``d``)."""
    decomposed = unicodedata.normalize("NFD", text.lower())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return nfc(stripped.replace("đ", "d"))


def slugify(code: str) -> str:
    """Slug of a document code, as fixed by DESIGN.md: ``QT 01/CX-HCTP`` -> ``qt-01-cx-hctp``."""
    return _NON_SLUG.sub("-", fold(nfc(code))).strip("-")


def heading_slug(value: str, separator: str = "-") -> str:
    """Anchor of a heading (Python-Markdown's ``toc`` ``slugify``): accents removed, ``đ`` kept as ``d``.

    ``1. Mục đích`` -> ``1-muc-dich`` (the default slugify drops ``đ``: ``1-muc-ich``).
    """
    return _NON_SLUG.sub(separator, fold(nfc(value))).strip(separator)
