"""Rules that a loaded document, or the corpus as a whole, must satisfy."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath

from eiso.documents import durations
from eiso.documents.findings import Finding, field_name
from eiso.documents.loader import Corpus
from eiso.documents.model import Document, Kind, Status
from eiso.documents.restated import check_restated
from eiso.documents.text import slugify

_DANGEROUS_TAGS = {"script", "iframe", "object", "embed", "frame", "frameset", "base", "meta", "link", "style", "form"}
_URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href", "poster", "background", "srcset"}
_BAD_SCHEME = re.compile(r"^\s*(?:javascript|vbscript|data)\s*:", re.IGNORECASE)
_MD_LINK = re.compile(r"\]\(\s*<?\s*((?:javascript|vbscript|data)\s*:[^)\s]*)", re.IGNORECASE)


def check_corpus(corpus: Corpus) -> list[Finding]:
    """Every finding of the corpus: load errors, document rules and cross-document rules."""
    findings = list(corpus.findings)
    for document in corpus.documents:
        findings.extend(check_document(document, corpus.root))
    findings.extend(_duplicate_codes(corpus.documents))
    findings.extend(_unknown_related(corpus.documents))
    return sorted(findings)


def check_document(doc: Document, root: Path) -> list[Finding]:
    return [
        *_required_by_status(doc),
        *_form_files(doc, root),
        *_dossier_forms(doc),
        *_step_time(doc),
        *unsafe_html(doc.path, doc.body, doc.body_line),
        *pathological_markdown(doc.path, doc.body, doc.body_line),
        *check_restated(doc),
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


class _UnsafeHtmlScanner(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[tuple[int, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line = self.getpos()[0]
        if tag in _DANGEROUS_TAGS:
            self.problems.append((line, f"thẻ HTML <{tag}> không được phép"))
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append((line, f"thuộc tính sự kiện «{name}» không được phép"))
            elif name in _URL_ATTRS and value and _BAD_SCHEME.match(value):
                self.problems.append((line, f"địa chỉ «{value.split(':')[0]}:» không được phép"))


def unsafe_html(path: str, markdown: str, first_line: int) -> list[Finding]:
    """Script, event handlers and script URLs in a body: they are removed from the page and reported."""
    if "<" not in markdown and ":" not in markdown:
        return []
    scanner = _UnsafeHtmlScanner()
    scanner.feed(markdown)
    scanner.close()
    problems = list(scanner.problems)
    for match in _MD_LINK.finditer(markdown):
        line = markdown.count("\n", 0, match.start()) + 1
        problems.append((line, f"liên kết «{match.group(1).split(':')[0]}:» không được phép"))
    return [
        Finding(path, first_line + line - 1, "body", f"{message}; nội dung này bị loại khỏi trang", "unsafe-html", "warning")
        for line, message in sorted(set(problems))
    ]


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
