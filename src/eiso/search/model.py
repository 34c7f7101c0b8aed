"""What the search index is built from: one entry per searchable page."""

from __future__ import annotations

import json
from dataclasses import dataclass


@dataclass(frozen=True)
class SearchEntry:
    location: str  # URL relative to site root, e.g. "quy-trinh/qt-ht-01/"
    title: str
    text: str  # plain text of the page body (already stripped of HTML)
    codes: tuple[str, ...] = ()  # document code, national code, form codes, legal-basis codes
    meta: tuple[tuple[str, str], ...] = ()  # short labels shown in the result, e.g. (("Mã", "QT-HT-01"), ("Cấp", "Cấp xã"))


class StoredEntry:
    """An entry as the previous build stored it (its JSON): read only when more than its location is asked for.
    A rebuild's index needs no more of an unchanged page (:mod:`eiso.search.update`), and reading 2,000 page
    texts back was a tenth of a rebuild."""

    __slots__ = ("location", "_data", "_entry")

    def __init__(self, location: str, data: bytes | memoryview):
        self.location, self._data, self._entry = location, data, None

    def entry(self) -> SearchEntry:
        if self._entry is None:
            found = json.loads(bytes(self._data))
            self._entry = SearchEntry(found["location"], found["title"], found["text"], tuple(found["codes"]),
                                      tuple(tuple(pair) for pair in found["meta"]))
        return self._entry

    def __getattr__(self, name: str):
        if name in ("title", "text", "codes", "meta"):
            return getattr(self.entry(), name)
        raise AttributeError(name)
