"""Front-matter values written the way a person reads them, for the change report."""

from __future__ import annotations

from typing import Any, Callable

from eiso.documents import durations
from eiso.documents.model import KIND_LABELS, ONLINE_LABELS, STATUS_LABELS, Duration, Kind, OnlineLevel, Status

EMPTY = "(trống)"
AUDIENCE_LABELS = {"public": "Công khai", "internal": "Nội bộ"}

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
_SECTIONS = {("tthc",), ("tthc", "online")}
# Front-matter lists compared item by item (the rest is compared value by value).
_ITEM_LISTS = {("legal_basis",), ("steps",), ("forms",), ("records",), ("tthc", "channels"), ("tthc", "dossier")}


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
