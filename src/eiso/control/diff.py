"""``eiso diff BASE [HEAD]``: what changed in the controlled documents, for a merge request review.

Two corpora (a git revision and the working tree, or two revisions) are compared
document by document. Documents are matched by the slug of their code; a
document that kept its code but moved is *renamed*, one that kept its path but
took another code is *re-coded*. For each matched pair the report names:

* every front-matter value that changed ("Lần ban hành: 2 → 3"), nested keys
  spelled out in Vietnamese ("Người phê duyệt › Họ và tên");
* the TTHC dossier items (matched by name), channels (by channel name), steps
  (in order, with the new total time), legal basis (by code, else title) and
  records that were added, removed or changed;
* the forms whose file content changed (SHA-256 of the bytes);
* the body, section by section (split at Markdown headings), as short unified diffs.

Everything taken from documents is untrusted: the Markdown report escapes it so
that a title can neither break a table, nor inject HTML, nor mention people.

The comparison is pure (:func:`compare`); :func:`run` reads the corpora with
:mod:`eiso.gitfiles` (two git processes per revision).
"""

from __future__ import annotations

import argparse
import difflib
import html
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from eiso.documents import durations
from eiso.documents.model import (
    KIND_LABELS,
    ONLINE_LABELS,
    STATUS_LABELS,
    Document,
    Duration,
    Kind,
    OnlineLevel,
    Status,
)
from eiso.documents.text import fold, slugify

MAX_DIFF_LINES = 40  # lines of unified diff shown per body section
INLINE_DIFF_LINES = 8  # shorter diffs are shown directly, longer ones folded in <details>
EMPTY = "(trống)"
WORKING_TREE = "thư mục làm việc"

# --------------------------------------------------------------------------- labels

LABELS: dict[str, str] = {
    "code": "Mã hiệu",
    "title": "Tên tài liệu",
    "kind": "Loại tài liệu",
    "unit": "Đơn vị chủ trì",
    "field": "Lĩnh vực",
    "revision": "Lần ban hành",
    "effective": "Ngày hiệu lực",
    "status": "Trạng thái",
    "audience": "Phạm vi công bố",
    "review_months": "Chu kỳ xem xét (tháng)",
    "prepared_by": "Người soạn thảo",
    "reviewed_by": "Người xem xét",
    "approved_by": "Người phê duyệt",
    "legal_basis": "Căn cứ pháp lý",
    "related": "Tài liệu liên quan",
    "tthc": "Thủ tục hành chính",
    "tthc.national_code": "Mã thủ tục (CSDL quốc gia)",
    "tthc.decision": "Quyết định công bố",
    "tthc.online": "Dịch vụ công trực tuyến",
    "tthc.online.level": "Mức độ",
    "tthc.online.url": "Địa chỉ nộp trực tuyến",
    "tthc.level": "Cấp thực hiện",
    "tthc.applicants": "Đối tượng thực hiện",
    "tthc.agency": "Cơ quan thực hiện",
    "tthc.result": "Kết quả thực hiện",
    "tthc.conditions": "Yêu cầu, điều kiện",
    "tthc.channels": "Cách thức thực hiện",
    "tthc.dossier": "Thành phần hồ sơ",
    "steps": "Các bước xử lý",
    "forms": "Biểu mẫu",
    "records": "Hồ sơ cần lưu",
}
PERSON_LABELS = {"name": "Họ và tên", "title": "Chức vụ"}
ITEM_LABELS: dict[str, dict[str, str]] = {
    "dossier": {"name": "Tên giấy tờ", "form": "Mã biểu mẫu", "originals": "Số bản chính", "copies": "Số bản sao"},
    "channels": {"channel": "Cách thức", "time": "Thời hạn giải quyết", "fee": "Phí, lệ phí"},
    "steps": {"actor": "Trách nhiệm", "action": "Nội dung công việc", "time": "Thời gian thực hiện",
              "output": "Kết quả / biểu mẫu"},
    "legal_basis": {"code": "Số, ký hiệu", "title": "Trích yếu"},
    "records": {"name": "Tên hồ sơ", "keeper": "Người lưu", "retention": "Thời gian lưu"},
    "forms": {"code": "Mã biểu mẫu", "title": "Tên biểu mẫu", "file": "Tệp"},
}
AUDIENCE_LABELS = {"public": "Công khai", "internal": "Nội bộ"}
_SECTIONS = {("tthc",), ("tthc", "online")}
CHANGE_LABELS = {"added": "Thêm", "removed": "Bỏ", "changed": "Sửa"}
# Front-matter lists compared item by item (the rest is compared value by value).
_ITEM_LISTS = {("legal_basis",), ("steps",), ("forms",), ("records",), ("tthc", "channels"), ("tthc", "dossier")}


