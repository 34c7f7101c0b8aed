"""Read ``records/**/*.md`` into typed records with the documents' loader: same defects, same findings."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eiso.documents.findings import Finding
from eiso.documents.loader import find_sources, folder_outside, parse_front_matter, read_source
from eiso.documents.text import shown
from eiso.records.model import MODELS, Record

_MARKDOWN_SUFFIXES = (".md", ".markdown", ".mdown", ".mkd", ".mkdn")


@dataclass
class RecordSet:
    """Every QMS record of a repository, and what was wrong with the others."""

    root: Path
    records: list[Record] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)


def load_records(root: Path, records_dir: str = "records") -> RecordSet:
    """Every record below ``records_dir``; a missing folder is an empty set (records are optional)."""
    root = root.resolve()
    result = RecordSet(root=root)
    folder = root / records_dir
    if not folder.is_dir():
        return result
    outside = folder_outside(root, records_dir, "hồ sơ")
    if outside is not None:
        result.findings.append(outside)
        return result
    result.findings.extend(misnamed_sources(root, records_dir))
    for source in find_sources(root, records_dir):
        rel = source.relative_to(root).as_posix()
        record, findings = load_record(root, rel)
        result.findings.extend(findings)
        if record is None:
            result.rejected.append(rel)
        else:
            result.records.append(record)
    return result


def misnamed_sources(root: Path, records_dir: str) -> list[Finding]:
    """Markdown files that are not read as records because of their suffix (``.MD``, ``.markdown``).

    Only ``*.md`` is a record; a scan or a spreadsheet beside it is an attachment. A Markdown file under
    another suffix is a record its author expects to see: it is named, not dropped without a word.
    """
    found = []
    for folder, dirs, files in os.walk(root / records_dir):  # os.walk does not enter linked folders
        dirs.sort()
        for name in sorted(files):
            if name.lower().endswith(_MARKDOWN_SUFFIXES) and not name.endswith(".md"):
                rel = shown((Path(folder) / name).relative_to(root).as_posix(), 300)
                found.append(Finding(rel, 1, "-", "tệp không được đọc như hồ sơ: hồ sơ phải có đuôi .md (chữ thường); "
                                     "hãy đổi tên tệp", "path", "warning"))
    return found


def load_record(root: Path, rel: str) -> tuple[Record | None, list[Finding]]:
    source = read_source(root, rel)
    if source.text is None:
        return None, [source.finding] if source.finding else []
    return parse_record(rel, source.text)


def parse_record(rel: str, text: str) -> tuple[Record | None, list[Finding]]:
    parsed = parse_front_matter(rel, text, None, _pick_model)
    if parsed.meta is None:
        return None, parsed.findings
    record = Record(path=rel, meta=parsed.meta, body=parsed.body, body_line=parsed.body_line, lines=parsed.lines)
    return record, parsed.findings


def _pick_model(rel: str, data: dict[str, Any], lines: dict) -> Any:
    kind = data.get("kind")
    model = MODELS.get(kind) if isinstance(kind, str) else None
    if model is not None:
        return model
    if kind is None:
        return [Finding(rel, 2, "kind", "thiếu trường bắt buộc (loại hồ sơ: " + ", ".join(MODELS) + ")", "schema")]
    return [Finding(rel, lines.get(("kind",), 2), "kind",
                    f"loại hồ sơ «{str(kind)[:60]}» không hợp lệ; chỉ chấp nhận: {', '.join(MODELS)}", "schema")]
