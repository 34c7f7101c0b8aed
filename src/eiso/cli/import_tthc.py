"""``eiso import tthc FILE.jsonl``: draft TTHC procedures from the national database."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from eiso.cli.common import EXIT_FINDINGS, EXIT_OK, UsageError
from eiso.importers.tthc import ImportReport, read_jsonl, run_import
from eiso.project import procedures_dir, repo_root


def add_source(sources: Any) -> None:
    """Register ``tthc`` under ``eiso import``."""
    tthc = sources.add_parser(
        "tthc", help="tạo dự thảo quy trình TTHC từ dữ liệu thủ tục hành chính quốc gia (JSONL)",
        description="Tạo dự thảo quy trình giải quyết TTHC (status: draft) từ tệp JSONL của Cơ sở dữ liệu "
                    "quốc gia về thủ tục hành chính. Chạy lại nhiều lần an toàn: tệp đã bị sửa không bị ghi đè.",
    )
    tthc.add_argument("file", metavar="FILE.jsonl", help="tệp JSON Lines, mỗi dòng một thủ tục")
    tthc.add_argument("--level", metavar="CẤP", help="chỉ nhập thủ tục thực hiện ở cấp này, ví dụ «Cấp xã»")
    tthc.add_argument("--field", metavar="LĨNH_VỰC", help="chỉ nhập thủ tục thuộc lĩnh vực này, ví dụ «Hộ tịch»")
    tthc.add_argument("--limit", type=int, metavar="N", help="nhập tối đa N thủ tục")
    tthc.add_argument("--out", metavar="THƯ_MỤC",
                      help="thư mục đích, tính từ thư mục gốc của kho (mặc định: thư mục procedures của kho)")
    tthc.add_argument("--force", action="store_true", help="ghi đè cả những tệp đã bị sửa sau khi nhập")
    tthc.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    config = getattr(args, "config", "mkdocs.yml")
    root = repo_root(config)
    if args.limit is not None and args.limit < 1:
        raise UsageError("--limit phải là số nguyên dương")
    procedures = procedures_dir(config)
    out = Path(args.out) if args.out else Path(procedures)
    out = out if out.is_absolute() else root / out
    source = Path(args.file)
    if not source.is_file():
        raise UsageError(f"không tìm thấy tệp dữ liệu «{args.file}»")
    report = ImportReport(source=source.name)
    try:
        items = read_jsonl(source, report)
        run_import(items, out, report, level=args.level, field=args.field, limit=args.limit,
                force=args.force, repo_root=root, procedures_dir=procedures)
    except OSError as error:
        raise UsageError(f"lỗi đọc/ghi tệp: {error.strerror or error} ({error.filename or ''})") from None
    sys.stdout.write(report.as_text())
    nothing = not (report.created or report.updated or report.unchanged or report.skipped_edited)
    # Every line malformed, or every record refused: a pipeline must not read that as success.
    return EXIT_FINDINGS if nothing and (report.malformed or report.skipped) else EXIT_OK
