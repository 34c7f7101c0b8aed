"""Cleaning untrusted values of a national record: text, placeholders, channels, times, dossier."""

from __future__ import annotations

import re
import unicodedata
from fractions import Fraction
from typing import Any

from eiso.documents.text import fold


CANONICAL_LEVELS = ("Cấp bộ", "Cấp tỉnh", "Cấp huyện", "Cấp xã", "Cơ quan khác")
NO_INFO = {"khong co thong tin", "khong co", "khong", "khong quy dinh", "khong co quy dinh", "--", "-", "n/a"}
UNITS = {"working_days": ("working_days", 1), "days": ("days", 1), "hours": ("hours", 1),
         "months": ("months", 1), "years": ("months", 12)}

SPACES = re.compile(r"[ \t\xa0\u2000-\u200a\u202f\u205f\u3000]+")
_HEADER_DOSSIER = re.compile(r"Tên giấy tờ\s*Mẫu đơn,\s*tờ khai\s*Số lượng")
_MARKER = re.compile(r"^(?:[-+*•·–—>]+\s*|\(?[a-zđ]\)\s+|\((?:[ivx]+|\d{1,2})\)\s*|[ivx]+[.)]\s+|\d{1,2}[.)](?!\d)\s*)+",
                     re.IGNORECASE)
# What regex's \s matches, for str.strip: "[\s…]+$" searched through a long run of such characters
# backtracks quadratically, stripping them from the end is linear.
BLANKS = " \t\n\r\f\v\x1c\x1d\x1e\x1f\x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u2028\u2029\u202f\u205f\u3000"
_TRAILING = BLANKS + ";,.:(-–—"  # stray punctuation behind a value


def clean_text(value: Any) -> str:
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, (int, float)):
        return str(value)
    if not isinstance(value, str):
        return ""
    text = unicodedata.normalize("NFC", value)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    for separator in ("\u2028", "\u2029", "\x85", "\x0b", "\x0c"):
        text = text.replace(separator, "\n")
    # Every character eiso check refuses in front matter (control, format such as U+00AD soft hyphen,
    # surrogates) is dropped here: national data carries them invisibly.
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cf", "Cs"))


def one_line(value: Any) -> str:
    """One line of clean text."""
    return SPACES.sub(" ", clean_text(value).replace("\n", " ")).strip()


def clean_value(value: Any, multiline: bool = False) -> str:
    """Clean text, with "Không có thông tin" and similar placeholders as empty."""
    if multiline:
        lines = [SPACES.sub(" ", line).strip() for line in clean_text(value).split("\n")]
        text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    else:
        text = one_line(value)
    text = re.sub(r"^Không có thông tin\s*", "", text, flags=re.IGNORECASE).strip()
    return "" if no_info(text) else text


PORTAL_LABEL = "Từ khóa"


def without_portal_text(text: str) -> tuple[str, bool]:
    """The value without the national portal's page text scraped along with it, and whether there was any.

    National records carry, glued behind a result or a condition, the portal's own labels and menus:
    "Quyết định hành chínhMã: 000.00.00.G11-KQ1711Từ khóaKhông có thông tinMô tả…Chọn cơ quan thực hiện…".
    It starts at the label "Từ khóa" glued to the text before it (or alone, empty, on the last line), and the
    result's code may be glued just before it ("…chínhMã: 000.00.00.G11-KQ1711"). Plain searches: linear.
    """
    end = len(text.rstrip(" :\n"))
    at = text.find(PORTAL_LABEL)
    while at >= 0:
        before = text[at - 1] if at else ""
        if not before or not before.isspace() or (before == "\n" and at + len(PORTAL_LABEL) >= end):
            return _without_glued_code(text[:at]).rstrip(), True
        at = text.find(PORTAL_LABEL, at + 1)
    return text, False


def _without_glued_code(text: str) -> str:
    at = text.rfind("Mã:")
    code = text[at + 3:].strip() if at > 0 else ""
    if code and not text[at - 1].isspace() and not any(ch.isspace() for ch in code):
        return text[:at]
    return text


def no_info(text: str) -> bool:
    """"Không có thông tin", "Không", "--" and other placeholders for a missing value."""
    return len(text) <= 30 and fold(text).strip(" .;:") in NO_INFO


def meaningful(text: str) -> bool:
    return len(re.sub(r"[\W\d_]+", "", text)) >= 10


def strip_list_marker(text: str) -> str:
    """Without list markers and numbering in front."""
    return _MARKER.sub("", text).strip()


