"""What the search index is built from: one entry per searchable page."""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass


@dataclass(frozen=True)
class SearchEntry:
    location: str  # URL relative to site root, e.g. "quy-trinh/qt-ht-01/"
    title: str
    text: str  # plain text of the page body (already stripped of HTML)
    codes: tuple[str, ...] = ()  # document code, national code, form codes, legal-basis codes
    meta: tuple[tuple[str, str], ...] = ()  # short labels shown in the result, e.g. (("Mã", "QT-HT-01"), ("Cấp", "Cấp xã"))


def entry_json(entry: SearchEntry) -> str:
    """Everything an entry holds, as JSON: what decides its terms (the terms cache's key) and what is stored."""
    return json.dumps([entry.location, entry.title, entry.text, list(entry.codes), [list(pair) for pair in entry.meta]],
                      ensure_ascii=False)


class StoredEntry:
    """An entry kept as its JSON (:func:`entry_json`), compressed: a tenth of the memory of its text (the pages'
    texts held until the index is made were 140 MB at 10,000 documents), read only when more than its location
    is asked for. A rebuild's index needs no more of an unchanged page (:mod:`eiso.search.update`). Read anew at
    each :meth:`entry`, never kept read: a caller needing several fields asks once (see :func:`plain`)."""

    __slots__ = ("location", "packed")

    def __init__(self, location: str, packed: bytes | memoryview):
        self.location, self.packed = location, packed

    @classmethod
    def of(cls, entry: SearchEntry) -> "StoredEntry":
        return cls(entry.location, zlib.compress(entry_json(entry).encode("utf-8", "surrogatepass"), 1))

    def json(self) -> str:
        return zlib.decompress(self.packed).decode("utf-8", "surrogatepass")

    def entry(self) -> SearchEntry:
        location, title, text, codes, meta = json.loads(self.json())
        return SearchEntry(location, title, text, tuple(codes), tuple(tuple(pair) for pair in meta))

    def __getattr__(self, name: str):
        if name in ("title", "text", "codes", "meta"):
            return getattr(self.entry(), name)
        raise AttributeError(name)


def plain(entry: "SearchEntry | StoredEntry") -> SearchEntry:
    """The entry itself, read once."""
    return entry.entry() if isinstance(entry, StoredEntry) else entry
