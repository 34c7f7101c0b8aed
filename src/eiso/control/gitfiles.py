"""The corpus of controlled documents at a git revision, or in the working tree.

Reading a revision costs two git processes, whatever the number of documents:

* ``git ls-tree -r -z REV -- procedures/`` lists the document blobs,
* one ``git cat-file --batch`` reads the commit, every document blob and then
  the form files the documents reference (asked for as ``REV:./path``).

Blobs are decoded and parsed exactly like files on disk (``loader.decode_source``
and ``loader.parse_document``), so a document reads the same from git as from
the working tree. Form files are only hashed (SHA-256): that is what the change
report and the change policy need, and forms may be large binary files.

Git failures (an unknown revision, not a repository, no git) raise
:class:`~eiso.errors.GitError` with a Vietnamese message; the ``eiso`` command
maps it to exit status 2 and no traceback.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO

from eiso.errors import GitError
from eiso.documents.findings import Finding
from eiso.documents.loader import MAX_FILE_BYTES, decode_source, load_corpus, parse_document, too_large
from eiso.documents.model import Document

__all__ = ["GitError", "Snapshot", "form_path", "merge_base", "read_corpus_at", "read_snapshot"]

TIMEOUT = 300.0  # seconds for one git command that lists or resolves
_CHUNK = 1 << 16
# What a revision argument may look like: no option, no whitespace or control characters.
_BAD_REV = re.compile(r"[\x00-\x20\x7f]")



@dataclass
class Snapshot:
    """The documents of one side of a comparison, and where they were read from."""

    documents: list[Document]
    findings: list[Finding]
    files: dict[str, str]  # repository-relative path of a referenced form file -> sha256 (hex)
    rev: str | None  # the revision as given; None for the working tree
    commit: str | None  # full sha of the commit read (None for the working tree)

    @property
    def unreadable(self) -> set[str]:
        """Paths of files that were found but did not load (they have an error finding)."""
        loaded = {doc.path for doc in self.documents}
        return {f.path for f in self.findings if f.severity == "error" and f.path not in loaded}


# --------------------------------------------------------------------------- public API


def read_corpus_at(
    root: Path, procedures_dir: str = "procedures", rev: str | None = None
) -> tuple[list[Document], list[Finding], dict[str, str]]:
    """Documents, load findings and form-file hashes at ``rev`` (``None``: the working tree)."""
    snapshot = read_snapshot(root, procedures_dir, rev)
    return snapshot.documents, snapshot.findings, snapshot.files


def read_snapshot(root: Path, procedures_dir: str = "procedures", rev: str | None = None) -> Snapshot:
    root = Path(root).resolve()
    if rev is None:
        return _working_tree(root, procedures_dir)
    return _at_revision(root, procedures_dir, rev)


def merge_base(root: Path, a: str, b: str) -> str | None:
    """The best common ancestor of ``a`` and ``b`` (full sha), or None when they have none."""
    for rev in (a, b):
        _check_rev(rev)
    proc = _run(Path(root), "merge-base", a, b, check=False)
    if proc.returncode == 0:
        return proc.stdout.decode("ascii", "replace").strip() or None
    if proc.returncode == 1 and not proc.stderr.strip():
        return None  # no common ancestor (unrelated histories)
    raise _failure(proc, f"không tìm được điểm rẽ nhánh (merge-base) của «{a}» và «{b}»")


def head_commit(root: Path) -> str | None:
    """Full sha of HEAD, or None in a repository without commits."""
    proc = _run(Path(root), "rev-parse", "--verify", "--quiet", "HEAD^{commit}", check=False)
    return proc.stdout.decode("ascii", "replace").strip() or None if proc.returncode == 0 else None


def form_path(doc: Document, file: str) -> str | None:
    """Repository-relative path of a form file named relative to its document; None if it leaves the repository."""
    if not file or "\\" in file or PurePosixPath(file).is_absolute():
        return None
    joined = posixpath.normpath(posixpath.join(doc.attachments_folder.as_posix(), file))
    if joined == ".." or joined.startswith("../") or joined.startswith("/"):
        return None
    return joined


def sort_key(path: str) -> tuple:
    """The order of ``loader.find_sources``: a folder's files before its sub-folders, each sorted."""
    parts = path.split("/")
    return tuple((1, part) for part in parts[:-1]) + ((0, parts[-1]),)


# --------------------------------------------------------------------------- working tree


