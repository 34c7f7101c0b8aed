"""The plugin's side of :mod:`eiso.sites.snapshot`: each build's plan noted, the previous one taken when only
document bodies changed since.

Only ``eiso build`` of the intranet notes its plan: not the live preview (its own caches live in its process), not
a merge request's preview, not a site adopting a framework (whose repository would be one more input), and not
when the procedures, records or trusted signers lie outside the repository (their files could not be watched).
"""

from __future__ import annotations

import hashlib
import logging
import os
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable

from mkdocs.config.defaults import MkDocsConfig

from eiso.checks import document_findings
from eiso.control.gitinfo import head_commit
from eiso.documents.findings import Finding
from eiso.documents.loader import load_document
from eiso.documents.model import Document
from eiso.forked import Pending, forked_call
from eiso.mkdocs.incremental import Incremental
from eiso.project import CACHE_DIR
from eiso.sites.build_cache import CachedPage
from eiso.sites.intranet import SitePlan
from eiso.sites.snapshot import (Replan, Snapshot, SnapshotStore, changed_in_inputs, input_signatures, plan_snapshot,
                                 replan, updated_snapshot)

log = logging.getLogger("mkdocs.plugins.eiso")


class PlanNotes:
    """One build's: the input files as they were before it read any, and the plan it notes."""

    def __init__(self, store: SnapshotStore, root: Path, folders: list[str]):
        self.store, self.root = store, root
        # Taken before any file is read: a file edited meanwhile counts as changed at the next build.
        self.inputs = input_signatures(root, folders)
        self.noting: tuple[Snapshot, Pending[dict | None]] | None = None

    @classmethod
    def open(cls, options: Any, config: MkDocsConfig, root: Path, incremental: Incremental, *, command: str,
             preview: bool, framework: object) -> "PlanNotes | None":
        if command not in ("build", "serve") or options.audience != "internal" or preview or framework is not None:
            return None
        folders = _input_folders(options, config, root)
        if folders is None:
            return None
        store = SnapshotStore(root / CACHE_DIR, Path(config.site_dir), incremental.cache.key, live=command == "serve")
        return cls(store, root, folders)

    def note(self, plan: SitePlan, documents: list[Document], findings: list[Finding], incremental: Incremental, *,
             as_of: str, notices: list[str], fork: bool) -> None:
        """Note this build's plan (kept by :meth:`keep` if the build ends without errors); its pages are pickled in a
        forked copy while this process renders them."""
        if any(f.severity == "error" for f in findings):
            self.store.forget()
            return
        store, shown = self.store, incremental.shown
        held = [[(page.src_uri, page) for page in plan.pages if page.src_uri in shown]]

        def write() -> dict | None:
            return store.write_pages(held[0], append=False) if held else None

        written = forked_call(write, len(held[0])) if fork else Pending(write)
        if written.pid is not None:
            held.clear()  # the copy has them: rendered pages are let go here as before
        self.noting = (plan_snapshot(plan, documents, findings, self.inputs, shown, fingerprint=incremental.cache.fingerprint,
                                     as_of=as_of, head=head_commit(self.root), notices=notices), written)

    def take(self, site_dir: Path, incremental: Incremental, as_of: str, kept: Callable[[list[str]], list[Any]]
             ) -> tuple[Snapshot, Replan, list[Any], dict[str, CachedPage]] | None:
        """The previous build's plan, its edited documents' pages planned again, and the engine's files of the
        pages it keeps (``kept(uris)``) with their previous outputs (found unchanged), when only bodies changed."""
        previous = self.store.load()
        if previous is None or previous.fingerprint != incremental.cache.fingerprint or previous.as_of != as_of \
                or previous.head != head_commit(self.root):
            return None
        changed = changed_in_inputs(previous, self.inputs)
        if changed is None or not _outputs_kept(previous, site_dir):
            return None
        replanned = replan(previous, changed, lambda path: load_document(self.root, path),
                           lambda document: document_findings(document, self.root),
                           lambda uri: self.store.page(previous, uri), self.inputs)
        if replanned is None:
            return None
        files = kept([uri for uri in previous.pages if uri not in replanned.pages])
        outputs = incremental.unchanged(files)
        if outputs is None:
            return None
        stored = self.store.write_pages(replanned.pages.items(), append=True)
        self.noting = (updated_snapshot(previous, replanned), Pending(lambda: stored))
        return previous, replanned, files, outputs

    def keep(self) -> None:
        """Keep the plan noted, once its pages are written."""
        if self.noting is not None:
            snapshot, written = self.noting
            self.noting = None
            stored = written.result()
            if stored is None:
                self.store.forget()
            else:
                self.store.save(replace(snapshot, stored=snapshot.stored | stored))

    def keep_or_forget(self) -> None:
        """:meth:`keep` where nobody would hear of a failure (the live preview keeps its plan in the background): a
        plan that cannot be kept is forgotten, and the next build plans everything."""
        try:
            self.keep()
        except Exception as error:  # noqa: BLE001 - a full folder, say: reported, never a traceback
            self.store.forget()
            log.error(f"e-ISO: không lưu được kế hoạch của lần dựng này ({error}); lần dựng sau sẽ dựng đầy đủ")

    def discard(self) -> None:
        """The build failed: no plan of it is kept, nor the previous one (its outputs may be gone)."""
        if self.noting is not None:
            self.noting[1].cancel()
            self.noting = None
        self.store.forget()


def _input_folders(options: Any, config: MkDocsConfig, root: Path) -> list[str] | None:
    """Every folder the plan reads, relative to the repository (whose files directly in it are inputs too); None
    when the procedures, the records or the trusted signers lie outside it."""
    folders = [options.procedures_dir, options.records_dir]
    if options.trusted_signers:
        folders.append(os.path.dirname(str(options.trusted_signers)) or ".")
    inside = [_inside_root(folder, root) for folder in folders]
    if None in inside:
        return None
    # The hand-written pages and the theme are in the site's fingerprint wherever they are.
    extra = (_inside_root(config.docs_dir, root), _inside_root(config.theme.custom_dir or ".", root))
    return [folder for folder in inside if folder] + [folder for folder in extra if folder]


def _inside_root(folder: str, root: Path) -> str | None:
    """``folder`` (absolute, or relative to the repository) relative to the repository ("" for the repository
    itself); None when outside it."""
    path, top = (root / folder).resolve(), root.resolve()
    if not path.is_relative_to(top):
        return None
    relative = path.relative_to(top).as_posix()
    return "" if relative == "." else relative


def _outputs_kept(previous: Snapshot, site_dir: Path) -> bool:
    """Whether the data files the previous build wrote are still as it wrote them."""
    for uri, sha in previous.files.items():
        try:
            if hashlib.sha256((site_dir / uri).read_bytes()).hexdigest() != sha:
                return False
        except OSError:
            return False
    return True
