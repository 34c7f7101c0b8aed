"""The part of a Word procedure before its sections: cover and header table, signatures, revision table."""

from __future__ import annotations

import re

from eiso.documents.text import fold, nfc, shown
from eiso.importers.docx_fields import (find_code, find_date, find_national_code, is_all_caps,
                                        read_date_cell, read_integer_cell, split_label)
from eiso.importers.docx_reader import Block, Table
from eiso.importers.docx_recognised import Recognised, column, escape, to_body
from eiso.importers.docx_sections import heading_of

_ROLE_WORDS = {"prepared_by": ("soan thao", "nguoi viet", "bien soan"),
               "reviewed_by": ("xem xet", "kiem tra"),
               "approved_by": ("phe duyet", "duyet")}
# Words of a job title, matched as whole words: "Trưởng phòng", "Phó Chủ tịch", "Chánh Thanh tra".
_TITLE_HINTS = ("chu tich", "truong", "pho", "cong chuc", "chuyen vien", "giam doc", "can bo", "van phong",
                "thu ky", "ke toan", "bi thu", "chanh", "thanh tra", "uy vien", "nhan vien", "lanh dao", "kt")
# The commonest family names: "Trương Văn An" and "Nguyễn Văn Phong" hold title words and are names.
_FAMILY_NAMES = frozenset(("nguyen", "tran", "le", "pham", "hoang", "huynh", "phan", "vu", "vo", "dang", "bui",
                           "do", "ho", "ngo", "duong", "ly", "truong", "dinh", "lam", "mai", "dao", "cao", "ha", "ta",
                           "luong", "doan", "vuong", "trinh", "trieu", "ton", "kieu", "chau", "thai", "quach", "luu",
                           "tang", "dam", "chu", "phung", "tong", "la", "khuc", "lai", "mac", "thach", "au"))




def split_header(blocks: list[Block]) -> tuple[list[Block], list[Block]]:
    """The blocks before the first section heading (cover, header table, signatures)."""
    for index, block in enumerate(blocks):
        if heading_of(block) is not None:
            return blocks[:index], blocks[index:]
    return blocks, []


def read_header(blocks: list[Block], result: Recognised) -> None:
    title_candidates: list[tuple[str, str]] = []
    for block in blocks:
        if isinstance(block, Table):
            if is_signature_table(block):
                read_signatures(block, result)
            elif is_revision_table(block):
                read_revisions(block, result)
            elif not read_header_table(block, result):
                to_body(block, result)
                result.note(block.where, "bảng ở phần đầu không nhận dạng được, đã giữ trong nội dung")
            continue
        if _read_labelled(block.text, block.where, result):
            continue
        if fold(block.text).startswith(_REVISION_CAPTIONS):  # the revision table's caption, never the title
            result.source(block.where, [block.text])
            result.placed[block.where] = "front matter"
            continue
        title_candidates.append((block.text, block.where))
    _choose_title(title_candidates, result)


_REVISION_CAPTIONS = ("theo doi sua doi", "bang theo doi sua doi", "theo doi tinh trang sua doi",
                      "theo doi thay doi", "bang theo doi thay doi")


def read_header_table(table: Table, result: Recognised) -> bool:
    """Code, revision, dates and title from a header table; False if it holds none of them."""
    found = False
    texts = []
    for r, row in enumerate(table.rows, start=1):
        for c, cell in enumerate(row, start=1):
            where = f"{table.where}, dòng {r}, ô {c}"
            for line in cell.split("\n"):
                if _read_labelled(line, where, result):
                    found = True
                elif line.strip():
                    texts.append((line, where))
        # A label cell followed by its value cell: "Mã hiệu" | "QT-01/VP".
        for c in range(len(row) - 1):
            if _read_labelled(f"{row[c]}: {row[c + 1]}", f"{table.where}, dòng {r}", result, strict=True):
                found = True
    if not found:
        return False
    for where in dict.fromkeys([w for _, w in texts] + [f"{table.where}"]):  # in reading order, not a set's
        result.placed.setdefault(where, "front matter")
    leftovers = [(t, w) for t, w in texts if not _is_consumed(t, result)]
    _choose_title(leftovers, result)
    return True


_LABELS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("code", ("ma hieu", "ma so", "ky hieu", "so hieu", "ma tai lieu")),
    ("revision", ("lan ban hanh", "phien ban")),
    ("amendment", ("lan sua doi",)),
    ("effective", ("ngay hieu luc", "hieu luc tu", "co hieu luc")),
    ("issued", ("ngay ban hanh",)),
    ("national_code", ("ma thu tuc", "ma tthc", "ma so thu tuc")),
)


