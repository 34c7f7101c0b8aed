"""An announcement decision's list of procedures ("quyết định công bố"), as the secretary types it.

CSV with a header row (UTF-8, comma separated)::

    national_code,change,name
    1.001193,amended,Đăng ký khai sinh
    2.000635,abolished,
    1.012345,new,

or JSON: ``[{"national_code": "1.001193", "change": "amended"}, …]`` (also ``{"procedures": […]}``).
``change`` is ``new``, ``amended`` or ``abolished``; the Vietnamese words (mới, sửa đổi, bãi bỏ…) are
accepted too. Other columns are ignored. Every malformed row is a located finding.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eiso.boundedjson import loads
from eiso.documents.findings import Finding
from eiso.documents.text import fold, nfc
from eiso.errors import EisoError

CHANGES = ("new", "amended", "abolished")
CHANGE_LABELS = {"new": "ban hành mới", "amended": "sửa đổi, bổ sung", "abolished": "bãi bỏ"}
_SYNONYMS = {"new": "new", "moi": "new", "ban hanh moi": "new", "cong bo moi": "new",
             "amended": "amended", "sua doi": "amended", "sua doi, bo sung": "amended", "sua doi bo sung": "amended",
             "bo sung": "amended", "thay the": "amended",
             "abolished": "abolished", "bai bo": "abolished", "huy bo": "abolished"}
MAX_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class DecisionItem:
    national_code: str
    change: str  # new | amended | abolished
    line: int
    name: str = ""


def read_decision(path: Path) -> tuple[list[DecisionItem], list[Finding]]:
    """The decision's items and the findings of its malformed rows. IO problems raise ``EisoError``."""
    shown = path.name
    try:
        raw = path.read_bytes()[: MAX_BYTES + 1]
    except OSError as error:
        raise EisoError(f"không đọc được tệp quyết định «{path}»: {error.strerror or error}") from None
    if len(raw) > MAX_BYTES:
        raise EisoError(f"tệp quyết định «{path}» quá lớn (tối đa {MAX_BYTES // 1024 // 1024} MB)")
    try:
        text = nfc(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        return [], [Finding(shown, 1, "-", "tệp không phải mã UTF-8", "decision")]
    if text.lstrip().startswith(("[", "{")):
        return _from_json(shown, text)
    return _from_csv(shown, text)


def _from_json(shown: str, text: str) -> tuple[list[DecisionItem], list[Finding]]:
    try:
        data = loads(text)
    except ValueError as error:  # also JsonTooDeep, located where the nesting became too deep
        return [], [Finding(shown, getattr(error, "lineno", 0) or 1, "-",
                            f"JSON không hợp lệ ({getattr(error, 'msg', error)})", "decision")]
    if isinstance(data, dict):
        data = data.get("procedures")
    if not isinstance(data, list):
        return [], [Finding(shown, 1, "-", "cần một danh sách [{national_code, change}, …] hoặc {\"procedures\": […]}",
                            "decision")]
    items, findings = [], []
    for index, row in enumerate(data):
        if not isinstance(row, dict):
            findings.append(Finding(shown, 1, f"[{index}]", "mỗi mục phải là một đối tượng {national_code, change}",
                                    "decision"))
            continue
        _item(shown, row, 1, f"[{index}].", items, findings)
    return items, findings


def _from_csv(shown: str, text: str) -> tuple[list[DecisionItem], list[Finding]]:
    reader = csv.reader(io.StringIO(text))
    items: list[DecisionItem] = []
    findings: list[Finding] = []
    header: list[str] | None = None
    try:
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if header is None:
                header = [fold(cell.strip()) for cell in row]
                missing = [name for name in ("national_code", "change") if name not in header]
                if missing:
                    findings.append(Finding(shown, line, "-", "dòng tiêu đề phải có các cột national_code và change "
                                            f"(thiếu: {', '.join(missing)})", "decision"))
                    return [], findings
                continue
            _item(shown, dict(zip(header, row)), line, "", items, findings)
    except csv.Error as error:
        findings.append(Finding(shown, reader.line_num, "-", f"CSV không hợp lệ ({error})", "decision"))
    return items, findings


def _item(shown: str, row: dict[str, Any], line: int, prefix: str, items: list[DecisionItem],
          findings: list[Finding]) -> None:
    code = _cell(row.get("national_code"))
    change_text = _cell(row.get("change"))
    change = _SYNONYMS.get(fold(change_text).strip(" ."))
    if not code:
        findings.append(Finding(shown, line, prefix + "national_code", "thiếu mã thủ tục", "decision"))
        return
    if change is None:
        findings.append(Finding(shown, line, prefix + "change", f"loại thay đổi «{change_text or 'rỗng'}» không hợp lệ; "
                                f"chỉ chấp nhận: {', '.join(CHANGES)}", "decision"))
        return
    items.append(DecisionItem(code, change, line, _cell(row.get("name"))))


def _cell(value: Any) -> str:
    return " ".join(str(value).split()) if isinstance(value, (str, int, float)) and not isinstance(value, bool) else ""
