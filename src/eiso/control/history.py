"""Revision history of controlled documents, read from git in one pass.

The main branch is the record: every commit on its first-parent line that
touched a document under the procedures folder is one :class:`Change` of that
document, and the merge request that brought it, with the approvals recorded
where its author cannot write (see :mod:`eiso.control.approvals`), is its
approval trail.

Reading is done with a fixed number of git processes, whatever the number of
documents (:mod:`eiso.control.gitlog`):

* ``git rev-parse`` (twice: repository facts, then the wanted ref),
* one ``git log --first-parent --diff-merges=first-parent --raw -M -z`` over
  the procedures folder, which yields, for each first-parent commit, the
  documents it added, modified, renamed or deleted (a merge is diffed against
  its first parent, so a merge's changes are the merge request's changes), and
  git's own parse of the trailers of its message,
* one ``git notes --ref=approvals list`` (the approvals the GitHub workflow records),
* one ``git cat-file --batch`` that reads the commit objects (author, date,
  message), the notes, and the blob of every document state (to read
  ``revision``, ``effective`` and ``code`` from its front matter),
* with ``trusted_signers`` only, one ``git log`` of the notes ref (signatures),
* when a merge request records an approval, one ``git log`` of the commit graph, to
  know who wrote each approved change (:mod:`eiso.control.authorship`).

Everything read from git is untrusted text. Git failures never raise to the
caller: the :class:`History` says ``available=False`` and carries a Vietnamese
``notice`` for the site instead. This module only uses the standard library,
PyYAML and the git command line; it knows nothing about the rest of e-ISO.
"""

from __future__ import annotations

import os
import posixpath
import shutil
import threading
import unicodedata
import weakref
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from pathlib import Path

from eiso.control.approvals import (
    NOTES_REF,
    UNKNOWN_COMMIT,
    Approval,
    CommitInfo,
    MergeRequest,
    Verdict,
    parse_commit,
    parse_note,
    verdict,
)
from eiso.control.authorship import Authors, merge_request_authors, read_graph
from eiso.control.frontfacts import NO_FACTS, FactsCache, FrontFacts
from eiso.control.gitlog import (
    DEFAULT_TIMEOUT,
    MAX_BLOB_BYTES,
    RENAME_LIMIT,
    SHA_RE,
    BlobReader,
    Git,
    GitError,
    cat_file_bulk,
    log_format,
    parse_log,
)
from eiso.control.revisions import (Change, DocTrack, Pending, RevisionEntry, attribute, group, join_readded,
                                    with_attachments)
from eiso.documents.cache import DocumentCache
from eiso.documents.text import slugify

__all__ = [
    "Approval",
    "Change",
    "History",
    "MAX_BLOB_BYTES",
    "MergeRequest",
    "RevisionEntry",
    "read_history",
]


# --------------------------------------------------------------------------- history