def _working_tree(root: Path, procedures_dir: str) -> Snapshot:
    from eiso.documents.checks import resolve_attachment

    corpus = load_corpus(root, procedures_dir)
    files: dict[str, str] = {}
    for doc in corpus.documents:
        for form in doc.meta.forms:
            rel = form_path(doc, form.file or "")
            if rel is None or rel in files:
                continue
            target = resolve_attachment(doc, form.file or "", root)
            if target is None or not target.is_file():
                continue
            try:
                digest = hashlib.sha256()
                with target.open("rb") as handle:
                    for chunk in iter(lambda: handle.read(_CHUNK), b""):
                        digest.update(chunk)
            except OSError:
                continue
            files[rel] = digest.hexdigest()
    return Snapshot(corpus.documents, list(corpus.findings), files, None, None)


# --------------------------------------------------------------------------- git revision


@dataclass
class _Entry:
    mode: str
    kind: str
    sha: str
    path: str


def _at_revision(root: Path, procedures_dir: str, rev: str) -> Snapshot:
    _check_rev(rev)
    folder = procedures_dir.strip("/") or "."
    listing = _run(root, "--literal-pathspecs", "ls-tree", "-r", "-z", rev, "--", f"{folder}/", check=False)
    if listing.returncode != 0:
        raise _failure(listing, f"không đọc được phiên bản «{rev}» của kho git")
    entries = _parse_ls_tree(listing.stdout)
    by_path = {entry.path: entry for entry in entries}
    sources = sorted(
        (e for e in entries if e.path.endswith(".md") and e.kind == "blob"),
        key=lambda e: sort_key(e.path),
    )
    documents: list[Document] = []
    findings: list[Finding] = []
    files: dict[str, str] = {}
    with _CatFile(root) as cat:
        commit = cat.resolve(rev)
        # 1. every document blob
        for entry in sources:
            blob_sha = entry.sha
            if entry.mode == "120000":  # a symbolic link: follow it inside the tree only
                target = cat.read(entry.sha, MAX_FILE_BYTES)
                linked = _link_target(entry.path, target[1] if target else None)
                if linked is None or linked not in by_path or by_path[linked].kind != "blob":
                    findings.append(Finding(entry.path, 1, "-", "tệp là liên kết trỏ ra ngoài thư mục tài liệu", "path"))
                    continue
                blob_sha = by_path[linked].sha
            answer = cat.read(blob_sha, MAX_FILE_BYTES)
            if answer is None:
                findings.append(Finding(entry.path, 1, "-", f"không đọc được tệp trong git (phiên bản «{rev}»)", "io"))
                continue
            size, raw = answer
            if raw is None:
                findings.append(too_large(entry.path, size))
                continue
            source = decode_source(entry.path, raw)
            if source.text is None:
                findings.extend([source.finding] if source.finding else [])
                continue
            document, found = parse_document(entry.path, source.text)
            findings.extend(found)
            if document is not None:
                documents.append(document)
        # 2. the form files they reference, hashed
        for doc in documents:
            for form in doc.meta.forms:
                rel = form_path(doc, form.file or "")
                if rel is None or rel in files or "\n" in rel:
                    continue
                digest = cat.hash(f"{commit}:./{rel}")
                if digest is not None:
                    files[rel] = digest
    return Snapshot(documents, findings, files, rev, commit)


def _parse_ls_tree(output: bytes) -> list[_Entry]:
    entries = []
    for record in output.split(b"\0"):
        if not record:
            continue
        meta, _, path = record.partition(b"\t")
        parts = meta.split()
        if len(parts) != 3:
            continue
        mode, kind, sha = (p.decode("ascii", "replace") for p in parts)
        entries.append(_Entry(mode, kind, sha, path.decode("utf-8", "surrogateescape")))
    return entries


def _link_target(path: str, target: bytes | None) -> str | None:
    if not target or b"\0" in target:
        return None
    text = target.decode("utf-8", "surrogateescape")
    if text.startswith("/"):
        return None
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(path), text))
    return None if joined.startswith("..") else joined


