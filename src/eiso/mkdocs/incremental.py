"""Incremental builds through the engine's own "dirty" mode.

MkDocs (and ProperDocs) skip a page in a dirty build when its file reports ``is_modified() == False``. The
plugin decides that per page from :class:`eiso.sites.build_cache.BuildCache`: a generated page whose key and
previous output are unchanged is skipped, every other page (hand-written pages, whose output depends on the
navigation, included) is built. After the build, files the build did not produce are removed, and the folders
left empty, so that a deleted or renamed document leaves nothing behind; the result is byte-identical to a clean
build (hidden entries at the top of the output, such as a deploy checkout's ``.git``, are kept, as by a clean
build).
"""

from __future__ import annotations

import os
from importlib import metadata
from pathlib import Path
from typing import Callable

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files

from eiso import __version__
from eiso.documents.cache import package_fingerprint, signing_key
from eiso.forked import forked_map
from eiso.project import CACHE_DIR
from eiso.search.model import StoredEntry
from eiso.sites.build_cache import BuildCache, CachedPage, digest, remove_stale, tree_digest
from eiso.sites.intranet import PlannedPage
from eiso.sites.renderer.identity import Identities

_ENVIRONMENT = ("EISO_AS_OF", "EISO_DRAFT_PREVIEW", "CI_MERGE_REQUEST_TARGET_BRANCH_NAME", "GITHUB_BASE_REF")


class Incremental:
    def __init__(self, config: MkDocsConfig, root: Path, dirty: bool, live: bool = False):
        """``live``: the page cache also stays in this process for the next build (the live preview)."""
        self.dirty = dirty
        self.site_dir = Path(config.site_dir)
        self.cache = BuildCache.open(root / CACHE_DIR, self.site_dir, _fingerprint(config, root), signing_key(), live)
        self.keys: dict[str, str] = {}
        self.reused_entries: list[StoredEntry] = []
        self.wrappers: dict[str, str] = {}
        self.shown: dict[str, tuple[str, ...]] = {}  # a page -> the documents whose bodies it shows (fingerprints)
        self.outputs: dict[str, Path] = {}  # a generated page's output file, by source URI

    def key_pages(self, pages: list[PlannedPage], parallel: bool) -> None:
        """Hash what each page puts around its body (in two processes when ``parallel``: no other thread
        runs). The hashes of objects many pages show (a document, a row) are shared within a process."""
        identities = Identities()

        def identity(page: PlannedPage) -> tuple[str, tuple[str, ...]]:
            return page.identity(identities), tuple(sorted(identities.shown))

        hashed = forked_map(identity, pages) if parallel else [identity(page) for page in pages]
        self.wrappers = {page.src_uri: wrapper for page, (wrapper, _) in zip(pages, hashed)}
        self.shown = {page.src_uri: shown for page, (_, shown) in zip(pages, hashed) if shown}

    def plan_file(self, page: PlannedPage, source: str, file: File) -> bool:
        """Key the page (hashed by :meth:`key_pages`) and tell the engine whether to build it; True when it
        is reused."""
        key = self.cache.page_key(page.src_uri, source, self.wrappers.pop(page.src_uri))
        self.keys[page.src_uri] = key
        output = self.outputs[page.src_uri] = Path(file.abs_dest_path)
        cached = self.cache.reusable(page.src_uri, key, output) if self.dirty else None
        _set_modified(file, cached is None)
        if cached is not None and cached.entry:
            self.reused_entries.append(StoredEntry(str(cached.location), cached.entry))
        return cached is not None

    def unchanged(self, files: list[File]) -> dict[str, CachedPage] | None:
        """The previous build's pages of ``files``, if all are still in the output as it wrote them (a build that
        takes the previous plan cannot make them again); None otherwise."""
        found = {}
        for file in files:
            cached = self.cache.unchanged(file.src_uri, None, Path(file.abs_dest_path)) if self.dirty else None
            if cached is None:
                return None
            found[file.src_uri] = cached
        return found

    def reuse(self, file: File, cached: CachedPage) -> None:
        """Keep the previous build's page of ``file`` (found by :meth:`unchanged`), under its previous key."""
        self.outputs[file.src_uri] = Path(file.abs_dest_path)
        self.cache.keep(file.src_uri, cached)
        self.keys[file.src_uri] = cached.key
        _set_modified(file, False)
        if cached.entry:
            self.reused_entries.append(StoredEntry(str(cached.location), cached.entry))

    def keep_output(self, file: File) -> None:
        """Leave a file the previous build wrote (and the caller checked) as it is."""
        _set_modified(file, False)

    def other_file(self, file: File) -> None:
        if file.is_documentation_page():
            _set_modified(file, True)  # their output depends on the navigation: always built

    def page_written(self, src_uri: str, output: str, entry: StoredEntry | None) -> None:
        if src_uri in self.keys:
            data = output.encode("utf-8", errors="xmlcharrefreplace")  # as the engine writes it
            self.cache.record(src_uri, self.keys[src_uri], data, entry)

    def previous_output(self, uri: str) -> bytes | None:
        """What the previous build wrote as ``uri`` (a search file), if the file is still that."""
        return self.cache.previous_output(uri, self.site_dir / uri) if self.dirty else None

    def output_written(self, uri: str, sha: str) -> None:
        """Note a file the build wrote that is not a page (a search file), by its sha256."""
        self.cache.record_output(uri, sha)

    def finish(self, files: Files, extra_outputs: Callable[[], set[str]]) -> None:
        """Save the page cache and remove what the build no longer makes; ``extra_outputs()`` writes the other
        outputs (the search index, made in another process) and names them: called while the cache is
        written."""
        self.cache.sign(self.outputs)
        extra: set[str] = set()
        self.cache.save(lambda: extra.update(extra_outputs()))
        if self.dirty:
            expected = {f.dest_uri for f in files} | extra | {"404.html", "sitemap.xml", "sitemap.xml.gz"}
            remove_stale(self.site_dir, expected)


def _set_modified(file: File, modified: bool) -> None:
    # The engine asks the file; an instance attribute answers for this build only.
    file.is_modified = (lambda: True) if modified else (lambda: False)  # type: ignore[method-assign]


def _fingerprint(config: MkDocsConfig, root: Path) -> str:
    """What every page of this site shares: code, engine, configuration, theme, hand-written pages."""
    versions = [f"{name}={_version(name)}" for name in ("mkdocs", "properdocs", "mkdocs-material", "markdown",
                                                        "pymdown-extensions")]
    configs = sorted(root.glob("*.yml"))
    environment = [f"{name}={os.environ.get(name, '')}" for name in _ENVIRONMENT]
    return digest(__version__, *versions, *environment, str(config.site_url), str(config.site_dir),
                  *[path.read_bytes() for path in configs], package_fingerprint(),
                  tree_digest([Path(config.docs_dir)] + ([Path(config.theme.custom_dir)]
                                                         if config.theme.custom_dir else [])))


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "-"
