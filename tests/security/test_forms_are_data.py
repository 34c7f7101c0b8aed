"""Form files are data, never pages: allow-listed formats, inside procedures/, safe download names."""

from __future__ import annotations

import json
import os
import shutil

from conftest import build_site, run_eiso, soup
from factory import REPO, system_meta, tthc_meta, write_doc

MACRO = "{{ config.plugins['eiso'].root.joinpath('PWNED-FORM').write_text('y') }}"
SECRET = "CANARY-FORM-SECRET-4b1e"


def _form(file: str, code: str = "BM-1") -> list[dict]:
    return [{"code": code, "title": "Mẫu", "file": file}]


def _findings(repo, path: str) -> dict[str, str]:
    check = run_eiso("check", "--format", "json", cwd=repo)
    return {f["field"]: f["message"] for f in json.loads(check.stdout) if f["path"] == path}


def test_markdown_outside_procedures_is_refused_and_never_a_page(repo):
    attachments = repo / "attachments"
    attachments.mkdir()
    (attachments / "mau.md").write_text(f"---\ntitle: <script>alert(1)</script>{SECRET}\n---\n{MACRO}\n{SECRET}\n",
                                        encoding="utf-8")
    path = write_doc(repo, "he-thong/a.md", system_meta(code="QT-A", forms=_form("../../attachments/mau.md")))
    found = _findings(repo, "procedures/he-thong/a.md")
    assert "ngoài" in found["forms[0].file"]
    line = path.read_text(encoding="utf-8").split("\n").index("  file: ../../attachments/mau.md") + 1
    check = run_eiso("check", cwd=repo)
    assert f"procedures/he-thong/a.md:{line}: forms[0].file:" in check.stdout
    result, site = build_site(repo)
    assert result.returncode == 1
    assert not list(repo.rglob("PWNED*"))
    assert not any(SECRET in p.read_text(errors="ignore") for p in site.rglob("*") if p.is_file())
    assert (site / "quy-trinh" / "qt-ht-01" / "index.html").exists()  # the rest of the site is built


def test_formats_outside_the_allow_list_are_refused_even_inside_procedures(repo):
    forms = repo / "procedures" / "he-thong" / "forms"
    forms.mkdir(parents=True)
    spellings = {
        "x.md": f"# {SECRET}\n{MACRO}\n",
        "x.html": f"<script>alert('{SECRET}')</script>",
        "x.svg": f"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'><text>{SECRET}</text></svg>",
        "x.js": f"alert('{SECRET}')",
        "x.DOCX.html": f"<script>{SECRET}</script>",
        "x.markdown": SECRET,
        "noext": SECRET,
    }
    for name, content in spellings.items():
        (forms / name).write_text(content, encoding="utf-8")
    write_doc(repo, "he-thong/f.md", system_meta(code="QT-F", forms=[
        {"code": f"BM-{i}", "title": "Mẫu", "file": f"forms/{name}"} for i, name in enumerate(spellings)]))
    found = _findings(repo, "procedures/he-thong/f.md")
    for i, name in enumerate(spellings):
        assert "không được phép công bố" in found[f"forms[{i}].file"], name
    _, site = build_site(repo)
    assert not any(SECRET in p.read_text(errors="ignore") for p in site.rglob("*") if p.is_file())
    assert not list(repo.rglob("PWNED*"))


