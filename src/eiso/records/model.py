"""The typed model of QMS records (DESIGN.md, "QMS records"): nonconformities, audits, management reviews.

Records live in ``records/**/*.md`` with the same front-matter mechanics as controlled
documents; the ``kind`` key picks the model. Descriptions are Vietnamese for editors.
"""

from __future__ import annotations

import datetime as dt
from enum import Enum
from pathlib import PurePosixPath
from typing import Any, Union

from pydantic import BaseModel, ConfigDict, Field

from eiso.documents.model import Date, Person, Text, _Model
from eiso.documents.text import slugify

_CLAUSE = r"^(?:[4-9]|10)(?:\.[0-9]{1,2}){0,3}$"


class RecordKind(str, Enum):
    nonconformity = "nonconformity"
    audit = "audit"
    management_review = "management_review"


class Source(str, Enum):
    internal_audit = "internal_audit"
    external_audit = "external_audit"
    complaint = "complaint"
    process_monitoring = "process_monitoring"


class Grade(str, Enum):
    major = "major"
    minor = "minor"
    observation = "observation"


class NcStatus(str, Enum):
    open = "open"
    closed = "closed"


class Action(_Model):
    action: Text = Field(min_length=1, description="Hành động khắc phục")
    owner: Text = Field(min_length=1, description="Người / đơn vị thực hiện")
    due: Date = Field(description="Thời hạn hoàn thành (YYYY-MM-DD)")
    done: Date | None = Field(default=None, description="Ngày hoàn thành (YYYY-MM-DD)")


class Nonconformity(_Model):
    """Sự không phù hợp và hành động khắc phục (TCVN ISO 9001:2015, 10.2)."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, title="e-ISO: hồ sơ sự không phù hợp",
        json_schema_extra={"allOf": [
            {"if": {"properties": {"status": {"const": "closed"}}, "required": ["status"]},
             "then": {"required": ["verified_by", "closed"]}},
        ]},
    )

    code: Text = Field(min_length=1, description="Mã hồ sơ, ví dụ NC-2026-03")
    kind: RecordKind = Field(description="Loại hồ sơ")
    title: Text = Field(min_length=1, description="Tóm tắt sự không phù hợp")
    source: Source = Field(description="Nguồn phát hiện")
    grade: Grade = Field(description="Mức độ: major (loại 1), minor (loại 2), observation (điểm cần lưu ý)")
    clause: Text = Field(pattern=_CLAUSE, description="Điều khoản TCVN ISO 9001:2015, ví dụ 7.5.3")
    unit: Text | None = Field(default=None, description="Đơn vị liên quan (mặc định: đơn vị chủ trì của tài liệu)")
    documents: list[Text] = Field(default_factory=list, description="Mã các tài liệu liên quan")
    audit: Text | None = Field(default=None, description="Mã cuộc đánh giá phát hiện (nếu có)")
    found: Date = Field(description="Ngày phát hiện")
    found_by: Person = Field(description="Người phát hiện")
    description: Text = Field(min_length=1, description="Mô tả sự không phù hợp")
    cause: Text = Field(default="", description="Nguyên nhân")
    correction: Text = Field(default="", description="Khắc phục tức thời")
    actions: list[Action] = Field(default_factory=list, description="Hành động khắc phục")
    status: NcStatus = Field(description="Trạng thái: open (đang xử lý) | closed (đã đóng)")
    verified_by: Person | None = Field(default=None, description="Người kiểm tra xác nhận hiệu lực")
    closed: Date | None = Field(default=None, description="Ngày đóng")


class Scope(_Model):
    units: list[Text] = Field(default_factory=list, description="Đơn vị được đánh giá")
    documents: list[Text] = Field(default_factory=list, description="Mã tài liệu được đánh giá")
    clauses: list[Text] = Field(default_factory=list, description="Điều khoản được đánh giá")


class Audit(_Model):
    """Cuộc đánh giá nội bộ (TCVN ISO 9001:2015, 9.2)."""

    model_config = ConfigDict(extra="forbid", frozen=True, title="e-ISO: hồ sơ đánh giá nội bộ")

    code: Text = Field(min_length=1, description="Mã hồ sơ, ví dụ DGNB-2026-01")
    kind: RecordKind = Field(description="Loại hồ sơ")
    title: Text = Field(min_length=1, description="Tên cuộc đánh giá")
    date: Date = Field(description="Ngày đánh giá (ngày bắt đầu)")
    scope: Scope = Field(description="Phạm vi đánh giá")
    auditors: list[Person] = Field(min_length=1, description="Đoàn đánh giá")
    findings: list[Text] = Field(default_factory=list, description="Mã các hồ sơ không phù hợp phát hiện")


class Decision(_Model):
    decision: Text = Field(min_length=1, description="Nội dung quyết định / hành động")
    owner: Text = Field(min_length=1, description="Người / đơn vị thực hiện")
    due: Date | None = Field(default=None, description="Thời hạn")
    done: Date | None = Field(default=None, description="Ngày hoàn thành")


class ManagementReview(_Model):
    """Cuộc họp xem xét của lãnh đạo (TCVN ISO 9001:2015, 9.3)."""

    model_config = ConfigDict(extra="forbid", frozen=True, title="e-ISO: hồ sơ xem xét của lãnh đạo")

    code: Text = Field(min_length=1, description="Mã hồ sơ, ví dụ XXLD-2026-01")
    kind: RecordKind = Field(description="Loại hồ sơ")
    title: Text = Field(min_length=1, description="Tên cuộc họp")
    date: Date = Field(description="Ngày họp")
    chaired_by: Person = Field(description="Người chủ trì")
    participants: list[Person] = Field(default_factory=list, description="Thành phần tham dự")
    decisions: list[Decision] = Field(default_factory=list, description="Kết luận, quyết định")


RecordMeta = Union[Nonconformity, Audit, ManagementReview]
MODELS: dict[str, type[_Model]] = {
    RecordKind.nonconformity.value: Nonconformity,
    RecordKind.audit.value: Audit,
    RecordKind.management_review.value: ManagementReview,
}


class Record(BaseModel):
    """A loaded QMS record: validated front matter plus where it came from."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    path: str
    meta: Nonconformity | Audit | ManagementReview
    body: str
    body_line: int
    lines: dict[tuple[str | int, ...], int] = Field(default_factory=dict, repr=False)

    @property
    def slug(self) -> str:
        return slugify(self.meta.code)

    @property
    def url(self) -> str:
        return f"ho-so/{self.slug}/"

    @property
    def kind(self) -> RecordKind:
        return self.meta.kind

    @property
    def day(self) -> dt.date:
        """The record's own date: found (nonconformity) or held (audit, review)."""
        return self.meta.found if isinstance(self.meta, Nonconformity) else self.meta.date

    @property
    def folder(self) -> PurePosixPath:
        return PurePosixPath(self.path).parent

    def line_of(self, *path: str | int) -> int:
        key: tuple[str | int, ...] = tuple(path)
        while key not in self.lines and key:
            key = key[:-1]
        return self.lines.get(key, 1)


