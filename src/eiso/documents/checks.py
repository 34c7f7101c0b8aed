"""Rules that a loaded document, or the corpus as a whole, must satisfy."""

from __future__ import annotations

import re
from pathlib import Path

from eiso.documents import attachments, durations, htmlscan
from eiso.documents.findings import Finding, field_name
from eiso.documents.loader import Corpus
from eiso.documents.model import Document, Kind, Status
from eiso.documents.restated import check_restated
from eiso.documents.text import slugify
from eiso.documents.textrules import code_problem, text_findings



def check_corpus(corpus: Corpus) -> list[Finding]:
    """Every finding of the corpus: load errors, document rules and cross-document rules."""
    findings = list(corpus.findings)
    for document in corpus.documents:
        findings.extend(check_document(document, corpus.root))
    # A code refused for its characters cannot own a URL, so it clashes with nothing.
    findings.extend(_duplicate_codes([doc for doc in corpus.documents if code_problem(doc.meta.code) is None]))
    findings.extend(_unknown_related(corpus.documents))
    return sorted(findings)


def body_findings(path: str, body: str, first_line: int, root: Path) -> list[Finding]:
    """Findings of an untrusted Markdown body (a document's or a record's)."""
    # A pathological body is not rendered on the site, so it is not rendered here either.
    return pathological_markdown(path, body, first_line) or htmlscan.unsafe_html(
        path, body, first_line, htmlscan.project_extensions(root))


def check_document(doc: Document, root: Path) -> list[Finding]:
    body = body_findings(doc.path, doc.body, doc.body_line, root)
    return [
        *_required_by_status(doc),
        *text_findings(doc),
        *_form_files(doc, root),
        *_dossier_forms(doc),
        *_step_time(doc),
        *body,
        # Facts once reads the body with Markdown: never a body too deep to be rendered.
        *([] if any(f.rule == "markdown-depth" for f in body) else check_restated(doc)),
    ]


def _required_by_status(doc: Document) -> list[Finding]:
    meta, found = doc.meta, []
    if meta.status is not Status.draft and meta.effective is None:
        found.append(_at(doc, ("status",), "effective", "thiếu ngày hiệu lực (bắt buộc trừ khi status là draft)", "required"))
    if meta.status is Status.effective and meta.approved_by is None:
        found.append(_at(doc, ("status",), "approved_by", "tài liệu đang hiệu lực phải có người phê duyệt", "required"))
    if meta.kind is Kind.tthc and meta.tthc is None:
        # A draft may be incomplete: what it will need to take effect is a warning until then.
        found.append(_at(doc, ("kind",), "tthc", "tài liệu loại tthc phải có mục tthc (thông tin thủ tục hành chính)"
                         + (" trước khi ban hành" if meta.status is Status.draft else ""), "required",
                         "warning" if meta.status is Status.draft else "error"))
    for key, label in (("national_code", "mã thủ tục trên CSDL quốc gia"), ("level", "cấp thực hiện"),
                       ("agency", "cơ quan thực hiện")):
        if meta.tthc is not None and not getattr(meta.tthc, key).strip():
            draft = meta.status is Status.draft
            found.append(_at(doc, ("tthc", key), f"tthc.{key}", f"chưa ghi {label}" + (" (cần bổ sung trước khi ban hành)"
                             if draft else ""), "required", "warning" if draft else "error"))
    if meta.kind is not Kind.objectives and meta.measurements:
        found.append(_at(doc, ("measurements",), "measurements", "chỉ tài liệu loại objectives (mục tiêu chất lượng) mới có mục measurements", "required"))
    if meta.kind is not Kind.tthc and meta.tthc is not None:
        found.append(_at(doc, ("tthc",), "tthc", "chỉ tài liệu loại tthc mới có mục tthc", "required"))
    return found


def _form_files(doc: Document, root: Path) -> list[Finding]:
    found = []
    for index, form in enumerate(doc.meta.forms):
        if not form.file:
            continue
        key = ("forms", index, "file")
        located = attachments.locate(root, _forms_anchor(doc), form.file)
        if located.problem:
            found.append(_at(doc, key, field_name(key), located.problem, "form-file"))
    return found


