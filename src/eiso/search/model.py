"""What the search index is built from: one entry per searchable page."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SearchEntry:
    location: str  # URL relative to site root, e.g. "quy-trinh/qt-ht-01/"
    title: str
    text: str  # plain text of the page body (already stripped of HTML)
    codes: tuple[str, ...] = ()  # document code, national code, form codes, legal-basis codes
    meta: tuple[tuple[str, str], ...] = ()  # short labels shown in the result, e.g. (("Mã", "QT-HT-01"), ("Cấp", "Cấp xã"))
