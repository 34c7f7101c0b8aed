"""4. Hostile sizes and shapes: a finding within seconds, bounded memory, and the rest of the site builds."""

from __future__ import annotations

import resource
import time

import pytest
from conftest import build_site, run_eiso
from factory import document_text, system_meta, tthc_meta

BOMB = "---\n" + "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]\n" for i in range(1, 12)) + "---\n"


def dossier_flood() -> str:
    meta = tthc_meta(code="QT-FLOOD")
    meta["tthc"]["dossier"] = [{"name": f"Giấy tờ {i}"} for i in range(100_000)]
    return document_text(meta)


CASES = {
    "alias-bomb.md": lambda: BOMB,
    "nesting.md": lambda: "---\ncode: " + "[" * 10_000 + "]" * 10_000 + "\n---\n",
    "nesting-block.md": lambda: "---\n" + "".join(" " * i + f"k{i}:\n" for i in range(3000)) + "---\n",
    "huge.md": lambda: document_text(system_meta(code="QT-HUGE")) + ("Nội dung dài. " * 80 + "\n") * 45_000,
    "dossier-flood.md": dossier_flood,
    "nested-lists.md": lambda: document_text(system_meta(code="QT-LIST"), "".join("  " * i + "- a\n" for i in range(5000))),
    "nested-quotes.md": lambda: document_text(system_meta(code="QT-QUOTE"), "> " * 5000 + "x\n"),
    "emphasis.md": lambda: document_text(system_meta(code="QT-EM"), "*a **a " * 20_000 + "\n"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_file_gives_a_finding_quickly_and_the_site_builds(repo, name):
    content = CASES[name]()
    if name == "huge.md":
        assert len(content.encode()) > 50 * 1024 * 1024
    (repo / "procedures" / name).write_text(content, encoding="utf-8")
    started = time.monotonic()
    check = run_eiso("check", cwd=repo, timeout=60)
    checked = time.monotonic() - started
    assert check.returncode == 1 and f"procedures/{name}:" in check.stdout, check.stdout[-2000:]
    assert "Traceback" not in check.stdout + check.stderr
    assert checked < 20, f"{checked:.1f} s"
    result, site = build_site(repo)
    assert result.returncode == 1  # the build refuses to publish it...
    assert f"procedures/{name}" in result.stderr
    assert (site / "quy-trinh" / "qt-ht-01" / "index.html").exists()  # ...and still builds the rest
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    assert peak_mb < 1500, f"{peak_mb:.0f} MB"
