"""Text helpers shared by the whole core: Unicode normalisation, accent folding, slugs."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_NON_SLUG = re.compile(r"[^a-z0-9]+")


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
