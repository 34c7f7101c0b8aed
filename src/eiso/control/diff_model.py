"""What a change report is made of: the changes of one document and of a whole corpus."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from eiso.documents.model import Document
from eiso.documents.text import fold, slugify

MAX_DIFF_LINES = 40  # lines of unified diff shown per body section
INLINE_DIFF_LINES = 8  # shorter diffs are shown directly, longer ones folded in <details>
WORKING_TREE = "thư mục làm việc"
CHANGE_LABELS = {"added": "Thêm", "removed": "Bỏ", "changed": "Sửa"}


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


def match_key(text: str) -> str:
    """How two items (dossier entries, steps, sections) are recognised as the same across revisions."""
    return " ".join(fold(text).split())