# --------------------------------------------------------------------------- data


@dataclass
class FieldChange:
    """One front-matter value that changed."""

    field: str  # dotted path: "approved_by.name", "tthc.online.level"
    label: str  # Vietnamese: "Người phê duyệt › Họ và tên"
    old: Any  # JSON value (None when absent)
    new: Any
    old_text: str  # as a person reads it: "01/03/2025", "Đang hiệu lực"
    new_text: str

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.field, "label": self.label, "old": self.old, "new": self.new,
                "old_text": self.old_text, "new_text": self.new_text}


@dataclass
class ItemChange:
    """An item of a front-matter list (dossier item, channel, step, legal basis, record) that changed."""

    change: str  # "added" | "removed" | "changed"
    key: str  # what names the item: the dossier item's name, the step's action…
    old: dict[str, Any] | None
    new: dict[str, Any] | None
    old_text: str
    new_text: str
    fields: list[FieldChange] = field(default_factory=list)
    position: int | None = None  # 1-based position in the new list (in the old one when removed)

    def to_dict(self) -> dict[str, Any]:
        return {"change": self.change, "key": self.key, "position": self.position, "old": self.old, "new": self.new,
                "old_text": self.old_text, "new_text": self.new_text, "fields": [f.to_dict() for f in self.fields]}


@dataclass
class FormChange:
    """A form of the document: added, removed, or changed (its entry or the bytes of its file)."""

    change: str  # "added" | "removed" | "changed"
    code: str
    title: str
    old_file: str | None  # repository-relative path of the file
    new_file: str | None
    old_sha256: str | None  # None: no file (not referenced, or missing)
    new_sha256: str | None
    content_changed: bool
    fields: list[FieldChange] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"change": self.change, "code": self.code, "title": self.title,
                "old_file": self.old_file, "new_file": self.new_file,
                "old_sha256": self.old_sha256, "new_sha256": self.new_sha256,
                "content_changed": self.content_changed, "fields": [f.to_dict() for f in self.fields]}


@dataclass
class SectionChange:
    """A section of the body (from one heading to the next) that changed."""

    change: str  # "added" | "removed" | "changed"
    heading: str  # heading text in the new body (in the old one when removed)
    old_heading: str | None
    added_lines: int
    removed_lines: int
    diff: str  # unified diff lines, at most MAX_DIFF_LINES (+ a closing note when cut)
    truncated: bool

    def to_dict(self) -> dict[str, Any]:
        return {"change": self.change, "heading": self.heading, "old_heading": self.old_heading,
                "added_lines": self.added_lines, "removed_lines": self.removed_lines,
                "diff": self.diff, "truncated": self.truncated}


@dataclass
class StepsTotal:
    old: str | None  # "1 ngày làm việc"; None when no step has a time
    new: str | None


