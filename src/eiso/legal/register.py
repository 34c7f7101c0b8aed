"""``legal.yml``: the agency's register of legal documents and their status.

Optional, at the repository root. A list of entries::

    - {code: 123/2015/NĐ-CP, title: …, status: in_force | amended | repealed,
       replaced_by: [codes], note: …, date: YYYY-MM-DD}

``date`` (optional, an e-ISO extension) is the day the change takes effect: a document whose own
``effective`` date is on or after it was reviewed after the change and is no longer flagged.
The file is untrusted like any content: it is read with the safe YAML reader and every malformed
entry becomes a located finding; the others are still used.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eiso.documents import yamlsource
from eiso.documents.findings import Finding, field_name
from eiso.documents.loader import MAX_FILE_BYTES, decode_source
from eiso.legal.codes import canonical_code, code_problem, legal_key

REGISTER_NAME = "legal.yml"
STATUSES = ("in_force", "amended", "repealed")
STATUS_LABELS = {"in_force": "Còn hiệu lực", "amended": "Đã được sửa đổi, bổ sung", "repealed": "Hết hiệu lực",
                 "": "Chưa ghi tình trạng"}
_KEYS = {"code", "title", "status", "replaced_by", "note", "date"}
# A register is a whole file, not a front matter: about ten YAML events an entry, so tens of thousands of laws fit.
# The file's size cap (MAX_FILE_BYTES) bounds the work; reading is linear in it.
MAX_REGISTER_EVENTS = 500_000


@dataclass(frozen=True)
class LegalEntry:
    code: str  # as written in legal.yml, canonical spelling
    title: str
    status: str  # in_force | amended | repealed
    replaced_by: tuple[str, ...] = ()
    note: str = ""
    date: dt.date | None = None
    line: int = 1
    index: int = 0  # position in legal.yml, for located findings
    replaced_line: int = 1  # the line of replaced_by

    @property
    def key(self) -> str:
        return legal_key(self.code)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def changed(self) -> bool:
        """Amended or repealed: the documents citing it must be reviewed."""
        return self.status in ("amended", "repealed")


@dataclass
class Register:
    entries: dict[str, LegalEntry] = field(default_factory=dict)  # legal_key -> entry
    findings: list[Finding] = field(default_factory=list)
    present: bool = False
    # Derived from entries, filled on first use: parse_register has finished adding entries by then.
    _current: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False, compare=False)
    _links: dict[str, tuple[tuple[str, str], ...]] = field(default_factory=dict, repr=False, compare=False)
    _ends: dict[str, tuple[str, str] | None] = field(default_factory=dict, repr=False, compare=False)

    def get(self, code: str) -> LegalEntry | None:
        return self.entries.get(legal_key(code))

    def in_force_replacements(self, entry: LegalEntry) -> tuple[str, ...]:
        """What replaces ``entry`` today: its ``replaced_by``, each followed while the register says it was
        repealed in turn (a decree replaced twice). Stops at a cycle, which ``parse_register`` reports.

        Asked once per citation: each entry is walked once and remembered. The walk is depth-first with a stack
        (not ``list.pop(0)``) over keys computed once per entry, and jumps over runs of documents each repealed by
        a single one (``_chain_end``), so that the entries of a long chain, each cited, cost its length once."""
        cached = self._current.get(entry.key)
        if cached is not None:
            return cached
        found: list[str] = []
        seen = {entry.key}
        todo = list(reversed(self._replacing(entry.key)))  # reversed: popping from the end keeps the written order
        while todo:
            link: tuple[str, str] | None = todo.pop()
            if self._single(link[0]):
                link = self._chain_end(link[0])
            if link is None or link[0] in seen:
                continue
            key, code = link
            seen.add(key)
            if self._repealed(key):
                todo.extend(reversed(self._replacing(key)))
            else:
                found.append(code)  # seen is keyed like found: no code is listed twice
        self._current[entry.key] = result = tuple(found)
        return result

    def _repealed(self, key: str) -> bool:
        """Repealed and replaced: the walk goes on to its replacements."""
        later = self.entries.get(key)
        return later is not None and later.status == "repealed" and bool(later.replaced_by)

    def _single(self, key: str) -> bool:
        return self._repealed(key) and len(self._replacing(key)) == 1

    def _chain_end(self, key: str) -> tuple[str, str] | None:
        """Where a run of documents each repealed by a single one ends: the ``(key, code)`` of the first that is
        not, or ``None`` when the run loops (a cycle, reported by ``parse_register``, leads to nothing in force).
        Remembered for every document of the run, so all the runs of the register cost its length."""
        run: list[str] = []
        on_run: set[str] = set()
        while True:
            if key in self._ends:
                end = self._ends[key]
                break
            if key in on_run:
                end = None  # a loop
                break
            run.append(key)
            on_run.add(key)
            end = self._replacing(key)[0]
            if not self._single(end[0]):
                break
            key = end[0]
        for member in run:
            self._ends[member] = end
        return end

    def successors(self, key: str) -> tuple[str, ...]:
        """The keys of the registered documents replacing ``key``, itself excluded."""
        return tuple(k for k, _ in self._replacing(key) if k != key and k in self.entries)

    def _replacing(self, key: str) -> tuple[tuple[str, str], ...]:
        """``(legal_key, code)`` of each of the entry's ``replaced_by``, built once: ``legal_key`` is cached for a
        few thousand spellings only, and recomputing it on every visit made a long chain cost its square."""
        known = self._links.get(key)
        if known is None:
            pairs: dict[str, str] = {}
            for code in self.entries[key].replaced_by:
                pairs.setdefault(legal_key(code), code)  # the first spelling of a code written twice
            known = self._links[key] = tuple(pairs.items())
        return known


def load_register(root: Path) -> Register:
    """The register of ``root/legal.yml``; an empty register when there is none."""
    path = root / REGISTER_NAME
    register = Register()
    if not path.is_file():
        return register
    register.present = True
    try:
        if path.is_symlink() and not path.resolve().is_relative_to(root.resolve()):
            raise OSError("tệp là liên kết trỏ ra ngoài kho")
        raw = path.read_bytes()
    except OSError as error:
        register.findings.append(_finding(1, "-", f"không đọc được tệp: {getattr(error, 'strerror', None) or error}"))
        return register
    if len(raw) > MAX_FILE_BYTES:
        register.findings.append(_finding(1, "-", f"tệp quá lớn (tối đa {MAX_FILE_BYTES // 1024} KB)"))
        return register
    source = decode_source(REGISTER_NAME, raw)
    if source.text is None:
        register.findings.append(source.finding)  # type: ignore[arg-type]
        return register
    parse_register(source.text, register)
    return register


def parse_register(text: str, register: Register) -> Register:
    try:
        parsed = yamlsource.load(text, MAX_REGISTER_EVENTS)
    except yamlsource.YamlError as error:
        register.findings.append(_finding(error.line, "-", error.message))
        return register
    if parsed.data in (None, {}):
        return register
    if not isinstance(parsed.data, list):
        register.findings.append(_finding(1, "-", "legal.yml phải là danh sách các văn bản (mỗi dòng bắt đầu bằng -)"))
        return register
    for index, item in enumerate(parsed.data):
        entry = _entry(item, index, parsed, register.findings)
        if entry is None:
            continue
        other = register.entries.get(entry.key)
        if other is not None:
            register.findings.append(_finding(entry.line, f"[{index}].code",
                                              f"văn bản «{entry.code}» đã khai báo ở dòng {other.line}; bỏ qua mục này"))
            continue
        register.entries[entry.key] = entry
    _check_replacements(register)
    return register


def _check_replacements(register: Register) -> None:
    """A document replaced by itself, or replacements that go round in a circle (A by B, B by A): a typing mistake
    that would send the reader from one repealed document to another and never to the one in force."""
    for entry in register.entries.values():
        if any(legal_key(code) == entry.key for code in entry.replaced_by):
            register.findings.append(_finding(entry.replaced_line, f"[{entry.index}].replaced_by",
                                              f"văn bản «{entry.code}» không thể thay thế hoặc sửa đổi chính nó"))
    for cycle, length in _cycles(register):
        first = register.entries[cycle[0]]
        shown = [*cycle, cycle[0]] if length <= 8 else cycle
        path = " → ".join(register.entries[key].code for key in shown) + ("" if length <= 8 else
                                                                           f" → … ({length} văn bản)")
        register.findings.append(_finding(first.replaced_line, f"[{first.index}].replaced_by",
                                          f"replaced_by tạo thành vòng: {path}; sửa để chuỗi thay thế dừng ở văn bản "
                                          "còn hiệu lực"))


def _cycles(register: Register) -> list[tuple[list[str], int]]:
    """The cycles of replaced_by (self-references aside), each once with its length, in one depth-first walk:
    linear, so that a long register of chained replacements costs no more than its length. Only the first eight
    keys of a cycle are kept, all that is shown: many cycles through one long chain would otherwise copy it each time."""
    done: set[str] = set()
    following: dict[str, tuple[str, ...]] = {}  # once per entry: a long replaced_by costs its length, not its square
    cycles = []
    for root in register.entries:
        if root in done:
            continue
        path: list[str] = []
        on_path: dict[str, int] = {}
        stack: list[tuple[str, int]] = [(root, 0)]
        while stack:
            key, position = stack.pop()
            if position == 0:
                on_path[key] = len(path)
                path.append(key)
            if key not in following:
                following[key] = register.successors(key)
            if position < len(following[key]):
                stack.append((key, position + 1))
                nxt = following[key][position]
                if nxt in on_path:
                    cycles.append((path[on_path[nxt]:on_path[nxt] + 8], len(path) - on_path[nxt]))
                elif nxt not in done:
                    stack.append((nxt, 0))
                continue
            done.add(key)
            on_path.pop(key, None)
            path.pop()
    return cycles


def _entry(item: Any, index: int, parsed: yamlsource.YamlDocument, findings: list[Finding]) -> LegalEntry | None:
    line = parsed.line_of((index,))

    def at(key: str, message: str) -> None:
        findings.append(_finding(parsed.line_of((index, key)), field_name((index, key)), message))

    if not isinstance(item, dict):
        findings.append(_finding(line, f"[{index}]", "mỗi mục phải là các cặp khóa: giá trị (code, title, status…)"))
        return None
    for key in sorted(set(item) - _KEYS):
        at(key, f"trường «{key}» không được hỗ trợ; chỉ dùng: code, title, status, replaced_by, note, date")
    code = _text(item.get("code"))
    if not code:
        given = item.get("code") not in (None, "")
        at("code", ("số, ký hiệu văn bản (code) phải là một chuỗi, ví dụ 123/2015/NĐ-CP" if given
                    else "thiếu số, ký hiệu văn bản (code)") + "; bỏ qua mục này")
        return None
    for key in ("title", "note"):
        if isinstance(item.get(key), (dict, list, bool)):
            at(key, f"«{key}» phải là một đoạn văn bản; giá trị này bị bỏ qua")
    if (problem := code_problem(code)) is not None:
        at("code", problem)
    status = _text(item.get("status"))
    if status not in STATUSES:
        at("status", f"trạng thái «{status or 'rỗng'}» không hợp lệ; chỉ chấp nhận: {', '.join(STATUSES)}; bỏ qua mục này")
        return None
    replaced = item.get("replaced_by") or []
    if isinstance(replaced, (str, int, float)):
        replaced = [replaced]
    if not isinstance(replaced, list):
        at("replaced_by", "replaced_by phải là danh sách số, ký hiệu văn bản")
        replaced = []
    codes = _replacement_codes(replaced, index, parsed, findings)
    date = item.get("date")
    if date is not None and not isinstance(date, dt.date):
        at("date", f"ngày «{_text(date)}» không hợp lệ: cần dạng YYYY-MM-DD")
        date = None
    if status == "in_force" and codes:
        at("replaced_by", "văn bản còn hiệu lực không có văn bản thay thế")
    return LegalEntry(canonical_code(code), _text(item.get("title")), status, tuple(codes),
                      _text(item.get("note")), dt.date(date.year, date.month, date.day) if date else None, line,
                      index, parsed.line_of((index, "replaced_by")) if "replaced_by" in item else line)


def _replacement_codes(replaced: list[Any], index: int, parsed: yamlsource.YamlDocument,
                       findings: list[Finding]) -> list[str]:
    """The codes of ``replaced_by``, each once: a code written again is said once, at its first repetition, with
    the number of times it is written (a pasted list can repeat one code thousands of times)."""
    codes: dict[str, str] = {}  # legal_key -> canonical code
    repeated: dict[str, list[int]] = {}  # legal_key -> positions of the repetitions
    for position, value in enumerate(replaced):
        where = (index, "replaced_by", position)
        text = _text(value)
        if not text:
            findings.append(_finding(parsed.line_of(where), field_name(where), "số, ký hiệu rỗng"))
            continue
        key = legal_key(text)
        if key in codes:
            repeated.setdefault(key, []).append(position)
            continue
        if (problem := code_problem(text)) is not None:
            findings.append(_finding(parsed.line_of(where), field_name(where), problem))
        codes[key] = canonical_code(text)
    for key, positions in repeated.items():
        where = (index, "replaced_by", positions[0])
        findings.append(_finding(parsed.line_of(where), field_name(where),
                                 f"văn bản «{codes[key]}» ghi {len(positions) + 1} lần trong replaced_by; "
                                 "chỉ tính một lần, hãy xóa các lần lặp"))
    return list(codes.values())


def _text(value: Any) -> str:
    value = yamlsource.raw_text(value)
    return " ".join(str(value).split()) if isinstance(value, (str, int, float)) and not isinstance(value, bool) else ""


def _finding(line: int, field: str, message: str) -> Finding:
    return Finding(REGISTER_NAME, line, field, message, "legal-register", "warning")