def resolve_attachment(doc: Document, relative: str, root: Path) -> Path | None:
    """Absolute path of a publishable form file named relative to the document, or None.

    None when it leaves the procedures folder (links resolved), enters ``.git``, is not a
    published document format, or does not exist: see ``attachments.locate``.
    """
    return attachments.locate(root, _forms_anchor(doc), relative).path


def _forms_anchor(doc: Document) -> str:
    """The path form files are named relative to: the document's own, or the framework's for inherited forms."""
    return doc.path if doc.attachments_folder == doc.folder else (doc.attachments_folder / "_").as_posix()


def _dossier_forms(doc: Document) -> list[Finding]:
    if doc.meta.tthc is None:
        return []
    known = {slugify(form.code) for form in doc.meta.forms}
    return [
        _at(doc, ("tthc", "dossier", i, "form"), f"tthc.dossier[{i}].form",
            f"biểu mẫu «{item.form}» không có trong danh sách forms của tài liệu", "dossier-form", "warning")
        for i, item in enumerate(doc.meta.tthc.dossier)
        if item.form and slugify(item.form) not in known
    ]


def _step_time(doc: Document) -> list[Finding]:
    budget = durations.step_budget(doc.meta.steps, doc.meta.tthc.channels if doc.meta.tthc else [])
    if budget.incomparable:
        return [_at(doc, ("steps",), "steps", f"không so sánh được tổng thời gian các bước với thời hạn giải quyết "
                    f"vì đơn vị khác loại ({budget.incomparable}); hãy dùng cùng một loại đơn vị", "step-time")]
    if budget.over:
        return [_at(doc, ("steps",), "steps", f"tổng thời gian các bước ({budget.total}) vượt thời hạn giải quyết "
                    f"ngắn nhất ({durations.format_duration(budget.limit)})", "step-time")]
    return []


def _duplicate_codes(documents: list[Document]) -> list[Finding]:
    """Both files of a clash are reported: neither can own the URL of the code."""
    by_slug: dict[str, list[Document]] = {}
    for doc in sorted(documents, key=lambda d: d.path):
        by_slug.setdefault(doc.slug, []).append(doc)
    return [
        _at(doc, ("code",), "code", f"mã hiệu «{doc.meta.code}» trùng với tài liệu "
            f"«{other.meta.code}» ở {other.path}", "duplicate-code")
        for clash in by_slug.values() if len(clash) > 1
        for doc in clash
        for other in clash if other is not doc
    ]


def _unknown_related(documents: list[Document]) -> list[Finding]:
    codes = {doc.slug for doc in documents}
    return [
        _at(doc, ("related", i), f"related[{i}]", f"không có tài liệu nào mang mã «{code}»", "related")
        for doc in documents
        for i, code in enumerate(doc.meta.related)
        if slugify(code) not in codes
    ]


def _at(doc: Document, key: tuple, field: str, message: str, rule: str, severity: str = "error") -> Finding:
    return Finding(doc.path, doc.line_of(*key), field, message, rule, severity)  # type: ignore[arg-type]


MAX_NESTING = 24  # lists and quotes: real procedures use three or four levels
MAX_MARKER_RUN = 64  # consecutive emphasis markers
_LIST_ITEM = re.compile(r"^(\s*)(?:[-*+]|\d{1,9}[.)])\s")
_QUOTE = re.compile(r"^\s*((?:>\s*)+)")
_MARKERS = re.compile(r"[*_~]{%d,}" % (MAX_MARKER_RUN + 1))


def pathological_markdown(path: str, markdown: str, first_line: int) -> list[Finding]:
    """Nesting that makes Markdown parsers slow or deep; such a body is not rendered."""
    for number, line in enumerate(markdown.split("\n"), first_line):
        item = _LIST_ITEM.match(line)
        quote = _QUOTE.match(line)
        depth = max(len(item.group(1).expandtabs(4)) // 2 if item else 0, quote.group(1).count(">") if quote else 0)
        if depth > MAX_NESTING:
            return [Finding(path, number, "body", f"Markdown lồng quá sâu (hơn {MAX_NESTING} cấp danh sách/trích dẫn)", "markdown-depth")]
        if _MARKERS.search(line) or line.count("*") + line.count("_") > 2000:
            return [Finding(path, number, "body", "quá nhiều ký hiệu nhấn mạnh (* _ ~) liên tiếp", "markdown-depth")]
    return []