@dataclass
class DocumentDiff:
    """What happened to one controlled document between the two sides."""

    status: str  # "added" | "removed" | "changed" | "unreadable" (exists but does not load any more)
    code: str  # the current code (the old one when removed)
    title: str
    path: str | None  # None when removed
    old_path: str | None  # None when added
    old_code: str | None
    old_title: str | None
    revision: int | None
    old_revision: int | None
    doc_status: str | None  # draft | effective | withdrawn, on the new side
    old_doc_status: str | None
    renamed: bool = False  # same code, new path
    recoded: bool = False  # same path, new code
    content_changed: bool = False  # front matter, body or form files
    reused_code_from: str | None = None  # added document whose code belonged to another (removed) document
    fields: list[FieldChange] = field(default_factory=list)
    dossier: list[ItemChange] = field(default_factory=list)
    channels: list[ItemChange] = field(default_factory=list)
    steps: list[ItemChange] = field(default_factory=list)
    steps_total: StepsTotal | None = None
    legal_basis: list[ItemChange] = field(default_factory=list)
    records: list[ItemChange] = field(default_factory=list)
    forms: list[FormChange] = field(default_factory=list)
    body: list[SectionChange] = field(default_factory=list)
    base: Document | None = field(default=None, repr=False, compare=False)
    head: Document | None = field(default=None, repr=False, compare=False)

    @property
    def slug(self) -> str:
        return slugify(self.code)

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "code": self.code,
            "slug": self.slug,
            "title": self.title,
            "path": self.path,
            "old_path": self.old_path,
            "old_code": self.old_code,
            "old_title": self.old_title,
            "revision": self.revision,
            "old_revision": self.old_revision,
            "doc_status": self.doc_status,
            "old_doc_status": self.old_doc_status,
            "renamed": self.renamed,
            "recoded": self.recoded,
            "content_changed": self.content_changed,
            "reused_code_from": self.reused_code_from,
            "fields": [f.to_dict() for f in self.fields],
            "dossier": [i.to_dict() for i in self.dossier],
            "channels": [i.to_dict() for i in self.channels],
            "steps": [i.to_dict() for i in self.steps],
            "steps_total": None if self.steps_total is None else {"old": self.steps_total.old, "new": self.steps_total.new},
            "legal_basis": [i.to_dict() for i in self.legal_basis],
            "records": [i.to_dict() for i in self.records],
            "forms": [f.to_dict() for f in self.forms],
            "body": [s.to_dict() for s in self.body],
        }


@dataclass
class CorpusDiff:
    documents: list[DocumentDiff]
    base_label: str = "BASE"
    head_label: str = WORKING_TREE
    base_commit: str | None = None
    head_commit: str | None = None

    def count(self, what: str) -> int:
        docs = self.documents
        if what == "renamed":
            return sum(d.renamed for d in docs)
        if what == "recoded":
            return sum(d.recoded for d in docs)
        if what == "changed":
            return sum(d.status == "changed" and d.content_changed for d in docs)
        return sum(d.status == what for d in docs)

    def to_dict(self) -> dict[str, Any]:
        return {
            "base": {"rev": self.base_label, "commit": self.base_commit},
            "head": {"rev": self.head_label, "commit": self.head_commit},
            "summary": {what: self.count(what)
                        for what in ("added", "removed", "changed", "renamed", "recoded", "unreadable")},
            "documents": [d.to_dict() for d in self.documents],
        }


# --------------------------------------------------------------------------- comparison


def compare(
    base_docs: Iterable[Document],
    head_docs: Iterable[Document],
    base_files: dict[str, str] | None = None,
    head_files: dict[str, str] | None = None,
    *,
    head_unreadable: Iterable[str] = (),
) -> CorpusDiff:
    """Compare two corpora. ``*_files`` map form-file paths to SHA-256 (see eiso.gitfiles).

    ``head_unreadable`` are paths that exist on the new side but did not load: a
    document there is reported as unreadable rather than removed.
    """
    base_files, head_files = base_files or {}, head_files or {}
    unreadable = set(head_unreadable)
    pairs, removed, added, reused = match(list(base_docs), list(head_docs))
    results: list[DocumentDiff] = []
    for old, new in pairs:
        result = _compare_pair(old, new, base_files, head_files)
        result.reused_code_from = reused.get(id(new))
        if result.renamed or result.recoded or result.content_changed:
            results.append(result)
    for old in removed:
        results.append(_one_sided(old, "unreadable" if old.path in unreadable else "removed"))
    for new in added:
        result = _one_sided(new, "added")
        result.reused_code_from = reused.get(id(new))
        results.append(result)
    order = {"changed": 0, "unreadable": 1, "added": 2, "removed": 3}
    results.sort(key=lambda d: (order[d.status], d.slug, d.path or d.old_path or ""))
    return CorpusDiff(results)


