"""``eiso adopt CODE… | --all [--update]``: adopt framework documents into this agency."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import Any

from eiso.cli.common import EXIT_FINDINGS, EXIT_OK, UsageError
from eiso.documents.adoption import framework_context
from eiso.documents.loader import load_corpus
from eiso.framework import framework_of
from eiso.framework.adopt import adopt, update
from eiso.framework.agency import agency_profile
from eiso.project import plugin_options, procedures_dir, repo_root


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "adopt", help="áp dụng tài liệu của mô hình khung (tạo tệp tại đơn vị) hoặc cập nhật theo khung",
        description="Tạo tệp áp dụng (based_on) cho các tài liệu của mô hình khung, với đơn vị và người ký "
                    "lấy từ mục agency: của mkdocs.yml; với --update, chuyển sang lần ban hành mới nhất của khung "
                    "và tăng lần ban hành của đơn vị, sẵn sàng cho một yêu cầu hợp nhất.",
    )
    parser.add_argument("codes", nargs="*", metavar="CODE", help="mã tài liệu trong mô hình khung (hoặc mã của đơn vị khi --update)")
    parser.add_argument("--all", action="store_true", help="mọi tài liệu hiện hành của mô hình khung")
    parser.add_argument("--update", action="store_true", help="chuyển các tài liệu đã áp dụng sang lần ban hành mới nhất của khung")
    parser.add_argument("--effective", metavar="YYYY-MM-DD", help="ngày hiệu lực (tài liệu tạo ra ở trạng thái hiệu lực thay vì dự thảo; với --update: ngày hiệu lực mới)")
    parser.set_defaults(handler=run)
    return parser


def run(args: argparse.Namespace) -> int:
    if bool(args.codes) == bool(args.all):
        raise UsageError("cần ghi mã tài liệu hoặc --all (không dùng cả hai)")
    root, procedures = repo_root(args.config), procedures_dir(args.config)
    framework = framework_of(args.config)
    if framework is None:
        raise UsageError("mkdocs.yml chưa khai báo «framework:» (đường dẫn kho mô hình khung) trong tùy chọn của eiso")
    if framework.problem:
        raise UsageError(framework.problem)
    with framework_context(framework):
        corpus = load_corpus(root, procedures)
    if args.update:
        codes = args.codes or sorted({doc.meta.code for doc in corpus.documents if doc.adoption})
        result = update(root, corpus, framework, codes, _date(args.effective))
    else:
        result = adopt(root, procedures, corpus, framework, args.codes, agency_profile(plugin_options(Path(args.config))),
                       _date(args.effective))
    for line in result.written:
        print(line)
    for line in result.problems:
        print(f"eiso: {line}", file=sys.stderr)
    if not result.written and not result.problems:
        print("Không có gì để làm: mọi tài liệu của mô hình khung đã được áp dụng.")
    return EXIT_FINDINGS if result.problems else EXIT_OK


def _date(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"ngày «{text}» không hợp lệ, cần dạng YYYY-MM-DD") from None
