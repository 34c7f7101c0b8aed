from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from factory import REPO, make_repo  # noqa: E402

EISO = [sys.executable, "-m", "eiso.cli"]


def run_eiso(*args: str, cwd: Path, timeout: float = 60) -> subprocess.CompletedProcess:
    """Run the real ``eiso`` command in ``cwd``."""
    env = dict(os.environ, PYTHONPATH=str(REPO / "src"))
    return subprocess.run([*EISO, *args], cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "repo")


@pytest.fixture
def eiso():
    return run_eiso


def build_site(repo: Path, *extra: str, site: str = "site") -> tuple[subprocess.CompletedProcess, Path]:
    """Build with the real ``eiso build`` (MkDocs + Material + the plugin)."""
    result = run_eiso("build", "-d", site, *extra, cwd=repo, timeout=300)
    assert "Traceback" not in result.stderr, result.stderr
    return result, repo / site


def soup(path: Path):
    from bs4 import BeautifulSoup

    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
