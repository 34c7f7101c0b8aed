"""``eiso import docx FILE.docx…``: Word procedures into e-ISO documents, with what a person must check."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from eiso.cli.common import EXIT_FINDINGS, EXIT_OK, UsageError, checked_text
from eiso.documents.model import Kind
from eiso.documents.text import shown
from eiso.importers.docx_import import DocxImport, import_docx
from eiso.project import procedures_dir, repo_root


def add_source(sources: Any) -> None:
    """Register ``docx`` under ``eiso import``."""
    docx = sources.add_parser(
        "docx", help="chuyển quy trình Word (.docx) hiện có thành tài liệu e-ISO",
        description="Mỗi tệp Word thành một tài liệu e-ISO (dự thảo): phần đầu điền những gì nhận dạng được, "
                    "phần còn lại giữ làm nội dung, kèm danh sách những điểm cần kiểm tra. Chạy lại an toàn: "
                    "tệp đã bị sửa không bị ghi đè.")
    docx.add_argument("files", metavar="FILE.docx", nargs="+", help="tệp Word, hoặc thư mục chứa các tệp Word")
    docx.add_argument("--out", metavar="DIR", help="thư mục đích (mặc định: procedures/nhap-word)")
    docx.add_argument("--unit", help="đơn vị chủ trì của các quy trình")
    docx.add_argument("--kind", choices=[k.value for k in Kind], help="loại tài liệu (mặc định: tự nhận dạng)")
    docx.add_argument("--force", action="store_true", help="ghi đè cả những tệp đã bị sửa sau khi nhập")
    docx.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    config = getattr(args, "config", "mkdocs.yml")
    root = repo_root(config)
    out = Path(args.out) if args.out else Path(procedures_dir(config)) / "nhap-word"
    out = out if out.is_absolute() else root / out
    unit = checked_text(args.unit, "--unit (đơn vị chủ trì)") if args.unit is not None else None
    paths = [Path(f) for f in args.files]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise UsageError("không tìm thấy: " + ", ".join(f"«{m}»" for m in missing))
    try:
        outcome = import_docx(paths, out, kind=args.kind, unit=unit, force=args.force, repo_root=root,
                              procedures_dir=procedures_dir(config))
    except OSError as error:
        raise UsageError(f"lỗi đọc/ghi tệp: {error.strerror or error} ({error.filename or ''})") from None
    if not outcome.files:  # an empty folder, or a folder named x.docx: say so rather than "0 tệp", exit 0
        raise UsageError("không có tệp Word (.docx, .doc) nào trong: " + ", ".join(f"«{p}»" for p in args.files))
    sys.stdout.write(summary(outcome, out, root))
    return EXIT_FINDINGS if outcome.failed else EXIT_OK


def summary(outcome: DocxImport, out: Path, root: Path) -> str:
    """A table a secretary can read: file → code, fields recognised, points to check, result."""
    folder = out.relative_to(root).as_posix() if out.is_relative_to(root) else str(out)
    lines = [f"Nhập {len(outcome.files)} tệp Word vào {shown(folder, 300)}:", "",
             "| Tệp Word | Mã hiệu | Tệp e-ISO | Trường nhận dạng | Cần kiểm tra | Kết quả |",
             "|---|---|---|---:|---:|---|"]
    for f in outcome.files:
        lines.append(f"| {shown(f.source, 200)} | {f.code or '—'} | {f.target or '—'} | {f.fields} | {len(f.checks)} | "
                     f"{f.error and 'lỗi: ' + f.error or f.state} |")
    for f in outcome.files:
        if f.checks:
            lines += ["", f"{shown(f.source, 200)} — cần kiểm tra:"] + [f"  - {c}" for c in f.checks]
    failed = len(outcome.failed)
    lines += ["", f"Đã nhập {len(outcome.files) - failed} tệp; {failed} tệp không nhập được."]
    return "\n".join(lines) + "\n"
