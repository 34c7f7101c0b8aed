"""A pipeline reads the exit status: an import or sync that did nothing useful must not exit 0 (importers review,
L2 and L4)."""

from __future__ import annotations

from pathlib import Path

from conftest import run_eiso
from factory import make_repo


def test_an_import_where_every_line_is_malformed_exits_with_findings(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    bad = tmp_path / "hong.jsonl"
    bad.write_text("{khong phai json\n[1, 2]\n", encoding="utf-8")
    result = run_eiso("import", "tthc", str(bad), "--level", "Cấp xã", cwd=repo)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "hong.jsonl, dòng 1: JSON không hợp lệ" in result.stdout


def test_a_word_import_with_no_word_file_is_a_usage_error(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    (tmp_path / "trong").mkdir()
    (tmp_path / "thu-muc.docx").mkdir()  # a folder with a Word file's name
    for given in ("trong", "thu-muc.docx"):
        result = run_eiso("import", "docx", str(tmp_path / given), cwd=repo)
        assert result.returncode == 2 and "không có tệp Word (.docx, .doc) nào" in result.stderr, result.stderr


def test_a_sync_against_an_empty_national_file_is_refused_before_anything(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    empty = tmp_path / "rong.jsonl"
    empty.write_text("", encoding="utf-8")
    for extra in ((), ("--apply",)):
        result = run_eiso("sync", "tthc", str(empty), *extra, cwd=repo)
        assert result.returncode == 2 and "không có bản ghi nào đọc được" in result.stderr, result.stderr
        assert "bãi bỏ" not in result.stdout
    assert not (repo / "sync-tthc.md").exists()


def test_a_level_no_national_record_has_is_said(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    national = tmp_path / "qg.jsonl"
    national.write_text('{"code": "9.999999", "name": "Thủ tục thử", "level": "Cấp xã"}\n', encoding="utf-8")
    result = run_eiso("sync", "tthc", str(national), "--level", "Cấp vũ trụ", cwd=repo)
    assert "không bản ghi quốc gia nào ở cấp «Cấp vũ trụ»" in result.stdout, result.stdout + result.stderr
    result = run_eiso("sync", "tthc", str(national), "--level", "Cấp xã", cwd=repo)
    assert "không bản ghi quốc gia nào ở cấp" not in result.stdout


def test_names_from_the_manifest_are_escaped_in_the_sync_notes(tmp_path: Path) -> None:
    # A merge request writes .eiso-import.json: an escape sequence in a file name reached the terminal (review of
    # the late merges, F3); the front matter's comments are counted without failing on a tab (F4).
    import json

    from eiso.importers.frontmatter import comment_lines

    repo = make_repo(tmp_path / "repo")
    manifest = {"files": {"a\u001b[2Jb.md": "0" * 64}, "imported": {}}
    (repo / "procedures" / ".eiso-import.json").write_text(json.dumps(manifest), encoding="utf-8")
    national = tmp_path / "qg.jsonl"
    national.write_text('{"code": "9.999999", "name": "Thủ tục thử", "level": "Cấp xã"}\n', encoding="utf-8")
    result = run_eiso("sync", "tthc", str(national), cwd=repo)
    assert "\x1b" not in result.stdout + result.stderr and "a\\u001b[2Jb.md" in result.stdout, result.stdout
    assert comment_lines("title:\tA\n# ghi chú\n") in (0, 1)  # the loader reads a tab after ":"; never an error
