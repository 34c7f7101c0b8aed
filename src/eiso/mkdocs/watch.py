"""The live preview's watch on e-ISO's own folders (procedures, records).

The engine's server polls every watched folder every half second: an edit is seen a quarter of a second late on
average, and the 2,000 files of a province's repository are listed at each poll. Where the operating system
reports changes itself (inotify on Linux, through watchdog, which the engine already uses), e-ISO's folders are
watched that way and ask the server for a rebuild exactly as its own watch does. Where that cannot be done
(another engine's server, no native watcher, the system's limit of watches reached), the folders are handed
to the server's own watch.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

log = logging.getLogger("mkdocs.plugins.eiso")


#: watchdog's events that change a file (it also reports a file opened, or closed without writing).
_CHANGES = frozenset({"created", "deleted", "modified", "moved", "closed"})


def watch_folders(server: Any, folders: list[Path]) -> Any | None:
    """Watch ``folders`` for ``server``: natively when possible (the running observer, to be stopped at the
    end), else through ``server.watch`` (None)."""
    observer = _native(server, folders)
    if observer is None:
        for folder in folders:
            server.watch(str(folder))
    return observer


def _native(server: Any, folders: list[Path]) -> Any | None:
    condition = getattr(server, "_rebuild_cond", None)
    if condition is None or not hasattr(server, "_want_rebuild"):
        return None  # not the engine's LiveReloadServer as this module knows it
    try:
        from watchdog.events import FileSystemEventHandler
        from watchdog.observers import Observer
        from watchdog.observers.polling import PollingObserver
    except ImportError:
        return None
    if Observer is PollingObserver:  # no native watcher on this system: the server's own polling is as good
        return None

    class Rebuild(FileSystemEventHandler):
        def on_any_event(self, event: Any) -> None:
            # A file read (by the build itself: "opened", "closed_no_write") changes nothing.
            if event.is_directory or event.event_type not in _CHANGES:
                return
            with condition:  # what the server's own watch does
                server._want_rebuild = True
                condition.notify_all()

    observer = Observer()
    observer.daemon = True
    try:
        for folder in folders:
            observer.schedule(Rebuild(), str(folder), recursive=True)
        observer.start()
    except OSError as error:  # e.g. the system's limit of inotify watches
        log.info(f"e-ISO: theo dõi thay đổi bằng cách quét định kỳ ({error})")
        observer.stop()
        return None
    return observer
