"""The front matter of an imported Word procedure, assembled from what the recognisers found.

An imported document is always a draft: the ISO secretary confirms what the report lists, sets the status
and the approval goes through a merge request like any change. What DESIGN.md requires of the front matter
but a Word file does not say (the owning unit, the national code of a TTHC) is filled with a visible
placeholder and reported, never guessed silently.
"""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Any

from eiso.documents import durations
from eiso.documents.model import Duration, Step
from eiso.documents.text import fold, nfc, shown
from eiso.documents.textrules import ONE_LINE
from eiso.importers.docx_fields import sentence_case
from eiso.importers.docx_recognised import Recognised

UNKNOWN = "Chưa xác định"
SYSTEM_TITLES = ("kiem soat tai lieu", "kiem soat ho so", "danh gia noi bo", "khong phu hop", "khac phuc",
                 "xem xet cua lanh dao", "rui ro", "co hoi")
# The level of a TTHC is guessed from the agency's name, word by word with its accents: folded, "quản lý"
# and "cơ quan" read as "quận", "Chưa xác định" as "xã". Two-word names first; pairs that hold a level
# word without naming a level ("Bộ phận một cửa", "cán bộ", "cơ sở", "trụ sở", "bộ đội", "xã hội" of "Bảo hiểm xã
# hội huyện") are skipped.
_LEVEL_PAIRS = {("thị", "xã"): "Cấp huyện", ("thị", "trấn"): "Cấp xã"}
_LEVEL_WORDS = {"xã": "Cấp xã", "phường": "Cấp xã", "huyện": "Cấp huyện", "quận": "Cấp huyện",
                "tỉnh": "Cấp tỉnh", "sở": "Cấp tỉnh", "bộ": "Cấp bộ"}
_NOT_LEVELS = {("bộ", "phận"), ("cán", "bộ"), ("toàn", "bộ"), ("cơ", "sở"), ("trụ", "sở"), ("bộ", "đội"),
               ("xã", "hội"), ("sở", "hữu")}
_WORDS = re.compile(r"\w+")
ORDER = ("code", "title", "kind", "unit", "field", "revision", "effective", "status", "audience", "prepared_by",
         "reviewed_by", "approved_by", "legal_basis", "tthc", "steps", "forms", "records", "history_before_git")


def finish(result: Recognised, kind: str | None, unit: str | None, fallback_title: str = "",
           fallback_code: str = "") -> None:
    """Turn the recognisers' findings (keys starting with ``_``) into DESIGN.md's front matter, in order."""
    found = result.meta
    meta: dict = {}
    meta["code"] = found.get("_code") or fallback_code
    if not found.get("_code"):
        result.note("tệp", f"không tìm thấy mã hiệu; tạm dùng «{meta['code']}»")
    meta["title"] = sentence_case(found.get("_title") or fallback_title)
    if not found.get("_title"):
        result.note("tệp", f"không tìm thấy tên quy trình; tạm dùng «{meta['title']}»")
    meta["kind"] = kind or _guess_kind(found, meta["title"])
    meta["unit"] = unit or UNKNOWN
    if not unit:
        result.note("tệp", "chưa biết đơn vị chủ trì (dùng --unit): cần bổ sung")
    meta["revision"] = _revision(found, result)
    effective = found.get("_effective") or found.get("_issued")
    if effective:
        meta["effective"] = effective
        if not found.get("_effective"):
            result.note("tệp", "không có ngày hiệu lực; tạm lấy ngày ban hành")
    meta["status"] = "draft"
    meta["audience"] = "internal"
    for key in ("prepared_by", "reviewed_by", "approved_by", "legal_basis"):
        if found.get(key):
            meta[key] = found[key]
    if meta["kind"] == "tthc":
        meta["tthc"] = _tthc(found, unit, result)
    elif found.get("_agency"):  # only a TTHC has a field for it
        result.note("tệp", f"cơ quan trên bìa «{shown(found['_agency'])}» không có trường trong front matter "
                           f"(loại {meta['kind']}): đối chiếu với đơn vị chủ trì (unit)")
    for key in ("steps", "forms", "records", "history_before_git"):
        if found.get(key):
            meta[key] = found[key]
    if meta["kind"] != "tthc" and found.get("_dossier"):
        result.note("tệp", f"{len(found['_dossier'])} thành phần hồ sơ chỉ dùng cho quy trình TTHC (--kind tthc): "
                           + "; ".join(item["name"][:60] for item in found["_dossier"]))
    _check_budget(meta, result)
    result.meta = {key: _one_line_fields(meta[key], key) for key in ORDER if key in meta}


