"""``eiso import docx`` drops no text of the Word file (attacker's review, importers H3): every paragraph and
table cell is in the imported Markdown, or the import says where in the Word file it was."""

from __future__ import annotations

import html
import re
import subprocess
from pathlib import Path

import pytest
from conftest import run_eiso
from docx_factory import write_hard_shapes
from factory import make_repo

pytest.importorskip("docx")


def normal(text: str) -> str:
    text = re.sub(r"\\(.)", r"\1", html.unescape(text)).replace("<br>", " ")
    return " ".join(text.split()).casefold()


@pytest.fixture
def imported(tmp_path: Path) -> tuple[Path, list[str], subprocess.CompletedProcess]:
    root = make_repo(tmp_path / "repo")
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "start"]):
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@x", *args], cwd=root, check=True)
    must = write_hard_shapes(root / "hinh.docx")
    result = run_eiso("import", "docx", "hinh.docx", "--out", "procedures/w", cwd=root)
    return root, must, result


def test_every_text_of_the_word_file_is_in_the_import(imported) -> None:
    root, must, result = imported
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stdout + result.stderr
    (path,) = (root / "procedures" / "w").glob("*.md")
    output = normal(path.read_text(encoding="utf-8"))
    missing = [text for text in must if normal(text) not in output]
    assert not missing, missing


def test_what_was_not_placed_is_reported_with_its_place(imported) -> None:
    root, _, result = imported
    out = result.stdout
    assert "đầu trang (header" in out and "chân trang (footer" in out  # first-page header, footer
    assert "có hình ảnh (ví dụ lưu đồ) không nhập được" in out
    assert "đoạn chưa xếp vào mục nào, đã giữ nguyên ở cuối nội dung: «Bảng lồng cấp ba»" in out
    assert "Tổng cộng: 0 lỗi" in run_eiso("check", cwd=root).stdout  # what was kept is valid Markdown
