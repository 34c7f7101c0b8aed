"""Merge requests and approvals: which commit brought a change, and who approved it, unforgeably.

An approval counts only when it is written where the change's author cannot write:

* **GitLab**: the trailer block that ends the message of a first-parent merge (or
  squash) commit, directly after the forge's last ``See merge request GROUP/PROJECT!N``
  line, as the documented merge commit template writes it. Everything before that
  line (MR title and description) is the author's text and never approves; the
  trailers themselves are parsed by git (``%(trailers)`` of the one log pass), so a
  spelling git does not read as a trailer does not count either, nor a key spelled
  otherwise than the template writes it (``APPROVED-BY``: typed by hand).
* **GitHub**: its merge commits carry only the PR title and author-written text, so
  they never approve. The provided workflow records the PR's approving reviews, read
  from the API, as a git note under ``refs/notes/approvals`` of the merge commit.

Feature-branch commits are never on the first-parent line, and front matter is not
read here at all. Who may approve which unit (the ``approvers`` option) is decided
by :func:`authorised`.
"""

from __future__ import annotations

import codecs
import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from eiso.control.authorship import Authors
from eiso.control.gitlog import clean_text

#: The notes ref where the GitHub workflow records approvals.
NOTES_REF = "refs/notes/approvals"

_TITLE_MAX = 500
_NAME_MAX = 200
_KEYS = ("approved-by", "reviewed-by")

_GITLAB_RE = re.compile(r"^[ \t]*See merge request[ \t]+([A-Za-z0-9_.\-/]*)!([0-9]{1,9})[ \t\r]*$")
_GITHUB_MERGE_RE = re.compile(r"^Merge pull request #([0-9]{1,9}) from \S")
_GITHUB_SQUASH_RE = re.compile(r"^(.*?)[ \t]*\(#([0-9]{1,9})\)$")

NOT_A_MERGE = (
    "commit không phải commit hợp nhất: phê duyệt trong commit squash chỉ được tính khi repo_url "
    "khai báo kho GitLab"
)
NO_NOTE = "chưa có ghi nhận phê duyệt của pull request (git notes refs/notes/approvals do CI ghi)"
UNSIGNED_COMMIT = "commit hợp nhất không có chữ ký số hợp lệ của người ký tin cậy (trusted_signers)"
UNSIGNED_NOTES = "ghi nhận phê duyệt (refs/notes/approvals) không có chữ ký số hợp lệ của người ký tin cậy"
SELF_APPROVAL = "{names} là tác giả của thay đổi nên không tự phê duyệt được"


@dataclass(frozen=True)
class MergeRequest:
    """The merge request (GitLab) or pull request (GitHub) that brought a commit to main."""

    ref: str  # "group/project!12" (GitLab) or "#12" (GitHub)
    number: int
    forge: str  # "gitlab" | "github"
    title: str  # the MR title: the description of the change


@dataclass(frozen=True)
class Approval:
    """One approver as recorded: display name and e-mail (lower case, "" when absent)."""

    name: str
    email: str


@dataclass(frozen=True)
class CommitInfo:
    """What a commit object says, before deciding which of its approvals count."""

    date: str
    author: str
    subject: str
    mr: MergeRequest | None
    forge_tail: bool  # GitLab: the message ends with a forge-written trailer place
    parents: int = 1


UNKNOWN_COMMIT = CommitInfo("", "", "", None, False)


@dataclass(frozen=True)
class Verdict:
    """The approvals that count for one first-parent commit, and why none count when so."""

    approvals: tuple[Approval, ...] = ()
    reviewers: tuple[str, ...] = ()
    problem: str | None = None  # Vietnamese, for "Chưa phê duyệt (…)"


# --------------------------------------------------------------------------- commit objects


def parse_commit(raw: bytes) -> CommitInfo:
    """Author, committer date, subject and merge request of a raw commit object."""
    header, _sep, body = raw.partition(b"\n\n")
    author = ""
    date = ""
    encoding: str | None = None
    parents = 0
    for line in header.split(b"\n"):
        if line.startswith(b"parent "):
            parents += 1
        elif line.startswith(b"author "):
            author, _date = _parse_ident(line[7:])
        elif line.startswith(b"committer "):
            _name, date = _parse_ident(line[10:])
        elif line.startswith(b"encoding "):
            encoding = line[9:].decode("ascii", "replace").strip()
    message = _decode(body, encoding)
    info = _parse_message(message, author, date)
    # git's view of the message must be the one checked here: a NUL ends it for git,
    # and another encoding is re-encoded by git before it parses the trailers.
    tail = info.forge_tail and b"\0" not in body
    if encoding and encoding.lower().replace("-", "") != "utf8":
        tail = False
    return CommitInfo(info.date, info.author, info.subject, info.mr, tail, parents)


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
    name_text = clean_text(name.decode("utf-8", "replace"))[:_NAME_MAX]
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


