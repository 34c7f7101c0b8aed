"""Who wrote the change a merge request brought: the people whose approval of it does not count.

ISO 9001 asks that a change be reviewed and approved by someone other than the person
who made it. The authors of a merge request are read from git itself, in one ``git log``
of every commit reachable from the head (no forge API):

* a merge commit brought the commits reachable from its second (and further) parents
  that were not yet on main; their authors and ``Co-authored-by`` trailers, and those
  of the merge commit itself, are the merge request's authors (the merge commit's own
  author is whoever pressed "Merge");
* a single-parent commit (a squash) is authored by the merge request's author, with its
  co-authors as trailers.

Identities are compared by e-mail and by display name: an author whose local git e-mail
differs from the forge account's still names themselves the same. A commit author who
copies the approver's name can only make an approval not count, never make one count.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from eiso.control.gitlog import TRAILER_SEP, Git, GitError, clean_text

_US = "\x1f"
_FORMAT = "%H%x1f%P%x1f%an%x1f%ae%x1f%(trailers:key=Co-authored-by,valueonly,unfold,separator=%x1e)"


@dataclass(frozen=True)
class _Node:
    parents: tuple[str, ...]
    people: tuple[tuple[str, str], ...]  # (name, e-mail) of the author and the co-authors


@dataclass
class Authors:
    """The authors of one merge request: e-mails (lower case) and names (case-folded)."""

    emails: set[str] = field(default_factory=set)
    names: set[str] = field(default_factory=set)

    def add(self, name: str, email: str) -> None:
        if email.strip():
            self.emails.add(email.strip().lower())
        key = clean_text(name).casefold()
        if key:
            self.names.add(key)

    def wrote(self, name: str, email: str) -> bool:
        """True when this person (by e-mail or name) is one of the authors."""
        return bool(email and email.lower() in self.emails) or clean_text(name).casefold() in self.names


def _identity(value: str) -> tuple[str, str]:
    """``Name <email>`` as (name, email); a value without one ``<…>`` at its end is a name."""
    value = value.strip()
    open_at = value.rfind("<")
    if open_at >= 0 and value.endswith(">"):
        return value[:open_at].strip(), value[open_at + 1 : -1].strip()
    return value, ""


def parse_graph(data: bytes) -> dict[str, _Node]:
    """``git log -z --format=<_FORMAT>`` output: every commit's parents and people."""
    nodes: dict[str, _Node] = {}
    for record in data.decode("utf-8", "replace").split("\0"):
        parts = record.strip("\n").split(_US)
        if len(parts) < 5 or not parts[0]:
            continue
        sha, parents, rest = parts[0], parts[1], parts[2:]
        if len(rest) == 3:
            name, email, coauthors = rest
            people = [(name, email)] + [_identity(item) for item in coauthors.split(TRAILER_SEP) if item.strip()]
        else:
            # A name or trailer holding the separator: every piece may be a name or an e-mail. The
            # commit stays in the graph (the first-parent line must not break) and its author
            # cannot escape being recognised by splitting their identity.
            pieces = [piece for item in rest for piece in item.split(TRAILER_SEP)]
            people = [*(_identity(piece) for piece in pieces), *((piece, piece) for piece in pieces)]
        nodes[sha] = _Node(tuple(parents.split()), tuple(people))
    return nodes


def read_graph(git: Git, head: str) -> dict[str, _Node]:
    """Every commit reachable from ``head`` (one ``git log``); empty when git fails."""
    try:
        result = git.run("log", "-z", "--no-mailmap", "--no-show-signature", f"--format={_FORMAT}", head, "--")
    except GitError:
        return {}
    return parse_graph(result.stdout)


def merge_request_authors(nodes: dict[str, _Node], head: str, wanted: Iterable[str]) -> dict[str, Authors]:
    """The authors of each ``wanted`` first-parent commit of ``head``.

    The first-parent line is walked from the root; ``seen`` is then always every ancestor
    of the previous main commit, so what a merge's other parents reach beyond it is what
    the merge request brought. Every commit is visited once.
    """
    targets = set(wanted)
    line: list[str] = []
    sha: str | None = head
    while sha is not None and sha in nodes:
        line.append(sha)
        parents = nodes[sha].parents
        sha = parents[0] if parents else None
    seen: set[str] = set()
    found: dict[str, Authors] = {}
    for commit in reversed(line):
        node = nodes[commit]
        brought = [commit] if len(node.parents) < 2 else _reach(nodes, node.parents[1:], seen)
        seen.add(commit)
        seen.update(brought)
        if commit in targets:
            authors = Authors()
            # A merge's own co-authors are the ones GitLab's %{co_authored_by} lists; its author merged.
            for name, email in [*node.people[1:], *(who for item in brought for who in nodes[item].people)]:
                authors.add(name, email)
            found[commit] = authors
    return found


def _reach(nodes: dict[str, _Node], starts: Iterable[str], seen: set[str]) -> list[str]:
    stack = [sha for sha in starts if sha not in seen and sha in nodes]
    reached: set[str] = set(stack)
    while stack:
        for parent in nodes[stack.pop()].parents:
            if parent not in seen and parent not in reached and parent in nodes:
                reached.add(parent)
                stack.append(parent)
    return list(reached)
