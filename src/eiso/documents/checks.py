"""Rules that a loaded document, or the corpus as a whole, must satisfy."""

from __future__ import annotations

from pathlib import Path

from eiso.documents import attachments, durations, htmlscan
from eiso.documents.budget import MarkdownSetup, pathological_markdown, render_budget
from eiso.documents.cache import DocumentCache
from eiso.documents.budget import OverBudget, within_budget
from eiso.documents.findings import Finding, field_name
from eiso.documents.loader import Corpus
from eiso.documents.model import Audience, Document, Kind, Status
from eiso.documents.restated import check_restated
from eiso.documents.text import shown, slugify
from eiso.documents.textrules import code_problem, text_findings
from eiso.forked import forked_map, plain_map



def check_corpus(corpus: Corpus, memo: DocumentCache | None = None, parallel: bool = False) -> list[Finding]:
    """Every finding of the corpus: load errors, document rules and cross-document rules.

    ``memo``: the findings of a document's own rules from the previous run, reused while the
    document (and the site's Markdown extensions) are unchanged. ``parallel``: the documents to check are
    shared with a forked copy (:mod:`eiso.forked`; only where no other thread runs).
    """
    findings = list(corpus.findings)
    for document, own in zip(corpus.documents, own_findings(corpus.documents, corpus.root, memo, parallel)):
        findings.extend([*own, *_form_files(document, corpus.root)])
    # A code refused for its characters cannot own a URL, so it clashes with nothing.
    findings.extend(_duplicate_codes([doc for doc in corpus.documents if code_problem(doc.meta.code) is None]))
    findings.extend(_unknown_related(corpus.documents))
    return sorted(findings)


def body_findings(path: str, body: str, first_line: int, root: Path) -> list[Finding]:
    """Findings of an untrusted Markdown body (a document's or a record's)."""
    # A pathological body is not rendered on the site, so it is not rendered here either.
    shape = pathological_markdown(path, body, first_line)
    if shape:
        return shape
    extensions = htmlscan.project_extensions(root)
    found = htmlscan.unsafe_html(path, body, first_line, extensions)
    if htmlscan.may_carry_markup(body):
        return found  # rendered once already, under the scanner's time budget
    return found + render_budget(path, body, first_line, MarkdownSetup(extensions))


def check_document(doc: Document, root: Path, memo: DocumentCache | None = None) -> list[Finding]:
    """The document's findings; form files are looked for on disk every time."""
    return [*own_findings([doc], root, memo)[0], *_form_files(doc, root)]


def own_findings(documents: list[Document], root: Path, memo: DocumentCache | None = None,
                 parallel: bool = False) -> list[list[Finding]]:
    """Each document's findings of its own rules (all but its form files)."""
    mapper = forked_map if parallel else plain_map

    def work(i: int) -> list[Finding]:
        return _own_findings(documents[i], root)

    if memo is None:
        return mapper(work, list(range(len(documents))))
    # A document is a pure function of its parsed model (line numbers included) and the extensions.
    scope = "checks\0" + "\0".join(htmlscan.project_extensions(root))
    items = [(doc.path, doc.fingerprint()) for doc in documents]
    return memo.parse_all(items, work, scope=scope, keep=_timeless, mapper=mapper)  # type: ignore[arg-type,return-value]


def _timeless(found: object) -> bool:
    """A time budget's verdict depends on the machine's load: never kept for the next run."""
    return isinstance(found, list) and not any(f.rule in TIMED_RULES for f in found)


def _own_findings(doc: Document, root: Path) -> list[Finding]:
    body = body_findings(doc.path, doc.body, doc.body_line, root)
    return [
        *_required_by_status(doc),
        *text_findings(doc),
        *_dossier_forms(doc),
        *_step_time(doc),
        *body,
        # Facts once reads the body with Markdown: never a body too deep or too slow to be rendered.
        *([] if any(f.rule in ("markdown-depth", "markdown-budget") for f in body) else _facts_once(doc)),
    ]


#: Findings that depend on the machine's speed (a time budget ran out).
TIMED_RULES = ("markdown-budget", "facts-once-budget")


def _facts_once(doc: Document) -> list[Finding]:
    """The facts-once warnings, within the render budget: a body built to make them slow gets a warning."""
    try:
        return within_budget(lambda: check_restated(doc))
    except OverBudget as error:
        reason = str(error)
    except Exception as error:  # noqa: BLE001 - Python-Markdown failing on one body must not stop the check
        reason = f"lỗi khi đọc Markdown: {type(error).__name__}"
    return [Finding(doc.path, doc.body_line, "body", f"không kiểm tra được việc nhắc lại thông tin của phần đầu "
                    f"({reason}); hãy rút gọn nội dung", "facts-once-budget", "warning")]


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
        elif doc.meta.audience is Audience.public and resolve_public_attachment(doc, form.file, root) is None:
            found.append(_at(doc, key, field_name(key), _not_own_form(doc, form.file), "public-form-file", "warning"))
    return found


def _not_own_form(doc: Document, relative: str) -> str:
    return (f"tệp biểu mẫu «{shown(relative)}» nằm ngoài thư mục của tài liệu "
            f"«{doc.attachments_folder.as_posix()}/» (kể cả qua liên kết tượng trưng): cổng công khai chỉ đăng biểu "
            "mẫu của chính tài liệu, tệp này không được đăng; hãy đặt tệp vào thư mục của tài liệu (ví dụ forms/)")


def resolve_attachment(doc: Document, relative: str, root: Path) -> Path | None:
    """Absolute path of a publishable form file named relative to the document, or None.

    None when it leaves the procedures folder (links resolved), enters ``.git``, is not a
    published document format, or does not exist: see ``attachments.locate``.
    """
    return attachments.locate(root, _forms_anchor(doc), relative).path


def resolve_public_attachment(doc: Document, relative: str, root: Path) -> Path | None:
    """``resolve_attachment`` for the public portal: the file must also be the document's own, inside its
    forms folder (its folder, or the framework's for inherited forms), links resolved. A public procedure
    naming another document's form (``../../he-thong/forms/…``, a link out of its folder) publishes nothing."""
    return attachments.locate(root, _forms_anchor(doc), relative, base=doc.attachments_folder.as_posix()).path


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
