"""Adoptions behind the framework: which, by how much, and what the framework changed meanwhile."""

from __future__ import annotations

from dataclasses import dataclass

from eiso.control.diff import DocumentDiff, compare, label_of
from eiso.documents.findings import Finding
from eiso.documents.model import Adoption, Document
from eiso.framework.source import GitFramework


@dataclass(frozen=True)
class Lag:
    document: Document  # the agency's (effective) document
    framework_code: str
    adopted: int
    latest: int
    changes: str  # Vietnamese summary of the framework's changes between the two revisions
    # Vietnamese names of what the framework changed meanwhile but the agency writes itself: an update keeps
    # the agency's value, so these changes would never reach it unless someone copies them by hand.
    shadowed: tuple[str, ...] = ()


def adoption_lags(documents: list[Document], framework: GitFramework | None) -> list[Lag]:
    """Every adoption whose framework document has a newer issued revision."""
    if framework is None or framework.problem:
        return []
    lags = []
    for doc in documents:
        adopted = doc.adoption
        if adopted is None:
            continue
        latest = framework.latest(adopted.code)
        if latest is None or latest.meta.revision <= adopted.revision:
            continue
        old = framework.document_at(adopted.code, adopted.revision)
        if isinstance(old, Document):
            diff = _diff(old, latest)
            summary, shadowed = _summary(diff), shadowed_changes(diff, adopted)
        else:
            summary, shadowed = "", ()
        lags.append(Lag(doc, latest.meta.code, adopted.revision, latest.meta.revision, summary, shadowed))
    return lags


def lag_findings(documents: list[Document], framework: GitFramework | None) -> list[Finding]:
    findings = []
    for lag in adoption_lags(documents, framework):
        latest = framework.latest(lag.framework_code) if framework else None
        since = f" (hiệu lực {latest.meta.effective:%d/%m/%Y})" if latest and latest.meta.effective else ""
        message = (f"áp dụng lần ban hành {lag.adopted} của tài liệu khung {lag.framework_code}, nhưng mô hình khung "
                   f"đã có lần ban hành {lag.latest}{since}")
        if lag.changes:
            message += f"; khung đã thay đổi: {lag.changes}"
        if lag.shadowed:
            message += f"; {shadowed_note(lag.shadowed)}"
        message += f". Cập nhật bằng: eiso adopt --update {lag.document.meta.code}"
        line = lag.document.line_of("based_on", "revision")
        findings.append(Finding(lag.document.path, line, "based_on.revision", message, "framework-lag", "warning"))
    return findings


def summarize(old: Document, new: Document) -> str:
    """The framework's semantic changes between two revisions, as one Vietnamese line."""
    return _summary(_diff(old, new))


def shadowed_changes(changes: list[DocumentDiff], adoption: Adoption) -> tuple[str, ...]:
    """Names of the keys (and the body) the framework changed that the adoption sets to its own value."""
    keys: set[str] = set()
    for change in changes:
        keys |= {f.field.split(".")[0].split("[")[0] for f in change.fields} - _IGNORED
        keys |= {key for key, items in (("tthc", change.dossier + change.channels), ("steps", change.steps),
                                        ("legal_basis", change.legal_basis), ("records", change.records),
                                        ("forms", change.forms)) if items}
        if change.body and not adoption.body_inherited:
            keys.add("body")
    own = set(adoption.overridden) | ({"body"} if not adoption.body_inherited else set())
    return tuple("nội dung" if key == "body" else label_of((key,)) for key in sorted(keys & own))


def shadowed_note(shadowed: tuple[str, ...]) -> str:
    names = ", ".join(f"«{name}»" for name in shadowed)
    return (f"đơn vị ghi riêng {names} nên thay đổi của khung ở đó không tự có khi cập nhật: "
            "cần đối chiếu và sửa tay")


def _diff(old: Document, new: Document) -> list[DocumentDiff]:
    return compare([old], [new]).documents


def _summary(changes: list[DocumentDiff]) -> str:
    parts: list[str] = []
    for change in changes:
        parts.extend(_parts(change))
    return "; ".join(parts)


_IGNORED = {"revision", "effective", "status", "prepared_by", "reviewed_by", "approved_by"}


def _parts(change: DocumentDiff) -> list[str]:
    parts = [f"{f.label}: {f.old_text or '—'} → {f.new_text or '—'}"
             for f in change.fields if f.field.split(".")[0] not in _IGNORED]
    for label, items in (("thành phần hồ sơ", change.dossier), ("cách thức thực hiện", change.channels),
                         ("các bước", change.steps), ("căn cứ pháp lý", change.legal_basis),
                         ("hồ sơ cần lưu", change.records)):
        for item in items:
            detail = ", ".join(f"{f.label}: {f.old_text or '—'} → {f.new_text or '—'}" for f in item.fields)
            verb = {"added": "thêm", "removed": "bỏ", "changed": "sửa"}[item.change]
            parts.append(f"{label} — {verb} «{item.key}»" + (f" ({detail})" if detail else ""))
    parts.extend(f"biểu mẫu — {form.code}" for form in change.forms)
    parts.extend(f"nội dung mục «{section.heading}»" for section in change.body)
    return parts
