"""eiso.control.history against real git repositories built in tmp_path (git is never mocked)."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from pathlib import Path

import pytest

from eiso.control.history import Change, History, MergeRequest, RevisionEntry, read_history
from gitrepo import isolate_git

LAN = ("Nguyễn Thị Lan", "lan@example.vn")
BINH = ("Trần Văn Bình", "binh@example.vn")
CUONG = ("Lê Văn Cường", "cuong@example.vn")
ICT = dt.timezone(dt.timedelta(hours=7))
START = dt.datetime(2025, 3, 1, 8, 0, 0, tzinfo=ICT)

DOC = "procedures/ho-tich/qt-ht-01.md"


def document(code: str = "QT-HT-01", revision: object = 1, effective: str = "2025-03-01", body: str = "") -> str:
    return (
        "---\n"
        f"code: {code}\n"
        "title: Đăng ký khai sinh\n"
        "kind: tthc\n"
        f"revision: {revision}\n"
        f"effective: {effective}\n"
        "status: effective\n"
        "---\n"
        "## 1. Mục đích\n\n"
        "Quy định trình tự đăng ký khai sinh tại UBND xã.\n\n"
        "## 2. Nội dung\n\n"
        "Công chức tư pháp - hộ tịch tiếp nhận và kiểm tra hồ sơ.\n"
        f"{body}"
    )


class GitRepo:
    """A real repository; every commit gets the next hour after START as its date."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.hour = 0
        path.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")

    def next_date(self) -> str:
        self.hour += 1
        return (START + dt.timedelta(hours=self.hour)).isoformat()

    def git(self, *args: str, who: tuple[str, str] = LAN, date: str | None = None, stdin: bytes | None = None) -> str:
        when = date or (START + dt.timedelta(hours=self.hour)).isoformat()
        env = dict(
            os.environ,
            GIT_AUTHOR_NAME=who[0],
            GIT_AUTHOR_EMAIL=who[1],
            GIT_COMMITTER_NAME=who[0],
            GIT_COMMITTER_EMAIL=who[1],
            GIT_AUTHOR_DATE=when,
            GIT_COMMITTER_DATE=when,
        )
        result = subprocess.run(
            ["git", *args], cwd=self.path, env=env, input=stdin, capture_output=True, check=True, timeout=60
        )
        return result.stdout.decode("utf-8", "replace").strip()

    def write(self, rel: str, text: str | bytes) -> None:
        target = self.path / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, str):
            target.write_bytes(text.encode("utf-8"))
        else:
            target.write_bytes(text)

    def commit(self, message: str | bytes, files: dict[str, str | bytes] | None = None, who: tuple[str, str] = LAN) -> str:
        for rel, text in (files or {}).items():
            self.write(rel, text)
            self.git("add", "--", rel)
        raw = message.encode("utf-8") if isinstance(message, str) else message
        self.git("commit", "-q", "--cleanup=verbatim", "-F", "-", who=who, date=self.next_date(), stdin=raw)
        return self.head()

    def merge(self, branch: str, message: str, who: tuple[str, str] = CUONG) -> str:
        self.git("merge", "-q", "--no-ff", "-m", message, branch, who=who, date=self.next_date())
        return self.head()

    def head(self) -> str:
        return self.git("rev-parse", "HEAD")

    def date_of(self, sha: str) -> str:
        return self.git("show", "-s", "--format=%cI", sha)


@pytest.fixture(autouse=True)
def _isolated_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    isolate_git(tmp_path, monkeypatch)


@pytest.fixture
def git_repo(tmp_path: Path) -> GitRepo:
    repo = GitRepo(tmp_path / "portal")
    repo.commit("Khởi tạo kho tài liệu", {DOC: document(), "README.md": "# Cổng ISO\n"})
    return repo


def history_of(repo: GitRepo, **kwargs: str) -> History:
    history = read_history(repo.path, **kwargs)
    assert history.available, history.notice
    return history


# --------------------------------------------------------------------------- merge requests


