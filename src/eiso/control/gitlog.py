"""Reading git for the history: the one ``git log`` pass and the one ``git cat-file --batch``.

Everything here is plumbing with no notion of documents or approvals: how git is
run (time limits, no prompts, no lazy fetches, fixed configuration), how the
first-parent log with raw diffs is parsed, and how many objects are read through
one ``cat-file`` process. Output of git is untrusted bytes (messages, paths).
"""

from __future__ import annotations

import os
import re
import subprocess
import threading
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

#: At most this many bytes of a blob are ever read (front matter and ``read_blob``).
MAX_BLOB_BYTES = 2 * 1024 * 1024
#: Default time limit, in seconds, for one git operation.
DEFAULT_TIMEOUT = 300.0
#: Inexact rename detection is limited to this many files per commit (git's -l).
RENAME_LIMIT = 4000

SHA_RE = re.compile(r"^(?:[0-9a-f]{40}|[0-9a-f]{64})$")
_NULL_SHA_RE = re.compile(rb"^0+$")

# Separators of the log's per-commit header (C<sha> US <signature> US <trailers>): git
# prints trailer values with control characters as they are, but never a NUL, which
# ends the header token in -z output.
_US = b"\x1f"
TRAILER_SEP = "\x1e"
TRAILER_KV_SEP = "\x1d"


def clean_text(text: str) -> str:
    """NFC, control characters removed, whitespace collapsed (names and titles)."""
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    if not text.isprintable():
        text = "".join(ch if ch.isprintable() else " " for ch in text)
    return " ".join(text.split())


class GitError(Exception):
    """A git command failed; ``reason`` is short text for a notice."""

    def __init__(self, reason: str, stderr: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.stderr = stderr


class Git:
    """How to run git in one repository, with a time limit on every call."""

    def __init__(self, executable: str, root: Path, timeout: float, config: tuple[str, ...] = ()) -> None:
        self.executable = executable
        self.root = root
        self.timeout = timeout
        self.config = config  # extra "-c key=value" settings (e.g. the allowed signers file)
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
            *(item for setting in self.config for item in ("-c", setting)),
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
            raise GitError(f"git {args[0]} quá {self.timeout:g} giây") from None
        except OSError as error:
            raise GitError(f"không chạy được git: {error.strerror or error}") from None
        if check and proc.returncode != 0:
            stderr = proc.stderr.decode("utf-8", "replace").strip()
            raise GitError(f"git {args[0]} lỗi {proc.returncode}", stderr)
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


def read_response(stdout, limit: int) -> tuple[str, bytes | None] | None:  # type: ignore[no-untyped-def]
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


def cat_file_bulk(
    git: Git, shas: list[str], on_object: Callable[[str, str, bytes | None], None]
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
            answer = read_response(proc.stdout, MAX_BLOB_BYTES)
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


class BlobReader:
    """A persistent ``git cat-file --batch`` for on-demand reads (one request at a time)."""

    def __init__(self, git: Git) -> None:
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
                answer = read_response(proc.stdout, MAX_BLOB_BYTES)
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
class RawEntry:
    status: str  # A M D T R (C, U, X are treated like their closest meaning)
    old_mode: str
    new_mode: str
    new_blob: str
    path: str  # destination path for renames
    old_path: str | None  # source path for renames/copies


@dataclass
class LogCommit:
    """One first-parent commit of the log: what git itself says about it, and the files it changed."""

    sha: str
    signature: str = ""  # git's %G? letter ("G" good and trusted), "" when not asked
    # (key in lower case, value) of the trailers git finds in the message's last paragraph,
    # by git's own rules (interpret-trailers), for the keys the log asked for, spelled as the forge spells them.
    trailers: tuple[tuple[str, str], ...] = ()
    entries: list[RawEntry] = field(default_factory=list)


def log_format(signatures: bool) -> str:
    """``--format`` of the one log pass: sha, signature check (when asked) and git-parsed trailers."""
    trailers = (
        "%(trailers:key=Approved-by,key=Reviewed-by,unfold,"
        "separator=%x1e,key_value_separator=%x1d)"
    )
    return "C%H%x1f" + ("%G?" if signatures else "") + "%x1f" + trailers


#: The trailer keys exactly as GitLab's merge commit template writes them (``%{approved_by}``,
#: ``%{reviewed_by}``). git matches ``key=`` case-insensitively but prints the key as spelled in the
#: message; another spelling (``APPROVED-BY``, ``approved-by``) was typed by a person editing the
#: merge commit message, not written by the forge, so it is no record of an approval.
FORGE_TRAILER_KEYS = {"Approved-by": "approved-by", "Reviewed-by": "reviewed-by"}


def _parse_header(token: bytes) -> LogCommit:
    sha, _sep, rest = token[1:].partition(_US)
    signature, _sep, trailer_bytes = rest.partition(_US)
    trailers: list[tuple[str, str]] = []
    for item in trailer_bytes.decode("utf-8", "replace").split(TRAILER_SEP):
        key, sep, value = item.partition(TRAILER_KV_SEP)
        known = FORGE_TRAILER_KEYS.get(key.strip())
        if sep and known is not None:
            trailers.append((known, value.strip()))
    return LogCommit(
        sha=sha.strip().decode("ascii", "replace"),
        signature=signature.strip().decode("ascii", "replace")[:1],
        trailers=tuple(trailers),
    )


def parse_log(data: bytes, prefix: str) -> list[LogCommit]:
    """Parse ``git log -z --raw --format=<log_format>`` output, oldest first if run with --reverse."""
    commits: list[LogCommit] = []
    tokens = data.split(b"\0")
    index = 0
    count = len(tokens)
    current: list[RawEntry] | None = None
    while index < count:
        token = tokens[index].lstrip(b"\n")
        index += 1
        if not token:
            continue
        if token[:1] == b"C":
            commit = _parse_header(token)
            current = commit.entries
            commits.append(commit)
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
            RawEntry(
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

