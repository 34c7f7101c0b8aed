"""The ``eiso`` command. Every message is Vietnamese and no traceback reaches the user."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from typing import Callable, NoReturn, Sequence

from eiso import __version__

from eiso.cli.common import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, UsageError
from eiso.cli.vietnamese import VietnameseArgumentParser
from eiso.errors import EisoError

__all__ = ["EXIT_FINDINGS", "EXIT_OK", "EXIT_USAGE", "UsageError", "entry", "main"]


def entry() -> NoReturn:
    """The installed command: :func:`main`, then out at once.

    A build leaves millions of objects behind; freeing them one by one at exit takes a sixth of a second
    after a rebuild that took one (the work is saved, the output flushed: nothing is left to do).
    """
    code = main()
    if sys.getprofile() is not None or sys.gettrace() is not None:
        sys.exit(code)  # a profiler or coverage writes its report at a normal exit
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a reader gone (`eiso … | head`), or a closed stream
            pass
    os._exit(code)


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    handler: Callable[[argparse.Namespace], int] | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return EXIT_USAGE
    try:
        return handler(args)
    except EisoError as error:
        print(f"eiso: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # last resort: a message, never a traceback
        print(f"eiso: lỗi không mong đợi ({type(error).__name__}): {error}", file=sys.stderr)
        return EXIT_USAGE


def _parser() -> argparse.ArgumentParser:
    parser = VietnameseArgumentParser(prog="eiso", description="e-ISO: tài liệu hệ thống quản lý chất lượng từ git.")
    parser.add_argument("--version", action="version", version=f"eiso {__version__}", help="hiện số phiên bản rồi thoát")
    parser.add_argument("--config", "-f", default="mkdocs.yml", metavar="TỆP", help="tệp cấu hình MkDocs (mặc định mkdocs.yml)")
    sub = parser.add_subparsers(title="lệnh")

    check = sub.add_parser("check", help="kiểm tra mọi tài liệu")
    check.add_argument("--format", choices=("text", "json", "codequality"), default="text",
                       help="dạng kết quả: văn bản, JSON hoặc GitLab Code Quality (mặc định text)")
    check.add_argument("--against", metavar="PHIÊN_BẢN", help="kiểm tra thêm chính sách thay đổi so với phiên bản này (nhánh, thẻ hoặc commit)")
    check.add_argument("--output", "-o", metavar="TỆP", help="ghi kết quả vào tệp thay vì màn hình")
    check.set_defaults(handler=_lazy("check", "check"))

    build = sub.add_parser("build", help="xây dựng trang nội bộ (hoặc công khai)")
    build.add_argument("--public", action="store_true", help="xây dựng trang công khai (mkdocs.public.yml)")
    build.add_argument("-d", "--site-dir", metavar="THƯ_MỤC", help="thư mục kết quả")
    build.add_argument("--as-of", metavar="YYYY-MM-DD",
                       help="dựng trang như vào ngày này (mặc định: EISO_AS_OF, hoặc hôm nay theo giờ Việt Nam)")
    build.add_argument("--clean", action="store_true",
                       help="xây dựng lại toàn bộ, không dùng lại các trang không đổi của lần trước")
    build.set_defaults(handler=_lazy("build", "build"))

    serve = sub.add_parser("serve", help="xem trước trực tiếp")
    serve.add_argument("--public", action="store_true", help="xem trước trang công khai (mkdocs.public.yml)")
    serve.add_argument("-a", "--dev-addr", default="127.0.0.1:8000", metavar="ĐỊA_CHỈ:CỔNG",
                       help="địa chỉ của máy chủ xem trước (mặc định 127.0.0.1:8000)")
    serve.add_argument("--as-of", metavar="YYYY-MM-DD", help="xem trang như vào ngày này")
    serve.set_defaults(handler=_lazy("build", "serve"))

    from eiso.cli import adopt, diff, importing, new, province, sync

    new.add_parser(sub)
    diff.add_parser(sub)
    importing.add_parser(sub)
    sync.add_parser(sub)
    adopt.add_parser(sub)
    province.add_parser(sub)

    report = sub.add_parser("report", help="báo cáo")
    report.add_argument("name", choices=("review-due", "legal-impact"), metavar="BÁO_CÁO",
                        help="review-due (tài liệu đến hạn xem xét) hoặc legal-impact (ảnh hưởng của văn bản "
                             "pháp luật thay đổi)")
    report.add_argument("codes", nargs="*", metavar="MÃ",
                        help="legal-impact: số, ký hiệu các văn bản pháp luật thay đổi, ví dụ 123/2015/NĐ-CP")
    report.add_argument("--decision", metavar="TỆP",
                        help="legal-impact: danh sách thủ tục của quyết định công bố (CSV/JSON: national_code,change)")
    report.add_argument("--format", choices=("text", "json"), default="text", help="dạng kết quả (mặc định text)")
    report.add_argument("--today", "--as-of", dest="today",
                        help="ngày tính (YYYY-MM-DD); mặc định EISO_AS_OF, hoặc hôm nay theo giờ Việt Nam")
    report.set_defaults(handler=_lazy("report", "report"))
    return parser


def _lazy(module: str, name: str) -> Callable[[argparse.Namespace], int]:
    # Import command code only when used: `eiso check` must not pay for MkDocs.
    def run(args: argparse.Namespace) -> int:
        from importlib import import_module

        return getattr(import_module(f"eiso.cli.{module}"), name)(args)

    return run


if __name__ == "__main__":  # pragma: no cover
    entry()
