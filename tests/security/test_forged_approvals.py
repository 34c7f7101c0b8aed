"""4. Forged approvals: an approval counts only where the change's author cannot write.

GitLab: the trailer paragraph directly after the forge's last ``See merge request`` line of
a first-parent merge commit (trailers parsed by git). GitHub: a note under
``refs/notes/approvals`` that the workflow's CI job writes from the PR's reviews. Every
other place (MR title and description, feature-branch commits, squash bodies, GitHub's
merge commit) is the author's text. Real git repositories, never a mocked git.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import build_site, soup
from factory import make_repo, system_meta, tthc_meta, write_doc
from gitrepo import Git, isolate_git

from eiso.control.approvals import NO_NOTE, NOT_A_MERGE, UNSIGNED_COMMIT, UNSIGNED_NOTES, Approval, parse_approvers
from eiso.control.archive import change_row
from eiso.control.history import Change, History, MergeRequest, read_history

DOC = "procedures/qt-ht-01.md"
FORGER = "Giả Mạo"
BOSS = "Lê Văn Cường"


@pytest.fixture(autouse=True)
def _isolated_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    isolate_git(tmp_path, monkeypatch)


class Repo(Git):
    """tests/gitrepo.Git plus commits written byte for byte (git merge -m would clean the message)."""

    def raw(self, *args: str, stdin: bytes | None = None) -> str:
        result = subprocess.run(["git", *args], cwd=self.root, env=self.env(), input=stdin,
                                capture_output=True, check=True)
        return result.stdout.decode().strip()

    def feature(self, branch: str, text: str, message: str = "Sửa quy trình") -> str:
        self("checkout", "-q", "-b", branch)
        (self.root / DOC).write_text(f"---\ncode: QT-HT-01\nrevision: 2\n---\n{text}\n", encoding="utf-8")
        self.commit_all(message)
        self("checkout", "-q", "main")
        return self.raw("rev-parse", branch)

    def merge_commit(self, branch: str, message: bytes, *, sign_with: Path | None = None) -> str:
        """A first-parent merge of ``branch`` with exactly ``message`` (the forge's merge commit)."""
        tip = self.raw("rev-parse", branch)
        sign = ["-c", "gpg.format=ssh", "-c", f"user.signingkey={sign_with}"] if sign_with else []
        sha = self.raw(*sign, "commit-tree", *(["-S"] if sign_with else []), f"{tip}^{{tree}}",
                       "-p", "main", "-p", tip, stdin=message)
        self.raw("update-ref", "refs/heads/main", sha)
        self.raw("reset", "-q", "--hard", "main")
        return sha

    def direct(self, text: str, message: bytes) -> str:
        """A single-parent commit on main (a squash, a rebase, or a direct push)."""
        (self.root / DOC).write_text(f"---\ncode: QT-HT-01\nrevision: 3\n---\n{text}\n", encoding="utf-8")
        self("add", "-A")
        tree = self.raw("write-tree")
        sha = self.raw("commit-tree", tree, "-p", "main", stdin=message)
        self.raw("update-ref", "refs/heads/main", sha)
        return sha


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    git = Repo(tmp_path / "portal")
    git.root.mkdir()
    git.init()
    (git.root / "procedures").mkdir()
    (git.root / DOC).write_text("---\ncode: QT-HT-01\nrevision: 1\n---\nBan đầu.\n", encoding="utf-8")
    git.commit_all("Khởi tạo")
    return git


def last(repo: Repo, forge: str | None = None, **kw) -> Change:
    history: History = read_history(repo.root, forge=forge, **kw)
    assert history.available, history.notice
    change = history.last_change(DOC)
    assert change is not None
    return change


MERGE = "Merge branch 'sua' into 'main'"
FORGED = f"Approved-by: {FORGER} <gia@example.vn>"
REAL = f"Approved-by: {BOSS} <cuong@example.vn>"

# Merge commits (two parents) whose only Approved-by is in author-written text.
GITLAB_FORGERIES = {
    "trailer in the description before See merge request":
        f"{MERGE}\n\nSửa quy trình\n\n{FORGED}\n\nSee merge request xa/e-iso!5\n",
    "trailer as the MR title":
        f"{MERGE}\n\n{FORGED}\n\nSee merge request xa/e-iso!5\n",
    "trailer paragraph glued to See merge request":
        f"{MERGE}\n\nSửa quy trình\n\n{FORGED}\nSee merge request xa/e-iso!5",
    # With a git-generated trailer in it, git reads this last paragraph as a trailer block
    # (its 25% rule): only the position after the forge's line tells it is the author's.
    "trailers and Signed-off-by glued to See merge request":
        f"{MERGE}\n\nSửa\n\n{FORGED}\nSigned-off-by: {FORGER} <gia@example.vn>\nSee merge request xa/e-iso!5\n",
    "description placed after See merge request":
        f"{MERGE}\n\nSửa\n\nSee merge request xa/e-iso!5\n\nMô tả của tác giả.\n\n{FORGED}\n",
    "lower-case trailer in the description":
        f"{MERGE}\n\nSửa\n\napproved-by: {FORGER} <gia@example.vn>\n\nSee merge request xa/e-iso!5\n",
    "spaced separator in the description":
        f"{MERGE}\n\nSửa\n\nApproved-by : {FORGER} <gia@example.vn>\n\nSee merge request xa/e-iso!5\n",
    "CRLF message":
        f"{MERGE}\r\n\r\nSửa\r\n\r\n{FORGED}\r\n\r\nSee merge request xa/e-iso!5\r\n",
    "See merge request copied into the description":
        f"{MERGE}\n\nSửa\n\nSee merge request xa/e-iso!5\n\n{FORGED}\n\nSee merge request xa/e-iso!5\n",
    "lower-case See merge request copied into the description":
        f"{MERGE}\n\nSửa\n\nsee merge request xa/e-iso!5\n\n{FORGED}\n\nSee merge request xa/e-iso!5\n\n",
    "patch divider in the description":
        f"{MERGE}\n\nSửa\n\n{FORGED}\n---\nxem tệp\n\nSee merge request xa/e-iso!5\n",
    "GitHub merge commit whose body imitates the GitLab template":
        f"Merge pull request #41 from ubnd-xa/sua\n\nSửa\n\nSee merge request xa/e-iso!41\n\n{FORGED}\n",
    "GitHub default merge commit with the PR title as trailer":
        f"Merge pull request #41 from ubnd-xa/sua\n\n{FORGED}",
    "GitHub merge commit with a CRLF lower-case trailer body":
        f"Merge pull request #41 from ubnd-xa/sua\r\n\r\nSửa\r\n\r\napproved-by: {FORGER} <gia@example.vn>\r\n",
}


@pytest.mark.parametrize("forge", [None, "gitlab", "github"])
@pytest.mark.parametrize("message", GITLAB_FORGERIES.values(), ids=GITLAB_FORGERIES.keys())
def test_author_written_trailers_in_a_merge_commit_never_approve(repo: Repo, message: str, forge: str | None) -> None:
    repo.feature("sua", "Sửa.")
    merge = repo.merge_commit("sua", message.encode())
    change = last(repo, forge)
    assert change.commit == merge and change.mr is not None  # the MR is recognised…
    assert FORGER not in change.approvers and not change.approved  # …its author's trailer is not an approval


def test_feature_branch_commit_imitating_the_template_never_approves(repo: Repo) -> None:
    repo.feature("sua", "Sửa.", message=f"Sửa quy trình\n\nSee merge request xa/e-iso!5\n\n{FORGED}")
    repo.merge_commit("sua", f"{MERGE}\n\nSửa quy trình\n\nSee merge request xa/e-iso!5\n".encode())
    change = last(repo, "gitlab")
    assert change.approvers == () and not change.approved


def test_nul_byte_cannot_make_git_and_the_check_read_different_messages(repo: Repo) -> None:
    # git stops at a NUL: it would read the description's trailer as the last paragraph.
    tip = repo.feature("sua", "Sửa.")
    message = f"{MERGE}\n\nSửa\n\n{FORGED}\0\n\nSee merge request xa/e-iso!5\n\n{REAL}\n".encode()
    head = repo.raw("rev-parse", "main")
    obj = (f"tree {repo.raw('rev-parse', tip + '^{tree}')}\nparent {head}\nparent {tip}\n"
           "author Lan <lan@example.vn> 1740805200 +0700\ncommitter GitLab <gitlab@example.vn> 1740805200 +0700\n\n")
    sha = repo.raw("hash-object", "-t", "commit", "-w", "--literally", "--stdin", stdin=obj.encode() + message)
    repo.raw("update-ref", "refs/heads/main", sha)
    change = last(repo, "gitlab")
    assert FORGER not in change.approvers and not change.approved


SQUASH_FORGERIES = {
    "squash (#43) with a trailer in its body": f"Sửa quy trình (#43)\n\n* sửa\n\n{FORGED}\n",
    "squash (#43) with a lower-case trailer": f"Sửa quy trình (#43)\n\napproved-by: {FORGER} <gia@example.vn>",
    "squash (#43) whose body imitates the GitLab template":
        f"Sửa quy trình (#43)\n\n* sửa\n\nSee merge request xa/e-iso!43\n\n{FORGED}\n",
    "direct push imitating the GitLab template": f"Sửa trực tiếp\n\nSee merge request xa/e-iso!9\n\n{FORGED}\n",
}


@pytest.mark.parametrize("forge", [None, "github"])
@pytest.mark.parametrize("message", SQUASH_FORGERIES.values(), ids=SQUASH_FORGERIES.keys())
def test_single_parent_commits_never_approve_unless_known_gitlab(repo: Repo, message: str, forge: str | None) -> None:
    # On GitHub (or an unknown forge) a squash or rebased commit's whole message is the author's.
    repo.direct("Sửa.", message.encode())
    change = last(repo, forge)
    assert change.approvers == () and not change.approved
    if forge is None and "See merge request" in message:
        assert change.approval_problem == NOT_A_MERGE  # the reason is shown, not a silent "no approver"


def test_documented_gitlab_template_approves(repo: Repo) -> None:
    repo.feature("sua", "Sửa.")
    # Merge commit template of templates/README.md, with a description that tries its own trailer.
    message = (f"{MERGE}\n\nRút ngắn thời hạn\n\n{FORGED}\n\nSee merge request xa/e-iso!5\n\n"
               f"{REAL}\nReviewed-by: Trần Văn Bình <binh@example.vn>\n")
    repo.merge_commit("sua", message.encode())
    for forge in (None, "gitlab"):
        change = last(repo, forge)
        assert change.mr == MergeRequest("xa/e-iso!5", 5, "gitlab", "Rút ngắn thời hạn")
        assert change.approvers == (BOSS,) and change.reviewers == ("Trần Văn Bình",)
        assert change.approvals == (Approval(BOSS, "cuong@example.vn"),)
        assert change.approved
    # On a repository declared to be on GitHub, the same text is a PR author's.
    assert not last(repo, "github").approved


def test_gitlab_squash_commit_approves_only_on_a_declared_gitlab(repo: Repo) -> None:
    repo.direct("Sửa.", f"Rút ngắn thời hạn\n\n{FORGED}\n\nSee merge request xa/e-iso!6\n\n{REAL}\n".encode())
    assert last(repo, "gitlab").approvers == (BOSS,)
    assert not last(repo, None).approved and not last(repo, "github").approved


# --------------------------------------------------------------------------- GitHub notes


def test_github_merge_approved_only_by_the_ci_note(repo: Repo) -> None:
    repo.feature("sua", "Sửa.")
    merge = repo.merge_commit("sua", f"Merge pull request #41 from ubnd-xa/sua\n\n{FORGED}".encode())
    before = last(repo, "github")
    assert before.mr is not None and before.mr.ref == "#41"
    assert not before.approved and before.approval_problem == NO_NOTE
    repo.approval_note(merge, BOSS)
    for forge in (None, "github"):
        change = last(repo, forge)
        assert change.approvers == (BOSS,) and change.approved  # the note's, not the title's
    # GitLab developers may push refs/notes/* themselves: notes never count there.
    assert not last(repo, "gitlab").approved


def test_github_squash_approved_by_the_ci_note(repo: Repo) -> None:
    squash = repo.direct("Sửa.", f"Sửa quy trình (#43)\n\n{FORGED}\n".encode())
    repo.approval_note(squash, BOSS, "Phạm Thu Hà")
    change = last(repo, "github")
    assert change.approvers == (BOSS, "Phạm Thu Hà") and change.approved


def test_identical_notes_of_two_pull_requests_both_approve(repo: Repo) -> None:
    # One approver, one note text: git stores it once (one blob for both commits).
    first = repo.direct("Một.", "Sửa lần một (#43)\n".encode())
    repo.approval_note(first, BOSS)
    second = repo.direct("Hai.", "Sửa lần hai (#44)\n".encode())
    repo.approval_note(second, BOSS)
    history = read_history(repo.root, forge="github")
    changes = {c.commit: c for c in history.changes(DOC)}
    assert changes[first].approvers == changes[second].approvers == (BOSS,)


def test_note_on_a_direct_push_does_not_approve(repo: Repo) -> None:
    direct = repo.direct("Sửa.", "Sửa trực tiếp trên main\n".encode())
    repo.approval_note(direct, BOSS)
    change = last(repo, "github")
    assert change.mr is None and not change.approved


def test_note_under_another_ref_does_not_approve(repo: Repo) -> None:
    squash = repo.direct("Sửa.", "Sửa quy trình (#43)\n".encode())
    repo.approval_note(squash, BOSS, ref="commits")  # refs/notes/commits: anyone's `git notes add`
    assert not last(repo, "github").approved


# --------------------------------------------------------------------------- trusted signers


@pytest.fixture
def signer(tmp_path: Path) -> tuple[Path, str]:
    if shutil.which("ssh-keygen") is None:
        pytest.skip("ssh-keygen không có trên máy")
    key = tmp_path / "ci-key"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    return key, f"ci@example.vn {key.with_suffix('.pub').read_text().strip()}\n"


def test_trusted_signers_gitlab_merge_commit(repo: Repo, signer: tuple[Path, str], tmp_path: Path) -> None:
    key, line = signer
    (repo.root / ".gitsigners").write_text(line, encoding="utf-8")
    message = f"{MERGE}\n\nSửa\n\nSee merge request xa/e-iso!5\n\n{REAL}\n".encode()
    repo.feature("a", "Sửa một.")
    repo.merge_commit("a", message)
    unsigned = last(repo, "gitlab", trusted_signers=".gitsigners")
    assert not unsigned.approved and unsigned.approval_problem == UNSIGNED_COMMIT
    assert last(repo, "gitlab").approved  # without the option, the template alone is enough

    repo.feature("b", "Sửa hai.")
    repo.merge_commit("b", message, sign_with=key.with_suffix(".pub"))
    assert last(repo, "gitlab", trusted_signers=".gitsigners").approvers == (BOSS,)

    other = tmp_path / "other-key"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(other)], check=True)
    repo.feature("c", "Sửa ba.")
    repo.merge_commit("c", message, sign_with=other.with_suffix(".pub"))  # a key not in the file
    assert not last(repo, "gitlab", trusted_signers=".gitsigners").approved