def match(
    base_docs: list[Document], head_docs: list[Document]
) -> tuple[list[tuple[Document, Document]], list[Document], list[Document], dict[int, str]]:
    """Pair documents of both sides: (pairs, removed, added, {id(head doc): path of the code's other owner}).

    In this order: same code and same path; same code, other path, same document (renamed);
    same path, other code (re-coded). A head document whose code belonged at BASE to a document
    that is not it (another path, and another title and text) is marked in the last mapping.
    """
    pairs: list[tuple[Document, Document]] = []
    base_left: dict[int, Document] = {id(d): d for d in base_docs}
    head_left: dict[int, Document] = {id(d): d for d in head_docs}

    def pair(old: Document, new: Document) -> None:
        pairs.append((old, new))
        del base_left[id(old)], head_left[id(new)]

    def index(key: Callable[[Document], Any]) -> dict[Any, list[Document]]:
        found: dict[Any, list[Document]] = {}
        for doc in base_left.values():
            found.setdefault(key(doc), []).append(doc)
        return found

    same_place = index(lambda d: (d.slug, d.path))
    for new in list(head_left.values()):
        candidates = same_place.get((new.slug, new.path))
        if candidates:
            pair(candidates.pop(0), new)
    by_slug = index(lambda d: d.slug)
    for new in list(head_left.values()):
        candidates = by_slug.get(new.slug) or []
        old = next((o for o in candidates if same_document(o, new)), None)
        if old is not None:
            candidates.remove(old)
            pair(old, new)
    reused: dict[int, str] = {}
    by_slug = index(lambda d: d.slug)
    for new in head_left.values():
        if by_slug.get(new.slug):
            reused[id(new)] = by_slug[new.slug][0].path
    by_path = index(lambda d: d.path)
    for new in list(head_left.values()):
        candidates = by_path.get(new.path)
        if candidates:
            pair(candidates.pop(0), new)
    return pairs, list(base_left.values()), list(head_left.values()), reused


def same_document(old: Document, new: Document) -> bool:
    """Is ``new`` (same code, other path) the document ``old`` moved, rather than another one?

    Yes when the titles are equal (ignoring case and accents), or when the kind is the same
    and the bodies are mostly the same text (a move with a new title in one change).
    """
    if fold(old.meta.title).strip() == fold(new.meta.title).strip():
        return True
    if old.meta.kind != new.meta.kind:
        return False
    a, b = _content_lines(old.body), _content_lines(new.body)
    if min(len(a), len(b)) < 5:
        return False
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio() >= 0.6


def _content_lines(body: str) -> list[str]:
    return [line.strip() for line in body.splitlines() if line.strip()]


def _one_sided(doc: Document, status: str) -> DocumentDiff:
    meta = doc.meta
    added = status == "added"
    return DocumentDiff(
        status=status, code=meta.code, title=meta.title,
        path=doc.path if added else None, old_path=None if added else doc.path,
        old_code=None, old_title=None,
        revision=meta.revision if added else None, old_revision=None if added else meta.revision,
        doc_status=meta.status.value if added else None, old_doc_status=None if added else meta.status.value,
        content_changed=True, base=None if added else doc, head=doc if added else None,
    )


def _compare_pair(old: Document, new: Document, base_files: dict[str, str], head_files: dict[str, str]) -> DocumentDiff:
    a = old.meta.model_dump(mode="json")
    b = new.meta.model_dump(mode="json")
    result = DocumentDiff(
        status="changed", code=new.meta.code, title=new.meta.title, path=new.path, old_path=old.path,
        old_code=old.meta.code, old_title=old.meta.title,
        revision=new.meta.revision, old_revision=old.meta.revision,
        doc_status=new.meta.status.value, old_doc_status=old.meta.status.value,
        renamed=old.path != new.path and old.slug == new.slug,
        recoded=old.slug != new.slug,
        base=old, head=new,
    )
    result.fields = field_changes(a, b)
    tthc_a, tthc_b = a.get("tthc") or {}, b.get("tthc") or {}
    result.dossier = _keyed_items("dossier", tthc_a.get("dossier") or [], tthc_b.get("dossier") or [],
                                  lambda item: item.get("name") or "")
    result.channels = _keyed_items("channels", tthc_a.get("channels") or [], tthc_b.get("channels") or [],
                                   lambda item: item.get("channel") or "")
    result.legal_basis = _keyed_items("legal_basis", a["legal_basis"], b["legal_basis"],
                                      lambda item: item.get("code") or item.get("title") or "")
    result.records = _keyed_items("records", a["records"], b["records"], lambda item: item.get("name") or "")
    result.steps = _step_items(a["steps"], b["steps"])
    if result.steps:
        result.steps_total = StepsTotal(_steps_total(old), _steps_total(new))
    result.forms = _form_changes(old, new, base_files, head_files)
    result.body = body_changes(old.body, new.body) if old.body != new.body else []
    result.content_changed = any((result.fields, result.dossier, result.channels, result.legal_basis,
                                  result.records, result.steps, result.forms, result.body))
    return result


