"""What a rebuild after edits of document bodies takes from the previous build instead of planning again.

A full plan reads and checks every document, reads the history and plans every page: at 2,000 documents most
of a rebuild's time, though an edit of one procedure's body changes one page. After each build without errors
its plan is noted (a *snapshot*): every input file's signature (:mod:`eiso.filestate`), each document's
outline (all but its body: what other pages may show of it) and findings, the planned pages in order, which
pages show each document's body (``Identities.shown``, as the build cache hashed them), and those pages
themselves, pickled one by one.

A next build takes it as its plan when nothing changed but the bodies of some documents (:func:`replan`): the
same site fingerprint, as-of date and git HEAD, every other input file as it was, and each edited document
parsing to the same outline with the same findings. Only the pages showing an edited body are planned again:
their pickled selves with the new document put in. Anything else (a file added or removed, a front matter
edited, a finding more or less, a page of another shape) and the build plans everything, as before.

The snapshot is pickled, so it is signed like every pickle of the cache folder (a merge request can commit
``.eiso-cache/``); the pages file is not, but each page is checked against its hash in the signed part.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import stat
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterable

from eiso.documents.cache import read_signed, write_signed_stream
from eiso.documents.findings import Finding
from eiso.documents.literal import protect_template_text
from eiso.documents.model import Document
from eiso.filestate import settled, signature_of
from eiso.sites.build_cache import site_key
from eiso.sites.intranet import PlannedPage, SitePlan

FORMAT = 1
_CONTEXT = b"eiso-plan-snapshot-1"
#: Findings of a document decided with the others, from its outline only: an edit of its body keeps them.
OUTLINE_RULES = frozenset({"duplicate-code", "related"})

Signature = tuple[int, ...]


@dataclass
class DocumentNote:
    signature: Signature | None  # the file's, None when it was too recent to tell (racy)
    outline: str  # see :func:`outline`
    fingerprint: str  # ``Document.fingerprint()``: how the pages showing its body know it
    findings: tuple[Finding, ...]


@dataclass
class Snapshot:
    fingerprint: str  # the site's (the build cache's): code, engine, configuration, theme, hand-written pages
    as_of: str
    head: str  # git HEAD, "" outside git
    inputs: dict[str, Signature | None]  # every input file but the documents, by repository path
    documents: dict[str, DocumentNote]
    pages: list[str]  # every planned page (source URI), in plan order
    shown: dict[str, list[str]]  # a document's fingerprint -> the pages showing its body
    own: dict[str, str]  # a page -> the document (path) whose own page it is
    files: dict[str, str]  # the plan's data files (api/): site path -> sha256 of what was written
    copies: dict[str, str]  # the plan's attachments: site path -> file
    findings: list[Finding]  # the check's (warnings only: a snapshot is noted after a build without errors)
    notices: list[str]  # what the plan said of the history (a shallow clone), said again
    stored: dict[str, tuple[int, int, str]] = field(default_factory=dict)  # page -> offset, size, sha256


@dataclass
class Replan:
    """The plan of a build that changed only the bodies of ``documents``."""

    pages: dict[str, PlannedPage]  # the pages showing an edited body, planned again, by source URI
    documents: dict[str, DocumentNote]  # the edited documents' new notes, by path


def outline(document: Document) -> str:
    """All of a document but its body, where its fields sit in the file included: what a page of other
    documents may show of it, and what its findings' lines depend on."""
    text = f"{document.fingerprint(body=False)}\0{document.body_line}\0{list(document.lines.items())!r}"
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def input_signatures(root: Path, folders: Iterable[str]) -> dict[str, Signature | None]:
    """The signature of every file below ``folders`` (repository-relative) and directly in ``root``, by path;
    links are noted, never followed."""
    found: dict[str, Signature | None] = {}
    _walk(root, "", found, recurse=False)
    for folder in sorted(set(folders)):
        if folder and (root / folder).is_dir() and not (root / folder).is_symlink():
            _walk(root / folder, folder.strip("/") + "/", found, recurse=True)
    return found


def noted(signature: Signature | None) -> Signature | None:
    """A signature as a snapshot keeps it: None when too recent to tell (the next build reads the file)."""
    return signature if signature is not None and settled(signature) else None


