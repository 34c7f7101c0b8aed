"""What e-ISO turns off or adjusts in the engine and in Material for MkDocs, at run time (never by changing
installed packages): Material's own search indexing, and the live preview's reload script under e-ISO's policy."""

from __future__ import annotations

import logging

from eiso.sites.csp import refresh_csp_meta

log = logging.getLogger("mkdocs.plugins.eiso")


def skip_material_indexing(plugins) -> None:
    # Material's search plugin parses every page to build an index the browser would
    # rebuild at each load; e-ISO replaces that index, so the parsing is wasted time.
    search = plugins["material/search"]
    handlers = plugins.events.get("page_context", [])
    handlers[:] = [h for h in handlers if getattr(h, "__self__", None) is not search]


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
