"""The numbered sections of a Word procedure: which heading starts which, and the facts each holds."""

from __future__ import annotations

import re
from typing import Callable

from eiso.documents.text import fold
from eiso.importers.docx_fields import (find_form_code, find_form_reference, find_integer, parse_time, section_number,
                                       worded_time)
from eiso.importers.docx_reader import Block, Paragraph, Table
from eiso.importers.docx_recognised import Recognised, column, items, to_body
from eiso.importers.tthc import find_codes, normalize_code

# Section names, folded; the first word group that matches a heading names its section.
SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("purpose", ("muc dich",)),
    ("scope", ("pham vi",)),
    ("references", ("tai lieu vien dan",)),
    ("definitions", ("dinh nghia", "tu viet tat", "thuat ngu")),
    ("legal", ("co so phap ly", "can cu phap ly")),
    ("dossier", ("thanh phan ho so",)),
    ("dossier_count", ("so luong ho so",)),
    ("time", ("thoi gian xu ly", "thoi han giai quyet", "thoi gian giai quyet")),
    ("place", ("noi tiep nhan", "dia diem")),
    ("fee", ("le phi", "phi,", "phi va le phi", "muc phi")),
    ("steps", ("quy trinh xu ly", "trinh tu thuc hien", "trinh tu xu ly", "luu do", "cac buoc")),
    ("content", ("noi dung quy trinh", "noi dung")),
    ("conditions", ("yeu cau", "dieu kien")),
    ("forms", ("bieu mau",)),
    ("records", ("ho so can luu", "ho so luu", "luu ho so")),
)
# Sections whose content becomes front matter; the heading itself is then not repeated in the body.
FACT_SECTIONS = {"legal", "dossier", "time", "fee", "steps", "forms", "records"}
HEADINGS = {"purpose": "Mục đích", "scope": "Phạm vi áp dụng", "references": "Tài liệu viện dẫn",
            "definitions": "Định nghĩa, từ viết tắt", "dossier_count": "Số lượng hồ sơ",
            "place": "Nơi tiếp nhận và trả kết quả", "content": "Nội dung quy trình",
            "conditions": "Yêu cầu, điều kiện"}

def heading_of(block: Block) -> tuple[str, str] | None:
    """(section, heading text) when the block is a section heading."""
    if not isinstance(block, Paragraph) or len(block.text) > 120:
        return None
    looks_like = block.bold or block.style.lower().startswith(("heading", "tiêu đề", "title")) or \
        _numbered(block.text) or block.list_item
    if not looks_like:
        return None
    text = _strip_number(block.text)
    folded = fold(text).strip(" :.")
    for name, words in SECTIONS:
        if any(folded.startswith(w) for w in words):
            return name, HEADINGS.get(name, text.strip(" :"))
    return None


def _numbered(text: str) -> bool:
    return section_number(text) is not None


def _strip_number(text: str) -> str:
    return text.split(None, 1)[1] if _numbered(text) and len(text.split(None, 1)) > 1 else text




# --------------------------------------------------------------------------- the facts of each section

_MARKER = re.compile(r"^(?:[-+*•·–—]\s*|\(?[a-zđ]\)\s*|\d{1,2}[.)]\s*)")
_HEADER_WORDS = ("tt", "stt", "ten ", "noi dung", "trach nhiem", "thoi gian", "bieu mau", "ket qua", "ma hieu",
                 "so luong", "ban chinh", "ban sao", "noi luu", "thoi gian luu", "trinh tu", "ghi chu")


def _clean(text: str) -> str:
    return _MARKER.sub("", text.strip(), count=1).strip(" ;.")


