"""``eiso serve`` run as a person runs it, for the tests of the live preview."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from factory import REPO, folder_tree


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class LivePreview:
    """``eiso serve`` in ``repo`` on ``port``; its log in ``log`` (if given); its temporary output folder under ``tmp``
    (if given: the engine makes it with ``tempfile``)."""

    def __init__(self, repo: Path, port: int, tmp: Path | None = None, log: Path | None = None):
        self.tmp, self.log = tmp, log
        env = dict(os.environ, PYTHONPATH=str(REPO / "src"))
        if tmp is not None:
            tmp.mkdir(exist_ok=True)
            env["TMPDIR"] = str(tmp)
        self.base = f"http://127.0.0.1:{port}/"
        command = [sys.executable, "-m", "eiso.cli", "serve", "-a", f"127.0.0.1:{port}"]
        if log is None:
            self.process = subprocess.Popen(command, cwd=repo, env=env, stdout=subprocess.DEVNULL,
                                            stderr=subprocess.DEVNULL)
        else:
            with log.open("wb") as stderr:
                self.process = subprocess.Popen(command, cwd=repo, env=env, stdout=subprocess.DEVNULL, stderr=stderr)

    def page(self, path: str) -> str:
        with urllib.request.urlopen(self.base + path, timeout=5) as response:
            return response.read().decode("utf-8")

    def wait_for(self, path: str, text: str, timeout: float = 120) -> None:
        """Until the page at ``path`` holds ``text``."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                if text in self.page(path):
                    return
            except OSError:
                pass
            said = self.log.read_text(encoding="utf-8")[-3000:] if self.log else ""
            assert self.process.poll() is None and time.monotonic() < deadline, f"eiso serve: {said}"
            time.sleep(0.3)

    def settled_site(self) -> dict[str, bytes | None]:
        """The output folder, once two looks a second apart find it alike (the search index is written a moment
        after the page)."""
        assert self.tmp is not None
        (site,) = self.tmp.glob("mkdocs_*")
        before, deadline = folder_tree(site), time.monotonic() + 60
        while True:
            time.sleep(1)
            now = folder_tree(site)
            if now == before:
                return now
            assert time.monotonic() < deadline, "the live preview's folder never settled"
            before = now

    def stop(self) -> None:
        """As Ctrl+C: the engine removes its folder, e-ISO stops its watch and waits for its background work."""
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise
