"""Adoptions whose framework document is gone at the pinned commit: withdrawn by the province, or unreadable.

Neither is "behind" (there is no newer revision to move to), and neither may pass in silence: an agency
would keep applying a procedure the province has withdrawn, or never hear of the framework's next revision.
"""

from __future__ import annotations

from eiso.documents.findings import Finding
from eiso.documents.model import Adoption, Document, Status
from eiso.documents.text import slugify
from eiso.framework.source import GitFramework


def withdrawn_message(framework_doc: Document) -> str:
    """Vietnamese: the framework has withdrawn this document (for ``eiso check`` and ``eiso adopt``)."""
    since = f", hiệu lực từ {framework_doc.meta.effective:%d/%m/%Y}" if framework_doc.meta.effective else ""
    return (f"tài liệu khung {framework_doc.meta.code} đã bị bãi bỏ trong mô hình khung (lần ban hành "
            f"{framework_doc.meta.revision}{since})")


def gone_findings(documents: list[Document], framework: GitFramework | None) -> list[Finding]:
    """A warning for each adoption in force whose framework document is withdrawn or does not load."""
    if framework is None or framework.problem:
        return []
    findings = []
    for doc in documents:
        if doc.adoption is None or doc.meta.status is Status.withdrawn:
            continue
        message = _gone(doc.adoption, framework)
        if message:
            line = doc.line_of("based_on", "code")
            findings.append(Finding(doc.path, line, "based_on.code", message, "framework-gone", "warning"))
    return findings


def _gone(adoption: Adoption, framework: GitFramework) -> str | None:
    withdrawn = framework.withdrawn(adoption.code)
    if withdrawn is not None:
        return (f"{withdrawn_message(withdrawn)}; đơn vị cần bãi bỏ tài liệu này (ghi status: withdrawn) "
                "hoặc ban hành tài liệu riêng thay thế")
    if framework.latest(adoption.code) is not None:
        return None
    # Its file at the pinned commit does not load: known by the path of one of its revisions (it may have
    # been renamed since the adopted one).
    slug = slugify(adoption.code)
    paths = sorted({doc.path for (key, _), doc in framework.revisions.items() if key == slug})
    problem = next((framework.unreadable[path] for path in paths if path in framework.unreadable), None)
    if problem is None:
        return None
    return (f"tài liệu khung {adoption.code} có lỗi ở commit đang ghim của mô hình khung nên không biết lần "
            f"ban hành mới nhất của nó ({problem}); báo cho tỉnh sửa mô hình khung")
