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


@dataclass(frozen=True)
class LegalEntry:
    code: str  # as written in legal.yml, canonical spelling
    title: str
    status: str  # in_force | amended | repealed
    replaced_by: tuple[str, ...] = ()
    note: str = ""
    date: dt.date | None = None
    line: int = 1

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

    def get(self, code: str) -> LegalEntry | None:
        return self.entries.get(legal_key(code))


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
        parsed = yamlsource.load(text)
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
    return register


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
        at("code", "thiếu số, ký hiệu văn bản (code); bỏ qua mục này")
        return None
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
    codes = []
    for position, value in enumerate(replaced):
        text = _text(value)
        if not text:
            findings.append(_finding(parsed.line_of((index, "replaced_by", position)),
                                     field_name((index, "replaced_by", position)), "số, ký hiệu rỗng"))
            continue
        codes.append(canonical_code(text))
    date = item.get("date")
    if date is not None and not isinstance(date, dt.date):
        at("date", f"ngày «{_text(date)}» không hợp lệ: cần dạng YYYY-MM-DD")
        date = None
    if status == "in_force" and codes:
        at("replaced_by", "văn bản còn hiệu lực không có văn bản thay thế")
    return LegalEntry(canonical_code(code), _text(item.get("title")), status, tuple(codes),
                      _text(item.get("note")), dt.date(date.year, date.month, date.day) if date else None, line)


def _text(value: Any) -> str:
    value = yamlsource.raw_text(value)
    return " ".join(str(value).split()) if isinstance(value, (str, int, float)) and not isinstance(value, bool) else ""


def _finding(line: int, field: str, message: str) -> Finding:
    return Finding(REGISTER_NAME, line, field, message, "legal-register", "warning")
