"""``eiso import SOURCE``: documents from outside e-ISO (national TTHC data, Word procedures)."""

from __future__ import annotations

import argparse
from typing import Any

from eiso.cli import import_docx, import_tthc
from eiso.cli.common import EXIT_USAGE


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser("import", help="nhập tài liệu từ nguồn dữ liệu bên ngoài")
    sources = parser.add_subparsers(title="nguồn dữ liệu", dest="import_source")
    parser.set_defaults(handler=lambda args: _print_help(parser))
    import_tthc.add_source(sources)
    import_docx.add_source(sources)


def _print_help(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return EXIT_USAGE
