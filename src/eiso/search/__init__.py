"""Vietnamese-aware, prebuilt search index for the e-ISO portals.

Engine-independent (no MkDocs import). The MkDocs plugin calls
:func:`build_search_files` with the pages to index and writes the returned files
into the built site, *after* Material's search plugin has written its own
``search/search_index.json`` (which ours replaces). The browser side keeps
Material's search box, result list, keyboard shortcuts and highlighting: only the
web worker behind them changes: ``overrides/partials/eiso-search-start.html``
(included in ``<head>`` by ``main.html`` and by ``partials/search.html``; it runs
once) starts this worker before Material's bundle and hands it to the bundle in
place of Material's own.

Files written (paths relative to the site root)::

    search/search_index.json          Material's contract: config only, no docs
    search/eiso-search-worker.js      worker speaking Material's search protocol: lunr.js
                                      2.3.9 (MIT, the version lunr.py targets) + the
                                      Vietnamese pipeline (twin of pipeline.py) + ranking
    search/eiso-docs.<hash>.json(.gz)       what results show, field lengths, the shard table
    search/eiso-titles-<k>.<hash>.json(.gz) term shards of titles, bigrams, accents, codes
    search/eiso-bodies-<k>.<hash>.json(.gz) term shards of page bodies
    search/eiso-excerpts.<hash>.json(.gz)   a short text per page (after the first answer)

A query fetches the docs file and the term shards holding its words, nothing else
(:mod:`eiso.search.index`).

Security contract: titles, texts and labels are untrusted. They are stored as plain
text in JSON and the worker escapes every one of them before it builds the HTML
that Material inserts (``<mark>`` around matches is the only markup it adds).
Locations must be site-relative URLs (checked here, and again in the worker).
"""

from __future__ import annotations

import gzip
import hashlib
import json
from importlib import resources
from pathlib import Path
from typing import Callable, Sequence

from eiso.search.model import SearchEntry
from eiso.search.update import STATE, PreviousIndex

#: Sources of the worker, concatenated into one file (one request, no importScripts).
WORKER_SOURCES = ("lunr.min.js", "eiso-pipeline.js", "eiso-search-worker.js")
SEARCH_DIR = "search"
WORKER_PATH = f"{SEARCH_DIR}/eiso-search-worker.js"
#: Material's own default separator: used by its on-page highlighter (``?h=``).
MATERIAL_SEPARATOR = r"[\s\-]+"


def _json(data: object) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")


def _asset(name: str) -> bytes:
    return resources.files(__package__).joinpath("assets", name).read_bytes()


def worker_bundle(docs: dict | None = None) -> bytes:
    """The worker as the site serves it: lunr.js 2.3.9, the pipeline, the worker logic.

    With ``docs`` (the docs file's names), the bundle starts by naming it, so the worker
    fetches it the moment it starts, without waiting for ``search_index.json``.
    """
    parts = [_asset(name).rstrip(b"\n") for name in WORKER_SOURCES]
    if docs is not None:
        parts.insert(0, b"self.EISO_SEARCH = " + _json({"format": 2, "docs": docs}) + b"")
    return b"\n;\n".join(parts) + b"\n"


#: ``reuse(path, data)``: the gzip twin of the file ``path`` that the previous build wrote with these very
#: bytes, if it is known to be unchanged; None otherwise.
Reuse = Callable[[str, bytes], "bytes | None"]


