from __future__ import annotations

import os
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

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


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright; never a downloaded browser."""
    if not CHROMIUM.exists():
        pytest.skip("cần /usr/bin/chromium (make browser cài gói chromium của Debian)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


class StaticServer:
    """Serve a built site on 127.0.0.1 (a free port) in a background thread."""

    def __init__(self, root: Path, handler_class: type | None = None):
        """``handler_class``: a ``SimpleHTTPRequestHandler`` of the test's own (default: one that logs nothing)."""
        import functools
        import http.server
        import threading

        class Server(http.server.ThreadingHTTPServer):
            def handle_error(self, request, client_address) -> None:
                import sys

                # A browser that drops a request it no longer needs (a search shard, a page left) is no
                # error of the site: only other exceptions are printed.
                if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
                    super().handle_error(request, client_address)

        handler = functools.partial(handler_class or _QuietHandler, directory=str(root))
        self.httpd = Server(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@contextmanager
def built_and_served(repo: Path, *extra: str, site: str = "site") -> Iterator[str]:
    """Build ``repo`` with ``eiso build`` (it must succeed) and serve the site; the URL of its root."""
    result, root = build_site(repo, *extra, site=site)
    assert result.returncode == 0, result.stderr
    server = StaticServer(root)
    try:
        yield server.url
    finally:
        server.close()


def _quiet_handler_base():
    import http.server

    return http.server.SimpleHTTPRequestHandler


class _QuietHandler(_quiet_handler_base()):
    def log_message(self, *args) -> None:  # keep pytest output readable
        pass


@pytest.fixture
def serve():
    servers: list[StaticServer] = []

    def start(root: Path) -> str:
        servers.append(StaticServer(root))
        return servers[-1].url

    yield start
    for server in servers:
        server.close()
