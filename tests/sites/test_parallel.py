"""Markdown converted by a helper process gives the very site a single process builds."""

from __future__ import annotations

from pathlib import Path

from conftest import run_eiso
from factory import tthc_meta, write_doc


def _tree(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def test_a_build_with_a_render_helper_is_byte_identical_and_logs_the_same(repo, monkeypatch):
    for number in range(2, 12):
        body = (f"## Nội dung {number}\n\nXem [mẫu không có](khong-co-{number}.md) và [mục](#noi-dung-{number}).\n\n"
                "| Bước | Việc |\n|---|---|\n| 1 | Tiếp nhận |\n")
        write_doc(repo, f"tthc/thu-tuc-{number}.md", tthc_meta(f"QT-HT-{number:02d}", title=f"Thủ tục số {number}"),
                  body)
    logs = {}
    for mode in ("on", "off"):
        monkeypatch.setenv("EISO_RENDER_HELPER", mode)
        result = run_eiso("build", "--clean", "-d", f"site-{mode}", cwd=repo, timeout=300)
        assert result.returncode == 0, result.stderr[-3000:]
        logs[mode] = result.stderr
    assert "tiến trình phụ chuyển Markdown" in logs["on"] and "tiến trình phụ dựng giao diện" in logs["on"]
    assert "tiến trình phụ" not in logs["off"]
    assert _tree(repo / "site-on") == _tree(repo / "site-off")
    # The helper's warnings (links to missing files) reach the log once each, as without a helper.
    for number in range(2, 12):
        assert logs["on"].count(f"khong-co-{number}.md") == logs["off"].count(f"khong-co-{number}.md") >= 1
