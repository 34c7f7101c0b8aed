"""What the intranet site contains: generated pages, data files and attachments.

Engine-independent: an adapter (the MkDocs plugin) turns this plan into pages
of its engine and calls ``PlannedPage.render`` with the body's HTML.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import datetime as dt

from eiso.control import archive, effective
from eiso.control.approvals import Approver
from eiso.documents import durations
from eiso.sites import qms, renderer
from eiso.sites.api_json import records_json
from eiso.sites.renderer.identity import Identities
from eiso.documents.attachments import ALLOWED_FORMATS, download_name
from eiso.documents.checks import duplicate_codes, resolve_attachment
from eiso.documents.textrules import code_problem
from eiso.control.history import History
from eiso.sites.forge import change_actions
from eiso.documents.literal import protect_template_text
from eiso.documents.loader import Corpus
from eiso.documents import model
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
    check_errors: tuple[qms.CheckError, ...] = ()  # those errors, for the province (api/qms.json)
    nonconformities: tuple[int, int] = (0, 0)  # open, and open with an overdue action, as of as_of (records/)


@dataclass
class PlannedPage:
    src_uri: str  # e.g. "quy-trinh/qt-ht-01/index.md"
    title: str
    markdown: str  # untrusted Markdown for documents; empty for generated indexes
    render: renderer.PageTemplate  # the page around its body's HTML
    document: Document | None = None  # or the public projection of one
    searchable: bool = True
    noindex: bool = False
    wide: bool = False  # a list that needs the whole width: no navigation sidebar beside it

    @property
    def url(self) -> str:
        return posixpath.dirname(self.src_uri) + "/"

    def identity(self, identities: Identities) -> str:
        """Everything but the body that decides what ``render`` makes (keys the build cache)."""
        return self.render.identity(identities)


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
    as_of = options.as_of or effective.today()
    by_slug = {doc.slug: doc for doc in documents}
    notice = history_notice(history)
    known = history if history and history.available else None
    rows = []
    facts: dict[str, qms.ControlFacts] = {}
    lines = [effective.timeline(doc, known, as_of) for doc in sorted(documents, key=lambda d: d.slug)]
    for line in lines:
        row = timeline_pages(line, root, by_slug, options, plan, known, notice, (sections or {}).get(line.head.slug, ""))
        rows.append(row)
        facts[line.head.path] = control_facts(row.control)
    archived = archived_pages(lines, known, by_slug, plan) if known else []
    plan.pages.append(master_list_page(rows, notice))
    plan.pages.append(archive_list_page(rows, archived, notice))
    listed = [r for row in rows for r in (row, row.upcoming) if r is not None]
    plan.pages.append(grouped_page("linh-vuc/index.md", "Tài liệu theo lĩnh vực", listed, lambda r: r.doc.meta.field or "Chưa phân lĩnh vực"))
    plan.pages.append(grouped_page("don-vi/index.md", "Tài liệu theo đơn vị", listed, lambda r: r.doc.meta.unit))
    in_force = [line.current for line in lines if line.current is not None]
    register = load_register(root)
    flags = {f.document.path: f.reason for f in flagged_documents(in_force, register)}
    plan.pages.append(review_page(in_force, as_of, flags))
    plan.pages.append(PlannedPage(legal.SRC_URI, legal.TITLE, "", legal.legal_page(documents, register),
                                  searchable=False))
    plan.files.update(_api_files(rows, facts, [row.doc for row in rows], root, options))
    return plan


def timeline_pages(line: effective.Timeline, root: Path, by_slug: dict[str, Document], options: SiteOptions,
                   plan: SitePlan, history: History | None, notice: str, section: str = "") -> "Row":
    """The pages of one document on the as-of date; returns its row of the lists."""
    head, current = line.head, line.current
    if line.upcoming is None or current is None:
        control = (archive.control_of(head, history, options.repo_url, options.approvers) if history
                   else archive.DocumentControl())
        # Nothing in force yet: the page is the coming revision, bannered and kept out of search.
        coming = dict(banner=upcoming_banner(head), status_text=upcoming_status(head), searchable=False,
                      noindex=True) if line.not_yet else {}
        plan.pages.append(document_page(head, root, by_slug, options, plan, control, notice, section, **coming))
        return Row(head, control_fields(head, control), status=upcoming_status(head) if line.not_yet else "",
                   control=control)
    upcoming_url = None if line.withdrawal else f"{head.url}{UPCOMING_DIR}"
    control = (archive.control_of(head, history, options.repo_url, options.approvers, current.meta.revision,
                                  upcoming_url) if history else archive.DocumentControl())
    plan.pages.append(document_page(current, root, by_slug, options, plan, control, notice, section, url=head.url,
                                    banner=announce_banner(head, upcoming_url)))
    row = Row(current, control_fields(current, control), url=head.url, control=control)
    if upcoming_url:
        plan.pages.append(document_page(head, root, by_slug, options, plan, control, notice, url=upcoming_url,
                                        banner=upcoming_banner(head, base_of(upcoming_url) + head.url),
                                        status_text=upcoming_status(head), searchable=False, noindex=True))
    row.upcoming = Row(head, {}, url=upcoming_url or head.url, status=upcoming_status(head))
    return row


def api_files(documents: list[Document], root: Path, options: SiteOptions, history: History | None = None) -> dict[str, bytes]:
    """Only the machine-readable files (``api/``), without any page: what the province reads."""
    known = history if history and history.available else None
    as_of = options.as_of or effective.today()
    rows, facts = [], {}
    for line in (effective.timeline(doc, known, as_of) for doc in sorted(documents, key=lambda d: d.slug)):
        doc, head = line.current or line.head, line.head
        control = (archive.control_of(head, known, options.repo_url, options.approvers, doc.meta.revision)
                   if known else archive.DocumentControl())
        row = Row(doc, control_fields(doc, control), url=head.url,
                  status=upcoming_status(head) if line.not_yet else "")
        if line.upcoming is not None and line.current is not None:
            row.upcoming = Row(head, {}, url=head.url if line.withdrawal else f"{head.url}{UPCOMING_DIR}",
                               status=upcoming_status(head))
        rows.append(row)
        facts[head.path] = control_facts(control)
    return _api_files(rows, facts, [row.doc for row in rows], root, options)


def _api_files(rows: list[Row], facts: dict[str, qms.ControlFacts], documents: list[Document], root: Path,
               options: SiteOptions) -> dict[str, bytes]:
    as_of = options.as_of or effective.today()
    status = qms.qms_status(documents, facts, options.lags, options.agency, as_of, options.nonconformities,
                            options.check, options.check_errors)
    return {"api/documents.json": documents_json(rows), "api/qms.json": qms.qms_json(status)}


def control_facts(control: archive.DocumentControl | None) -> qms.ControlFacts:
    if control is None or control.current is None:
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
                  control: archive.DocumentControl | None = None, notice: str = "", section: str = "", *,
                  url: str | None = None, banner: dict[str, str] | None = None, status_text: str = "",
                  searchable: bool | None = None, noindex: bool = False) -> PlannedPage:
    url = url or doc.url
    base = base_of(url)
    form_links = publish_forms(plan, url, {f.code: resolve_attachment(doc, f.file, root) for f in doc.meta.forms if f.file})
    actions = change_actions(options.repo_url, options.edit_branch, doc.path, doc.meta.code, doc.meta.title)
    revisions = renderer.Fragment("revisions.html", control=control or archive.DocumentControl(), notice=notice,
                                  base=base, imported=doc.meta.history_before_git)
    if doc.slug in options.draft_slugs:
        banner = DRAFT_PREVIEW_BANNER
    lag = next((entry for entry in options.lags if entry.code == doc.meta.code), None)
    render = document_renderer(doc, base, by_slug, form_links=form_links, actions=actions,
                               banner=banner or status_banner(doc), extra=section, revisions=revisions,
                               status_text=status_text, lag=lag)
    return PlannedPage(f"{url}index.md", doc.meta.title, protect_template_text(doc.body), render, doc,
                       searchable=doc.meta.status is Status.effective if searchable is None else searchable,
                       noindex=noindex)


def document_renderer(doc: Document, base: str, by_slug: dict[str, Document], **values: Any) -> renderer.PageTemplate:
    """The page of a document (current, superseded or deleted) around its sanitised body HTML."""
    values = dict(doc=doc, form_links={}, actions=[], banner=None, extra="", revisions=None, timing=step_timing(doc),
                  status_text="", lag=None,
                  related=[_related(code, by_slug, base) for code in doc.meta.related]) | values
    return renderer.PageTemplate("document.html", **values)


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
    render = document_renderer(old, base_of(url), by_slug, banner=banner, status_text=OBSOLETE_STATUS)
    return PlannedPage(f"{url}index.md", f"{old.meta.title} (lần {old.meta.revision}, hết hiệu lực)",
                       protect_template_text(old.body), render, old, searchable=False, noindex=True)


def archived_pages(lines: list[effective.Timeline], history: History, by_slug: dict[str, Document],
                   plan: SitePlan) -> list[dict[str, Any]]:
    """Pages of superseded revisions and deleted documents; returns the archive list's items."""
    items = []
    for line in lines:
        doc, current = line.head, line.current
        if current is None:
            continue
        for old in archive.superseded_documents(doc, history, current.meta.revision):
            url = archive.superseded_url(doc.url, old.meta.revision)
            banner = make_banner("superseded", OBSOLETE, f"đây là lần ban hành {old.meta.revision}, đã được thay thế "
                                 f"bởi lần ban hành {current.meta.revision}.", base_of(url) + doc.url, "Xem bản hiện hành")
            plan.pages.append(archived_page(old, url, banner, by_slug))
            items.append(_archive_item(old, url, f"Hết hiệu lực, đã thay thế bởi lần {current.meta.revision}"))
    for old, deletion in archive.deleted_documents(history, set(by_slug)):
        if code_problem(old.meta.code):  # a code that cannot own a URL (look-alike, empty slug) gets no page
            continue
        url = old.url
        banner = make_banner("withdrawn", OBSOLETE,
                             f"tài liệu đã bị hủy bỏ (xóa khỏi hệ thống ngày {format_date(deletion.date[:10])}).")
        plan.pages.append(archived_page(old, url, banner, by_slug))
        items.append(_archive_item(old, url, f"Hết hiệu lực, đã hủy bỏ ngày {format_date(deletion.date[:10])}"))
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
OBSOLETE_STATUS = "Hết hiệu lực"
UPCOMING_DIR = "sap-hieu-luc/"


