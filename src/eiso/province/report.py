"""What the province sees: per agency its numbers and severity, per framework document who adopted what."""

from __future__ import annotations

import csv
import io
import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from eiso.documents.text import fold, slugify
from eiso.province.config import ProvinceConfig
from eiso.province.data import AgencyData, DocumentRecord, api_folder, read_agency, read_json

# Severity of an agency's row, worst first (the colour of the overview table).
SEVERITY_LABELS = {
    "missing": "Thiếu dữ liệu",
    "bad": "Cần xử lý ngay",
    "warn": "Cần theo dõi",
    "ok": "Đạt",
}


@dataclass(frozen=True)
class FrameworkDoc:
    code: str
    title: str
    revision: int  # the framework's current revision

    @property
    def slug(self) -> str:
        return slugify(self.code)


@dataclass(frozen=True)
class Behind:
    code: str  # the agency's code
    framework_code: str
    adopted: int
    latest: int


@dataclass
class AgencyReport:
    data: AgencyData
    behind: list[Behind] = field(default_factory=list)
    adopted: dict[str, int] = field(default_factory=dict)  # framework slug -> revision adopted

    @property
    def spec(self):  # type: ignore[no-untyped-def]
        return self.data.spec

    @property
    def slug(self) -> str:
        return slugify(self.spec.code) or "co-quan"

    @property
    def severity(self) -> str:
        qms = self.data.qms
        if self.data.problem or qms is None:
            return "missing"
        if qms.check.errors or qms.unapproved_changes.count or qms.nonconformities.overdue:
            return "bad"
        if self.behind or qms.reviews_overdue.count or qms.nonconformities.open:
            return "warn"
        return "ok"

    def record(self) -> dict[str, Any]:
        """One row of the export (CSV and JSON) for the annual report."""
        qms = self.data.qms
        spec = self.spec
        row: dict[str, Any] = {"code": spec.code, "name": spec.name, "district": spec.district,
                               "severity": self.severity, "problem": self.data.problem}
        if qms is not None:
            row.update(documents=qms.documents.total, in_force=qms.documents.in_force, adopted=len(self.adopted),
                       behind=len(self.behind), reviews_overdue=qms.reviews_overdue.count,
                       unapproved_changes=qms.unapproved_changes.count, check_errors=qms.check.errors, nonconformities_open=qms.nonconformities.open,
                       nonconformities_overdue=qms.nonconformities.overdue,
                       last_approved_change=qms.last_approved_change, as_of=qms.as_of)
        row["behind_detail"] = [{"code": b.code, "framework_code": b.framework_code,
                                 "adopted_revision": b.adopted, "framework_revision": b.latest} for b in self.behind]
        return row


@dataclass
class ProvinceReport:
    config: ProvinceConfig
    framework: list[FrameworkDoc]
    framework_problem: str | None
    agencies: list[AgencyReport]

    def adoption_matrix(self, doc: FrameworkDoc) -> list[tuple[AgencyReport, int | None]]:
        """Every agency with the revision of ``doc`` it adopted (None: not adopted, or no data)."""
        return [(agency, agency.adopted.get(doc.slug)) for agency in self.agencies]


def build_report(config: ProvinceConfig) -> ProvinceReport:
    if config.framework_repository is not None:
        framework, problem = framework_from_repository(config.framework_repository)
    else:
        framework, problem = read_framework(config.framework_data)
    latest = {doc.slug: doc for doc in framework}
    # Reading files is I/O bound; a few threads hide the latency of a network file system.
    with ThreadPoolExecutor(max_workers=8) as pool:
        datas = list(pool.map(read_agency, config.agencies))
    agencies = [_agency_report(data, latest) for data in datas]
    agencies.sort(key=lambda a: (fold(a.spec.district), fold(a.spec.name), a.spec.code))
    return ProvinceReport(config, framework, problem, agencies)


def read_framework(folder: Path | None) -> tuple[list[FrameworkDoc], str | None]:
    """The framework's current documents from its published api/documents.json."""
    if folder is None:
        return [], "cấu hình chưa khai báo dữ liệu của mô hình khung (framework.data)"
    api = api_folder(folder)
    records = read_json((api or folder) / "documents.json")
    if isinstance(records, str):
        return [], f"mô hình khung: {records}"
    if not isinstance(records, list):
        return [], "mô hình khung: api/documents.json cần một danh sách tài liệu"
    docs, skipped = [], []
    for index, item in enumerate(records, 1):
        try:
            record = DocumentRecord.model_validate(item)
        except ValidationError:  # one bad framework record must not hide the others, nor vanish unsaid
            skipped.append(str(index))
            continue
        if record.status not in ("draft", "withdrawn"):  # as from the repository: issued documents only
            docs.append(FrameworkDoc(record.code, record.title, record.revision))
    problem = (f"mô hình khung: api/documents.json có tài liệu không đúng định dạng, không được liệt kê "
               f"(thứ {', '.join(skipped)})") if skipped else None
    return sorted(docs, key=lambda d: d.slug), problem


def framework_from_repository(root: Path) -> tuple[list[FrameworkDoc], str | None]:
    """The framework's current issued documents, read from its repository (at its checked-out commit)."""
    from eiso.framework.source import open_framework

    framework = open_framework(root, ".")
    if framework is None or framework.problem:
        return [], f"mô hình khung: {framework.problem if framework else 'không đọc được'}"
    # Issued documents only: a withdrawn one has nothing left to adopt, and nobody is behind on it.
    docs = [FrameworkDoc(d.meta.code, d.meta.title, d.meta.revision)
            for d in framework.current.values() if framework.latest(d.meta.code) is not None]
    problem = None
    if framework.unreadable:  # listed without them, but never silently
        problem = "mô hình khung: tài liệu có lỗi, không được liệt kê: " + "; ".join(framework.unreadable.values())
    return sorted(docs, key=lambda d: d.slug), problem


def _agency_report(data: AgencyData, latest: dict[str, FrameworkDoc]) -> AgencyReport:
    report = AgencyReport(data)
    for doc in data.documents:
        if doc.based_on is None:
            continue
        slug = slugify(doc.based_on.code)
        report.adopted[slug] = max(report.adopted.get(slug, 0), doc.based_on.revision)
        current = latest.get(slug)
        # The province's framework is the reference: an agency's pinned submodule may be old.
        if current is not None and doc.based_on.revision < current.revision and doc.status != "withdrawn":
            report.behind.append(Behind(doc.code, current.code, doc.based_on.revision, current.revision))
    return report


EXPORT_FIELDS = ["code", "name", "district", "severity", "problem", "documents", "in_force", "adopted", "behind",
                 "reviews_overdue", "unapproved_changes", "check_errors", "nonconformities_open", "nonconformities_overdue",
                 "last_approved_change", "as_of"]


def export_json(report: ProvinceReport) -> bytes:
    payload = {"province": report.config.name, "framework": [vars(d) for d in report.framework],
               "agencies": [a.record() for a in report.agencies]}
    return (json.dumps(payload, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode()


def export_csv(report: ProvinceReport) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=EXPORT_FIELDS, extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    for agency in report.agencies:
        row = agency.record()
        row["severity"] = SEVERITY_LABELS[row["severity"]]
        writer.writerow({key: ("" if row.get(key) is None else row.get(key)) for key in EXPORT_FIELDS})
    return ("\ufeff" + out.getvalue()).encode()  # BOM: Excel opens Vietnamese UTF-8 correctly
