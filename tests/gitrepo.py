"""Drive the real git command line in tests, with fixed names and dates."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path


def isolate_git(tmp_path: Path, monkeypatch) -> None:
    """No user or system git configuration (signing, notes refs) and no repository discovery above
    tmp_path reach the repositories a test makes."""
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        monkeypatch.delenv(name, raising=False)


class Git:
    def __init__(self, root: Path):
        self.root = root
        self.clock = 1_735_700_000  # 2025-01-01, one hour more per commit

    def env(self, author: str = "Nguyễn Thị Lan") -> dict[str, str]:
        self.clock += 3600
        stamp = f"{self.clock} +0700"
        return dict(os.environ, GIT_AUTHOR_NAME=author, GIT_AUTHOR_EMAIL="lan@example.vn",
                    GIT_COMMITTER_NAME="GitLab", GIT_COMMITTER_EMAIL="gitlab@example.vn",
                    GIT_AUTHOR_DATE=stamp, GIT_COMMITTER_DATE=stamp)

    def __call__(self, *args: str, author: str = "Nguyễn Thị Lan") -> str:
        result = subprocess.run(["git", *args], cwd=self.root, env=self.env(author), check=True,
                                capture_output=True, text=True)
        return result.stdout

    def init(self) -> "Git":
        self("init", "-q", "-b", "main")
        self("config", "commit.gpgsign", "false")
        return self

    def commit_all(self, message: str, **kw) -> None:
        self("add", "-A")
        self("commit", "-q", "-m", message, **kw)

    def merge_request(self, branch: str, title: str, number: int, change, approver: str | None = None,
                      reviewer: str | None = None, feature_message: str | None = None) -> None:
        """A GitLab merge request: a feature branch, then a --no-ff merge commit with trailers."""
        self("checkout", "-q", "-b", branch)
        change()
        self.commit_all(feature_message or title)
        self("checkout", "-q", "main")
        trailers = "".join(f"\n{key}: {name} <{key.lower()}@example.vn>"
                           for key, name in (("Reviewed-by", reviewer), ("Approved-by", approver)) if name)
        message = f"Merge branch '{branch}' into 'main'\n\n{title}\n\nSee merge request xa/e-iso!{number}\n{trailers}"
        self("merge", "-q", "--no-ff", branch, "-m", message)

    def pull_request(self, branch: str, title: str, number: int, change, body: str = "") -> str:
        """A GitHub pull request merged with GitHub's default merge commit (title and body are the author's)."""
        self("checkout", "-q", "-b", branch)
        change()
        self.commit_all(title)
        self("checkout", "-q", "main")
        message = f"Merge pull request #{number} from ubnd-xa/{branch}\n\n{title}" + (f"\n\n{body}" if body else "")
        self("merge", "-q", "--no-ff", branch, "-m", message)
        return self("rev-parse", "HEAD").strip()

    def approval_note(self, commit: str, *approvers: str, ref: str = "approvals") -> None:
        """What the GitHub workflow's CI job records: the PR's approving reviews as a git note.

        Each approver is "Name <email>", or a name (the e-mail then made from its last word)."""
        text = "".join(f"Approved-by: {who}\n" if "<" in who else f"Approved-by: {who} <{who.split()[-1].lower()}@example.vn>\n"
                       for who in approvers)
        self("notes", f"--ref={ref}", "add", "-f", "-m", text.rstrip("\n"), commit, author="github-actions[bot]")