def _read_labelled(text: str, where: str, result: Recognised, strict: bool = False) -> bool:
    pair = split_label(text)
    if pair is None:
        return False
    label, value = pair
    if label in ("trang", "so trang", "tong so trang") and value:  # the Word file's page count: no e-ISO field
        result.note(where, f"số trang của bản Word «{shown(value, 40)}»: không dùng trong e-ISO")
        result.placed[where] = "report"
        return True
    for key, words in _LABELS:
        if not any(label.startswith(w) or (not strict and label.endswith(w)) for w in words) or not value:
            continue
        parsed = {"code": find_code, "revision": _header_revision, "amendment": read_integer_cell,
                  "effective": find_date, "issued": find_date, "national_code": find_national_code}[key](value)
        if parsed is None:
            if key == "code" and value.strip():
                parsed = value.strip()
            else:
                result.note(where, f"không đọc được giá trị «{value[:80]}» của «{text.split(':')[0][:40]}»")
                return True
        result.meta.setdefault(f"_{key}", parsed)
        result.source(where, [text.split(":")[0]])
        result.meta.setdefault("_consumed", set()).add(value)
        result.placed[where] = "front matter"
        return True
    return False


_ISSUE_AMENDMENT = re.compile(r"(\d{1,3})\s*/\s*(\d{1,3})", re.ASCII)  # "01/00": issue 1, amendment 0


def _header_revision(value: str) -> int | None:
    """``Lần ban hành: 02`` → 2; ``Lần ban hành/sửa đổi: 01/00`` (issue 1, no amendment) → 1; ``1.2``, ``0``,
    ``-3``, and ``02/01`` (an amendment, which e-ISO has no number for) are not read (and so reported), never
    turned into 1."""
    issue_and_amendment = _ISSUE_AMENDMENT.fullmatch(value.strip())
    if issue_and_amendment:
        issue, amendment = (int(part) for part in issue_and_amendment.groups())
        return issue if issue and not amendment else None
    revision = read_integer_cell(value)
    return revision if revision else None


def _is_consumed(text: str, result: Recognised) -> bool:
    consumed = result.meta.get("_consumed", set())
    return any(value and value in text for value in consumed) or bool(split_label(text))


def _choose_title(candidates: list[tuple[str, str]], result: Recognised) -> None:
    """The procedure's name: after "QUY TRÌNH", or the longest capitalised line that is not the agency."""
    for text, where in candidates:
        folded = fold(text)
        if "_title" not in result.meta and folded.startswith("quy trinh") and len(folded.split()) > 2:
            result.meta["_title"] = text.split(None, 2)[2] if folded.split()[1] == "trinh" else text
            result.placed[where] = "front matter"
            result.source(where, [text])
        elif "_title" not in result.meta and folded.strip() == "quy trinh":
            result.placed[where] = "front matter"
        elif folded.startswith(("cong hoa", "doc lap")):  # the national motto heads every official paper
            result.note(where, f"quốc hiệu, tiêu ngữ «{shown(text, 80)}»: không đưa vào tài liệu e-ISO")
            result.placed[where] = "report"
        elif folded.startswith(("uy ban nhan dan", "ubnd", "so ", "phong ")):
            _agency_line(text, where, result)
    caps = [(t, w) for t, w in candidates if is_all_caps(t) and len(t) > 8 and result.placed.get(w) != "front matter"]
    if caps and "_title" not in result.meta:
        text, where = max(caps, key=lambda c: len(c[0]))
        result.meta["_title"] = text
        result.placed[where] = "front matter"
    # Everything else of the cover (the approving decision, notes) is the body's, also once a title is known.
    for text, where in candidates:
        if where not in result.placed:
            result.body.append(escape(text))
            result.placed[where] = "body"


def _agency_line(text: str, where: str, result: Recognised) -> None:
    """"UBND TỈNH QUẢNG NAM" over "SỞ TƯ PHÁP": the body above and the agency, one name. A cover names no more:
    a third such line ("Phòng …" of a list) is left for the body and reported, never added to the name."""
    lines = result.meta.setdefault("_agency_lines", [])
    if len(lines) >= 2:
        result.note(where, f"dòng «{shown(text, 80)}» giống tên cơ quan nhưng bìa đã có hai dòng tên cơ quan "
                           f"(«{shown(' - '.join(lines), 80)}»): giữ trong nội dung, cần kiểm tra")
        return
    lines.append(text)
    result.meta["_agency"] = " - ".join(lines)
    result.placed[where] = "front matter"


def is_signature_table(table: Table) -> bool:
    return _signature_grid(table) is not None


def _role_of(cell: str) -> str | None:
    """The role a cell heads ("Người phê duyệt", "NGƯỜI XEM XÉT\nPhó Chủ tịch…"): its first line, if short.
    A step such as "Kiểm tra hồ sơ, trình lãnh đạo phê duyệt" names two roles and heads nothing."""
    first = fold(cell.split("\n", 1)[0]).strip()
    if not first or len(first) > 40:
        return None
    return next((role for role, words in _ROLE_WORDS.items() if any(w in first for w in words)), None)


