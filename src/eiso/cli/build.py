"""``eiso build`` and ``eiso serve``: the sites, through the engine adapter."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from eiso.cli.common import EXIT_FINDINGS, EXIT_OK
from eiso.control.effective import ENV_VAR, parse_as_of
from eiso.project import repo_root


def _config_file(args: argparse.Namespace) -> str:
    config_file = args.config
    if getattr(args, "public", False):
        config_file = str(Path(args.config).with_name("mkdocs.public.yml"))
    repo_root(config_file)
    return config_file


def _set_as_of(args: argparse.Namespace) -> None:
    # The plugin reads the date from the environment, as it does under plain `mkdocs build`.
    value = getattr(args, "as_of", None)
    if value:
        os.environ[ENV_VAR] = parse_as_of(value).isoformat()


def build(args: argparse.Namespace) -> int:
    from eiso.mkdocs.engine import BuildFailed, build_site

    _set_as_of(args)
    try:
        site_dir = build_site(_config_file(args), getattr(args, "site_dir", None),
                              incremental=not getattr(args, "clean", False))
    except BuildFailed as error:
        print(f"eiso: {error}", file=sys.stderr)
        return EXIT_FINDINGS
    print(f"Đã xây dựng trang vào {site_dir}", file=sys.stderr)
    return EXIT_OK


def serve(args: argparse.Namespace) -> int:
    from eiso.mkdocs.engine import BuildFailed, serve_site

    _set_as_of(args)
    try:
        serve_site(_config_file(args), args.dev_addr)
    except BuildFailed as error:
        print(f"eiso: {error}", file=sys.stderr)
        return EXIT_FINDINGS
    return EXIT_OK