def make_banner(kind: str, title: str, text: str, link: str = "", link_text: str = "") -> dict[str, str]:
    return {"kind": kind, "title": title, "text": text, "link": link, "link_text": link_text}


DRAFT_PREVIEW_BANNER = make_banner("draft", "BẢN DỰ THẢO — chưa phê duyệt",
                                   "trang này thuộc bản xem trước của một yêu cầu hợp nhất, chưa được ban hành.")


def upcoming_status(doc: Document) -> str:
    if doc.meta.status is Status.withdrawn:
        return f"Hết hiệu lực từ ngày {format_date(doc.meta.effective)}"
    return f"Sắp có hiệu lực từ ngày {format_date(doc.meta.effective)}"


def upcoming_banner(doc: Document, link: str = "") -> dict[str, str]:
    """The page of a revision not in force yet (DESIGN.md, "Effective dates")."""
    text = f"lần ban hành {doc.meta.revision} chưa áp dụng; tiếp tục dùng bản hiện hành đến hết ngày trước đó."
    return make_banner("upcoming", upcoming_status(doc).upper(), text, link, "Xem bản hiện hành" if link else "")


def announce_banner(coming: Document, upcoming_url: str | None) -> dict[str, str]:
    """What the page in force says of the coming change."""
    day = format_date(coming.meta.effective)
    if upcoming_url is None:
        return make_banner("announce", f"Sắp hết hiệu lực từ ngày {day}",
                           "tài liệu đã được quyết định hủy bỏ; bản này vẫn áp dụng đến hết ngày trước đó.")
    return make_banner("announce", f"Lần ban hành {coming.meta.revision} sắp có hiệu lực từ ngày {day}",
                       "bản dưới đây vẫn là bản hiện hành đến hết ngày trước đó.", "sap-hieu-luc/",
                       f"Xem lần ban hành {coming.meta.revision}")


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
    url: str = ""  # the page's URL when it is not the document's own
    status: str = ""  # the status as stated on the as-of date, when not the front matter's
    upcoming: "Row | None" = None  # the revision (or withdrawal) that takes effect later
    control: "archive.DocumentControl | None" = None  # its revision table, for the QMS figures

    @property
    def link(self) -> str:
        return self.url or self.doc.url

    @property
    def status_text(self) -> str:
        return self.status or model.STATUS_LABELS[self.doc.meta.status]


