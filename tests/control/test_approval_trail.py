"""Which approvals recorded in git count: variants of a merge request's trail, on real repositories."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from eiso.control.history import History, read_history
from gitrepo import isolate_git

LAN = ("Nguyễn Thị Lan", "lan@example.vn")
CUONG = ("Lê Văn Cường", "cuong@example.vn")
DOC = "procedures/ho-tich/qt-ht-01.md"


def document(code: str = "QT-HT-01", revision: int = 1, body: str = "") -> str:
    return (f"---\ncode: {code}\ntitle: Đăng ký khai sinh\nkind: tthc\nrevision: {revision}\n"
            f"effective: 2025-03-01\nstatus: effective\n---\n## 1. Mục đích\n\nĐăng ký khai sinh.\n{body}")


class Repo:
    """A real repository whose commits get one more hour each (from 2025-03-01 08:00 +07:00)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.clock = 1_740_790_800
        path.mkdir(parents=True)
        self.git("init", "-q", "-b", "main")

    def git(self, *args: str, who: tuple[str, str] = LAN) -> str:
        self.clock += 3600
        stamp = f"{self.clock} +0700"
        env = dict(os.environ, GIT_AUTHOR_NAME=who[0], GIT_AUTHOR_EMAIL=who[1], GIT_COMMITTER_NAME="GitLab",
                   GIT_COMMITTER_EMAIL="gitlab@example.vn", GIT_AUTHOR_DATE=stamp, GIT_COMMITTER_DATE=stamp)
        return subprocess.run(["git", *args], cwd=self.path, env=env, capture_output=True, text=True,
                              check=True, timeout=60).stdout.strip()

    def commit(self, message: str, files: dict[str, str], who: tuple[str, str] = LAN) -> str:
        for rel, text in files.items():
            (self.path / rel).parent.mkdir(parents=True, exist_ok=True)
            (self.path / rel).write_text(text, encoding="utf-8")
            self.git("add", "--", rel)
        self.git("commit", "-q", "--cleanup=verbatim", "-m", message, who=who)
        return self.git("rev-parse", "HEAD")

    def merge_request(self, number: int, files: dict[str, str], tail: str, author: tuple[str, str] = LAN,
                      merger: tuple[str, str] = CUONG) -> str:
        """A feature branch by ``author`` merged (--no-ff) by ``merger`` with GitLab's template and ``tail``."""
        branch = f"mr-{number}"
        self.git("checkout", "-q", "-b", branch)
        self.commit(f"Thay đổi {number}", files, who=author)
        self.git("checkout", "-q", "main")
        message = (f"Merge branch '{branch}' into 'main'\n\nThay đổi {number}\n\n"
                   f"See merge request xa/e-iso!{number}\n\n{tail}")
        self.git("merge", "-q", "--no-ff", "--cleanup=verbatim", "-m", message, branch, who=merger)
        return self.git("rev-parse", "HEAD")


@pytest.fixture(autouse=True)
def _isolated_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    isolate_git(tmp_path, monkeypatch)


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    made = Repo(tmp_path / "portal")
    made.commit("Khởi tạo", {DOC: document()})
    return made


def history(repo: Repo) -> History:
    found = read_history(repo.path)
    assert found.available, found.notice
    return found


@pytest.mark.parametrize("key", ["APPROVED-BY", "approved-by", "Approved-By"])
def test_trailer_key_spelled_otherwise_than_the_forge_does_not_approve(repo: Repo, key: str) -> None:
    # git reads trailer keys case-insensitively; GitLab's template writes "Approved-by" only, so
    # another spelling was typed by hand into the merge commit message.
    repo.merge_request(3, {DOC: document(revision=2)}, f"{key}: Lê Văn Cường <cuong@example.vn>")
    last = history(repo).last_change(DOC)
    assert last is not None and last.mr is not None and last.mr.number == 3
    assert last.approvers == () and not last.approved


def test_trailer_keys_as_the_forge_writes_them_approve(repo: Repo) -> None:
    repo.merge_request(4, {DOC: document(revision=2)},
                       "Reviewed-by: Trần Văn Bình <binh@example.vn>\nApproved-by: Lê Văn Cường <cuong@example.vn>")
    last = history(repo).last_change(DOC)
    assert last is not None and last.approved
    assert last.approvers == ("Lê Văn Cường",) and last.reviewers == ("Trần Văn Bình",)


def test_approval_by_the_author_of_the_change_does_not_count(repo: Repo) -> None:
    repo.merge_request(5, {DOC: document(revision=2)}, "Approved-by: Nguyễn Thị Lan <lan@example.vn>")
    last = history(repo).last_change(DOC)
    assert last is not None and last.mr is not None
    assert last.approvers == () and not last.approved
    assert last.approval_problem is not None and "Nguyễn Thị Lan" in last.approval_problem


def test_author_known_by_name_under_another_email_does_not_approve_herself(repo: Repo) -> None:
    repo.merge_request(6, {DOC: document(revision=2)},
                       "Approved-by: Nguyễn Thị Lan <lan.nguyen@ubnd.gov.vn>\nApproved-by: Lê Văn Cường <cuong@example.vn>")
    last = history(repo).last_change(DOC)
    assert last is not None and last.approved and last.approvers == ("Lê Văn Cường",)


def test_merger_may_approve_and_earlier_merge_requests_are_not_authors(repo: Repo) -> None:
    # Cường wrote an earlier, already merged change; Lan's merge request after it is his to approve.
    repo.merge_request(7, {DOC: document(revision=2)}, "Approved-by: Phạm Thị Dung <dung@example.vn>", author=CUONG)
    repo.merge_request(8, {DOC: document(revision=3)}, "Approved-by: Lê Văn Cường <cuong@example.vn>", merger=CUONG)
    changes = history(repo).changes(DOC)
    assert [c.approvers for c in changes[1:]] == [("Phạm Thị Dung",), ("Lê Văn Cường",)]


def test_co_author_of_a_squash_does_not_approve(repo: Repo) -> None:
    # GitLab's template: "%{co_authored_by}" and "%{approved_by}" in the trailer block after the reference.
    repo.commit("Thay đổi 9\n\nSee merge request xa/e-iso!9\n\nCo-authored-by: Phạm Thị Dung <dung@example.vn>\n"
                "Co-authored-by: Lê Văn Cường <cuong@example.vn>\nApproved-by: Lê Văn Cường <cuong@example.vn>",
                {DOC: document(revision=2)})
    found = read_history(repo.path, forge="gitlab")
    last = found.last_change(DOC)
    assert last is not None and last.mr is not None and last.mr.number == 9
    assert not last.approved and last.approval_problem is not None