def strip_marker(text: str) -> str:
    """Without list markers and numbering in front and stray punctuation behind."""
    text = _MARKER.sub("", text).strip()
    return text.rstrip(_TRAILING).strip()


def as_list(record: dict, key: str, warn) -> list:
    value = record.get(key)
    if value is None:
        return []
    if isinstance(value, list):
        return value
    warn(f"trường {key} không phải danh sách, bị bỏ qua")
    return []


def clean_decision(text: str) -> str:
    text = re.sub(r"^(?:Quyết định|QĐ)\s*(?:số)?\s*:?\s*(?=\d)", "", text, flags=re.IGNORECASE)
    return text.strip()


def clean_channels(items: list, warn) -> list[dict]:
    """Channels with time ``{value, unit}`` in model units and the fee; at least one channel."""
    channels: list[dict] = []
    for index, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            warn(f"cách thức thực hiện thứ {index} không đọc được")
            continue
        name = strip_marker(clean_value(item.get("channel")))
        if not name:
            warn(f"cách thức thực hiện thứ {index} không có tên")
            name = "Chưa xác định"
        entry: dict[str, Any] = {"channel": name}
        time = clean_time(item.get("time"))
        time_text = clean_value(item.get("time_text"))
        if time is not None:
            entry["time"] = time
        elif time_text and not no_info(time_text):
            warn(f"{name}: không xác định được thời hạn giải quyết từ «{short(time_text)}»")
        fee = clean_value(item.get("fee_and_notes"))
        fee = re.sub(r"(?<=\w)\(", " (", fee)
        entry["fee"] = strip_marker(fee) if fee.startswith(("-", "+", "*")) else fee
        channels.append(entry)
    if not channels:
        warn("không có cách thức thực hiện; đã thêm một dòng «Chưa xác định» cần bổ sung")
        channels.append({"channel": "Chưa xác định", "fee": ""})
    if not any("time" in c for c in channels):
        warn("không có thời hạn giải quyết")
    return channels


def clean_time(value: Any) -> dict | None:
    """``{value, unit}`` in the units of the model, or None (unspecified, missing, not positive)."""
    if not isinstance(value, dict):
        return None
    unit = value.get("unit")
    number = value.get("value")
    if isinstance(number, bool) or not isinstance(number, (int, float)) or unit not in UNITS:
        return None
    target, factor = UNITS[unit]
    number = number * factor
    if not number > 0 or number != number or number > 100_000:
        return None
    return {"value": as_number(number), "unit": target}


def as_number(value: float | Fraction) -> int | float:
    value = float(value)
    return int(value) if value == int(value) else round(value, 4)


def clean_dossier(items: list, warn) -> tuple[list[dict], list[str]]:
    """Dossier items, and notes that were listed as items (no copies asked for: 0 originals, 0 copies)."""
    dossier: list[dict] = []
    notes: list[str] = []
    seen: set[str] = set()
    for index, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            warn(f"thành phần hồ sơ thứ {index} không đọc được")
            continue
        raw = clean_value(item.get("name"))
        parts = _HEADER_DOSSIER.split(raw, maxsplit=1)
        if len(parts) == 2:
            heading, name = strip_marker(parts[0]), strip_marker(parts[1])
            if heading and not no_info(heading) and len(heading.split()) >= 4:
                notes.append(heading)
        else:
            name = strip_marker(raw)
        if not name or no_info(name):
            continue
        originals, copies = _count(item.get("originals")), _count(item.get("copies"))
        if originals is None or copies is None:
            warn(f"thành phần hồ sơ «{short(name)}»: số bản không đọc được, mặc định 1 bản chính")
            originals, copies = 1, 0
        if originals == 0 and copies == 0:
            notes.append(name)
            continue
        if name.casefold() in seen:
            continue
        seen.add(name.casefold())
        dossier.append({"name": name, "originals": originals, "copies": copies})
    return dossier, list(dict.fromkeys(notes))


def _count(value: Any) -> int | None:
    if value is None:
        return 0
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value == int(value):
        value = int(value)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, int) and 0 <= value <= 1000:
        return value
    return None


def short(text: str, size: int = 60) -> str:
    return text if len(text) <= size else text[: size - 1].rstrip() + "…"


def canonical_level(level: str) -> str:
    text = one_line(level)
    for known in CANONICAL_LEVELS:
        if fold(known) == fold(text):
            return known
    return text
