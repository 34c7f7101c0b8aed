"""What the intranet site contains: generated pages, data files and attachments.

Engine-independent: an adapter (the MkDocs plugin) turns this plan into pages
of its engine and calls ``PlannedPage.render`` with the body's HTML.
"""

from __future__ import annotations

import json
import posixpath
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import datetime as dt

from eiso.control import archive
from eiso.control.approvals import Approver
from eiso.documents import durations
from eiso.sites import qms, renderer
from eiso.documents.attachments import ALLOWED_FORMATS, download_name
from eiso.documents.checks import resolve_attachment
from eiso.documents.textrules import code_problem
from eiso.control.history import History
from eiso.sites.forge import change_actions
from eiso.documents.literal import protect_template_text
from eiso.documents.loader import Corpus
from eiso.documents.model import Document, Status
from eiso.sites.renderer import format_date
from eiso.control.reviews import DUE_SOON_DAYS, next_review, review_schedule
from eiso.legal.flags import flagged_documents
from eiso.sites import legal
from eiso.legal.register import load_register
from eiso.documents.text import fold, slugify


@dataclass
class SiteOptions:
    repo_url: str | None = None
    edit_branch: str = "main"
    as_of: dt.date | None = None  # reference date for review status: the commit's, never the clock's
    draft_slugs: frozenset[str] = frozenset()  # a merge request's preview: documents it changes
    approvers: list[Approver] | None = None  # the `approvers` option: who may approve which unit
    agency: dict[str, Any] = field(default_factory=dict)  # the agency's name, code, district (api/qms.json)
    lags: tuple[qms.LagEntry, ...] = ()  # adoptions behind the framework
    check: tuple[int, int] = (0, 0)  # errors and warnings of eiso check (documents with errors are not published)
    nonconformities: tuple[int, int] = (0, 0)  # open, and open with an overdue action, as of as_of (records/)


@dataclass
class PlannedPage:
    src_uri: str  # e.g. "quy-trinh/qt-ht-01/index.md"
    title: str
    markdown: str = ""  # untrusted Markdown for documents; empty for generated indexes
    render: Callable[[str], str] = lambda html: html
    document: Document | None = None  # or the public projection of one
    searchable: bool = True
    noindex: bool = False

    @property
    def url(self) -> str:
        return posixpath.dirname(self.src_uri) + "/"


@dataclass
class SitePlan:
    pages: list[PlannedPage] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)  # site path -> content
    copies: dict[str, Path] = field(default_factory=dict)  # site path -> file to copy


def base_of(url: str) -> str:
    """Relative prefix from a page URL to the site root: ``quy-trinh/x/`` -> ``../../``."""
    return "../" * url.strip("/").count("/") + ("../" if url.strip("/") else "")


def plan_intranet(documents: list[Document], root: Path, options: SiteOptions, history: History | None = None,
                  sections: dict[str, str] | None = None) -> SitePlan:
    """``sections``: extra HTML for a document's page by slug (e.g. the nonconformities concerning it)."""
    plan = SitePlan()
    by_slug = {doc.slug: doc for doc in documents}
    notice = history_notice(history)
    rows = []
    facts: dict[str, qms.ControlFacts] = {}
    for doc in sorted(documents, key=lambda d: d.slug):
        control = archive.control_of(doc, history, options.repo_url, options.approvers) if history and history.available else archive.DocumentControl()
        plan.pages.append(document_page(doc, root, by_slug, options, plan, control, notice, (sections or {}).get(doc.slug, "")))
        rows.append(Row(doc, control_fields(doc, control)))
        facts[doc.path] = control_facts(control)
    archived = archived_pages(documents, history, by_slug, options, plan) if history and history.available else []
    plan.pages.append(master_list_page(rows, notice))
    plan.pages.append(archive_list_page(rows, archived, notice))
    plan.pages.append(grouped_page("linh-vuc/index.md", "Tài liệu theo lĩnh vực", rows, lambda r: r.doc.meta.field or "Chưa phân lĩnh vực"))
    plan.pages.append(grouped_page("don-vi/index.md", "Tài liệu theo đơn vị", rows, lambda r: r.doc.meta.unit))
    register = load_register(root)
    flags = {f.document.path: f.reason for f in flagged_documents(documents, register)}
    plan.pages.append(review_page(documents, options.as_of or dt.date.today(), flags))
    legal_html = legal.legal_page_html(documents, register)
    plan.pages.append(PlannedPage(legal.SRC_URI, legal.TITLE, "", lambda _: legal_html, searchable=False))
    plan.files.update(_api_files(rows, facts, documents, root, options))
    return plan


