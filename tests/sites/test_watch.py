"""The live preview watches the procedures natively where it can: a written file asks for a rebuild, a file
merely read (the build reads every procedure) does not."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from eiso.mkdocs.watch import watch_folders


class FakeServer:
    """What the engine's LiveReloadServer offers a watch: a flag and its condition, and its own ``watch``."""

    def __init__(self) -> None:
        self._rebuild_cond = threading.Condition()
        self._want_rebuild = False
        self.watched: list[str] = []

    def watch(self, path: str) -> None:
        self.watched.append(path)


def _asked(server: FakeServer, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with server._rebuild_cond:
            if server._want_rebuild:
                return True
        time.sleep(0.02)
    return False


def test_a_written_procedure_asks_for_a_rebuild_and_a_read_one_does_not(tmp_path: Path) -> None:
    folder = tmp_path / "procedures" / "ho-tich"
    folder.mkdir(parents=True)
    document = folder / "qt-01.md"
    document.write_text("---\ncode: QT-01\n---\n", encoding="utf-8")
    server = FakeServer()
    observer = watch_folders(server, [tmp_path / "procedures"])
    try:
        assert observer is not None and server.watched == []  # Linux: inotify, not the server's polling
        document.read_text(encoding="utf-8")  # what every build does
        assert not _asked(server, 0.5)
        with document.open("a", encoding="utf-8") as handle:
            handle.write("Thêm một dòng.\n")
        assert _asked(server, 10)
    finally:
        if observer is not None:
            observer.stop()


def test_another_engine_s_server_watches_the_folders_itself(tmp_path: Path) -> None:
    class OtherServer:
        def __init__(self) -> None:
            self.watched: list[str] = []

        def watch(self, path: str) -> None:
            self.watched.append(path)

    server = OtherServer()
    assert watch_folders(server, [tmp_path / "procedures", tmp_path / "records"]) is None
    assert server.watched == [str(tmp_path / "procedures"), str(tmp_path / "records")]
