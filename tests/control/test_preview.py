"""A preview build of a merge request marks what it changes."""

from __future__ import annotations

import os

from conftest import REPO, soup
from factory import system_meta, tthc_meta, write_doc
from gitrepo import Git

import subprocess
import sys


def build_preview(repo, flag="1"):
    env = dict(os.environ, PYTHONPATH=str(REPO / "src"), EISO_DRAFT_PREVIEW=flag)
    env.pop("CI_MERGE_REQUEST_TARGET_BRANCH_NAME", None)
    env.pop("GITHUB_BASE_REF", None)
    result = subprocess.run([sys.executable, "-m", "eiso.cli", "build", "-d", "preview"], cwd=repo, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return repo / "preview"


def test_preview_stamps_changed_pages_and_lists_them_on_home(repo):
    git = Git(repo).init()
    git.commit_all("Khởi tạo")
    git("checkout", "-q", "-b", "mr")
    write_doc(repo, "tthc/khai-sinh.md", tthc_meta(revision=3, effective="2025-06-01"))
    write_doc(repo, "he-thong/moi.md", system_meta(code="QT-NB-07", title="Quy trình mới"))
    site = build_preview(repo)
    changed = soup(site / "quy-trinh" / "qt-ht-01" / "index.html")
    assert "BẢN DỰ THẢO — chưa phê duyệt" in changed.select_one(".eiso-banner").get_text()
    assert changed.select_one('meta[name="robots"]')["content"] == "noindex"
    unchanged = soup(site / "quy-trinh" / "qt-nb-01" / "index.html")
    assert unchanged.select_one(".eiso-banner") is None
    home = soup(site / "index.html").select_one(".eiso-preview")
    items = [li.get_text(" ", strip=True) for li in home.select("li")]
    assert len(items) == 2
    assert any("QT-HT-01" in i and "sửa đổi" in i for i in items)
    assert any("QT-NB-07" in i and "thêm mới" in i for i in items)


def test_normal_build_has_no_preview_marks(repo):
    Git(repo).init().commit_all("Khởi tạo")
    env_build = subprocess.run([sys.executable, "-m", "eiso.cli", "build", "-d", "site"], cwd=repo,
                               env={k: v for k, v in os.environ.items() if k != "EISO_DRAFT_PREVIEW"} | {"PYTHONPATH": str(REPO / "src")},
                               capture_output=True, text=True, timeout=300)
    assert env_build.returncode == 0
    assert soup(repo / "site" / "index.html").select_one(".eiso-preview") is None


def test_preview_against_an_unknown_branch_fails_clearly(repo):
    Git(repo).init().commit_all("Khởi tạo")
    env = dict(os.environ, PYTHONPATH=str(REPO / "src"), EISO_DRAFT_PREVIEW="khong-co-nhanh-nay")
    result = subprocess.run([sys.executable, "-m", "eiso.cli", "build", "-d", "preview"], cwd=repo, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 1
    assert "khong-co-nhanh-nay" in result.stderr and "Traceback" not in result.stderr
