"""Build the province portal's pages into a Material site: a throw-away MkDocs project.

The pages are trusted HTML fragments (``eiso.province.pages``); MkDocs and Material only
give them the theme, the navigation and the assets. No e-ISO plugin runs here: there
is no procedure to load, so every page gets its Content-Security-Policy afterwards.
"""

from __future__ import annotations

import html
import json
import logging
import shutil
import tempfile
from pathlib import Path

import yaml
from mkdocs.plugins import BasePlugin

from eiso.province.pages import PortalPlan
from eiso.sites.csp import add_csp_meta

ASSETS = Path(__file__).resolve().parent.parent / "assets"


def build_portal(plan: PortalPlan, site_dir: Path) -> None:
    """Write the plan as a MkDocs project in a temporary folder and build it into ``site_dir``."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    site_dir = Path(site_dir).resolve()
    with tempfile.TemporaryDirectory(prefix="eiso-province-") as tmp:
        project = Path(tmp)
        docs = project / "docs"
        for page in plan.pages:
            target = docs / page.src_uri
            target.parent.mkdir(parents=True, exist_ok=True)
            # Our own front matter (JSON is YAML): nothing from the agencies' data can set page meta.
            # The theme prints titles without escaping (header, <title>): an agency's name is text.
            hide = ["toc", "navigation"] if page.src_uri != "index.md" else ["toc"]
            meta = json.dumps({"title": html.escape(page.title, quote=False), "hide": hide}, ensure_ascii=False)
            # The body is put in after Markdown (see _Pages): parsing large trusted HTML tables
            # as Markdown cost most of the build.
            target.write_text(f"---\n{meta}\n---\n", encoding="utf-8")
        for uri, content in plan.files.items():
            target = docs / uri
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        assets = docs / "assets" / "eiso"
        assets.mkdir(parents=True)
        for name in ("eiso.css", "eiso.js"):
            shutil.copyfile(ASSETS / name, assets / name)
        config_file = project / "mkdocs.yml"
        config_file.write_text(yaml.safe_dump(_config(plan.title), allow_unicode=True), encoding="utf-8")
        logging.getLogger("mkdocs").setLevel(logging.WARNING)
        config = load_config(str(config_file), site_dir=str(site_dir))
        config.plugins["eiso-province"] = _Pages({page.src_uri: page.html for page in plan.pages})
        config.plugins.on_startup(command="build", dirty=False)
        try:
            build(config)
        finally:
            config.plugins.on_shutdown()
    _add_policies(site_dir)


class _Pages(BasePlugin):
    """Gives each generated page its HTML, instead of what Markdown made of an empty body."""

    def __init__(self, html: dict[str, str]) -> None:
        super().__init__()
        self.html = html

    def on_page_content(self, html: str, *, page, config, files) -> str:  # type: ignore[no-untyped-def]
        return self.html.get(page.file.src_uri, html)


def _config(title: str) -> dict:
    return {
        "site_name": html.escape(title, quote=False),  # printed unescaped by the theme, like page titles
        # No Google Fonts: the pages' policy blocks every outside origin (as on the agencies' portals).
        "theme": {"name": "material", "language": "vi", "features": ["navigation.top"],
                  "palette": {"primary": "indigo"}, "font": False},
        "nav": [{"Tổng quan": "index.md"}, {"Mô hình khung": "khung/index.md"}],
        # Hundreds of agency pages: kept out of every page's navigation (and of the build's time).
        "not_in_nav": "/co-quan/\n/khung/*/\n",
        "plugins": [],
        "extra_css": ["assets/eiso/eiso.css"],
        "extra_javascript": ["assets/eiso/eiso.js"],
        "markdown_extensions": [],
        "use_directory_urls": True,
    }


def _add_policies(site_dir: Path) -> None:
    for page in site_dir.rglob("*.html"):
        page.write_text(add_csp_meta(page.read_text(encoding="utf-8")), encoding="utf-8")
