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