class _CatFile:
    """One ``git cat-file --batch`` process, asked one object at a time."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.proc: subprocess.Popen[bytes] | None = None
        self.last_sha = ""

    def __enter__(self) -> _CatFile:
        try:
            self.proc = subprocess.Popen(
                _argv("cat-file", "--batch"), cwd=self.root, env=_env(),
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            )
        except OSError as error:
            raise GitError(f"không chạy được git: {error.strerror or error}") from None
        return self

    def __exit__(self, *exc: object) -> None:
        proc = self.proc
        if proc is None:
            return
        try:
            if proc.stdin:
                proc.stdin.close()
            proc.wait(timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            proc.kill()
            proc.wait()
        finally:
            if proc.stdout:
                proc.stdout.close()

    def _ask(self, name: str) -> tuple[str, int] | None:
        """Send one object name; returns (type, size) with the content waiting, or None if missing."""
        assert self.proc and self.proc.stdin and self.proc.stdout
        try:
            self.proc.stdin.write(name.encode("utf-8", "surrogateescape") + b"\n")
            self.proc.stdin.flush()
        except OSError as error:
            raise GitError(f"git cat-file dừng bất thường: {error}") from None
        header = self.proc.stdout.readline()
        if not header:
            raise GitError("git cat-file dừng bất thường khi đọc kho")
        parts = header.split()
        if len(parts) != 3 or not parts[2].isdigit():
            return None  # "<name> missing" / "ambiguous"
        self.last_sha = parts[0].decode("ascii", "replace")
        return parts[1].decode("ascii", "replace"), int(parts[2])

    def _content(self, size: int, sink) -> None:  # type: ignore[no-untyped-def]
        stdout: IO[bytes] = self.proc.stdout  # type: ignore[union-attr,assignment]
        left = size
        while left:
            chunk = stdout.read(min(left, _CHUNK))
            if not chunk:
                raise GitError("git cat-file dừng bất thường khi đọc kho")
            sink(chunk)
            left -= len(chunk)
        stdout.read(1)  # the newline after the content

    def resolve(self, rev: str) -> str:
        """Full sha of the commit ``rev`` names."""
        answer = self._ask(f"{rev}^{{commit}}")
        if answer is None:
            raise GitError(f"«{rev}» không phải là một commit trong kho git")
        sha = self.last_sha
        self._content(answer[1], lambda chunk: None)
        return sha

    def read(self, name: str, limit: int) -> tuple[int, bytes | None] | None:
        """(size, content) of a blob; content None when larger than ``limit``; None if missing."""
        answer = self._ask(name)
        if answer is None:
            return None
        kind, size = answer
        parts: list[bytes] = []
        keep = size <= limit and kind == "blob"
        self._content(size, parts.append if keep else (lambda chunk: None))
        if kind != "blob":
            return None
        return size, (b"".join(parts) if keep else None)

    def hash(self, name: str) -> str | None:
        """SHA-256 of a blob's content, streamed; None when there is no such blob."""
        answer = self._ask(name)
        if answer is None:
            return None
        kind, size = answer
        digest = hashlib.sha256()
        self._content(size, digest.update)
        return digest.hexdigest() if kind == "blob" else None


# --------------------------------------------------------------------------- plumbing


def _git() -> str:
    executable = shutil.which("git")
    if executable is None:
        raise GitError("không tìm thấy chương trình git (cần cài git để so sánh các phiên bản)")
    return executable


def _argv(*args: str) -> list[str]:
    return [_git(), "--no-pager", "-c", "core.quotePath=false", *args]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(GIT_TERMINAL_PROMPT="0", GIT_OPTIONAL_LOCKS="0", GIT_PAGER="cat", LC_ALL="C")
    return env


def _run(root: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[bytes]:
    try:
        proc = subprocess.run(
            _argv(*args), cwd=root, env=_env(), stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=TIMEOUT, check=False,
        )
    except subprocess.TimeoutExpired:
        raise GitError(f"git {args[0]} chạy quá {TIMEOUT:g} giây") from None
    except OSError as error:
        raise GitError(f"không chạy được git: {error.strerror or error}") from None
    if check and proc.returncode != 0:
        raise _failure(proc, f"lệnh git {args[0]} thất bại")
    return proc


def _check_rev(rev: str) -> None:
    if not rev or rev.startswith("-") or _BAD_REV.search(rev):
        raise GitError(f"phiên bản git không hợp lệ: «{rev}»")


def _failure(proc: subprocess.CompletedProcess[bytes], what: str) -> GitError:
    """A Vietnamese error for a failed git command, with the likely cause first."""
    stderr = proc.stderr.decode("utf-8", "replace").strip()
    lowered = stderr.lower()
    if "not a git repository" in lowered:
        cause = "thư mục không phải là kho git"
    elif "dubious ownership" in lowered:
        cause = "git từ chối kho thuộc người dùng khác (cần khai báo safe.directory)"
    elif "not a valid object name" in lowered or "not a valid commit" in lowered or "unknown revision" in lowered \
            or "not a tree object" in lowered or "bad revision" in lowered:
        cause = ("không có phiên bản (nhánh, thẻ hoặc commit) này trong kho; nếu chạy trong CI, "
                 "cần lấy đủ lịch sử và nhánh đích (GitLab: GIT_DEPTH: \"0\"; GitHub: fetch-depth: 0)")
    else:
        cause = stderr.splitlines()[-1] if stderr else f"mã lỗi {proc.returncode}"
    return GitError(f"{what}: {cause}")


# Shared with other readers of git (the framework repository's history).
CatFile = _CatFile
run_git = _run
parse_ls_tree = _parse_ls_tree