def test_git_internals_and_other_documents_are_refused(repo):
    subprocess_git(repo)
    write_doc(repo, "he-thong/kiem-soat-tai-lieu.md", system_meta(), f"## Nội bộ\n\n{SECRET}\n")
    write_doc(repo, "tthc/leak.md", tthc_meta(code="QT-LEAK", forms=[
        {"code": "BM-HT-01-01", "title": "Mẫu", "file": "../../.git/config"},
        {"code": "BM-2", "title": "Mẫu", "file": "../../.git/logs/HEAD"},
        {"code": "BM-3", "title": "Mẫu", "file": "../he-thong/kiem-soat-tai-lieu.md"},
        {"code": "BM-4", "title": "Mẫu", "file": "./../../.git/config.docx"},
        {"code": "BM-5", "title": "Mẫu", "file": "/etc/hostname.pdf"},
    ]))
    (repo / ".git" / "config.docx").write_text(SECRET, encoding="utf-8")
    found = _findings(repo, "procedures/tthc/leak.md")
    assert all(f"forms[{i}].file" in found for i in range(5)), found
    shutil.copy(REPO / "mkdocs.public.yml", repo / "mkdocs.public.yml")
    (repo / "docs-public").mkdir()
    (repo / "docs-public" / "index.md").write_text("# Thủ tục\n", encoding="utf-8")
    _, public = build_site(repo, "--public", site="public")
    assert (public / "thu-tuc" / "qt-ht-01" / "index.html").exists()
    for page in public.rglob("*"):
        if page.is_file():
            text = page.read_text(errors="ignore")
            assert "[core]" not in text and SECRET not in text and "canary@example.vn" not in text, page
    _, site = build_site(repo)
    assert not (site / "quy-trinh" / "qt-leak").exists()
    assert not any("[core]" in p.read_text(errors="ignore") for p in site.rglob("*") if p.is_file())


def test_symlink_named_like_a_form_pointing_at_a_document_is_refused(repo):
    forms = repo / "procedures" / "he-thong" / "forms"
    forms.mkdir(parents=True)
    os.symlink("../kiem-soat-tai-lieu.md", forms / "mau.docx")
    write_doc(repo, "he-thong/l.md", system_meta(code="QT-L", forms=_form("forms/mau.docx")))
    assert "định dạng «.md»" in _findings(repo, "procedures/he-thong/l.md")["forms[0].file"]


def test_allowed_forms_are_downloads_with_safe_names(repo):
    forms = repo / "procedures" / "he-thong" / "forms"
    (forms / "cu").mkdir(parents=True)
    (forms / "Tờ khai (bản mới).PDF").write_bytes(b"%PDF-1.4 one")
    (forms / "cu" / "To khai  ban moi.pdf").write_bytes(b"%PDF-1.4 two")
    (forms / "bang.xlsx").write_bytes(b"PK\x03\x04 sheet")
    write_doc(repo, "he-thong/ok.md", system_meta(code="QT-OK", forms=[
        {"code": "BM-1", "title": "Tờ khai", "file": "forms/Tờ khai (bản mới).PDF"},
        {"code": "BM-2", "title": "Tờ khai cũ", "file": "forms/cu/To khai  ban moi.pdf"},
        {"code": "BM-3", "title": "Bảng", "file": "forms/bang.xlsx"},
    ]))
    assert _findings(repo, "procedures/he-thong/ok.md") == {}
    result, site = build_site(repo)
    assert result.returncode == 0, result.stderr
    page = site / "quy-trinh" / "qt-ok"
    links = [a["href"] for a in soup(page / "index.html").select("a[download]")]
    # Accents folded, spaces and brackets replaced, extension lower case; the second "To-khai-ban-moi" is numbered.
    assert links == ["bieu-mau/To-khai-ban-moi.pdf", "bieu-mau/To-khai-ban-moi-2.pdf", "bieu-mau/bang.xlsx"]
    assert (page / "bieu-mau" / "To-khai-ban-moi-2.pdf").read_bytes() == b"%PDF-1.4 two"
    assert (page / "bieu-mau" / "bang.xlsx").read_bytes() == b"PK\x03\x04 sheet"
    assert not list(page.rglob("*.md")) and not (page / "bieu-mau" / "index.html").exists()


def subprocess_git(repo) -> None:
    import subprocess

    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    subprocess.run(["git", "-c", "user.name=A", "-c", "user.email=canary@example.vn", "commit", "-q",
                    "--allow-empty", "-m", "khởi tạo"], cwd=repo, check=True)