def json_schema() -> dict[str, Any]:
    """JSON Schema of a record's front matter: one of the three kinds, chosen by ``kind``."""
    branches = []
    defs: dict[str, Any] = {}
    for kind, model in MODELS.items():
        schema = model.model_json_schema(ref_template="#/$defs/{model}")
        defs.update(schema.pop("$defs", {}))
        schema["properties"]["kind"] = {"const": kind, "description": "Loại hồ sơ"}
        defs[model.__name__] = schema
        branches.append({"if": {"properties": {"kind": {"const": kind}}, "required": ["kind"]},
                         "then": {"$ref": f"#/$defs/{model.__name__}"}})
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://e-iso.example/schema/record-v1.schema.json",
        "title": "e-ISO: hồ sơ hệ thống quản lý chất lượng (phiên bản 1)",
        "type": "object",
        "required": ["kind"],
        "properties": {"kind": {"enum": list(MODELS), "description": "Loại hồ sơ"}},
        "allOf": branches,
        "$defs": defs,
    }


GRADE_LABELS: dict[Grade, str] = {
    Grade.major: "Không phù hợp loại 1",
    Grade.minor: "Không phù hợp loại 2",
    Grade.observation: "Điểm cần lưu ý",
}
SOURCE_LABELS: dict[Source, str] = {
    Source.internal_audit: "Đánh giá nội bộ",
    Source.external_audit: "Đánh giá bên ngoài",
    Source.complaint: "Phản ánh, kiến nghị",
    Source.process_monitoring: "Theo dõi quá trình",
}
NC_STATUS_LABELS: dict[NcStatus, str] = {NcStatus.open: "Đang xử lý", NcStatus.closed: "Đã đóng"}
KIND_LABELS: dict[RecordKind, str] = {
    RecordKind.nonconformity: "Sự không phù hợp",
    RecordKind.audit: "Đánh giá nội bộ",
    RecordKind.management_review: "Xem xét của lãnh đạo",
}
CODE_PREFIXES: dict[RecordKind, str] = {
    RecordKind.nonconformity: "NC",
    RecordKind.audit: "DGNB",
    RecordKind.management_review: "XXLD",
}