def _blank(line: str) -> bool:
    # Only spaces, tabs and CR: every such line is blank for git too (is_blank_line),
    # so a paragraph break seen here is one git sees.
    return not line.strip(" \t\r")


def _is_see_mr(line: str) -> bool:
    return line.lstrip(" \t").lower().startswith("see merge request")


def _forge_tail(lines: list[str]) -> re.Match[str] | None:
    """The forge's reference line when the message ends as GitLab's template writes it.

    The last ``See merge request`` line (any spelling: the forge writes its own after
    the author's description, so the last one is the forge's), then a blank line, then
    exactly one paragraph (where ``%{approved_by}`` expands). git parses trailers in the
    last paragraph only, so any trailer it reports was written after that line.
    """
    last = None
    for number, line in enumerate(lines):
        if _is_see_mr(line):
            last = number
    if last is None:
        return None
    reference = _GITLAB_RE.match(lines[last])
    after = lines[last + 1 :]
    if reference is None or not after or not _blank(after[0]):
        return None
    filled = [number for number, line in enumerate(after) if not _blank(line)]
    if not filled or filled[-1] - filled[0] + 1 != len(filled):
        return None  # no trailer paragraph, or more than one paragraph after the reference
    return reference


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


def _parse_message(message: str, author: str, date: str) -> CommitInfo:
    raw_lines = message.split("\n")
    lines = message.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    paragraphs = _paragraphs(lines)
    if paragraphs:
        subject = clean_text(" ".join(paragraphs[0]))
        body = paragraphs[1:]
    else:
        subject, body = "", []

    def body_title() -> str:
        # A merge commit's subject is the forge's ("Merge branch …"); the MR title follows it.
        # A squash commit's subject is the MR title itself.
        if subject.startswith("Merge ") and body and not _is_see_mr(body[0][0]):
            title = clean_text(body[0][0])
            if title:
                return title[:_TITLE_MAX]
        return subject[:_TITLE_MAX]

    mr: MergeRequest | None = None
    tail = _forge_tail(raw_lines)
    gitlab = [match for line in lines[1:] if (match := _GITLAB_RE.match(line)) is not None]
    # GitHub's merge subject first: the body under it (PR title, description) is the author's,
    # whatever GitLab-looking lines it holds.
    if (match := _GITHUB_MERGE_RE.match(subject)) is not None:
        number = int(match.group(1))
        mr = MergeRequest(ref=f"#{number}", number=number, forge="github", title=body_title())
        tail = None
    elif gitlab:
        match = tail or gitlab[-1]
        number = int(match.group(2))
        mr = MergeRequest(ref=f"{match.group(1)}!{number}", number=number, forge="gitlab", title=body_title())
    elif (match := _GITHUB_SQUASH_RE.match(subject)) is not None:
        number = int(match.group(2))
        title = match.group(1).strip() or subject
        mr = MergeRequest(ref=f"#{number}", number=number, forge="github", title=title[:_TITLE_MAX])
    return CommitInfo(date=date, author=author, subject=subject, mr=mr, forge_tail=tail is not None)


# --------------------------------------------------------------------------- approvals


def person(value: str) -> Approval:
    """``Name <email>`` as an :class:`Approval` (the name, else the e-mail, is displayed).

    The e-mail is the one ``<…>`` that ends the value, as the forge writes it. A value with any other ``<`` or
    ``>`` has none: its display name chose the brackets (``Chủ tịch <chutich@…> <gia@…>``), and an approval
    without an e-mail is never matched to the ``approvers`` option.
    """
    value = value.strip()
    open_at = value.find("<")
    email = ""
    if open_at >= 0 and value.endswith(">") and value.count("<") == 1 and value.count(">") == 1:
        email, value = value[open_at + 1 : -1].strip().lower(), value[:open_at]
    name = value.strip() or email
    return Approval(clean_text(name)[:_NAME_MAX], clean_text(email)[:_NAME_MAX])


def _collect(pairs: Iterable[tuple[str, str]]) -> tuple[tuple[Approval, ...], tuple[str, ...]]:
    approvals: dict[str, Approval] = {}
    reviewers: dict[str, None] = {}
    for key, value in pairs:
        found = person(value)
        if not found.name:
            continue
        if key == "approved-by":
            # One per person, told by e-mail: a second approver under the same display name is kept too.
            approvals.setdefault(found.email or found.name, found)
        elif key == "reviewed-by":
            reviewers[found.name] = None
    return tuple(approvals.values()), tuple(reviewers)


