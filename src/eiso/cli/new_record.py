"""``eiso new --kind nonconformity|audit|management_review``: scaffold a QMS record with the next code of the year."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
from pathlib import Path
from zoneinfo import ZoneInfo

from eiso.cli.common import EXIT_OK, UsageError, checked_text, refuse_unloadable
from eiso.documents.loader import find_sources
from eiso.documents.text import slugify
from eiso.importers.files import write_file
from eiso.project import records_dir, repo_root
from eiso.records.loader import load_records, parse_record
from eiso.records.model import CODE_PREFIXES, RecordKind

FOLDERS = {RecordKind.nonconformity: "khong-phu-hop", RecordKind.audit: "danh-gia-noi-bo",
           RecordKind.management_review: "xem-xet-lanh-dao"}
RECORD_KINDS = frozenset(kind.value for kind in RecordKind)


def new_record(args: argparse.Namespace) -> int:
    kind = RecordKind(args.kind)
    title = checked_text(args.title, "tên hồ sơ")
    unit = checked_text(args.unit, "--unit (đơn vị)") if args.unit is not None else None
    root, folder = repo_root(args.config), records_dir(args.config)
    today = dt.datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()
    code = next_record_code(CODE_PREFIXES[kind], today.year, taken_codes(root, folder))
    target = root / folder / str(today.year) / FOLDERS[kind] / f"{slugify(code)}.md"
    rel = target.relative_to(root).as_posix()
    if target.exists():
        raise UsageError(f"tệp «{rel}» đã tồn tại")
    text = scaffold_record(kind, code, title, today, unit)
    refuse_unloadable(rel, text, parse_record, "hồ sơ")
    write_file(target, text, root)  # atomic: a failed write leaves no empty or partial record behind
    print(f"Đã tạo {rel} với mã hồ sơ {code}.")
    return EXIT_OK


def taken_codes(root: Path, folder: str) -> list[str]:
    """Codes of the records that load, and the names of every record file: a file that does not load
    (hand-broken, or left by an older version) still owns its number, or every later ``new`` would hit it."""
    loaded = [r.meta.code for r in load_records(root, folder).records]
    names = [source.stem for source in find_sources(root, folder)] if (root / folder).is_dir() else []
    return loaded + names


def next_record_code(prefix: str, year: int, codes: list[str]) -> str:
    """``NC-2026-04`` after ``NC-2026-03``: numbering restarts each year."""
    pattern = re.compile(rf"^{re.escape(slugify(prefix))}-{year}-(\d+)$")
    numbers = [int(m.group(1)) for code in codes if (m := pattern.match(slugify(code)))]
    return f"{prefix}-{year}-{max(numbers, default=0) + 1:02d}"


def _q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid YAML scalar


def scaffold_record(kind: RecordKind, code: str, title: str, today: dt.date, unit: str | None) -> str:
    day = today.isoformat()
    if kind is RecordKind.nonconformity:
        return f"""---
code: {code}
kind: nonconformity
title: {_q(title)}
source: internal_audit        # internal_audit | external_audit | complaint | process_monitoring
grade: minor                  # major (loại 1) | minor (loại 2) | observation (điểm cần lưu ý)
clause: "10.2"                # điều khoản TCVN ISO 9001:2015
unit: {_q(unit or "")}
documents: []                 # mã các tài liệu liên quan, ví dụ [QT-HT-02]
found: {day}
found_by: {{name: "(Họ và tên)", title: "(Chức vụ)"}}
description: "(Mô tả sự không phù hợp)"
cause: ""
correction: ""
actions: []                   # - {{action: …, owner: …, due: YYYY-MM-DD}}
status: open
---
"""
    if kind is RecordKind.audit:
        return f"""---
code: {code}
kind: audit
title: {_q(title)}
date: {day}
scope:
  units: [{_q(unit) if unit else ""}]
  clauses: []                 # ví dụ ["7.5", "8.5"]
  documents: []               # mã tài liệu được đánh giá
auditors:
  - {{name: "(Họ và tên)", title: "(Chức vụ)"}}
findings: []                  # mã các hồ sơ không phù hợp phát hiện
---
## Kết luận đánh giá

"""
    return f"""---
code: {code}
kind: management_review
title: {_q(title)}
date: {day}
chaired_by: {{name: "(Họ và tên)", title: "(Chức vụ)"}}
participants: []
decisions: []                 # - {{decision: …, owner: …, due: YYYY-MM-DD}}
---
## Đầu vào đã xem xét

Xem trang «Báo cáo đầu vào xem xét của lãnh đạo» trên cổng nội bộ.

## Kết luận

"""