def _is_header(row: list[str]) -> bool:
    cells = [fold(c) + " " for c in row if c.strip()]
    return bool(cells) and sum(any(c.startswith(w) or c.strip() == w.strip() for w in _HEADER_WORDS) for c in cells) \
        >= max(1, len(cells) // 2)


def _intro(text: str) -> bool:
    """"Hồ sơ gồm:" and the like: a lead-in, not an item."""
    return text.rstrip().endswith(":") and len(text) < 200


def read_legal(blocks: list[Block], result: Recognised) -> None:
    refs = result.meta.setdefault("legal_basis", [])
    for text, where in items(blocks):
        if _intro(text) or (where.endswith("dòng 1") and _is_header(text.split(" | "))):
            result.note(where, f"dòng dẫn/tiêu đề bỏ qua: «{text[:80]}»")
            continue
        text = _clean(text.replace(" | ", " "))
        codes = find_codes(text)
        code = normalize_code(codes[0][2]) if codes else ""
        title = _without_code(text, codes[0][0], codes[0][1]) if codes else text
        refs.append({"code": code, "title": title})
        result.placed[where] = "front matter"
        result.source(where, [text])  # the reference as written: its code moved to a field of its own
        if not code:
            result.note(where, f"căn cứ pháp lý không có số, ký hiệu: «{text[:80]}»")


def _without_code(text: str, start: int, end: int) -> str:
    """"Nghị định số 123/2015/NĐ-CP ngày …" → "Nghị định ngày …": the code has its own field."""
    before = text[:start].rstrip()
    if fold(before).endswith(" so") or fold(before) == "so":
        before = before[:-2]
    return " ".join((before + " " + text[end:]).split()).strip(" ,;:-") or text


def read_dossier(blocks: list[Block], result: Recognised) -> None:
    dossier = result.meta.setdefault("_dossier", [])
    for block in blocks:
        if isinstance(block, Table):
            _dossier_table(block, dossier, result)
            continue
        if _intro(block.text):
            result.note(block.where, f"câu dẫn bỏ qua: «{block.text[:80]}»")
            continue
        dossier.append(_dossier_item(_clean(block.text)))
        result.placed[block.where] = "front matter"


def _dossier_item(text: str, originals: str = "", copies: str = "") -> dict:
    folded = fold(text)
    item: dict = {"name": text}
    if originals or copies:
        item["originals"], item["copies"] = find_integer(originals) or 0, find_integer(copies) or 0
    elif "ban sao" in folded and "ban chinh" not in folded:
        item["originals"], item["copies"] = 0, 1
    form = find_form_code(text)
    if form:
        item["form"] = form
    return item


def _header_rows(table: Table) -> int:
    """How many rows head the table: one, or two when a merged label stands over sub-labels ("Số lượng" over
    "Bản chính | Bản sao"); none when the first row is already an item. Header words alone do not make a
    second header row: "1 | Bản sao Giấy chứng nhận kết hôn | 01" is the first item."""
    if not table.rows or not _is_header([c for c in table.rows[0] if c.strip()]):
        return 0
    return 2 if len(table.rows) > 1 and _is_sub_header(table) else 1


def _is_sub_header(table: Table) -> bool:
    """Whether the second row holds the sub-labels of a label merged across columns of the first, with no
    order number in the TT column."""
    if not any(span > 1 for span in (table.spans[0] if table.spans else [])):
        return False
    top, second = table.grid_row(0), table.grid_row(1)
    order = next((i for i, cell in enumerate(top) if fold(cell).strip(" .") in ("tt", "stt", "so tt")), None)
    if order is not None and order < len(second) and _ORDER_NUMBER.fullmatch(second[order].strip()):
        return False
    return _is_header([c for c in table.rows[1] if c.strip()])


_ORDER_NUMBER = re.compile(r"\(?[0-9IVXivx]{1,6}[.)]?")  # "1", "01.", "(2)", "IV"


def _dossier_table(table: Table, dossier: list[dict], result: Recognised) -> None:
    heads = _header_rows(table)
    for r in range(heads):
        result.source(f"{table.where}, dòng {r + 1}", table.rows[r])
        result.placed[f"{table.where}, dòng {r + 1}"] = "front matter"
    header = _column_labels(table.grid()[:heads])
    name = column(header, ("ten", "thanh phan", "noi dung")) if heads else None
    originals = column(header, ("ban chinh",)) if heads else None
    copies = column(header, ("ban sao",)) if heads else None
    count = column(header, ("so luong",)) if heads and originals is None and copies is None else None
    for r in range(heads, len(table.rows)):
        where = f"{table.where}, dòng {r + 1}"
        cells = [c.strip() for c in table.grid_row(r)]
        text = cells[name] if name is not None and name < len(cells) else max(cells, key=len, default="")
        if not text:
            continue
        get = (lambda i: cells[i] if i is not None and i < len(cells) else "")
        if count is not None and get(count):
            dossier.append(_counted_item(_clean(text), get(count), where, result))
        else:
            dossier.append(_dossier_item(_clean(text), get(originals), get(copies)))
        result.placed[where] = "front matter"
    result.placed[table.where] = "front matter"


def _column_labels(header_rows: list[list[str]]) -> list[str]:
    """A column's label is every header row's text above it: "số lượng bản chính" under a merged label."""
    width = max((len(row) for row in header_rows), default=0)
    return [" ".join(fold(row[i]) for row in header_rows if i < len(row)) for i in range(width)]


def _counted_item(text: str, count: str, where: str, result: Recognised) -> dict:
    """An item under one "Số lượng" column: its name says whether it counts originals or copies ("Bản sao
    Giấy khai sinh"); otherwise originals, as most dossiers ask, and a person checks any count above one."""
    item = _dossier_item(text)
    number = find_integer(count)
    if number is None:
        result.note(where, f"không đọc được số lượng «{count[:40]}» của thành phần hồ sơ: cần ghi bản chính/bản sao")
        return item
    if item.get("copies"):  # "Bản sao …": _dossier_item counted it as one copy
        item["copies"] = number
    else:
        item["originals"], item["copies"] = number, 0
        if number != 1 and "ban chinh" not in fold(text):
            result.note(where, f"số lượng «{count[:40]}» ghi là số bản chính: cần kiểm tra")
    return item


def read_time(blocks: list[Block], result: Recognised) -> None:
    for text, where in items(blocks):
        time = parse_time(text)
        if time and "_time" not in result.meta:
            result.meta["_time"] = time
            result.note(where, f"thời hạn giải quyết đọc được {time['value']} ({time['unit']}) từ «{text[:100]}»: "
                               "cần xác nhận")
        else:
            result.note(where, f"nội dung về thời hạn giữ trong báo cáo: «{text[:160]}»")
        result.placed[where] = "report"


def read_fee(blocks: list[Block], result: Recognised) -> None:
    texts = [(t, w) for t, w in items(blocks)]
    if texts:
        result.meta["_fee"] = "; ".join(_clean(t) for t, _ in texts)
        for _, where in texts:
            result.placed[where] = "front matter"


def read_steps(blocks: list[Block], result: Recognised) -> None:
    for block in blocks:
        if isinstance(block, Table) and len(block.rows) > 1:
            _steps_table(block, result)
        else:
            to_body(block, result)
            result.note(block.where, "nội dung ngoài bảng quy trình xử lý: đã giữ trong phần nội dung")


_STEP_COLUMNS = (("actor", ("trach nhiem", "nguoi thuc hien", "bo phan", "don vi thuc hien", "can bo")),
                 ("time", ("thoi gian", "thoi han")),
                 ("output", ("bieu mau", "ket qua", "ho so")),
                 ("action", ("noi dung", "cong viec", "mo ta")),
                 ("stage", ("trinh tu", "cac buoc", "buoc")))


def _step_columns(header: list[str]) -> dict[str, list[int]]:
    """The grid columns of each step field; several for the output ("Biểu mẫu" and "Kết quả" apart)."""
    columns: dict[str, list[int]] = {}
    taken: set[int] = set()
    for key, words in _STEP_COLUMNS:
        for index, cell in enumerate(header):
            if index not in taken and any(w in cell for w in words):
                columns.setdefault(key, []).append(index)
                taken.add(index)
                if key != "output":
                    break
    if "action" not in columns and "stage" in columns:
        columns["action"] = columns.pop("stage")
    return columns


def _is_total(action: str, actor: str, cells: list[str]) -> bool:
    """"Tổng thời gian giải quyết", "Cộng": a total, not a step. "Công bố kết quả" and "Tổng hợp hồ sơ" are
    steps: a total names no one responsible (or its merged cell covers that column too)."""
    folded = fold(action).strip(" :")
    if not folded:
        return fold(next((c for c in cells if c), "")).startswith("tong")
    if folded.split()[0].strip(":") not in ("tong", "cong"):
        return False
    return not actor or actor == action or "thoi gian" in folded or folded in ("tong", "cong", "tong cong")


def is_steps_table(table: Table) -> bool:
    """A table whose header names who does what ("Nội dung công việc" and "Trách nhiệm"): a step table
    wherever it stands, also right under "5. Nội dung quy trình" with no "5.7" heading of its own."""
    for index, row in enumerate(table.rows[:3]):
        if len(table.rows) > index + 1 and _is_header(row):
            columns = _step_columns([fold(c) for c in table.grid_row(index)])
            return "actor" in columns and "action" in columns
    return False


def _steps_table(table: Table, result: Recognised) -> None:
    header_index = next((i for i, row in enumerate(table.rows[:3]) if _is_header(row)), 0)
    header_cells = table.grid_row(header_index)
    result.source(table.where, table.rows[header_index])
    columns = _step_columns([fold(c) for c in header_cells])
    steps = result.meta.setdefault("steps", [])
    for r in range(header_index + 1, len(table.rows)):
        where = f"{table.where}, dòng {r + 1}"
        cells = [c.strip() for c in table.grid_row(r)]
        written = " | ".join(c for c in table.rows[r] if c.strip())
        if len(set(c for c in cells if c)) <= 1 and len(cells) > 2:
            if written:
                result.note(where, f"dòng gộp trong bảng quy trình: «{written[:100]}»")
            continue
        get = (lambda key: "; ".join(dict.fromkeys(cells[i] for i in columns.get(key, []) if i < len(cells)
                                                   and cells[i])))
        action = get("action")
        if get("stage") and get("stage") != action:
            action = f"{get('stage')}: {action}" if action else get("stage")
        if _is_total(action, get("actor"), cells):
            result.note(where, f"dòng tổng thời gian: «{written[:100]}»")
            continue
        if not action:
            result.note(where, f"dòng không có nội dung công việc: «{written[:100]}»")
            continue
        steps.append(_step(action, get, where, result))
        _other_columns(cells, header_cells, columns, where, result)
        result.placed[where] = "front matter"
    result.placed[table.where] = "front matter"


def _step(action: str, get: Callable[[str], str], where: str, result: Recognised) -> dict:
    step: dict = {"actor": get("actor") or "Chưa xác định", "action": action}
    if not get("actor"):
        result.note(where, "bước không ghi trách nhiệm: cần bổ sung")
    time = parse_time(get("time")) if get("time") else None
    if time:
        step["time"] = time
        if worded_time(get("time")) is not None:
            result.note(where, f"thời gian «{get('time')[:60]}» ghi là {str(time['value']).replace('.', ',')} ngày làm "
                               "việc: cần xác nhận")
    elif get("time"):
        result.note(where, f"không đọc được thời gian «{get('time')[:60]}»")
    if get("output"):
        step["output"] = get("output")
    return step


def _other_columns(cells: list[str], header: list[str], columns: dict[str, list[int]], where: str,
                   result: Recognised) -> None:
    """A column a step has no field for ("Ghi chú", "Lưu đồ") is kept in the report under its own header,
    with its row: a note such as "Nếu hồ sơ chưa đầy đủ thì hướng dẫn bổ sung" is part of the step."""
    used = {i for indexes in columns.values() for i in indexes}
    seen: set[str] = set()
    for index, text in enumerate(cells):
        label = header[index] if index < len(header) else ""
        if index in used or not text or text in seen or fold(label).strip(" .") in ("tt", "stt", "so tt"):
            continue
        seen.add(text)
        result.note(where, f"cột «{label or index + 1}» của bước không có trường riêng, cần xem lại: «{text[:200]}»")


def read_forms(blocks: list[Block], result: Recognised) -> None:
    forms = result.meta.setdefault("forms", [])
    seen = set()
    for text, where in items(blocks):
        cells = [c for c in text.split(" | ") if c]
        if where.endswith("dòng 1") and _is_header(cells):
            result.source(where, cells)
            result.placed[where] = "front matter"
            continue
        code = find_form_reference(text)
        if not code or _intro(text):
            result.note(where, f"không có mã biểu mẫu: «{text[:100]}»")
            continue
        rest = [c for c in cells if find_form_reference(c) != code and not c.strip().rstrip(".").isdigit()]
        title = _clean(" ".join(rest) if len(cells) > 1 else _without_form_code(text, code)).strip(" :-–") or code
        if code in seen:
            continue
        seen.add(code)
        forms.append({"code": code, "title": title})
        result.placed[where] = "front matter"
        result.source(where, [text])  # the line as written: its code moved to a field of its own


def _without_form_code(text: str, code: str) -> str:
    """"Đơn đề nghị (BM-01)" → "Đơn đề nghị": the code has its own field, and "()" is not part of a title."""
    for written in (f"({code})", code):
        if written in text:
            return " ".join(text.replace(written, " ", 1).split())
    return text


def read_records(blocks: list[Block], result: Recognised) -> None:
    records = result.meta.setdefault("records", [])
    for block in blocks:
        if isinstance(block, Paragraph):
            if _intro(block.text):
                result.note(block.where, f"câu dẫn bỏ qua: «{block.text[:80]}»")
            else:
                records.append({"name": _clean(block.text)})
                result.placed[block.where] = "front matter"
            continue
        has_header = bool(block.rows) and _is_header(block.rows[0])
        header = [fold(c) for c in block.rows[0]] if has_header else []
        if has_header:
            result.source(block.where, block.rows[0])
        name = column(header, ("ten", "ho so")) if has_header else None
        keeper = column(header, ("trach nhiem", "noi luu", "nguoi luu", "bo phan")) if has_header else None
        retention = column(header, ("thoi gian luu", "thoi han luu", "thoi gian")) if has_header else None
        for r, row in enumerate(block.rows[1:] if has_header else block.rows, start=2 if has_header else 1):
            cells = [c.strip() for c in row]
            get = (lambda i: cells[i] if i is not None and i < len(cells) else "")
            text = get(name) or max(cells, key=len, default="")
            if not text:
                continue
            record = {"name": _clean(text)}
            if get(keeper):
                record["keeper"] = get(keeper)
            if get(retention):
                record["retention"] = get(retention)
            records.append(record)
            result.placed[f"{block.where}, dòng {r}"] = "front matter"
        result.placed[block.where] = "front matter"


READERS: dict[str, Callable[[list[Block], Recognised], None]] = {
    "legal": read_legal, "dossier": read_dossier, "time": read_time, "fee": read_fee, "steps": read_steps,
    "forms": read_forms, "records": read_records,
}
