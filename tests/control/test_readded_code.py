"""A document deleted from main and added again under the same code keeps its earlier revisions."""

from __future__ import annotations

import json

from conftest import build_site, soup
from factory import make_repo, system_meta, write_doc
from gitrepo import Git, isolate_git

from eiso.control.history import read_history

OLD = "procedures/he-thong/tam.md"
NEW = "procedures/he-thong/tam-moi.md"


def test_readded_code_continues_the_deleted_history(tmp_path, monkeypatch):
    isolate_git(tmp_path, monkeypatch)
    repo = make_repo(tmp_path / "repo")
    git = Git(repo).init()
    git.commit_all("Nhập tài liệu ban đầu")
    git.merge_request("them", "Thêm quy trình tạm", 30, lambda: write_doc(
        repo, "he-thong/tam.md", system_meta(code="QT-NB-09", title="Quy trình tạm thời")), approver="Lê Văn Cường")
    git.merge_request("xoa", "Hủy quy trình tạm", 31, lambda: git("rm", "-q", OLD), approver="Lê Văn Cường")
    # Same code, other path, accents and case of the code spelled otherwise.
    git.merge_request("lai", "Ban hành lại quy trình tạm", 32, lambda: write_doc(
        repo, "he-thong/tam-moi.md", system_meta(code="qt-nb-09", title="Quy trình tạm thời", revision=2,
                                                 effective="2025-08-01")), approver="Lê Văn Cường")

    history = read_history(repo)
    assert [(c.path, c.revision, c.deleted) for c in history.changes(NEW)] == [
        (OLD, 1, False), (OLD, 1, True), (NEW, 2, False)]
    assert [entry.revision for entry in history.revisions(NEW)] == [1, 2]
    assert history.deleted() == []

    result, site = build_site(repo, "--as-of", "2025-12-01")
    assert result.returncode == 0, result.stderr
    rows = soup(site / "quy-trinh" / "qt-nb-09" / "index.html").select(".eiso-revisions tbody tr")
    assert [row.find("td").get_text(strip=True) for row in rows] == ["2", "1"]
    archived = soup(site / "quy-trinh" / "qt-nb-09" / "lan-1" / "index.html")
    assert "HẾT HIỆU LỰC" in archived.get_text()
    listed = soup(site / "danh-muc" / "luu-tru" / "index.html").get_text(" ", strip=True)
    assert "QT-NB-09" in listed
    docs = {d["code"]: d for d in json.loads((site / "api" / "documents.json").read_text(encoding="utf-8"))}
    assert docs["qt-nb-09"]["approved"] and docs["qt-nb-09"]["revision"] == 2


def test_rename_with_a_rewrite_git_does_not_see_as_a_rename_keeps_the_history(tmp_path, monkeypatch):
    isolate_git(tmp_path, monkeypatch)
    repo = make_repo(tmp_path / "repo")
    git = Git(repo).init()
    git.commit_all("Nhập tài liệu ban đầu")
    old = "procedures/he-thong/kiem-soat-tai-lieu.md"

    def rewrite():
        git("rm", "-q", old)
        write_doc(repo, "he-thong/dieu-hanh-tai-lieu.md", system_meta(revision=2, effective="2025-06-01"),
                  "## 1. Mục đích\n\n" + "Quy trình được viết lại hoàn toàn, từng đoạn một.\n" * 40)

    git.merge_request("viet-lai", "Viết lại và đổi tên quy trình kiểm soát tài liệu", 12, rewrite,
                      approver="Lê Văn Cường")
    changes = read_history(repo).changes("procedures/he-thong/dieu-hanh-tai-lieu.md")
    assert [(c.path, c.revision) for c in changes if not c.deleted] == [
        (old, 1), ("procedures/he-thong/dieu-hanh-tai-lieu.md", 2)]
