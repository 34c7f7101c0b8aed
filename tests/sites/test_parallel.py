"""Pages rendered by helper processes give the very site a single process builds, with either engine."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO
from factory import folder_tree, tthc_meta, write_doc


def _build(engine: str, repo: Path, site: str, helper: str) -> str:
    command = ["-m", "eiso.cli", "build", "--clean"] if engine == "eiso" else ["-m", engine, "build"]
    env = dict(os.environ, PYTHONPATH=str(REPO / "src"), EISO_RENDER_HELPER=helper)
    result = subprocess.run([sys.executable, *command, "-d", site], cwd=repo, env=env, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    return result.stderr


@pytest.mark.parametrize("engine", ["eiso", "properdocs"])
def test_a_build_with_render_helpers_is_byte_identical_and_logs_the_same(repo, engine):
    for number in range(2, 12):
        body = (f"## Nội dung {number}\n\nXem [mẫu không có](khong-co-{number}.md) và [mục](#noi-dung-{number}).\n\n"
                "| Bước | Việc |\n|---|---|\n| 1 | Tiếp nhận |\n")
        write_doc(repo, f"tthc/thu-tuc-{number}.md", tthc_meta(f"QT-HT-{number:02d}", title=f"Thủ tục số {number}"),
                  body)
    logs = {helper: _build(engine, repo, f"site-{helper}", helper) for helper in ("on", "off")}
    assert "tiến trình phụ chuyển Markdown" in logs["on"] and "tiến trình phụ dựng giao diện" in logs["on"]
    assert "tiến trình phụ" not in logs["off"]
    assert folder_tree(repo / "site-on") == folder_tree(repo / "site-off")
    # Each page's HTML, held compressed between its conversion and its template, is given back to the theme.
    from eiso.mkdocs.plugin import HELD

    pages = {name: data.decode("utf-8") for name, data in folder_tree(repo / "site-on").items()
             if name.endswith(".html") and data is not None}
    assert not [name for name, html in pages.items() if HELD in html]
    for number in range(2, 12):
        assert f'id="noi-dung-{number}">Nội dung {number}<' in pages[f"quy-trinh/qt-ht-{number:02d}/index.html"]
    # The helpers' warnings (links to missing files) reach the log once each, as without a helper.
    for number in range(2, 12):
        assert logs["on"].count(f"khong-co-{number}.md") == logs["off"].count(f"khong-co-{number}.md") >= 1


def test_a_public_build_with_helpers_is_byte_identical(repo):
    # Its bodies' public sections, page keys and search terms are worked in forked copies too (eiso.forked).
    import shutil

    shutil.copy(REPO / "mkdocs.public.yml", repo / "mkdocs.public.yml")
    (repo / "docs-public").mkdir(exist_ok=True)
    (repo / "docs-public" / "index.md").write_text("# Thủ tục hành chính\n", encoding="utf-8")
    for number in range(2, 9):
        body = f"## Lưu ý cho người dân {{.public}}\n\nCông khai {number}.\n\n## Nội bộ\n\nNOIBO{number}\n"
        write_doc(repo, f"tthc/cong-khai-{number}.md", tthc_meta(f"QT-CK-{number:02d}", title=f"Công khai {number}"),
                  body)
    for helper in ("on", "off"):
        env = dict(os.environ, PYTHONPATH=str(REPO / "src"), EISO_RENDER_HELPER=helper)
        result = subprocess.run([sys.executable, "-m", "eiso.cli", "build", "--public", "--clean", "-d",
                                 f"public-{helper}"], cwd=repo, env=env, capture_output=True, text=True, timeout=300)
        assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr[-3000:]
    on, off = folder_tree(repo / "public-on"), folder_tree(repo / "public-off")
    assert on == off
    pages = b"".join(data for name, data in on.items() if name.startswith("thu-tuc/") and data is not None)
    assert b"C\xc3\xb4ng khai 5" in pages and b"NOIBO" not in pages
    for number in range(2, 9):  # the body itself, given back to the theme after being held compressed
        assert f"<p>Công khai {number}.</p>".encode() in pages