def test_trusted_signers_github_notes(repo: Repo, signer: tuple[Path, str]) -> None:
    key, line = signer
    (repo.root / ".gitsigners").write_text(line, encoding="utf-8")
    squash = repo.direct("Sửa.", "Sửa quy trình (#43)\n".encode())
    repo.approval_note(squash, BOSS)
    change = last(repo, "github", trusted_signers=".gitsigners")
    assert not change.approved and change.approval_problem == UNSIGNED_NOTES
    # What the workflow does with EISO_SIGNING_KEY: the notes' new commits replaced by one signed commit.
    tree = repo.raw("rev-parse", "refs/notes/approvals^{tree}")
    signed = repo.raw("-c", "gpg.format=ssh", "-c", f"user.signingkey={key.with_suffix('.pub')}",
                      "commit-tree", "-S", "-m", "Ghi nhận phê duyệt", tree)
    repo.raw("update-ref", "refs/notes/approvals", signed)
    assert last(repo, "github", trusted_signers=".gitsigners").approvers == (BOSS,)
    # A later unsigned note pushed by anyone with write access makes every note untrusted.
    repo.approval_note(squash, FORGER)
    assert not last(repo, "github", trusted_signers=".gitsigners").approved


# --------------------------------------------------------------------------- who may approve


def test_approvers_option_refuses_approvals_without_authority() -> None:
    approvers, problems = parse_approvers([
        {"name": BOSS, "email": "Cuong@Example.vn", "units": []},
        {"name": "Trần Văn Bình", "email": "binh@example.vn", "units": ["Bộ phận Tư pháp"]},
        {"name": "Không email"},
    ])
    assert problems == ["approvers, mục 3: thiếu email hợp lệ"]

    def change(*people: tuple[str, str]) -> Change:
        return Change(commit="a" * 40, date="2025-03-01T09:00:00+07:00", author="Lan", subject="Merge",
                      path=DOC, blob=None, deleted=False, revision=2, effective=None, code="QT-HT-01",
                      mr=MergeRequest("xa/e-iso!5", 5, "gitlab", "Sửa"), approvers=tuple(n for n, _ in people),
                      reviewers=(), approvals=tuple(Approval(n, e) for n, e in people))

    boss = change((BOSS, "cuong@example.vn"))
    assert change_row(boss, None, "Văn phòng", approvers).approved
    # Same display name, another e-mail: the name is not what gives authority.
    impostor = change((BOSS, "cuong@gmail.com"))
    row = change_row(impostor, None, "Văn phòng", approvers)
    assert not row.approved and row.approvers == () and "không có thẩm quyền" in row.state
    # Listed, but for another unit.
    binh = change(("Trần Văn Bình", "binh@example.vn"))
    assert not change_row(binh, None, "Văn phòng", approvers).approved
    assert change_row(binh, None, "Bộ phận Tư pháp", approvers).approved
    # Malformed option: nobody is authorised (fail closed), and it is reported.
    broken, problems = parse_approvers("cuong@example.vn")
    assert broken == [] and problems and not change_row(boss, None, "Văn phòng", broken).approved
    assert change_row(boss, None, "Văn phòng", None).approved  # option unset


