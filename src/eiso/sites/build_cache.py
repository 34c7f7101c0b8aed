"""What an incremental build may reuse from the previous one: pages whose every input is unchanged.

A generated page's output is fixed by three things: its source (the Markdown handed to the engine, with
our own front matter), what e-ISO puts around the body (the header block, revision table, banners, links to
other documents — the template and every value it is given, see ``PlannedPage.identity``),
and what is the same for every page (package and engine versions, configuration, theme overrides,
navigation, as-of date). The page's *key* hashes all three. When the key, and the file the previous build
wrote, are both unchanged, the engine may skip the page and its search entry is taken from the cache.

Nothing here trusts the cache blindly: an output file that was edited or removed since, a cache written by
another version or for another output folder, or a damaged cache file, all make the page count as changed.
A file is known unchanged by its *signature* (size, modification and change times, inode: what git's index
keeps), else by the hash of its bytes: writing a file — by hand, by a checkout of committed output — gives it
a new change time, which no user can set back.
The cache lives in ``.eiso-cache/`` (git-ignored) and only ever holds hashes and search entries. It is signed
with this user's key like the documents cache: a merge request can commit both a page into the output folder
and a cache that names that page as the previous build's, and such a page must never be kept.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from eiso.documents.cache import read_signed, write_signed_stream
from eiso.filestate import file_signature, settled
from eiso.search.model import StoredEntry

#: A header line (with the number of pages), a line per page (its fields and its search entry's length), the pages'
#: search entries one after the other, then the other outputs' line. The entries apart: a rebuild reads the
#: lines and leaves the entries (most of the file) where they are, unread.
FORMAT = 8
_CONTEXT = b"eiso-pages-1"


def digest(*parts: str | bytes) -> str:
    hasher = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        hasher.update(len(data).to_bytes(8, "big"))  # length-prefixed: ("ab", "c") differs from ("a", "bc")
        hasher.update(data)
    return hasher.hexdigest()


def tree_digest(folders: Iterable[Path], suffixes: tuple[str, ...] = ()) -> str:
    """Hash of every file's path and bytes under ``folders`` (code, templates, theme overrides)."""
    parts: list[str | bytes] = []
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
            if not suffixes or path.suffix in suffixes:
                parts += [path.relative_to(folder).as_posix(), path.read_bytes()]
    return digest(*parts)


#: The live preview builds into a new temporary folder at each start: what the cache folder keeps for it has one
#: name, not one more per session.
LIVE_SITE = "serve"


def site_key(site_dir: Path, live: bool = False) -> str:
    """How the cache folder names what it keeps for one output folder (``live``: the live preview's)."""
    return LIVE_SITE if live else digest(str(site_dir.resolve()))[:16]


@dataclass
class CachedPage:
    key: str
    output: str  # sha256 of the file written
    entry: bytes | memoryview = b""  # the page's search entry (StoredEntry.packed), if it has one
    signature: list[int] | None = None  # the output file's, once written (eiso.filestate)
    location: str | None = None  # the search entry's

    def fields(self) -> dict[str, Any]:
        return {"key": self.key, "output": self.output, "signature": self.signature, "location": self.location}


#: The last cache each output folder saved in this process (the live preview builds again at every edit).
_LIVE: dict[tuple[str, str], tuple[dict[str, CachedPage], dict[str, str]]] = {}


