"""Rules that a loaded document, or the corpus as a whole, must satisfy."""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

from eiso.documents import durations
from eiso.documents.budget import MarkdownSetup, pathological_markdown, render_budget
from eiso.documents.findings import Finding, field_name
from eiso.documents.htmlscan import LineCounter, start_tags
from eiso.documents.loader import Corpus
from eiso.documents.model import Document, Kind, Status
from eiso.documents.text import slugify

_DANGEROUS_TAGS = {"script", "iframe", "object", "embed", "frame", "frameset", "base", "meta", "link", "style", "form"}
_URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href", "poster", "background", "srcset"}
_BAD_SCHEME = re.compile(r"^\s*(?:javascript|vbscript|data)\s*:", re.IGNORECASE)
# One whitespace run before the optional "<" and one after: adjacent \s* around "<?" backtrack quadratically.
_MD_LINK = re.compile(r"\]\(\s*(?:<\s*)?((?:javascript|vbscript|data)\s*:[^)\s]*)", re.IGNORECASE)


def check_corpus(corpus: Corpus, setup: MarkdownSetup | None = None) -> list[Finding]:
    """Every finding of the corpus: load errors, document rules and cross-document rules.

    ``setup``: the Markdown extensions the site renders bodies with (default: the demo's).
    """
    findings = list(corpus.findings)
    for document in corpus.documents:
        findings.extend(check_document(document, corpus.root, setup))
    findings.extend(_duplicate_codes(corpus.documents))
    findings.extend(_unknown_related(corpus.documents))
    return sorted(findings)


def check_document(doc: Document, root: Path, setup: MarkdownSetup | None = None) -> list[Finding]:
    return [
        *_required_by_status(doc),
        *_form_files(doc, root),
        *_dossier_forms(doc),
        *_step_time(doc),
        *unsafe_html(doc.path, doc.body, doc.body_line),
        *_renderable(doc, setup),
    ]


def _renderable(doc: Document, setup: MarkdownSetup | None) -> list[Finding]:
    """Nesting the parser cannot take, else a body that would render past its time budget."""
    return (pathological_markdown(doc.path, doc.body, doc.body_line)
            or render_budget(doc.path, doc.body, doc.body_line, setup))


def _required_by_status(doc: Document) -> list[Finding]:
    meta, found = doc.meta, []
    if meta.status is not Status.draft and meta.effective is None:
        found.append(_at(doc, ("status",), "effective", "thiếu ngày hiệu lực (bắt buộc trừ khi status là draft)", "required"))
    if meta.status is Status.effective and meta.approved_by is None:
        found.append(_at(doc, ("status",), "approved_by", "tài liệu đang hiệu lực phải có người phê duyệt", "required"))
    if meta.kind is Kind.tthc and meta.tthc is None:
        found.append(_at(doc, ("kind",), "tthc", "tài liệu loại tthc phải có mục tthc (thông tin thủ tục hành chính)", "required"))
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
        target = resolve_attachment(doc, form.file, root)
        if target is None:
            found.append(_at(doc, key, field_name(key), f"tệp biểu mẫu «{form.file}» nằm ngoài kho tài liệu", "form-file"))
        elif not target.is_file():
            found.append(_at(doc, key, field_name(key), f"không tìm thấy tệp biểu mẫu «{form.file}»", "form-file"))
    return found


def resolve_attachment(doc: Document, relative: str, root: Path) -> Path | None:
    """Absolute path of a file named relative to the document, or None if it leaves the repository.

    Links are resolved, so a symlink inside the repository pointing outside is refused too.
    """
    if PurePosixPath(relative).is_absolute() or "\\" in relative:
        return None
    candidate = (root / doc.folder / relative).resolve()
    try:
        candidate.relative_to(root.resolve())
    except ValueError:
        return None
    return candidate


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


MAX_LISTED = 20  # files named in one duplicate-code finding; the rest are counted


def duplicate_codes(documents: list[Document]) -> dict[str, list[Document]]:
    """Documents sharing a code (by slug), in path order: none of them can own the code's URL."""
    by_slug: dict[str, list[Document]] = {}
    for doc in sorted(documents, key=lambda d: d.path):
        by_slug.setdefault(doc.slug, []).append(doc)
    return {slug: clash for slug, clash in by_slug.items() if len(clash) > 1}


def _duplicate_codes(documents: list[Document]) -> list[Finding]:
    """One finding per shared code, on its first file, listing the others (linear in the files)."""
    findings = []
    for clash in duplicate_codes(documents).values():
        first, others = clash[0], clash[1:]
        listed = ", ".join(f"{doc.path} («{doc.meta.code}»)" for doc in others[:MAX_LISTED])
        more = f" và {len(others) - MAX_LISTED} tệp khác" if len(others) > MAX_LISTED else ""
        findings.append(_at(first, ("code",), "code", f"mã hiệu «{first.meta.code}» trùng ở {len(clash)} tài liệu; "
                            f"trùng với: {listed}{more}; không tài liệu nào trong số này được xuất bản", "duplicate-code"))
    return findings


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


def unsafe_html(path: str, markdown: str, first_line: int) -> list[Finding]:
    """Script, event handlers and script URLs in a body: they are removed from the page and reported."""
    if "<" not in markdown and ":" not in markdown:
        return []
    problems = []
    for tag in start_tags(markdown):
        if tag.name in _DANGEROUS_TAGS:
            problems.append((tag.line, f"thẻ HTML <{tag.name}> không được phép"))
        for name, value in tag.attrs:
            if name.startswith("on"):
                problems.append((tag.line, f"thuộc tính sự kiện «{name}» không được phép"))
            elif name in _URL_ATTRS and value and _BAD_SCHEME.match(value):
                problems.append((tag.line, f"địa chỉ «{value.split(':')[0]}:» không được phép"))
    lines = LineCounter(markdown)
    for match in _MD_LINK.finditer(markdown):
        line = lines.at(match.start())
        problems.append((line, f"liên kết «{match.group(1).split(':')[0]}:» không được phép"))
    return [
        Finding(path, first_line + line - 1, "body", f"{message}; nội dung này bị loại khỏi trang", "unsafe-html", "warning")
        for line, message in sorted(set(problems))
    ]
