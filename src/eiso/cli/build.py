"""``eiso build`` and ``eiso serve``: the sites, through MkDocs."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from eiso.cli.common import EXIT_FINDINGS, EXIT_OK
from eiso.control.effective import ENV_VAR, parse_as_of
from eiso.project import repo_root

def _mkdocs_config(args: argparse.Namespace):
    config_file = args.config
    if getattr(args, "public", False):
        config_file = str(Path(args.config).with_name("mkdocs.public.yml"))
    repo_root(config_file)
    from mkdocs.config import load_config

    overrides = {"site_dir": args.site_dir} if getattr(args, "site_dir", None) else {}
    return config_file, load_config(config_file, **overrides)


def _setup_logging() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
    logger = logging.getLogger("mkdocs")
    logger.handlers[:] = [handler]
    logger.setLevel(logging.INFO)
    logger.propagate = False


def _set_as_of(args: argparse.Namespace) -> None:
    # The plugin reads the date from the environment, as it does under plain `mkdocs build`.
    value = getattr(args, "as_of", None)
    if value:
        os.environ[ENV_VAR] = parse_as_of(value).isoformat()


def build(args: argparse.Namespace) -> int:
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.exceptions import MkDocsException

    _set_as_of(args)
    _setup_logging()
    try:
        _, config = _mkdocs_config(args)
        config.plugins.on_startup(command="build", dirty=False)
        try:
            mkdocs_build(config)
        finally:
            config.plugins.on_shutdown()
    except MkDocsException as error:
        # MkDocs has already logged the cause; its Abort text itself is English boilerplate.
        detail = "" if "Aborted with" in str(error) else f"\n{error}"
        print(f"eiso: xây dựng thất bại (xem các lỗi ở trên).{detail}", file=sys.stderr)
        return EXIT_FINDINGS
    print(f"Đã xây dựng trang vào {config.site_dir}", file=sys.stderr)
    return EXIT_OK


def serve(args: argparse.Namespace) -> int:
    from mkdocs.commands.serve import serve as mkdocs_serve
    from mkdocs.exceptions import MkDocsException

    _set_as_of(args)
    _setup_logging()
    config_file = str(Path(args.config).with_name("mkdocs.public.yml")) if args.public else args.config
    repo_root(config_file)
    try:
        mkdocs_serve(config_file=config_file, dev_addr=args.dev_addr, livereload=True)
    except MkDocsException as error:
        print(f"eiso: {error}", file=sys.stderr)
        return EXIT_FINDINGS
    return EXIT_OK
