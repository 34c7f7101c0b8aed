"""Converting the Markdown of generated pages in a second process while this one works on the others.

The engine renders pages one after another, on one core. When a build has many pages to render and the
machine a second core, the plugin forks a helper just before the engine's loop (``on_nav``). The helper is
a copy of this very process — same configuration, extensions and plugin state — and converts the later
part of the pages with the engine's own ``Page.render``, sending back for each its HTML, table of contents,
anchors and the log records it made. When the engine reaches such a page, the page's ``render`` takes the
helper's result, after checking that the page's Markdown is exactly what the helper converted (a plugin
may change it); otherwise, or if the helper is gone, the page is rendered here as usual. Either way the
output is the one a build in a single process makes.

Not in the live preview (its rebuilds render a few pages; its server runs threads), and only where
``os.fork`` exists.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import queue
import signal
import threading
from dataclasses import dataclass, field
from typing import Any, BinaryIO, Callable

log = logging.getLogger("mkdocs.plugins.eiso")
MIN_PAGES = 200  # below this, starting a helper costs more than it saves
#: ``off``: never fork a helper; ``on``: whatever the number of pages (tests compare both); else automatic.
ENV_VAR = "EISO_RENDER_HELPER"
#: Share of the pages this process keeps. Besides converting Markdown, it also runs every plugin's events
#: on each page, the helper's pages included: a quarter keeps both processes busy until the end.
OWN_SHARE = 0.25


@dataclass
class Rendered:
    src_uri: str
    source: bytes  # sha256 of the Markdown converted
    content: str
    toc: Any
    title: str | None
    anchors: set[str] | None
    links: dict[str, dict[str, str]] | None  # links to anchors, by the linked file's src_uri
    refused: str | None
    logs: list[tuple[str, int, str]] = field(default_factory=list)


def _digest(markdown: str) -> bytes:
    return hashlib.sha256(markdown.encode("utf-8", "surrogatepass")).digest()


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[tuple[str, int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append((record.name, record.levelno, record.getMessage()))


class ParallelRender:
    """The helper process and its results, read in the order the engine asks for them."""

    def __init__(self, pid: int, pipe: BinaryIO, files: Any, refuse: Callable[[str], None]):
        self.pid = pid
        self.files = files
        self.refuse = refuse
        # Drained by a thread, so that the helper never waits for this process to read (a pipe holds a
        # few pages only, and this process is busy with its own share first).
        self.results: queue.Queue[Rendered | None] = queue.Queue()
        self.done = False
        self.reader = threading.Thread(target=self._read, args=(pipe,), name="eiso-render-results", daemon=True)
        self.reader.start()

    def _read(self, pipe: BinaryIO) -> None:
        with pipe:
            while True:
                try:
                    result = pickle.load(pipe)  # our own child's bytes, through a pipe only it holds
                except Exception:  # noqa: BLE001 - end of the results, or the helper is gone
                    break
                self.results.put(result if isinstance(result, Rendered) else None)
        self.results.put(None)

    @classmethod
    def start(cls, pages: list, config: Any, files: Any, rendering: Callable[[str | None], None],
              refused: Callable[[str], str | None], refuse: Callable[[str], None]) -> "ParallelRender | None":
        """Fork the helper for the later pages of ``pages`` (in the engine's order); None when not worth it.

        ``rendering(src_uri)`` tells the plugin which page is being converted, ``refused(src_uri)`` asks
        it why a page's Markdown was refused (its time budget), ``refuse(reason)`` reports that here.
        """
        choice = os.environ.get(ENV_VAR, "")
        if choice == "off" or not hasattr(os, "fork") or not pages:
            return None
        if choice != "on" and (len(pages) < MIN_PAGES or (os.cpu_count() or 1) < 2):
            return None
        theirs = pages[int(len(pages) * OWN_SHARE):]
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the helper
            os.close(read_end)
            _helper(theirs, config, files, rendering, refused, os.fdopen(write_end, "wb"))
        os.close(write_end)
        log.info(f"e-ISO: một tiến trình phụ chuyển Markdown của {len(theirs)} trang song song")
        helper = cls(pid, os.fdopen(read_end, "rb"), files, refuse)
        for page in theirs:
            page.render = helper._render_of(page)  # the engine calls page.render(config, files)
        return helper

    def _render_of(self, page: Any) -> Callable[[Any, Any], None]:
        own_render = type(page).render

        def render(config: Any, files: Any) -> None:
            result = self._next(page.file.src_uri)
            if result is None or page.markdown is None or result.source != _digest(page.markdown):
                own_render(page, config, files)
                return
            for name, level, message in result.logs:
                logging.getLogger(name).log(level, message)
            if result.refused:
                self.refuse(result.refused)
            page.content, page.toc, page._title_from_render = result.content, result.toc, result.title
            page.present_anchor_ids = result.anchors
            if result.links is not None:
                page.links_to_anchors = {self.files.get_file_from_path(uri): links
                                         for uri, links in result.links.items()}

        return render

    def _next(self, src_uri: str) -> Rendered | None:
        while not self.done:
            result = self.results.get()
            if result is None:
                self.done = True  # the helper is gone: whatever is left is rendered here
            elif result.src_uri == src_uri:
                return result
        return None

    def close(self) -> None:
        """Stop the helper if it still runs (the engine asked for all it needed) and reap it."""
        self.done = True
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        try:
            os.waitpid(self.pid, 0)
        except ChildProcessError:
            pass


def _helper(pages: list, config: Any, files: Any, rendering: Callable[[str | None], None],
            refused: Callable[[str], str | None], out: BinaryIO) -> None:
    """Runs in the forked process: convert each page, send the result, exit without cleanup."""
    status = 0
    collect = _Collect()
    for name in ("", "mkdocs"):  # the records go back to the parent, which logs (and counts) them
        logger = logging.getLogger(name)
        logger.handlers[:] = [collect]
    try:
        for page in pages:
            collect.records = []
            page.read_source(config)
            source = page.markdown
            rendering(page.file.src_uri)
            type(page).render(page, config, files)
            rendering(None)
            links = getattr(page, "links_to_anchors", None)
            result = Rendered(page.file.src_uri, _digest(source), page.content, page.toc, page._title_from_render,
                              page.present_anchor_ids,
                              {f.src_uri: v for f, v in links.items()} if links is not None else None,
                              refused(page.file.src_uri), collect.records)
            pickle.dump(result, out, protocol=pickle.HIGHEST_PROTOCOL)
            page.markdown = page.content = None  # memory: this copy of the page is not used again
        out.flush()
    except BaseException:  # noqa: BLE001 - the parent renders whatever the helper did not send
        status = 1
    finally:
        os._exit(status)  # no atexit handlers, no flushing of the parent's buffers twice
