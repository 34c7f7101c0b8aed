"""MkDocs plugin ``eiso``: load, check and render the controlled documents.

All logic lives in the engine-independent core; this module only maps MkDocs
events onto it. Procedure pages are generated in memory: their Markdown never
passes through Jinja (mkdocs-macros sees ``render_macros: false``) and their
HTML is sanitised before the trusted parts are put around it.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
import zlib
from pathlib import Path
from typing import Callable, Iterable

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

from eiso.checks import check_repository
from eiso.documents.budget import MarkdownSetup, over_budget
from eiso.legal.register import REGISTER_NAME
from eiso.sites.csp import add_csp_meta
from eiso.sites.forge import known_forge
from eiso.documents.findings import Finding
from eiso.control.effective import ENV_VAR, epoch_of, in_force_documents, resolve_as_of, updated_dates
from eiso.control.gitinfo import head_commit_time
from eiso.errors import EisoError
from eiso.control.approvals import Approver, parse_approvers
from eiso.control.history import read_history
from eiso.documents.cache import DocumentCache
from eiso.documents.loader import SourceMemo, load_corpus
from eiso.sites.sanitize import clean_html
from eiso.documents.model import Document
from eiso.control.gitfiles import GitError
from eiso.control.preview import changed_documents, preview_base
from eiso.sites.progress import Progress
from eiso.sites.renderer import preview_notice
from eiso.documents.text import heading_slug, shown
from eiso.sites.template_cache import template_cache
from eiso.sites.projection import PublicProcedure, project
from eiso.search.entries import document_entry, page_entry, public_entry
from eiso.search.model import StoredEntry
from eiso.records.registers import nonconformity_counts
from eiso.sites.qms import CheckError, LagEntry
from eiso.sites.public import PublicOptions, plan_public
from eiso.sites.intranet import PlannedPage, SiteOptions, SitePlan, plan_intranet, valid_documents
from eiso.mkdocs.budget import BudgetExtension
from eiso.documents.adoption import framework_context
from eiso.framework import adoption_lags, framework_findings, open_framework
from eiso.mkdocs.config import EisoConfig
from eiso.mkdocs.incremental import Incremental
from eiso.mkdocs import parallel
from eiso.forked import Pending, forked_call
from eiso.project import documents_cache_path, history_cache_path, links_out, search_terms_cache_path
from eiso.mkdocs.macros_guard import sandbox_macros
from eiso.mkdocs.memory import long_lived, thaw
from eiso.mkdocs.watch import watch_folders
from eiso.records.checks import load_and_check, valid_records
from eiso.records.model import Record
from eiso.sites.records import plan_records_site
from eiso.sites.build_cache import CachedPage
from eiso.sites.snapshot import Replan, Snapshot
from eiso.mkdocs.generated import clean_toc, page_source, replace_file, with_generated_sections
from eiso.mkdocs.engine_hooks import allow_reload_script, skip_hidden_theme_folders, skip_material_search
from eiso.mkdocs.plans import PlanNotes
from eiso.search import SEARCH_DIR
from eiso.mkdocs.search_files import SEARCH_INDEX, WrittenSearch, note_search_files, write_search_files

log = logging.getLogger("mkdocs.plugins.eiso")
ASSETS = Path(__file__).resolve().parent.parent / "assets"
ASSET_URIS = {"css": "assets/eiso/eiso.css", "js": "assets/eiso/eiso.js"}
HELD = "<!-- e-ISO: nội dung trang được giữ nén cho đến khi dựng giao diện -->"


class EisoPlugin(BasePlugin[EisoConfig]):
    def __init__(self) -> None:
        self.findings: list[Finding] = []
        self.planned: dict[str, PlannedPage] = {}  # pages still to render
        self.generated: set[str] = set()  # every page the plan made
        self.progress = Progress(0)
        self.preview_base: str | None = None
        self.preview_changes: list = []
        self.search_entries: list[StoredEntry] = []
        self.rendering: str | None = None  # src_uri of the page being rendered
        self.refused: dict[str, str] = {}  # src_uri -> why its Markdown was refused
        self.macros_guard = None
        self.lags: list = []
        self.records: list[Record] = []
        self.dirty = False
        self.incremental: Incremental | None = None
        self.files: Files | None = None
        self.command = "build"
        self.helper: parallel.Helper | None = None  # a forked process rendering later pages (full builds)
        self.nav = None
        self.to_render: list[Page] = []
        self.search_files: Pending[WrittenSearch] | None = None  # the search index, being built (on_env)
        self.held: dict[str, bytes] = {}  # src_uri -> a generated page's HTML, compressed until its template runs
        self.served_index: bytes | None = None  # the live preview's search/search_index.json, as last written
        self.finishing: list[threading.Thread] = []  # the live preview's search index and plan, after its pages
        self.sources = SourceMemo()  # the live preview's procedure files, as last read
        self.watching = None  # the live preview's native watch on the procedures and records, if any
        self.plans: PlanNotes | None = None  # this build's plan, noted for the next build (eiso.mkdocs.plans)
        self.notices: list[str] = []

    @property
    def may_fork(self) -> bool:
        """Whether work may go to forked helper processes: in a build, never in the live preview (its server
        runs threads, whose locks a forked copy could inherit held; its rebuilds are small)."""
        return self.command == "build"

    @property
    def live(self) -> bool:
        """Whether parsed documents and search terms are kept in this process for the next build: in the live
        preview, which builds again at every edit."""
        return self.command == "serve"

    def on_startup(self, *, command: str, dirty: bool) -> None:
        # A dirty build (``eiso build`` with a cache, ``eiso serve``) reuses unchanged pages.
        self.dirty = dirty
        self.command = command

    @event_priority(100)  # first: before Material's search plugin reads its language's templates for nothing
    def _quiet_material_search(self, config: MkDocsConfig) -> None:
        if "material/search" in config.plugins:
            # Material's plugin stays for its search box; e-ISO writes the (prebuilt) index.
            config.extra["eiso_search"] = True
            skip_material_search(config.plugins)

    @event_priority(-50)  # after mkdocs-macros has made its Jinja environment
    def _configure(self, config: MkDocsConfig) -> MkDocsConfig:
        self._wait_for_finishing()  # the previous build's search index and cache are written
        self.macros_guard = sandbox_macros(config.plugins, config)
        if self.macros_guard is not None:
            self.macros_guard.violations.clear()
        self.search_entries = []
        self.page_entries: dict[str, StoredEntry] = {}
        skip_hidden_theme_folders(config.theme)
        config.markdown_extensions.append(BudgetExtension(self._refuse))
        # Pages call no outside service (connect-src, style-src and font-src are 'self'):
        # Material's Google Fonts would only be blocked, with a policy violation on every page.
        if config.theme.name == "material" and config.theme["font"] is not False:
            config.theme["font"] = False
        if (config.repo_name or "") == "Gitlab":  # MkDocs' name for a self-hosted GitLab
            config.repo_name = "GitLab"
        # Anchors keep "đ" as "d" (#1-muc-dich), unless the site chose its own slugify.
        config.mdx_configs.setdefault("toc", {}).setdefault("slugify", heading_slug)
        config.extra_css.append(ASSET_URIS["css"])
        config.extra_javascript.append(ASSET_URIS["js"])
        self.root = Path(config.config_file_path).resolve().parent
        try:
            self.as_of = resolve_as_of()  # EISO_AS_OF (set by `eiso build --as-of`), else today in Vietnam
        except EisoError as error:
            raise PluginError(f"e-ISO: {ENV_VAR}: {error}") from None
        # Two builds of one commit with one as-of date must be byte-identical: MkDocs dates its
        # sitemap with SOURCE_DATE_EPOCH when set, so it is the commit's time (outside git, and on the
        # public portal, the as-of day's midnight), never the clock's. The public portal does not show the
        # commit's day: that commit may be the merge of a revision not yet in force.
        commit_time = head_commit_time(self.root) if self.config.audience != "public" else None
        os.environ.setdefault("SOURCE_DATE_EPOCH", str(commit_time if commit_time is not None else epoch_of(self.as_of)))
        return config

    on_config = CombinedEvent(_quiet_material_search, _configure)

    def _refuse(self, reason: str) -> None:
        if self.rendering is not None:
            self.refused[self.rendering] = reason

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        with long_lived():
            return self._files(files, config)

    def _files(self, files: Files, config: MkDocsConfig) -> Files:
        root = self.root
        _refuse_linked_out(config, root)
        self.preview_base = preview_base() if self.config.audience == "internal" else None
        framework = open_framework(root, self.config.framework)
        self.incremental = Incremental(config, root, self.dirty, live=self.live)
        self.planned, self.held, self.generated, self.notices = {}, {}, set(), []
        for file in files:
            self.incremental.other_file(file)
        self.plans = PlanNotes.open(self.config, config, root, self.incremental, command=self.command,
                                    preview=bool(self.preview_base), framework=framework)
        taken = self.plans.take(Path(config.site_dir), self.incremental, self.as_of.isoformat(),
                                lambda uris: [File.generated(config, uri, content="") for uri in uris]
                                ) if self.plans is not None and self.dirty else None
        if taken is not None:
            return self._take_plan(files, config, *taken)
        try:
            with framework_context(framework):
                self.preview_changes = (changed_documents(root, self.config.procedures_dir, self.preview_base)
                                        if self.preview_base else [])
        except GitError as error:
            raise PluginError(f"e-ISO: không dựng được bản xem trước so với «{self.preview_base}»: {error}") from None
        with framework_context(framework):  # adopted documents are built as their effective (merged) text
            memo = DocumentCache(documents_cache_path(root), live=self.live)
            corpus = load_corpus(root, self.config.procedures_dir, memo, parallel=self.may_fork,
                                 sources=self.sources if self.live else None)
            self.refused = {}
            self.findings = check_repository(corpus, memo, parallel=self.may_fork) + framework_findings(corpus, framework)
            self.records = []
            if self.config.audience == "internal":  # records never reach the public portal, not even loaded
                record_set, record_findings = load_and_check(root, self.config.records_dir, corpus.documents)
                self.findings = sorted(self.findings + record_findings)
                self.records = valid_records(record_set, self.findings)
            for finding in self.findings:
                if finding.severity == "warning":
                    log.warning(str(finding))
            documents = valid_documents(corpus, self.findings)
            self.lags = adoption_lags(documents, framework)
            plan = self._plan(documents, root, config, memo)
            memo.save()
        self.incremental.key_pages(plan.pages, parallel=self.may_fork)
        pages = []
        for page in plan.pages:
            self.generated.add(page.src_uri)
            source = page_source(page)
            file = File.generated(config, page.src_uri, content=source)
            if not self.incremental.plan_file(page, source, file):
                self.planned[page.src_uri] = page
                pages.append(page)
            replace_file(files, file)
        if self.dirty:
            log.info(f"e-ISO: dùng lại {len(plan.pages) - len(pages)} trang không đổi, dựng lại {len(pages)} trang")
        if self.plans is not None:
            self.plans.note(plan, corpus.documents, self.findings, self.incremental, as_of=self.as_of.isoformat(),
                            notices=self.notices, fork=self.may_fork)
        return self._add_site_files(files, config, plan.files, {uri: str(path) for uri, path in plan.copies.items()})

    def _add_site_files(self, files: Files, config: MkDocsConfig, data: dict[str, bytes], copies: dict[str, str],
                        kept: Iterable[str] = ()) -> Files:
        """The plan's data files (``kept``: those the previous build wrote, as they are) and attachments, and
        e-ISO's own assets."""
        self.search_entries.extend(self.incremental.reused_entries)
        self.progress = Progress(len(self.planned))
        self.files = files
        for uri, content in data.items():
            replace_file(files, File.generated(config, uri, content=content))
        for uri in kept:
            file = File.generated(config, uri, content=b"")
            self.incremental.keep_output(file)
            replace_file(files, file)
        for uri, source in copies.items():
            copy = File.generated(config, uri, abs_src_path=source)
            # Attachments are downloads: never a page (Markdown would pass through macros)
            # nor HTML/SVG/JS served from the portal's origin.
            if copy.is_documentation_page() or copy.is_static_page() or copy.is_javascript() or copy.is_css():
                raise PluginError(f"e-ISO: tệp đính kèm «{uri}» không phải định dạng tài liệu được phép công bố")
            replace_file(files, copy)
        for uri in ASSET_URIS.values():
            replace_file(files, File.generated(config, uri, abs_src_path=str(ASSETS / Path(uri).name)))
        return files

    def _take_plan(self, files: Files, config: MkDocsConfig, previous: Snapshot, replanned: Replan,
                   kept: list[File], outputs: dict[str, CachedPage]) -> Files:
        """The previous build's plan: its pages kept, but those showing an edited body, planned again."""
        assert self.incremental is not None
        self.incremental.key_pages(list(replanned.pages.values()), parallel=False)
        kept_files = {file.src_uri: file for file in kept}
        for uri in previous.pages:
            self.generated.add(uri)
            page = replanned.pages.get(uri)
            if page is None:
                self.incremental.reuse(kept_files[uri], outputs[uri])
                replace_file(files, kept_files[uri])
                continue
            source = page_source(page)
            file = File.generated(config, uri, content=source)
            if not self.incremental.plan_file(page, source, file):
                self.planned[uri] = page
            replace_file(files, file)
        self.findings, self.refused, self.preview_changes = list(previous.findings), {}, []
        for line in [str(f) for f in self.findings if f.severity == "warning"] + previous.notices:
            log.warning(line)
        log.info(f"e-ISO: chỉ nội dung của {len(replanned.documents)} tài liệu thay đổi, theo kế hoạch của lần dựng "
                 f"trước: dùng lại {len(previous.pages) - len(self.planned)} trang không đổi, dựng lại "
                 f"{len(self.planned)} trang")
        return self._add_site_files(files, config, {}, previous.copies, list(previous.files))

    def _plan(self, documents: list[Document], root: Path, config: MkDocsConfig, parsed: DocumentCache) -> SitePlan:
        """``parsed``: the parsed documents' cache, which also keeps the earlier revisions read from git."""
        forge = known_forge(config.repo_url, self.config.forge)
        facts = DocumentCache(history_cache_path(root))
        history = read_history(root, self.config.procedures_dir, trusted_signers=self.config.trusted_signers,
                               forge=forge, memo=facts, parsed=parsed)
        facts.save()
        if history.shallow or (history.available and history.notice):
            self.notices.append(f"e-ISO: {history.notice}")
            log.warning(self.notices[-1])
        try:
            if self.config.audience == "public":
                options = PublicOptions(config.site_url, self.config.office_address, self.config.office_hours)
                # Citizens see the revision in force on the build's date, never one still to come (nor its date).
                known = history if history.available else None
                in_force = in_force_documents(documents, known, self.as_of)
                updated = updated_dates(documents, known, self.as_of)
                procedures = project(in_force, root, updated, _markdown_setup(config), parallel=self.may_fork)
                for proc in procedures:
                    if proc.refused:  # its body is left out of the page; the build reports it
                        self.findings.append(over_budget(proc.path, proc.body_line, proc.refused))
                        log.error(str(self.findings[-1]))
                return plan_public(procedures, root, options)
            options = SiteOptions(repo_url=config.repo_url, edit_branch=self.config.edit_branch, as_of=self.as_of,
                                  draft_slugs=frozenset(c.slug for c in self.preview_changes),
                                  approvers=self._approvers(),
                                  agency=dict(self.config.agency), lags=tuple(lag_entries(self.lags)),
                                  check=_counts(self.findings), check_errors=_errors(self.findings),
                                  nonconformities=_nonconformities(self.records, self.as_of))
            records = plan_records_site(root, self.config.records_dir, self.records, documents, options, history)
            plan = plan_intranet(documents, root, options, history, records.document_sections)
            plan.pages.extend(records.pages)
            return plan
        finally:
            history.close()

    @event_priority(-100)  # last: the pages to render, and their order, are final
    def on_nav(self, nav, *, config: MkDocsConfig, files: Files):
        self.nav = nav
        self.to_render = [f.page for f in files.documentation_pages() if f.page is not None and f.src_uri in self.planned
                          and not f.inclusion.is_excluded()]
        if self.may_fork:
            self.helper = parallel.convert_markdown(self.to_render, config, files, rendering=self._rendering,
                                                    refused=self.refused.get, refuse=self._refuse,
                                                    prepare=self._prepare)
        return nav

    def _rendering(self, src_uri: str | None) -> None:
        self.rendering = src_uri

    def _stop_helper(self) -> None:
        if self.helper is not None:
            self.helper.close()
            self.helper = None

    def on_build_error(self, *, error: Exception) -> None:
        if self.plans is not None:
            self.plans.discard()
        thaw()
        self._stop_helper()
        if self.search_files is not None:
            self.search_files.cancel()
            self.search_files = None

    def on_env(self, env, *, config: MkDocsConfig, files: Files):
        self._stop_helper()  # every page's Markdown is converted by now
        if config.extra.get("eiso_search"):
            # Every page's search entry is made by now: the index is built in a forked copy while the pages
            # are put into the theme (before the template helper, whose reader thread must not be copied).
            site_dir = Path(config.site_dir)
            self.search_files = forked_call(lambda: self._search_files(site_dir), len(self.search_entries)) \
                if self.may_fork else Pending(lambda: self._search_files(site_dir))
        # The engine makes a new environment for every build; within one, templates do not change. Without
        # this, each of the theme's dozens of includes per page stats its template file again.
        env.auto_reload = False
        env.bytecode_cache = template_cache()  # the theme's templates, compiled once, not at every build
        if self.may_fork:
            self.helper = parallel.render_templates(self.to_render, config, self.nav, env, files)
        self.to_render = []
        return env

    @event_priority(100)  # first: every other handler, and the theme, see the page's own HTML
    def _give_back_content(self, context, *, page: Page, config: MkDocsConfig, nav):
        held = self.held.pop(page.file.src_uri, None)
        if held is not None:
            page.content = zlib.decompress(held).decode("utf-8", "surrogatepass")
        return context

    @event_priority(-100)  # last: what other plugins add is in the helper's output too
    def _prebuilt_context(self, context, *, page: Page, config: MkDocsConfig, nav):
        return parallel.prebuilt_context(self.helper, page, context)

    on_page_context = CombinedEvent(_give_back_content, _prebuilt_context)

    def _search_files(self, site_dir: Path) -> WrittenSearch:
        memo = DocumentCache(search_terms_cache_path(self.root, self.config.audience), live=self.live)
        return write_search_files(self.search_entries, memo, self.incremental, site_dir)

    def _approvers(self) -> list[Approver] | None:
        """The ``approvers`` option; a malformed entry authorises nobody and is reported."""
        approvers, problems = parse_approvers(self.config.approvers)
        for problem in problems:
            finding = Finding("mkdocs.yml", 1, "plugins.eiso.approvers", problem, "config-approvers", "warning")
            self.findings.append(finding)
            log.warning(str(finding))
        return approvers

    def on_serve(self, server, *, config: MkDocsConfig, builder):
        # Live preview: editing a procedure or a record rebuilds like editing a page of docs/.
        folders = [self.root / self.config.procedures_dir]
        if (self.root / self.config.records_dir).is_dir():
            folders.append(self.root / self.config.records_dir)
        self._stop_watching()
        self.watching = watch_folders(server, folders)
        if (self.root / REGISTER_NAME).is_file():  # the legal register feeds the check and two pages
            server.watch(str(self.root / REGISTER_NAME))
        allow_reload_script(server)
        return server

    def _stop_watching(self) -> None:
        if self.watching is not None:
            self.watching.stop()
            self.watching = None

    @event_priority(100)  # before mkdocs-macros, whatever the order of plugins in mkdocs.yml
    def on_page_markdown(self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        if page.file.src_uri in self.generated:
            page.meta["render_macros"] = False
        self.rendering = page.file.src_uri
        return markdown

    @event_priority(-100)  # last: nothing may change a procedure's Markdown after us
    def on_page_content(self, html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        # Popped: once rendered, a page's document is no longer held (memory at 10,000 documents).
        planned = self.planned.pop(page.file.src_uri, None)
        self.rendering = None
        if page.file.src_uri in self.refused:
            self.findings.append(_refusal(page, planned, self.refused[page.file.src_uri], self.root))
            log.error(str(self.findings[-1]))
        if self.preview_base:
            page.meta["robots"] = "noindex"
        if planned is None:
            if not (page.meta.get("search") or {}).get("exclude"):
                self.search_entries.append(StoredEntry.of(page_entry(page.url, page.title or "", html)))
            if self.preview_base and page.is_homepage:
                return preview_notice(self.preview_changes, self.preview_base) + html
            return html
        if planned.noindex:
            page.meta["robots"] = "noindex"
        self.progress.tick()
        made = self.helper.made(page, html) if self.helper is not None else None
        output, page.toc, entry = made if made is not None else self._page_output(planned, page, html)
        if entry is not None:
            # Held compressed until the index is made (a fifth of the build's memory at 10,000 as text).
            stored = StoredEntry.of(entry)
            self.search_entries.append(stored)
            self.page_entries[page.file.src_uri] = stored
        # The engine converts every page before it puts any into the theme: at 10,000 pages their HTML held
        # as text was a quarter of the build's memory. Compressed, a sixth of that; given back in on_page_context.
        self.held[page.file.src_uri] = zlib.compress(output.encode("utf-8", "surrogatepass"), 1)
        # Converted: nothing reads a generated page's Markdown again, neither the page's copy nor its file's
        # (10,000 of them: 60 MB each).
        page.markdown = None
        page.file.content_string = ""
        return HELD

    def _page_output(self, planned: PlannedPage, page: Page, html: str) -> tuple:
        """The page around its converted body, its table of contents and its search entry (the Markdown
        helper makes them too, for its pages)."""
        clean_toc(page.toc)
        body = clean_html(html)
        output = planned.render(body)
        toc = with_generated_sections(page.toc, output, body)
        entry = None
        if planned.searchable and planned.document is not None:
            make_entry = public_entry if isinstance(planned.document, PublicProcedure) else document_entry
            entry = make_entry(planned.document, page.url, output)
        return output, toc, entry

    def _prepare(self, page: Page) -> tuple | None:
        planned = self.planned.get(page.file.src_uri)
        return self._page_output(planned, page, page.content) if planned is not None else None

    @event_priority(-100)  # last, so the policy sees the final HTML
    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str:
        if page.file.src_uri in self.generated:
            # MkDocs keeps every page's HTML until the build ends; at 10,000 documents that is most of the
            # memory, and nothing reads it after this event (its Markdown went once converted).
            page.markdown, page.content = None, None
        output = add_csp_meta(output)
        if self.incremental is not None and page.file.src_uri not in self.refused:  # a refusal is never reused
            self.incremental.page_written(page.file.src_uri, output, self.page_entries.pop(page.file.src_uri, None))
        return output

    def _finish(self, pending: Pending[WrittenSearch] | None, site_dir: Path,
                keep: frozenset[str] = frozenset()) -> None:
        """Write the search index, remove what the build no longer makes (but ``keep``) and save the page cache."""

        def search_outputs() -> set[str]:
            return self._write_search(pending.result() if pending is not None else None, site_dir) | keep

        if self.incremental is not None and self.files is not None:
            self.incremental.finish(self.files, search_outputs)  # the pages' cache written while the index is made
        else:
            search_outputs()

    def _finish_in_background(self, pending: Pending[WrittenSearch], site_dir: Path) -> None:
        # A page the browser loaded meanwhile fetches the previous index's shards: they stay (the live
        # preview's folder is temporary).
        try:
            self._finish(pending, site_dir, frozenset(path.relative_to(site_dir).as_posix()
                                                      for path in (site_dir / SEARCH_DIR).glob("*")))
        except Exception as error:  # noqa: BLE001 - in the background, nobody else would hear of it
            log.error(f"e-ISO: không ghi được chỉ mục tìm kiếm của bản xem trước: {error}")

    def _write_search(self, written: WrittenSearch | None, site_dir: Path) -> set[str]:
        if written is not None and written.index is not None:
            self.served_index = written.index
        return note_search_files(written, self.incremental, site_dir)

    def _wait_for_finishing(self) -> None:
        while self.finishing:
            self.finishing.pop().join()

    def _in_background(self, work: Callable[[], None], name: str) -> None:
        """The live preview: ``work`` done once the pages are shown; the next build waits for it."""
        thread = threading.Thread(target=work, name=name, daemon=True)
        thread.start()
        self.finishing.append(thread)

    def on_shutdown(self) -> None:
        self._stop_watching()
        self._wait_for_finishing()

    def on_post_template(self, output_content: str, *, template_name: str, config: MkDocsConfig) -> str:
        return add_csp_meta(output_content) if template_name.endswith(".html") else output_content

    @event_priority(-100)  # after Material's search plugin has written its own index
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        thaw()
        self._stop_helper()  # every page is built by now
        pending, self.search_files = self.search_files, None
        if self.command == "serve" and pending is not None and self.served_index is not None:
            # The live preview shows the edited page at once and its search a second later: meanwhile the
            # previous index is served (Material has just written its own over it), its files still in place.
            (Path(config.site_dir) / SEARCH_INDEX).write_bytes(self.served_index)
            site_dir = Path(config.site_dir)
            self._in_background(lambda: self._finish_in_background(pending, site_dir), "eiso-search-index")
        else:
            self._finish(pending, Path(config.site_dir))
        errors = [str(f) for f in self.findings if f.severity == "error"]
        errors += [str(v) for v in (self.macros_guard.violations if self.macros_guard else [])]
        if self.plans is not None and (errors or self.refused):
            self.plans.discard()  # a page left out, or refused: the next build plans everything
        elif self.plans is not None and self.live:  # pickling a first build's pages takes seconds: served meanwhile
            self._in_background(self.plans.keep_or_forget, "eiso-plan")
        elif self.plans is not None:
            self.plans.keep()
        if errors:
            listing = "\n".join(errors)
            raise PluginError(
                f"e-ISO: {len(errors)} lỗi trong tài liệu; các tài liệu lỗi không được xuất bản:\n{listing}"
            )


def _refuse_linked_out(config: MkDocsConfig, root: Path) -> None:
    """Stop the build when the site's own folders (``docs_dir``, the theme's ``custom_dir``) hold a link out of
    them: the engine would publish whatever it points at (``/proc/self/environ``, ``.git/config``, an internal
    procedure on the public portal)."""
    folders = [Path(config.docs_dir)] + ([Path(config.theme.custom_dir)] if config.theme.custom_dir else [])
    for folder in folders:
        for link in links_out(folder, root):
            raise PluginError(f"e-ISO: «{shown(str(link), 300)}» là liên kết trỏ ra ngoài thư mục «{folder.name}» "
                              "hoặc ra ngoài kho; hãy thay liên kết bằng chính tệp đó")


def _markdown_setup(config: MkDocsConfig) -> MarkdownSetup:
    extensions = tuple(e for e in config.markdown_extensions if not isinstance(e, BudgetExtension))
    return MarkdownSetup(extensions, dict(config.mdx_configs or {}))


def _refusal(page: Page, planned: PlannedPage | None, reason: str, root: Path) -> Finding:
    document = planned.document if planned is not None else None
    if document is not None:
        return over_budget(document.path, document.body_line, reason)
    source = Path(page.file.abs_src_path or page.file.src_uri)
    return over_budget(source.relative_to(root).as_posix() if source.is_relative_to(root) else page.file.src_uri, 1, reason)


def _nonconformities(records: list, as_of: dt.date) -> tuple[int, int]:
    counts = nonconformity_counts(records, as_of)
    return int(counts["open"]), int(counts["overdue"])


def _counts(findings: list[Finding]) -> tuple[int, int]:
    errors = sum(f.severity == "error" for f in findings)
    return errors, len(findings) - errors


def _errors(findings: list[Finding]) -> tuple[CheckError, ...]:
    return tuple(CheckError(f.path, f.line, f.field, f.message) for f in findings if f.severity == "error")


def lag_entries(lags: list) -> list[LagEntry]:
    return [LagEntry(lag.document.meta.code, lag.framework_code, lag.adopted, lag.latest) for lag in lags]
