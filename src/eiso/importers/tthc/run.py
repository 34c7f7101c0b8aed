"""Running an import: reading JSON Lines, selecting records, writing files safely, the manifest."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator

from eiso.boundedjson import JsonTooDeep, loads
from eiso.documents.text import fold, slugify
from eiso.importers.facts import facts
from eiso.importers.files import write_file
from eiso.importers.manifest import MANIFEST_NAME, Baseline, Manifest, ManifestError, read_manifest, write_manifest
from eiso.importers.national_codes import codes_in_broken_line
from eiso.importers.tthc.clean import canonical_level, one_line
from eiso.importers.tthc.document import build_document




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
    # National code key -> the malformed line that seems to hold its record (see national_codes).
    unreadable: dict[str, int] = field(default_factory=dict)
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
            out.append(f"{self.source}, dòng {line}: {why}" if self.source else f"dòng {line}: {why}")
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
                _remember_codes(report, number, raw.decode("utf-8", "replace"))
                continue
            try:
                record = loads(text)
            except JsonTooDeep as error:
                where = f", từ cột {error.colno}" if error.colno else ""
                report.malformed.append((number, f"{error.msg}{where}; bản ghi bị bỏ qua"))
                _remember_codes(report, number, text)
                continue
            except ValueError as error:
                column = f", cột {error.colno}" if getattr(error, "colno", None) else ""
                report.malformed.append((number, f"JSON không hợp lệ ({getattr(error, 'msg', error)}{column})"))
                _remember_codes(report, number, text)
                continue
            if not isinstance(record, dict):
                report.malformed.append((number, "mỗi dòng phải là một đối tượng JSON {…}"))
                continue
            yield f"dòng {number}", record


def _remember_codes(report: ImportReport, number: int, text: str) -> None:
    for key in codes_in_broken_line(text):
        report.unreadable.setdefault(key, number)


# --------------------------------------------------------------------------------------------------
# Import
# --------------------------------------------------------------------------------------------------


def import_records(records: Iterable[dict], out: Path, *, level: str | None = None, field: str | None = None,
                   limit: int | None = None, force: bool = False, repo_root: Path,
                   procedures_dir: str = "procedures") -> ImportReport:
    """Turn national-database records into draft procedure files under ``out``."""
    report = ImportReport()
    items = ((f"bản ghi {i}", r) for i, r in enumerate(records, start=1))
    return run_import(items, Path(out), report, level=level, field=field, limit=limit, force=force,
                   repo_root=Path(repo_root), procedures_dir=procedures_dir)


def run_import(items: Iterable[tuple[str, Any]], out: Path, report: ImportReport, *, level: str | None,
            field: str | None, limit: int | None, force: bool, repo_root: Path,
            procedures_dir: str) -> ImportReport:
    from eiso.documents.checks import check_document
    from eiso.documents.loader import parse_document

    root = repo_root.resolve()
    out = out.resolve()
    level_wanted = canonical_level(level) if level else None
    field_wanted = fold(one_line(field)) if field else None
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
    # The manifest is written even when a record stops the run: the files already written keep
    # their hashes (their sync baseline), so nothing is left half-imported.
    try:
        for label, record in items:
            if not isinstance(record, dict):
                report.skipped.append((label, "không phải đối tượng JSON {…}"))
                continue
            report.read += 1
            if level_wanted and not _level_matches(record.get("level"), level_wanted):
                continue
            if field_wanted and fold(one_line(record.get("field"))) != field_wanted:
                continue
            report.selected += 1
            if limit is not None and written >= limit:
                continue
            national = one_line(record.get("code"))
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
                write_file(target, data, out)
                report.updated.append(shown)
            else:
                write_file(target, data, out)
                report.created.append(shown)
            manifest[rel_out] = digest
            stored.imported[rel_out] = Baseline(facts(draft.meta), level_wanted)
    finally:
        if manifest or manifest_path.exists():
            write_manifest(manifest_path, stored, out)
    return report


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


def _level_matches(levels: Any, wanted: str) -> bool:
    parts = [fold(p) for p in one_line(levels).split(",")]
    want = fold(wanted)
    return any(want in part for part in parts if part)