def _walk(folder: Path, prefix: str, found: dict[str, Signature | None], recurse: bool) -> None:
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError:
            found[prefix + entry.name] = None
            continue
        if stat.S_ISDIR(info.st_mode):
            if recurse:
                _walk(Path(entry.path), f"{prefix}{entry.name}/", found, recurse)
            continue
        found[prefix + entry.name] = signature_of(info)


def plan_snapshot(plan: SitePlan, documents: list[Document], findings: list[Finding],
                  inputs: dict[str, Signature | None], shown_by_page: dict[str, tuple[str, ...]], *, fingerprint: str,
                  as_of: str, head: str, notices: list[str]) -> Snapshot:
    """The snapshot of a build of ``plan`` from ``documents`` (the corpus's own objects); ``inputs``: every input
    file's signature, taken before any was read; ``shown_by_page``: the documents each page shows the body of."""
    by_id = {id(doc): doc.path for doc in documents}
    shown: dict[str, list[str]] = {}
    for uri, fingerprints in shown_by_page.items():
        for shown_fingerprint in fingerprints:
            shown.setdefault(shown_fingerprint, []).append(uri)
    found: dict[str, list[Finding]] = {}
    for finding in findings:
        found.setdefault(finding.path, []).append(finding)
    notes = {doc.path: DocumentNote(noted(inputs.get(doc.path)), outline(doc), doc.fingerprint(),
                                    tuple(found.get(doc.path, ()))) for doc in documents}
    return Snapshot(
        fingerprint=fingerprint, as_of=as_of, head=head,
        inputs={path: noted(signature) for path, signature in inputs.items() if path not in notes}, documents=notes,
        pages=[page.src_uri for page in plan.pages], shown=shown,
        own={page.src_uri: by_id[id(page.document)] for page in plan.pages if id(page.document) in by_id},
        files={uri: hashlib.sha256(data).hexdigest() for uri, data in plan.files.items()},
        copies={uri: str(path) for uri, path in plan.copies.items()}, findings=list(findings), notices=list(notices))


def changed_in_inputs(snapshot: Snapshot, inputs: dict[str, Signature | None]) -> list[str] | None:
    """The documents whose files changed since the snapshot, if nothing else did; None otherwise."""
    if inputs.keys() != snapshot.inputs.keys() | snapshot.documents.keys():
        return None
    changed = []
    for path, signature in inputs.items():
        note = snapshot.documents.get(path)
        before = note.signature if note is not None else snapshot.inputs[path]
        if before is None or signature is None or tuple(before) != tuple(signature):
            if note is None:
                return None
            changed.append(path)
    return sorted(changed)


def replan(snapshot: Snapshot, changed: list[str], load: Callable[[str], tuple[Document | None, list[Finding]]],
           findings_of: Callable[[Document], list[Finding]], page: Callable[[str], PlannedPage | None],
           inputs: dict[str, Signature | None]) -> Replan | None:
    """The pages of the edited documents ``changed``, planned again; None when more than their bodies changed.

    ``load(path)``: the document and its findings as read; ``findings_of(document)``: the check's findings of
    it (all but those of :data:`OUTLINE_RULES`); ``page(uri)``: a page as the snapshot stored it."""
    pages: dict[str, PlannedPage] = {}
    notes: dict[str, DocumentNote] = {}
    for path in changed:
        before = snapshot.documents[path]
        document, found = load(path)
        if document is None or outline(document) != before.outline:
            return None
        found = [*found, *findings_of(document), *(f for f in before.findings if f.rule in OUTLINE_RULES)]
        if sorted(found) != sorted(before.findings):
            return None
        for uri in snapshot.shown.get(before.fingerprint, []):
            if snapshot.own.get(uri) != path:
                return None  # another document's page shows this body too (or an earlier revision equal to it)
            planned = page(uri)
            if planned is None or not _own_page(planned, before.fingerprint):
                return None
            pages[uri] = _with_document(planned, document)
        notes[path] = DocumentNote(noted(inputs.get(path)), before.outline, document.fingerprint(), before.findings)
    return Replan(pages, notes)


