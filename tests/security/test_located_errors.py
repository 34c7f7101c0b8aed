"""Every error located on its document, none fatal: check, build and report review-due go on."""

from __future__ import annotations

import json
import os

from conftest import build_site, run_eiso
from factory import system_meta, write_doc
from gitrepo import Git

HOSTILE_FORMS = {
    "nul.md": "mau\x00.docx",
    "nul2.md": "forms/\x00/../x.pdf",
    "long.md": "a" * 6000 + ".docx",
    "long2.md": "/".join(["thu-muc"] * 900) + "/x.pdf",
    "loopform.md": "forms/vong.docx",
}


def _hostile_repo(repo):
    for index, (name, file) in enumerate(HOSTILE_FORMS.items()):
        write_doc(repo, f"xau/{name}", system_meta(code=f"QT-X-{index}", forms=[{"code": "BM", "title": "M", "file": file}]))
    (repo / "procedures" / "xau" / "forms").mkdir()
    os.symlink("vong.docx", repo / "procedures" / "xau" / "forms" / "vong.docx")  # a loop
    os.symlink("vong.md", repo / "procedures" / "xau" / "vong.md")
    os.symlink("b.md", repo / "procedures" / "xau" / "a.md")
    os.symlink("a.md", repo / "procedures" / "xau" / "b.md")
    write_doc(repo, "xau/tuong-lai.md", system_meta(code="QT-9999", effective="9999-12-01"))
    write_doc(repo, "xau/qua-khu.md", system_meta(code="QT-1900", effective="1900-01-01"))
    write_doc(repo, "xau/ngay-2101.md", system_meta(code="QT-2101", effective="2101-01-01"))
    git = Git(repo).init()
    git.commit_all("Thêm tài liệu lỗi")  # the loops are committed as symbolic links
    return git


def test_each_error_is_a_finding_on_its_document(repo):
    _hostile_repo(repo)
    check = run_eiso("check", "--format", "json", cwd=repo)
    assert check.returncode == 1, check.stderr
    assert "lỗi không mong đợi" not in check.stderr
    found = {(f["path"], f["field"]): f for f in json.loads(check.stdout)}
    for name in HOSTILE_FORMS:
        finding = found[(f"procedures/xau/{name}", "forms[0].file")]
        assert finding["line"] > 1 and finding["severity"] == "error"
    assert "quá dài" in found[("procedures/xau/long.md", "forms[0].file")]["message"]
    assert "ký tự điều khiển" in found[("procedures/xau/nul.md", "forms[0].file")]["message"]
    assert "vòng lặp" in found[("procedures/xau/loopform.md", "forms[0].file")]["message"]
    for name in ("vong.md", "a.md", "b.md"):
        assert "vòng lặp" in found[(f"procedures/xau/{name}", "-")]["message"]
    for name in ("tuong-lai.md", "qua-khu.md", "ngay-2101.md"):
        message = found[(f"procedures/xau/{name}", "effective")]["message"]
        assert "ngoài khoảng cho phép" in message and "1945" in message and "2100" in message
    text = run_eiso("check", cwd=repo).stdout
    assert "\x00" not in text and "procedures/xau/tuong-lai.md:7: effective:" in text


def test_build_and_report_go_on_without_the_broken_documents(repo):
    _hostile_repo(repo)
    result, site = build_site(repo)
    assert result.returncode == 1 and "lỗi không mong đợi" not in result.stderr
    assert "procedures/xau/tuong-lai.md:7: effective:" in result.stderr
    assert (site / "quy-trinh" / "qt-ht-01" / "index.html").exists()
    assert (site / "quy-trinh" / "qt-nb-01" / "index.html").exists()
    assert not (site / "quy-trinh" / "qt-9999").exists() and not (site / "quy-trinh" / "qt-x-0").exists()
    documents = json.loads((site / "api" / "documents.json").read_text(encoding="utf-8"))
    assert sorted(d["code"] for d in documents) == ["QT-HT-01", "QT-NB-01"]
    report = run_eiso("report", "review-due", "--today", "2026-01-10", cwd=repo)
    assert report.returncode == 0 and "lỗi không mong đợi" not in report.stderr
    assert "QT-NB-01" in report.stdout and "QT-9999" not in report.stdout
    assert "tệp lỗi không được tính" in report.stderr


def test_a_dangling_link_is_a_finding(repo):
    os.symlink("khong-co.md", repo / "procedures" / "hong.md")  # reading it fails with ENOENT
    check = run_eiso("check", cwd=repo)
    assert "procedures/hong.md:1: -: không đọc được tệp: tệp không tồn tại" in check.stdout
    assert "Tổng cộng: 1 lỗi" in check.stdout


def test_an_integer_too_large_to_print_is_a_located_finding(repo):
    # YAML reads 0x… of thousands of digits as one int; Python refuses to print it (more than 4,300 digits),
    # so unbounded, it passed the check and then stopped every build with an unlocated ValueError.
    huge = "0x" + "f" * 4000
    write_doc(repo, "xau/so-lon.md", system_meta(code="QT-LON", revision=1))
    path = repo / "procedures" / "xau" / "so-lon.md"
    path.write_text(path.read_text(encoding="utf-8").replace("revision: 1", f"revision: {huge}", 1), encoding="utf-8")
    check = run_eiso("check", cwd=repo)
    assert check.returncode == 1 and "procedures/xau/so-lon.md:" in check.stdout and ": revision: " in check.stdout
    result, _ = build_site(repo)
    assert result.returncode != 0 and "không mong đợi" not in result.stderr
    assert "procedures/xau/so-lon.md:" in result.stderr
