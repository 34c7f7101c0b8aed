"""Vietnamese-aware, prebuilt search index for the e-ISO portals.

Engine-independent (no MkDocs import). The MkDocs plugin calls
:func:`build_search_files` with the pages to index and writes the returned files
into the built site, *after* Material's search plugin has written its own
``search/search_index.json`` (which ours replaces). The browser side keeps
Material's search box, result list, keyboard shortcuts and highlighting: only the
web worker behind them changes (see ``overrides/partials/search.html`` and
:func:`theme_snippet`).

Files written (paths relative to the site root)::

    search/search_index.json          Material's contract: config only, no docs
    search/eiso-search-worker.js      worker speaking Material's search protocol: lunr.js
                                      2.3.9 (MIT, the version lunr.py targets) + the
                                      Vietnamese pipeline (twin of pipeline.py) + ranking
    search/eiso-core.<hash>.json(.gz) titles, bigrams, accents, codes + result data
    search/eiso-text.<hash>.json(.gz) page bodies + excerpts (loaded after the core)

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
from typing import Sequence

from eiso.search.model import SearchEntry

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


def worker_bundle(shards: dict | None = None) -> bytes:
    """The worker as the site serves it: lunr.js 2.3.9, the pipeline, the worker logic.

    With ``shards``, the bundle starts by naming them, so the worker fetches the core
    shard the moment it starts, without waiting for ``search_index.json``.
    """
    parts = [_asset(name).rstrip(b"\n") for name in WORKER_SOURCES]
    if shards is not None:
        parts.insert(0, b"self.EISO_SEARCH = " + _json({"format": 1, "shards": shards}) + b"")
    return b"\n;\n".join(parts) + b"\n"


def build_search_files(entries: Sequence[SearchEntry], lang: str = "vi") -> dict[str, bytes]:
    """Files to write into the site, keyed by path relative to the site root.

    Deterministic: the same entries (in any order) give byte-identical files.
    """
    from eiso.search.index import BuiltIndex

    built = BuiltIndex(entries)
    files: dict[str, bytes] = {}
    shards: dict[str, dict[str, str]] = {}
    for name, shard in (("core", built.core_shard()), ("text", built.text_shard())):
        raw = _json(shard)
        digest = hashlib.sha256(raw).hexdigest()[:12]
        base = f"eiso-{name}.{digest}.json"
        files[f"{SEARCH_DIR}/{base}"] = raw
        # the core shard is on the way to the first result: squeeze it; the text shard
        # loads in the background: level 6 is 1 s faster at 2,000 pages for 4 % more
        level = 9 if name == "core" else 6
        files[f"{SEARCH_DIR}/{base}.gz"] = gzip.compress(raw, compresslevel=level, mtime=0)
        shards[name] = {"json": base, "gz": f"{base}.gz"}
    files[WORKER_PATH] = worker_bundle(shards)
    material_index = {
        "config": {
            "lang": [lang],
            "separator": MATERIAL_SEPARATOR,
            "pipeline": [],
            "fields": {},
            "eiso": {"format": 1, "documents": len(built.docs), "shards": shards},
        },
        "docs": [],
    }
    files[f"{SEARCH_DIR}/search_index.json"] = _json(material_index)
    return dict(sorted(files.items()))


_SNIPPET = """<script>
/* e-ISO search: start the prebuilt-index worker now, and hand it to Material's bundle */
(function (w) {
  var W = w.Worker
  if (!W || W.eiso) return
  var url = "{{ 'search/eiso-search-worker.js' | url }}"
  var stock = /assets\\/javascripts\\/workers\\/search\\.[^\\/]*\\.js(\\?.*)?$/
  var early = null
  try { early = new W(url) } catch (e) { early = null }
  function EisoWorker(u, options) {
    if (!stock.test(String(u))) return new W(u, options)
    var adopted = early || new W(url, options)
    early = null
    w.eisoSearchWorker = adopted  /* eiso.js labels approximate results */
    return adopted
  }
  EisoWorker.prototype = W.prototype
  EisoWorker.eiso = true
  w.Worker = EisoWorker
})(window)
</script>"""


def indexed_documents(site_dir: str | Path) -> list[dict[str, object]]:
    """What a built site's search index holds: ``{"location", "title", "labels"}`` per page.

    For tests and checks (Material's ``search_index.json`` no longer lists the pages).
    """
    search = Path(site_dir) / SEARCH_DIR
    config = json.loads((search / "search_index.json").read_text(encoding="utf-8"))["config"]
    core = json.loads((search / config["eiso"]["shards"]["core"]["json"]).read_text(encoding="utf-8"))
    return [{"location": d[0], "title": d[1], "labels": d[2]} for d in core["docs"]]


def theme_snippet() -> str:
    """Jinja/HTML that a page needs *before* Material's bundle runs.

    It starts the e-ISO worker at once (the index downloads while the page loads)
    and makes Material's ``new Worker(<stock search worker>)`` return that worker.
    ``overrides/partials/eiso-search-start.html`` holds it; ``main.html`` puts it in
    ``<head>`` and ``partials/search.html`` includes it for layouts without that head
    (it runs once). It uses MkDocs' ``url`` filter.
    """
    return _SNIPPET


__all__ = ["SearchEntry", "build_search_files", "indexed_documents", "theme_snippet", "worker_bundle"]