def build_search_files(entries: Sequence[SearchEntry], lang: str = "vi", shard_bytes: int | None = None,
                       memo: object | None = None, parallel: bool = False, reuse: Reuse | None = None,
                       previous: PreviousIndex | None = None) -> dict[str, bytes]:
    """Files to write into the site, keyed by path relative to the site root.

    Deterministic: the same entries (in any order) give byte-identical files.
    ``shard_bytes`` (default: per set, :data:`eiso.search.index.SHARD_BYTES`) is lowered by tests
    so that a small site is cut into several term shards. ``memo``: a
    :class:`eiso.documents.cache.DocumentCache` of each entry's terms; ``parallel``: counted in two processes
    (see ``BuiltIndex``); ``reuse``: an incremental build's unchanged compressed files (most of the
    shards after an edit of one page), taken rather than compressed again; ``previous``: the previous build's
    index, which a rebuild changes where entries changed rather than making it anew (with ``memo``).
    """
    from eiso.search.index import SETS, TERMS_SCOPE, BuiltIndex
    from eiso.search.shards import KeptShard

    built = BuiltIndex(entries, shard_bytes, memo, parallel, previous)  # type: ignore[arg-type]
    files: dict[str, bytes] = {}
    shard_names: dict[str, list[str]] = {}
    for set_name in SETS:
        shard_names[set_name] = [
            _add_file(files, f"{set_name}-{k}", shard, 6, reuse,
                      shard.raw if isinstance(shard, KeptShard) else None)["json"]
            for k, shard in enumerate(built.term_shards(set_name))]
    excerpts = _add_file(files, "excerpts", built.excerpts_file(), 9, reuse)["json"] if built.docs else None
    docs = _add_file(files, "docs", built.docs_file(shard_names, excerpts), 9, reuse)
    if memo is not None and built.keys:  # what the next build's index may start from
        memo.note(STATE, TERMS_SCOPE, {"docs": docs["json"],  # type: ignore[attr-defined]
                                       "keys": {e.location: k for e, k in zip(built.entries, built.keys)}})
    files[WORKER_PATH] = worker_bundle(docs)
    material_index = {
        "config": {
            "lang": [lang],
            "separator": MATERIAL_SEPARATOR,
            "pipeline": [],
            "fields": {},
            "eiso": {"format": 2, "documents": len(built.docs), "docs": docs},
        },
        "docs": [],
    }
    files[f"{SEARCH_DIR}/search_index.json"] = _json(material_index)
    return dict(sorted(files.items()))


def _add_file(files: dict[str, bytes], name: str, data: object, level: int = 9, reuse: Reuse | None = None,
              raw: bytes | None = None) -> dict[str, str]:
    """Write ``data`` as ``eiso-<name>.<hash>.json`` and its gzip twin (what the worker fetches
    when the browser can decompress); the hash in the name lets browsers cache it for good.
    Level 9 for the docs and excerpts files (read by every search); 6 for the term shards: on a title shard
    of 800 KB (2,000 procedures), level 9 takes five times as long, a fifth of a second at every edit, for 2 %
    less to download.
    ``raw``: ``data`` already serialised (by the previous build)."""
    raw = raw if raw is not None else _json(data)
    base = f"eiso-{name}.{hashlib.sha256(raw).hexdigest()[:12]}.json"
    files[f"{SEARCH_DIR}/{base}"] = raw
    previous = reuse(f"{SEARCH_DIR}/{base}", raw) if reuse is not None else None
    files[f"{SEARCH_DIR}/{base}.gz"] = previous if previous is not None else gzip.compress(raw, compresslevel=level,
                                                                                            mtime=0)
    return {"json": base, "gz": f"{base}.gz"}


def indexed_documents(site_dir: str | Path) -> list[dict[str, object]]:
    """What a built site's search index holds: ``{"location", "title", "labels"}`` per page.

    For tests and checks (Material's ``search_index.json`` no longer lists the pages).
    """
    search = Path(site_dir) / SEARCH_DIR
    config = json.loads((search / "search_index.json").read_text(encoding="utf-8"))["config"]
    docs = json.loads((search / config["eiso"]["docs"]["json"]).read_text(encoding="utf-8"))
    return [{"location": d[0], "title": d[1], "labels": d[2]} for d in docs["docs"]]


__all__ = ["SearchEntry", "build_search_files", "indexed_documents", "worker_bundle"]
