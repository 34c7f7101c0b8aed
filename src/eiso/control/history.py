"""Revision history of controlled documents, read from git in one pass.

The main branch is the record: every commit on its first-parent line that
touched a document under the procedures folder is one :class:`Change` of that
document, and the merge request that brought it (plus the ``Approved-by:`` /
``Reviewed-by:`` trailers of that very commit) is its approval trail.

Reading is done with a fixed number of git processes, whatever the number of
documents:

* ``git rev-parse`` (twice: repository facts, then the wanted ref),
* one ``git log --first-parent --diff-merges=first-parent --raw -M -z`` over
  the procedures folder, which yields, for each first-parent commit, the
  documents it added, modified, renamed or deleted (a merge is diffed against
  its first parent, so a merge's changes are the merge request's changes),
* one ``git cat-file --batch`` that reads the commit objects (author, date,
  message) and the blob of every document state (to read ``revision``,
  ``effective`` and ``code`` from its front matter).

Everything read from git is untrusted text: messages and blobs may hold any
bytes, front matter may be hostile YAML. Git failures never raise to the
caller: the :class:`History` says ``available=False`` and carries a Vietnamese
``notice`` for the site instead. This module only uses the standard library,
PyYAML and the git command line; it knows nothing about the rest of e-ISO.
"""

from __future__ import annotations

import codecs
import datetime as dt
import os
import posixpath
import re
import shutil
import subprocess
import threading
import unicodedata
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

__all__ = [
    "Change",
    "History",
    "MAX_BLOB_BYTES",
    "MergeRequest",
    "RevisionEntry",
    "read_history",
]

#: At most this many bytes of a blob are ever read (front matter and ``read_blob``).
MAX_BLOB_BYTES = 2 * 1024 * 1024
#: Front matter with more YAML events than this is treated as unparsable.
MAX_YAML_EVENTS = 60_000
#: Front matter nested deeper than this is treated as unparsable.
MAX_YAML_DEPTH = 40
#: Default time limit, in seconds, for one git operation.
DEFAULT_TIMEOUT = 300.0
#: Inexact rename detection is limited to this many files per commit (git's -l).
RENAME_LIMIT = 4000

_TITLE_MAX = 500
_NAME_MAX = 200

_SHA_RE = re.compile(r"^(?:[0-9a-f]{40}|[0-9a-f]{64})$")
_NULL_SHA_RE = re.compile(rb"^0+$")
_GITLAB_RE = re.compile(
    r"^[ \t]*See merge request[ \t]+([A-Za-z0-9_.\-/]*)!([0-9]{1,9})[ \t]*$", re.MULTILINE
)
_GITHUB_MERGE_RE = re.compile(r"^Merge pull request #([0-9]{1,9}) from \S")
_GITHUB_SQUASH_RE = re.compile(r"^(.*?)[ \t]*\(#([0-9]{1,9})\)$")
_TRAILER_RE = re.compile(r"^([A-Za-z0-9][A-Za-z0-9-]*)[ \t]*:[ \t]*(.*?)[ \t]*$")
_SEE_MR_RE = re.compile(r"^[ \t]*See merge request[ \t]", re.IGNORECASE)
_DATE_RE = re.compile(r"^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:$|[Tt \t])")
_INT_RE = re.compile(r"^\+?([0-9]{1,9})$")
_FM_OPEN_RE = re.compile(rb"^---[ \t]*\r?\n")
_FM_CLOSE_RE = re.compile(rb"^(?:---|\.\.\.)[ \t]*\r?$", re.MULTILINE)
_BOM = b"\xef\xbb\xbf"

try:  # libyaml's event parser is much faster; the pure one is equivalent.
    _YamlLoader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _YamlLoader = yaml.SafeLoader

_STANDARD_TAGS = frozenset(
    "tag:yaml.org,2002:" + name
    for name in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq")
) | {"!"}


# --------------------------------------------------------------------------- model


