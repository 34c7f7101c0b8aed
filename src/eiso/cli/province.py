"""``eiso province build CONFIG.yml [-d DIR]``: the province's supervision portal."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from eiso.cli.common import EXIT_FINDINGS, EXIT_OK


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser = subparsers.add_parser("province", help="cổng giám sát của tỉnh trên dữ liệu công bố của nhiều cơ quan")
    sub = parser.add_subparsers(title="lệnh")
    build = sub.add_parser("build", help="xây dựng cổng giám sát từ tệp cấu hình của tỉnh")
    build.add_argument("province_config", metavar="CONFIG.yml", help="tệp cấu hình: tỉnh, mô hình khung, các cơ quan")
    build.add_argument("-d", "--site-dir", default="site", help="thư mục kết quả (mặc định site)")
    build.set_defaults(handler=run)
    return parser


def run(args: argparse.Namespace) -> int:
    from eiso.mkdocs.province import build_portal
    from eiso.province.config import load_province
    from eiso.province.pages import plan_portal
    from eiso.province.report import build_report

    started = time.monotonic()
    report = build_report(load_province(args.province_config))
    build_portal(plan_portal(report), Path(args.site_dir))
    problems = [a for a in report.agencies if a.data.problem]
    if report.framework_problem:
        print(f"eiso: {report.framework_problem}", file=sys.stderr)
    for agency in problems:
        print(f"eiso: {agency.spec.name} ({agency.spec.code}): {agency.data.problem}", file=sys.stderr)
    behind = sum(1 for a in report.agencies if a.behind)
    print(f"Đã xây dựng cổng giám sát vào {args.site_dir}: {len(report.agencies)} cơ quan, "
          f"{len(problems)} thiếu hoặc lỗi dữ liệu, {behind} chậm cập nhật theo khung "
          f"({time.monotonic() - started:.1f} giây).", file=sys.stderr)
    return EXIT_FINDINGS if problems or report.framework_problem else EXIT_OK
