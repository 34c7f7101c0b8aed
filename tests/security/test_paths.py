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