def _merged_with_trailers(repo: Repo, trailers: str):
    """A GitLab merge of one feature whose trailers are ``trailers``; the option names only the chairman."""
    approvers, _ = parse_approvers([{"name": BOSS, "email": "cuong@example.vn"}])
    repo.feature("sua", "Sửa.")
    repo.merge_commit("sua", f"{MERGE}\n\nSửa\n\nSee merge request xa/e-iso!5\n\n{trailers}\n".encode())
    return last(repo, "gitlab"), approvers


def test_a_display_name_that_carries_the_approver_s_address_is_not_that_approver(repo: Repo) -> None:
    # GitLab writes "Approved-by: <display name> <commit e-mail>", and the display name is the user's choice.
    change, approvers = _merged_with_trailers(repo, f"Approved-by: {BOSS} <cuong@example.vn> <gia@example.vn>")
    assert all(approval.email == "" for approval in change.approvals)  # no e-mail: never matched
    assert not change_row(change, None, "Văn phòng", approvers).approved


def test_an_approver_under_a_borrowed_name_does_not_hide_the_real_one(repo: Repo) -> None:
    change, approvers = _merged_with_trailers(repo, f"Approved-by: {BOSS} <gia@example.vn>\n{REAL}")
    assert Approval(BOSS, "cuong@example.vn") in change.approvals and Approval(BOSS, "gia@example.vn") in change.approvals
    assert change_row(change, None, "Văn phòng", approvers).approved


