"""The framework repository's documents at every revision, read from its own git history.

One pass, whatever the length of the history: ``git log --raw`` over the framework's
procedures folder lists every blob each document ever had, ``git ls-tree`` the ones
at the pinned commit, and one ``git cat-file --batch`` reads them all. Each blob is
parsed like a file on disk; the newest content of each (code, revision) is what an
adoption of that revision receives, so adopting revision 3 stays exact after the
framework reaches revision 4.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field, replace
from pathlib import Path

from eiso.control.gitfiles import CatFile, parse_ls_tree, run_git
from eiso.documents.adoption import framework_context
from eiso.documents.loader import MAX_FILE_BYTES, decode_source, load_corpus, parse_document
from eiso.documents.model import Document, Status
from eiso.documents.text import slugify
from eiso.errors import EisoError, GitError
from eiso.project import plugin_options

_ZERO = "0" * 40
_CACHE: dict[tuple[str, str], "GitFramework"] = {}


@dataclass
class GitFramework:
    """The framework's documents: current ones (at the pinned commit) and every revision in its history."""

    root: Path
    label: str  # as written in mkdocs.yml, for messages
    prefix: str = "."  # the framework's root relative to the agency's root (POSIX)
    procedures_dir: str = "procedures"
    commit: str | None = None  # the pinned commit (None: not a git repository)
    problem: str | None = None  # why nothing could be read (Vietnamese)
    current: dict[str, Document] = field(default_factory=dict)  # slug -> document at the pinned commit
    revisions: dict[tuple[str, int], Document] = field(default_factory=dict)  # (slug, revision) -> newest content
    # Files at the pinned commit that do not load, path -> the first finding (Vietnamese): their codes are
    # unknown, so every user of the framework must say so rather than treat them as absent.
    unreadable: dict[str, str] = field(default_factory=dict)

    def document_at(self, code: str, revision: int) -> Document | str:
        if self.problem:
            return self.problem
        slug = slugify(code)
        found = self.revisions.get((slug, revision))
        if found is not None:
            return found
        if slug not in self.current and not any(key[0] == slug for key in self.revisions):
            return f"mã «{code}» không có trong mô hình khung «{self.label}»"
        known = sorted(rev for (s, rev) in self.revisions if s == slug)
        where = "trong lịch sử git của mô hình khung" if self.commit else "(mô hình khung không phải kho git: chỉ có bản hiện hành)"
        return (f"mô hình khung không có lần ban hành {revision} của «{code}» {where}; "
                f"các lần có: {', '.join(map(str, known)) or 'không'}")

    def folder_of(self, document: Document) -> str:
        return posixpath.normpath(posixpath.join(self.prefix, posixpath.dirname(document.path)))

    def latest(self, code: str) -> Document | None:
        """The framework's current issued revision of ``code``: neither a draft at the pinned commit (not
        issued yet) nor withdrawn (nothing left to adopt or to update to)."""
        doc = self.current.get(slugify(code))
        if doc is None or doc.meta.status in (Status.draft, Status.withdrawn):
            return None
        return doc

    def withdrawn(self, code: str) -> Document | None:
        """The framework's document ``code`` when the province has withdrawn it at the pinned commit."""
        doc = self.current.get(slugify(code))
        return doc if doc is not None and doc.meta.status is Status.withdrawn else None


def open_framework(agency_root: Path, option: str | None, commit: str | None = None) -> GitFramework | None:
    """The framework named by the ``framework:`` option, relative to the agency's root; None when not set.

    Read at its checked-out commit, or at ``commit`` (the one an agency revision pinned).
    """
    if not option:
        return None
    agency_root = Path(agency_root).resolve()
    root = (agency_root / str(option)).resolve()
    label = str(option)
    if agency_root not in (root, *root.parents):
        return GitFramework(root, label, problem=f"mô hình khung «{label}» nằm ngoài kho; cần một thư mục trong kho "
                                                 "(thường là git submodule)")
    if not root.is_dir():
        return GitFramework(root, label, problem=f"không tìm thấy thư mục mô hình khung «{label}» "
                                                 "(nếu là git submodule: git submodule update --init)")
    procedures = _procedures_dir(root)
    prefix = root.relative_to(agency_root).as_posix()
    if not (root / ".git").exists():  # a plain copy: only its current documents
        return replace(_from_working_tree(root, label, procedures), prefix=prefix)
    try:
        wanted = f"{commit or 'HEAD'}^{{commit}}"
        commit = run_git(root, "rev-parse", "--verify", "--end-of-options", wanted).stdout.decode("ascii").strip()
        key = (str(root), commit)
        if key not in _CACHE:
            _CACHE[key] = _from_git(root, label, procedures, commit)
        return replace(_CACHE[key], prefix=prefix, label=label)
    except GitError as error:
        return GitFramework(root, label, procedures_dir=procedures, problem=f"không đọc được lịch sử git của mô hình khung «{label}»: {error}")