@dataclass
class BuildCache:
    """The cache of one output folder."""

    path: Path
    fingerprint: str  # what every page shares
    key: bytes | None = None  # this user's signing key; without one, nothing is reused or saved
    pages: dict[str, CachedPage] = field(default_factory=dict)  # previous build, by source URI
    fresh: dict[str, CachedPage] = field(default_factory=dict)  # this build
    extras: dict[str, str] = field(default_factory=dict)  # previous build: other outputs' sha256, by URI
    fresh_extras: dict[str, str] = field(default_factory=dict)  # this build
    live: bool = False  # kept in this process for the next build, which reads it rather than the file

    @classmethod
    def open(cls, cache_dir: Path, site_dir: Path, fingerprint: str, key: bytes | None, live: bool = False
             ) -> "BuildCache":
        path = cache_dir / f"pages-{site_key(site_dir, live)}.json"
        cache = cls(path, fingerprint, key, live=live and key is not None)
        held = _LIVE.get((str(path), fingerprint)) if cache.live else None
        if held is not None:
            cache.pages, cache.extras = dict(held[0]), dict(held[1])
            return cache
        payload = read_signed(path, key, _CONTEXT) if key is not None else None
        if payload is None:
            return cache  # none, or not this user's: everything is built
        try:
            cache.pages, cache.extras = _read(payload, fingerprint)
        except (ValueError, TypeError, KeyError, AttributeError):
            cache.pages, cache.extras = {}, {}  # signed but of another shape (another version): all is built
        return cache

    def page_key(self, src_uri: str, source: str, wrapper: str) -> str:
        return digest(self.fingerprint, src_uri, source, wrapper)

    def reusable(self, src_uri: str, key: str, output: Path) -> CachedPage | None:
        """The previous build's page, if its key matches and its output file is still what was written; kept for
        the next build."""
        cached = self.unchanged(src_uri, key, output)
        if cached is not None:
            self.keep(src_uri, cached)
        return cached

    def keep(self, src_uri: str, cached: CachedPage) -> None:
        """Keep a page found :meth:`unchanged` for the next build."""
        self.fresh[src_uri] = cached

    def unchanged(self, src_uri: str, key: str | None, output: Path) -> CachedPage | None:
        """:meth:`reusable` (``key`` None: whatever the page's key), without keeping anything."""
        cached = self.pages.get(src_uri)
        if cached is None or (key is not None and cached.key != key):
            return None
        signature = file_signature(output)
        if cached.signature is None or signature is None or list(signature) != cached.signature:
            try:
                if hashlib.sha256(output.read_bytes()).hexdigest() != cached.output:
                    return None
            except OSError:
                return None
        return cached

    def previous_output(self, uri: str, output: Path) -> bytes | None:
        """The bytes of ``output`` if the previous build wrote them as ``uri`` (not a page: a search file)."""
        sha = self.extras.get(uri)
        try:
            data = output.read_bytes() if sha is not None else None
        except OSError:
            return None
        return data if data is not None and hashlib.sha256(data).hexdigest() == sha else None

    def record_output(self, uri: str, sha: str) -> None:
        """Note another output file (not a page) by the sha256 of what was written."""
        self.fresh_extras[uri] = sha

    def sign(self, pages: dict[str, Path]) -> None:
        """Note the signatures of the pages' files this build left (``pages``: by source URI)."""
        now = time.time_ns()  # a file written since is hashed by the next build (racy)
        for uri, path in pages.items():
            if uri in self.fresh:
                signature = file_signature(path)
                self.fresh[uri].signature = list(signature) if signature and settled(signature, now) else None

    def record(self, src_uri: str, key: str, output: bytes, entry: StoredEntry | None) -> None:
        self.fresh[src_uri] = CachedPage(key, hashlib.sha256(output).hexdigest(), entry.packed if entry else b"",
                                         location=entry.location if entry else None)

    def save(self, meanwhile: Callable[[], object] = lambda: None) -> None:
        """Write the cache. ``meanwhile`` is called once, after the pages' lines and before the other outputs'
        (which it may still record): the search index, made in another process, is waited for while this one
        writes."""
        called: list[bool] = []

        def write(out: Any) -> None:
            self._write_pages(out)
            called.append(True)
            meanwhile()
            out.write(_line(dict(sorted(self.fresh_extras.items()))))

        if self.key is not None:
            write_signed_stream(self.path, self.key, _CONTEXT, write)
        if not called:  # no key, or a folder that cannot be written
            meanwhile()
        if self.live and self.key is not None:
            _LIVE[(str(self.path), self.fingerprint)] = (dict(self.fresh), dict(self.fresh_extras))

    def _write_pages(self, out: Any) -> None:
        # Written as made: at 10,000 pages with their search texts, one JSON document would be hundreds of
        # megabytes in memory twice over (the text, then its bytes).
        pages = sorted(self.fresh.items())
        out.write(_line({"format": FORMAT, "fingerprint": self.fingerprint, "pages": len(pages)}))
        for uri, page in pages:
            out.write(_line([uri, page.fields(), len(page.entry)]))
        for _, page in pages:
            out.write(page.entry)


def _line(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"


def _read(payload: bytes, fingerprint: str) -> tuple[dict[str, CachedPage], dict[str, str]]:
    """The pages and other outputs of a cache file (see :data:`FORMAT`); its entries are views of ``payload``."""
    end = payload.index(b"\n")
    head = json.loads(payload[:end])
    if head != {"format": FORMAT, "fingerprint": fingerprint, "pages": head.get("pages")}:
        return {}, {}
    rows = []
    for _ in range(int(head["pages"])):
        start, end = end + 1, payload.index(b"\n", end + 1)
        rows.append(json.loads(payload[start:end]))
    view, position, pages = memoryview(payload), end + 1, {}
    for uri, fields, size in rows:
        if not isinstance(size, int) or size < 0 or position + size > len(payload):
            raise ValueError("entry out of the file")
        pages[str(uri)] = CachedPage(**fields, entry=view[position:position + size])
        position += size
    extras = json.loads(payload[position:])
    return pages, {str(uri): str(sha) for uri, sha in extras.items()}


def remove_stale(site_dir: Path, expected: set[str]) -> None:
    """Remove what this build did not produce from the output folder: a deleted or renamed document's files,
    and the folders left empty, so that it holds what a clean build of the same commit holds.

    ``expected``: the produced files' paths relative to ``site_dir``, with ``/``. Hidden entries at the top
    (``.git``, ``.nojekyll``) are kept, as the engine's clean build keeps them.
    """
    _remove_stale_in(str(site_dir), "", expected)


def _remove_stale_in(folder: str, prefix: str, expected: set[str]) -> bool:
    """Remove the unexpected files below ``folder`` (``prefix``: its path in the output) and the folders left
    empty; True when ``folder`` is empty afterwards. Links are removed or kept as files, never followed."""
    empty = True
    with os.scandir(folder) as entries:
        listed = list(entries)
    for entry in listed:
        if not prefix and entry.name.startswith("."):
            empty = False
            continue
        if entry.is_dir(follow_symlinks=False):
            if _remove_stale_in(entry.path, f"{prefix}{entry.name}/", expected):
                try:
                    os.rmdir(entry.path)
                    continue
                except OSError:
                    pass
            empty = False
        elif prefix + entry.name in expected:
            empty = False
        else:
            os.unlink(entry.path)
    return empty
