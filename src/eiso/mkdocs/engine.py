"""Running the site engine (MkDocs, or ProperDocs, its maintained fork) for the command line.

The command line never imports the engine itself: it calls these two functions, so that moving to
another engine changes this adapter only.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from mkdocs.commands.build import build as engine_build
from mkdocs.config import load_config
from mkdocs.exceptions import MkDocsException

from eiso.errors import EisoError


class BuildFailed(EisoError):
    """The build stopped; the causes were logged as they happened."""


def build_site(config_file: str, site_dir: str | None = None, *, incremental: bool = True) -> str:
    """Build the site of ``config_file``; return the folder it was written to.

    Incremental (the engine's dirty mode, with e-ISO's page cache) when the output folder exists: pages
    whose inputs are unchanged are kept, the result is byte-identical to a clean build.
    """
    _setup_logging()
    try:
        config = load_config(config_file, **({"site_dir": site_dir} if site_dir else {}))
        dirty = incremental and Path(config.site_dir).is_dir()
        config.plugins.on_startup(command="build", dirty=dirty)
        try:
            engine_build(config, dirty=dirty)
        finally:
            config.plugins.on_shutdown()
    except MkDocsException as error:
        # The engine has already logged the cause; its Abort text itself is English boilerplate.
        detail = "" if "Aborted with" in str(error) else f"\n{error}"
        raise BuildFailed(f"xây dựng thất bại (xem các lỗi ở trên).{detail}") from None
    return str(config.site_dir)


def serve_site(config_file: str, dev_addr: str) -> None:
    """Live preview of ``config_file`` until interrupted."""
    from mkdocs.commands.serve import serve as engine_serve  # its server and watcher: not for a build

    _setup_logging()
    try:
        # Dirty: after the first build, an edit re-renders the pages it changes, not the whole site.
        engine_serve(config_file=config_file, dev_addr=dev_addr, livereload=True, build_type="dirty")
    except MkDocsException as error:
        raise BuildFailed(str(error)) from None


def _setup_logging() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
    logger = logging.getLogger("mkdocs")
    logger.handlers[:] = [handler]
    logger.setLevel(logging.INFO)
    logger.propagate = False
