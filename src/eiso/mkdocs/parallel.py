"""Rendering generated pages in a second process while this one works on the others.

The engine renders pages one after another, on one core. When a build has many pages to render and the
machine a second core, the plugin forks a helper — a copy of this very process: same configuration,
extensions, templates and plugin state — that works on part of the pages (spread evenly among those this
process keeps) and sends back, page by page, what it made and the log records it wrote. It happens twice:

* just before the engine converts the pages' Markdown (``on_nav``), the helper converts its pages'
  Markdown with the engine's own ``Page.render`` and puts e-ISO's page around it (sanitising, template,
  search entry); the page's ``render`` then takes the helper's HTML, table of contents and anchors, after
  checking that the page's Markdown is exactly what the helper converted, and the plugin takes the page
  around it if no plugin changed the HTML since;
* just before the engine puts the pages into the theme (``on_env``), the helper renders its pages'
  theme template with the engine's own context; the page's template then inserts the helper's output.

If a result is missing (the helper failed, or a plugin changed the page since), the page is rendered here
as usual. Either way the output is the one a build in a single process makes, and every plugin's events
still run here, in order, for every page.

Not in the live preview (its rebuilds render a few pages; its server runs threads), and only where
``os.fork`` exists.
"""

from __future__ import annotations

import importlib
import logging
import os
import pickle
import queue
import threading
from typing import Any, BinaryIO, Callable

from jinja2 import ChoiceLoader, DictLoader
from markupsafe import Markup

from eiso.forked import stop, worth_forking
from eiso.sites.build_cache import digest

log = logging.getLogger("mkdocs.plugins.eiso")
MIN_PAGES = 200  # below this, starting a helper costs more than it saves
#: Template that puts a helper's output in place (or, without one, renders the page's own template).
PREBUILT_TEMPLATE = "eiso-prebuilt.html"
PREBUILT_SOURCE = ("{%- if eiso_prebuilt is defined -%}{{ eiso_prebuilt }}"
                   "{%- else -%}{% include eiso_template | default('main.html') %}{%- endif -%}")
# (a hand-written page that names this template in its front matter gets the theme's own page, not an error)
#: Share of the pages this process keeps, for each helper. Besides its own pages, this process runs every
#: plugin's events on the helper's pages, so it keeps less than half.
MARKDOWN_SHARE = 0.45
TEMPLATE_SHARE = 0.4


def _share(pages: list, kept: float) -> list:
    """The helper's pages: spread evenly among the build's own (``kept`` of them stay), so that each of the
    helper's results is needed soon after it is made and few wait in memory (at 10,000 pages, handing the
    helper the last ones held hundreds of megabytes of finished pages)."""
    given = 1 - kept
    return [page for i, page in enumerate(pages) if int((i + 1) * given) > int(i * given)]


