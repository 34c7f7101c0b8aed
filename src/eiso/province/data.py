"""Each agency's published data (``api/documents.json``, ``api/qms.json``), read defensively.

Everything here comes from 225 different pipelines: a missing folder, a truncated file or a
field of the wrong type gives that agency a Vietnamese problem message; it never stops the
portal. Files are size-limited and parsed as JSON only.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator

from eiso.boundedjson import JsonTooDeep, loads
from eiso.province.config import AgencySpec

MAX_DATA_BYTES = 32 * 1024 * 1024


def _iso_date(text: str) -> str:
    # The pages print these as dd/mm/yyyy: anything but a real date is the agency's data error.
    dt.date.fromisoformat(text)
    return text


IsoDate = Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$"), AfterValidator(_iso_date)]
# A count no agency can reach: a bigger one is a broken pipeline, not a number to print.
Count = Annotated[int, Field(ge=0, le=1_000_000)]


class _Lenient(BaseModel):
    # Unknown fields are ignored (newer e-ISO versions add some), but the known ones must have the
    # type e-ISO writes: strict, so that true is not a count of 1 nor "3" a revision.
    model_config = ConfigDict(extra="ignore", frozen=True, strict=True)


class BasedOnRecord(_Lenient):
    code: str
    revision: int = Field(ge=1, le=10_000)  # the bounds of a document's revision


class DocumentRecord(_Lenient):
    code: str
    title: str
    status: str
    revision: int = Field(ge=1, le=10_000)
    effective: str | None = None
    url: str = ""
    approved: bool | None = None
    next_review: str | None = None
    based_on: BasedOnRecord | None = None


class Counts(_Lenient):
    count: Count
    codes: list[str] = Field(default_factory=list)


class DocumentCounts(_Lenient):
    total: Count
    in_force: Count
    by_status: dict[str, Count] = Field(default_factory=dict)


class Nonconformities(_Lenient):
    open: Count = 0
    overdue: Count = 0


def _shortened(size: int) -> AfterValidator:
    # A long text in one error is shown cut, never a reason to refuse the agency's whole status: its
    # path and key come from a merge request, which could otherwise hide every count of that agency.
    return AfterValidator(lambda text: text if len(text) <= size else text[:size - 1] + "…")


class CheckError(_Lenient):
    path: Annotated[str, _shortened(300)]
    line: int = Field(ge=0, le=100_000_000)
    field: Annotated[str, _shortened(300)]
    message: Annotated[str, _shortened(1000)]


class CheckCounts(_Lenient):
    errors: Count = 0
    warnings: Count = 0
    error_details: list[CheckError] = Field(default_factory=list, max_length=1000)  # e-ISO writes the first 50

    @model_validator(mode="after")
    def _details_are_errors(self) -> "CheckCounts":
        # e-ISO lists at most the errors it counts: more listed than counted is data that contradicts itself
        # (the overview would say 0 errors above a list of them).
        if len(self.error_details) > self.errors:
            raise ValueError("more error details than errors")
        return self


class QmsRecord(_Lenient):
    schema_: int = Field(alias="schema")
    as_of: IsoDate
    documents: DocumentCounts
    reviews_overdue: Counts
    unapproved_changes: Counts
    nonconformities: Nonconformities = Nonconformities()
    check: CheckCounts = CheckCounts()
    last_approved_change: IsoDate | None = None


@dataclass
class AgencyData:
    spec: AgencySpec
    problem: str | None = None  # Vietnamese: why the data could not be used
    documents: list[DocumentRecord] = field(default_factory=list)
    qms: QmsRecord | None = None


def read_agency(spec: AgencySpec) -> AgencyData:
    if spec.data is None:
        return AgencyData(spec, "chưa khai báo thư mục dữ liệu («data») trong cấu hình của tỉnh")
    folder = api_folder(spec.data)
    if folder is None:
        return AgencyData(spec, f"không tìm thấy dữ liệu công bố tại «{spec.data}» (cần api/documents.json và api/qms.json "
                                "do pipeline của cơ quan xuất bản)")
    documents = read_json(folder / "documents.json")
    if isinstance(documents, str):
        return AgencyData(spec, documents)
    qms = read_json(folder / "qms.json")
    if isinstance(qms, str):
        return AgencyData(spec, qms)
    if not isinstance(documents, list):
        return AgencyData(spec, "api/documents.json không đúng định dạng: cần một danh sách tài liệu")
    records = []
    for index, item in enumerate(documents, 1):
        try:
            records.append(DocumentRecord.model_validate(item))
        except ValidationError as error:
            return AgencyData(spec, f"api/documents.json không đúng định dạng: tài liệu thứ {index}: {_describe(error)}")
    try:
        status = QmsRecord.model_validate(qms)
    except ValidationError as error:
        return AgencyData(spec, f"api/qms.json không đúng định dạng: {_describe(error)}")
    return AgencyData(spec, None, records, status)


def api_folder(data: Path) -> Path | None:
    for folder in (data / "api", data):
        if (folder / "documents.json").is_file() or (folder / "qms.json").is_file():
            return folder
    return None


def read_json(path: Path) -> Any:
    """The parsed JSON, or a Vietnamese problem message."""
    name = f"api/{path.name}"
    try:
        if path.stat().st_size > MAX_DATA_BYTES:
            return f"{name} quá lớn (tối đa {MAX_DATA_BYTES // (1024 * 1024)} MB)"
        # utf-8-sig: a BOM left by a Windows tool is no reason to drop an agency's data.
        return loads(path.read_bytes().decode("utf-8-sig"))
    except FileNotFoundError:
        return f"thiếu tệp {name}"
    except OSError as error:
        return f"không đọc được {name}: {error.strerror or error}"
    except UnicodeDecodeError:
        return f"{name} không phải văn bản UTF-8"
    except JsonTooDeep as error:
        return f"{name}: {error}"
    except json.JSONDecodeError as error:  # the parser's own (English) words would tell the agency nothing
        return f"{name} không phải JSON hợp lệ (dòng {error.lineno}, cột {error.colno})"
    except ValueError as error:  # NaN, Infinity: boundedjson says which, in Vietnamese
        return f"{name} không phải JSON hợp lệ ({error})"


#: What a value of the wrong kind should have been, by pydantic's error type (its own words are English).
_EXPECTED = {"int_type": "một số nguyên", "int_parsing": "một số nguyên", "int_from_float": "một số nguyên",
             "string_type": "một chuỗi ký tự", "bool_type": "true hoặc false", "list_type": "một danh sách",
             "dict_type": "một đối tượng", "model_type": "một đối tượng", "model_attributes_type": "một đối tượng"}


def _describe(error: ValidationError) -> str:
    item = error.errors(include_url=False)[0]
    where = ".".join(str(part) for part in item["loc"]) or "gốc"
    kind, limits = item["type"], item.get("ctx") or {}
    if kind == "missing":
        return f"thiếu trường «{where}»"
    if kind in _EXPECTED:
        reason = f"cần {_EXPECTED[kind]}"
    elif kind in ("greater_than_equal", "less_than_equal") and {"ge", "le"} & set(limits):
        bound = limits.get("ge", limits.get("le"))
        reason = f"cần {'từ' if kind == 'greater_than_equal' else 'không quá'} {bound}"
    elif kind in ("too_long", "string_too_long"):
        reason = "quá dài"
    else:
        return f"trường «{where}» có giá trị không hợp lệ"
    return f"trường «{where}» có giá trị không hợp lệ: {reason}"
