"""Importers and sync never write through a symbolic link a merge request could have committed."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from conftest import run_eiso

from eiso.importers.files import LinkedPath, write_file


@pytest.fixture
def victim(tmp_path: Path) -> Path:
    path = tmp_path / "ngoai-kho.txt"
    path.write_text("nguyên vẹn", encoding="utf-8")
    return path


def test_a_name_that_is_a_link_is_refused(tmp_path: Path, victim: Path) -> None:
    out = tmp_path / "repo" / "procedures"
    out.mkdir(parents=True)
    os.symlink(victim, out / "qt-01.md")
    with pytest.raises(LinkedPath, match="liên kết tượng trưng"):
        write_file(out / "qt-01.md", "ghi đè", out)
    assert victim.read_text(encoding="utf-8") == "nguyên vẹn"


def test_a_folder_that_is_a_link_is_refused(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    repo = tmp_path / "repo"
    (repo / "procedures").mkdir(parents=True)
    os.symlink(elsewhere, repo / "procedures" / "h")
    with pytest.raises(LinkedPath):
        write_file(repo / "procedures" / "h" / "qt-01.md", "x", repo)
    assert list(elsewhere.iterdir()) == []


def test_a_planted_temporary_name_is_not_used(tmp_path: Path, victim: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    os.symlink(victim, out / "qt-01.md.eiso-tmp")  # the name earlier versions wrote through
    write_file(out / "qt-01.md", "mới", out)
    assert (out / "qt-01.md").read_text(encoding="utf-8") == "mới" and not (out / "qt-01.md").is_symlink()
    assert victim.read_text(encoding="utf-8") == "nguyên vẹn"
    mask = os.umask(0)
    os.umask(mask)
    assert stat.S_IMODE((out / "qt-01.md").stat().st_mode) == 0o666 & ~mask  # as open() would make it


def test_sync_summary_through_a_link_is_refused_with_a_message(tmp_path: Path, repo: Path, victim: Path) -> None:
    national = tmp_path / "tthc.jsonl"
    national.write_text('{"code": "9.999999", "name": "Thủ tục thử", "level": "Cấp xã"}\n', encoding="utf-8")
    os.symlink(victim, repo / "sync-tthc.md")
    result = run_eiso("sync", "tthc", str(national), "--apply", cwd=repo)
    assert "Traceback" not in result.stderr
    assert result.returncode != 0 and "liên kết tượng trưng" in result.stderr
    assert victim.read_text(encoding="utf-8") == "nguyên vẹn"