def api_files(documents: list[Document], root: Path, options: SiteOptions, history: History | None = None) -> dict[str, bytes]:
    """Only the machine-readable files (``api/``), without any page: what the province reads."""
    rows, facts = [], {}
    for doc in sorted(documents, key=lambda d: d.slug):
        control = archive.control_of(doc, history, options.repo_url) if history and history.available else archive.DocumentControl()
        rows.append(Row(doc, control_fields(doc, control)))
        facts[doc.path] = control_facts(control)
    return _api_files(rows, facts, documents, root, options)


def _api_files(rows: list[Row], facts: dict[str, qms.ControlFacts], documents: list[Document], root: Path,
               options: SiteOptions) -> dict[str, bytes]:
    as_of = options.as_of or dt.date.today()
    status = qms.qms_status(documents, facts, options.lags, options.agency, as_of, options.nonconformities,
                            options.check)
    return {"api/documents.json": documents_json(rows), "api/qms.json": qms.qms_json(status)}


def control_facts(control: archive.DocumentControl) -> qms.ControlFacts:
    if control.current is None:
        return qms.ControlFacts(None, None)
    approved = [change.date for row in control.rows for change in row.changes if change.approved]
    return qms.ControlFacts(control.current.approved, max(approved) if approved else None)


def history_notice(history: History | None) -> str:
    if history is None or not history.available:
        if history is not None and history.notice:
            return history.notice
        return "Không có lịch sử git: không hiển thị được lịch sử sửa đổi và phê duyệt."
    return history.notice or ""


def control_fields(doc: Document, control: archive.DocumentControl) -> dict[str, Any]:
    """History-derived columns of the master list and of api/documents.json."""
    current = control.current
    last = current.changes[-1] if current else None
    review = next_review(doc)
    return {
        "mr": last.mr_ref if last and last.mr_ref else None,
        "mr_url": last.mr_url if last else None,
        "approvers": list(current.approvers) if current else [],
        "approved": bool(current and current.approved),
        "approval_state": control.approval_state,
        "last_change": control.last_change,
        "next_review": review.isoformat() if review else None,
    }


def document_page(doc: Document, root: Path, by_slug: dict[str, Document], options: SiteOptions, plan: SitePlan,
                  control: archive.DocumentControl | None = None, notice: str = "", section: str = "") -> PlannedPage:
    url = doc.url
    base = base_of(url)
    form_links = publish_forms(plan, url, {f.code: resolve_attachment(doc, f.file, root) for f in doc.meta.forms if f.file})
    actions = change_actions(options.repo_url, options.edit_branch, doc.path, doc.meta.code, doc.meta.title)
    revisions = renderer.render("revisions.html", control=control or archive.DocumentControl(), notice=notice, base=base,
                                imported=doc.meta.history_before_git)
    banner = DRAFT_PREVIEW_BANNER if doc.slug in options.draft_slugs else status_banner(doc)
    lag = next((entry for entry in options.lags if entry.code == doc.meta.code), None)
    render = document_renderer(doc, base, by_slug, form_links=form_links, actions=actions, banner=banner,
                               extra=section + revisions, lag=lag)
    return PlannedPage(f"{url}index.md", doc.meta.title, protect_template_text(doc.body), render, doc,
                       searchable=doc.meta.status is Status.effective)


def document_renderer(doc: Document, base: str, by_slug: dict[str, Document], **values: Any) -> Callable[[str], str]:
    """The page of a document (current, superseded or deleted) around its sanitised body HTML."""
    values = dict(doc=doc, form_links={}, actions=[], banner=None, extra="", timing=step_timing(doc), lag=None,
                  related=[_related(code, by_slug, base) for code in doc.meta.related]) | values
    return lambda body_html: renderer.render("document.html", body=body_html, **values)


def publish_forms(plan: SitePlan, page_url: str, sources: dict[str, Path | None]) -> dict[str, str]:
    """Copy each form file beside its page (``bieu-mau/``) under a safe download name; returns
    code -> link from the page. Sources come from ``resolve_attachment``, which only lets
    published document formats inside the procedures folder through; the format is checked
    again here so that nothing else can ever become a page or a script on the portal."""
    links, taken = {}, set()
    for code, source in sources.items():
        if source is None or source.suffix.lower().lstrip(".") not in ALLOWED_FORMATS or not source.is_file():
            continue
        name = download_name(source, taken)
        plan.copies[f"{page_url}bieu-mau/{name}"] = source
        links[code] = f"bieu-mau/{name}"
    return links


