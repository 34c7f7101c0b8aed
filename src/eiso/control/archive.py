"""Document control from git history: revision tables, superseded revisions, deleted documents.

Engine-independent: it reads a ``History`` (one pass over git) and the loader,
and gives the site plan plain data to render.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field

from eiso.sites.forge import merge_request_url
from eiso.control.approvals import Approver, authorised
from eiso.control.history import Change, History, RevisionEntry
from eiso.documents.loader import decode_source, parse_document, parse_documents
from eiso.documents.model import Document


@dataclass(frozen=True)
class ChangeRow:
    """One change of a revision-table row: the MR (or commit) and who approved it."""

    date: str  # YYYY-MM-DD
    description: str
    mr_ref: str
    mr_url: str | None
    commit: str
    approvers: tuple[str, ...]
    reviewers: tuple[str, ...]
    approved: bool
    state: str  # Vietnamese: "Đã phê duyệt" / "Chưa phê duyệt (…)"


@dataclass(frozen=True)
class RevisionRow:
    revision: int | None
    effective: str | None
    changes: tuple[ChangeRow, ...]  # the first introduced the revision; later ones are fixups
    approved: bool
    archived_url: str | None  # quy-trinh/<slug>/lan-<N>/ for superseded revisions (sap-hieu-luc/ for upcoming)
    note: str = ""  # e.g. "Sắp có hiệu lực" for a revision not in force yet

    @property
    def approvers(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(name for change in self.changes for name in change.approvers))


@dataclass
class DocumentControl:
    """What the history says about one current document."""

    rows: list[RevisionRow] = field(default_factory=list)
    current: RevisionRow | None = None
    last_change: str | None = None  # YYYY-MM-DD

    @property
    def approval_state(self) -> str:
        if self.current is None:
            return "Không có lịch sử"
        return "Đã phê duyệt" if self.current.approved else "Chưa phê duyệt"


def approval_state(change: Change, refused: tuple[str, ...] = ()) -> str:
    """Vietnamese state of one change; ``refused``: recorded approvers without authority."""
    if change.mr is None:
        return "Chưa phê duyệt (đưa thẳng vào nhánh chính, không qua yêu cầu hợp nhất)"
    if change.approval_problem and not change.approvers:
        return f"Chưa phê duyệt ({change.approval_problem})"
    if refused and len(refused) == len(change.approvers):
        return f"Chưa phê duyệt ({', '.join(refused)}: không có thẩm quyền phê duyệt tài liệu này)"
    if not change.approvers:
        return "Chưa phê duyệt (yêu cầu hợp nhất không ghi người phê duyệt)"
    return "Đã phê duyệt"


def change_row(change: Change, repo_url: str | None, unit: str = "", approvers: list[Approver] | None = None) -> ChangeRow:
    """One change as the revision table shows it; ``approvers``: the option saying who may approve ``unit``."""
    mr = change.mr
    if approvers is None:  # no policy: whoever the trusted record names
        allowed = change.approvers
    else:
        allowed = tuple(a.name for a in change.approvals if authorised(a, unit, approvers))
    refused = tuple(name for name in change.approvers if name not in allowed)
    return ChangeRow(
        date=change.date[:10],
        description=(mr.title if mr and mr.title else change.subject),
        mr_ref=mr.ref if mr else "",
        mr_url=merge_request_url(repo_url, mr.ref) if mr else None,
        commit=change.commit[:10],
        approvers=allowed,
        reviewers=change.reviewers,
        approved=change.approved and bool(allowed),
        state=approval_state(change, refused),
    )


def form_paths(doc: Document) -> list[str]:
    """Repository-relative paths of the form files ``doc`` names (those that stay inside the repository)."""
    folder = str(doc.attachments_folder)
    paths = []
    for form in doc.meta.forms:
        if form.file and not posixpath.isabs(form.file):
            path = posixpath.normpath(posixpath.join(folder, form.file))
            if not path.startswith("../") and path != "..":
                paths.append(path)
    return paths


def superseded_url(doc_url: str, revision: int) -> str:
    return f"{doc_url}lan-{revision}/"


def control_of(doc: Document, history: History, repo_url: str | None,
               approvers: list[Approver] | None = None, in_force: int | None = None,
               upcoming_url: str | None = None) -> DocumentControl:
    """The revision table of ``doc`` (changes of its form files included); ``in_force``: the revision in force
    when the head is upcoming."""
    entries = history.revisions(doc.path, form_paths(doc))
    if not entries:
        return DocumentControl()
    current_revision = doc.meta.revision if in_force is None else in_force
    archived = {e.revision for e in superseded_entries(entries, current_revision)}
    rows = []
    for e in entries:
        changes = tuple(change_row(c, repo_url, doc.meta.unit, approvers) for c in e.changes)
        rows.append(RevisionRow(
            revision=e.revision,
            effective=e.effective,
            changes=changes,
            approved=all(change.approved for change in changes),
            archived_url=superseded_url(doc.url, e.revision) if e.revision in archived and e is not entries[-1] else None,
        ))
    current = rows[-1]
    if in_force is not None:
        current = next((row for row in reversed(rows) if row.revision == in_force), rows[-1])
    if upcoming_url and current is not rows[-1]:
        last = rows[-1]
        rows[-1] = RevisionRow(last.revision, last.effective, last.changes, last.approved, upcoming_url,
                               "Sắp có hiệu lực")
    # The newest change of the table, a form's included: the one the MR column names too.
    return DocumentControl(rows=rows, current=current, last_change=entries[-1].changes[-1].date[:10])


def superseded_entries(entries: list[RevisionEntry], current_revision: int) -> list[RevisionEntry]:
    """Earlier revisions worth archiving: the last entry of each revision value, except the current one."""
    latest: dict[int, RevisionEntry] = {}
    for entry in entries[:-1]:
        if entry.revision is not None and entry.revision != current_revision:
            latest[entry.revision] = entry
    return [latest[n] for n in sorted(latest)]


def load_blob_document(history: History, change: Change) -> Document | None:
    """The document as it was after ``change`` (None when it cannot be read or is invalid)."""
    if not change.blob:
        return None
    source = decode_source(change.path, history.read_blob(change.blob))
    if source.text is None:
        return None
    if history.parsed is not None:  # an earlier revision is read again at every build: parsed once
        document, findings = parse_documents([(change.path, source.text)], history.parsed)[0]
    else:
        document, findings = parse_document(change.path, source.text)
    if document is None or any(f.severity == "error" for f in findings):
        return None
    return document


def superseded_documents(doc: Document, history: History, in_force: int | None = None) -> list[Document]:
    """Each earlier revision of ``doc`` as it was on main while that revision was current."""
    found = []
    current_revision = doc.meta.revision if in_force is None else in_force
    for entry in superseded_entries(history.revisions(doc.path), current_revision):
        old = load_blob_document(history, entry.last)
        if old is not None and old.meta.revision == entry.revision:
            found.append(old)
    return found


def deleted_documents(history: History, current_slugs: set[str]) -> list[tuple[Document, Change]]:
    """Documents removed from main, as they last were, when no current document took their code."""
    found = []
    for deletion in history.deleted():
        states = [c for c in history.changes(deletion.path) if not c.deleted and c.blob]
        if not states:
            continue
        old = load_blob_document(history, states[-1])
        if old is not None and old.slug not in current_slugs:
            found.append((old, deletion))
    return found