@dataclass(frozen=True)
class Column:
    label: str
    value: Callable[[Row], Any]
    sort: Callable[[Row], Any] | None = None
    css: str = ""  # class of the column's cells: how it may wrap


#: Kind names short enough for a column of the lists (the full names are on each document's page).
KIND_SHORT_LABELS = {
    "policy": "Chính sách chất lượng", "objectives": "Mục tiêu chất lượng", "manual": "Sổ tay chất lượng",
    "system": "Quy trình hệ thống", "tthc": "Quy trình TTHC", "internal": "Quy trình nội bộ", "guide": "Hướng dẫn",
}

LIST_COLUMNS: list[Column] = [
    Column("Loại", lambda r: KIND_SHORT_LABELS.get(r.doc.meta.kind.value, r.doc.meta.kind.value), css="eiso-kind"),
    Column("Lần ban hành", lambda r: r.doc.meta.revision, lambda r: f"{r.doc.meta.revision:04d}"),
    Column("Ngày hiệu lực", lambda r: format_date(r.doc.meta.effective), lambda r: str(r.doc.meta.effective or ""), "eiso-nowrap"),
    Column("Trạng thái", lambda r: r.status_text, css="eiso-nowrap"),
    Column("Đơn vị", lambda r: r.doc.meta.unit),
]