def updated_snapshot(previous: Snapshot, replanned: Replan) -> Snapshot:
    """The snapshot of a build that took ``previous`` with ``replanned``: the edited documents' notes and the
    fingerprints their pages know them by (where the pages are pickled again: :meth:`SnapshotStore.save`)."""
    shown = dict(previous.shown)
    for path, note in replanned.documents.items():
        pages = shown.pop(previous.documents[path].fingerprint, [])
        if pages:
            shown[note.fingerprint] = pages
    return replace(previous, documents=previous.documents | replanned.documents, shown=shown)


def _own_page(planned: PlannedPage, fingerprint: str) -> bool:
    """Whether the page is a document's page of the usual shape: its document's body as its Markdown."""
    document = planned.document
    return (isinstance(document, Document) and document.fingerprint() == fingerprint
            and planned.markdown == protect_template_text(document.body))


def _with_document(planned: PlannedPage, document: Document) -> PlannedPage:
    old = planned.document
    values = planned.render.values
    for name, value in list(values.items()):
        if value is old:
            values[name] = document
    planned.document = document
    planned.markdown = protect_template_text(document.body)
    return planned


class SnapshotStore:
    """A site's snapshot in the cache folder: ``plan-<site>.pickle`` (signed) and its pages file."""

    def __init__(self, cache_dir: Path, site_dir: Path, key: bytes | None, live: bool = False):
        name = site_key(site_dir, live)
        self.path = cache_dir / f"plan-{name}.pickle"
        self.pages_path = cache_dir / f"plan-{name}.pages"
        self.key = key

    def load(self) -> Snapshot | None:
        payload = read_signed(self.path, self.key, _CONTEXT) if self.key is not None else None
        if payload is None:
            return None
        try:
            version, snapshot = pickle.loads(payload)
        except Exception:  # noqa: BLE001 - signed but unreadable (another Python): planned in full
            return None
        return snapshot if version == FORMAT and isinstance(snapshot, Snapshot) else None

    def page(self, snapshot: Snapshot, uri: str) -> PlannedPage | None:
        where = snapshot.stored.get(uri)
        if where is None:
            return None
        offset, size, sha = where
        try:
            with self.pages_path.open("rb") as handle:
                handle.seek(offset)
                data = handle.read(size)
        except OSError:
            return None
        if hashlib.sha256(data).hexdigest() != sha:
            return None  # not the page the signed snapshot names: never unpickled
        try:
            planned = pickle.loads(data)
        except Exception:  # noqa: BLE001
            return None
        return planned if isinstance(planned, PlannedPage) else None

    def forget(self) -> None:
        for path in (self.path, self.pages_path):
            try:
                path.unlink()
            except OSError:
                pass

    def write_pages(self, pages: Iterable[tuple[str, PlannedPage]], append: bool) -> dict[str, tuple[int, int, str]] | None:
        """Pickle ``pages`` into a new pages file, or (``append``) at the end of the current one; where each went,
        or None when one could not be written (then no snapshot is kept)."""
        if self.key is None:
            return None
        tmp = self.pages_path.with_name(f"{self.pages_path.name}.{os.getpid()}.tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            appending = append and self.pages_path.is_file()
            with (self.pages_path.open("ab") if appending else tmp.open("wb")) as handle:
                stored = _write_pages(handle, pages)
            if not appending:
                tmp.replace(self.pages_path)
            return stored
        except (OSError, pickle.PicklingError, TypeError, AttributeError):
            tmp.unlink(missing_ok=True)
            return None

    def save(self, snapshot: Snapshot) -> None:
        if self.key is not None:
            write_signed_stream(self.path, self.key, _CONTEXT,
                                lambda out: pickle.dump((FORMAT, snapshot), out, protocol=pickle.HIGHEST_PROTOCOL))


def _write_pages(handle, pages: Iterable[tuple[str, PlannedPage]]) -> dict[str, tuple[int, int, str]]:
    stored = {}
    for uri, planned in pages:
        data = pickle.dumps(planned, protocol=pickle.HIGHEST_PROTOCOL)
        stored[uri] = (handle.tell(), len(data), hashlib.sha256(data).hexdigest())
        handle.write(data)
    return stored