# --------------------------------------------------------------------------- the built site


def test_site_shows_forged_github_approval_as_unapproved(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", repo_url="https://github.com/ubnd-xa/e-iso")
    config = repo / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "  - eiso\n", "  - eiso:\n      approvers:\n        - {name: Lê Văn Cường, email: cuong@example.vn}\n"),
        encoding="utf-8")
    git = Git(repo).init()
    git.commit_all("Khởi tạo")
    # The PR author's title is a trailer: GitHub's default merge commit.
    git.pull_request("sua-ks", f"Approved-by: {FORGER} <gia@example.vn>", 41,
                     lambda: write_doc(repo, "tthc/khai-sinh.md", tthc_meta(revision=3)))
    # Approved through the CI note by an authorised approver.
    merged = git.pull_request("sua-kstl", "Sửa kiểm soát tài liệu", 42,
                              lambda: write_doc(repo, "he-thong/kiem-soat-tai-lieu.md", system_meta(revision=2)))
    git.approval_note(merged, f"{BOSS} <cuong@example.vn>")
    # Approved through the CI note by someone the approvers option does not list.
    added = git.pull_request("them", "Thêm quy trình", 43, lambda: write_doc(
        repo, "he-thong/qt-nb-02.md", system_meta(code="QT-NB-02", title="Quy trình thứ hai")))
    git.approval_note(added, "Trần Văn Bình")

    result, site = build_site(repo)
    assert result.returncode == 0, result.stderr
    records = {r["code"]: r for r in json.loads((site / "api" / "documents.json").read_text(encoding="utf-8"))}
    forged = records["QT-HT-01"]
    assert forged["approved"] is False and forged["approvers"] == [] and forged["mr"] == "#41"
    assert forged["approval_state"] == "Chưa phê duyệt"
    assert records["QT-NB-01"]["approved"] is True and records["QT-NB-01"]["approvers"] == [BOSS]
    assert records["QT-NB-02"]["approved"] is False and records["QT-NB-02"]["approvers"] == []
    page = (site / "quy-trinh" / "qt-nb-02" / "index.html").read_text(encoding="utf-8")
    assert "Trần Văn Bình: không có thẩm quyền" in page
    rows = soup(site / "quy-trinh" / "qt-ht-01" / "index.html").select(".eiso-revisions tbody tr")
    newest = rows[0].select("td")
    assert FORGER in newest[2].get_text()  # shown as what it is: the PR's title…
    assert FORGER not in newest[4].get_text()  # …never in the approval column
    assert "Chưa phê duyệt" in newest[2].select_one(".eiso-unapproved").get_text()
    assert "refs/notes/approvals" in newest[2].select_one(".eiso-unapproved").get_text()  # with the reason


