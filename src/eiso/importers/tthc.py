"""``eiso import tthc``: draft TTHC procedures from the national database of administrative procedures.

Input is JSON Lines in the shape of ``tthc-national.jsonl`` (see the corpus README): one procedure a line,
parsed best-effort from flattened tables. The data is untrusted and messy, so every value is cleaned,
every defect that could not be repaired is reported per record (in Vietnamese, with the national code),
and a bad record or line never stops the import.

What is written, for each record, is ``OUT/<field-slug>/<code-slug>.md``: a *draft* (``status: draft``)
controlled document of kind ``tthc`` that passes ``eiso check`` with no finding. Each file is parsed back
with the real loader and checked before it is written; a record whose file would not be clean is reported
and skipped. The step table is drafted from the processing time and the body says so.

Re-running an import is safe. ``OUT/.eiso-import.json`` records the SHA-256 of every file the importer
wrote; a file whose content no longer has that hash was edited by someone and is left alone unless
``--force`` is given. An identical second import changes no byte, manifest included. The manifest also
keeps the national facts imported (``importers/manifest.py``), the baseline of ``eiso sync tthc``.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property
from pathlib import Path
from typing import Any, Iterable, Iterator

import yaml

from eiso.documents.text import fold, slugify
from eiso.importers.facts import facts
from eiso.importers.manifest import MANIFEST_NAME, Baseline, Manifest, ManifestError, read_manifest, write_manifest

CODE_PREFIX = "QT-TTHC-"
DRAFT_NOTE = (
    "> Bảng các bước xử lý là bản nháp do công cụ nhập tự động tạo; "
    "cần hoàn thiện trước khi trình phê duyệt."
)
FRONT_DESK = "Bộ phận một cửa"
COMMUNE_AGENCY = "Ủy ban nhân dân cấp xã"
_CANONICAL_LEVELS = ("Cấp bộ", "Cấp tỉnh", "Cấp huyện", "Cấp xã", "Cơ quan khác")
_NO_INFO = {"khong co thong tin", "khong co", "khong", "khong quy dinh", "khong co quy dinh", "--", "-", "n/a"}
_UNITS = {"working_days": ("working_days", 1), "days": ("days", 1), "hours": ("hours", 1),
          "months": ("months", 1), "years": ("months", 12)}


# --------------------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------------------


@dataclass
class ImportReport:
    """What one import did. Paths are relative to the repository root when inside it."""

    source: str = ""
    read: int = 0  # records read (well-formed lines)
    selected: int = 0  # records that passed the --level/--field filters (before --limit)
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped_edited: list[str] = field(default_factory=list)  # edited since imported; kept
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (record, why) not imported at all
    problems: dict[str, list[str]] = field(default_factory=dict)  # record -> warnings
    malformed: list[tuple[int, str]] = field(default_factory=list)  # (line, why)
    notes: list[str] = field(default_factory=list)  # general remarks (e.g. OUT outside procedures/)

    def warn(self, record: str, message: str) -> None:
        self.problems.setdefault(record, []).append(message)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)

    def summary(self) -> str:
        lines = [f"Nhập thủ tục hành chính từ {self.source or 'dữ liệu'}: đọc {self.read} bản ghi, "
                 f"{self.selected} bản ghi phù hợp bộ lọc."]
        lines += [
            f"  Tạo mới:                         {len(self.created)}",
            f"  Cập nhật:                        {len(self.updated)}",
            f"  Không đổi:                       {len(self.unchanged)}",
            f"  Bỏ qua vì đã bị sửa sau khi nhập: {len(self.skipped_edited)}"
            + (" (dùng --force để ghi đè)" if self.skipped_edited else ""),
            f"  Không nhập được:                 {len(self.skipped)}",
            f"  Bản ghi có vấn đề:               {len(self.problems)}",
            f"  Dòng JSON lỗi:                   {len(self.malformed)}",
        ]
        return "\n".join(lines)

    def details(self) -> str:
        out: list[str] = []
        for note in self.notes:
            out.append(f"Lưu ý: {note}")
        for line, why in self.malformed:
            out.append(f"dòng {line}: {why}")
        for path in self.skipped_edited:
            out.append(f"{path}: tệp đã bị sửa sau lần nhập trước, không ghi đè (dùng --force để ghi đè)")
        for record, why in self.skipped:
            out.append(f"{record}: không nhập: {why}")
        for record in sorted(self.problems):
            for message in self.problems[record]:
                out.append(f"{record}: {message}")
        return "\n".join(out)

    def as_text(self) -> str:
        """Details first and the summary last, where a terminal leaves it in view."""
        details = self.details()
        return ("Chi tiết:\n" + details + "\n\n" if details else "") + self.summary() + "\n"


def read_jsonl(path: Path, report: ImportReport) -> Iterator[tuple[str, dict]]:
    """Records of a JSON Lines file as ``(label, record)``; bad lines go to ``report.malformed``."""
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            if not raw.strip():
                continue
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                report.malformed.append((number, "không phải mã UTF-8"))
                continue
            try:
                record = json.loads(text)
            except ValueError as error:
                report.malformed.append((number, f"JSON không hợp lệ ({getattr(error, 'msg', error)}, "
                                                 f"cột {getattr(error, 'colno', '?')})"))
                continue
            if not isinstance(record, dict):
                report.malformed.append((number, "mỗi dòng phải là một đối tượng JSON {…}"))
                continue
            yield f"dòng {number}", record


# --------------------------------------------------------------------------------------------------
# Import
# --------------------------------------------------------------------------------------------------


def import_records(records: Iterable[dict], out: Path, *, level: str | None = None, field: str | None = None,
                   limit: int | None = None, force: bool = False, repo_root: Path,
                   procedures_dir: str = "procedures") -> ImportReport:
    """Turn national-database records into draft procedure files under ``out``."""
    report = ImportReport()
    items = ((f"bản ghi {i}", r) for i, r in enumerate(records, start=1))
    return _import(items, Path(out), report, level=level, field=field, limit=limit, force=force,
                   repo_root=Path(repo_root), procedures_dir=procedures_dir)


def _import(items: Iterable[tuple[str, Any]], out: Path, report: ImportReport, *, level: str | None,
            field: str | None, limit: int | None, force: bool, repo_root: Path,
            procedures_dir: str) -> ImportReport:
    from eiso.documents.checks import check_document
    from eiso.documents.loader import parse_document

    root = repo_root.resolve()
    out = out.resolve()
    level_wanted = _canonical_level(level) if level else None
    field_wanted = fold(_line(field)) if field else None
    procedures = (root / procedures_dir).resolve()
    if not _inside(out, procedures):
        report.notes.append(f"thư mục đích {out} nằm ngoài thư mục {procedures_dir}/ của kho: "
                            "các tệp sẽ không được kiểm tra và xuất bản")
    manifest_path = out / MANIFEST_NAME
    stored = _read_manifest(manifest_path, report)
    manifest = stored.files
    others = _other_documents(root, procedures_dir)
    seen_codes: dict[str, str] = {}
    written = 0
    for label, record in items:
        if not isinstance(record, dict):
            report.skipped.append((label, "không phải đối tượng JSON {…}"))
            continue
        report.read += 1
        if level_wanted and not _level_matches(record.get("level"), level_wanted):
            continue
        if field_wanted and fold(_line(record.get("field"))) != field_wanted:
            continue
        report.selected += 1
        if limit is not None and written >= limit:
            continue
        national = _line(record.get("code"))
        who = national or label
        if not national:
            report.skipped.append((label, "thiếu mã thủ tục (code)"))
            continue
        if not re.fullmatch(r"[0-9A-Za-z][0-9A-Za-z.\-]{0,40}", national):
            report.skipped.append((label, f"mã thủ tục «{national[:40]}» không hợp lệ"))
            continue
        key = slugify(national)
        if key in seen_codes:
            report.skipped.append((who, f"trùng mã thủ tục với {seen_codes[key]}"))
            continue
        seen_codes[key] = label
        warnings: list[str] = []
        try:
            draft = build_document(record, level=level_wanted, warnings=warnings)
        except Exception as error:  # never let one record stop the import
            report.skipped.append((who, f"không xử lý được bản ghi ({type(error).__name__}: {error})"))
            continue
        for message in warnings:
            report.warn(who, message)
        if draft is None:
            report.skipped.append((who, "thiếu tên thủ tục (name)"))
            continue
        rel_out = draft.folder + "/" + draft.filename
        target = out / rel_out
        shown = _shown_path(target, root)
        conflict = others.get(("code", slugify(draft.code))) or others.get(("national", fold(national)))
        if conflict and conflict.resolve() != target.resolve():
            report.skipped.append((who, f"đã có tài liệu cho thủ tục này ở {_shown_path(conflict, root)}"))
            continue
        # Check exactly what will be written, with the real loader and checks.
        doc, findings = parse_document(shown, draft.text)
        if doc is not None:
            findings = findings + check_document(doc, root)
        if doc is None or findings:
            first = "; ".join(f"{f.field}: {f.message}" for f in findings[:3]) or "không đọc lại được"
            report.skipped.append((who, f"tệp tạo ra không đạt kiểm tra ({first})"))
            continue
        if not _inside(target, out):  # a linked folder under OUT must not send files elsewhere
            report.skipped.append((who, f"{shown} trỏ ra ngoài thư mục đích (liên kết tượng trưng)"))
            continue
        written += 1
        data = draft.text.encode("utf-8")
        digest = hashlib.sha256(data).hexdigest()
        if target.is_file():
            current = target.read_bytes()
            if current == data:
                report.unchanged.append(shown)
                manifest[rel_out] = digest
                stored.imported[rel_out] = Baseline(facts(draft.meta), level_wanted)
                continue
            if manifest.get(rel_out) != hashlib.sha256(current).hexdigest() and not force:
                report.skipped_edited.append(shown)
                continue
            _write(target, data)
            report.updated.append(shown)
        else:
            _write(target, data)
            report.created.append(shown)
        manifest[rel_out] = digest
        stored.imported[rel_out] = Baseline(facts(draft.meta), level_wanted)
    if manifest or manifest_path.exists():
        write_manifest(manifest_path, stored)
    return report


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".eiso-tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


def _read_manifest(path: Path, report: ImportReport) -> Manifest:
    try:
        return read_manifest(path)
    except ManifestError:
        report.notes.append(f"không đọc được {path.name}; coi như mọi tệp đã có đều đã bị sửa")
        return Manifest()


def _other_documents(root: Path, procedures_dir: str) -> dict:
    """Codes and national codes of documents the import must not duplicate, and their paths."""
    from eiso.documents.loader import load_corpus

    if not (root / procedures_dir).is_dir():
        return {}
    corpus = load_corpus(root, procedures_dir)
    found: dict[tuple[str, str], Path] = {}
    for doc in corpus.documents:
        path = root / doc.path
        found.setdefault(("code", doc.slug), path)
        if doc.meta.tthc is not None:
            found.setdefault(("national", fold(doc.meta.tthc.national_code)), path)
    return found


def _shown_path(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder)
        return True
    except ValueError:
        return False


def _canonical_level(level: str) -> str:
    text = _line(level)
    for known in _CANONICAL_LEVELS:
        if fold(known) == fold(text):
            return known
    return text


def _level_matches(levels: Any, wanted: str) -> bool:
    parts = [fold(p) for p in _line(levels).split(",")]
    want = fold(wanted)
    return any(want in part for part in parts if part)


# --------------------------------------------------------------------------------------------------
# One record -> one document
# --------------------------------------------------------------------------------------------------


@dataclass
class Draft:
    code: str
    folder: str
    filename: str
    meta: dict
    body: str

    @cached_property
    def text(self) -> str:
        return render_document(self.meta, self.body)


def document_code(national_code: str) -> str:
    """``1.001193`` -> ``QT-TTHC-1.001193`` (slug ``qt-tthc-1-001193``): stable and unique per national code."""
    return CODE_PREFIX + national_code


def build_document(record: dict, *, level: str | None = None, warnings: list[str] | None = None) -> Draft | None:
    """The front matter and body of one record; ``None`` when it has no name. Problems go to ``warnings``."""
    warn = warnings.append if warnings is not None else (lambda message: None)
    national = _line(record.get("code"))
    title = _strip_marker(_value(record.get("name")))
    if not national or not title:
        return None
    code = document_code(national)
    own_agency = agency = _value(record.get("agency"))
    if not agency:
        agency = _value(record.get("competent_agency"))
        if agency:
            warn("thiếu cơ quan thực hiện; dùng cơ quan có thẩm quyền")
    field_name = _value(record.get("field"))
    if not field_name:
        warn("thiếu lĩnh vực")
    record_level = ", ".join(dict.fromkeys(_canonical_level(p) for p in _line(record.get("level")).split(",")
                                            if p.strip()))
    final_level = level or record_level
    if not final_level:
        warn("thiếu cấp thực hiện")
        final_level = "Chưa xác định"
    if not agency and final_level == "Cấp xã":
        agency = COMMUNE_AGENCY
        warn(f"thiếu cơ quan thực hiện; dùng «{COMMUNE_AGENCY}» theo cấp thực hiện")
    channels = clean_channels(_as_list(record, "channels", warn), warn)
    dossier, dossier_notes = clean_dossier(_as_list(record, "dossier", warn), warn)
    dossier_text = _value(record.get("dossier_text"), multiline=True)
    if not dossier and _meaningful(dossier_text):
        warn("không tách được thành phần hồ sơ; văn bản gốc được đưa vào phần nội dung để hoàn thiện")
    legal, legal_leftover = clean_legal_basis(record, warn)
    steps = draft_steps(channels, agency)
    if any("time" in c for c in channels) and "time" not in steps[0]:
        warn("thời hạn giải quyết của các cách thức khác loại đơn vị; bảng các bước không ghi thời gian")
    tthc: dict[str, Any] = {"national_code": national}
    decision = _clean_decision(_line(record.get("decision")))
    if decision:
        tthc["decision"] = decision
    tthc["level"] = final_level
    tthc["applicants"] = _value(record.get("applicants"))
    tthc["agency"] = agency or "Chưa xác định"
    if not agency:
        warn("thiếu cơ quan thực hiện")
    tthc["result"] = _strip_marker(_value(record.get("result")))
    conditions = _value(record.get("conditions_text"), multiline=True)
    if conditions:
        tthc["conditions"] = conditions
    tthc["channels"] = channels
    tthc["dossier"] = dossier
    meta: dict[str, Any] = {
        "code": code,
        "title": title,
        "kind": "tthc",
        "unit": own_agency or FRONT_DESK,
        **({"field": field_name} if field_name else {}),
        "revision": 1,
        "status": "draft",
        "audience": "public",
        "legal_basis": legal,
        "tthc": {k: v for k, v in tthc.items() if v not in ("", None)},
        "steps": steps,
    }
    if not legal:
        del meta["legal_basis"]
    body = render_body(record, meta, legal_leftover, dossier_notes,
                       dossier_text if not dossier and _meaningful(dossier_text) else "")
    return Draft(code, slugify(field_name) or "khac", f"{slugify(code)}.md", meta, body)


def render_document(meta: dict, body: str) -> str:
    header = yaml.dump(meta, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1000,
                       default_flow_style=False)
    return f"---\n{header}---\n\n{body}"


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """``yaml.safe_dump`` with multi-line text as readable ``|`` blocks (still only safe types).

    libyaml's emitter is used when PyYAML has it, as the loader does: it is ten times faster.
    """


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _represent_str)


# --------------------------------------------------------------------------------------------------
# Cleaning values
# --------------------------------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2060-\u2064\ufeff\ufff9-\ufffb]")
_SPACES = re.compile(r"[ \t\xa0\u2000-\u200a\u202f\u205f\u3000]+")
_HEADER_DOSSIER = re.compile(r"Tên giấy tờ\s*Mẫu đơn,\s*tờ khai\s*Số lượng")
_HEADER_LEGAL = re.compile(r"^\s*Tên văn bản pháp lý\s*Mã văn bản")
_MARKER = re.compile(r"^(?:[-+*•·–—>]+\s*|\(?[a-zđ]\)\s+|\((?:[ivx]+|\d{1,2})\)\s*|[ivx]+[.)]\s+|\d{1,2}[.)](?!\d)\s*)+",
                     re.IGNORECASE)
_TRAILING = re.compile(r"[\s;,.:(\-–—]+$")


def _text(value: Any) -> str:
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
    return _CONTROL.sub("", text)


def _line(value: Any) -> str:
    """One line of clean text."""
    return _SPACES.sub(" ", _text(value).replace("\n", " ")).strip()


def _value(value: Any, multiline: bool = False) -> str:
    """Clean text, with "Không có thông tin" and similar placeholders as empty."""
    if multiline:
        lines = [_SPACES.sub(" ", line).strip() for line in _text(value).split("\n")]
        text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    else:
        text = _line(value)
    text = re.sub(r"^Không có thông tin\s*", "", text, flags=re.IGNORECASE).strip()
    return "" if _no_info(text) else text


def _no_info(text: str) -> bool:
    """"Không có thông tin", "Không", "--" and other placeholders for a missing value."""
    return len(text) <= 30 and fold(text).strip(" .;:") in _NO_INFO


def _meaningful(text: str) -> bool:
    return len(re.sub(r"[\W\d_]+", "", text)) >= 10


def _strip_marker(text: str) -> str:
    """Without list markers and numbering in front and stray punctuation behind."""
    text = _MARKER.sub("", text).strip()
    return _TRAILING.sub("", text).strip()


def _as_list(record: dict, key: str, warn) -> list:
    value = record.get(key)
    if value is None:
        return []
    if isinstance(value, list):
        return value
    warn(f"trường {key} không phải danh sách, bị bỏ qua")
    return []


def _clean_decision(text: str) -> str:
    text = re.sub(r"^(?:Quyết định|QĐ)\s*(?:số)?\s*:?\s*(?=\d)", "", text, flags=re.IGNORECASE)
    return text.strip()


def clean_channels(items: list, warn) -> list[dict]:
    """Channels with time ``{value, unit}`` in model units and the fee; at least one channel."""
    channels: list[dict] = []
    for index, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            warn(f"cách thức thực hiện thứ {index} không đọc được")
            continue
        name = _strip_marker(_value(item.get("channel")))
        if not name:
            warn(f"cách thức thực hiện thứ {index} không có tên")
            name = "Chưa xác định"
        entry: dict[str, Any] = {"channel": name}
        time = clean_time(item.get("time"))
        time_text = _value(item.get("time_text"))
        if time is not None:
            entry["time"] = time
        elif time_text and not _no_info(time_text):
            warn(f"{name}: không xác định được thời hạn giải quyết từ «{_short(time_text)}»")
        fee = _value(item.get("fee_and_notes"))
        fee = re.sub(r"(?<=\w)\(", " (", fee)
        entry["fee"] = _strip_marker(fee) if fee.startswith(("-", "+", "*")) else fee
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
    if isinstance(number, bool) or not isinstance(number, (int, float)) or unit not in _UNITS:
        return None
    target, factor = _UNITS[unit]
    number = number * factor
    if not number > 0 or number != number or number > 100_000:
        return None
    return {"value": _number(number), "unit": target}


def _number(value: float | Fraction) -> int | float:
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
        raw = _value(item.get("name"))
        parts = _HEADER_DOSSIER.split(raw, maxsplit=1)
        if len(parts) == 2:
            heading, name = _strip_marker(parts[0]), _strip_marker(parts[1])
            if heading and not _no_info(heading) and len(heading.split()) >= 4:
                notes.append(heading)
        else:
            name = _strip_marker(raw)
        if not name or _no_info(name):
            continue
        originals, copies = _count(item.get("originals")), _count(item.get("copies"))
        if originals is None or copies is None:
            warn(f"thành phần hồ sơ «{_short(name)}»: số bản không đọc được, mặc định 1 bản chính")
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


def _short(text: str, size: int = 60) -> str:
    return text if len(text) <= size else text[: size - 1].rstrip() + "…"


# --------------------------------------------------------------------------------------------------
# Legal basis: codes such as 60/2014/QH13, 123/2015/NĐ-CP, 05/2012/QĐ-TTg, 21/2008/TTLT-BQP-BLĐTBXH-BTC
# --------------------------------------------------------------------------------------------------

_UPPER = "A-ZĐƯƠÂĂÊÔ"
_SEGMENT = rf"(?:TTg|[{_UPPER}]+\d{{0,2}})"
_CODE = re.compile(rf"(?<![\d/])(?:\d{{1,3}}\.\d{{1,3}}|\d{{1,4}})/(?:\d{{4}}/)?{_SEGMENT}(?:(?:-\s?|/){_SEGMENT})*(?:\(X\d+\))?")
_GLUED_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(\d{1,3}/\d{4}/)")  # "năm 2011" + "02/2011/QH13"
# A code glued to the next code: "…/QH14" + "51/2019/QH14" (QH takes the legislature's two digits),
# "…/NĐ-CP" + "64/2022/NĐ-CP" (other issuers take none).
_GLUED_CODE = re.compile(rf"(?:(?<=QH\d\d)|(?<=[{_UPPER}])(?<!QH))(?=\d{{1,4}}/\d{{4}}/)")
_GLUE = "\x1f"  # marks a place where two table cells were glued
_SYLLABLE = re.compile(r"^(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnpqrstvx])?[aeiouy]{1,3}"
                       r"(?:ch|ng|nh|[cmnpt])?$")
_DOC_TYPES = ("luat", "bo luat", "nghi dinh", "thong tu", "thong tu lien tich", "quyet dinh", "nghi quyet",
              "phap lenh", "lenh", "chi thi", "van ban hop nhat", "cong van", "hien phap")


def normalize_code(code: str) -> str:
    return re.sub(r"\s+", "", code.replace("–", "-"))


def find_codes(text: str, known: Iterable[str] = ()) -> list[tuple[int, int, str]]:
    """``(start, end, code)`` of each legal document code in ``text``.

    A code glued to the next word (``NĐ-CPSửa đổi``) ends before the capital letter that starts a
    Vietnamese syllable; codes the record already knows win over that guess (``TT-BCAQUY`` -> ``TT-BCA``).
    """
    known_codes = sorted({normalize_code(k) for k in known}, key=len, reverse=True)
    found = []
    for match in _CODE.finditer(text):
        start, end = match.span()
        code = match.group(0)
        normal = normalize_code(code)
        better = next((k for k in known_codes if normal.startswith(k) and len(k) < len(normal)
                       and k.split("/")[0] == normal.split("/")[0]), None)
        if better and normal not in known_codes:
            # Shorten the span to the known code, counting characters of the original text.
            kept = 0
            for index, char in enumerate(code):
                if not char.isspace():
                    kept += 1
                if kept == len(better):
                    end = start + index + 1
                    break
            code = text[start:end]
        elif end < len(text) and code[-1].isupper() and text[end].islower():
            word = re.match(r"[^\W\d_]+", text[end:])
            last = re.split(r"[-/]", code)[-1]
            if word and len(last) >= 3 and _SYLLABLE.match(fold(code[-1] + word.group(0))):
                end -= 1  # "NĐ-CPSửa đổi": the S starts the next title
                code = code[:-1]
        found.append((start, end, normalize_code(code)))
    return found


def split_legal_table(text: str, known: Iterable[str] = ()) -> tuple[list[dict], str]:
    """Split "title code title code …" (a flattened two-column table) into references.

    A code is the code column when it is glued to the text before it (no space), starts a line, or ends
    the text; a code after a space is a mention inside a title (``Luật 54/2014/QH13`` + ``54/2014/QH13``).
    Returns the references and the trailing text that had no code.
    """
    text = _GLUED_YEAR.sub(rf"\1{_GLUE}\2", text)
    text = _GLUED_CODE.sub(_GLUE, text)
    refs: list[dict] = []
    position = 0
    for start, end, code in find_codes(text, known):
        before = text[start - 1] if start > 0 else ""
        title = _tidy_title(text[position:start])
        if not re.search(r"\w", title):
            continue
        after = text[end:end + 2]
        at_end = not text[end:].strip(" .;," + _GLUE)
        glued = before not in (" ", "\t", "")
        # "Nghị định 101/2024/NĐ-CPNghị định …": a new title starts right after the code.
        starts_title = bool(re.match(r"[^\W\d_]", after[:1])) and after[:1].isupper()
        if glued or at_end or starts_title:
            refs.append({"code": code, "title": title})
            position = end
    return refs, _tidy_title(text[position:])


_GLUED_DOC_TYPE = re.compile(r"(?<=[a-zà-ỹđ.)])(?:Bộ luật|Luật|Nghị định|Thông tư(?: liên tịch)?|Quyết định|Nghị quyết|"
                             r"Pháp lệnh|Lệnh)(?:\s*số)?\s*$")
_OTHER_COLUMN = re.compile(r"^(?:Cơ quan thực hiện|Yêu cầu, điều kiện|Kết quả thực hiện|Đối tượng thực hiện)",
                           re.IGNORECASE)


def _tidy_title(text: str) -> str:
    text = text.replace(_GLUE, " ")
    text = _GLUED_DOC_TYPE.sub("", text)  # "…môi trườngLuật số" + "146/2025/QH15": the code's own words
    text = _SPACES.sub(" ", text.replace("\n", " ")).strip()
    text = re.sub(r"^[\s\-–—:;,.)]+", "", text)
    return re.sub(r"[\s\-–—:;,(]+$", "", text).strip()


def _title_without_code(title: str, code: str) -> str:
    """``Luật Hộ tịch số 60/2014/QH13`` -> ``Luật Hộ tịch``; ``Nghị định 82/2015/NĐ-CP`` stays whole."""
    codes = find_codes(title, [code])
    if not codes:
        return title
    start, end, found = codes[-1]
    if found != code or title[end:].strip(" .;,"):
        return title
    rest = re.sub(r"(?:\s+số)?[\s:,\-–]*$", "", title[:start], flags=re.IGNORECASE).strip()
    if not rest or fold(rest) in _DOC_TYPES or len(rest.split()) < 2:
        return title
    return rest


def clean_legal_basis(record: dict, warn) -> tuple[list[dict], str]:
    """References ``{code, title}`` and any text that could not be split (for the body)."""
    items = [i for i in (record.get("legal_basis") or []) if isinstance(i, dict)] \
        if isinstance(record.get("legal_basis"), list) else []
    known = [c for i in items for _, _, c in find_codes(_line(i.get("code")))]
    text = _value(record.get("legal_basis_text"), multiline=True)
    leftover = ""
    refs: list[dict] = []
    if _HEADER_LEGAL.match(text):
        refs, rest = split_legal_table(_HEADER_LEGAL.sub("", text, count=1), known)
        if re.search(r"\w{3}", rest) and not _OTHER_COLUMN.match(rest):
            refs.append({"code": "", "title": rest})
    else:
        for item in items:
            title = _line(item.get("title"))
            raw_code = _line(item.get("code"))
            codes = find_codes(raw_code)
            code = codes[0][2] if codes else ""
            if not code and raw_code:
                if re.fullmatch(r"[\w.\-–/() ]{1,40}", raw_code) and re.search(r"\d", raw_code) and "/" in raw_code:
                    code = raw_code  # an unusual code, such as QĐ/0001-BCA
                elif not title:
                    title = raw_code
            glued = [c for c in find_codes(title) if c[0] > 0 and not title[c[0] - 1].isspace()
                     and title[c[1]:].strip()]
            if glued:  # a flattened table inside one title
                split, rest = split_legal_table(title + (" " + raw_code if raw_code else ""), known)
                refs.extend(split)
                if re.search(r"\w{3}", rest):
                    refs.append({"code": "", "title": rest})
                continue
            refs.append({"code": code, "title": _tidy_title(title)})
        if not items and _meaningful(text):
            leftover = text
            warn("không tách được căn cứ pháp lý; văn bản gốc được đưa vào phần nội dung để hoàn thiện")
    cleaned: list[dict] = []
    seen: set[str] = set()
    for ref in refs:
        code, title = ref["code"], _tidy_title(ref["title"])
        if not code:
            mentioned = find_codes(title)
            if len({c for _, _, c in mentioned}) == 1:
                code = mentioned[0][2]
        if title and code:
            title = _title_without_code(title, code)
        if not title:
            title = code
        if not title or _no_info(title):
            continue
        key = slugify(code) if code else "t:" + fold(title)
        if key in seen:
            continue
        seen.add(key)
        if not code:
            warn(f"căn cứ pháp lý «{_short(title)}» không có số, ký hiệu")
        elif title == code:
            warn(f"căn cứ pháp lý {code} không có trích yếu")
        cleaned.append({"code": code, "title": title} if code else {"title": title})
    return cleaned, leftover


# --------------------------------------------------------------------------------------------------
# Drafted step table
# --------------------------------------------------------------------------------------------------


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
            times = [{"value": _number(part), "unit": unit} for part in parts]
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
# Body: Markdown from untrusted text, with no HTML, no template syntax and no links
# --------------------------------------------------------------------------------------------------

_INLINE_ESCAPES = str.maketrans({**{c: "\\" + c for c in "\\`*_[]"},
                                  "<": "&lt;", "&": "&amp;", "{": "&#123;", "}": "&#125;"})
_LINE_START_ESCAPE = {"#": "\\#", ">": "\\>", "+": "\\+", "-": "\\-", "!": "\\!", "=": "&#61;", "~": "&#126;",
                      ":": "&#58;", "|": "&#124;", ".": "\\."}


def escape_inline(text: str) -> str:
    """Text that Markdown shows as written: no HTML, links, emphasis, attribute lists or template tags."""
    return text.translate(_INLINE_ESCAPES).replace("\\](", "\\]\\(")


def escape_line(text: str) -> str:
    """A whole line of text: also nothing at its start that opens a block (heading, list, quote…)."""
    text = escape_inline(text.strip())
    if not text:
        return text
    numbered = re.match(r"^(\d{1,9})([.)])(\s|$)", text)
    if numbered:
        return numbered.group(1) + "\\" + numbered.group(2) + text[numbered.end(2):] \
            if numbered.group(2) == "." else text
    first = text[0]
    return _LINE_START_ESCAPE.get(first, first) + text[1:]


_BULLET = re.compile(r"^(?:[-+*•·–—]+)\s*(?=\S)")
_STEP_LINE = re.compile(r"^(Bước\s*\d+)\s*[:.)\-–]?\s*(.*)$", re.IGNORECASE)


def markdown_blocks(text: str) -> str:
    """Free text as Markdown paragraphs and lists; "Bước N:" in bold."""
    text = re.sub(r"[ \t]+(?=(?:[+\-]\s*)?Bước\s*\d+\s*[:.])", "\n", text)
    blocks: list[str] = []
    bullets: list[str] = []
    for raw in text.split("\n"):
        line = raw.strip()
        if not line:
            if bullets:
                blocks.append("\n".join(bullets))
                bullets = []
            continue
        bullet = _BULLET.match(line)
        if bullet:
            item = line[bullet.end():]
            step = _STEP_LINE.match(item)
            bullets.append("- " + (f"**{escape_inline(step.group(1))}:** {escape_inline(step.group(2))}".rstrip()
                                   if step else escape_line(item)))
            continue
        if bullets:
            blocks.append("\n".join(bullets))
            bullets = []
        step = _STEP_LINE.match(line)
        if step:
            blocks.append(f"**{escape_inline(step.group(1))}:** {escape_inline(step.group(2))}".rstrip())
        else:
            blocks.append(escape_line(line))
    if bullets:
        blocks.append("\n".join(bullets))
    return "\n\n".join(blocks)


def render_body(record: dict, meta: dict, legal_leftover: str, dossier_notes: list[str], dossier_text: str) -> str:
    tthc = meta["tthc"]
    national = tthc["national_code"]
    applicants = tthc.get("applicants") or "tổ chức, cá nhân"
    sections: list[tuple[str, list[str]]] = [
        ("Mục đích", [escape_line(
            f"Quy định trình tự, trách nhiệm và thời hạn giải quyết thủ tục hành chính «{meta['title']}» "
            f"(mã thủ tục {national} trên Cơ sở dữ liệu quốc gia về thủ tục hành chính), bảo đảm "
            "giải quyết đúng quy định, công khai, minh bạch.")]),
        ("Phạm vi áp dụng", [escape_line(
            f"Áp dụng đối với {applicants} có yêu cầu giải quyết thủ tục; cơ quan thực hiện: "
            f"{tthc['agency']}; cấp thực hiện: {tthc['level']}.")]),
    ]
    # Facts once: the legal basis the front matter holds is shown by the page; the body keeps only
    # what could not be read into it.
    if legal_leftover:
        sections.append(("Văn bản gốc chưa tách được vào căn cứ pháp lý (cần hoàn thiện)",
                         [markdown_blocks(legal_leftover)]))
    elif not meta.get("legal_basis"):
        sections.append(("Căn cứ pháp lý", ["Chưa có thông tin; cần bổ sung."]))
    steps_text = _value(record.get("steps_text"), multiline=True)
    sections.append(("Trình tự thực hiện", [markdown_blocks(steps_text) if steps_text
                                            else "Chưa có thông tin; cần bổ sung."]))
    sections.append(("Yêu cầu, điều kiện", ["Theo mục «Yêu cầu, điều kiện» của thông tin thủ tục hành chính."
                                           if tthc.get("conditions") else "Không có yêu cầu, điều kiện."]))
    if dossier_notes or dossier_text:
        notes = []
        if dossier_text:
            notes += ["Văn bản gốc chưa tách được thành danh sách giấy tờ (cần hoàn thiện):", markdown_blocks(dossier_text)]
        if dossier_notes:
            notes.append("\n".join("- " + escape_line(note) for note in dossier_notes))
        sections.append(("Lưu ý về thành phần hồ sơ", notes))
    parts = [DRAFT_NOTE]
    for number, (title, content) in enumerate(sections, start=1):
        parts += [f"## {number}. {title}", *content]
    return "\n\n".join(part for part in parts if part) + "\n"
