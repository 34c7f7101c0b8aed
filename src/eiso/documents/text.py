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


def fold(text: str) -> str:
    """Lower-case ``text`` and remove Vietnamese accents (``đ`` becomes ``d``)."""
    # Codes, titles, units and fields are folded again and again (sorting, slugs, lookups); long texts are not.
    return _fold_short(text) if len(text) <= 256 else _fold(text)


@lru_cache(maxsize=65536)
def _fold_short(text: str) -> str:
    return _fold(text)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.lower())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return nfc(stripped.replace("đ", "d"))


@lru_cache(maxsize=65536)
def slugify(code: str) -> str:
    """Slug of a document code, as fixed by DESIGN.md: ``QT 01/CX-HCTP`` -> ``qt-01-cx-hctp``."""
    return _NON_SLUG.sub("-", fold(nfc(code))).strip("-")


def shown(text: str, limit: int | None = 80) -> str:
    """Untrusted text for a message or a terminal: control and format characters escaped
    (``\\u001b``, ``\\u202e``), long text shortened (``limit=None``: never)."""
    part = text if limit is None else text[:limit]
    escaped = "".join(f"\\u{ord(ch):04x}" if unicodedata.category(ch) in _HIDDEN else ch for ch in part)
    return escaped + ("…" if limit is not None and len(text) > limit else "")
