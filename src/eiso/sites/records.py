"""The intranet's QMS record pages (``ho-so/``): records, registers, and the review inputs.

Records are internal, always: only the intranet plan calls this module, never the public one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eiso.control import archive
from eiso.control.effective import today
from eiso.control.history import History, read_history
from eiso.documents.literal import protect_template_text
from eiso.documents.model import Document
from eiso.documents.text import fold, slugify, fold_order
from eiso.legal.flags import flagged_documents
from eiso.legal.register import load_register
from eiso.records import registers
from eiso.records.closing import Closure, read_closures
from eiso.records.inputs import compile_inputs
from eiso.records.model import (GRADE_LABELS, KIND_LABELS, NC_STATUS_LABELS, SOURCE_LABELS, Action, Audit, Grade,
                                ManagementReview, Nonconformity, Record)
from eiso.sites import renderer
from eiso.sites.forge import merge_request_url
from eiso.sites.intranet import PlannedPage, SiteOptions, base_of
from eiso.sites.svgchart import line_chart

NC_REGISTER = "ho-so/khong-phu-hop/"
AUDIT_PROGRAMME = "ho-so/danh-gia-noi-bo/"
REVIEWS = "ho-so/xem-xet-lanh-dao/"
REVIEW_INPUTS = "ho-so/xem-xet-lanh-dao/dau-vao/"
LABELS = {"grade": GRADE_LABELS, "source": SOURCE_LABELS, "status": NC_STATUS_LABELS, "kind": KIND_LABELS}


def records_as_of(options: SiteOptions) -> dt.date:
    """The day the registers are computed for (overdue, counts, coverage): the build's as-of date."""
    return options.as_of or dt.date.today()


@dataclass
class RecordsPlan:
    pages: list[PlannedPage] = field(default_factory=list)
    document_sections: dict[str, str] = field(default_factory=dict)  # document slug -> HTML for its page


@dataclass
class _Context:
    records: list[Record]
    by_doc: dict[str, Document]
    by_record: dict[str, Record]
    closures: dict[str, list[Closure]]
    as_of: dt.date
    repo_url: str | None
    legal_flags: list[Any] = field(default_factory=list)


def plan_records_site(root: Path, records_dir: str, records: list[Record], documents: list[Document],
                      options: SiteOptions, history: History | None) -> RecordsPlan:
    """Read the records' own history and the closing merge requests, then plan every page."""
    codes = [r.meta.code for r in records if isinstance(r.meta, Nonconformity)]
    record_history = read_history(root, records_dir) if records else None
    try:
        flags = flagged_documents(documents, load_register(root))  # changed laws: a 9.3.2 b) input
        return plan_records(records, documents, options, history, record_history, read_closures(root, codes), flags)
    finally:
        if record_history is not None:
            record_history.close()


def plan_records(records: list[Record], documents: list[Document], options: SiteOptions,
                 history: History | None, record_history: History | None,
                 closures: dict[str, list[Closure]], legal_flags: list[Any] | None = None) -> RecordsPlan:
    ctx = _Context(records, {d.slug: d for d in documents}, {r.slug: r for r in records}, closures,
                   records_as_of(options), options.repo_url, list(legal_flags or []))
    plan = RecordsPlan()
    for record in sorted(records, key=lambda r: r.slug):
        plan.pages.append(record_page(record, ctx, record_history))
    plan.pages.append(nc_register_page(ctx))
    plan.pages.append(audit_programme_page(ctx, documents))
    plan.pages.append(reviews_page(ctx))
    plan.pages.append(review_inputs_page(ctx, documents, history))
    for slug, items in registers.by_document(records, ctx.as_of).items():
        if slug in ctx.by_doc:
            url = ctx.by_doc[slug].url
            plan.document_sections[slug] = renderer.render(
                "record_document_section.html", rows=[nc_row(r, ctx, base_of(url)) for r in items])
    return plan