def archived_page(old: Document, url: str, banner: dict[str, str], by_slug: dict[str, Document]) -> PlannedPage:
    """A superseded revision or a deleted document: rendered as it was, never searchable or indexed."""
    render = document_renderer(old, base_of(url), by_slug, banner=banner)
    return PlannedPage(f"{url}index.md", f"{old.meta.title} (lần {old.meta.revision}, hết hiệu lực)",
                       protect_template_text(old.body), render, old, searchable=False, noindex=True)


def archived_pages(documents: list[Document], history: History, by_slug: dict[str, Document],
                   options: SiteOptions, plan: SitePlan) -> list[dict[str, Any]]:
    """Pages of superseded revisions and deleted documents; returns the archive list's items."""
    items = []
    for doc in documents:
        for old in archive.superseded_documents(doc, history):
            url = archive.superseded_url(doc.url, old.meta.revision)
            banner = make_banner("superseded", OBSOLETE, f"đây là lần ban hành {old.meta.revision}, đã được thay thế "
                                 f"bởi lần ban hành {doc.meta.revision}.", base_of(url) + doc.url, "Xem bản hiện hành")
            plan.pages.append(archived_page(old, url, banner, by_slug))
            items.append(_archive_item(old, url, f"Đã thay thế bởi lần {doc.meta.revision}"))
    for old, deletion in archive.deleted_documents(history, set(by_slug)):
        if code_problem(old.meta.code):  # a code that cannot own a URL (look-alike, empty slug) gets no page
            continue
        url = old.url
        banner = make_banner("withdrawn", OBSOLETE,
                             f"tài liệu đã bị hủy bỏ (xóa khỏi hệ thống ngày {format_date(deletion.date[:10])}).")
        plan.pages.append(archived_page(old, url, banner, by_slug))
        items.append(_archive_item(old, url, f"Đã hủy bỏ ngày {format_date(deletion.date[:10])}"))
    return items


def _archive_item(doc: Document, url: str, state: str) -> dict[str, Any]:
    meta = doc.meta
    return {"code": meta.code, "title": meta.title, "revision": meta.revision,
            "effective": meta.effective.isoformat() if meta.effective else "", "url": url, "state": state}


def _related(code: str, by_slug: dict[str, Document], base: str) -> dict[str, str]:
    target = by_slug.get(slugify(code))
    if target is None:
        return {"code": code, "title": "", "url": ""}
    return {"code": target.meta.code, "title": target.meta.title, "url": base + target.url}


OBSOLETE = "HẾT HIỆU LỰC — chỉ để tham khảo"


def make_banner(kind: str, title: str, text: str, link: str = "", link_text: str = "") -> dict[str, str]:
    return {"kind": kind, "title": title, "text": text, "link": link, "link_text": link_text}


DRAFT_PREVIEW_BANNER = make_banner("draft", "BẢN DỰ THẢO — chưa phê duyệt",
                                   "trang này thuộc bản xem trước của một yêu cầu hợp nhất, chưa được ban hành.")


def status_banner(doc: Document) -> dict[str, str] | None:
    if doc.meta.status is Status.draft:
        return make_banner("draft", "DỰ THẢO", "tài liệu chưa được phê duyệt ban hành, không dùng để giải quyết công việc.")
    if doc.meta.status is Status.withdrawn:
        return make_banner("withdrawn", "HẾT HIỆU LỰC", "tài liệu đã bị hủy bỏ, chỉ để tham khảo.")
    return None


def step_timing(doc: Document) -> dict[str, str]:
    """Total of the step table and how it compares with the shortest statutory time, as shown."""
    budget = durations.step_budget(doc.meta.steps, doc.meta.tthc.channels if doc.meta.tthc else [])
    if budget.incomparable:
        return {"total": "không cộng được (đơn vị khác loại)", "limit": "", "verdict": "", "verdict_kind": ""}
    verdict, kind = {True: ("Vượt thời hạn", "bad"), False: ("Đạt", "ok"), None: ("", "")}[budget.over]
    return {"total": str(budget.total) if budget.total else "", "limit": durations.format_duration(budget.limit),
            "verdict": verdict if budget.total else "", "verdict_kind": kind}


@dataclass
class Row:
    """One document in the lists; columns read from it."""

    doc: Document
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Column:
    label: str
    value: Callable[[Row], Any]
    sort: Callable[[Row], Any] | None = None


