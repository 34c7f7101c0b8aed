"""The change report of a merge request as JSON and as Markdown (for an MR comment)."""

from __future__ import annotations

import html
import json
import re
from typing import Any

from eiso.control.diff_model import (CHANGE_LABELS, INLINE_DIFF_LINES, CorpusDiff, DocumentDiff, FormChange,
                                     ItemChange, SectionChange)
from eiso.control.diff_values import EMPTY, LABELS, _enum_label, format_value
from eiso.documents.model import KIND_LABELS, STATUS_LABELS, Status


# --------------------------------------------------------------------------- JSON


def to_json(diff: CorpusDiff) -> str:
    return json.dumps(diff.to_dict(), ensure_ascii=False, indent=2) + "\n"


# --------------------------------------------------------------------------- Markdown


# Backslash-escaped: what could start emphasis, code, links, tables, GitLab/GitHub references or math.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]{}#|~^$])")


def md(text: Any) -> str:
    """Untrusted text made inert for a Markdown table cell or a line of prose.

    One line; Markdown punctuation backslash-escaped; ``<``, ``>``, ``&`` as entities (no HTML);
    ``@`` as an entity so that a title cannot mention (notify) people on GitLab or GitHub.
    """
    value = " ".join(str(text).split())
    value = html.escape(value, quote=False)
    value = _MD_SPECIAL.sub(r"\\\1", value)
    return value.replace("@", "&#64;")


def _html_text(text: Any) -> str:
    """Untrusted text inside an HTML element (<summary>)."""
    return html.escape(" ".join(str(text).split()), quote=True).replace("@", "&#64;")


def _fence(content: str, info: str = "") -> str:
    longest = max((len(run) for run in re.findall(r"`+", content)), default=0)
    ticks = "`" * max(3, longest + 1)
    return f"{ticks}{info}\n{content}\n{ticks}"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell or "—" for cell in row) + " |" for row in rows]
    return lines + [""]


def _name(doc: DocumentDiff) -> str:
    return f"{md(doc.code)} — {md(doc.title)}"


def _revision_cell(doc: DocumentDiff) -> str:
    if doc.status == "added":
        return md(doc.revision)
    if doc.status in ("removed", "unreadable"):
        return md(doc.old_revision)
    if doc.revision != doc.old_revision:
        return f"{doc.old_revision} → {doc.revision}"
    return f"{doc.revision} (không đổi)" if doc.content_changed else md(doc.revision)


def _what_changed(doc: DocumentDiff) -> str:
    if doc.status == "added":
        text = "Thêm mới"
        if doc.reused_code_from:
            text += f" (mã hiệu trước đây thuộc tài liệu khác: {md(doc.reused_code_from)})"
        return text
    if doc.status == "removed":
        state = _enum_label(STATUS_LABELS, Status, doc.old_doc_status)
        return f"Xóa tệp (trạng thái trước đó: {state})"
    if doc.status == "unreadable":
        return "Không đọc được ở phiên bản mới (xem eiso check)"
    parts = []
    if doc.renamed:
        parts.append(f"Đổi tên tệp: {md(doc.old_path)} → {md(doc.path)}")
    if doc.recoded:
        parts.append(f"Đổi mã hiệu: {md(doc.old_code)} → {md(doc.code)}")
    touched = [label for label, present in (
        ("thông tin chung", doc.fields), ("thành phần hồ sơ", doc.dossier), ("cách thức thực hiện", doc.channels),
        ("các bước", doc.steps), ("căn cứ pháp lý", doc.legal_basis), ("hồ sơ cần lưu", doc.records),
        ("biểu mẫu", doc.forms), ("nội dung", doc.body)) if present]
    if doc.recoded:
        touched = [t for t in touched if t != "thông tin chung" or len(doc.fields) > 1]
    if touched:
        parts.append("Sửa " + ", ".join(touched))
    return "; ".join(parts)


def to_markdown(diff: CorpusDiff) -> str:
    """A Vietnamese report to paste as a merge request comment."""
    out = ["<!-- eiso-diff -->", "## Thay đổi tài liệu kiểm soát (e-ISO)", ""]
    base = md(diff.base_label) + (f" ({diff.base_commit[:10]})" if diff.base_commit else "")
    head = md(diff.head_label) + (f" ({diff.head_commit[:10]})" if diff.head_commit else "")
    out.append(f"So sánh {base} → {head}.")
    out.append("")
    if not diff.documents:
        out.append("Không có thay đổi nào trong các tài liệu kiểm soát.")
        return "\n".join(out) + "\n"
    counts = [(diff.count("changed"), "sửa đổi"), (diff.count("added"), "thêm mới"), (diff.count("removed"), "xóa"),
              (diff.count("renamed"), "đổi tên tệp"), (diff.count("recoded"), "đổi mã hiệu"),
              (diff.count("unreadable"), "không đọc được")]
    out.append("Tài liệu: " + ", ".join(f"{n} {label}" for n, label in counts if n) + ".")
    out.append("")
    out += _table(["Tài liệu", "Thay đổi", "Lần ban hành"],
                  [[_name(d), _what_changed(d), _revision_cell(d)] for d in diff.documents])
    for doc in diff.documents:
        out += _document_section(doc)
    return "\n".join(out).rstrip("\n") + "\n"


