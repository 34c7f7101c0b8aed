"""The site's search index written into the output folder, for the plugin (the index itself: :mod:`eiso.search`).

The index is made and written in a forked copy while the pages are put into the theme: only each file's
digest travels back, for the page cache. Material's ``search/search_index.json`` is left to the build's own
process, which writes it over the one Material's plugin would have written.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from eiso.documents.cache import DocumentCache
from eiso.mkdocs.incremental import Incremental
from eiso.search import SEARCH_DIR, build_search_files
from eiso.search.model import StoredEntry
from eiso.search.update import PreviousIndex

SEARCH_INDEX = f"{SEARCH_DIR}/search_index.json"  # Material's file, which e-ISO writes over


@dataclass(frozen=True)
class WrittenSearch:
    """The search index's files, written: each one's sha256, by path, and Material's file, left to write."""

    digests: dict[str, str]
    index: bytes | None


def write_search_files(entries: list[StoredEntry], memo: DocumentCache, incremental: Incremental | None,
                       site_dir: Path) -> WrittenSearch:
    """Make the index of ``entries`` and write its files, but Material's; a file the previous build left as
    it is now is not written again."""
    previous = None
    if incremental is not None and incremental.dirty:
        previous = PreviousIndex(incremental.previous_output,
                                 frozenset(entry.location for entry in incremental.reused_entries), SEARCH_DIR)
    in_place: set[str] = set()  # files found as the previous build wrote them, with the bytes to write

    def previous_twin(uri: str, data: bytes) -> bytes | None:
        # The gzip twin the previous build wrote beside ``uri``, when both files are still as it left them
        # and ``uri`` holds ``data``.
        if incremental is None or incremental.previous_output(uri) != data:
            return None
        in_place.add(uri)
        twin = incremental.previous_output(uri + ".gz")
        if twin is not None:
            in_place.add(uri + ".gz")
        return twin

    files = build_search_files(entries, lang="vi", memo=memo, reuse=previous_twin, previous=previous)
    memo.save()
    for uri, content in files.items():
        if uri != SEARCH_INDEX and uri not in in_place:
            (site_dir / uri).parent.mkdir(parents=True, exist_ok=True)
            (site_dir / uri).write_bytes(content)
    return WrittenSearch({uri: hashlib.sha256(content).hexdigest() for uri, content in files.items()},
                         files.get(SEARCH_INDEX))


def note_search_files(written: WrittenSearch | None, incremental: Incremental | None, site_dir: Path) -> set[str]:
    """Write Material's ``search_index.json`` (the index's other files are written by now) and note them all in
    the page cache; return their paths."""
    if written is None:
        return set()
    if written.index is not None:
        (site_dir / SEARCH_INDEX).parent.mkdir(parents=True, exist_ok=True)
        (site_dir / SEARCH_INDEX).write_bytes(written.index)
    if incremental is not None:
        for uri, sha in written.digests.items():
            incremental.output_written(uri, sha)
    return set(written.digests)
