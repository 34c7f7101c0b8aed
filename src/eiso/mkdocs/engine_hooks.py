"""What e-ISO turns off or adjusts in the engine and in Material for MkDocs, at run time (never by changing
installed packages): Material's own search index, the listing of the theme's hidden folders, and the live
preview's reload script under e-ISO's policy."""

from __future__ import annotations

import logging
import os
from typing import Any

import jinja2

from eiso.sites.csp import refresh_csp_meta

log = logging.getLogger("mkdocs.plugins.eiso")


def skip_material_search(plugins) -> None:
    """Material's search plugin reads its language's templates (``config``), parses every page
    (``page_context``) and writes an index (``post_build``) that the browser would rebuild at each load: e-ISO
    writes its own prebuilt index, so those handlers do nothing. The plugin stays, for the theme's search box.
    Handlers are replaced, not removed: the engine may be going through this very list (``config``)."""
    search = plugins["material/search"]
    for event in ("config", "page_context", "post_build"):
        handlers = plugins.events.get(event, [])
        handlers[:] = [_nothing if getattr(handler, "__self__", None) is search else handler for handler in handlers]


def _nothing(*args: Any, **kwargs: Any) -> None:
    return None


def skip_hidden_theme_folders(theme: Any) -> None:
    """The engine lists every file of the theme to copy its assets, then drops those in hidden folders: Material's
    ``.icons`` alone holds some 15,000 files, listed at every build (a tenth of a rebuild). Its environment's loader
    no longer walks into hidden folders; what it lists is what the engine kept of the full listing."""
    get_env = theme.get_env

    def env_listing_visible_folders() -> jinja2.Environment:
        env = get_env()
        loader = env.loader
        if type(loader) is jinja2.FileSystemLoader:  # another loader is left as it is
            loader.list_templates = lambda: _visible_templates(loader)  # type: ignore[method-assign]
        return env

    theme.get_env = env_listing_visible_folders


def _visible_templates(loader: jinja2.FileSystemLoader) -> list[str]:
    # jinja2's FileSystemLoader.list_templates, but for the folders whose name starts with a dot.
    found = set()
    for searchpath in loader.searchpath:
        for dirpath, dirnames, filenames in os.walk(searchpath, followlinks=loader.followlinks):
            dirnames[:] = [name for name in dirnames if not name.startswith(".")]
            for filename in filenames:
                template = os.path.join(dirpath, filename)[len(searchpath):].strip(os.path.sep).replace(os.path.sep, "/")
                found.add(template[2:] if template[:2] == "./" else template)
    return sorted(found)


def allow_reload_script(server) -> None:
    # The dev server injects its reload script into every page it serves, after our
    # policy was written: without this, the policy blocks it and pages never reload.
    inject = getattr(server, "_inject_js_into_html", None)
    if inject is None:  # another MkDocs: no live reload rather than a weaker policy
        log.warning("e-ISO: không bật được tự tải lại trang trong chế độ xem trước (phiên bản MkDocs khác).")
        return

    def inject_allowed(content: bytes, epoch: int) -> bytes:
        return refresh_csp_meta(inject(content, epoch).decode("utf-8")).encode("utf-8")

    server._inject_js_into_html = inject_allowed