class History:
    """History of every document of the procedures folder, as of one ref."""

    def __init__(
        self,
        *,
        available: bool,
        shallow: bool = False,
        notice: str | None = None,
        head: str | None = None,
        docs: list[DocTrack] | None = None,
        files: dict[str, DocTrack] | None = None,
        git: Git | None = None,
        parsed: DocumentCache | None = None,
    ) -> None:
        self.available: bool = available
        self.shallow: bool = shallow
        self.notice: str | None = notice
        self.head: str | None = head  # the commit the history was read at
        self._docs: list[DocTrack] = docs or []
        self._files: dict[str, DocTrack] = files or {}  # the other files of the folder, by path (forms)
        self._git = git
        self.parsed = parsed  # where documents read from blobs (earlier revisions) are kept between builds
        self._by_path: dict[str, DocTrack] = {}
        self._by_nfc: dict[str, DocTrack] = {}
        for doc in self._docs:  # live documents first: they own their current path
            if doc.live:
                self._by_path[doc.path] = doc
        for doc in self._docs:  # then deleted ones, by their last path, unless reused
            if not doc.live:
                self._by_path.setdefault(doc.path, doc)
        for key, doc in self._by_path.items():
            self._by_nfc.setdefault(unicodedata.normalize("NFC", key), doc)
        self._blob_cache: OrderedDict[str, bytes] = OrderedDict()
        self._reader: BlobReader | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return (
            f"History(available={self.available}, shallow={self.shallow}, "
            f"documents={len(self._docs)}, head={self.head!r})"
        )

    # ---- queries

    def _doc(self, path: str | os.PathLike[str]) -> DocTrack | None:
        key = _normalise_query(path, self._git.root if self._git else None)
        if key is None:
            return None
        doc = self._by_path.get(key)
        if doc is None:
            doc = self._by_nfc.get(unicodedata.normalize("NFC", key))
        return doc

    def paths(self) -> list[str]:
        """Current paths of the documents that exist at the ref, sorted."""
        return sorted(doc.path for doc in self._docs if doc.live)

    def changes(self, path: str | os.PathLike[str]) -> list[Change]:
        """Changes of the document now at ``path`` (after renames), oldest first.

        For a document that no longer exists, ``path`` is its last path (see :meth:`deleted`).
        """
        doc = self._doc(path)
        return list(doc.changes) if doc else []

    def last_change(self, path: str | os.PathLike[str]) -> Change | None:
        """The most recent change of the document at ``path``, or None."""
        doc = self._doc(path)
        return doc.changes[-1] if doc and doc.changes else None

    def revisions(self, path: str | os.PathLike[str], attachments: Iterable[str] = ()) -> list[RevisionEntry]:
        """The revision table: consecutive changes with one ``revision`` value, oldest first.

        ``attachments``: repository-relative paths of the form files the document uses; their changes
        count as changes of the revision current at the time. Deletions are not states of the file and
        are left out (see :meth:`deleted`).
        """
        doc = self._doc(path)
        if doc is None:
            return []
        forms = [change for name in dict.fromkeys(self._followed(attachments)) if (track := self._files.get(name))
                 for change in track.changes]
        return group(with_attachments(doc.changes, forms) if forms else doc.changes)

    def _followed(self, paths: Iterable[str]) -> Iterator[str]:
        """Each path, and for a symbolic link in the working tree its target inside the repository too: git
        records the link, so a change of the target is a change of the form the link stands for."""
        root = self._git.root if self._git else None
        for path in paths:
            yield path
            if root is not None and (root / path).is_symlink():
                try:
                    target = (root / path).resolve().relative_to(root.resolve()).as_posix()
                except (OSError, RuntimeError, ValueError):  # a loop, or a target outside: refused by the check
                    continue
                yield target

    def deleted(self) -> list[Change]:
        """The deletion of each document that no longer exists at the ref, oldest first.

        ``changes(change.path)`` gives the whole history of such a document, unless
        another document has since taken that path.
        """
        gone = sorted((doc for doc in self._docs if not doc.live and doc.changes), key=lambda d: d.order)
        return [doc.changes[-1] for doc in gone]

    # ---- blobs

    def read_blob(self, sha: str) -> bytes:
        """Content of a blob (at most :data:`MAX_BLOB_BYTES`); ``b""`` when it cannot be read."""
        if not isinstance(sha, str) or not SHA_RE.match(sha) or self._git is None:
            return b""
        with self._lock:
            cached = self._blob_cache.get(sha)
            if cached is not None:
                self._blob_cache.move_to_end(sha)
                return cached
            if self._reader is None:
                self._reader = BlobReader(self._git)
                weakref.finalize(self, self._reader.close)
            kind, content = self._reader.read(sha)
            data = content if kind == "blob" and content is not None else b""
            self._blob_cache[sha] = data
            while len(self._blob_cache) > 64:
                self._blob_cache.popitem(last=False)
            return data

    def close(self) -> None:
        """Stop the ``git cat-file`` process that :meth:`read_blob` may have started."""
        with self._lock:
            if self._reader is not None:
                self._reader.close()
                self._reader = None

    def __enter__(self) -> History:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _normalise_query(path: str | os.PathLike[str], root: Path | None) -> str | None:
    try:
        text = os.fspath(path)
    except TypeError:
        return None
    if isinstance(text, bytes):
        text = text.decode("utf-8", "surrogateescape")
    if os.path.isabs(text) and root is not None:
        try:
            text = os.path.relpath(text, root)
        except ValueError:
            return None
    if os.sep != "/":
        text = text.replace(os.sep, "/")
    text = posixpath.normpath(text)
    if text.startswith("../") or text in (".", ".."):
        return None
    return text