@dataclass(frozen=True)
class MergeRequest:
    """The merge request (GitLab) or pull request (GitHub) that brought a commit to main."""

    ref: str  # "group/project!12" (GitLab) or "#12" (GitHub)
    number: int
    forge: str  # "gitlab" | "github"
    title: str  # the MR title: the description of the change


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
    approvers: tuple[str, ...]  # Approved-by: trailers of this first-parent commit
    reviewers: tuple[str, ...]  # Reviewed-by: trailers of this first-parent commit

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
        """The last state of the file while this revision was current."""
        return self.changes[-1]

    @property
    def approved(self) -> bool:
        """True when every change of the group is approved."""
        return all(change.approved for change in self.changes)


# --------------------------------------------------------------------------- history


class _Doc:
    """One document identity followed through renames (internal)."""

    __slots__ = ("changes", "path", "live", "order")

    def __init__(self, path: str) -> None:
        self.changes: list[Change] = []
        self.path = path
        self.live = True
        self.order = 0  # position of its last change in the whole history


class History:
    """History of every document of the procedures folder, as of one ref."""

    def __init__(
        self,
        *,
        available: bool,
        shallow: bool = False,
        notice: str | None = None,
        head: str | None = None,
        docs: list[_Doc] | None = None,
        git: _Git | None = None,
    ) -> None:
        self.available: bool = available
        self.shallow: bool = shallow
        self.notice: str | None = notice
        self.head: str | None = head  # the commit the history was read at
        self._docs: list[_Doc] = docs or []
        self._git = git
        self._by_path: dict[str, _Doc] = {}
        self._by_nfc: dict[str, _Doc] = {}
        for doc in self._docs:  # live documents first: they own their current path
            if doc.live:
                self._by_path[doc.path] = doc
        for doc in self._docs:  # then deleted ones, by their last path, unless reused
            if not doc.live:
                self._by_path.setdefault(doc.path, doc)
        for key, doc in self._by_path.items():
            self._by_nfc.setdefault(unicodedata.normalize("NFC", key), doc)
        self._blob_cache: OrderedDict[str, bytes] = OrderedDict()
        self._reader: _BlobReader | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return (
            f"History(available={self.available}, shallow={self.shallow}, "
            f"documents={len(self._docs)}, head={self.head!r})"
        )

    # ---- queries

    def _doc(self, path: str | os.PathLike[str]) -> _Doc | None:
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

    def revisions(self, path: str | os.PathLike[str]) -> list[RevisionEntry]:
        """The revision table: consecutive changes with one ``revision`` value, oldest first.

        Deletions are not states of the file and are left out (see :meth:`deleted`).
        """
        doc = self._doc(path)
        if doc is None:
            return []
        return _group(doc.changes)

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
        if not isinstance(sha, str) or not _SHA_RE.match(sha) or self._git is None:
            return b""
        with self._lock:
            cached = self._blob_cache.get(sha)
            if cached is not None:
                self._blob_cache.move_to_end(sha)
                return cached
            if self._reader is None:
                self._reader = _BlobReader(self._git)
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


def _group(changes: Iterable[Change]) -> list[RevisionEntry]:
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


# --------------------------------------------------------------------------- git plumbing