def test_gitlab_merge_commit_with_approval_trailers(git_repo: GitRepo) -> None:
    first = git_repo.head()
    git_repo.git("checkout", "-q", "-b", "sua-qt-ht-01")
    feature = git_repo.commit("Bổ sung bước kiểm tra", {DOC: document(body="Bổ sung.\n")}, who=LAN)
    git_repo.git("checkout", "-q", "main")
    merge = git_repo.merge(
        "sua-qt-ht-01",
        "Merge branch 'sua-qt-ht-01' into 'main'\n\n"
        "Bổ sung bước kiểm tra hồ sơ\n\n"
        "Mô tả: thêm một bước.\n\n"
        "See merge request demo/portal!3\n\n"
        "Approved-by: Lê Văn Cường <cuong@example.vn>\n"
        "Reviewed-by: Trần Văn Bình <binh@example.vn>",
        who=CUONG,
    )
    changes = history_of(git_repo).changes(DOC)

    # The initial commit and the merge; the feature commit is not on the first-parent line.
    assert [c.commit for c in changes] == [first, merge]
    assert feature not in [c.commit for c in changes]
    brought = changes[1]
    assert brought.mr == MergeRequest(ref="demo/portal!3", number=3, forge="gitlab", title="Bổ sung bước kiểm tra hồ sơ")
    assert brought.approvers == ("Lê Văn Cường",)
    assert brought.reviewers == ("Trần Văn Bình",)
    assert brought.approved
    assert brought.author == "Lê Văn Cường"  # the merge commit's author
    assert brought.subject == "Merge branch 'sua-qt-ht-01' into 'main'"
    # Second commit of the test: one hour after the first, which is one hour after START.
    assert brought.date == "2025-03-01T11:00:00+07:00" == git_repo.date_of(merge)
    assert brought.path == DOC and not brought.deleted
    assert brought.blob == git_repo.git("rev-parse", f"{merge}:{DOC}")
    # The initial commit was pushed directly: no MR, not approved.
    assert changes[0].mr is None and not changes[0].approved
    assert changes[0].date == "2025-03-01T09:00:00+07:00"


def test_gitlab_template_with_trailers_after_reference(git_repo: GitRepo) -> None:
    git_repo.git("checkout", "-q", "-b", "f")
    git_repo.commit("Sửa", {DOC: document(body="x\n")})
    git_repo.git("checkout", "-q", "main")
    git_repo.merge(
        "f",
        "Merge branch 'f' into 'main'\n\nSửa lỗi chính tả\n\nSee merge request demo/portal!9\n\n"
        "Approved-by: Lê Văn Cường <cuong@example.vn>\nApproved-by: Phạm Thu Hà <ha@example.vn>",
    )
    last = history_of(git_repo).last_change(DOC)
    assert last is not None and last.mr is not None
    assert (last.mr.ref, last.mr.number, last.mr.title) == ("demo/portal!9", 9, "Sửa lỗi chính tả")
    assert last.approvers == ("Lê Văn Cường", "Phạm Thu Hà")
    assert last.approved


def test_trailer_only_in_feature_commit_is_not_an_approval(git_repo: GitRepo) -> None:
    git_repo.git("checkout", "-q", "-b", "tu-phe-duyet")
    git_repo.commit(
        "Sửa quy trình\n\nApproved-by: Lê Văn Cường <cuong@example.vn>\n",
        {DOC: document(body="Sửa.\n")},
        who=BINH,
    )
    git_repo.git("checkout", "-q", "main")
    git_repo.merge("tu-phe-duyet", "Merge branch 'tu-phe-duyet' into 'main'\n\nSửa quy trình\n\nSee merge request demo/portal!4")
    last = history_of(git_repo).last_change(DOC)
    assert last is not None
    assert last.mr is not None and last.mr.ref == "demo/portal!4"
    assert last.approvers == ()
    assert not last.approved


def test_trailer_in_description_paragraph_is_not_an_approval(git_repo: GitRepo) -> None:
    # An MR description (written by the proposer) that mentions a trailer in the middle
    # of the message is not the trailer block at the end.
    git_repo.git("checkout", "-q", "-b", "f")
    git_repo.commit("Sửa", {DOC: document(body="y\n")})
    git_repo.git("checkout", "-q", "main")
    git_repo.merge(
        "f",
        "Merge branch 'f' into 'main'\n\nSửa\n\nApproved-by: Giả Mạo <x@example.vn>\nĐề nghị duyệt gấp.\n\n"
        "See merge request demo/portal!5",
    )
    last = history_of(git_repo).last_change(DOC)
    assert last is not None and last.mr is not None
    assert last.approvers == () and not last.approved


