"""An announcement decision's list of procedures ("quyết định công bố"), as the secretary types it.

CSV with a header row (UTF-8, comma separated)::

    national_code,change,name
    1.001193,amended,Đăng ký khai sinh
    2.000635,abolished,
    1.012345,new,

or JSON: ``[{"national_code": "1.001193", "change": "amended"}, …]`` (also ``{"procedures": […]}``).
``change`` is ``new``, ``amended`` or ``abolished``; the Vietnamese words (mới, sửa đổi, bãi bỏ…) are
accepted too, and so are Vietnamese column names (mã thủ tục, loại thay đổi, tên thủ tục). Other columns are
ignored. What Excel writes is read as it is: UTF-8 with or without BOM, UTF-16 ("Unicode Text"), and ``;`` or tab
between columns (a Vietnamese Excel uses ``;``, since the comma is its decimal separator). Every malformed row,
a code that is not a national procedure code (Excel turns ``1.010010`` into ``1.01001``) and a file with no
procedure at all are located findings.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eiso.boundedjson import loads
from eiso.documents.findings import Finding
from eiso.documents.text import fold, nfc
from eiso.errors import EisoError
from eiso.importers.national_codes import national_key

CHANGES = ("new", "amended", "abolished")
CHANGE_LABELS = {"new": "ban hành mới", "amended": "sửa đổi, bổ sung", "abolished": "bãi bỏ"}
_COLUMNS = {"national_code": "national_code", "ma thu tuc": "national_code", "ma tthc": "national_code",
            "ma so": "national_code", "change": "change", "loai thay doi": "change", "thay doi": "change",
            "hinh thuc": "change", "name": "name", "ten thu tuc": "name", "ten tthc": "name", "ten": "name"}
_NATIONAL_CODE = re.compile(r"\d\.\d{6}")
_BREAK = re.compile(r"\r\n|\r|\n")
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
        text = nfc(raw.decode("utf-16") if raw.startswith((b"\xff\xfe", b"\xfe\xff")) else raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        return [], [Finding(shown, 1, "-", "tệp không phải mã UTF-8 (trong Excel: Lưu thành «CSV UTF-8»)", "decision")]
    items, findings = _from_json(shown, text) if text.lstrip().startswith(("[", "{")) else _from_csv(shown, text)
    if not items and not findings:
        findings.append(Finding(shown, 1, "-", "tệp không có thủ tục nào (cần ít nhất một dòng national_code, change)",
                                "decision"))
    return items, findings


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
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max((",", ";", "\t"), key=first.count) if any(mark in first for mark in ",;\t") else ","
    taken: list[str] = []  # the lines of the row being read, to tell a quote left open from one closed

    def lines():  # the reader's own lines, kept as it takes them: one pass, linear in the file
        for line in io.StringIO(text):
            taken.append(line)
            yield line

    reader = csv.reader(lines(), delimiter=delimiter)
    items: list[DecisionItem] = []
    findings: list[Finding] = []
    header: list[str] | None = None
    try:
        end = 0
        for row in reader:
            start, end = end + 1, reader.line_num  # the lines this row took
            raw = "".join(taken)
            taken.clear()
            if _swallowed(raw, row, delimiter):
                findings.append(Finding(shown, start, "-", f"một ô kéo dài từ dòng {start} đến dòng {end} và chứa cả các "
                                        "dòng sau nó (thường do dấu ngoặc kép \" mở mà không đóng): các dòng đó không được "
                                        "đọc; sửa rồi chạy lại", "decision"))
                continue
            if not any(cell.strip() for cell in row):
                continue
            if header is None:
                header = [_COLUMNS.get(fold(cell.strip()), fold(cell.strip())) for cell in row]
                missing = [name for name in ("national_code", "change") if name not in header]
                if missing:
                    findings.append(Finding(shown, start, "-", "dòng tiêu đề phải có các cột national_code và change "
                                            f"(thiếu: {', '.join(missing)})", "decision"))
                    return [], findings
                continue
            _item(shown, dict(zip(header, row)), start, "", items, findings)
    except csv.Error as error:
        findings.append(Finding(shown, reader.line_num, "-", f"CSV không hợp lệ ({error})", "decision"))
    return items, findings


def _swallowed(raw: str, row: list[str], delimiter: str) -> bool:
    """Whether a row's quote swallowed the rows after it. A line break inside a quoted cell is Excel's Alt+Enter and
    valid; but a quote never closed runs to the end of the file (an odd number of quotes in the row's lines), and a
    quote closed rows later holds the delimiter before a line break and another procedure's code after it."""
    if not any("\n" in cell or "\r" in cell for cell in row):
        return False
    if raw.count('"') % 2:
        return True
    for cell in row:
        segments = _BREAK.split(cell)
        delimited = False
        for before, after in zip(segments, segments[1:]):
            delimited = delimited or delimiter in before
            if delimited and _NATIONAL_CODE.search(after):
                return True
    return False


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
    if not _NATIONAL_CODE.fullmatch(national_key(code)):
        findings.append(Finding(shown, line, prefix + "national_code", f"mã thủ tục «{code}» không đúng dạng (ví dụ "
                                "1.001193); nếu tệp đã mở bằng Excel, định dạng cột mã là Text để giữ các số 0", "decision"))
        return
    items.append(DecisionItem(code, change, line, _cell(row.get("name"))))


def _cell(value: Any) -> str:
    return " ".join(str(value).split()) if isinstance(value, (str, int, float)) and not isinstance(value, bool) else ""
