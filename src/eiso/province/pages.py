"""The portal's pages as HTML fragments (trusted templates, autoescaped data) and its export files.

Engine-independent: the MkDocs adapter (``eiso.mkdocs.province``) puts them in a Material site.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from eiso.documents.model import STATUS_LABELS, Status
from eiso.province.chart import Segment, column_chart, stacked_bars
from eiso.province.report import (SEVERITY_LABELS, AgencyReport, FrameworkDoc, ProvinceReport, export_csv,
                                  export_json)
from eiso.sites import renderer

SEVERITY_ORDER = {key: str(index) for index, key in enumerate(SEVERITY_LABELS)}
STATE_LABELS = {"ok": "Đúng lần mới nhất", "warn": "Chậm cập nhật", "none": "Chưa áp dụng",
                "missing": "Thiếu dữ liệu"}


@dataclass
class PortalPage:
    src_uri: str  # "co-quan/25123/index.md"
    title: str
    html: str


@dataclass
class PortalPlan:
    title: str
    pages: list[PortalPage] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)


def plan_portal(report: ProvinceReport) -> PortalPlan:
    title = f"Giám sát ISO 9001 — {report.config.name}"
    plan = PortalPlan(title)
    common = {"severity_labels": SEVERITY_LABELS, "severity_order": SEVERITY_ORDER,
              "status_labels": {s.value: STATUS_LABELS[s] for s in Status}, "state_labels": STATE_LABELS}
    rows = [_framework_row(report, doc) for doc in report.framework]
    counts = {key: sum(a.severity == key for a in report.agencies) for key in SEVERITY_LABELS}
    plan.pages.append(_page("index.md", title, "overview.html", common, agencies=report.agencies, counts=counts,
                            framework=report.framework, framework_name=report.config.framework_name,
                            framework_problem=report.framework_problem,
                            problems=[a for a in report.agencies if a.data.problem], chart=_lag_chart(report)))
    plan.pages.append(_page("khung/index.md", "Tài liệu của mô hình khung", "framework_list.html", common,
                            framework=report.framework, framework_problem=report.framework_problem, rows=rows,
                            chart=_framework_chart(rows)))
    for row in rows:
        doc = row["doc"]
        plan.pages.append(_page(f"khung/{doc.slug}/index.md", f"{doc.code} — {doc.title}", "framework_doc.html",
                                common, doc=doc, matrix=row["matrix"], current=row["current"], behind=row["behind"],
                                missing=row["missing"], chart=_revision_chart(doc, row["matrix"])))
    for agency in report.agencies:
        plan.pages.append(_page(f"co-quan/{agency.slug}/index.md", agency.spec.name, "agency.html", common,
                                agency=agency))
    plan.files["xuat/tong-hop.json"] = export_json(report)
    plan.files["xuat/tong-hop.csv"] = export_csv(report)
    return plan


def _page(src_uri: str, title: str, template: str, common: dict[str, Any], **values: Any) -> PortalPage:
    return PortalPage(src_uri, title, renderer.render(f"province/{template}", title=title, **common, **values))


def _framework_row(report: ProvinceReport, doc: FrameworkDoc) -> dict[str, Any]:
    matrix = report.adoption_matrix(doc)
    current = sum(1 for _, rev in matrix if rev is not None and rev >= doc.revision)
    behind = sum(1 for _, rev in matrix if rev is not None and rev < doc.revision)
    return {"doc": doc, "matrix": matrix, "current": current, "behind": behind,
            "missing": len(matrix) - current - behind}


def _lag_chart(report: ProvinceReport) -> str:
    """Adoptions by how far behind the framework's current revision they are."""
    latest = {doc.slug: doc.revision for doc in report.framework}
    buckets = {0: 0, 1: 0, 2: 0}
    for agency in report.agencies:
        for slug, revision in agency.adopted.items():
            if slug in latest:
                buckets[min(max(latest[slug] - revision, 0), 2)] += 1
    columns = [Segment(buckets[0], "ok", "Đúng lần mới nhất"), Segment(buckets[1], "warn", "Chậm 1 lần"),
               Segment(buckets[2], "bad", "Chậm từ 2 lần")]
    return column_chart("Số lượt áp dụng theo độ chậm so với lần ban hành mới nhất của khung", columns)


def _framework_chart(rows: list[dict[str, Any]]) -> str:
    legend = [Segment(0, "ok", "Đúng lần mới nhất"), Segment(0, "warn", "Chậm cập nhật"),
              Segment(0, "none", "Chưa áp dụng / thiếu dữ liệu")]
    bars = [(row["doc"].code, [Segment(row["current"], "ok", legend[0].label), Segment(row["behind"], "warn", legend[1].label),
                               Segment(row["missing"], "none", legend[2].label)]) for row in rows]
    return stacked_bars("Số cơ quan theo tình trạng áp dụng từng tài liệu khung", bars, legend)


def _revision_chart(doc: FrameworkDoc, matrix: list[tuple[AgencyReport, int | None]]) -> str:
    """How many agencies are on each of the framework's revisions of this document."""
    columns = []
    for revision in range(1, doc.revision + 1):
        count = sum(1 for _, rev in matrix if rev == revision)
        columns.append(Segment(count, "ok" if revision == doc.revision else "warn", f"Lần {revision}"))
    columns.append(Segment(sum(1 for _, rev in matrix if rev is None), "none", "Chưa áp dụng"))
    return column_chart(f"Số cơ quan theo lần ban hành áp dụng — {doc.code}", columns)
