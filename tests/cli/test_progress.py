import io

from eiso.sites.progress import Progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_quiet_in_ci_unless_asked(monkeypatch):
    monkeypatch.setenv("CI", "true")
    monkeypatch.delenv("EISO_PROGRESS", raising=False)
    stream = Terminal()
    progress = Progress(1000, stream=stream)
    for _ in range(1000):
        progress.tick()
    assert stream.getvalue() == ""
    monkeypatch.setenv("EISO_PROGRESS", "1")
    log = io.StringIO()
    progress = Progress(1000, stream=log)
    for _ in range(1000):
        progress.tick()
    lines = log.getvalue().splitlines()
    assert lines[0] == "Đang dựng trang: 1/1000 (0%)" and lines[-1] == "Đang dựng trang: 1000/1000 (100%)"
    assert len(lines) == 11  # one line per tenth in a log


def test_terminal_shows_progress_for_large_builds_only(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("EISO_PROGRESS", raising=False)
    small, large = Terminal(), Terminal()
    for stream, total in ((small, 50), (large, 500)):
        progress = Progress(total, stream=stream)
        for _ in range(total):
            progress.tick()
    assert small.getvalue() == ""
    assert large.getvalue().endswith("\rĐang dựng trang: 500/500 (100%)\n")