class _GitError(Exception):
    """A git command failed; ``reason`` is short text for a notice."""

    def __init__(self, reason: str, stderr: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.stderr = stderr


class _Git:
    """How to run git in one repository, with a time limit on every call."""

    def __init__(self, executable: str, root: Path, timeout: float) -> None:
        self.executable = executable
        self.root = root
        self.timeout = timeout
        env = dict(os.environ)
        env.update(
            GIT_TERMINAL_PROMPT="0",  # never wait for credentials
            GIT_OPTIONAL_LOCKS="0",  # read only: do not touch the index
            GIT_NO_LAZY_FETCH="1",  # partial clones: do not fetch missing objects
            GIT_PAGER="cat",
            LC_ALL="C",
        )
        self.env = env

    def argv(self, *args: str) -> list[str]:
        return [
            self.executable,
            "--no-pager",
            "-c",
            "log.showSignature=false",
            "-c",
            "log.follow=false",
            "-c",
            "diff.relative=false",
            "-c",
            "core.quotePath=false",
            *args,
        ]

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[bytes]:
        try:
            proc = subprocess.run(
                self.argv(*args),
                cwd=self.root,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                timeout=self.timeout,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise _GitError(f"git {args[0]} quá {self.timeout:g} giây") from None
        except OSError as error:
            raise _GitError(f"không chạy được git: {error.strerror or error}") from None
        if check and proc.returncode != 0:
            stderr = proc.stderr.decode("utf-8", "replace").strip()
            raise _GitError(f"git {args[0]} lỗi {proc.returncode}", stderr)
        return proc

    def popen_cat_file(self) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            self.argv("cat-file", "--batch"),
            cwd=self.root,
            env=self.env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )


def _read_response(stdout, limit: int) -> tuple[str, bytes | None] | None:  # type: ignore[no-untyped-def]
    """Read one ``cat-file --batch`` answer: (type, content) or ("missing", None); None at EOF."""
    header = stdout.readline(1024)
    if not header:
        return None
    parts = header.split()
    if len(parts) != 3:
        return ("missing", None)
    kind = parts[1].decode("ascii", "replace")
    try:
        size = int(parts[2])
    except ValueError:
        return None
    keep = min(size, limit)
    content = stdout.read(keep)
    if len(content) < keep:
        return None
    rest = size - keep + 1  # what we do not keep, plus the newline after the object
    while rest > 0:
        chunk = stdout.read(min(rest, 1 << 20))
        if not chunk:
            return None
        rest -= len(chunk)
    return (kind, content)


def _cat_file_bulk(
    git: _Git, shas: list[str], on_object: Callable[[str, str, bytes | None], None]
) -> tuple[int, str | None]:
    """Read many objects with one ``git cat-file --batch``; returns (objects read, failure)."""
    if not shas:
        return (0, None)
    try:
        proc = git.popen_cat_file()
    except OSError as error:
        return (0, f"không chạy được git cat-file: {error.strerror or error}")
    timed_out = threading.Event()

    def kill() -> None:
        timed_out.set()
        proc.kill()

    timer = threading.Timer(git.timeout, kill)
    timer.daemon = True
    request = "".join(sha + "\n" for sha in shas).encode("ascii")

    def write() -> None:
        try:
            assert proc.stdin is not None
            proc.stdin.write(request)
            proc.stdin.close()
        except (OSError, ValueError):
            pass

    writer = threading.Thread(target=write, name="eiso-cat-file-writer", daemon=True)
    timer.start()
    writer.start()
    done = 0
    failure: str | None = None
    try:
        assert proc.stdout is not None
        for sha in shas:
            answer = _read_response(proc.stdout, MAX_BLOB_BYTES)
            if answer is None:
                failure = "git cat-file dừng giữa chừng"
                break
            kind, content = answer
            on_object(sha, kind, content)
            done += 1
    finally:
        if timed_out.is_set():
            failure = f"git cat-file quá {git.timeout:g} giây"
        if done < len(shas) or failure:
            proc.kill()
        writer.join(timeout=5)
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        timer.cancel()
        if proc.stdout is not None:
            proc.stdout.close()
        if proc.stdin is not None and not proc.stdin.closed:
            try:
                proc.stdin.close()
            except OSError:
                pass
    return (done, failure)


class _BlobReader:
    """A persistent ``git cat-file --batch`` for on-demand reads (one request at a time)."""

    def __init__(self, git: _Git) -> None:
        self.git = git
        self.proc: subprocess.Popen[bytes] | None = None

    def read(self, sha: str) -> tuple[str, bytes | None]:
        for _attempt in range(2):
            if self.proc is None or self.proc.poll() is not None:
                self.close()
                try:
                    self.proc = self.git.popen_cat_file()
                except OSError:
                    return ("missing", None)
            proc = self.proc
            timer = threading.Timer(min(self.git.timeout, 30.0), proc.kill)
            timer.daemon = True
            timer.start()
            try:
                assert proc.stdin is not None and proc.stdout is not None
                proc.stdin.write(sha.encode("ascii") + b"\n")
                proc.stdin.flush()
                answer = _read_response(proc.stdout, MAX_BLOB_BYTES)
            except (OSError, ValueError):
                answer = None
            finally:
                timer.cancel()
            if answer is not None:
                return answer
            self.close()  # a broken process: start a new one once
        return ("missing", None)

    def close(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None:
            return
        try:
            if proc.stdin is not None:
                proc.stdin.close()
        except OSError:
            pass
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()


# --------------------------------------------------------------------------- log parsing


@dataclass
class _RawEntry:
    status: str  # A M D T R (C, U, X are treated like their closest meaning)
    old_mode: str
    new_mode: str
    new_blob: str
    path: str  # destination path for renames
    old_path: str | None  # source path for renames/copies


def _parse_log(data: bytes, prefix: str) -> list[tuple[str, list[_RawEntry]]]:
    """Parse ``git log -z --raw --format=C%H`` output, oldest first if run with --reverse."""
    commits: list[tuple[str, list[_RawEntry]]] = []
    tokens = data.split(b"\0")
    index = 0
    count = len(tokens)
    current: list[_RawEntry] | None = None
    while index < count:
        token = tokens[index].lstrip(b"\n")
        index += 1
        if not token:
            continue
        if token[:1] == b"C":
            sha = token[1:].strip().decode("ascii", "replace")
            current = []
            commits.append((sha, current))
            continue
        if token[:1] != b":" or current is None:
            continue  # unexpected; keep going
        fields = token[1:].split(b" ")
        if len(fields) < 5:
            continue
        status = fields[4][:1].decode("ascii", "replace")
        paths_needed = 2 if status in ("R", "C") else 1
        if index + paths_needed > count:
            break
        raw_paths = tokens[index : index + paths_needed]
        index += paths_needed
        paths = [_strip_prefix(p.decode("utf-8", "surrogateescape"), prefix) for p in raw_paths]
        new_blob = fields[3].decode("ascii", "replace")
        if _NULL_SHA_RE.match(fields[3]):
            new_blob = ""
        current.append(
            _RawEntry(
                status=status,
                old_mode=fields[0].decode("ascii", "replace"),
                new_mode=fields[1].decode("ascii", "replace"),
                new_blob=new_blob,
                path=paths[-1] if paths[-1] is not None else "",
                old_path=paths[0] if paths_needed == 2 else None,
            )
        )
    return commits


def _strip_prefix(path: str, prefix: str) -> str | None:
    if not prefix:
        return path
    return path[len(prefix) :] if path.startswith(prefix) else None


# --------------------------------------------------------------------------- commits


@dataclass(frozen=True)
class _CommitInfo:
    date: str
    author: str
    subject: str
    mr: MergeRequest | None
    approvers: tuple[str, ...]
    reviewers: tuple[str, ...]


_UNKNOWN_COMMIT = _CommitInfo("", "", "", None, (), ())


def _decode(raw: bytes, encoding: str | None) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if encoding:
        try:
            codecs.lookup(encoding)
            return raw.decode(encoding, "replace")
        except (LookupError, ValueError):
            pass
    return raw.decode("utf-8", "replace")


def _parse_ident(value: bytes) -> tuple[str, str]:
    """(name, ISO date) from ``Name <email> 1700000000 +0700``."""
    open_at = value.rfind(b"<")
    close_at = value.rfind(b">")
    name = value[:open_at] if open_at >= 0 else value
    name_text = _clean_text(name.decode("utf-8", "replace"))[:_NAME_MAX]
    stamp = value[close_at + 1 :].split() if close_at >= 0 else []
    return name_text, _iso_date(stamp)


def _iso_date(stamp: list[bytes]) -> str:
    if not stamp:
        return ""
    try:
        seconds = int(stamp[0])
        zone = dt.timezone.utc
        if len(stamp) > 1:
            tz = stamp[1].decode("ascii")
            if len(tz) == 5 and tz[0] in "+-" and tz[1:].isdigit():
                offset = dt.timedelta(hours=int(tz[1:3]), minutes=int(tz[3:5]))
                zone = dt.timezone(-offset if tz[0] == "-" else offset)
        epoch = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
        return (epoch + dt.timedelta(seconds=seconds)).astimezone(zone).isoformat()
    except (ValueError, OverflowError, UnicodeDecodeError):
        return ""


def _clean_text(text: str) -> str:
    """NFC, control characters removed, whitespace collapsed (names and titles)."""
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    if not text.isprintable():
        text = "".join(ch if ch.isprintable() else " " for ch in text)
    return " ".join(text.split())


def _parse_commit(raw: bytes) -> _CommitInfo:
    header, _sep, body = raw.partition(b"\n\n")
    author = ""
    date = ""
    encoding: str | None = None
    for line in header.split(b"\n"):
        if line.startswith(b"author "):
            author, _date = _parse_ident(line[7:])
        elif line.startswith(b"committer "):
            _name, date = _parse_ident(line[10:])
        elif line.startswith(b"encoding "):
            encoding = line[9:].decode("ascii", "replace").strip()
    message = _decode(body, encoding)
    return _parse_message(message, author, date)


def _paragraphs(lines: list[str]) -> list[list[str]]:
    result: list[list[str]] = []
    current: list[str] = []
    for line in lines:
        if line.strip():
            current.append(line)
        elif current:
            result.append(current)
            current = []
    if current:
        result.append(current)
    return result


def _is_trailer_paragraph(paragraph: list[str]) -> bool:
    has_trailer = False
    for number, line in enumerate(paragraph):
        if _SEE_MR_RE.match(line):
            continue
        if line[:1] in (" ", "\t") and number > 0:
            continue  # folded continuation of the previous trailer
        if _TRAILER_RE.match(line):
            has_trailer = True
            continue
        return False
    return has_trailer


def _trailer_block(paragraphs: list[list[str]]) -> list[list[str]]:
    """The paragraphs at the end of the body that hold trailers (git's rule, GitLab-aware).

    Git reads trailers from the last paragraph only. GitLab templates may put
    ``See merge request`` last and the ``%{approved_by}`` trailers just before it,
    so a last paragraph made only of that line lets the one before it count too.
    """
    if not paragraphs:
        return []
    last = paragraphs[-1]
    if _is_trailer_paragraph(last):
        return [last]
    if all(_SEE_MR_RE.match(line) for line in last) and len(paragraphs) > 1:
        before = paragraphs[-2]
        if _is_trailer_paragraph(before):
            return [before]
    return []


def _person(value: str) -> str:
    """Display name of ``Name <email>``: the name, else the email."""
    value = value.strip()
    open_at = value.find("<")
    if open_at > 0:
        name = value[:open_at]
    elif open_at == 0:
        name = value[1:].split(">", 1)[0]
    else:
        name = value
    return _clean_text(name)[:_NAME_MAX]


def _parse_message(message: str, author: str, date: str) -> _CommitInfo:
    lines = message.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    paragraphs = _paragraphs(lines)
    if paragraphs:
        subject = _clean_text(" ".join(paragraphs[0]))
        body = paragraphs[1:]
    else:
        subject, body = "", []
    block = _trailer_block(body)
    approvers: list[str] = []
    reviewers: list[str] = []
    for paragraph in block:
        for line in paragraph:
            match = _TRAILER_RE.match(line)
            if not match:
                continue
            key = match.group(1).lower()
            target = approvers if key == "approved-by" else reviewers if key == "reviewed-by" else None
            if target is None:
                continue
            name = _person(match.group(2))
            if name and name not in target:
                target.append(name)

    def body_title() -> str:
        if body and not any(body[0] is paragraph for paragraph in block):
            first = body[0][0]
            if not _SEE_MR_RE.match(first):
                title = _clean_text(first)
                if title:
                    return title[:_TITLE_MAX]
        return subject[:_TITLE_MAX]

    mr: MergeRequest | None = None
    gitlab = list(_GITLAB_RE.finditer("\n".join(lines[1:]) if len(lines) > 1 else ""))
    if gitlab:
        match = gitlab[-1]
        number = int(match.group(2))
        mr = MergeRequest(
            ref=f"{match.group(1)}!{number}", number=number, forge="gitlab", title=body_title()
        )
    elif (match := _GITHUB_MERGE_RE.match(subject)) is not None:
        number = int(match.group(1))
        mr = MergeRequest(ref=f"#{number}", number=number, forge="github", title=body_title())
    elif (match := _GITHUB_SQUASH_RE.match(subject)) is not None:
        number = int(match.group(2))
        title = match.group(1).strip() or subject
        mr = MergeRequest(ref=f"#{number}", number=number, forge="github", title=title[:_TITLE_MAX])
    return _CommitInfo(
        date=date,
        author=author,
        subject=subject,
        mr=mr,
        approvers=tuple(approvers),
        reviewers=tuple(reviewers),
    )


# --------------------------------------------------------------------------- front matter


@dataclass(frozen=True)
class _FrontFacts:
    revision: int | None
    effective: str | None
    code: str | None


_NO_FACTS = _FrontFacts(None, None, None)
_WANTED = ("revision", "effective", "code")


def _front_matter_bytes(blob: bytes) -> bytes | None:
    if blob.startswith(_BOM):
        blob = blob[len(_BOM) :]
    opening = _FM_OPEN_RE.match(blob)
    if opening is None:
        return None
    closing = _FM_CLOSE_RE.search(blob, opening.end())
    if closing is None:
        return None
    return blob[opening.end() : closing.start()]


def _front_facts(text: str) -> _FrontFacts:
    """``revision``, ``effective`` and ``code`` from front matter text, reading YAML events only.

    No Python object is ever constructed from the YAML: anchors/aliases, custom tags,
    more than one document, deep nesting or too many events make it unparsable.
    Reading stops once the three keys are found, unless the text holds ``&`` or ``*``
    (then every event is screened for anchors and aliases). Validating the rest of
    the front matter is the loader's business, for the current file.
    """
    screen_all = "&" in text or "*" in text
    scalars: dict[str, yaml.ScalarEvent | None] = {}
    stack: list[list[int]] = []  # [is_mapping, children completed] per open collection
    pending_key: str | None = None
    documents = 0
    scalar_t = yaml.ScalarEvent
    mapping_start_t = yaml.MappingStartEvent
    sequence_start_t = yaml.SequenceStartEvent
    end_ts = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
    try:
        for count, event in enumerate(yaml.parse(text, Loader=_YamlLoader)):
            if count > MAX_YAML_EVENTS:
                return _NO_FACTS
            kind = type(event)
            if kind is scalar_t or kind is mapping_start_t or kind is sequence_start_t:
                if event.anchor is not None:
                    return _NO_FACTS
                if event.tag is not None and event.tag not in _STANDARD_TAGS:
                    return _NO_FACTS
                top = len(stack) == 1 and stack[0][0]
                if top:
                    is_key = stack[0][1] % 2 == 0
                    if kind is scalar_t:
                        if is_key:
                            pending_key = event.value
                        elif pending_key in _WANTED:
                            if pending_key in scalars:
                                scalars[pending_key] = None  # duplicate key: unreliable
                            else:
                                scalars[pending_key] = event
                                if len(scalars) == len(_WANTED) and not screen_all:
                                    break
                        stack[0][1] += 1
                    else:
                        if is_key:
                            pending_key = None  # a complex key: never one of ours
                        elif pending_key in _WANTED:
                            scalars[pending_key] = None  # a collection where a scalar belongs
                if kind is not scalar_t:
                    stack.append([kind is mapping_start_t, 0])
                    if len(stack) > MAX_YAML_DEPTH:
                        return _NO_FACTS
            elif kind in end_ts:
                if stack:
                    stack.pop()
                if len(stack) == 1 and stack[0][0]:
                    stack[0][1] += 1
            elif kind is yaml.AliasEvent:
                return _NO_FACTS
            elif kind is yaml.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    return _NO_FACTS
    except (yaml.YAMLError, ValueError, RecursionError, MemoryError):
        return _NO_FACTS
    return _FrontFacts(
        revision=_as_revision(scalars.get("revision")),
        effective=_as_date(scalars.get("effective")),
        code=_as_code(scalars.get("code")),
    )


def _as_revision(event: yaml.ScalarEvent | None) -> int | None:
    if event is None:
        return None
    match = _INT_RE.match(event.value.strip())
    return int(match.group(1)) if match else None


def _as_date(event: yaml.ScalarEvent | None) -> str | None:
    if event is None:
        return None
    match = _DATE_RE.match(event.value.strip())
    if match is None:
        return None
    try:
        return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3))).isoformat()
    except ValueError:
        return None