# --------------------------------------------------------------------------- notices

FACTS_SCOPE = "history-facts"  # the memo's entries: revision facts by git blob id

_NOTICE_NO_GIT = (
    "Không có lịch sử git: không tìm thấy chương trình git trên máy dựng trang, "
    "nên không hiển thị được lịch sử sửa đổi và phê duyệt."
)
_NOTICE_NOT_REPO = (
    "Không có lịch sử git: thư mục tài liệu không nằm trong một kho git, "
    "nên không hiển thị được lịch sử sửa đổi và phê duyệt."
)
_NOTICE_NO_COMMIT = (
    "Không có lịch sử git: kho git chưa có commit nào, "
    "nên chưa có lịch sử sửa đổi và phê duyệt."
)
_NOTICE_BAD_REF = "Không có lịch sử git: không tìm thấy nhánh hoặc commit «{ref}» trong kho git."
_NOTICE_FAILED = "Không đọc được lịch sử git ({reason}), nên không hiển thị được lịch sử sửa đổi."
_NOTICE_SHALLOW = (
    "Bản sao git nông (shallow clone): trang chỉ có một phần lịch sử (các commit gần nhất), "
    "nên bảng sửa đổi và thông tin phê duyệt chưa đầy đủ. Cần cấu hình CI lấy toàn bộ lịch sử: "
    "GitLab CI đặt biến GIT_DEPTH: 0, GitHub Actions đặt fetch-depth: 0 cho actions/checkout."
)
_NOTICE_PARTIAL = (
    "Lịch sử git chưa đầy đủ: không đọc được nội dung của {count} commit hoặc tệp trong kho git "
    "({reason}); các thông tin thiếu được để trống."
)

# --------------------------------------------------------------------------- reading


def read_history(
    repo_root: str | os.PathLike[str],
    procedures_dir: str = "procedures",
    ref: str = "HEAD",
    *,
    timeout: float = DEFAULT_TIMEOUT,
    trusted_signers: str | os.PathLike[str] | None = None,
    forge: str | None = None,
    memo: DocumentCache | None = None,
    parsed: DocumentCache | None = None,
) -> History:
    """Read the first-parent history of ``ref`` for every ``.md`` file under ``procedures_dir``.

    With ``trusted_signers`` (an SSH allowed-signers file, relative to ``repo_root``), an
    approval counts only from a merge commit, or notes, signed by a key listed there.
    ``forge`` ("gitlab" / "github", from ``repo_url``) narrows where approvals may be
    recorded (see :func:`eiso.control.approvals.verdict`). ``memo``: the revision facts of file versions
    (git blobs) read by earlier builds, by blob id; a blob found there is not read again. ``parsed``: the
    parsed documents' cache, where the earlier revisions the site shows are kept once parsed.
    Never raises for git problems: the returned :class:`History` then has
    ``available=False`` and a Vietnamese ``notice``.
    """
    executable = shutil.which("git")
    if executable is None:
        return History(available=False, notice=_NOTICE_NO_GIT)
    root = Path(repo_root)
    if not root.is_dir():
        return History(available=False, notice=_NOTICE_NOT_REPO)
    root = root.resolve()
    config: tuple[str, ...] = ()
    if trusted_signers is not None:
        # git passes the file to ssh-keygen; a missing file makes every signature unverified.
        config = (f"gpg.ssh.allowedSignersFile={root / os.fspath(trusted_signers)}",)
    git = Git(executable, root, timeout, config)
    try:
        history = _read(git, procedures_dir, ref, signed=trusted_signers is not None, forge=forge, memo=memo)
    except GitError as error:
        return History(available=False, notice=_NOTICE_FAILED.format(reason=error.reason))
    history.parsed = parsed
    return history


