"""5. Nothing lost, nothing forged: reproducible builds, approvals only from main's merge commits."""

from __future__ import annotations

import hashlib
import shutil

from conftest import build_site, run_eiso, soup
from factory import REPO, system_meta, tthc_meta, write_doc
from gitrepo import Git


def tree_digest(site):
    return {p.relative_to(site).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(site.rglob("*")) if p.is_file()}


def test_two_builds_of_one_commit_are_byte_identical(repo):
    shutil.copy(REPO / "mkdocs.public.yml", repo / "mkdocs.public.yml")
    shutil.copytree(REPO / "docs-public", repo / "docs-public")
    git = Git(repo).init()
    git.commit_all("Khởi tạo")
    git.merge_request("a", "Lần 3", 2, lambda: write_doc(repo, "tthc/khai-sinh.md", tthc_meta(revision=3)), approver="A")
    first = tree_digest(build_site(repo, site="one")[1])
    second = tree_digest(build_site(repo, site="two")[1])
    assert first == second and "sitemap.xml.gz" in first and "api/documents.json" in first
    public_one = tree_digest(build_site(repo, "--public", site="p1")[1])
    public_two = tree_digest(build_site(repo, "--public", site="p2")[1])
    assert public_one == public_two and "api/tthc.csv" in public_one


def test_trailer_in_a_feature_commit_is_not_an_approval(repo):
    git = Git(repo).init()
    git.commit_all("Khởi tạo")
    git.merge_request("b", "Sửa quy trình", 4,
                      lambda: write_doc(repo, "he-thong/kiem-soat-tai-lieu.md", system_meta(revision=2)),
                      feature_message="Sửa quy trình\n\nApproved-by: Kẻ Mạo Danh <x@example.vn>")
    _, site = build_site(repo)
    row = soup(site / "quy-trinh" / "qt-nb-01" / "index.html").select(".eiso-revisions tbody tr")[0]
    assert "Kẻ Mạo Danh" not in row.get_text() and row.select_one(".eiso-unapproved") is not None


def test_approval_cannot_be_set_by_front_matter(repo):
    for key, value in (("approved", True), ("approval_state", "Đã phê duyệt"), ("approvers", ["Giả"])):
        write_doc(repo, "he-thong/kiem-soat-tai-lieu.md", system_meta(**{key: value}))
        check = run_eiso("check", cwd=repo)
        assert check.returncode == 1 and f": {key}: trường không được hỗ trợ" in check.stdout