def _as_code(event: yaml.ScalarEvent | None) -> str | None:
    if event is None:
        return None
    if not event.style and event.value in ("", "~", "null", "Null", "NULL"):
        return None
    code = _clean_text(event.value)[:_NAME_MAX]
    return code or None


class _FactsCache:
    """Front matter facts by blob and by front matter text (most edits leave it unchanged)."""

    def __init__(self) -> None:
        self.by_blob: dict[str, _FrontFacts] = {}
        self.by_text: dict[bytes, _FrontFacts] = {}

    def add(self, sha: str, content: bytes | None) -> None:
        if content is None:
            self.by_blob[sha] = _NO_FACTS
            return
        raw = _front_matter_bytes(content)
        if raw is None:
            self.by_blob[sha] = _NO_FACTS
            return
        facts = self.by_text.get(raw)
        if facts is None:
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                facts = _NO_FACTS
            else:
                facts = _front_facts(text)
            self.by_text[raw] = facts
        self.by_blob[sha] = facts


# --------------------------------------------------------------------------- reading


def _is_document(path: str | None, mode: str, root_prefix: str) -> bool:
    if not path or not path.endswith(".md") or not path.startswith(root_prefix):
        return False
    return mode.startswith("100") or mode == "120000"


def read_history(
    repo_root: str | os.PathLike[str],
    procedures_dir: str = "procedures",
    ref: str = "HEAD",
    *,
    timeout: float = DEFAULT_TIMEOUT,
) -> History:
    """Read the first-parent history of ``ref`` for every ``.md`` file under ``procedures_dir``.

    Never raises for git problems: the returned :class:`History` then has
    ``available=False`` and a Vietnamese ``notice``.
    """
    executable = shutil.which("git")
    if executable is None:
        return History(available=False, notice=_NOTICE_NO_GIT)
    root = Path(repo_root)
    if not root.is_dir():
        return History(available=False, notice=_NOTICE_NOT_REPO)
    git = _Git(executable, root.resolve(), timeout)
    try:
        return _read(git, procedures_dir, ref)
    except _GitError as error:
        return History(available=False, notice=_NOTICE_FAILED.format(reason=error.reason))