@pytest.mark.parametrize("declared", [None, "gitlab"])
def test_an_unknown_forge_host_never_trusts_a_squash_commit_unless_the_forge_is_declared(tmp_path: Path,
                                                                                         declared: str | None) -> None:
    # A GitLab at the agency's own host, or a Gitea, a GitHub Enterprise: the host does not say which forge it
    # is, and on all but GitLab a single-parent commit's message is its author's, "See merge request" included.
    repo = make_repo(tmp_path / "repo", repo_url="https://git.hoabinh.gov.vn/ubnd-xa/e-iso")
    if declared:
        config = repo / "mkdocs.yml"
        config.write_text(config.read_text(encoding="utf-8").replace(
            "  - eiso\n", f"  - eiso:\n      forge: {declared}\n"), encoding="utf-8")
    git = Git(repo).init()
    git.commit_all("Khởi tạo")
    write_doc(repo, "he-thong/kiem-soat-tai-lieu.md", system_meta(revision=2))
    git.commit_all(f"Sửa kiểm soát tài liệu\n\nSee merge request ubnd-xa/e-iso!57\n\n"
                   f"Approved-by: {BOSS} <cuong@example.vn>\n")
    result, site = build_site(repo)
    assert result.returncode == 0, result.stderr
    records = {r["code"]: r for r in json.loads((site / "api" / "documents.json").read_text(encoding="utf-8"))}
    assert records["QT-NB-01"]["approved"] is (declared == "gitlab")