CONTROL_COLUMNS = [
    Column("Yêu cầu hợp nhất", lambda r: renderer.mr_number(r.extra.get("mr")) or "—"),
    # Names only when the current revision is approved throughout; otherwise the state says what is missing.
    Column("Phê duyệt", lambda r: ", ".join(r.extra.get("approvers") or []) if r.extra.get("approved")
           else r.extra.get("approval_state", "")),
    Column("Thay đổi gần nhất", lambda r: format_date(r.extra.get("last_change")), lambda r: r.extra.get("last_change") or "",
           "eiso-nowrap"),
    Column("Hạn xem xét", lambda r: format_date(r.extra.get("next_review")), lambda r: r.extra.get("next_review") or "",
           "eiso-nowrap"),
]


def master_list_page(rows: list[Row], notice: str = "") -> PlannedPage:
    title = "Danh mục tài liệu"
    current = [r for r in rows if r.doc.meta.status is not Status.withdrawn]
    listed = [r for row in current for r in (row, row.upcoming) if r is not None]
    intro = (f"Danh mục {len(current)} tài liệu của hệ thống quản lý chất lượng. "
             "Bấm vào tiêu đề cột để sắp xếp. Tài liệu hết hiệu lực xem ở mục Lưu trữ.")
    page = renderer.PageTemplate("master_list.html", shows_bodies=False, title=title, intro=intro, rows=listed,
                                 columns=LIST_COLUMNS + CONTROL_COLUMNS, base="../", notice=notice)
    return PlannedPage("danh-muc/index.md", title, "", page, searchable=False, wide=True)


