"""Which merge requests closed which nonconformities, read from the main branch's merge commits.

A merge request closes a nonconformity when its first-parent commit on the main branch
carries the trailer ``Closes-nc: NC-2026-03`` (git's trailer rules: the message's last
paragraph, made of ``Key: value`` lines; GitLab's ``See merge request`` line is allowed in
or after it) or when the merge request's title names the code. Commit messages are
untrusted text: they are parsed line by line in linear time and never executed.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from eiso.documents.text import nfc, slugify

TRAILER_KEY = "closes-nc"
_TIMEOUT = 120.0
_TITLE_MAX = 300
_SHA = re.compile(r"^[0-9a-f]{40}(?:[0-9a-f]{24})?$")
_TRAILER = re.compile(r"^([A-Za-z0-9][A-Za-z0-9-]*)[ \t]*:(.*)$")
_SEE_MR = re.compile(r"^[ \t]*See merge request[ \t]+([A-Za-z0-9_.\-/]*)!([0-9]{1,9})[ \t]*$")
_GITHUB_MERGE = re.compile(r"^Merge pull request #([0-9]{1,9}) from \S")
_SQUASH_TAIL = re.compile(r"\(#([0-9]{1,9})\)$")


@dataclass(frozen=True)
class Closure:
    """A merge request that closed a nonconformity."""

    ref: str  # "group/project!12" or "#12"
    title: str
    date: str  # YYYY-MM-DD of the merge commit
    commit: str
    via: str  # "trailer" | "title"


@dataclass(frozen=True)
class Message:
    mr_ref: str | None
    title: str
    trailers: tuple[tuple[str, str], ...]


def read_closures(root: Path, codes: list[str]) -> dict[str, list[Closure]]:
    """Nonconformity slug -> the merge requests that closed it, oldest first; empty without git."""
    wanted = {slugify(code) for code in codes}
    git = shutil.which("git")
    if not wanted or git is None:
        return {}
    try:
        result = subprocess.run(
            [git, "-C", str(root), "log", "--first-parent", "--reverse", "-z", "--no-color", "--no-notes",
             "--format=%H%x1f%cI%x1f%(trailers:key=Closes-nc,unfold,separator=%x1e)%x1f%B", "HEAD", "--"],
            capture_output=True, timeout=_TIMEOUT, check=False, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired):
        return {}
    if result.returncode != 0:
        return {}
    closures: dict[str, list[Closure]] = {}
    for entry in result.stdout.split(b"\0"):
        parts = entry.lstrip(b"\n").split(b"\x1f", 3)
        if len(parts) != 4 or not _SHA.match(parts[0].decode("ascii", "replace")):
            continue
        # The trailers are git's own reading of the message (interpret-trailers rules), not ours.
        message = parse_message(parts[3].decode("utf-8", "replace"), _git_trailers(parts[2]))
        if message.mr_ref is None:
            continue  # a direct push is no merge request: it closes nothing
        for slug, via in closed_codes(message, wanted).items():
            closures.setdefault(slug, []).append(Closure(message.mr_ref, message.title, parts[1].decode("ascii", "replace")[:10],
                                                         parts[0].decode("ascii"), via))
    return closures


def closed_codes(message: Message, wanted: set[str]) -> dict[str, str]:
    """Slugs of the wanted codes that the message closes, with how (trailer first)."""
    found: dict[str, str] = {}
    for key, value in message.trailers:
        if key.lower() == TRAILER_KEY:
            for code in re.split(r"[,;\s]+", value):
                if slugify(code) in wanted:
                    found.setdefault(slugify(code), "trailer")
    title = f"-{slugify(message.title)}-"
    for slug in wanted:
        if f"-{slug}-" in title:
            found.setdefault(slug, "title")
    return found


def _git_trailers(field: bytes) -> tuple[tuple[str, str], ...]:
    found = []
    for line in field.decode("utf-8", "replace").split("\x1e"):
        key, sep, value = line.partition(":")
        if sep:
            found.append((key.strip(), value.strip()))
    return tuple(found)


def parse_message(text: str, git_trailers: tuple[tuple[str, str], ...] | None = None) -> Message:
    """Merge request reference, title and trailers of one commit message (trailers as git read them, if given)."""
    lines = nfc(text.replace("\r\n", "\n").replace("\r", "\n")).split("\n")
    paragraphs = _paragraphs(lines)
    if not paragraphs:
        return Message(None, "", ())
    subject, body = " ".join(paragraphs[0]).strip(), paragraphs[1:]
    block = _trailer_block(body)
    trailers = git_trailers if git_trailers is not None else \
        tuple((m.group(1), m.group(2).strip()) for p in block for line in p if (m := _TRAILER.match(line)))
    first = body[0][0].strip() if body and not any(body[0] is p for p in block) and not _SEE_MR.match(body[0][0]) else ""
    see = [m for p in body for line in p if (m := _SEE_MR.match(line))]
    if see:
        return Message(f"{see[-1].group(1)}!{see[-1].group(2)}", (first or subject)[:_TITLE_MAX], trailers)
    if (match := _GITHUB_MERGE.match(subject)) is not None:
        return Message(f"#{match.group(1)}", (first or subject)[:_TITLE_MAX], trailers)
    if (match := _SQUASH_TAIL.search(subject)) is not None:  # GitHub squash: "Title (#12)"
        return Message(f"#{match.group(1)}", (subject[: match.start()].strip() or subject)[:_TITLE_MAX], trailers)
    return Message(None, subject[:_TITLE_MAX], trailers)


def _paragraphs(lines: list[str]) -> list[list[str]]:
    result: list[list[str]] = [[]]
    for line in lines:
        if line.strip():
            result[-1].append(line)
        elif result[-1]:
            result.append([])
    return [p for p in result if p]


def _is_trailer_paragraph(paragraph: list[str]) -> bool:
    has_trailer = False
    for number, line in enumerate(paragraph):
        if _SEE_MR.match(line) or (number > 0 and line[:1] in (" ", "\t")):
            continue  # GitLab's line, or a folded continuation
        if not _TRAILER.match(line):
            return False
        has_trailer = True
    return has_trailer


def _trailer_block(body: list[list[str]]) -> list[list[str]]:
    """Git reads trailers from the last paragraph; GitLab may put ``See merge request`` alone after it."""
    if not body:
        return []
    if _is_trailer_paragraph(body[-1]):
        return [body[-1]]
    if len(body) > 1 and all(_SEE_MR.match(line) for line in body[-1]) and _is_trailer_paragraph(body[-2]):
        return [body[-2]]
    return []
