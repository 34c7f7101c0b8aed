"""A form file is part of its document: its changes on main are in the revision table and the approval state
(build review, finding 4: a form replaced by a direct push left the document "Đã phê duyệt")."""

from __future__ import annotations

import json

from conftest import build_site, soup
from factory import make_repo, system_meta, tthc_meta, write_doc
from gitrepo import Git

FORM = "procedures/tthc/forms/BM-HT-01-01.docx"


def _approved_base(tmp_path):
    repo = make_repo(tmp_path / "repo")
    git = Git(repo).init()
    git.commit_all("Khởi tạo")
    git.merge_request("lan-2", "Ban hành lần mới", 3,
                      lambda: write_doc(repo, "tthc/khai-sinh.md", tthc_meta(revision=7, related=["QT-NB-01"])),
                      approver="Lê Văn Cường")
    return repo, git


def _khai_sinh(site):
    documents = json.loads((site / "api" / "documents.json").read_text(encoding="utf-8"))
    return next(d for d in documents if d["code"] == "QT-HT-01")


def test_a_form_replaced_by_a_direct_push_makes_the_document_unapproved(tmp_path):
    repo, git = _approved_base(tmp_path)
    result, site = build_site(repo)
    assert result.returncode == 0, result.stderr
    assert _khai_sinh(site)["approval_state"] == "Đã phê duyệt"

    (repo / FORM).write_bytes(b"PK\x03\x04 thay mau khong qua phe duyet")
    git.commit_all("Cập nhật biểu mẫu")  # straight onto main
    result, site = build_site(repo)
    assert result.returncode == 0, result.stderr
    facts = _khai_sinh(site)
    assert facts["approved"] is False and facts["approval_state"] == "Chưa phê duyệt"
    rows = soup(site / "quy-trinh" / "qt-ht-01" / "index.html").select(".eiso-revisions tbody tr")
    assert "Cập nhật biểu mẫu" in rows[0].get_text()  # the current revision (the table lists the newest first)
    assert "Chưa phê duyệt" in rows[0].get_text()


def test_a_form_replaced_through_an_approved_merge_request_keeps_the_document_approved(tmp_path):
    repo, git = _approved_base(tmp_path)
    git.merge_request("mau-moi", "Thay biểu mẫu tờ khai", 4,
                      lambda: (repo / FORM).write_bytes(b"PK\x03\x04 mau moi"), approver="Lê Văn Cường")
    (repo / "procedures" / "tthc" / "ghi-chu.txt").write_text("không phải biểu mẫu của tài liệu nào\n", encoding="utf-8")
    git.commit_all("Ghi chú")  # a file no document names: not a change of any document
    result, site = build_site(repo)
    assert result.returncode == 0, result.stderr
    facts = _khai_sinh(site)
    assert facts["approved"] is True and facts["approval_state"] == "Đã phê duyệt"
    rows = soup(site / "quy-trinh" / "qt-ht-01" / "index.html").select(".eiso-revisions tbody tr")
    assert "Thay biểu mẫu tờ khai" in rows[0].get_text() and "Ghi chú" not in rows[0].get_text()


def test_a_form_that_is_a_link_follows_its_target(tmp_path):
    # git records the link: an approved MR may turn the form into a link, then pushes change the target unseen
    repo, git = _approved_base(tmp_path)
    target = repo / "procedures" / "tthc" / "forms" / "nguon" / "to-khai.docx"

    def link_the_form():
        target.parent.mkdir()
        (repo / FORM).rename(target)
        (repo / FORM).symlink_to("nguon/to-khai.docx")

    git.merge_request("lien-ket", "Sắp xếp thư mục biểu mẫu", 4, link_the_form, approver="Lê Văn Cường")
    result, site = build_site(repo)
    assert result.returncode == 0, result.stderr
    assert _khai_sinh(site)["approval_state"] == "Đã phê duyệt"
    target.write_bytes(b"PK\x03\x04 sua dich den khong qua phe duyet")
    git.commit_all("Sửa tệp đích")  # straight onto main
    _, site = build_site(repo)
    assert _khai_sinh(site)["approval_state"] == "Chưa phê duyệt"


def test_a_form_committed_before_its_document_is_not_a_change_of_it(tmp_path):
    repo = make_repo(tmp_path / "repo")
    git = Git(repo).init()
    git.commit_all("Khởi tạo")
    form = repo / "procedures" / "tthc" / "forms" / "BM-MOI-01.docx"
    form.write_bytes(b"PK\x03\x04 bieu mau moi")
    git.commit_all("Thư ký thêm tệp biểu mẫu")  # straight onto main, before any document names it
    meta = system_meta(code="QT-MOI-01", forms=[{"code": "BM-MOI-01", "title": "Tờ khai", "file": "forms/BM-MOI-01.docx"}])
    git.merge_request("moi", "Ban hành QT-MOI-01", 5, lambda: write_doc(repo, "tthc/moi.md", meta),
                      approver="Lê Văn Cường")
    result, site = build_site(repo)
    assert result.returncode == 0, result.stderr
    documents = json.loads((site / "api" / "documents.json").read_text(encoding="utf-8"))
    assert next(d for d in documents if d["code"] == "QT-MOI-01")["approval_state"] == "Đã phê duyệt"


def test_last_change_of_a_document_is_its_form_replaced_later(tmp_path):
    # The master list and api/documents.json say when the document last changed, and by which MR: the form's
    # replacement, the newest change of its revision table, not the older last edit of the .md file.
    repo, git = _approved_base(tmp_path)
    git.clock += 5 * 86400
    git.merge_request("mau-moi", "Thay biểu mẫu tờ khai", 4,
                      lambda: (repo / FORM).write_bytes(b"PK\x03\x04 mau moi"), approver="Lê Văn Cường")
    replaced = git("show", "-s", "--format=%cs", "HEAD").strip()
    result, site = build_site(repo)
    assert result.returncode == 0, result.stderr
    facts = _khai_sinh(site)
    assert facts["mr"] == "xa/e-iso!4"
    assert facts["last_change"] == replaced
