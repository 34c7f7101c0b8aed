"""Invisible characters copy-pasted into Word (soft hyphen, zero-width space, BOM, bidi override) are dropped
where the reader produces text (importers review, M3): the import passes `eiso check`, codes stay whole, and
the coverage net does not report the cleaned paragraphs as missing."""

from __future__ import annotations

from pathlib import Path

import docx
from conftest import run_eiso
from factory import make_repo

from eiso.documents.loader import load_corpus
from eiso.importers.docx_coverage import LEFTOVER_HEADING


def _word_file(path: Path) -> None:
    word = docx.Document()
    for text in ("QUY TRÌNH TIẾ\u00adP NHẬN\u202e HỒ SƠ\ufeff", "Mã hiệu: QT HT\u200b-10", "Lần ban hành: 1",
                 "Ngày hiệu lực: 01/01/2026"):
        word.add_paragraph(text)
    word.add_heading("1. Mục\u200b đích", level=1)
    word.add_paragraph("Quy định cách tiếp nhận hồ\u00ad sơ\u200b của công dân.")
    table = word.add_table(rows=2, cols=2)
    for row, cells in zip(table.rows, (("Người soạn thảo", "Người phê duyệt"), ("Nguyễn\ufeff Văn An", "Trần Thị\u00ad Bình"))):
        for cell, text in zip(row.cells, cells):
            cell.text = text
    word.save(path)


def test_invisible_characters_from_word_are_dropped_and_the_import_passes_check(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    _word_file(tmp_path / "qt.docx")
    result = run_eiso("import", "docx", str(tmp_path / "qt.docx"), "--out", "procedures/nhap", "--unit", "Văn phòng",
                      cwd=repo)
    assert result.returncode == 0, result.stdout + result.stderr
    written = next((repo / "procedures" / "nhap").glob("*.md"))
    text = written.read_text(encoding="utf-8")
    assert not [ch for ch in "\u00ad\u200b\ufeff\u202e" if ch in text], text
    assert LEFTOVER_HEADING not in text and "chưa xếp vào mục nào" not in result.stdout  # coverage sees the same text
    check = run_eiso("check", "--format", "json", cwd=repo)
    assert f'"{written.relative_to(repo).as_posix()}"' not in check.stdout, check.stdout
    imported = {d.path: d for d in load_corpus(repo).documents}[written.relative_to(repo).as_posix()]
    assert imported.meta.code == "QT HT-10"  # whole: the zero-width space no longer cuts it
    assert imported.meta.title == "Tiếp nhận hồ sơ"


def test_a_unit_with_a_line_break_is_refused_before_any_file_is_written(tmp_path: Path) -> None:
    # "--unit" goes into every draft's front matter: a line break there forged a heading (importers review, M3)
    repo = make_repo(tmp_path / "repo")
    _word_file(tmp_path / "qt.docx")
    result = run_eiso("import", "docx", str(tmp_path / "qt.docx"), "--unit", "Văn phòng\n# Giả", cwd=repo)
    assert result.returncode == 2 and "--unit (đơn vị chủ trì)" in result.stderr and "U+000A" in result.stderr
    assert not (repo / "procedures" / "nhap-word").exists()
    fine = run_eiso("import", "docx", str(tmp_path / "qt.docx"), "--unit", "  Văn phòng  ", cwd=repo)
    assert fine.returncode == 0, fine.stderr
    draft = next((repo / "procedures" / "nhap-word").glob("*.md")).read_text(encoding="utf-8")
    assert "unit: Văn phòng\n" in draft