LIST_COLUMNS: list[Column] = [
    Column("Loại", lambda r: renderer.environment().filters["kind_label"](r.doc.meta.kind)),
    Column("Lần ban hành", lambda r: r.doc.meta.revision, lambda r: f"{r.doc.meta.revision:04d}"),
    Column("Ngày hiệu lực", lambda r: format_date(r.doc.meta.effective), lambda r: str(r.doc.meta.effective or "")),
    Column("Trạng thái", lambda r: renderer.environment().filters["status_label"](r.doc.meta.status)),
    Column("Đơn vị", lambda r: r.doc.meta.unit),
]


CONTROL_COLUMNS = [
    Column("MR", lambda r: r.extra.get("mr") or "—"),
    Column("Phê duyệt", lambda r: ", ".join(r.extra.get("approvers") or []) or r.extra.get("approval_state", "")),
    Column("Thay đổi gần nhất", lambda r: format_date(r.extra.get("last_change")), lambda r: r.extra.get("last_change") or ""),
    Column("Hạn xem xét", lambda r: format_date(r.extra.get("next_review")), lambda r: r.extra.get("next_review") or ""),
]


def master_list_page(rows: list[Row], notice: str = "") -> PlannedPage:
    title = "Danh mục tài liệu"
    current = [r for r in rows if r.doc.meta.status is not Status.withdrawn]
    intro = (f"Danh mục {len(current)} tài liệu của hệ thống quản lý chất lượng. "
             "Bấm vào tiêu đề cột để sắp xếp. Tài liệu hết hiệu lực xem ở mục Lưu trữ.")
    html = renderer.render("master_list.html", title=title, intro=intro, rows=current,
                           columns=LIST_COLUMNS + CONTROL_COLUMNS, base="../", notice=notice)
    return PlannedPage("danh-muc/index.md", title, "", lambda _: html, searchable=False)


def archive_list_page(rows: list[Row], archived: list[dict[str, Any]], notice: str) -> PlannedPage:
    withdrawn = [_archive_item(r.doc, r.doc.url, "Hết hiệu lực") for r in rows if r.doc.meta.status is Status.withdrawn]
    items = sorted(withdrawn + archived, key=lambda i: (slugify(i["code"]), i["revision"]))
    html = renderer.render("archive_list.html", title="Lưu trữ tài liệu hết hiệu lực", items=items, notice=notice, base="../../")
    return PlannedPage("danh-muc/luu-tru/index.md", "Lưu trữ tài liệu hết hiệu lực", "", lambda _: html, searchable=False)


def review_page(documents: list[Document], as_of: dt.date, flagged: dict[str, str] | None = None) -> PlannedPage:
    schedule = review_schedule(documents, as_of, flagged)
    due = [r for r in schedule if r.days_left <= DUE_SOON_DAYS]
    later = [r for r in schedule if r.days_left > DUE_SOON_DAYS]
    html = renderer.render("review_list.html", title="Xem xét định kỳ", rows=due, later=later, as_of=as_of, base="../")
    return PlannedPage("xem-xet-dinh-ky/index.md", "Xem xét định kỳ", "", lambda _: html, searchable=False)


def grouped_page(src_uri: str, title: str, rows: list[Row], key: Callable[[Row], str]) -> PlannedPage:
    groups: dict[str, list[Row]] = {}
    for row in rows:
        groups.setdefault(key(row), []).append(row)
    ordered = [
        {"name": name, "anchor": slugify(name) or "khac", "rows": groups[name]}
        for name in sorted(groups, key=fold)
    ]
    html = renderer.render("grouped.html", title=title, intro="", groups=ordered, columns=LIST_COLUMNS, base="../")
    return PlannedPage(src_uri, title, "", lambda _: html, searchable=False)


def document_record(row: Row) -> dict[str, Any]:
    meta = row.doc.meta
    return {
        "code": meta.code,
        "title": meta.title,
        "kind": meta.kind.value,
        "unit": meta.unit,
        "field": meta.field,
        "revision": meta.revision,
        "effective": meta.effective.isoformat() if meta.effective else None,
        "status": meta.status.value,
        "audience": meta.audience.value,
        "url": row.doc.url,
        "path": row.doc.path,
        "based_on": ({"code": row.doc.adoption.code, "revision": row.doc.adoption.revision}
                     if row.doc.adoption else None),
        **row.extra,
    }


def documents_json(rows: list[Row]) -> bytes:
    records = [document_record(row) for row in rows]
    return (json.dumps(records, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode()


def valid_documents(corpus: Corpus, findings: list[Any]) -> list[Document]:
    """Documents without an error finding: the only ones a site may publish."""
    broken = {(f.path) for f in findings if f.severity == "error"}
    return [doc for doc in corpus.documents if doc.path not in broken]