def _roles_in(cells: list[str]) -> int:
    """How many different roles head cells of this row (or column)."""
    return len({role for cell in cells if (role := _role_of(cell))})


def _signature_grid(table: Table) -> list[list[str]] | None:
    """The table cell by cell with the roles across its top, or None if it is no signature table.

    Roles are written across the top ("Soạn thảo | Xem xét | Phê duyệt") or down the first column, with
    "Họ và tên | Chức vụ | Chữ ký" across the top: that table is read turned a quarter, like the first. Only
    that person header turns a table: a step table's first column ("Tiếp nhận | Kiểm tra | Phê duyệt") names
    roles too, and read turned its times became the signers' names."""
    grid = table.grid()
    if not grid or _has_step_header(grid):
        return None
    if any(_roles_in(row) >= 2 for row in grid[:2]):
        return grid
    if not _is_person_header(grid[0]):
        return None
    turned = [[row[c] if c < len(row) else "" for row in grid] for c in range(len(grid[0]))]
    return turned if _roles_in(turned[0]) >= 2 else None


# What heads the columns of a table of people: "Họ và tên | Chức vụ | Chữ ký".
_PERSON_LABELS = ("ho va ten", "ho ten", "chuc vu", "chuc danh", "chu ky", "ky ten")
# The header of a step table: who ("Trách nhiệm"), when ("Thời gian") and what ("Nội dung", "Bước", "Trình tự").
_STEP_LABELS = (("trach nhiem",), ("thoi gian", "thoi han"), ("noi dung", "trinh tu", "buoc", "cong viec"))


def _is_person_header(row: list[str]) -> bool:
    labels = [fold(cell).strip(" :") for cell in row if cell.strip()]
    return sum(any(label.startswith(word) for word in _PERSON_LABELS) for label in labels) >= 2


def _has_step_header(grid: list[list[str]]) -> bool:
    """Whether one of the first two rows heads a step table: two of who, when and what. A signature table's
    "Trách nhiệm | Soạn thảo | Xem xét | Phê duyệt" has only the first."""
    for row in grid[:2]:
        labels = [fold(cell).strip(" :") for cell in row if cell.strip() and len(cell) <= 40]
        if sum(any(label.startswith(word) for label in labels for word in words) for words in _STEP_LABELS) >= 2:
            return True
    return False


def read_signatures(table: Table, result: Recognised) -> None:
    grid = _signature_grid(table) or table.grid()
    header_row = next((i for i, row in enumerate(grid) if _roles_in(row) >= 2), 0)
    columns: dict[int, str] = {}
    for c, cell in enumerate(grid[header_row]):
        role = _role_of(cell)
        if role and role not in columns.values():
            columns[c] = role
    people: dict[str, dict[str, str]] = {role: {} for role in columns.values()}
    for row in grid[header_row + 1:]:
        label = fold(row[0]) if row else ""
        for c, role in columns.items():
            if c >= len(row):
                continue
            for line in row[c].split("\n"):
                _assign_person_line(line, label, people[role])
    for r in range(len(table.rows)):
        result.placed[f"{table.where}, dòng {r + 1}"] = "front matter"
    # Header cells may hold the whole block: "NGƯỜI PHÊ DUYỆT\nChủ tịch UBND\n(Đã ký)\nLê Văn Cường".
    for c, role in columns.items():
        for line in grid[header_row][c].split("\n")[1:]:
            _assign_person_line(line, "", people[role])
    labels = list(dict.fromkeys([*grid[header_row], *(row[0] for row in grid[header_row + 1:] if row)]))
    result.source(table.where, labels)
    for role, person in people.items():
        if person.get("name"):
            result.meta[role] = {"name": person["name"], "title": person.get("title", "")}
        else:
            result.note(table.where, f"không tìm thấy họ tên {_ROLE_LABELS[role]}")
    result.placed[table.where] = "front matter"


_ROLE_LABELS = {"prepared_by": "người soạn thảo", "reviewed_by": "người xem xét", "approved_by": "người phê duyệt"}


def _assign_person_line(line: str, label: str, person: dict[str, str]) -> None:
    text = line.strip().strip("()")
    folded = fold(text)
    if not text or folded in {"da ky", "chu ky", "ky", "(da ky)"} or any(w in folded for ws in _ROLE_WORDS.values()
                                                                          for w in ws):
        return
    pair = split_label(text)
    if pair:
        label, text = pair
        folded = fold(text)
    if "chuc vu" in label or (not label.startswith("ho") and _is_job_title(text)):
        person.setdefault("title", text)
    elif "ngay" in label or "chu ky" in label:
        return
    else:
        person.setdefault("name", text)