def _procedures_dir(root: Path) -> str:
    config = root / "mkdocs.yml"
    if not config.is_file():
        return "procedures"
    try:
        return str(plugin_options(config).get("procedures_dir", "procedures"))
    except EisoError:
        return "procedures"


def _from_working_tree(root: Path, label: str, procedures: str) -> GitFramework:
    with framework_context(None):
        corpus = load_corpus(root, procedures)
    framework = GitFramework(root, label, procedures_dir=procedures)
    for finding in corpus.findings:
        if finding.path in corpus.rejected:
            framework.unreadable.setdefault(finding.path, str(finding))
    for doc in corpus.documents:
        framework.current[doc.slug] = doc
        framework.revisions[(doc.slug, doc.meta.revision)] = doc
    return framework


def _from_git(root: Path, label: str, procedures: str, commit: str) -> GitFramework:
    folder = f"{procedures.strip('/') or '.'}/"
    listing = run_git(root, "--literal-pathspecs", "ls-tree", "-r", "-z", commit, "--", folder)
    current = [(e.path, e.sha) for e in parse_ls_tree(listing.stdout) if e.kind == "blob" and e.path.endswith(".md")]
    log = run_git(root, "--literal-pathspecs", "log", "-z", "--raw", "--no-abbrev", "--no-renames",
                  "--format=%x01%H", commit, "--", folder)
    past = _log_blobs(log.stdout)
    framework = GitFramework(root, label, procedures_dir=procedures, commit=commit)
    parsed: dict[str, Document | str] = {}
    with CatFile(root) as cat, framework_context(None):
        for path, sha in current + past:
            if sha not in parsed:
                parsed[sha] = _parse_blob(cat, path, sha)
    for path, sha in current:
        doc = parsed[sha]
        if isinstance(doc, str):
            framework.unreadable[path] = doc
        else:
            framework.current.setdefault(doc.slug, doc)
    for path, sha in current + past:  # the pinned content first, then newest to oldest
        doc = parsed[sha]
        if not isinstance(doc, str):
            framework.revisions.setdefault((doc.slug, doc.meta.revision), doc)
    return framework


def _log_blobs(output: bytes) -> list[tuple[str, str]]:
    """(path, blob) of every document version in ``git log -z --raw`` output, newest first."""
    blobs: list[tuple[str, str]] = []
    tokens = output.split(b"\0")
    index = 0
    while index < len(tokens):
        token = tokens[index].lstrip(b"\n")
        index += 1
        if token.startswith(b":") and index < len(tokens):
            parts = token.split()
            path = tokens[index].decode("utf-8", "surrogateescape")
            index += 1
            if len(parts) >= 4 and path.endswith(".md"):
                sha = parts[3].decode("ascii", "replace")
                if sha != _ZERO:
                    blobs.append((path, sha))
    return blobs


def _parse_blob(cat: CatFile, path: str, sha: str) -> Document | str:
    """The document, or why it does not load (the first finding, as ``eiso check`` prints it)."""
    answer = cat.read(sha, MAX_FILE_BYTES)
    if answer is None or answer[1] is None:
        return f"{path}: tệp quá lớn hoặc không đọc được từ git"
    source = decode_source(path, answer[1])
    if source.text is None:
        return str(source.finding) if source.finding else f"{path}: không đọc được nội dung"
    document, findings = parse_document(path, source.text)
    if document is None:
        return str(findings[0]) if findings else f"{path}: không đọc được tài liệu"
    return document
