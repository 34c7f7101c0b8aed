"""Steps: the internal step table drafted from the processing time, and the citizen's "trình tự thực hiện"."""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Any

from eiso.importers.tthc.clean import as_number, clean_value, one_line, strip_list_marker


FRONT_DESK = "Bộ phận một cửa"


def shortest_time(channels: list[dict]) -> dict | None:
    """The shortest channel time when all timed channels are comparable, else None."""
    from eiso.documents import durations
    from eiso.documents.model import Duration

    times = [Duration(**c["time"]) for c in channels if c.get("time")]
    if not times:
        return None
    try:
        limit = durations.shortest(times)
    except durations.Incomparable:
        return None
    return {"value": limit.value, "unit": limit.unit.value} if limit else None


def _split_time(total: Fraction, unit: str) -> tuple[list[Fraction], str]:
    """Three step times (reception, review, signature) that add up to at most ``total``."""
    if unit == "working_days" and total < 2:
        total, unit = total * 8, "hours"
    edge = total / 5
    for grain in (Fraction(1), Fraction(1, 2), Fraction(1, 4)):
        rounded = (edge // grain) * grain
        if rounded > 0:
            edge = rounded
            break
    else:
        edge = Fraction(int(edge * 100), 100)
    if unit in ("working_days", "days"):
        edge = min(edge, Fraction(1))
    middle = total - 2 * edge
    if unit in ("working_days", "days", "hours") and middle > 1:
        middle = Fraction(int(middle * 100), 100)
    return [edge, middle, edge], unit


def draft_steps(channels: list[dict], agency: str) -> list[dict]:
    """Reception, review and signature: times sum to at most the shortest channel time (or no times)."""
    limit = shortest_time(channels)
    times: list[dict | None] = [None, None, None]
    if limit is not None:
        parts, unit = _split_time(Fraction(str(limit["value"])), limit["unit"])
        if all(part > 0 for part in parts):
            times = [{"value": as_number(part), "unit": unit} for part in parts]
    leader = f"Lãnh đạo {agency}" if agency and len(agency) <= 80 else "Lãnh đạo cơ quan"
    steps = [
        {"actor": FRONT_DESK, "action": "Tiếp nhận, kiểm tra hồ sơ; chuyển hồ sơ đến công chức chuyên môn"},
        {"actor": "Công chức chuyên môn", "action": "Thẩm định hồ sơ, dự thảo kết quả, trình lãnh đạo ký duyệt"},
        {"actor": leader, "action": "Ký duyệt kết quả; Bộ phận một cửa trả kết quả cho tổ chức, cá nhân"},
    ]
    for step, time in zip(steps, times):
        if time:
            step["time"] = time
    return steps


# --------------------------------------------------------------------------------------------------
# Citizen steps: "trình tự thực hiện" as short items for the public page
# --------------------------------------------------------------------------------------------------

MAX_CITIZEN_STEPS = 15  # more is no longer a list a citizen reads; the importer reports the cut
MAX_STEP_CHARS = 400  # a step longer than this is cut at a sentence end
# "Bước 1:", "+ Bước 2.", "BƯỚC 3 -": where the national text starts a numbered step. No nested
# quantifiers: one linear scan even on hostile text.
_STEP_START = re.compile(r"Bước[ \t\xa0]*\d{1,3}[ \t\xa0]*[:.)\-–]", re.IGNORECASE)
_STEP_NUMBER = re.compile(r"^Bước[ \t\xa0]*\d{1,3}[ \t\xa0]*[:.)\-–][ \t\xa0]*", re.IGNORECASE)
_ITEM_START = re.compile(r"^(?:[-+*•·–—]|\(?[a-zđ]\)|\d{1,2}[.)](?!\d))", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.;!?](?=\s)")
_LETTERS = re.compile(r"[^\W\d_]")


def citizen_steps(steps_text: Any) -> list[str]:
    """The national "trình tự thực hiện" as a list of short, plain steps (empty when none can be read).

    All the steps found are returned; the importer keeps the first MAX_CITIZEN_STEPS.

    Numbered "Bước N" steps are cut where each number starts, wherever it stands on a line;
    without them, each list item (``-``, ``+``, ``a)``, ``1.``) is a step, and lines that only
    introduce the next item (ending with ``:``) are joined to it.
    """
    text = clean_value(steps_text, multiline=True)
    if not text:
        return []
    starts = [m.start() for m in _STEP_START.finditer(text)]
    pieces = _cut(text, starts) if len(starts) >= 2 else _items(text)
    steps = [_short_step(_STEP_NUMBER.sub("", one_line(piece).strip(" -+*•·–—")).strip(" ;,")) for piece in pieces]
    return [step for step in steps if len(_LETTERS.findall(step)) >= 3]  # not bare numbering or punctuation


def _cut(text: str, starts: list[int]) -> list[str]:
    lead = text[:starts[0]].strip(" -+*•·–—\n")
    pieces = [text[a:b] for a, b in zip(starts, starts[1:] + [len(text)])]
    if lead and not lead.endswith(":"):
        pieces.insert(0, lead)  # text before "Bước 1" that is more than a heading
    return pieces


def _items(text: str) -> list[str]:
    items: list[str] = []
    lead = ""  # a line ending with ":" introduces the item after it
    for raw in text.split("\n"):
        line = raw.strip()
        if not line:
            continue
        starts_item = bool(_ITEM_START.match(line))
        line = strip_list_marker(line) if starts_item else line
        if lead:
            line, lead = f"{lead} {line}", ""
        if line.endswith(":"):
            lead = line
        elif starts_item or not items:
            items.append(line)
        else:
            items[-1] = f"{items[-1]} {line}"
    if lead:
        items.append(lead)
    return items


def _short_step(step: str) -> str:
    if len(step) <= MAX_STEP_CHARS:
        return step
    ends = [m.end() for m in _SENTENCE_END.finditer(step, 0, MAX_STEP_CHARS)]
    cut = ends[-1] if ends and ends[-1] >= MAX_STEP_CHARS // 3 else MAX_STEP_CHARS
    return step[:cut].rstrip(" ;,") + " …"