def _is_job_title(text: str) -> bool:
    """"Phó Chủ tịch UBND xã" is a title; "Trương Văn An" (a name in capitalised words, a family name first)
    is not, though "Trương" folds to the title word "truong"."""
    if _starts_with_title(text):
        return True
    words = fold(text).replace(".", " ").split()
    padded = f" {' '.join(words)} "
    if not any(f" {hint} " in padded for hint in _TITLE_HINTS):
        return False
    capitalised = all(word[:1].isupper() for word in text.split())
    return not (capitalised and 2 <= len(words) <= 5 and words[0] in _FAMILY_NAMES)


# The words a job title starts with, accents kept: "CHỦ TỊCH", "Trưởng Phòng" are titles in any case, while
# folded, "chu" and "truong" are family names ("Chu Văn An", "Trương Văn An"): the accents tell them apart.
_TITLE_PREFIXES = ("kt.", "kt ", "tm.", "tm ", "tl.", "tl ", "q.", "quyền ", "phó ")
_TITLE_STARTS = ("chủ tịch", "trưởng ", "giám đốc", "chánh ", "chuyên viên", "công chức", "cán bộ", "thư ký",
                 "kế toán", "bí thư", "ủy viên", "uỷ viên", "nhân viên", "lãnh đạo", "tổng giám đốc", "hiệu trưởng")


def _starts_with_title(text: str) -> bool:
    lowered = " ".join(nfc(text).lower().split()) + " "
    for prefix in _TITLE_PREFIXES:
        if lowered.startswith(prefix):
            lowered = lowered[len(prefix):].lstrip()
            break
    return lowered.startswith(_TITLE_STARTS)


def is_revision_table(table: Table) -> bool:
    return _revision_header(table) is not None


def _revision_header(table: Table) -> int | None:
    """The index of a revision table's header row — short labels with a date column, under or beside the words
    "sửa đổi"/"thay đổi" — or None. A title row ("BẢNG THEO DÕI SỬA ĐỔI", merged across) may stand above it.
    The body rows never decide: a step "Đề xuất biên soạn, sửa đổi tài liệu" does not make a step table one."""
    title = {fold(c) for c in table.rows[0] if c.strip()} if table.rows else set()
    for index, row in enumerate(table.rows[:2]):
        cells = [fold(c) for c in row]
        if any(len(c) > 60 or "trach nhiem" in c for c in cells):
            continue  # a step table's header, or a row of content
        named = cells if index == 0 else (list(title) if len(title) == 1 else [])  # the header or its title row
        if any("sua doi" in c or "thay doi" in c for c in named) and any("ngay" in c or "thoi gian" in c for c in cells):
            return index
    return None


def _revision_cell(cells: list[str], col: int | None, read, label: str, where: str, result: Recognised):
    """The value of one cell of a revision row; a cell that holds text but no clear value is left out of
    the front matter and its text kept in the report with its place, never changed into another value."""
    text = cells[col] if col is not None and col < len(cells) else ""
    value = read(text) if text else None
    if text and value is None:
        result.note(where, f"không đọc được {label} «{shown(text, 120)}»: bỏ trống trường này trong "
                           "history_before_git, cần ghi lại bằng tay")
    return value


def read_revisions(table: Table, result: Recognised) -> None:
    header_index = _revision_header(table) or 0
    header = [fold(c) for c in table.grid_row(header_index)]
    date_col = column(header, ("ngay", "thoi gian"))
    revision_col = next((i for i, h in enumerate(header) if "lan" in h.split()), None)  # not "lãnh đạo"
    # Every other column says what changed ("Vị trí sửa đổi", "Yêu cầu sửa đổi", "Nội dung"), but the order number
    change_cols = [i for i, h in enumerate(header) if i not in (date_col, revision_col)
                   and h.strip(" .") not in ("tt", "stt", "so tt")]
    rows = []
    result.source(table.where, [cell for r in table.rows[:header_index + 1] for cell in r])
    for r in range(header_index + 1, len(table.rows)):
        where = f"{table.where}, dòng {r + 1}"
        cells = [c.strip() for c in table.grid_row(r)]
        if not any(cells):
            continue
        change = "; ".join(dict.fromkeys(cells[i] for i in change_cols if i < len(cells) and cells[i]))
        if not change:
            result.note(where, f"dòng theo dõi sửa đổi không có nội dung: «{' | '.join(table.rows[r])[:120]}»")
            continue
        date = _revision_cell(cells, date_col, read_date_cell, "ngày sửa đổi", where, result)
        revision = _revision_cell(cells, revision_col, read_integer_cell, "lần sửa đổi", where, result)
        rows.append({"date": date, "revision": revision, "change": change})
        result.placed[where] = "front matter"
    if rows:
        result.meta.setdefault("history_before_git", []).extend(
            {k: v for k, v in row.items() if v is not None} for row in rows)
    result.placed[table.where] = "front matter"
