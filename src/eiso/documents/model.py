"""The typed model of a controlled document: front matter version 1 of DESIGN.md.

Pydantic gives validation with a location for every error and the JSON Schema
published for editors (``schema/procedure.schema.json``), both from this one
definition. Descriptions are Vietnamese because editors show them to authors.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from enum import Enum
from pathlib import PurePosixPath
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PrivateAttr
from pydantic_core import PydanticCustomError

from eiso.documents.text import nfc, slugify
from eiso.documents.yamlsource import raw_text

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _as_text(value: Any) -> Any:
    value = raw_text(value)
    return nfc(value) if isinstance(value, str) else value


FIRST_YEAR, LAST_YEAR = 1945, 2100  # dates outside are typing mistakes, and 9999 overflows date arithmetic


def _as_date(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        raise ValueError("date_only")
    if isinstance(value, str) and _DATE.match(value.strip()):
        try:
            value = dt.date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError("date_invalid") from None
    if not isinstance(value, dt.date):
        raise ValueError("date_format")
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValueError("date_range")
    return value


def _not_bool(value: Any) -> Any:
    # YAML reads "true" as a bool, and pydantic takes a bool for the integer 1: "revision: true" must not be
    # revision 1 (nor an adoption of the framework's revision 1).
    if isinstance(value, bool):
        raise PydanticCustomError("int_type", "Input should be a valid integer")
    return value


Text = Annotated[str, BeforeValidator(_as_text)]
Date = Annotated[dt.date, BeforeValidator(_as_date)]
Whole = Annotated[int, BeforeValidator(_not_bool)]


#: One set of the field names given, per distinct set, for the models below once unpickled (every document is,
#: see ``DocumentCache``): each front matter, step and dossier item had its own ``__pydantic_fields_set__``,
#: 70 MB at 10,000 documents, of fifteen distinct sets. Shared by frozen models only, which never change it
#: (pydantic's ``__copy__`` gives a copy its own).
_FIELDS_SETS: dict[frozenset, set] = {}


class _Shared(BaseModel):
    def __setstate__(self, state: dict[Any, Any]) -> None:
        fields_set = state.get("__pydantic_fields_set__")
        if isinstance(fields_set, set):
            state["__pydantic_fields_set__"] = _FIELDS_SETS.setdefault(frozenset(fields_set), fields_set)
        super().__setstate__(state)


class _Model(_Shared):
    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=False)


class Kind(str, Enum):
    policy = "policy"
    objectives = "objectives"
    manual = "manual"
    system = "system"
    tthc = "tthc"
    internal = "internal"
    guide = "guide"


class Status(str, Enum):
    draft = "draft"
    effective = "effective"
    withdrawn = "withdrawn"


class Audience(str, Enum):
    public = "public"
    internal = "internal"


class TimeUnit(str, Enum):
    working_days = "working_days"
    days = "days"
    hours = "hours"
    months = "months"


class OnlineLevel(str, Enum):
    toan_trinh = "toan_trinh"
    mot_phan = "mot_phan"
    none = "none"


class Duration(_Model):
    # inf and nan would print as "inf ngày làm việc"; no statutory time is near the upper bound.
    value: float = Field(gt=0, le=100_000, allow_inf_nan=False, description="Số lượng thời gian")
    unit: TimeUnit = Field(description="Đơn vị: working_days (ngày làm việc), days, hours, months")


class Person(_Model):
    name: Text = Field(min_length=1, description="Họ và tên")
    title: Text = Field(default="", description="Chức vụ")


class LegalRef(_Model):
    code: Text = Field(default="", description="Số, ký hiệu văn bản, ví dụ 123/2015/NĐ-CP")
    title: Text = Field(min_length=1, description="Trích yếu văn bản")


class Online(_Model):
    level: OnlineLevel = Field(description="Mức dịch vụ công trực tuyến")
    url: Text | None = Field(default=None, description="Địa chỉ nộp hồ sơ trực tuyến")


class Channel(_Model):
    channel: Text = Field(min_length=1, description="Cách thức thực hiện")
    time: Duration | None = Field(default=None, description="Thời hạn giải quyết")
    fee: Text = Field(default="", description="Phí, lệ phí")


class DossierItem(_Model):
    name: Text = Field(min_length=1, description="Tên giấy tờ")
    form: Text | None = Field(default=None, description="Mã biểu mẫu (nếu có)")
    originals: int = Field(default=1, ge=0, le=1000, description="Số bản chính")
    copies: int = Field(default=0, ge=0, le=1000, description="Số bản sao")


class Tthc(_Model):
    # Required keys that a draft may leave empty: eiso check asks for them before the document takes effect.
    national_code: Text = Field(description="Mã thủ tục trên Cơ sở dữ liệu quốc gia")
    decision: Text | None = Field(default=None, description="Quyết định công bố thủ tục")
    online: Online | None = None
    level: Text = Field(description="Cấp thực hiện")
    applicants: Text = Field(default="", description="Đối tượng thực hiện")
    agency: Text = Field(description="Cơ quan thực hiện")
    result: Text = Field(default="", description="Kết quả thực hiện")
    conditions: Text = Field(default="", description="Yêu cầu, điều kiện")
    channels: list[Channel] = Field(min_length=1, description="Cách thức thực hiện")
    dossier: list[DossierItem] = Field(default_factory=list, description="Thành phần hồ sơ")
    citizen_steps: list[Text] = Field(
        default_factory=list, description="Trình tự thực hiện, như người dân thấy (công khai)")


class Step(_Model):
    actor: Text = Field(min_length=1, description="Trách nhiệm")
    action: Text = Field(min_length=1, description="Nội dung công việc")
    time: Duration | None = Field(default=None, description="Thời gian thực hiện")
    output: Text | None = Field(default=None, description="Kết quả / biểu mẫu")


class Form(_Model):
    code: Text = Field(min_length=1, description="Mã biểu mẫu")
    title: Text = Field(min_length=1, description="Tên biểu mẫu")
    file: Text | None = Field(default=None, description="Tệp biểu mẫu, đường dẫn tính từ tệp .md")


class Record(_Model):
    name: Text = Field(min_length=1, description="Tên hồ sơ")
    keeper: Text = Field(default="", description="Người lưu")
    retention: Text = Field(default="", description="Thời gian lưu")


class BasedOn(_Model):
    code: Text = Field(min_length=1, description="Mã hiệu tài liệu trong mô hình khung")
    revision: Whole = Field(ge=1, le=10_000, description="Lần ban hành của mô hình khung được áp dụng")


_PERIOD = r"^\d{4}(?:-(?:Q[1-4]|H[12]|0[1-9]|1[0-2]))?$"


class Measurement(_Model):
    """One measured value of a quality objective (clauses 6.2 and 9.1.3)."""

    objective: int = Field(ge=1, le=10_000, description="Số thứ tự mục tiêu trong bảng mục tiêu chất lượng")
    period: Text = Field(pattern=_PERIOD, description="Kỳ đo: 2026, 2026-Q1, 2026-H1 hoặc 2026-03")
    value: float = Field(allow_inf_nan=False, description="Giá trị đo được (số, ví dụ tỷ lệ phần trăm)")
    note: Text = Field(default="", description="Ghi chú")


class ImportedRevision(_Model):
    """One row of the revision table a Word procedure kept before it came under git."""

    date: Date | None = Field(default=None, description="Ngày sửa đổi (YYYY-MM-DD)")
    revision: int | None = Field(default=None, ge=0, le=10_000, description="Lần ban hành / lần sửa đổi")
    change: Text = Field(min_length=1, description="Nội dung sửa đổi")


class FrontMatter(_Model):
    """Front matter of one controlled document (version 1)."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        title="e-ISO: phần đầu tài liệu kiểm soát (phiên bản 1)",
        # The rules that depend on other keys, for editors; eiso check enforces them too.
        json_schema_extra={
            "allOf": [
                {"if": {"properties": {"status": {"const": "effective"}}, "required": ["status"]},
                 "then": {"required": ["approved_by", "effective"]}},
                {"if": {"properties": {"status": {"const": "withdrawn"}}, "required": ["status"]},
                 "then": {"required": ["effective"]}},
                {"if": {"properties": {"kind": {"const": "tthc"}}, "required": ["kind"]},
                 "then": {"required": ["tthc"]}},
            ]
        },
    )

    based_on: BasedOn | None = Field(
        default=None,
        description="Áp dụng tài liệu của mô hình khung: các khóa không ghi ở đây lấy từ tài liệu khung ở lần ban hành này",
    )
    code: Text = Field(min_length=1, description="Mã hiệu tài liệu, duy nhất")
    title: Text = Field(min_length=1, description="Tên tài liệu")
    kind: Kind = Field(description="Loại tài liệu")
    unit: Text = Field(min_length=1, description="Đơn vị chủ trì")
    field: Text | None = Field(default=None, description="Lĩnh vực")
    revision: Whole = Field(ge=1, le=10_000, description="Lần ban hành")
    effective: Date | None = Field(default=None, description="Ngày hiệu lực (YYYY-MM-DD)")
    status: Status = Field(description="Trạng thái")
    audience: Audience = Field(default=Audience.internal, description="Phạm vi công bố")
    review_months: int = Field(default=12, ge=1, le=120, description="Chu kỳ xem xét (tháng)")
    prepared_by: Person | None = Field(default=None, description="Người soạn thảo")
    reviewed_by: Person | None = Field(default=None, description="Người xem xét")
    approved_by: Person | None = Field(default=None, description="Người phê duyệt")
    legal_basis: list[LegalRef] = Field(default_factory=list, description="Căn cứ pháp lý")
    related: list[Text] = Field(default_factory=list, description="Mã các tài liệu liên quan")
    tthc: Tthc | None = Field(default=None, description="Thông tin thủ tục hành chính")
    steps: list[Step] = Field(default_factory=list, description="Các bước xử lý")
    forms: list[Form] = Field(default_factory=list, description="Biểu mẫu")
    records: list[Record] = Field(default_factory=list, description="Hồ sơ cần lưu")
    measurements: list[Measurement] = Field(
        default_factory=list, description="Kết quả đo mục tiêu chất lượng (chỉ tài liệu loại objectives)")
    history_before_git: list[ImportedRevision] = Field(
        default_factory=list, description="Bảng theo dõi sửa đổi của bản Word, trước khi tài liệu được quản lý bằng git")