def _document_section(doc: DocumentDiff) -> list[str]:
    out = [f"### {_name(doc)}", ""]
    if doc.status in ("removed", "unreadable"):
        out.append(f"Tệp: {md(doc.old_path)}")
        out.append("")
        out.append(_what_changed(doc) + f"; lần ban hành {md(doc.old_revision)}.")
        out.append("")
        return out
    moved = f" (trước đây: {md(doc.old_path)})" if doc.renamed or (doc.old_path and doc.old_path != doc.path) else ""
    out.append(f"Tệp: {md(doc.path)}{moved}")
    out.append("")
    if doc.status == "added":
        meta = doc.head.meta if doc.head else None
        if meta is not None:
            out += _table(["Mục", "Giá trị"], [
                [LABELS["kind"], md(KIND_LABELS[meta.kind])],
                [LABELS["unit"], md(meta.unit)],
                [LABELS["revision"], md(meta.revision)],
                [LABELS["status"], md(STATUS_LABELS[meta.status])],
                [LABELS["effective"], md(format_value(("effective",), meta.effective.isoformat() if meta.effective else None))],
                [LABELS["approved_by"], md(format_value(("approved_by",), meta.approved_by.model_dump() if meta.approved_by else None))],
            ])
        return out
    if doc.fields:
        out += ["**Thông tin chung**", ""]
        out += _table(["Mục", "Trước", "Sau"], [[md(f.label), md(f.old_text), md(f.new_text)] for f in doc.fields])
    for title, items, header in (
        (LABELS["tthc.dossier"], doc.dossier, "Giấy tờ"),
        (LABELS["tthc.channels"], doc.channels, "Cách thức"),
        (LABELS["steps"], doc.steps, "Bước"),
        (LABELS["legal_basis"], doc.legal_basis, "Văn bản"),
        (LABELS["records"], doc.records, "Hồ sơ"),
    ):
        if not items:
            continue
        heading = f"**{title}**"
        if items is doc.steps and doc.steps_total is not None:
            heading += (f" — tổng thời gian: {md(doc.steps_total.old or EMPTY)} → "
                        f"{md(doc.steps_total.new or EMPTY)}")
        out += [heading, ""]
        out += _table([header, "Thay đổi", "Trước", "Sau"], [_item_row(item, items is doc.steps) for item in items])
    if doc.forms:
        out += ["**Biểu mẫu**", ""]
        out += _table(["Biểu mẫu", "Thay đổi", "Trước", "Sau"], [_form_row(form) for form in doc.forms])
    if doc.body:
        out += ["**Nội dung**", ""]
        for section in doc.body:
            out += _section_block(section)
    return out


def _item_row(item: ItemChange, numbered: bool) -> list[str]:
    name = md(item.key)
    if numbered and item.position:
        name = f"{item.position}. {name}"
    what = CHANGE_LABELS[item.change]
    if item.fields:
        what += ": " + "; ".join(f"{md(f.label)} {md(f.old_text)} → {md(f.new_text)}" for f in item.fields)
    return [name, what, md(item.old_text), md(item.new_text)]


def _form_row(form: FormChange) -> list[str]:
    what = {"added": "Thêm", "removed": "Bỏ"}.get(form.change, "")
    if form.change == "changed":
        parts = [f"{md(f.label)} {md(f.old_text)} → {md(f.new_text)}" for f in form.fields]
        if form.content_changed:
            parts.append("nội dung tệp")
        what = "Sửa: " + ", ".join(parts)

    def file_cell(path: str | None, sha: str | None) -> str:
        if path is None:
            return ""
        return f"{md(path)} (sha256 {sha[:12]}…)" if sha else f"{md(path)} (không có tệp)"

    return [f"{md(form.code)} — {md(form.title)}", what,
            file_cell(form.old_file, form.old_sha256), file_cell(form.new_file, form.new_sha256)]


def _section_block(section: SectionChange) -> list[str]:
    verb = {"added": "thêm", "removed": "bỏ", "changed": "sửa"}[section.change]
    title = f"Mục «{section.heading}»"
    if section.old_heading:
        title += f" (trước đây «{section.old_heading}»)"
    summary = f"{title}: {verb} (+{section.added_lines} −{section.removed_lines} dòng)"
    block = _fence(section.diff, "diff")
    lines = section.diff.count("\n") + 1
    if lines <= INLINE_DIFF_LINES:
        return [md(summary), "", block, ""]
    return ["<details>", f"<summary>{_html_text(summary)}</summary>", "", block, "", "</details>", ""]