def field_changes(old: dict[str, Any], new: dict[str, Any], prefix: tuple[str, ...] = (),
                  labels: Callable[[tuple[str, ...]], str] | None = None) -> list[FieldChange]:
    """Value-by-value changes of two JSON objects, skipping the lists compared item by item."""
    labels = labels or label_of
    changes: list[FieldChange] = []
    for key in _keys(old, new):
        path = (*prefix, key)
        if path in _ITEM_LISTS and labels is label_of:
            continue
        a, b = old.get(key), new.get(key)
        if a == b:
            continue
        if path in _SECTIONS and (a is None or b is None):  # a whole section appears or goes: key by key
            a, b = a or {}, b or {}
        if isinstance(a, dict) and isinstance(b, dict) and not _is_atom(path, a, b):
            changes.extend(field_changes(a, b, path, labels))
            continue
        changes.append(FieldChange(".".join(path), labels(path), a, b, format_value(path, a), format_value(path, b)))
    return changes


def _keys(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    return list(old) + [k for k in new if k not in old]


def _is_atom(path: tuple[str, ...], a: Any, b: Any) -> bool:
    """Values shown whole rather than key by key: durations."""
    return path[-1] == "time" or ({"value", "unit"} == set(a) == set(b))


def label_of(path: tuple[str, ...]) -> str:
    """Vietnamese name of a front-matter path: ("approved_by", "name") -> "Người phê duyệt › Họ và tên"."""
    parts: list[str] = []
    for depth in range(1, len(path) + 1):
        sub = path[:depth]
        dotted = ".".join(sub)
        if dotted in LABELS:
            parts.append(LABELS[dotted])
        elif depth >= 2 and path[depth - 2] in ("prepared_by", "reviewed_by", "approved_by"):
            parts.append(PERSON_LABELS.get(sub[-1], sub[-1]))
        else:
            parts.append(sub[-1])
    return " › ".join(parts)


def _item_labeller(kind: str) -> Callable[[tuple[str, ...]], str]:
    names = ITEM_LABELS[kind]
    return lambda path: " › ".join(names.get(part, part) for part in path)


def _item_key(text: str) -> str:
    return " ".join(fold(text).split())


def _keyed_items(kind: str, old: list[dict], new: list[dict], key: Callable[[dict], str]) -> list[ItemChange]:
    """Items matched by a name (ignoring case, accents and spacing); repeated names pair in order."""
    summarize = _SUMMARIES[kind]
    labels = _item_labeller(kind)
    remaining: dict[str, list[int]] = {}
    for index, item in enumerate(old):
        remaining.setdefault(_item_key(key(item)), []).append(index)
    changes: list[ItemChange] = []
    matched: set[int] = set()
    for position, item in enumerate(new, 1):
        slots = remaining.get(_item_key(key(item))) or []
        if not slots:
            changes.append(ItemChange("added", key(item), None, item, "", summarize(item), position=position))
            continue
        index = slots.pop(0)
        matched.add(index)
        before = old[index]
        if before != item:
            changes.append(ItemChange("changed", key(item), before, item, summarize(before), summarize(item),
                                      field_changes(before, item, (), labels), position=position))
    for index, item in enumerate(old):
        if index not in matched:
            changes.append(ItemChange("removed", key(item), item, None, summarize(item), "", position=index + 1))
    return changes


def _step_items(old: list[dict], new: list[dict]) -> list[ItemChange]:
    """Steps are ordered: aligned by their action text, replaced runs paired one to one."""
    summarize, labels = _SUMMARIES["steps"], _item_labeller("steps")
    keys_a = [_item_key(step.get("action") or "") for step in old]
    keys_b = [_item_key(step.get("action") or "") for step in new]
    changes: list[ItemChange] = []
    matcher = difflib.SequenceMatcher(None, keys_a, keys_b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        pairs = list(zip(range(i1, i2), range(j1, j2))) if tag in ("equal", "replace") else []
        for i, j in pairs:
            if old[i] != new[j]:
                changes.append(ItemChange("changed", new[j].get("action") or "", old[i], new[j], summarize(old[i]),
                                          summarize(new[j]), field_changes(old[i], new[j], (), labels), position=j + 1))
        for i in range(i1 + len(pairs), i2):
            changes.append(ItemChange("removed", old[i].get("action") or "", old[i], None, summarize(old[i]), "",
                                      position=i + 1))
        for j in range(j1 + len(pairs), j2):
            changes.append(ItemChange("added", new[j].get("action") or "", None, new[j], "", summarize(new[j]),
                                      position=j + 1))
    return changes


def _steps_total(doc: Document) -> str | None:
    timed = [step.time for step in doc.meta.steps if step.time is not None]
    try:
        spent = durations.total(timed)
    except durations.Incomparable as units:
        return f"không cộng được (đơn vị khác loại: {units})"
    return None if spent is None else str(spent)


def _form_changes(old: Document, new: Document, base_files: dict[str, str], head_files: dict[str, str]) -> list[FormChange]:
    from eiso.control.gitfiles import form_path

    labels = _item_labeller("forms")
    before = {_item_key(form.code): form for form in old.meta.forms}
    changes: list[FormChange] = []
    for form in new.meta.forms:
        new_file = form_path(new, form.file) if form.file else None
        new_sha = head_files.get(new_file) if new_file else None
        previous = before.pop(_item_key(form.code), None)
        if previous is None:
            changes.append(FormChange("added", form.code, form.title, None, new_file, None, new_sha, False))
            continue
        old_file = form_path(old, previous.file) if previous.file else None
        old_sha = base_files.get(old_file) if old_file else None
        fields = field_changes(previous.model_dump(mode="json"), form.model_dump(mode="json"), (), labels)
        content = old_sha != new_sha
        if fields or content:
            changes.append(FormChange("changed", form.code, form.title, old_file, new_file, old_sha, new_sha,
                                      content, fields))
    for form in before.values():
        old_file = form_path(old, form.file) if form.file else None
        changes.append(FormChange("removed", form.code, form.title, old_file, None,
                                  base_files.get(old_file) if old_file else None, None, False))
    return changes


# --------------------------------------------------------------------------- body


_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?[ \t]*#*[ \t]*$")
_FENCE_OPEN = re.compile(r"^ {0,3}(`{3,}|~{3,})")
PREAMBLE = "(Phần đầu, trước đề mục đầu tiên)"


@dataclass
class _Section:
    heading: str  # display text
    key: str  # for matching
    lines: list[str]


def split_sections(body: str) -> list[_Section]:
    """Sections of a Markdown body, split at ATX headings outside fenced code blocks."""
    sections = [_Section(PREAMBLE, "", [])]
    fence: str | None = None
    for raw in body.split("\n"):
        line = raw.rstrip()
        opened = _FENCE_OPEN.match(line)
        if fence is None and opened:
            fence = opened.group(1)
        elif fence is not None and line.strip().startswith(fence[0] * len(fence)) and \
                set(line.strip()) == {fence[0]}:
            fence = None
        elif fence is None and (heading := _HEADING.match(line)):
            text = (heading.group(2) or "").strip()
            sections.append(_Section(text or heading.group(1), _item_key(text), []))
        sections[-1].lines.append(line)
    for section in sections:  # blank lines at the edges are not content
        while section.lines and not section.lines[-1].strip():
            section.lines.pop()
    if not any(line.strip() for line in sections[0].lines):
        sections.pop(0)
    return sections


def body_changes(old: str, new: str) -> list[SectionChange]:
    a, b = split_sections(old), split_sections(new)
    changes: list[SectionChange] = []
    matcher = difflib.SequenceMatcher(None, [s.key for s in a], [s.key for s in b], autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        pairs = list(zip(range(i1, i2), range(j1, j2))) if tag in ("equal", "replace") else []
        for i, j in pairs:
            if a[i].lines != b[j].lines:
                changes.append(_section_change("changed", a[i], b[j]))
        for i in range(i1 + len(pairs), i2):
            changes.append(_section_change("removed", a[i], None))
        for j in range(j1 + len(pairs), j2):
            changes.append(_section_change("added", None, b[j]))
    return changes


def _section_change(change: str, old: _Section | None, new: _Section | None) -> SectionChange:
    lines = list(difflib.unified_diff(old.lines if old else [], new.lines if new else [], n=2, lineterm=""))[2:]
    added = sum(1 for line in lines if line.startswith("+"))
    removed = sum(1 for line in lines if line.startswith("-"))
    truncated = len(lines) > MAX_DIFF_LINES
    if truncated:
        hidden = len(lines) - MAX_DIFF_LINES
        lines = lines[:MAX_DIFF_LINES] + [f"… (còn {hidden} dòng không hiển thị)"]
    shown = new if new is not None else old
    assert shown is not None
    return SectionChange(change, shown.heading, old.heading if old and new and old.heading != new.heading else None,
                         added, removed, "\n".join(lines), truncated)


# --------------------------------------------------------------------------- values as text


def format_value(path: tuple[str, ...], value: Any) -> str:
    """A front-matter value the way a person reads it."""
    if value is None or value == "" or value == [] or value == {}:
        return EMPTY
    last = path[-1] if path else ""
    if last == "effective" and isinstance(value, str):
        return _date(value)
    if path == ("status",):
        return _enum_label(STATUS_LABELS, Status, value)
    if path == ("kind",):
        return _enum_label(KIND_LABELS, Kind, value)
    if path == ("audience",):
        return AUDIENCE_LABELS.get(value, str(value))
    if path[-2:] == ("online", "level"):
        return _enum_label(ONLINE_LABELS, OnlineLevel, value)
    if isinstance(value, dict) and {"value", "unit"} <= set(value):
        return _duration(value)
    if isinstance(value, dict) and "name" in value and set(value) <= {"name", "title"}:
        return f"{value['name']} ({value['title']})" if value.get("title") else str(value["name"])
    if isinstance(value, dict) and path[-1:] == ("online",):
        level = _enum_label(ONLINE_LABELS, OnlineLevel, value.get("level"))
        return f"{level}: {value['url']}" if value.get("url") else level
    if isinstance(value, bool):
        return "có" if value else "không"
    if isinstance(value, float):
        return durations.format_number(value)
    if isinstance(value, list):
        return "; ".join(format_value(path, item) for item in value)
    if isinstance(value, dict):
        return "; ".join(f"{key}: {format_value((*path, key), item)}" for key, item in value.items()
                         if item not in (None, "", [], {}))
    return str(value)


def _enum_label(labels: dict, enum: type, value: Any) -> str:
    try:
        return labels[enum(value)]
    except (ValueError, KeyError):
        return str(value)


def _date(value: str) -> str:
    parts = value[:10].split("-")
    return f"{parts[2]}/{parts[1]}/{parts[0]}" if len(parts) == 3 else value


def _duration(value: dict[str, Any]) -> str:
    try:
        return durations.format_duration(Duration.model_validate(value))
    except Exception:  # noqa: BLE001 - a malformed value is shown as it is
        return f"{value.get('value')} {value.get('unit')}"


def _summary_dossier(item: dict) -> str:
    text = f"{item.get('originals', 0)} bản chính, {item.get('copies', 0)} bản sao"
    return f"{text}; mẫu {item['form']}" if item.get("form") else text


def _summary_channel(item: dict) -> str:
    time = _duration(item["time"]) if item.get("time") else "không ghi thời hạn"
    return f"{time}; phí: {item.get('fee') or EMPTY}"


def _summary_step(item: dict) -> str:
    text = f"{item.get('actor', '')}: {item.get('action', '')}"
    if item.get("time"):
        text += f" ({_duration(item['time'])})"
    if item.get("output"):
        text += f" → {item['output']}"
    return text


def _summary_legal(item: dict) -> str:
    return " – ".join(part for part in (item.get("code"), item.get("title")) if part)


def _summary_record(item: dict) -> str:
    return "; ".join(part for part in (item.get("keeper"), item.get("retention")) if part) or EMPTY


_SUMMARIES: dict[str, Callable[[dict], str]] = {
    "dossier": _summary_dossier, "channels": _summary_channel, "steps": _summary_step,
    "legal_basis": _summary_legal, "records": _summary_record,
}


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