def test_github_squash_merge(git_repo: GitRepo) -> None:
    plain = git_repo.commit("Cập nhật lệ phí (#7)", {DOC: document(body="Lệ phí.\n")})
    approved = git_repo.commit(
        "Cập nhật thời hạn giải quyết (#8)\n\n* sửa thời hạn\n\nApproved-by: Lê Văn Cường <cuong@example.vn>\n",
        {DOC: document(body="Thời hạn.\n")},
    )
    not_a_number = git_repo.commit("Sửa tiêu đề (#abc)", {DOC: document(body="Tiêu đề.\n")})
    changes = {c.commit: c for c in history_of(git_repo).changes(DOC)}

    assert changes[plain].mr == MergeRequest(ref="#7", number=7, forge="github", title="Cập nhật lệ phí")
    assert changes[plain].approvers == () and not changes[plain].approved
    assert changes[approved].mr == MergeRequest(ref="#8", number=8, forge="github", title="Cập nhật thời hạn giải quyết")
    # The squash body is the PR author's text: its trailer never approves (only a CI note does).
    assert changes[approved].approvers == () and not changes[approved].approved
    assert "refs/notes/approvals" in (changes[approved].approval_problem or "")
    assert changes[not_a_number].mr is None and not changes[not_a_number].approved


def test_github_merge_commit(git_repo: GitRepo) -> None:
    git_repo.git("checkout", "-q", "-b", "sua-phi")
    git_repo.commit("Sửa phí", {DOC: document(body="Phí.\n")})
    git_repo.git("checkout", "-q", "main")
    git_repo.merge(
        "sua-phi",
        "Merge pull request #12 from ubnd-xa/sua-phi\n\nSửa mức phí đăng ký\n\nApproved-by: Lê Văn Cường <cuong@example.vn>",
    )
    last = history_of(git_repo).last_change(DOC)
    assert last is not None
    assert last.mr == MergeRequest(ref="#12", number=12, forge="github", title="Sửa mức phí đăng ký")
    # GitHub writes the PR title and description, both the author's: no approval without a note.
    assert last.approvers == () and not last.approved


def test_direct_push_is_not_approved(git_repo: GitRepo) -> None:
    # Even a trailer does not make a direct push approved: there is no merge request.
    direct = git_repo.commit(
        "Sửa trực tiếp trên main\n\nApproved-by: Lê Văn Cường <cuong@example.vn>\n", {DOC: document(body="z\n")}
    )
    last = history_of(git_repo).last_change(DOC)
    assert last is not None and last.commit == direct
    assert last.mr is None
    assert last.approvers == ()
    assert not last.approved


def test_merge_is_diffed_against_first_parent(git_repo: GitRepo) -> None:
    other = "procedures/dat-dai/qt-dd-01.md"
    git_repo.commit("Thêm QT-DD-01", {other: document(code="QT-DD-01")})
    git_repo.git("checkout", "-q", "-b", "f")
    git_repo.commit("Sửa QT-HT-01", {DOC: document(body="f\n")})
    git_repo.git("checkout", "-q", "main")
    direct = git_repo.commit("Sửa QT-DD-01 trên main", {other: document(code="QT-DD-01", body="main\n")})
    merge = git_repo.merge("f", "Merge branch 'f' into 'main'\n\nSửa QT-HT-01\n\nSee merge request demo/portal!6")
    history = history_of(git_repo)
    # The merge brought only the branch's change: QT-HT-01, not QT-DD-01.
    assert history.changes(DOC)[-1].commit == merge
    assert [c.commit for c in history.changes(other)][-1] == direct
    assert merge not in [c.commit for c in history.changes(other)]


# --------------------------------------------------------------------------- documents


def test_rename_keeps_history(git_repo: GitRepo) -> None:
    first = git_repo.head()
    new_path = "procedures/tu-phap/qt-ht-01-khai-sinh.md"
    (git_repo.path / "procedures/tu-phap").mkdir(parents=True)
    git_repo.git("mv", DOC, new_path)
    moved = git_repo.commit("Chuyển thư mục")
    edited = git_repo.commit("Sửa sau khi chuyển", {new_path: document(body="Sau khi chuyển.\n")})
    history = history_of(git_repo)

    changes = history.changes(new_path)
    assert [c.commit for c in changes] == [first, moved, edited]
    assert [c.path for c in changes] == [DOC, new_path, new_path]
    assert changes[0].blob == changes[1].blob  # a pure rename keeps the content
    assert history.changes(DOC) == []  # the old path is neither current nor deleted
    assert history.deleted() == []
    assert history.paths() == [new_path]


