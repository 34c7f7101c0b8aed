"""``eiso diff BASE [HEAD]``: the change report of a merge request."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from eiso.cli.common import EXIT_OK, UsageError
from eiso.control.diff import compare
from eiso.control.diff_model import WORKING_TREE
from eiso.control.diff_report import to_json, to_markdown
from eiso.control.gitfiles import head_commit, merge_base, read_snapshot
from eiso.documents.adoption import framework_context
from eiso.framework.pinned import FrameworkChange, framework_at, framework_change
from eiso.project import plugin_options, procedures_dir, repo_root


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "diff", help="liệt kê thay đổi của các tài liệu kiểm soát giữa hai phiên bản (để xem xét yêu cầu hợp nhất)",
        description="So sánh các tài liệu kiểm soát ở phiên bản BASE với HEAD (mặc định: thư mục làm việc). "
                    "BASE được lấy tại điểm rẽ nhánh (merge-base) với HEAD, như trang yêu cầu hợp nhất của GitLab.",
    )
    parser.add_argument("base", metavar="BASE", help="phiên bản gốc: nhánh, thẻ hoặc commit (ví dụ origin/main)")
    parser.add_argument("head", metavar="HEAD", nargs="?", help="phiên bản mới (mặc định: thư mục làm việc)")
    parser.add_argument("--format", choices=("markdown", "json"), default="markdown", help="định dạng kết quả")
    parser.add_argument("--output", "-o", metavar="TỆP", help="ghi kết quả vào tệp thay vì màn hình")
    parser.add_argument("--no-merge-base", action="store_true",
                        help="so sánh trực tiếp với BASE, không lấy điểm rẽ nhánh")
    parser.set_defaults(handler=run)
    return parser


def run(args: argparse.Namespace) -> int:
    root = repo_root(args.config)
    procedures = procedures_dir(args.config)
    base_rev = args.base
    if not getattr(args, "no_merge_base", False):
        other = args.head or head_commit(root)
        if other is not None:
            base_rev = merge_base(root, args.base, other) or args.base
    # Each side is read with the framework it pins (its submodule commit): adopted documents
    # compare as their effective documents, and a framework update shows what it changes.
    option = plugin_options(Path(args.config)).get("framework")
    old_framework, new_framework = framework_at(root, option, base_rev), framework_at(root, option, args.head)
    with framework_context(old_framework):
        base = read_snapshot(root, procedures, base_rev)
    with framework_context(new_framework):
        head = read_snapshot(root, procedures, args.head)
    result = compare(base.documents, head.documents, base.files, head.files, head_unreadable=head.unreadable)
    moved = framework_change(old_framework, new_framework,
                             [d.head for d in result.documents if d.head is not None], head.documents)
    result.base_label = args.base
    result.base_commit = base.commit
    result.head_label = args.head or WORKING_TREE
    result.head_commit = head.commit
    output = to_json(result) if args.format == "json" else to_markdown(result)
    if moved is not None:
        output = _with_framework(output, moved, args.format)
    if args.output:
        try:
            Path(args.output).write_text(output, encoding="utf-8")
        except OSError as error:
            raise UsageError(f"không ghi được tệp «{args.output}»: {error.strerror or error}") from None
    else:
        sys.stdout.write(output)
    return EXIT_OK


def _with_framework(output: str, moved: FrameworkChange, fmt: str) -> str:
    if fmt == "json":
        data = json.loads(output)
        data["framework"] = moved.to_dict()
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    head, sep, rest = output.partition("\n\n")  # after the report's title
    return f"{head}{sep}{moved.to_markdown()}{rest}"
