"""``eiso sync tthc FILE.jsonl [--apply]``: compare imported procedures with newer national records."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from eiso.cli.common import EXIT_FINDINGS, EXIT_OK, UsageError
from eiso.importers.files import write_file
from eiso.importers.sync import SyncReport, sync
from eiso.importers.sync_apply import apply, preview
from eiso.importers.sync_output import as_json, as_markdown, as_text
from eiso.importers.tthc import ImportReport, read_jsonl
from eiso.project import procedures_dir, repo_root


def add_parser(subparsers: Any) -> None:
    """Register ``sync tthc`` on the ``eiso`` sub-command parsers."""
    parser = subparsers.add_parser("sync", help="đồng bộ tài liệu với nguồn dữ liệu bên ngoài")
    sources = parser.add_subparsers(title="nguồn dữ liệu", dest="sync_source")
    parser.set_defaults(handler=lambda args: (parser.print_help(), 2)[1])
    tthc = sources.add_parser(
        "tthc", help="so sánh quy trình TTHC với dữ liệu thủ tục hành chính quốc gia mới (JSONL)",
        description="So sánh ba chiều (đã nhập, địa phương hiện nay, quốc gia hiện nay) từng thông tin của thủ tục. "
                    "Với --apply: nhận các thay đổi quốc gia không bị sửa ở địa phương, nâng lần ban hành, chuyển "
                    "về dự thảo; không bao giờ ghi đè nội dung sửa ở địa phương. Mã thoát 1 khi có việc cần người xử lý.",
    )
    tthc.add_argument("file", metavar="FILE.jsonl", help="tệp JSON Lines của dữ liệu quốc gia, mỗi dòng một thủ tục")
    tthc.add_argument("--apply", action="store_true", help="nhận các thay đổi an toàn và ghi bản tóm tắt cho MR")
    tthc.add_argument("--format", choices=("text", "json"), default="text")
    tthc.add_argument("--level", help="cấp của cơ quan, để tìm thủ tục quốc gia mới (mặc định: cấp đã dùng khi nhập)")
    tthc.add_argument("--summary", metavar="FILE", default="sync-tthc.md",
                      help="với --apply: tệp Markdown tóm tắt cho mô tả MR (mặc định sync-tthc.md; «-» để in ra)")
    tthc.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    root = repo_root(args.config)
    source = Path(args.file)
    if not source.is_file():
        raise UsageError(f"không tìm thấy tệp dữ liệu «{args.file}»")
    lines = ImportReport(source=source.name)
    try:
        # Read whole first: which lines are malformed, and which procedures they seem to hold, is known before
        # any procedure is taken for abolished.
        records = list(read_jsonl(source, lines))
        report = sync(records, root, procedures_dir(args.config), source=source.name, level=args.level,
                      report=SyncReport(source=source.name, malformed=lines.malformed), unreadable=lines.unreadable)
        if not report.national_count:  # an empty or truncated file would make every procedure "abolished"
            raise UsageError(f"tệp dữ liệu quốc gia «{source.name}» không có bản ghi nào đọc được "
                             f"({len(lines.malformed)} dòng lỗi): không so sánh, để khỏi coi mọi thủ tục là đã bị bãi bỏ")
        if args.apply:
            apply(report, root)
        else:
            preview(report, root)
    except OSError as error:
        raise UsageError(f"lỗi đọc/ghi tệp: {error.strerror or error} ({error.filename or ''})") from None
    sys.stdout.write(as_json(report) if args.format == "json" else as_text(report))
    if args.apply:
        summary = as_markdown(report)
        if args.summary == "-":
            if args.format == "text":  # JSON output carries it as "mr_description"
                sys.stdout.write("\n" + summary)
        else:
            target = Path(args.summary)
            target = target if target.is_absolute() else root / target
            write_file(target, summary, root)
            print(f"Đã ghi bản tóm tắt cho mô tả MR vào {args.summary}.", file=sys.stderr)
        return EXIT_FINDINGS if report.needs_person() else EXIT_OK
    return EXIT_FINDINGS if report.needs_person() or report.pending_safe() else EXIT_OK
