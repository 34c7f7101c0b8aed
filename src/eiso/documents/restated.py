"""Facts once (DESIGN.md): a body must not restate, or contradict, what the front matter holds.

Headings are read from the Markdown the site renders (Python-Markdown's element tree, with
``attr_list`` so that ``{.public}`` is not part of a title), compared accent-insensitively
without their numbering ("5.2. Thành phần hồ sơ" is "thanh phan ho so"). Times and fees stated
in prose are compared with the channels of the front matter.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass
from functools import lru_cache

import markdown
from markdown.treeprocessors import Treeprocessor

from eiso.documents.findings import Finding
from eiso.documents.mdlines import text_lines
from eiso.documents.model import Document, Duration, TimeUnit
from eiso.documents.text import fold

_NON_WORD = re.compile(r"[^a-z0-9]+")
_NUMBERING = re.compile(r"^(?:(?:\d+ )+|[ivxlc]+ (?=\D)|[a-z] (?=\D))")
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})

# fact -> (heading openings that state it, what the page shows instead)
FACT_HEADINGS: dict[str, tuple[tuple[str, ...], str]] = {
    "legal_basis": (("can cu phap ly", "co so phap ly", "van ban phap ly"), "Căn cứ pháp lý"),
    "dossier": (("thanh phan ho so", "thanh phan so luong ho so", "so luong ho so", "ho so gom"), "Thành phần hồ sơ"),
    "time": (("thoi han giai quyet", "thoi gian giai quyet", "thoi gian xu ly", "thoi han xu ly"),
             "Cách thức thực hiện (thời hạn giải quyết)"),
    "fee": (("le phi", "phi le phi", "muc thu phi", "phi"), "Cách thức thực hiện (phí, lệ phí)"),
    "channels": (("cach thuc thuc hien",), "Cách thức thực hiện"),
    "steps": (("quy trinh xu ly", "trinh tu xu ly", "cac buoc xu ly", "cac buoc thuc hien"), "Các bước xử lý"),
    # "Trình tự thực hiện" is the citizen's view (tthc.citizen_steps), not the internal step table.
    "citizen_steps": (("trinh tu thuc hien",), "Trình tự thực hiện"),
    "forms": (("bieu mau",), "Biểu mẫu"),
    "records": (("ho so can luu", "luu ho so", "ho so luu"), "Hồ sơ cần lưu"),
}
_EXACT = frozenset({"phi"})  # "Phí" alone is the fee; "Phí tổn khác" is not
_ALL_OPENINGS = tuple(opening for openings, _ in FACT_HEADINGS.values() for opening in openings)


def words(text: str) -> str:
    """Accent-folded words separated by single spaces: the form every comparison here uses."""
    return _NON_WORD.sub(" ", fold(text)).strip()


def heading_fact(title: str) -> str | None:
    """The front-matter fact a heading announces, if any."""
    text = _NUMBERING.sub("", words(title))
    for fact, (openings, _) in FACT_HEADINGS.items():
        if any(text == opening or (opening not in _EXACT and text.startswith(opening + " ")) for opening in openings):
            return fact
    return None


def has_fact(doc: Document, fact: str) -> bool:
    meta, tthc = doc.meta, doc.meta.tthc
    channels = tthc.channels if tthc else []
    return {
        "legal_basis": bool(meta.legal_basis),
        "dossier": bool(tthc and tthc.dossier),
        "time": any(c.time for c in channels),
        "fee": any(c.fee for c in channels),
        "channels": bool(channels),
        "steps": bool(meta.steps),
        "citizen_steps": bool(getattr(tthc, "citizen_steps", None)),
        "forms": bool(meta.forms),
        "records": bool(meta.records),
    }[fact]


# ---------------------------------------------------------------- headings


@dataclass(frozen=True)
class Heading:
    level: int
    title: str
    line: int  # 0-based line of the body


class _Collect(Treeprocessor):
    def run(self, root: etree.Element) -> None:
        self.md.eiso_headings = [(int(el.tag[1]), "".join(el.itertext())) for el in root.iter() if el.tag in _HEADINGS]


@lru_cache(maxsize=1)
def _markdown() -> markdown.Markdown:
    # One parser, reset between bodies: building one costs more than most bodies' conversion.
    md = markdown.Markdown(extensions=["attr_list", "fenced_code", "tables", "def_list"])
    md.treeprocessors.register(_Collect(md), "eiso_headings", 1)  # after inline and attr_list
    return md


def parsed_headings(body: str) -> list[tuple[int, str]]:
    """Level and text of every heading, as Python-Markdown (the site's renderer) reads the body."""
    md = _markdown()
    md.reset()
    md.eiso_headings = []
    try:
        md.convert(body)
    except BaseException:
        # A conversion cut short (the time budget's signal) can leave the shared parser unusable: the next
        # body got "Markdown failed to strip top-level tags". The next call builds a new one.
        _markdown.cache_clear()
        raise
    return list(md.eiso_headings)


@dataclass(frozen=True)
class Body:
    """A body's lines, once: as written, accent-folded, as words, and whether they are prose."""

    lines: list[str]
    folded: list[str]
    words: list[str | None]  # None inside fenced code

    @classmethod
    def of(cls, text: str) -> "Body":
        lines = text.split("\n")
        folded = fold(text).split("\n")  # one fold of the whole text: folding keeps the line breaks
        if len(folded) != len(lines):  # never expected; keep the lines aligned whatever happens
            folded = [fold(line) for line in lines]
        prose = [is_prose for _, is_prose in text_lines(text)]
        return cls(lines, folded, [_NON_WORD.sub(" ", f).strip() if p else None for f, p in zip(folded, prose)])


_ATTRIBUTES = re.compile(r"\{[^{}]*\}\s*$")


def may_hold_fact_heading(body: Body) -> bool:
    """Cheap and never wrong the other way: a heading's words start its line (after numbering)."""
    # A line whose words do not start with an opening cannot announce a fact: only the others are read again.
    return any(heading_fact(_ATTRIBUTES.sub("", line)) for line, w in zip(body.lines, body.words)
               if w and _NUMBERING.sub("", w).startswith(_ALL_OPENINGS))


def headings(body: Body, text: str) -> list[Heading]:
    """Parsed headings located at their body line (the next prose line that holds their words)."""
    found, cursor, lines = [], 0, body.words
    for level, title in parsed_headings(text):
        wanted = words(title)
        line = next((i for i in range(cursor, len(lines)) if lines[i] is not None and wanted in lines[i]), None)
        if line is None:  # not found on one line (e.g. markup inside): keep the order, point at the last one
            line = max(cursor - 1, 0)
        else:
            cursor = line + 1
        found.append(Heading(level, title, line))
    return found


# ---------------------------------------------------------------- checks


def check_restated(doc: Document) -> list[Finding]:
    """Warnings for body sections that restate facts, and for times and fees that contradict them."""
    body = Body.of(doc.body)
    found: list[Finding] = []
    for heading in headings(body, doc.body) if may_hold_fact_heading(body) else []:
        fact = heading_fact(heading.title)
        if fact is not None and has_fact(doc, fact):
            shown = FACT_HEADINGS[fact][1]
            found.append(Finding(
                doc.path, doc.body_line + heading.line, "body",
                f"mục «{heading.title.strip()}» nhắc lại thông tin đã có ở phần đầu tài liệu; trang đã hiển thị "
                f"mục «{shown}» từ phần đầu, hãy xóa mục này khỏi nội dung (mỗi thông tin chỉ ghi một lần)",
                "facts-once", "warning"))
    return found + contradictions(doc, body)


# A claim is the statement itself, in one clause: "Thời hạn giải quyết: 03 ngày làm việc", "Lệ phí 50.000 đồng".
# A paragraph that mentions other durations or sums (a step's own time, a tax threshold) is not one.
_CLAUSE = r"[^.;!?\n]{0,40}?"
_TIME_CLAIM = re.compile(r"\bthoi (?:han|gian) (?:giai quyet|xu ly|tra ket qua)\b" + _CLAUSE
                         + r"(?<![\d.,])(\d{1,4}(?:[.,]\d{1,2})?) (ngay lam viec|ngay|gio lam viec|gio|thang)\b")
_UNITS = {"ngay lam viec": TimeUnit.working_days, "ngay": TimeUnit.days, "gio lam viec": TimeUnit.hours,
          "gio": TimeUnit.hours, "thang": TimeUnit.months}
_SUM = r"(?<![\d.,])(\d{1,3}(?:[.,]\d{3})+|\d{4,9}) ?(?:dong|vnd|d)\b"
_AMOUNT = re.compile(_SUM)
_FEE_CLAIM = re.compile(r"\b(?:le phi|muc thu|phi)\b" + _CLAUSE + _SUM)
_FREE_CLAIM = re.compile(r"\b(?:mien le phi|khong thu le phi|mien phi, le phi|mien phi le phi)\b")
_FREE = ("mien phi", "mien le phi", "khong thu phi", "khong thu le phi", "khong mat phi")


def contradictions(doc: Document, body: Body) -> list[Finding]:
    tthc = doc.meta.tthc
    if tthc is None:
        return []
    times = [c.time for c in tthc.channels if c.time]
    fees = _Fees.of([c.fee for c in tthc.channels if c.fee])
    found = []
    for number, (line, text, plain) in enumerate(zip(body.lines, body.folded, body.words)):
        if plain is None:
            continue
        if times and "thoi" in text:
            found += _time_findings(doc, number, line, text, times)
        if fees and "phi" in text:
            found += _fee_findings(doc, number, line, text, fees)
    return found


def _original(line: str, folded: str, start: int, end: int) -> str:
    # Folding an NFC line keeps one character per character: the span points into the line too.
    return line[start:end] if len(line) == len(folded) else folded[start:end]


def _time_findings(doc: Document, number: int, line: str, text: str, times: list[Duration]) -> list[Finding]:
    found = []
    for match in _TIME_CLAIM.finditer(text):
        stated = Duration(value=float(match.group(1).replace(",", ".")), unit=_UNITS[match.group(2)])
        if not any(_same_time(stated, t) for t in times):
            shown = _original(line, text, match.start(1), match.end(2))
            found.append(Finding(
                doc.path, doc.body_line + number, "body",
                f"nội dung ghi thời hạn «{shown}» khác thời hạn giải quyết ở phần đầu "
                f"({_list_times(times)}); chỉ ghi thời hạn trong tthc.channels", "facts-contradiction", "warning"))
    return found


def _same_time(a: Duration, b: Duration) -> bool:
    from eiso.documents import durations

    try:
        return durations.compare(durations.Total(a.value, a.unit), b) == 0
    except durations.Incomparable:
        return False


def _list_times(times: list[Duration]) -> str:
    from eiso.documents.durations import format_duration

    return ", ".join(dict.fromkeys(format_duration(t) for t in times))


def _amount(text: str) -> int:
    return int(re.sub(r"[.,]", "", text))


@dataclass(frozen=True)
class _Fees:
    """What the front matter's fees allow, worked out once per document (not once per line that says "phí")."""

    amounts: frozenset[int]
    free: bool
    listed: str

    @classmethod
    def of(cls, fees: list[str]) -> "_Fees | None":
        if not fees:
            return None
        amounts = frozenset(_amount(m.group(1)) for fee in fees for m in _AMOUNT.finditer(fold(fee)))
        free = any(any(w in f" {words(fee)} " for w in _FREE) or words(fee) in ("khong", "0") for fee in fees)
        return cls(amounts, free, "; ".join(dict.fromkeys(fees)))


def _fee_findings(doc: Document, number: int, line: str, text: str, fees: _Fees) -> list[Finding]:
    stated = next((m for m in _FEE_CLAIM.finditer(text) if _amount(m.group(1)) not in fees.amounts), None)
    if stated is not None:
        shown = _original(line, text, stated.start(1), stated.end())
        message = f"nội dung ghi mức phí «{shown}» khác phí, lệ phí ở phần đầu ({fees.listed})"
    elif not fees.free and _FREE_CLAIM.search(text):
        message = f"nội dung ghi miễn lệ phí nhưng phần đầu ghi phí, lệ phí: {fees.listed}"
    else:
        return []
    return [Finding(doc.path, doc.body_line + number, "body", message + "; chỉ ghi phí trong tthc.channels",
                    "facts-contradiction", "warning")]