def _read(git: _Git, procedures_dir: str, ref: str) -> History:
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
    if resolved.returncode != 0 or not _SHA_RE.match(head):
        if ref == "HEAD":
            return History(available=False, shallow=shallow, notice=_NOTICE_NO_COMMIT)
        return History(available=False, shallow=shallow, notice=_NOTICE_BAD_REF.format(ref=ref[:100]))

    folder = posixpath.normpath(procedures_dir.replace(os.sep, "/")) if procedures_dir else "."
    if folder.startswith("../") or folder == ".." or posixpath.isabs(folder):
        raise _GitError("thư mục tài liệu nằm ngoài kho")
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
        "--format=C%H",
        head,
        "--",
        folder,
    ]
    log = git.run(*log_args, check=False)
    if log.returncode != 0 and b"diff-merges" in log.stderr:  # git < 2.31
        log_args[log_args.index("--diff-merges=first-parent")] = "-m"
        log = git.run(*log_args, check=False)
    if log.returncode != 0:
        raise _GitError(f"git log lỗi {log.returncode}")
    commits = _parse_log(log.stdout, prefix)

    docs, wanted_commits, wanted_blobs, pending = _attribute(commits, root_prefix)

    infos: dict[str, _CommitInfo] = {}
    cache = _FactsCache()
    unreadable = 0

    def on_object(sha: str, kind: str, content: bytes | None) -> None:
        nonlocal unreadable
        if content is None:
            unreadable += 1
        if kind == "commit" and content is not None:
            try:
                infos[sha] = _parse_commit(content)
            except Exception:  # hostile bytes must never break the build
                infos[sha] = _UNKNOWN_COMMIT
        elif kind == "blob":
            cache.add(sha, content)
        else:
            cache.by_blob[sha] = _NO_FACTS

    requests = wanted_commits + wanted_blobs
    done, failure = _cat_file_bulk(git, requests, on_object)
    missing = len(requests) - done + unreadable

    _materialise(docs, pending, infos, cache.by_blob)

    notice = _NOTICE_SHALLOW if shallow else None
    if failure or missing:
        partial = _NOTICE_PARTIAL.format(count=missing, reason=failure or "thiếu đối tượng git")
        notice = f"{notice} {partial}" if notice else partial
    return History(available=True, shallow=shallow, notice=notice, head=head, docs=docs, git=git)