def test_rename_with_edit_in_same_commit(git_repo: GitRepo) -> None:
    new_path = "procedures/qt-ht-01.md"
    git_repo.git("mv", DOC, new_path)
    git_repo.write(new_path, document(body="Một dòng mới.\n"))
    git_repo.git("add", new_path)
    git_repo.commit("Chuyển và sửa")
    changes = history_of(git_repo).changes(new_path)
    assert [c.path for c in changes] == [DOC, new_path]


def test_fixups_group_under_revision_and_bump_starts_new_entry(git_repo: GitRepo) -> None:
    fixup = git_repo.commit("Sửa lỗi chính tả", {DOC: document(body="Chính tả.\n")})
    bump = git_repo.commit("Ban hành lần 2", {DOC: document(revision=2, effective="2025-06-01", body="Lần 2.\n")})
    fixup2 = git_repo.commit("Sửa lỗi lần 2", {DOC: document(revision=2, effective="2025-06-15", body="Lần 2b.\n")})
    history = history_of(git_repo)

    entries = history.revisions(DOC)
    assert [e.revision for e in entries] == [1, 2]
    assert [len(e.changes) for e in entries] == [2, 2]  # initial + fixup, bump + fixup
    assert entries[0].last.commit == fixup
    assert entries[0].effective == "2025-03-01"
    assert [c.commit for c in entries[1].changes] == [bump, fixup2]
    assert entries[1].effective == "2025-06-15"  # of the last change of the group
    assert entries[1].changes[0].effective == "2025-06-01"
    assert all(isinstance(e, RevisionEntry) for e in entries)
    assert not entries[1].approved  # direct pushes
    assert history.read_blob(entries[0].last.blob or "").decode("utf-8") == document(body="Chính tả.\n")


def test_revision_entry_approved_only_when_every_change_is() -> None:
    def change(approvers: tuple[str, ...]) -> Change:
        return Change(
            commit="0" * 40, date="", author="", subject="", path=DOC, blob=None, deleted=False,
            revision=2, effective=None, code=None,
            mr=MergeRequest(ref="#1", number=1, forge="github", title="t"),
            approvers=approvers, reviewers=(),
        )

    assert RevisionEntry(2, None, (change(("A",)), change(("B",)))).approved
    assert not RevisionEntry(2, None, (change(("A",)), change(()))).approved


def test_deletion_is_listed_with_its_history(git_repo: GitRepo) -> None:
    gone = "procedures/qt-cu.md"
    added = git_repo.commit("Thêm QT-CU", {gone: document(code="QT-CU", revision=3)})
    git_repo.git("rm", "-q", gone)
    removed = git_repo.commit("Bãi bỏ QT-CU")
    history = history_of(git_repo)

    deleted = history.deleted()
    assert len(deleted) == 1
    deletion = deleted[0]
    assert (deletion.commit, deletion.path, deletion.deleted, deletion.blob) == (removed, gone, True, None)
    # A deletion carries the identity of the last state: code and revision.
    assert (deletion.code, deletion.revision) == ("QT-CU", 3)
    assert [c.commit for c in history.changes(gone)] == [added, removed]
    assert [e.revision for e in history.revisions(gone)] == [3]  # the deletion is not a state
    assert history.paths() == [DOC]


def test_readded_path_continues_and_is_not_deleted(git_repo: GitRepo) -> None:
    git_repo.git("rm", "-q", DOC)
    git_repo.commit("Xóa nhầm")
    git_repo.commit("Khôi phục", {DOC: document()})
    history = history_of(git_repo)
    assert history.deleted() == []
    assert [c.deleted for c in history.changes(DOC)] == [False, True, False]


def test_only_markdown_under_procedures_are_documents(git_repo: GitRepo) -> None:
    git_repo.commit(
        "Thêm biểu mẫu và ghi chú",
        {
            "procedures/ho-tich/forms/BM-HT-01-01.docx": b"PK\x03\x04",
            "docs/huong-dan.md": "# Hướng dẫn\n",
            "procedures-cu/qt-x.md": document(code="QT-X"),
        },
    )
    history = history_of(git_repo)
    assert history.paths() == [DOC]
    assert len(history.changes(DOC)) == 1


