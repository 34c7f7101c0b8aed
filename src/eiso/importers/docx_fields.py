"""Small recognisers for what Vietnamese procedure templates write in Word: codes, dates, times, people.

Each takes a short piece of text (a cell, a paragraph) and returns a value or None; none of them backtracks
on long input (every pattern is anchored or bounded).
"""

from __future__ import annotations

import datetime as dt
import re
from fractions import Fraction

from eiso.documents.text import fold

# A document code as agencies write it: QT-01/VP, QT.TP.05, QT 01/CX-HCTP, QT-HT-01, HD.VP.02, BM-01.
_CODE = re.compile(r"\b((?:QT|HD|HDCV|STCL|STCL|CSCL|MTCL|KH|QĐ|QD)[ .\-/]{0,2}[A-Z0-9Đ]{1,12}"
                   r"(?:[ .\-/][A-Z0-9Đ]{1,12}){0,5})\b")
_FORM_CODE = re.compile(r"\b((?:BM|MB|PL|M)[ .\-/]{0,2}[A-Z0-9Đ]{1,12}(?:[.\-/][A-Z0-9Đ]{1,12}){0,5})\b")
# "Mẫu 01", "Mẫu số 02", "Mẫu 01/HCC": how decrees and many agencies number forms, with no BM code.
_WORDED_FORM_CODE = re.compile(r"\b([Mm]ẫu(?:\s+số)?\s+\d{1,3}[a-zđ]?(?:[.\-/][A-Z0-9Đ]{1,12}){0,5})(?!\w)")
_NATIONAL_CODE = re.compile(r"(?<![\d.])([12]\.\d{6})(?![\d.])")
_DATE_NUMERIC = re.compile(r"(?<!\d)(\d{1,2})\s?[/.\-]\s?(\d{1,2})\s?[/.\-]\s?(\d{4})(?!\d)")
_DATE_WORDS = re.compile(r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})", re.IGNORECASE)
_NUMBER = re.compile(r"(\d{1,4})\s*/\s*(\d{1,4})|(\d{1,6}(?:[.,]\d{1,3})?)")
_LABEL_VALUE = re.compile(r"^([^:]{1,60}):\s*(.*)$", re.DOTALL)
_NUMBER_TOKENS = re.compile(r"[-+−]?\d+(?:[.,]\d+)*")  # a sign or a decimal part belongs to the number
_WORDS = re.compile(r"\w+")
# Times written without a number, whole cell only: "Trong ngày" is done the day the dossier arrives, at
# most one working day; "nửa ngày" is half of one. A sentence that merely contains them is not read.
_WORDED_TIMES = {"trong ngay": {"value": 1, "unit": "working_days"},
                 "trong ngay lam viec": {"value": 1, "unit": "working_days"},
                 "nua ngay": {"value": 0.5, "unit": "working_days"},
                 "nua ngay lam viec": {"value": 0.5, "unit": "working_days"}}
_WORD_NUMBERS = {"mot": 1, "hai": 2, "ba": 3, "bon": 4, "tu": 4, "nam": 5, "sau": 6, "bay": 7, "tam": 8,
                 "chin": 9, "muoi": 10}


def find_code(text: str) -> str | None:
    """The document code in a "Mã hiệu" value. A code is one token: what is attached before "QT" belongs to it
    ("STP-QT-05", "05/QT-TP"), or the agency's prefix would be cut off and two agencies' codes collide."""
    match = _CODE.search(text.upper() if text.isupper() else text)
    if not match:
        return None
    start = match.start(1)
    while start > 0 and (text[start - 1].isalnum() or text[start - 1] in "-./"):
        start -= 1  # linear: each character is stepped over once
    return (text[start:match.start(1)].lstrip("-./") + match.group(1)).strip()


def find_form_code(text: str) -> str | None:
    match = _FORM_CODE.search(text)
    return match.group(1).strip() if match else None


def find_form_reference(text: str) -> str | None:
    """The code of a form in a list of forms: a BM-style code, else "Mẫu 01" / "Mẫu số 02" as written (one
    space). Only the forms list reads the worded kind: in a dossier item, "theo Mẫu số 01 ban hành kèm theo
    Thông tư …" cites a decree's form, not one of the procedure's own."""
    code = find_form_code(text)
    if code:
        return code
    match = _WORDED_FORM_CODE.search(text)
    return " ".join(match.group(1).split()) if match else None


def find_national_code(text: str) -> str | None:
    match = _NATIONAL_CODE.search(text)
    return match.group(1) if match else None


def find_date(text: str) -> dt.date | None:
    for pattern in (_DATE_NUMERIC, _DATE_WORDS):
        for match in pattern.finditer(text):
            day, month, year = (int(g) for g in match.groups())
            try:
                return dt.date(year, month, day)
            except ValueError:
                continue
    return None