def _read(git: Git, procedures_dir: str, ref: str, *, signed: bool, forge: str | None,
          memo: DocumentCache | None = None) -> History:
    # Repository facts: where repo_root sits inside the work tree, and shallowness.
    facts = git.run("rev-parse", "--is-shallow-repository", "--show-prefix", check=False)
    if facts.returncode != 0:
        if b"dubious ownership" in facts.stderr:
            reason = "git từ chối kho thuộc người dùng khác, cần khai báo safe.directory"
            return History(available=False, notice=_NOTICE_FAILED.format(reason=reason))
        return History(available=False, notice=_NOTICE_NOT_REPO)
    lines = facts.stdout.decode("utf-8", "surrogateescape").split("\n")
    shallow = lines[0].strip() == "true"
    prefix = lines[1].strip() if len(lines) > 1 else ""
    if prefix and not prefix.endswith("/"):
        prefix += "/"

    if not isinstance(ref, str) or not ref or ref.startswith("-") or "\n" in ref or "\0" in ref:
        return History(available=False, notice=_NOTICE_BAD_REF.format(ref=str(ref)[:100]))
    resolved = git.run(
        "rev-parse", "--verify", "--quiet", "--end-of-options", ref + "^{commit}", check=False
    )
    head = resolved.stdout.decode("ascii", "replace").strip()
    if resolved.returncode != 0 or not SHA_RE.match(head):
        if ref == "HEAD":
            return History(available=False, shallow=shallow, notice=_NOTICE_NO_COMMIT)
        return History(available=False, shallow=shallow, notice=_NOTICE_BAD_REF.format(ref=ref[:100]))

    folder = posixpath.normpath(procedures_dir.replace(os.sep, "/")) if procedures_dir else "."
    if folder.startswith("../") or folder == ".." or posixpath.isabs(folder):
        raise GitError("thư mục tài liệu nằm ngoài kho")
    root_prefix = "" if folder == "." else folder + "/"

    log_args = [
        "--literal-pathspecs",
        "log",
        "--first-parent",
        "--diff-merges=first-parent",
        "--reverse",
        "--root",
        "--raw",
        "--no-abbrev",
        "-z",
        "-M",
        f"-l{RENAME_LIMIT}",
        "--no-color",
        "--no-ext-diff",
        "--no-textconv",
        "--no-notes",
        "--no-decorate",
        "--format=" + log_format(signed),
        head,
        "--",
        folder,
    ]
    log = git.run(*log_args, check=False)
    if log.returncode != 0 and b"diff-merges" in log.stderr:  # git < 2.31
        log_args[log_args.index("--diff-merges=first-parent")] = "-m"
        log = git.run(*log_args, check=False)
    if log.returncode != 0:
        raise GitError(f"git log lỗi {log.returncode}")
    commits = parse_log(log.stdout, prefix)

    docs, files, wanted_commits, wanted_blobs, pending = attribute(commits, root_prefix)
    notes = _list_notes(git)
    note_blobs: dict[str, list[str]] = {}  # one note text (blob) is often shared by many commits
    for sha in wanted_commits:
        if sha in notes:
            note_blobs.setdefault(notes[sha], []).append(sha)

    infos: dict[str, CommitInfo] = {}
    note_pairs: dict[str, tuple[tuple[str, str], ...]] = {}
    cache = FactsCache()
    unreadable = 0

    def on_object(sha: str, kind: str, content: bytes | None) -> None:
        nonlocal unreadable
        if content is None:
            unreadable += 1
        if kind == "commit" and content is not None:
            try:
                infos[sha] = parse_commit(content)
            except Exception:  # hostile bytes must never break the build
                infos[sha] = UNKNOWN_COMMIT
        elif kind == "blob":
            for commit in note_blobs.get(sha, ()):
                note_pairs[commit] = parse_note(content or b"")
            cache.add(sha, content)
            if memo is not None and content is not None and sha in states:  # an unreadable one is tried again
                memo.remember(sha, FACTS_SCOPE, cache.by_blob[sha])
        else:
            cache.by_blob[sha] = NO_FACTS

    states = set(wanted_blobs)
    for blob in wanted_blobs if memo is not None else ():
        known = memo.recall(blob, FACTS_SCOPE)
        if isinstance(known, FrontFacts):
            cache.by_blob[blob] = known
    to_read = [blob for blob in wanted_blobs if blob not in cache.by_blob or blob in note_blobs]
    requests = wanted_commits + to_read + [blob for blob in note_blobs if blob not in states]
    done, failure = cat_file_bulk(git, requests, on_object)
    missing = len(requests) - done + unreadable

    notes_trusted = not signed or not note_pairs or _notes_signed(git)
    by_sha = {commit.sha: commit for commit in commits}
    authors = _authors(git, head, [sha for sha in wanted_commits
                                   if sha in note_pairs or any(key == "approved-by" for key, _ in by_sha[sha].trailers)])
    verdicts = {
        sha: verdict(
            infos.get(sha, UNKNOWN_COMMIT),
            by_sha[sha].trailers,
            note_pairs.get(sha),
            signature=by_sha[sha].signature,
            require_signature=signed,
            notes_trusted=notes_trusted,
            forge=forge,
            authors=authors.get(sha),
        )
        for sha in wanted_commits
    }
    _materialise(pending, infos, verdicts, cache.by_blob)
    docs = join_readded(docs, slugify)

    notice = _NOTICE_SHALLOW if shallow else None
    if failure or missing:
        partial = _NOTICE_PARTIAL.format(count=missing, reason=failure or "thiếu đối tượng git")
        notice = f"{notice} {partial}" if notice else partial
    return History(available=True, shallow=shallow, notice=notice, head=head, docs=docs, files=files, git=git)


