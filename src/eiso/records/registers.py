"""What the registers say as of a day: overdue actions, counts, audit coverage.

Plain functions over loaded records, shared by the intranet pages and ``api/qms.json``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from eiso.control.reviews import add_months
from eiso.documents.model import Document, Status
from eiso.documents.text import fold, slugify, fold_order
from eiso.records.model import Action, Audit, Grade, ManagementReview, NcStatus, Nonconformity, Record

# TCVN ISO 9001:2015 clauses an internal audit programme must cover (requirements 4 to 10).
ISO_CLAUSES: dict[str, str] = {
    "4.1": "Hiểu bối cảnh của tổ chức", "4.2": "Nhu cầu và mong đợi của các bên quan tâm",
    "4.3": "Phạm vi của hệ thống quản lý chất lượng", "4.4": "Hệ thống quản lý chất lượng và các quá trình",
    "5.1": "Sự lãnh đạo và cam kết", "5.2": "Chính sách", "5.3": "Vai trò, trách nhiệm và quyền hạn",
    "6.1": "Hành động giải quyết rủi ro và cơ hội", "6.2": "Mục tiêu chất lượng và hoạch định để đạt mục tiêu",
    "6.3": "Hoạch định các thay đổi", "7.1": "Nguồn lực", "7.2": "Năng lực", "7.3": "Nhận thức",
    "7.4": "Trao đổi thông tin", "7.5": "Thông tin dạng văn bản", "8.1": "Hoạch định và kiểm soát việc thực hiện",
    "8.2": "Yêu cầu đối với sản phẩm và dịch vụ", "8.3": "Thiết kế và phát triển",
    "8.4": "Kiểm soát quá trình, sản phẩm và dịch vụ do bên ngoài cung cấp",
    "8.5": "Sản xuất và cung cấp dịch vụ", "8.6": "Thông qua sản phẩm và dịch vụ",
    "8.7": "Kiểm soát đầu ra không phù hợp", "9.1": "Theo dõi, đo lường, phân tích và đánh giá",
    "9.2": "Đánh giá nội bộ", "9.3": "Xem xét của lãnh đạo", "10.1": "Khái quát (cải tiến)",
    "10.2": "Sự không phù hợp và hành động khắc phục", "10.3": "Cải tiến thường xuyên",
}


def nonconformities(records: list[Record]) -> list[Record]:
    return sorted((r for r in records if isinstance(r.meta, Nonconformity)), key=lambda r: (r.meta.found, r.slug))


def audits(records: list[Record]) -> list[Record]:
    return sorted((r for r in records if isinstance(r.meta, Audit)), key=lambda r: (r.meta.date, r.slug))


def reviews(records: list[Record]) -> list[Record]:
    return sorted((r for r in records if isinstance(r.meta, ManagementReview)), key=lambda r: (r.meta.date, r.slug))


def is_done(day: dt.date | None, as_of: dt.date) -> bool:
    """Done on or before the day: a later completion date is not yet true on that day."""
    return day is not None and day <= as_of


def action_overdue(action: Action, as_of: dt.date) -> bool:
    """Past its due date (the due day itself is still on time) and not done by the day."""
    return action.due < as_of and not is_done(action.done, as_of)


def is_open(nc: Nonconformity, as_of: dt.date) -> bool:
    return not (nc.status is NcStatus.closed and is_done(nc.closed, as_of))


def overdue_actions(nc: Nonconformity, as_of: dt.date) -> list[Action]:
    return [a for a in nc.actions if action_overdue(a, as_of)] if is_open(nc, as_of) else []


def nonconformity_counts(records: list[Record], as_of: dt.date) -> dict[str, object]:
    """Counts of nonconformities as of a day: for the register's header and the province's ``api/qms.json``."""
    items = [r.meta for r in nonconformities(records) if r.meta.found <= as_of]
    open_items = [nc for nc in items if is_open(nc, as_of)]
    return {
        "total": len(items),
        "open": len(open_items),
        "closed": len(items) - len(open_items),
        "overdue": sum(1 for nc in open_items if overdue_actions(nc, as_of)),
        "open_by_grade": {grade.value: sum(1 for nc in open_items if nc.grade is grade) for grade in Grade},
    }


def unit_of(nc: Nonconformity, by_slug: dict[str, Document]) -> str:
    """The unit concerned: the record's own, else the owning unit of its first known document."""
    if nc.unit:
        return nc.unit
    for code in nc.documents:
        doc = by_slug.get(slugify(code))
        if doc is not None:
            return doc.meta.unit
    return ""


def by_document(records: list[Record], as_of: dt.date) -> dict[str, list[Record]]:
    """Document slug -> the nonconformities found by the day that concern it, oldest first.

    A later finding is not in the register of that day either: both pages must list the same records.
    """
    result: dict[str, list[Record]] = {}
    for record in nonconformities(records):
        if record.meta.found > as_of:
            continue
        for slug in dict.fromkeys(slugify(code) for code in record.meta.documents):
            result.setdefault(slug, []).append(record)
    return result


def clause_covered(clause: str, scope: list[str]) -> bool:
    """A scope clause covers its sub-clauses and its parent: "7" and "7.5.3" both cover "7.5"."""
    return any(c == clause or c.startswith(clause + ".") or clause.startswith(c + ".") for c in scope)


@dataclass
class Coverage:
    """What the audits of the last months did not reach."""

    since: dt.date
    units: list[str] = field(default_factory=list)
    clauses: list[tuple[str, str]] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)


def audit_coverage(records: list[Record], documents: list[Document], as_of: dt.date, months: int = 12) -> Coverage:
    since = add_months(as_of, -months)
    recent = [r.meta for r in audits(records) if since < r.meta.date <= as_of]
    current = [d for d in documents if d.meta.status is Status.effective]
    units = {fold(u) for a in recent for u in a.scope.units}
    audited_docs = {slugify(c) for a in recent for c in a.scope.documents}
    clauses = [c for a in recent for c in a.scope.clauses]
    return Coverage(
        since=since,
        units=sorted({d.meta.unit for d in current if fold(d.meta.unit) not in units}, key=fold_order),
        clauses=[(c, title) for c, title in ISO_CLAUSES.items() if not clause_covered(c, clauses)],
        documents=sorted((d for d in current if d.slug not in audited_docs), key=lambda d: d.slug),
    )


def previous_review(records: list[Record], as_of: dt.date) -> Record | None:
    """The latest management review held on or before the day."""
    held = [r for r in reviews(records) if r.meta.date <= as_of]
    return held[-1] if held else None
