"""Smoke test of the build benchmark: 200 generated procedures, built by e-ISO and by stock MkDocs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from factory import NATIONAL_CORPUS

REPO = Path(__file__).resolve().parent.parent
CORPUS = NATIONAL_CORPUS


@pytest.mark.slow
@pytest.mark.skipif(not CORPUS.is_file(), reason="shared corpus not available")
def test_bench_build_quick(tmp_path: Path) -> None:
    profiles = tmp_path / "profiles"
    result = subprocess.run([sys.executable, str(REPO / "scripts" / "bench_build.py"), "--quick", "--quiet",
                             "--profile", str(profiles)], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    # the installed command leaves by os._exit, but not under a profiler: every build's profile is written
    for build in ("build", "public", "rebuild"):
        summary = (profiles / f"200-{build}.txt").read_text(encoding="utf-8")
        assert "function calls" in summary and "eiso/" in summary, summary[:500]
    lines = result.stdout.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("| documents |"))
    assert lines[header + 1].startswith("|---:|")
    row = [cell.strip() for cell in lines[header + 2].strip("|").split("|")]
    assert row[0] == "200"
    assert row[3] != "n/a" and float(row[3]) > 0  # intranet build time
    assert row[9] != "n/a" and float(row[9]) > 0  # stock MkDocs build time


@pytest.mark.slow
def test_bench_province_tiny() -> None:
    script = REPO / "scripts" / "bench_province.py"
    result = subprocess.run([sys.executable, str(script), "--agencies", "3", "--documents", "4"],
                            cwd=REPO, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    rows = [line for line in result.stdout.splitlines() if line.startswith("| ") and not line.startswith("| step")]
    assert len(rows) == 5
    assert "(1 behind)" in rows[1]  # agency 0 stays on revision 1 (every seventh agency lags)
    assert "eiso build (exit 0)" in rows[3] and "province build, 3 agencies (exit 0)" in rows[4]


@pytest.mark.slow
@pytest.mark.skipif(not CORPUS.is_file(), reason="shared corpus not available")
def test_bench_serve_tiny() -> None:
    result = subprocess.run([sys.executable, str(REPO / "scripts" / "bench_serve.py"), "--size", "12", "--edits", "2"],
                            cwd=REPO, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    rows = {line.split("|")[1].strip(): line for line in result.stdout.splitlines() if line.startswith("| ")}
    for server in ("eiso serve", "mkdocs serve --dirty (stock)"):
        cells = [cell.strip().strip("*") for cell in rows[server].strip("|").split("|")[1:]]
        assert len(cells) == 4 and all(float(cell) > 0 for cell in cells), rows[server]  # two edits, median, worst
    assert "eiso / stock (medians):" in result.stdout
