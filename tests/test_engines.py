"""The core outlives Material and MkDocs 1.x: the demo builds with ProperDocs, the maintained fork, into the
same procedure pages as with MkDocs."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, soup

DEMO_CONTENT = ("procedures", "records", "docs", "docs-public", "overrides", "mkdocs.yml", "mkdocs.public.yml",
                "legal.yml")


@pytest.fixture(scope="module")
def demo_copy(tmp_path_factory) -> Path:
    """The demo content in a repository of its own (one commit: both engines read the same history)."""
    root = tmp_path_factory.mktemp("engines") / "demo"
    root.mkdir()
    for name in DEMO_CONTENT:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, root / name)
        elif source.is_file():
            shutil.copy2(source, root / name)
    env = dict(os.environ, GIT_AUTHOR_DATE="1767225600 +0700", GIT_COMMITTER_DATE="1767225600 +0700",
               GIT_AUTHOR_NAME="Thư ký ISO", GIT_AUTHOR_EMAIL="iso@example.vn",
               GIT_COMMITTER_NAME="Thư ký ISO", GIT_COMMITTER_EMAIL="iso@example.vn")
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "Tài liệu ban đầu"]):
        subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)
    return root


def _build(engine: str, root: Path, config: str, site: str) -> Path:
    env = dict(os.environ, PYTHONPATH=str(REPO / "src"))
    result = subprocess.run([sys.executable, "-m", engine, "build", "-f", config, "-d", site], cwd=root, env=env,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"{engine}: {result.stderr[-3000:]}"
    assert "Traceback" not in result.stderr
    return root / site


def _procedure_pages(site: Path, folder: str) -> dict[str, str]:
    """Each procedure page's article text, by its path in the site."""
    pages = {}
    for page in sorted((site / folder).rglob("index.html")):
        article = soup(page).select_one("article")
        assert article is not None, page
        pages[page.relative_to(site).as_posix()] = " ".join(article.get_text(" ").split())
    return pages


@pytest.mark.parametrize("config, folder", [("mkdocs.yml", "quy-trinh"), ("mkdocs.public.yml", "thu-tuc")])
def test_properdocs_builds_the_same_procedure_pages_as_mkdocs(demo_copy: Path, config: str, folder: str) -> None:
    with_mkdocs = _build("mkdocs", demo_copy, config, f"site-mkdocs-{folder}")
    with_properdocs = _build("properdocs", demo_copy, config, f"site-properdocs-{folder}")
    pages = _procedure_pages(with_mkdocs, folder)
    assert len(pages) >= 20  # the demo's procedures, not an empty folder compared with another
    assert _procedure_pages(with_properdocs, folder) == pages
    data = "api/documents.json" if folder == "quy-trinh" else "api/tthc.json"
    assert json.loads((with_properdocs / data).read_text(encoding="utf-8")) == \
        json.loads((with_mkdocs / data).read_text(encoding="utf-8"))