def nc_row(record: Record, ctx: _Context, base: str) -> dict[str, Any]:
    """One nonconformity as the tables show it, links relative to ``base``."""
    nc: Nonconformity = record.meta  # type: ignore[assignment]
    overdue = registers.overdue_actions(nc, ctx.as_of)
    is_open = registers.is_open(nc, ctx.as_of)
    return {
        "record": record, "nc": nc, "url": base + record.url, "overdue": bool(overdue),
        "overdue_actions": overdue, "open": is_open,
        "actions": [action_state(a, a in overdue, ctx.as_of) for a in nc.actions],
        # A closing dated after the build's day has not happened yet on that day: shown as open, without it
        # (and without the merge request that closes it).
        "closed": None if is_open else nc.closed,
        "unit": registers.unit_of(nc, ctx.by_doc),
        "documents": [_doc_link(code, ctx, base) for code in nc.documents],
        "closures": [_closure(c, ctx) for c in ctx.closures.get(record.slug, []) if happened_by(c.date, ctx.as_of)],
    }


def action_state(action: Action, late: bool, as_of: dt.date) -> dict[str, Any]:
    """One corrective action as it stood on the build's day: a completion dated later is not shown as done."""
    done = action.done if registers.is_done(action.done, as_of) else None
    return {"a": action, "done": done, "late": late, "late_days": (as_of - action.due).days if late else 0}


def happened_by(date: str, as_of: dt.date) -> bool:
    """Whether a commit dated ``date`` (ISO) had happened on ``as_of``. Its author writes that date: one after
    today is not believed but counts as today, so that no commit hides from today's pages by claiming a day to
    come."""
    return min(date[:10], today().isoformat()) <= as_of.isoformat()


def _doc_link(code: str, ctx: _Context, base: str) -> dict[str, str]:
    doc = ctx.by_doc.get(slugify(code))
    return {"code": code, "title": doc.meta.title if doc else "", "url": base + doc.url if doc else ""}


def _record_link(code: str | None, ctx: _Context, base: str) -> dict[str, str] | None:
    if not code:
        return None
    target = ctx.by_record.get(slugify(code))
    return {"code": code, "title": target.meta.title if target else "", "url": base + target.url if target else ""}


def _closure(closure: Closure, ctx: _Context) -> dict[str, str]:
    return {"ref": closure.ref, "title": closure.title, "date": closure.date,
            "url": merge_request_url(ctx.repo_url, closure.ref) or "",
            "via": "trailer Closes-nc" if closure.via == "trailer" else "tiêu đề yêu cầu hợp nhất"}


def record_page(record: Record, ctx: _Context, record_history: History | None) -> PlannedPage:
    base = base_of(record.url)
    # Changes merged after the build's day had not happened on that day (as the closing merge requests).
    changes = ([archive.change_row(c, ctx.repo_url) for c in record_history.changes(record.path)
                if not c.deleted and happened_by(c.date, ctx.as_of)]
               if record_history is not None and record_history.available else [])
    values: dict[str, Any] = {"r": record, "m": record.meta, "base": base, "labels": LABELS, "changes": changes,
                              "as_of": ctx.as_of, "kind": record.meta.kind.value}
    meta = record.meta
    if isinstance(meta, Nonconformity):
        values |= {"row": nc_row(record, ctx, base), "audit": _record_link(meta.audit, ctx, base)}
    elif isinstance(meta, Audit):
        values |= {"documents": [_doc_link(c, ctx, base) for c in meta.scope.documents],
                   "findings": [nc_row(ctx.by_record[slugify(c)], ctx, base) for c in meta.findings
                                if isinstance(getattr(ctx.by_record.get(slugify(c)), "meta", None), Nonconformity)]}
    elif isinstance(meta, ManagementReview):
        values |= {"decisions": [_decision(d, ctx.as_of) for d in meta.decisions]}
    render = renderer.PageTemplate("record.html", **values)
    return PlannedPage(f"{record.url}index.md", f"{meta.code} – {meta.title}", protect_template_text(record.body),
                       render, searchable=False)


def _decision(decision: Any, as_of: dt.date) -> dict[str, Any]:
    done = registers.is_done(decision.done, as_of)
    overdue = not done and decision.due is not None and decision.due < as_of
    return {"d": decision, "done": done, "overdue": overdue}