def read_date_cell(text: str) -> dt.date | None:
    """The one date a table cell holds, or None: a cell with no valid date (``30/02/2024``, ``2024``) or two
    dates is not read, rather than read as something it does not say."""
    found = [m.groups() for pattern in (_DATE_NUMERIC, _DATE_WORDS) for m in pattern.finditer(text)]
    if len(found) != 1:
        return None
    day, month, year = (int(g) for g in found[0])
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def read_integer_cell(text: str, limit: int = 10_000) -> int | None:
    """The one whole number 0..``limit`` a table cell holds ("02", "Lần 2", "hai"), or None: ``-3``,
    ``1.1``, ``5, 6``, ``999999`` and ``IV`` are not read, rather than read as 3, 1, 5, 999 or nothing."""
    numbers = _NUMBER_TOKENS.findall(text)
    if numbers:
        return int(numbers[0]) if len(numbers) == 1 and numbers[0].isdigit() and int(numbers[0]) <= limit else None
    words = [_WORD_NUMBERS[w] for w in _WORDS.findall(fold(text)) if w in _WORD_NUMBERS]
    return words[0] if len(words) == 1 else None


def find_integer(text: str) -> int | None:
    """"02", "Lần 2", "hai" → 2."""
    match = re.search(r"\d{1,3}", text)
    if match:
        return int(match.group(0))
    for word in fold(text).split():
        if word in _WORD_NUMBERS:
            return _WORD_NUMBERS[word]
    return None


def worded_time(text: str) -> dict | None:
    """The time ``text`` means when it is written without a number ("Trong ngày": the most it can mean, which
    the importer asks to confirm), else None."""
    found = _WORDED_TIMES.get(" ".join(_WORDS.findall(fold(text))))
    return dict(found) if found is not None else None


def parse_time(text: str) -> dict | None:
    """"0,5 ngày", "04 giờ", "1/2 ngày", "02 ngày làm việc", "03 tháng", "15 phút", "Trong ngày" → ``{value, unit}``.

    In a procedure a bare "ngày" counts working days: that is how the statutory limits are written, and
    calendar days are said so ("ngày" with "kể từ" is still a working day unless "ngày lịch" is written).
    """
    worded = worded_time(text)  # "Trong ngày": no number, yet a time every one-stop desk writes
    if worded is not None:
        return worded
    folded = fold(text)
    unit = None
    for needle, name in (("ngay lam viec", "working_days"), ("ngay lich", "days"), ("gio", "hours"),
                         ("phut", "minutes"), ("thang", "months"), ("ngay", "working_days"), ("buoi", "half_days")):
        if needle in folded:
            unit = name
            break
    match = _NUMBER.search(folded)
    if unit is None or match is None:
        return None
    if match.group(1):
        value = Fraction(int(match.group(1)), max(int(match.group(2)), 1))
    else:
        value = Fraction(match.group(3).replace(",", "."))
    if unit == "half_days":
        value, unit = value / 2, "working_days"
    if unit == "minutes":  # e-ISO has no minute unit: "15 phút" is a quarter of an hour
        value, unit = value / 60, "hours"
    if value <= 0 or value > 10_000:
        return None
    number = float(value)
    return {"value": int(number) if number == int(number) else round(number, 4), "unit": unit}


def split_label(text: str) -> tuple[str, str] | None:
    """"Mã hiệu: QT-01/VP" → ("ma hieu", "QT-01/VP") with the label folded."""
    match = _LABEL_VALUE.match(text.strip())
    if not match:
        return None
    return fold(match.group(1)).strip(), match.group(2).strip()


_ROMAN = re.compile(r"X{0,2}(?:IX|IV|V?I{0,3})")  # I … XXIX: the parts of a procedure, never more


def section_number(text: str) -> str | None:
    """The number a heading is typed with — "5.", "5.2.", "5.2)", "IV.", "II.1." — or None. A Roman numeral counts
    only in capitals and followed by "." or ")": "I. MỤC ĐÍCH", not a word that happens to be "I"."""
    words = text.split(None, 1)
    head = words[0] if words else ""
    bare = head.rstrip(".)")
    if not bare or len(head) > 8:
        return None
    if bare.replace(".", "").isdigit():
        return head
    first, *rest = bare.split(".")  # "II.1.": a subsection of part II
    if not (first.isupper() and _ROMAN.fullmatch(first) and all(part.isdigit() for part in rest)):
        return None
    return head if rest or head != bare else None


def is_all_caps(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


def sentence_case(text: str) -> str:
    """"ĐĂNG KÝ KHAI SINH" → "Đăng ký khai sinh" (Word titles are often typed in capitals)."""
    text = " ".join(text.split())
    if not is_all_caps(text):
        return text
    lowered = text.lower()
    return lowered[:1].upper() + lowered[1:]