def _authors(git: Git, head: str, approved: list[str]) -> dict[str, Authors]:
    """The authors of the merge requests that record an approval (one more ``git log``, only then)."""
    if not approved:
        return {}
    return merge_request_authors(read_graph(git, head), head, approved)


def _list_notes(git: Git) -> dict[str, str]:
    """Annotated commit -> note blob of ``refs/notes/approvals`` (empty when there is none)."""
    listed = git.run("notes", f"--ref={NOTES_REF}", "list", check=False)
    if listed.returncode != 0:
        return {}
    notes: dict[str, str] = {}
    for line in listed.stdout.decode("ascii", "replace").split("\n"):
        parts = line.split()
        if len(parts) == 2 and SHA_RE.match(parts[0]) and SHA_RE.match(parts[1]):
            notes[parts[1]] = parts[0]
    return notes


def _notes_signed(git: Git) -> bool:
    """True when every commit of the notes ref carries a good signature of a trusted key."""
    signatures = git.run("log", "--format=%G?", NOTES_REF, "--", check=False)
    letters = signatures.stdout.decode("ascii", "replace").split()
    return signatures.returncode == 0 and bool(letters) and all(letter == "G" for letter in letters)


def _materialise(
    pending: list[Pending],
    infos: dict[str, CommitInfo],
    verdicts: dict[str, Verdict],
    facts_by_blob: dict[str, FrontFacts],
) -> None:
    for order, item in enumerate(pending):
        item.doc.order = order
        info = infos.get(item.commit, UNKNOWN_COMMIT)
        found = verdicts.get(item.commit, Verdict())
        if item.deleted:
            previous = item.doc.changes[-1] if item.doc.changes else None
            facts = FrontFacts(previous.revision, previous.effective, previous.code) if previous else NO_FACTS
        else:
            facts = facts_by_blob.get(item.blob or "", NO_FACTS)
        item.doc.changes.append(
            Change(
                attachment=item.attachment,
                sequence=order,
                commit=item.commit,
                date=info.date,
                author=info.author,
                subject=info.subject,
                path=item.path,
                blob=item.blob,
                deleted=item.deleted,
                revision=facts.revision,
                effective=facts.effective,
                code=facts.code,
                mr=info.mr,
                approvers=tuple(approval.name for approval in found.approvals),
                reviewers=found.reviewers,
                approvals=found.approvals,
                approval_problem=found.problem,
            )
        )