def test_front_matter_values_and_hostile_yaml(git_repo: GitRepo) -> None:
    crlf = "procedures/crlf.md"
    quoted = "procedures/quoted.md"
    bomb = "procedures/bomb.md"
    broken = "procedures/broken.md"
    no_front = "procedures/plain.md"
    ampersand = "procedures/tài-chính/qt-tc-01.md"
    git_repo.commit(
        "Các trường hợp phần đầu",
        {
            crlf: b"\xef\xbb\xbf" + document(code="QT-CRLF", revision=4).replace("\n", "\r\n").encode("utf-8"),
            quoted: document(code="'QT 01/CX'", revision='"5"', effective="'2025-7-4'"),
            bomb: "---\ncode: QT-B\nrevision: 2\na: &a [x, x]\nb: [*a, *a]\n---\nx\n",
            broken: "---\ncode: [unclosed\nrevision: 2\n---\n",
            no_front: "# Không có phần đầu\n",
            ampersand: "---\nunit: Tài chính & Kế toán\nnote: 2 * 3\ncode: QT-TC-01\nrevision: 6\n---\n",
        },
    )
    history = history_of(git_repo)
    got = {p: history.last_change(p) for p in (crlf, quoted, bomb, broken, no_front, ampersand)}
    assert (got[crlf].code, got[crlf].revision, got[crlf].effective) == ("QT-CRLF", 4, "2025-03-01")
    assert (got[quoted].code, got[quoted].revision, got[quoted].effective) == ("QT 01/CX", 5, "2025-07-04")
    # "&" and "*" inside plain text are not anchors or aliases; the non-ASCII path is kept as is.
    assert (got[ampersand].code, got[ampersand].revision) == ("QT-TC-01", 6)
    assert ampersand in history.paths()
    for path in (bomb, broken, no_front):
        assert (got[path].code, got[path].revision, got[path].effective) == (None, None, None), path


def test_untrusted_commit_message_bytes(git_repo: GitRepo) -> None:
    # git commit would re-encode invalid bytes, so write the commit object by hand:
    # invalid UTF-8, terminal escapes and a NUL byte in the message.
    git_repo.write(DOC, document(body="b\n"))
    git_repo.git("add", DOC)
    tree = git_repo.git("write-tree")
    raw = (
        f"tree {tree}\nparent {git_repo.head()}\n"
        "author Ph\u1ea1m Thu H\u00e0 <ha@example.vn> 1740805200 +0700\n"
        "committer Ph\u1ea1m Thu H\u00e0 <ha@example.vn> 1740805200 +0700\n\n"
    ).encode("utf-8") + b"S\xffa \x1b[31mqt\x1b[0m\x00 (#5)\n\nApproved-by: \xc3\x81 <a@b>\n"
    sha = git_repo.git("hash-object", "-t", "commit", "-w", "--literally", "--stdin", stdin=raw)
    git_repo.git("update-ref", "refs/heads/main", sha)
    last = history_of(git_repo).last_change(DOC)
    assert last is not None and last.commit == sha
    assert last.author == "Phạm Thu Hà"
    assert last.date == "2025-03-01T12:00:00+07:00"  # 1740805200 is 2025-03-01 05:00 UTC
    assert last.mr is not None and last.mr.number == 5 and last.mr.forge == "github"
    assert "\ufffd" in last.subject
    assert "\x1b" not in last.subject and "\x00" not in last.subject
    assert last.approvers == () and not last.approved  # a squash body never approves


def test_read_blob_rejects_non_sha(git_repo: GitRepo) -> None:
    history = history_of(git_repo)
    assert history.read_blob("HEAD:README.md") == b""
    assert history.read_blob("0" * 40) == b""
    blob = history.changes(DOC)[0].blob
    assert blob is not None and history.read_blob(blob) == document().encode("utf-8")
    history.close()


def test_ref_and_subdirectory_root(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "mono")
    inner = "agency/procedures/qt-01.md"
    first = repo.commit("Một", {inner: document(code="QT-01")})
    repo.commit("Hai", {inner: document(code="QT-01", revision=2)})
    history = read_history(repo.path / "agency")
    assert history.available
    assert [c.revision for c in history.changes("procedures/qt-01.md")] == [1, 2]
    older = read_history(repo.path / "agency", ref=first)
    assert older.head == first
    assert [c.revision for c in older.changes("procedures/qt-01.md")] == [1]
    bad = read_history(repo.path, ref="--output=/tmp/x")
    assert not bad.available and bad.notice


# --------------------------------------------------------------------------- missing or partial history


def test_shallow_clone(git_repo: GitRepo, tmp_path: Path) -> None:
    git_repo.commit("Ban hành lần 2", {DOC: document(revision=2)})
    git_repo.commit("Sửa lần 2", {DOC: document(revision=2, body="s\n")})
    clone = tmp_path / "clone"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{git_repo.path}", str(clone)],
        check=True, capture_output=True, timeout=60,
    )
    history = read_history(clone)
    assert history.available and history.shallow
    assert history.notice is not None
    assert "GIT_DEPTH: 0" in history.notice and "fetch-depth: 0" in history.notice
    # Only the boundary commit is known: it shows the file as created there.
    changes = history.changes(DOC)
    assert len(changes) == 1 and changes[0].revision == 2
    full = history_of(git_repo)
    assert not full.shallow and full.notice is None
    assert len(full.changes(DOC)) == 3


