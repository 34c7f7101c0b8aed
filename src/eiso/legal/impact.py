"""``eiso report legal-impact``: the documents a change of the law affects, and what to do with each."""

from __future__ import annotations

from dataclasses import dataclass

from eiso.control.reviews import next_review
from eiso.documents.model import Document, Status
from eiso.importers.national_codes import national_key
from eiso.legal.citations import citations
from eiso.legal.codes import canonical_code, legal_key
from eiso.legal.decision import CHANGE_LABELS, DecisionItem
from eiso.legal.register import Register


@dataclass(frozen=True)
class Impact:
    cause: str  # the legal document code or the national procedure code
    cause_label: str  # Vietnamese: what changed
    action: str  # Vietnamese: what to do
    document: Document | None = None  # None: a new national procedure with no document yet

    def as_dict(self) -> dict:
        doc = self.document
        review = next_review(doc) if doc else None
        return {
            "cause": self.cause, "change": self.cause_label, "action": self.action,
            "code": doc.meta.code if doc else None, "title": doc.meta.title if doc else None,
            "unit": doc.meta.unit if doc else None, "revision": doc.meta.revision if doc else None,
            "status": doc.meta.status.value if doc else None, "path": doc.path if doc else None,
            "next_review": review.isoformat() if review else None,
        }


def law_impacts(documents: list[Document], register: Register, codes: list[str]) -> list[Impact]:
    """Documents in force or in preparation citing any of ``codes`` (however spelled)."""
    current = [d for d in documents if d.meta.status is not Status.withdrawn]
    found: list[Impact] = []
    for code in codes:
        key = legal_key(code)
        entry = register.entries.get(key)
        shown = entry.code if entry else canonical_code(code)
        label, action = _law_change(shown, entry, register.in_force_replacements(entry) if entry else ())
        seen: set[str] = set()
        for citation in citations(current):
            if legal_key(citation.code) == key and citation.document.path not in seen:
                seen.add(citation.document.path)
                found.append(Impact(shown, label, action, citation.document))
    return found


def _law_change(code: str, entry, current: tuple[str, ...]) -> tuple[str, str]:
    """``current``: what replaces it today (``Register.in_force_replacements``), the code the document must cite."""
    others = ", ".join(entry.replaced_by) if entry and entry.replaced_by else ""
    if entry is not None and entry.status == "repealed":
        cite = ", ".join(current) or others
        return (f"{code} hết hiệu lực" + (f", thay thế bởi {others}" if others else "")
                + (f" (nay là {cite})" if cite != others else ""),
                f"Thay căn cứ pháp lý {code} bằng {cite or 'văn bản thay thế'}; rà soát nội dung quy trình, "
                "trình ban hành lần mới")
    if entry is not None and entry.status == "amended":
        return (f"{code} được sửa đổi, bổ sung" + (f" bởi {others}" if others else ""),
                f"Rà soát các nội dung bị sửa đổi; bổ sung căn cứ pháp lý {others or 'văn bản sửa đổi'}; "
                "trình ban hành lần mới nếu quy trình thay đổi")
    return (f"{code} thay đổi",
            f"Rà soát quy trình theo thay đổi của văn bản {code}; ghi tình trạng của văn bản vào legal.yml")


def decision_impacts(documents: list[Document], items: list[DecisionItem]) -> list[Impact]:
    """Documents of the procedures an announcement decision makes new, amends or abolishes."""
    by_national: dict[str, list[Document]] = {}
    for doc in documents:
        if doc.meta.tthc is not None and doc.meta.status is not Status.withdrawn:
            by_national.setdefault(national_key(doc.meta.tthc.national_code), []).append(doc)
    found: list[Impact] = []
    for item in items:
        docs = by_national.get(national_key(item.national_code), [])
        label = f"Thủ tục {item.national_code} {CHANGE_LABELS[item.change]}" + (f" ({item.name})" if item.name else "")
        if item.change == "new" and not docs:
            found.append(Impact(item.national_code, label,
                                "Xây dựng quy trình mới cho thủ tục (eiso import tthc từ dữ liệu quốc gia)"))
        for doc in docs:
            found.append(Impact(item.national_code, label, _procedure_action(item.change), doc))
    return found


def _procedure_action(change: str) -> str:
    if change == "abolished":
        return "Bãi bỏ quy trình: chuyển status sang withdrawn từ ngày quyết định có hiệu lực; gỡ khỏi cổng công khai"
    if change == "amended":
        return ("Cập nhật quy trình theo thủ tục được sửa đổi (eiso sync tthc với dữ liệu quốc gia mới), "
                "trình ban hành lần mới")
    return "Thủ tục đã có quy trình: đối chiếu với quyết định công bố"