def parse_note(content: bytes) -> tuple[tuple[str, str], ...]:
    """``Approved-by:`` / ``Reviewed-by:`` lines of a note written by the CI job (machine text)."""
    pairs = []
    for line in content.decode("utf-8", "replace").splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip().lower() in _KEYS:
            pairs.append((key.strip().lower(), value.strip()))
    return tuple(pairs)


def verdict(
    info: CommitInfo,
    trailers: tuple[tuple[str, str], ...],
    note: tuple[tuple[str, str], ...] | None,
    *,
    signature: str = "",
    require_signature: bool = False,
    notes_trusted: bool = True,
    forge: str | None = None,
    authors: Authors | None = None,
) -> Verdict:
    """The approvals that count for one first-parent commit.

    ``trailers`` are git's own parse of the message; ``note`` the parsed note of
    ``refs/notes/approvals`` on that commit (None when there is none); ``forge`` the
    repository's forge when known ("gitlab" / "github", from ``repo_url``).

    On GitHub every commit message on main is the author's text (PR title and body,
    squash bodies, rebased commits), so a GitLab-looking tail never counts there; a
    single-parent commit counts as a GitLab squash only when the forge is known to be
    GitLab. Notes count only off GitLab, where anyone may push ``refs/notes/*``.
    ``authors``: who wrote the change the merge request brought; their own approvals never count.
    """
    mr = info.mr
    if mr is None:
        return Verdict()
    if mr.forge == "gitlab":
        if not info.forge_tail or forge == "github":
            return Verdict()
        if info.parents < 2 and forge != "gitlab":
            return Verdict(problem=NOT_A_MERGE)
        approvals, reviewers = _collect(trailers)
        if approvals and require_signature and signature != "G":
            return Verdict(problem=UNSIGNED_COMMIT)
        return _independent(approvals, reviewers, authors)
    if forge == "gitlab":
        return Verdict()
    if note is None:
        return Verdict(problem=NO_NOTE)
    if not notes_trusted:
        return Verdict(problem=UNSIGNED_NOTES)
    approvals, reviewers = _collect(note)
    return _independent(approvals, reviewers, authors)


def _independent(approvals: tuple[Approval, ...], reviewers: tuple[str, ...], authors: Authors | None) -> Verdict:
    """The approvals by someone other than the change's authors (ISO 9001 7.5.2: reviewed and approved)."""
    if authors is None:
        return Verdict(approvals, reviewers)
    own = [approval for approval in approvals if authors.wrote(approval.name, approval.email)]
    kept = tuple(approval for approval in approvals if approval not in own)
    problem = SELF_APPROVAL.format(names=", ".join(a.name for a in own)) if own and not kept else None
    return Verdict(kept, reviewers, problem)


# --------------------------------------------------------------------------- who may approve


@dataclass(frozen=True)
class Approver:
    """An entry of the ``approvers`` option: who may approve documents of which units."""

    name: str
    email: str
    units: frozenset[str]  # empty: every unit


def parse_approvers(raw: object) -> tuple[list[Approver] | None, list[str]]:
    """The ``approvers`` option: (entries or None when not set, Vietnamese problems)."""
    if raw is None:
        return None, []
    if not isinstance(raw, list):
        return [], ["tùy chọn approvers phải là một danh sách {name, email, units}"]
    found: list[Approver] = []
    problems: list[str] = []
    for number, item in enumerate(raw, 1):
        email = item.get("email") if isinstance(item, Mapping) else None
        if not isinstance(email, str) or "@" not in email:
            problems.append(f"approvers, mục {number}: thiếu email hợp lệ")
            continue
        units = item.get("units") or []
        if isinstance(units, str):
            units = [units]
        if not isinstance(units, list) or not all(isinstance(unit, str) for unit in units):
            problems.append(f"approvers, mục {number}: units phải là danh sách tên đơn vị")
            continue
        name = item.get("name")
        found.append(
            Approver(
                name=clean_text(name) if isinstance(name, str) else "",
                email=email.strip().lower(),
                units=frozenset(clean_text(unit) for unit in units),
            )
        )
    return found, problems


def authorised(approval: Approval, unit: str, approvers: list[Approver] | None) -> bool:
    """True when the ``approvers`` option lets this person approve a document of ``unit``.

    Matched by e-mail (what the forge writes and the person cannot choose freely); with
    the option unset, everyone the forge recorded may approve.
    """
    if approvers is None:
        return True
    for entry in approvers:
        if approval.email and approval.email == entry.email:
            return not entry.units or clean_text(unit) in entry.units
    return False