def nc_register_page(ctx: _Context) -> PlannedPage:
    base = base_of(NC_REGISTER)
    rows = [nc_row(r, ctx, base) for r in registers.nonconformities(ctx.records) if r.meta.found <= ctx.as_of]
    facets = {
        "status": [(s.value, label) for s, label in NC_STATUS_LABELS.items()],
        "grade": [(g.value, label) for g, label in GRADE_LABELS.items()],
        "source": [(s.value, label) for s, label in SOURCE_LABELS.items()],
        "unit": [(fold(u), u) for u in sorted({row["unit"] for row in rows if row["unit"]}, key=fold_order)],
        "clause": [(c, c) for c in sorted({row["nc"].clause for row in rows}, key=_clause_key)],
    }
    counts = registers.nonconformity_counts(ctx.records, ctx.as_of)
    page = renderer.PageTemplate("nc_register.html", shows_bodies=False, title="Sổ theo dõi sự không phù hợp và hành động khắc phục",
                                 rows=rows, facets=facets, counts=counts, grades=GRADE_LABELS, as_of=ctx.as_of,
                                 base=base, labels=LABELS, fold=fold)
    return PlannedPage(f"{NC_REGISTER}index.md", "Sổ theo dõi sự không phù hợp", "", page, searchable=False)


def _clause_key(clause: str) -> tuple[int, ...]:
    return tuple(int(part) for part in clause.split(".") if part.isdigit())


def audit_programme_page(ctx: _Context, documents: list[Document]) -> PlannedPage:
    base = base_of(AUDIT_PROGRAMME)
    by_year: dict[int, list[dict[str, Any]]] = {}
    for record in registers.audits(ctx.records):
        meta: Audit = record.meta  # type: ignore[assignment]
        findings = [ctx.by_record.get(slugify(c)) for c in meta.findings]
        grades = [f.meta.grade for f in findings if f is not None and isinstance(f.meta, Nonconformity)]
        by_year.setdefault(meta.date.year, []).append({
            "record": record, "m": meta, "url": base + record.url,
            "documents": [_doc_link(c, ctx, base) for c in meta.scope.documents],
            "grades": {g: grades.count(g) for g in Grade}})
    coverage = registers.audit_coverage(ctx.records, documents, ctx.as_of)
    page = renderer.PageTemplate("audit_programme.html", shows_bodies=False, title="Chương trình đánh giá nội bộ",
                                 years=sorted(by_year.items(), reverse=True), coverage=coverage, as_of=ctx.as_of,
                                 base=base, grades=GRADE_LABELS)
    return PlannedPage(f"{AUDIT_PROGRAMME}index.md", "Chương trình đánh giá nội bộ", "", page, searchable=False)


def reviews_page(ctx: _Context) -> PlannedPage:
    base = base_of(REVIEWS)
    items = [{"record": r, "m": r.meta, "url": base + r.url, "decisions": [_decision(d, ctx.as_of) for d in r.meta.decisions]}
             for r in reversed(registers.reviews(ctx.records))]
    page = renderer.PageTemplate("management_reviews.html", shows_bodies=False, title="Xem xét của lãnh đạo", items=items, as_of=ctx.as_of,
                                 base=base)
    return PlannedPage(f"{REVIEWS}index.md", "Xem xét của lãnh đạo", "", page, searchable=False)


def review_inputs_page(ctx: _Context, documents: list[Document], history: History | None) -> PlannedPage:
    base = base_of(REVIEW_INPUTS)
    inputs = compile_inputs(ctx.records, documents, history, ctx.as_of, ctx.legal_flags)
    charts = {s.number: line_chart([(m.period, m.value) for m in s.points], f"Mục tiêu {s.number}") for s in inputs.objectives}
    nc_rows = {r.url: nc_row(r, ctx, base) for r in registers.nonconformities(ctx.records)}
    page = renderer.PageTemplate("review_inputs.html", shows_bodies=False, title="Báo cáo đầu vào xem xét của lãnh đạo", i=inputs,
                                 charts=charts, base=base, grades=GRADE_LABELS, nc_rows=nc_rows,
                                 history_available=bool(history and history.available))
    return PlannedPage(f"{REVIEW_INPUTS}index.md", "Báo cáo đầu vào xem xét của lãnh đạo", "", page, searchable=False)
