"""Rules that QMS records must satisfy, alone and against each other and the controlled documents."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from eiso.documents.checks import body_findings
from eiso.documents.findings import Finding, field_name
from eiso.documents.model import Document
from eiso.documents.text import slugify
from eiso.documents.textrules import code_problem, hidden_findings
from eiso.records.loader import RecordSet, load_records
from eiso.records.model import Audit, Grade, ManagementReview, NcStatus, Nonconformity, Record

# Pages of the registers live beside the records under ho-so/: no record may take their URL.
RESERVED_SLUGS = frozenset({"khong-phu-hop", "danh-gia-noi-bo", "xem-xet-lanh-dao"})
# A record's one-line fields; descriptions, causes and decisions may span lines.
# Lists of one-line items too: units, audited documents and clauses, an audit's findings (codes).
ONE_LINE = frozenset({"code", "title", "unit", "name", "clause", "audit", "owner", "units", "documents", "clauses",
                      "findings"})


def load_and_check(root: Path, records_dir: str, documents: list[Document]) -> tuple[RecordSet, list[Finding]]:
    """The records of a repository and every finding about them (load, rules, references)."""
    records = load_records(root, records_dir)
    return records, check_records(records, documents)


def valid_records(records: RecordSet, findings: list[Finding]) -> list[Record]:
    """Records without an error finding: the only ones the intranet shows."""
    broken = {f.path for f in findings if f.severity == "error"}
    return [record for record in records.records if record.path not in broken]


def check_records(records: RecordSet, documents: list[Document]) -> list[Finding]:
    findings = list(records.findings)
    doc_slugs = {doc.slug for doc in documents}
    by_slug = {r.slug: r for r in records.records}
    for record in records.records:
        # A record's body is as untrusted as a procedure's: same rules before it is rendered.
        findings.extend(body_findings(record.path, record.body, record.body_line, records.root))
        # Its front matter is shown in registers and reports: no control or format characters either.
        findings.extend(hidden_findings(record.path, record.meta, record.line_of, ONE_LINE))
        meta = record.meta
        # The code makes the record's URL and is quoted in commit trailers: the documents' rule for codes.
        if (problem := code_problem(meta.code)) is not None:
            findings.append(_at(record, ("code",), problem, "code"))
        if isinstance(meta, Nonconformity):
            findings.extend(_nonconformity(record, meta))
            findings.extend(_refs(record, ("documents",), meta.documents, doc_slugs))
            findings.extend(_nc_audit(record, meta, by_slug))
        elif isinstance(meta, Audit):
            findings.extend(_refs(record, ("scope", "documents"), meta.scope.documents, doc_slugs))
            findings.extend(_audit_findings(record, meta, by_slug))
        elif isinstance(meta, ManagementReview):
            findings.extend(_review(record, meta))
    findings.extend(_codes(records.records))
    return sorted(findings)


def _at(record: Record, key: tuple, message: str, rule: str, severity: str = "error") -> Finding:
    return Finding(record.path, record.line_of(*key), field_name(key), message, rule, severity)  # type: ignore[arg-type]


def _nonconformity(record: Record, nc: Nonconformity) -> list[Finding]:
    found: list[Finding] = []
    if nc.status is NcStatus.closed:
        if nc.verified_by is None:
            found.append(_at(record, ("status",), "hồ sơ đã đóng phải có người kiểm tra xác nhận (verified_by)", "record-closed"))
        if nc.closed is None:
            found.append(_at(record, ("status",), "hồ sơ đã đóng phải có ngày đóng (closed)", "record-closed"))
        for i, action in enumerate(nc.actions):
            if action.done is None:
                found.append(_at(record, ("actions", i), f"hồ sơ đã đóng nhưng hành động khắc phục «{action.action[:60]}» "
                                 "chưa có ngày hoàn thành (done)", "record-closed"))
        if nc.grade is not Grade.observation:
            if not nc.cause:
                found.append(_at(record, ("status",), "sự không phù hợp đã đóng phải ghi nguyên nhân (cause)", "record-closed"))
            if not nc.actions:
                found.append(_at(record, ("status",), "sự không phù hợp đã đóng phải có ít nhất một hành động khắc phục", "record-closed"))
    elif nc.closed is not None:
        found.append(_at(record, ("closed",), "hồ sơ đang mở (status: open) nhưng đã ghi ngày đóng; "
                         "đặt status: closed hoặc bỏ ngày đóng", "record-closed"))
    found.extend(_nc_dates(record, nc))
    return found


def _nc_dates(record: Record, nc: Nonconformity) -> list[Finding]:
    """found ≤ every due and done ≤ closed: a record cannot be acted on before it exists."""
    found = []
    for i, action in enumerate(nc.actions):
        for key in ("due", "done"):
            day = getattr(action, key)
            if day is not None and day < nc.found:
                found.append(_at(record, ("actions", i, key), f"ngày {_vn(day)} trước ngày phát hiện {_vn(nc.found)}", "record-dates"))
        if nc.closed and action.done and action.done > nc.closed:
            found.append(_at(record, ("actions", i, "done"), f"hành động hoàn thành ngày {_vn(action.done)}, "
                             f"sau ngày đóng hồ sơ {_vn(nc.closed)}", "record-dates"))
    if nc.closed and nc.closed < nc.found:
        found.append(_at(record, ("closed",), f"ngày đóng {_vn(nc.closed)} trước ngày phát hiện {_vn(nc.found)}", "record-dates"))
    return found


def _refs(record: Record, key: tuple, codes: list[str], known: set[str]) -> list[Finding]:
    return [_at(record, key + (i,), f"không có tài liệu nào mang mã «{code}»", "record-reference")
            for i, code in enumerate(codes) if slugify(code) not in known]


def _nc_audit(record: Record, nc: Nonconformity, by_slug: dict[str, Record]) -> list[Finding]:
    if not nc.audit:
        return []
    audit = by_slug.get(slugify(nc.audit))
    if audit is None or not isinstance(audit.meta, Audit):
        return [_at(record, ("audit",), f"không có hồ sơ đánh giá nào mang mã «{nc.audit}»", "record-reference")]
    found = []
    if nc.found < audit.meta.date:
        found.append(_at(record, ("found",), f"ngày phát hiện {_vn(nc.found)} trước ngày đánh giá "
                         f"{_vn(audit.meta.date)} của {audit.meta.code}", "record-dates"))
    if slugify(nc.code) not in {slugify(code) for code in audit.meta.findings}:
        found.append(_at(record, ("audit",), f"hồ sơ đánh giá {audit.meta.code} không liệt kê {nc.code} "
                         "trong findings", "record-reference", "warning"))
    return found


def _audit_findings(record: Record, audit: Audit, by_slug: dict[str, Record]) -> list[Finding]:
    found = []
    for i, code in enumerate(audit.findings):
        target = by_slug.get(slugify(code))
        if target is None or not isinstance(target.meta, Nonconformity):
            found.append(_at(record, ("findings", i), f"không có hồ sơ không phù hợp nào mang mã «{code}»", "record-reference"))
            continue
        nc = target.meta
        # A finding naming this audit has its date checked on its own file (_nc_audit).
        if slugify(nc.audit or "") != record.slug and nc.found < audit.date:
            found.append(_at(record, ("findings", i), f"{nc.code} được phát hiện ngày {_vn(nc.found)}, "
                             f"trước ngày đánh giá {_vn(audit.date)}", "record-dates"))
    return found


def _review(record: Record, review: ManagementReview) -> list[Finding]:
    found = []
    for i, decision in enumerate(review.decisions):
        for key in ("due", "done"):
            day = getattr(decision, key)
            if day is not None and day < review.date:
                found.append(_at(record, ("decisions", i, key), f"ngày {_vn(day)} trước ngày họp {_vn(review.date)}", "record-dates"))
    return found


def _codes(records: list[Record]) -> list[Finding]:
    by_slug: dict[str, list[Record]] = {}
    for record in sorted(records, key=lambda r: r.path):
        by_slug.setdefault(record.slug, []).append(record)
    # One finding per record of a clash (each is left out), naming a few of the others: linear in the files.
    found = [
        _at(record, ("code",), f"mã hồ sơ «{record.meta.code}» trùng ở {len(clash)} hồ sơ; trùng với: "
            f"{_others(clash, record)}", "duplicate-code")
        for clash in by_slug.values() if len(clash) > 1
        for record in clash
    ]
    found.extend(_at(record, ("code",), f"mã hồ sơ «{record.meta.code}» trùng với địa chỉ một trang sổ theo dõi "
                     f"(ho-so/{record.slug}/); hãy đặt mã khác", "duplicate-code")
                 for record in records if record.slug in RESERVED_SLUGS)
    return found


def _others(clash: list[Record], record: Record, limit: int = 3) -> str:
    """A few of the other files of a clash, and how many more (never the whole list: k records, k findings)."""
    named = [other.path for other in clash[:limit + 1] if other is not record][:limit]
    more = len(clash) - 1 - len(named)
    return ", ".join(named) + (f" và {more} tệp khác" if more else "")


def _vn(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")
