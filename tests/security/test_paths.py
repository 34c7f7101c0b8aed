"""3. Nothing outside the repository is read, also through symbolic links."""

from __future__ import annotations

import os

from conftest import build_site, run_eiso
from factory import system_meta, write_doc

SECRET = "BÍ-MẬT-NGOÀI-KHO-5e1f"


def test_form_symlinked_outside_is_refused_and_not_published(tmp_path, repo):
    secret = tmp_path / "secret.docx"
    secret.write_text(SECRET, encoding="utf-8")
    write_doc(repo, "x.md", system_meta(code="QT-LINK", forms=[{"code": "BM-1", "title": "Mẫu", "file": "forms/m.docx"}]))
    (repo / "procedures" / "forms").mkdir()
    os.symlink(secret, repo / "procedures" / "forms" / "m.docx")
    check = run_eiso("check", cwd=repo)
    assert check.returncode == 1 and "ngoài kho" in check.stdout
    _, site = build_site(repo)
    assert not any(SECRET in p.read_text(errors="ignore") for p in site.rglob("*") if p.is_file())


def test_procedure_symlinked_outside_is_refused(tmp_path, repo):
    outside = tmp_path / "outside.md"
    outside.write_text(f"---\ncode: QT-OUT\ntitle: {SECRET}\n---\n", encoding="utf-8")
    os.symlink(outside, repo / "procedures" / "out.md")
    check = run_eiso("check", cwd=repo)
    assert check.returncode == 1 and "procedures/out.md:1: -: tệp là liên kết trỏ ra ngoài kho" in check.stdout
    _, site = build_site(repo)
    assert not any(SECRET in p.read_text(errors="ignore") for p in site.rglob("*.html"))


def test_folder_symlinked_outside_is_not_followed(tmp_path, repo):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    write_doc(outside / "..", "elsewhere/x.md", system_meta(code="QT-FAR", title=SECRET))
    os.symlink(tmp_path / "procedures" / "elsewhere", repo / "procedures" / "far")
    _, site = build_site(repo)
    assert not any(SECRET in p.read_text(errors="ignore") for p in site.rglob("*.html"))


def test_form_path_escaping_the_repository(repo):
    write_doc(repo, "x.md", system_meta(code="QT-ESC", forms=[{"code": "BM-1", "title": "Mẫu", "file": "../../../../../../etc/passwd"}]))
    check = run_eiso("check", cwd=repo)
    assert "ngoài kho" in check.stdout
    _, site = build_site(repo)
    assert not any("root:x:0:0" in p.read_text(errors="ignore") for p in site.rglob("*") if p.is_file())


def test_a_link_in_the_site_folder_out_of_it_stops_the_build(tmp_path, repo):
    # MkDocs copies docs/ as it finds it: a link to a file outside (the build's environment, .git/config, an
    # internal procedure for the public portal) would publish its target.
    secret = tmp_path / "environ"
    secret.write_text(SECRET, encoding="utf-8")
    os.symlink(secret, repo / "docs" / "moi-truong.txt")
    result, site = build_site(repo)
    assert result.returncode != 0 and "moi-truong.txt» là liên kết trỏ ra ngoài thư mục «docs»" in result.stderr
    assert not site.exists() or not any(SECRET in p.read_text(errors="ignore") for p in site.rglob("*") if p.is_file())


def test_a_link_in_the_site_folder_to_elsewhere_in_the_repository_stops_the_build(repo):
    os.symlink(repo / "mkdocs.yml", repo / "docs" / "cau-hinh.txt")  # inside the repository, outside docs/
    result, _ = build_site(repo)
    assert result.returncode != 0 and "cau-hinh.txt» là liên kết trỏ ra ngoài thư mục «docs»" in result.stderr


def test_a_procedures_folder_linked_out_of_the_repository_is_refused(tmp_path, repo):
    elsewhere = tmp_path / "elsewhere"
    write_doc(elsewhere, "x.md", system_meta(code="QT-FAR", title=SECRET))
    (repo / "procedures").rename(tmp_path / "old-procedures")
    os.symlink(elsewhere / "procedures", repo / "procedures")
    check = run_eiso("check", cwd=repo)
    assert check.returncode == 1 and "procedures:1: -: thư mục quy trình là liên kết trỏ ra ngoài kho" in check.stdout
    result, site = build_site(repo)
    assert result.returncode != 0
    assert not site.exists() or not any(SECRET in p.read_text(errors="ignore") for p in site.rglob("*.html"))


def test_procedure_symlinked_inside_the_repository_is_refused(repo):
    # git records the link, not its target: the target's later edits would show with no revision and no approval
    write_doc(repo, "noi-dung/that.txt", system_meta(code="QT-LIEN-KET"))  # not .md: loaded only through the link
    os.symlink("noi-dung/that.txt", repo / "procedures" / "lien-ket.md")
    check = run_eiso("check", cwd=repo)
    assert check.returncode == 1
    assert "procedures/lien-ket.md:1: -: tài liệu là liên kết tượng trưng (symlink)" in check.stdout
    _, site = build_site(repo)
    assert not (site / "quy-trinh" / "qt-lien-ket").exists()
