"""``eiso import docx`` never loses a Word file to another one: same names in different folders
(attacker's review, importers H4) and codes already in the repository (H5)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from conftest import run_eiso
from factory import make_repo

pytest.importorskip("docx")


def word_file(path: Path, body: str, code: str = "QT-DUP-01", title: str = "QUY TRÌNH TRÙNG TÊN") -> Path:
    import docx

    document = docx.Document()
    document.add_paragraph(title).runs[0].bold = True
    document.add_paragraph(f"Mã hiệu: {code}")
    document.add_heading("1. Mục đích", 1)
    document.add_paragraph(body)
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))
    return path


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@x", *args], cwd=root, check=True,
                   capture_output=True)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = make_repo(tmp_path / "repo")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "start")
    return root


def written(folder: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.md"))}


def test_same_names_in_different_folders_never_overwrite_each_other(repo: Path) -> None:
    for sub, body in (("a", "Nội dung A"), ("b", "Nội dung B"), ("c", "Nội dung C")):
        word_file(repo / "dup" / sub / "quy trinh.docx", body)
    result = run_eiso("import", "docx", "dup", "--out", "procedures/h", cwd=repo)
    assert "Traceback" not in result.stderr
    files = written(repo / "procedures" / "h")
    assert len(files) == 1 and "Nội dung A" in next(iter(files.values()))  # the first kept, once
    assert result.returncode == 1, result.stdout  # the other two are reported, not lost silently
    rows = [line for line in result.stdout.splitlines() if line.startswith("| dup/")]
    assert [row.split(" | ")[0] for row in rows] == ["| dup/a/quy trinh.docx", "| dup/b/quy trinh.docx",
                                                    "| dup/c/quy trinh.docx"]
    for row in rows[1:]:
        assert "lỗi:" in row and "«dup/a/quy trinh.docx»" in row, row


def test_a_word_file_named_twice_is_imported_once(repo: Path) -> None:
    word_file(repo / "word" / "mot.docx", "Nội dung một", code="QT-MOT-01", title="QUY TRÌNH MỘT")
    result = run_eiso("import", "docx", "word", "word/mot.docx", "--out", "procedures/h", cwd=repo)
    assert result.returncode == 0, result.stdout + result.stderr
    assert len(written(repo / "procedures" / "h")) == 1
    assert result.stdout.count("tạo mới") == 1 and "lỗi" not in result.stdout


def test_a_code_already_in_the_repository_is_refused_naming_its_file(repo: Path) -> None:
    # make_repo's system procedure is QT-NB-01 (effective); a Word file with that code must not shadow it.
    existing = repo / "procedures" / "he-thong" / "kiem-soat-tai-lieu.md"
    before = existing.read_bytes()
    word_file(repo / "word" / "bia.docx", "Nội dung mới", code="QT-NB-01", title="QUY TRÌNH KIỂM SOÁT")
    word_file(repo / "word" / "khac.docx", "Nội dung khác", code="QT-KHAC-01", title="QUY TRÌNH KHÁC")
    result = run_eiso("import", "docx", "word", "--out", "procedures/t", cwd=repo)
    assert result.returncode == 1, result.stdout + result.stderr
    row = next(line for line in result.stdout.splitlines() if line.startswith("| word/bia.docx"))
    assert "lỗi: mã hiệu «QT-NB-01» đã có ở procedures/he-thong/kiem-soat-tai-lieu.md" in row, row
    assert list(written(repo / "procedures" / "t")) == ["qt-khac-01-khac.md"]  # the other one imports
    assert existing.read_bytes() == before
    check = run_eiso("check", cwd=repo)
    assert "trùng" not in check.stdout + check.stderr
    # A later import of the same Word file finds its own earlier output: that is an update, not a clash.
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "imported")
    word_file(repo / "word" / "khac.docx", "Nội dung khác, sửa", code="QT-KHAC-01", title="QUY TRÌNH KHÁC")
    again = run_eiso("import", "docx", "word/khac.docx", "--out", "procedures/t", cwd=repo)
    assert again.returncode == 0 and "cập nhật" in again.stdout, again.stdout
    assert "Nội dung khác, sửa" in (repo / "procedures" / "t" / "qt-khac-01-khac.md").read_text(encoding="utf-8")


def test_two_word_files_with_one_code_in_a_run_import_only_the_first(repo: Path) -> None:
    word_file(repo / "word" / "ban goc.docx", "Nội dung gốc", code="QT-HAI-01", title="QUY TRÌNH HAI")
    word_file(repo / "word" / "ban sao.docx", "Nội dung bản sao", code="QT-HAI-01", title="QUY TRÌNH HAI BẢN SAO")
    result = run_eiso("import", "docx", "word", "--out", "procedures/t", cwd=repo)
    assert result.returncode == 1
    row = next(line for line in result.stdout.splitlines() if line.startswith("| word/ban sao.docx"))
    assert "lỗi: mã hiệu «QT-HAI-01» trùng với tệp Word «word/ban goc.docx»" in row, row
    assert list(written(repo / "procedures" / "t")) == ["qt-hai-01-hai.md"]