def wanted(count: int) -> bool:
    return worth_forking(count, MIN_PAGES)  # EISO_RENDER_HELPER=off|on decides for every helper process


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[tuple[str, int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append((record.name, record.levelno, record.getMessage()))


class Helper:
    """A forked copy of this process that works through ``pages`` and sends one result per page."""

    def __init__(self, pid: int, pipe: BinaryIO):
        self.pid = pid
        # Drained by a thread, so that the helper never waits for this process to read (a pipe holds a
        # few pages only, and this process is busy with its own share first).
        self.results: queue.Queue[tuple[str, Any, list] | None] = queue.Queue()
        self.done = False
        self.templates: dict[str, str] = {}  # src_uri -> the page's own theme template (template helper)
        self.prepared: dict[str, tuple] = {}  # src_uri -> (content, toc, what the plugin makes of them)
        self.reader = threading.Thread(target=self._read, args=(pipe,), name="eiso-helper-results", daemon=True)
        self.reader.start()

    @classmethod
    def fork(cls, pages: list, work: Callable[[Any], Any], what: str) -> "Helper":
        """Start the helper: ``work(page)`` for each page, in order, in the forked process."""
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(read_end)
            _serve(pages, work, os.fdopen(write_end, "wb"))  # never returns
        os.close(write_end)
        log.info(f"e-ISO: một tiến trình phụ {what} của {len(pages)} trang song song")
        return cls(pid, os.fdopen(read_end, "rb"))

    def _read(self, pipe: BinaryIO) -> None:
        with pipe:
            while True:
                try:
                    item = pickle.load(pipe)  # our own child's bytes, through a pipe only it holds
                except Exception:  # noqa: BLE001 - end of the results, or the helper is gone
                    break
                self.results.put(item)
        self.results.put(None)

    def result(self, src_uri: str) -> Any | None:
        """The helper's result for the page, with its log records logged here; None if it has none."""
        while not self.done:
            item = self.results.get()
            if item is None:
                self.done = True  # the helper is gone: whatever is left is rendered here
            elif item[0] == src_uri:
                for name, level, message in item[2]:
                    logging.getLogger(name).log(level, message)
                return item[1]
        return None

    def made(self, page: Any, content: str) -> Any | None:
        """What the plugin makes of the page, as the helper made it: only if the page's content and table of
        contents are still those it was made from (no plugin changed them since)."""
        prepared = self.prepared.pop(page.file.src_uri, None)
        if prepared is None or prepared[0] != content or prepared[1] is not page.toc:
            return None
        return prepared[2]

    def close(self) -> None:
        """Stop the helper if it still runs (the engine asked for all it needed) and reap it."""
        self.done = True
        stop(self.pid)
        # Its pipe is closed now, so the reader ends: later forks (eiso.forked) start from a single thread.
        self.reader.join(timeout=5)


def _serve(pages: list, work: Callable[[Any], Any], out: BinaryIO) -> None:
    """Runs in the forked process: work through the pages, send each result, exit without cleanup."""
    status = 0
    collect = _Collect()
    for name in ("", "mkdocs"):  # the records go back to the parent, which logs (and counts) them
        logging.getLogger(name).handlers[:] = [collect]
    try:
        for page in pages:
            collect.records = []
            result = work(page)
            pickle.dump((page.file.src_uri, result, collect.records), out, protocol=pickle.HIGHEST_PROTOCOL)
        out.flush()
    except BaseException:  # noqa: BLE001 - the parent renders whatever the helper did not send
        status = 1
    finally:
        os._exit(status)  # no atexit handlers, no second flush of the parent's buffers


# -- the Markdown helper ------------------------------------------------------------------------


def convert_markdown(pages: list, config: Any, files: Any, rendering: Callable[[str | None], None],
                     refused: Callable[[str], str | None], refuse: Callable[[str], None],
                     prepare: Callable[[Any], Any]) -> Helper | None:
    """Fork a helper converting the Markdown of part of ``pages`` (in the engine's order); None when not
    worth it. ``rendering(src_uri)`` tells the plugin which page is being converted, ``refused(src_uri)``
    asks it why a page's Markdown was refused (its time budget), ``refuse(reason)`` reports that here.
    ``prepare(page)``, once the page is converted: what the plugin will make of it (:meth:`Helper.made`)."""
    if not wanted(len(pages)):
        return None
    theirs = _share(pages, MARKDOWN_SHARE)

    def work(page: Any) -> tuple:
        page.read_source(config)
        source = page.markdown
        rendering(page.file.src_uri)
        type(page).render(page, config, files)
        rendering(None)
        links = getattr(page, "links_to_anchors", None)
        content, toc = page.content, page.toc
        try:
            made = prepare(page)
        except Exception:  # noqa: BLE001 - made again in the build process, which reports what fails
            made = None
        result = (digest(source), content, toc, page._title_from_render, page.present_anchor_ids,
                  {f.src_uri: v for f, v in links.items()} if links is not None else None,
                  refused(page.file.src_uri), made)
        page.markdown = page.content = None  # memory: this copy of the page is not used again
        return result

    helper = Helper.fork(theirs, work, "chuyển Markdown")
    for page in theirs:
        page.render = _converted(helper, page, refuse)  # the engine calls page.render(config, files)
    return helper


def _converted(helper: Helper, page: Any, refuse: Callable[[str], None]) -> Callable[[Any, Any], None]:
    own_render = type(page).render

    def render(config: Any, files: Any) -> None:
        result = helper.result(page.file.src_uri)
        if result is None or page.markdown is None or result[0] != digest(page.markdown):
            own_render(page, config, files)
            return
        _, page.content, page.toc, page._title_from_render, page.present_anchor_ids, links, refusal, made = result
        if refusal:
            refuse(refusal)
        if made is not None:
            helper.prepared[page.file.src_uri] = (page.content, page.toc, made)
        if links is not None:
            page.links_to_anchors = {files.get_file_from_path(uri): anchors for uri, anchors in links.items()}

    return render


# -- the template helper ------------------------------------------------------------------------


def render_templates(pages: list, config: Any, nav: Any, env: Any, files: Any) -> Helper | None:
    """Fork a helper rendering the theme template of part of ``pages``; None when not worth it.

    Those pages' template becomes :data:`PREBUILT_TEMPLATE`, which :func:`prebuilt_context` fills in.
    """
    if not wanted(len(pages)):
        return None
    theirs = _share(pages, TEMPLATE_SHARE)
    # The running engine's own (MkDocs or ProperDocs) context, as its build loop makes it.
    engine = type(config).__module__.split(".", 1)[0]
    get_context = importlib.import_module(f"{engine}.commands.build").get_context
    inclusion = importlib.import_module(f"{engine}.structure.files").InclusionLevel
    documentation = files.documentation_pages(inclusion=inclusion.is_included)

    def work(page: Any) -> bytes:
        config._current_page = page
        page.active = True
        try:
            context = get_context(nav, documentation, config, page)
            context = config.plugins.on_page_context(context, page=page, config=config, nav=nav)
            # As UTF-8: the pages the helper is ahead wait here as half the memory of text.
            return env.get_template(page.meta.get("template", "main.html")).render(context).encode("utf-8", "surrogatepass")
        finally:
            page.active = False
            config._current_page = None

    helper = Helper.fork(theirs, work, "dựng giao diện")
    env.loader = ChoiceLoader([DictLoader({PREBUILT_TEMPLATE: PREBUILT_SOURCE}), env.loader])
    for page in theirs:
        helper.templates[page.file.src_uri] = page.meta.get("template", "main.html")
        page.meta["template"] = PREBUILT_TEMPLATE
    return helper


def prebuilt_context(helper: Helper | None, page: Any, context: Any) -> Any:
    """The context of a page the helper rendered: its output, or what renders the page here."""
    own = helper.templates.get(page.file.src_uri) if helper is not None else None
    if own is None:
        return context
    context["eiso_template"] = own
    output = helper.result(page.file.src_uri)
    if output is not None:
        context["eiso_prebuilt"] = Markup(output.decode("utf-8", "surrogatepass"))
    return context