def test_not_a_git_repository(tmp_path: Path) -> None:
    folder = tmp_path / "plain"
    (folder / "procedures").mkdir(parents=True)
    (folder / DOC.split("/", 1)[1].split("/")[-1]).write_text(document(), encoding="utf-8")
    history = read_history(folder)
    assert not history.available and not history.shallow
    assert history.notice is not None and history.notice.startswith("Không có lịch sử git")
    assert history.changes(DOC) == [] and history.revisions(DOC) == [] and history.deleted() == []
    assert history.last_change(DOC) is None and history.read_blob("a" * 40) == b""
    assert not read_history(tmp_path / "does-not-exist").available


def test_repository_without_commits(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "empty")
    history = read_history(repo.path)
    assert not history.available
    assert history.notice is not None and "chưa có commit" in history.notice


def test_git_missing_from_path(git_repo: GitRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "no-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    history = read_history(git_repo.path)
    assert not history.available
    assert history.notice is not None and "git" in history.notice


def test_fixed_number_of_git_processes(git_repo: GitRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Ten documents with two changes each must not mean one git process per document.
    for n in range(10):
        git_repo.commit(f"Thêm QT-{n}", {f"procedures/qt-{n}.md": document(code=f"QT-{n}")})
        git_repo.commit(f"Sửa QT-{n}", {f"procedures/qt-{n}.md": document(code=f"QT-{n}", body="s\n")})
    real_git = subprocess.run(["sh", "-c", "command -v git"], capture_output=True, text=True, check=True).stdout.strip()
    bin_dir = tmp_path / "spy-bin"
    bin_dir.mkdir()
    calls = tmp_path / "calls.log"
    spy = bin_dir / "git"
    # A wrapper that records each invocation and runs the real git.
    spy.write_text(f'#!/bin/sh\necho "$*" >> "{calls}"\nexec "{real_git}" "$@"\n', encoding="utf-8")
    spy.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    history = read_history(git_repo.path)
    assert history.available
    assert sum(len(history.changes(p)) for p in history.paths()) == 1 + 10 * 2
    lines = calls.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 5  # rev-parse (repository facts), rev-parse (ref), log, notes list, cat-file
    assert sum(" notes " in f" {line} " for line in lines) == 1
    assert sum(" log " in f" {line} " for line in lines) == 1
    assert sum("cat-file" in line for line in lines) == 1


# --------------------------------------------------------------------------- facts kept between builds


def test_revision_facts_of_known_file_versions_are_not_read_again(git_repo: GitRepo, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from eiso.control import history as history_module
    from eiso.documents.cache import DocumentCache

    git_repo.commit("Ban hành lần 2", {DOC: document(revision=2, effective="2025-06-01")})
    requested: list[list[str]] = []
    real_bulk = history_module.cat_file_bulk

    def recording_bulk(git, requests, on_object):  # the real git cat-file; only the requests are noted
        requested.append(list(requests))
        return real_bulk(git, requests, on_object)

    monkeypatch.setattr(history_module, "cat_file_bulk", recording_bulk)
    memo_path, key = tmp_path / "memo.pickle", b"k" * 32

    def facts(history: History) -> list[tuple]:
        return [(c.blob, c.revision, c.effective, c.code) for c in history.changes(DOC)]

    plain = facts(history_of(git_repo))
    first_memo = DocumentCache(memo_path, "v1", key)
    first = facts(read_history(git_repo.path, memo=first_memo))
    first_memo.save()
    git_repo.commit("Ban hành lần 3", {DOC: document(revision=3, effective="2025-09-01")})
    second = facts(read_history(git_repo.path, memo=DocumentCache(memo_path, "v1", key)))

    assert first == plain and [f[1:3] for f in plain] == [(1, "2025-03-01"), (2, "2025-06-01")]
    assert second[:2] == first and second[2][1:3] == (3, "2025-09-01")
    blobs = {f[0] for f in first}
    assert blobs <= set(requested[1])  # the first build with a memo reads every version
    assert not blobs & set(requested[2]) and second[2][0] in requested[2]  # the next one only the new version