def archive_list_page(rows: list[Row], archived: list[dict[str, Any]], notice: str) -> PlannedPage:
    withdrawn = [_archive_item(r.doc, r.doc.url, "Hết hiệu lực") for r in rows if r.doc.meta.status is Status.withdrawn]
    items = sorted(withdrawn + archived, key=lambda i: (slugify(i["code"]), i["revision"]))
    page = renderer.PageTemplate("archive_list.html", shows_bodies=False, title="Lưu trữ tài liệu hết hiệu lực",
                                 items=items, notice=notice, base="../../")
    return PlannedPage("danh-muc/luu-tru/index.md", "Lưu trữ tài liệu hết hiệu lực", "", page, searchable=False)


def review_page(documents: list[Document], as_of: dt.date, flagged: dict[str, str] | None = None) -> PlannedPage:
    schedule = review_schedule(documents, as_of, flagged)
    due = [r for r in schedule if r.days_left <= DUE_SOON_DAYS]
    later = [r for r in schedule if r.days_left > DUE_SOON_DAYS]
    page = renderer.PageTemplate("review_list.html", shows_bodies=False, title="Xem xét định kỳ", rows=due, later=later,
                                 as_of=as_of, base="../")
    return PlannedPage("xem-xet-dinh-ky/index.md", "Xem xét định kỳ", "", page, searchable=False)


def grouped_page(src_uri: str, title: str, rows: list[Row], key: Callable[[Row], str]) -> PlannedPage:
    groups: dict[str, list[Row]] = {}
    for row in rows:
        groups.setdefault(key(row), []).append(row)
    ordered = [
        {"name": name, "anchor": slugify(name) or "khac", "rows": groups[name]}
        for name in sorted(groups, key=fold)
    ]
    page = renderer.PageTemplate("grouped.html", shows_bodies=False, title=title, intro="", groups=ordered,
                                 columns=LIST_COLUMNS, base="../")
    return PlannedPage(src_uri, title, "", page, searchable=False)


def document_record(row: Row) -> dict[str, Any]:
    meta = row.doc.meta
    record = {
        "code": meta.code,
        "title": meta.title,
        "kind": meta.kind.value,
        "unit": meta.unit,
        "field": meta.field,
        "revision": meta.revision,
        "effective": meta.effective.isoformat() if meta.effective else None,
        "status": meta.status.value,
        "status_label": row.status_text,
        "audience": meta.audience.value,
        "url": row.link,
        "path": row.doc.path,
        "based_on": ({"code": row.doc.adoption.code, "revision": row.doc.adoption.revision}
                     if row.doc.adoption else None),
        **row.extra,
    }
    if row.upcoming is not None:
        coming = row.upcoming.doc.meta
        record["upcoming"] = {"revision": coming.revision, "status": coming.status.value,
                              "effective": coming.effective.isoformat() if coming.effective else None,
                              "status_label": row.upcoming.status_text, "url": row.upcoming.link}
    return record


def documents_json(rows: list[Row]) -> bytes:
    records = [document_record(row) for row in rows]
    return records_json(records)


def valid_documents(corpus: Corpus, findings: list[Any]) -> list[Document]:
    """Documents without an error finding: the only ones a site may publish."""
    broken = {(f.path) for f in findings if f.severity == "error"}
    # A duplicate code is reported once, on its first file; every file sharing it is held back.
    # (Codes refused for their characters clash with nothing, as in the check.)
    sound = [doc for doc in corpus.documents if code_problem(doc.meta.code) is None]
    broken.update(doc.path for clash in duplicate_codes(sound).values() for doc in clash)
    return [doc for doc in corpus.documents if doc.path not in broken]
