"""The revision model, and how documents are followed through the first-parent commits.

A :class:`Change` is one first-parent commit that changed one document; a
:class:`RevisionEntry` groups consecutive changes made under one ``revision``
value. :func:`attribute` follows each document identity through additions,
renames, deletions and re-additions, from git's raw diffs alone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from eiso.control.approvals import Approval, MergeRequest
from eiso.control.gitlog import LogCommit

@dataclass(frozen=True)
class Change:
    """One first-parent commit of the main branch that changed one document."""

    commit: str  # full sha
    date: str  # committer date, ISO 8601 with offset ("2025-03-01T09:30:00+07:00")
    author: str  # author name
    subject: str
    path: str  # path of the document at that commit, relative to the repository root (posix)
    blob: str | None  # blob sha of the file after the commit (None when deleted)
    deleted: bool
    # Front matter values at that commit (None when absent or unparsable). A deletion
    # has no file: it carries the values of the last state before it, so that the
    # withdrawn document stays identifiable (code, last revision).
    revision: int | None
    effective: str | None  # YYYY-MM-DD
    code: str | None
    mr: MergeRequest | None
    approvers: tuple[str, ...]  # names of the approvals that count (see eiso.control.approvals)
    reviewers: tuple[str, ...]  # Reviewed-by: of the same trusted place
    approvals: tuple[Approval, ...] = ()  # the same approvers, with their e-mails
    approval_problem: str | None = None  # Vietnamese: why a recorded approval does not count
    # A change of a form file the document uses (``path`` is the form's): part of the document's content,
    # so of its revision table and approval state, but never a state of the ``.md`` file itself.
    attachment: bool = False
    sequence: int = 0  # position in the whole first-parent history: orders documents' and forms' changes

    @property
    def approved(self) -> bool:
        """True when the change came through a merge request that records an approver."""
        return self.mr is not None and bool(self.approvers)



@dataclass(frozen=True)
class RevisionEntry:
    """One row of the revision table: a ``revision`` value and the changes made under it."""

    revision: int | None
    effective: str | None  # of the last change of the group
    changes: tuple[Change, ...]  # oldest first; the first introduced the value, later ones are fixups

    @property
    def last(self) -> Change:
        """The last state of the ``.md`` file while this revision was current."""
        return next((c for c in reversed(self.changes) if not c.attachment), self.changes[-1])

    @property
    def approved(self) -> bool:
        """True when every change of the group is approved."""
        return all(change.approved for change in self.changes)


class DocTrack:
    """One document identity followed through renames."""

    __slots__ = ("changes", "path", "live", "order")

    def __init__(self, path: str) -> None:
        self.changes: list[Change] = []
        self.path = path
        self.live = True
        self.order = 0  # position of its last change in the whole history


def group(changes: Iterable[Change]) -> list[RevisionEntry]:
    """The revision table: consecutive changes with one ``revision`` value (deletions left out)."""
    groups: list[list[Change]] = []
    for change in changes:
        if change.deleted:
            continue
        if groups and groups[-1][-1].revision == change.revision:
            groups[-1].append(change)
        else:
            groups.append([change])
    return [
        RevisionEntry(revision=group[0].revision, effective=group[-1].effective, changes=tuple(group))
        for group in groups
    ]


def with_attachments(changes: list[Change], attachments: Iterable[Change]) -> list[Change]:
    """A document's changes and those of its form files, in history order. A form change belongs to the revision
    current when it was made: a replaced form is a change of that revision, to be approved like any other. Form
    changes before the document's first state are not changes of the document: the change that brought the
    document in brought the form as it then was, and was approved (or not) with it."""
    states = [change for change in changes if not change.deleted]
    if not states:
        return list(changes)
    first = states[0].sequence
    merged = sorted([*changes, *(c for c in attachments if c.sequence > first)], key=lambda change: change.sequence)
    current, result = states[0], []
    seen = {change.commit for change in changes}  # one commit is one change, however many files it touched
    for change in merged:
        if not change.attachment:
            current = change if not change.deleted else current
            result.append(change)
        elif not change.deleted and change.commit not in seen:
            seen.add(change.commit)
            result.append(replace(change, revision=current.revision, effective=current.effective, code=current.code))
    return result


def _is_document(path: str | None, mode: str, root_prefix: str) -> bool:
    if not path or not path.endswith(".md") or not path.startswith(root_prefix):
        return False
    return _is_file(mode)


def _is_file(mode: str) -> bool:
    return mode.startswith("100") or mode == "120000"


@dataclass
class Pending:
    """A change whose commit and blob facts are filled in after ``cat-file``."""

    doc: DocTrack
    commit: str
    path: str
    blob: str | None
    deleted: bool
    attachment: bool = False


def attribute(
    commits: list[LogCommit], root_prefix: str
) -> tuple[list[DocTrack], dict[str, DocTrack], list[str], list[str], list[Pending]]:
    """Follow every document through the first-parent commits (oldest first), and every other file of the
    folder by its path (the forms that documents name)."""
    docs: list[DocTrack] = []
    files: dict[str, DocTrack] = {}
    live: dict[str, DocTrack] = {}
    tomb: dict[str, DocTrack] = {}  # last path of deleted documents, for re-additions
    pending: list[Pending] = []
    wanted_commits: list[str] = []
    wanted_blobs: dict[str, None] = {}

    def new_doc(path: str) -> DocTrack:
        doc = tomb.pop(path, None)
        if doc is None:
            doc = DocTrack(path)
            docs.append(doc)
        doc.live = True
        doc.path = path
        live[path] = doc
        return doc

    def delete(path: str, commit: str) -> None:
        doc = live.pop(path, None)
        if doc is None:
            return
        doc.live = False
        tomb[path] = doc
        pending.append(Pending(doc, commit, path, None, True))

    def file_changed(path: str | None, mode: str, commit: str, blob: str | None, deleted: bool) -> bool:
        if not path or path.endswith(".md") or not path.startswith(root_prefix) or not _is_file(mode):
            return False
        track = files.setdefault(path, DocTrack(path))
        pending.append(Pending(track, commit, path, None if deleted else blob, deleted, attachment=True))
        return True

    for log_commit in commits:
        commit, entries = log_commit.sha, log_commit.entries
        touched = False
        for entry in entries:
            if entry.status == "R":
                touched |= file_changed(entry.old_path, entry.old_mode, commit, None, True)
            if entry.status == "D":
                touched |= file_changed(entry.path, entry.old_mode, commit, None, True)
            else:
                touched |= file_changed(entry.path, entry.new_mode, commit, entry.new_blob, False)
            new_is_doc = _is_document(entry.path, entry.new_mode, root_prefix)
            if entry.status == "R" or entry.status == "C":
                old = entry.old_path
                old_is_doc = _is_document(old, entry.old_mode, root_prefix)
                if entry.status == "R" and old_is_doc and old is not None:
                    if new_is_doc:
                        doc = live.pop(old, None)
                        if doc is None:
                            doc = new_doc(entry.path)
                        else:
                            # A deleted document whose last path is taken over stays
                            # deleted; changes(path) now answers for the newcomer.
                            tomb.pop(entry.path, None)
                            doc.path = entry.path
                            live[entry.path] = doc
                        pending.append(Pending(doc, commit, entry.path, entry.new_blob, False))
                        wanted_blobs[entry.new_blob] = None
                    else:
                        delete(old, commit)
                    touched = True
                    continue
                if not new_is_doc:
                    continue
                doc = live.get(entry.path) or new_doc(entry.path)
            elif entry.status == "D":
                if entry.path in live:
                    delete(entry.path, commit)
                    touched = True
                continue
            else:  # A, M, T (and anything else git may print)
                if not new_is_doc or not entry.new_blob:
                    if entry.path in live and not new_is_doc:
                        delete(entry.path, commit)  # e.g. a file turned into a submodule
                        touched = True
                    continue
                doc = live.get(entry.path) or new_doc(entry.path)
            pending.append(Pending(doc, commit, entry.path, entry.new_blob, False))
            wanted_blobs[entry.new_blob] = None
            touched = True
        if touched:
            wanted_commits.append(commit)
    return docs, files, wanted_commits, list(wanted_blobs), pending


def join_readded(docs: list[DocTrack], code_key: Callable[[str], str]) -> list[DocTrack]:
    """Documents whose code was deleted from main and later added again (under another path) continue the
    deleted one's history: the code is the document's identity on the site (its URL, QR codes, printed copies),
    so its earlier revisions stay in its revision table and archive instead of being lost with the old path.

    ``code_key``: how codes compare (case- and accent-insensitively). A re-addition takes the latest deletion of
    its code that happened before it or in the same commit; documents are taken in the order of their first change, so a code
    deleted and re-added many times becomes one history.
    """
    deleted: dict[str, list[DocTrack]] = {}
    kept: list[DocTrack] = []
    for doc in sorted((d for d in docs if d.changes), key=lambda d: d.changes[0].sequence):
        first = doc.changes[0]
        key = code_key(first.code) if first.code else ""
        # A deletion in the same commit is a rename git did not see (the file was rewritten too much).
        earlier = [d for d in deleted.get(key, []) if d.changes[-1].sequence < first.sequence
                   or d.changes[-1].commit == first.commit] if key else []
        if earlier:
            previous = earlier[-1]
            deleted[key].remove(previous)
            kept.remove(previous)
            doc.changes[:0] = previous.changes
        kept.append(doc)
        last = doc.changes[-1]
        if not doc.live and last.deleted and last.code:
            deleted.setdefault(code_key(last.code), []).append(doc)
    return kept + [d for d in docs if not d.changes]