class Adoption(_Shared):
    """How an adopted document relates to its framework document (set by the loader, never by the file)."""

    model_config = ConfigDict(frozen=True)

    code: str  # the framework document's code
    revision: int  # the framework revision adopted
    framework_path: str  # the framework document's path inside the framework repository
    overridden: tuple[str, ...] = ()  # top-level keys the local file sets to another value than the framework
    body_inherited: bool = False  # the local body was empty: the framework's body is used
    # Repository-relative folder of the framework document, when its forms are inherited:
    # their files are the framework's (e.g. "khung/procedures/tthc").
    forms_folder: str | None = None


class Document(_Shared):
    """A loaded controlled document: validated front matter plus where it came from."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    path: str  # repository-relative POSIX path of the .md file
    meta: FrontMatter
    body: str  # Markdown, NFC, LF line endings
    body_line: int  # line of the file where the body starts
    lines: dict[tuple[str | int, ...], int] = Field(default_factory=dict, repr=False)
    adoption: Adoption | None = None  # set when the file adopts a framework document (based_on)

    _fingerprints: dict[bool, str] = PrivateAttr(default_factory=dict)

    def fingerprint(self, body: bool = True) -> str:
        """A digest of all the document holds, line numbers included: equal exactly for equal documents.

        What caches key on. ``body=False``: all but the body and where things are in the file (what a list
        of documents may show). Computed once: a document is never changed once made, and the loader
        computes both before the document is cached, so that a reused document brings them along.
        """
        known = self._fingerprints.get(body)
        if known is None:
            # Through Python's json, not pydantic's model_dump_json: that one leaves a UTF-8 copy of every
            # non-ASCII text it writes attached to the text for good (CPython's cache; 70 MB at 10,000 documents).
            data = self.model_dump(mode="json", exclude={"lines"} if body else {"lines", "body", "body_line"})
            text = json.dumps(data, ensure_ascii=False, separators=(",", ":")) + (repr(self.lines) if body else "")
            known = self._fingerprints[body] = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
        return known

    def __eq__(self, other: object) -> bool:
        # pydantic would also compare which fingerprints happen to be computed already
        return isinstance(other, Document) and self.fingerprint() == other.fingerprint()

    @property
    def slug(self) -> str:
        return slugify(self.meta.code)

    @property
    def url(self) -> str:
        return f"quy-trinh/{self.slug}/"

    @property
    def folder(self) -> PurePosixPath:
        return PurePosixPath(self.path).parent

    @property
    def attachments_folder(self) -> PurePosixPath:
        """Where form files named by this document are (the framework's folder for inherited forms)."""
        if self.adoption is not None and self.adoption.forms_folder:
            return PurePosixPath(self.adoption.forms_folder)
        return self.folder

    def line_of(self, *path: str | int) -> int:
        """File line of a front-matter key (or its nearest parent)."""
        key: tuple[str | int, ...] = tuple(path)
        while key not in self.lines and key:
            key = key[:-1]
        return self.lines.get(key, 1)


def json_schema() -> dict[str, Any]:
    """The JSON Schema of the front matter, for editors (kept in sync by a test)."""
    schema = FrontMatter.model_json_schema()
    # An adoption (based_on) takes every key it omits from the framework document.
    required = schema.pop("required", [])
    schema.setdefault("allOf", []).append({
        "if": {"required": ["based_on"]},
        "then": {"required": ["based_on", "code", "revision", "status"]},
        "else": {"required": required},
    })
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://e-iso.example/schema/procedure-v1.schema.json"
    return schema


KIND_LABELS: dict[Kind, str] = {
    Kind.policy: "Chính sách chất lượng",
    Kind.objectives: "Mục tiêu chất lượng",
    Kind.manual: "Sổ tay chất lượng",
    Kind.system: "Quy trình hệ thống",
    Kind.tthc: "Quy trình giải quyết TTHC",
    Kind.internal: "Quy trình nội bộ",
    Kind.guide: "Hướng dẫn",
}
STATUS_LABELS: dict[Status, str] = {
    Status.draft: "Dự thảo",
    Status.effective: "Đang hiệu lực",
    Status.withdrawn: "Hết hiệu lực",
}
UNIT_LABELS: dict[TimeUnit, str] = {
    TimeUnit.working_days: "ngày làm việc",
    TimeUnit.days: "ngày",
    TimeUnit.hours: "giờ",
    TimeUnit.months: "tháng",
}
ONLINE_LABELS: dict[OnlineLevel, str] = {
    OnlineLevel.toan_trinh: "Dịch vụ công trực tuyến toàn trình",
    OnlineLevel.mot_phan: "Dịch vụ công trực tuyến một phần",
    OnlineLevel.none: "Không có dịch vụ công trực tuyến",
}