@dataclass
class _Pending:
    """A change whose commit and blob facts are filled in after ``cat-file``."""

    doc: _Doc
    commit: str
    path: str
    blob: str | None
    deleted: bool


def _attribute(
    commits: list[tuple[str, list[_RawEntry]]], root_prefix: str
) -> tuple[list[_Doc], list[str], list[str], list[_Pending]]:
    """Follow every document through the first-parent commits (oldest first)."""
    docs: list[_Doc] = []
    live: dict[str, _Doc] = {}
    tomb: dict[str, _Doc] = {}  # last path of deleted documents, for re-additions
    pending: list[_Pending] = []
    wanted_commits: list[str] = []
    wanted_blobs: dict[str, None] = {}

    def new_doc(path: str) -> _Doc:
        doc = tomb.pop(path, None)
        if doc is None:
            doc = _Doc(path)
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
        pending.append(_Pending(doc, commit, path, None, True))

    for commit, entries in commits:
        touched = False
        for entry in entries:
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
                        pending.append(_Pending(doc, commit, entry.path, entry.new_blob, False))
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
            pending.append(_Pending(doc, commit, entry.path, entry.new_blob, False))
            wanted_blobs[entry.new_blob] = None
            touched = True
        if touched:
            wanted_commits.append(commit)
    return docs, wanted_commits, list(wanted_blobs), pending


def _materialise(
    docs: list[_Doc],
    pending: list[_Pending],
    infos: dict[str, _CommitInfo],
    facts_by_blob: dict[str, _FrontFacts],
) -> None:
    for order, item in enumerate(pending):
        item.doc.order = order
        info = infos.get(item.commit, _UNKNOWN_COMMIT)
        if item.deleted:
            previous = item.doc.changes[-1] if item.doc.changes else None
            facts = (
                _FrontFacts(previous.revision, previous.effective, previous.code)
                if previous
                else _NO_FACTS
            )
        else:
            facts = facts_by_blob.get(item.blob or "", _NO_FACTS)
        item.doc.changes.append(
            Change(
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
                approvers=info.approvers,
                reviewers=info.reviewers,
            )
        )