def _one_line_fields(value: Any, key: str = "") -> Any:
    """Front matter whose one-line fields (an actor, a retention, a name…) hold one line: a Word cell keeps
    its paragraphs apart, and ``eiso check`` refuses a line break in those fields."""
    if isinstance(value, dict):
        return {k: _one_line_fields(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_one_line_fields(item, key) for item in value]
    if isinstance(value, str) and key in ONE_LINE and "\n" in value:
        return _joined_lines(value)
    return value


def _joined_lines(text: str) -> str:
    """A cell's paragraphs on one line: a wrapped line continues with a space ("… Tư pháp -" / "Hộ tịch",
    "(theo mẫu)", a lower-case start), separate items are joined with "; "."""
    joined = ""
    for line in (part.strip() for part in text.split("\n")):
        if not line:
            continue
        continues = not joined or joined[-1] in "-–,;:(/" or line[0] in "(-–" or line[0].islower()
        joined += (" " if joined else "") + line if continues else "; " + line
    return joined


def _revision(found: dict, result: Recognised) -> int:
    """"Lần ban hành" is e-ISO's revision. "Lần sửa đổi: 02" beside it counts amendments of that issue, which
    e-ISO has no number for: a person decides whether the amended text is a new revision. Alone, it is read
    as the revision, as the header says nothing else."""
    issue, amendment = found.get("_revision"), found.get("_amendment")
    if issue and amendment:
        result.note("tệp", f"lần ban hành {issue} có lần sửa đổi {amendment}: e-ISO chỉ ghi lần ban hành (revision), "
                           "cần xác nhận có tăng lần ban hành hay không")
    if issue or amendment:
        return issue or amendment
    result.note("tệp", "không tìm thấy lần ban hành; tạm ghi 1")
    return 1


def _guess_kind(found: dict, title: str) -> str:
    if found.get("_dossier") or found.get("_fee") or found.get("_national_code"):
        return "tthc"
    return "system" if any(t in fold(title) for t in SYSTEM_TITLES) else "internal"


def _tthc(found: dict, unit: str | None, result: Recognised) -> dict:
    agency = found.get("_agency") or unit or UNKNOWN
    level = guess_level(agency) if agency != UNKNOWN else None
    if not found.get("_national_code"):
        result.note("tệp", "chưa có mã thủ tục trên CSDL quốc gia (tthc.national_code): cần bổ sung")
    if level is None:
        result.note("tệp", "chưa biết cấp thực hiện (tthc.level): cần bổ sung")
    else:  # no Word label says the level: it is read off the agency's name, so a person confirms it
        result.note("tệp", f"cấp thực hiện (tthc.level) «{level}» là suy đoán từ tên cơ quan «{shown(agency)}»: "
                           "cần kiểm tra")
    channel: dict = {"channel": "Trực tiếp"}
    if found.get("_time"):
        channel["time"] = found["_time"]
    channel["fee"] = found.get("_fee", "")
    result.note("tệp", "cách thức thực hiện ghi tạm «Trực tiếp»: cần xác nhận (trực tuyến, bưu chính…)")
    tthc = {"national_code": found.get("_national_code", ""), "level": level or UNKNOWN, "agency": agency,
            "channels": [channel], "dossier": found.get("_dossier", [])}
    return tthc


def guess_level(agency: str) -> str | None:
    """``Cấp xã`` for "UBND xã Hòa Bình", from the first whole word of the name that names a level."""
    words = _WORDS.findall(nfc(agency).lower())
    for index, word in enumerate(words):
        after = words[index + 1] if index + 1 < len(words) else ""
        before = words[index - 1] if index else ""
        if (word, after) in _LEVEL_PAIRS:
            return _LEVEL_PAIRS[(word, after)]
        if word in _LEVEL_WORDS and (before, word) not in _NOT_LEVELS and (word, after) not in _NOT_LEVELS:
            return _LEVEL_WORDS[word]
    return None


def _check_budget(meta: dict, result: Recognised) -> None:
    """Word files often add up to more than the statutory time; say so rather than publish a contradiction."""
    channels = (meta.get("tthc") or {}).get("channels") or []
    steps = [Step.model_validate(s) for s in meta.get("steps", []) if _valid_step(s)]
    limits = [SimpleNamespace(time=Duration.model_validate(c["time"])) for c in channels if c.get("time")]
    budget = durations.step_budget(steps, limits)
    if budget.over:
        for channel in channels:
            removed = channel.pop("time", None)
            if removed:
                result.note("tệp", f"tổng thời gian các bước ({budget.total}) vượt thời hạn giải quyết "
                                   f"({removed['value']} {removed['unit']}): thời hạn đưa vào báo cáo, cần xác nhận")


def _valid_step(step: dict) -> bool:
    try:
        Step.model_validate(step)
    except ValueError:
        return False
    return True
