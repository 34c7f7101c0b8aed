"""The national facts of a TTHC procedure, flattened to one value per key, for three-way comparison.

The same function reads what the importer drafted, what a document says now and what a national
record says now, so that "unchanged" means equal keys and values. Keys are readable and stable:

- ``title``; ``tthc.decision``, ``tthc.level``, ``tthc.applicants``, ``tthc.agency``, ``tthc.result``,
  ``tthc.conditions`` (text);
- ``tthc.channels[<channel>].time`` (``{value, unit}`` or ``None``) and ``tthc.channels[<channel>].fee``;
- ``tthc.dossier[<name>]`` (``{originals, copies}``);
- ``tthc.citizen_steps`` (the list of steps the public page shows; absent when there are none);
- ``legal_basis[<code>]`` (the title; a reference without a code is keyed by its title).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from eiso.documents.text import code_text, fold, nfc
from eiso.documents.text import shown as shown_text
from eiso.documents.yamlsource import raw_text

SCALARS = ("decision", "level", "applicants", "agency", "result", "conditions")
SCALAR_LABELS = {"title": "Tên thủ tục", "tthc.decision": "Quyết định công bố", "tthc.level": "Cấp thực hiện",
                 "tthc.applicants": "Đối tượng thực hiện", "tthc.agency": "Cơ quan thực hiện",
                 "tthc.result": "Kết quả thực hiện", "tthc.conditions": "Yêu cầu, điều kiện",
                 "tthc.citizen_steps": "Trình tự thực hiện (các bước người dân thấy)"}


def facts(meta: dict) -> dict[str, Any]:
    """Flat facts of a front matter (plain data as YAML or the importer gives it)."""
    out: dict[str, Any] = {"title": text(meta.get("title"))}
    tthc = meta.get("tthc") if isinstance(meta.get("tthc"), dict) else {}
    for name in SCALARS:
        out[f"tthc.{name}"] = text(tthc.get(name))
    for name, channel in occurrences(tthc.get("channels"), "channel"):
        out[f"tthc.channels[{name}].time"] = time(channel.get("time"))
        out[f"tthc.channels[{name}].fee"] = text(channel.get("fee"))
    for name, item in occurrences(tthc.get("dossier"), "name"):
        out[f"tthc.dossier[{name}]"] = {"originals": count(item.get("originals"), 1),
                                        "copies": count(item.get("copies"), 0)}
    steps = [step for step in map(text, _list(tthc.get("citizen_steps"))) if step]
    if steps:
        out["tthc.citizen_steps"] = steps
    for ref in _dicts(meta.get("legal_basis")):
        code, title = text(ref.get("code")), text(ref.get("title"))
        out[f"legal_basis[{legal_identity(code) if code else title}]"] = {"code": code, "title": title}
    return out


def occurrences(items: Any, field: str) -> list[tuple[str, dict]]:
    """``(identity, item)``: the item's name, and ``name#2``… for a name that repeats (national
    records list "Trực tiếp" twice when two time limits apply)."""
    seen: dict[str, int] = {}
    found = []
    for item in _dicts(items):
        name = text(item.get(field))
        seen[name] = seen.get(name, 0) + 1
        found.append((name if seen[name] == 1 else f"{name}#{seen[name]}", item))
    return found


def legal_identity(code: str) -> str:
    """``123/2015/NĐ-CP``, ``123/2015/ND-CP`` and ``123 /2015/NĐ-CP`` are one key (as ``eiso.legal.codes``)."""
    return fold(code_text(code)).upper()


def text(value: Any) -> str:
    value = raw_text(value)
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return nfc(" ".join(str(value).split())) if not isinstance(value, (dict, list)) else ""


def time(value: Any) -> dict | None:
    if not isinstance(value, dict):
        return None
    number = value.get("value")
    if isinstance(number, bool) or not isinstance(number, (int, float)):
        return None
    number = float(number)
    return {"value": int(number) if number == int(number) else number, "unit": text(value.get("unit"))}


def count(value: Any, default: int) -> int:
    if value is None:
        return default
    return int(value) if isinstance(value, int) and not isinstance(value, bool) else default


def _dicts(value: Any) -> list[dict]:
    return [item for item in _list(value) if isinstance(item, dict)]


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def label(key: str) -> str:
    """Vietnamese name of a fact key, for reports."""
    if key in SCALAR_LABELS:
        return SCALAR_LABELS[key]
    if key.startswith("tthc.channels["):
        identity, _, part = key[len("tthc.channels["):].rpartition("].")
        name, mark, number = identity.rpartition("#")
        shown_name = f"{name}» thứ {number}" if mark and number.isdigit() else f"{identity}»"
        return f"{'Thời hạn giải quyết' if part == 'time' else 'Phí, lệ phí'} (cách thức «{shown_name})"
    if key.startswith("tthc.dossier["):
        return f"Thành phần hồ sơ «{key[len('tthc.dossier['):-1]}»"
    if key.startswith("legal_basis["):
        return "Căn cứ pháp lý"
    return key


def shown(key: str, value: Any) -> str:
    """A value as a person reads it in a report. A value of another shape than its key's (a baseline of a
    manifest edited by hand, or left with a merge conflict) is shown as it is, never a crash of the report."""
    try:
        return _shown(key, value)
    except (KeyError, TypeError, ValueError, AttributeError):
        return f"(giá trị không đúng dạng: {shown_text(repr(value), 200)})"


def _shown(key: str, value: Any) -> str:
    from eiso.documents.durations import format_number
    from eiso.documents.model import UNIT_LABELS, TimeUnit

    if value is ABSENT:
        return "(không có)"
    if key.endswith("].time"):
        if not value:
            return "(không ghi thời hạn)"
        try:
            unit = UNIT_LABELS[TimeUnit(value["unit"])]
        except ValueError:
            unit = value["unit"]
        return f"{format_number(value['value'])} {unit}"
    if key.startswith("tthc.dossier["):
        return f"{value['originals']} bản chính, {value['copies']} bản sao"
    if key.startswith("legal_basis["):
        return " ".join(part for part in (value["code"], value["title"]) if part)
    if key == "tthc.citizen_steps":
        return "; ".join(f"Bước {number}: {step}" for number, step in enumerate(value, 1))
    return str(value) if value else "(để trống)"


class _Absent:
    """A key one side does not have (a removed dossier item, a new channel)."""

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT: Any = _Absent()
