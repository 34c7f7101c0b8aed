"""``eiso province build CONFIG.yml [-d DIR]``: the province's supervision portal."""

from __future__ import annotations

import argparse
from typing import Any


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser = subparsers.add_parser("province", help="cổng giám sát của tỉnh trên dữ liệu công bố của nhiều cơ quan")
    sub = parser.add_subparsers(title="lệnh")
    build = sub.add_parser("build", help="xây dựng cổng giám sát từ tệp cấu hình của tỉnh")
    build.add_argument("province_config", metavar="CONFIG.yml", help="tệp cấu hình: tỉnh, mô hình khung, các cơ quan")
    build.add_argument("-d", "--site-dir", default="site", help="thư mục kết quả (mặc định site)")
    build.set_defaults(handler=run)
    return parser


def run(args: argparse.Namespace) -> int:
    raise NotImplementedError
