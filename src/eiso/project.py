"""The agency's repository as the core sees it: its root and the ``eiso`` plugin's options.

Read from ``mkdocs.yml`` without loading MkDocs, so commands that only check or compare
documents do not pay for the site engine.
"""

from __future__ import annotations

import os
from pathlib import Path

import yaml

from eiso.errors import EisoError


class _LenientLoader(yaml.SafeLoader):
    """Reads mkdocs.yml, whose Material settings use !!python/name tags, without running them."""


_LenientLoader.add_multi_constructor("", lambda loader, suffix, node: None)
_LenientLoader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)


#: Where builds and checks keep what they may reuse next time (git-ignored; see documents/cache.py).
CACHE_DIR = ".eiso-cache"


def documents_cache_path(root: Path) -> Path:
    """The signed cache of parsed documents and of their own check findings."""
    return root / CACHE_DIR / "documents.pickle"


def history_cache_path(root: Path) -> Path:
    """The signed cache of revision facts by git blob id (only builds read history: ``eiso check`` would drop
    them from the documents cache, which keeps only what its last run used)."""
    return root / CACHE_DIR / "history-facts.pickle"


def search_terms_cache_path(root: Path, audience: str) -> Path:
    """The signed cache of each search entry's terms, one per portal (they index different text); not
    per output folder, which ``serve`` makes anew each time."""
    return root / CACHE_DIR / f"search-terms-{'public' if audience == 'public' else 'internal'}.pickle"


def repo_root(config: str | Path) -> Path:
    """The repository root: the folder of the configuration file."""
    path = Path(config)
    if not path.is_file():
        raise EisoError(f"không tìm thấy tệp cấu hình «{config}» (chạy lệnh từ thư mục gốc của kho)")
    return path.resolve().parent


def read_mkdocs_yml(config_file: Path) -> dict:
    """The settings of a mkdocs.yml (without INHERIT), tags ignored; {} if unreadable."""
    try:
        data = yaml.load(config_file.read_text(encoding="utf-8"), Loader=_LenientLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return {}
    return data if isinstance(data, dict) else {}


def plugin_options(config_file: Path) -> dict:
    """The ``eiso`` plugin's options in mkdocs.yml (following INHERIT)."""
    try:
        data = yaml.load(config_file.read_text(encoding="utf-8"), Loader=_LenientLoader) or {}
    except (OSError, yaml.YAMLError) as error:
        raise EisoError(f"không đọc được «{config_file}»: {error}") from None
    options: dict = {}
    if isinstance(data, dict) and isinstance(data.get("INHERIT"), str):
        options.update(plugin_options(config_file.parent / data["INHERIT"]))
    for entry in (data.get("plugins") if isinstance(data, dict) else None) or []:
        if isinstance(entry, dict) and isinstance(entry.get("eiso"), dict):
            options.update(entry["eiso"])
    return options


def records_dir(config_file: str | Path) -> str:
    """The folder of QMS records, relative to the root (``records`` by default)."""
    return str(plugin_options(Path(config_file)).get("records_dir", "records"))


def procedures_dir(config_file: str | Path) -> str:
    """The folder of controlled documents, relative to the root (``procedures`` by default)."""
    return str(plugin_options(Path(config_file)).get("procedures_dir", "procedures"))


def links_out(folder: Path, root: Path) -> list[Path]:
    """Links under ``folder`` (the folder itself included) that point out of it, or out of the repository at
    ``root``: the site engine would read, and publish, whatever they point at. Broken links and link loops
    count as out."""
    if not folder.exists() and not folder.is_symlink():
        return []
    home = _resolved(folder)
    if home is None or not home.is_relative_to(root.resolve()):
        return [folder]
    found = []
    for parent, dirs, names in os.walk(folder):  # os.walk does not enter linked folders: each is looked at here
        for name in dirs + names:
            path = Path(parent, name)
            if path.is_symlink() and ((target := _resolved(path)) is None or not target.is_relative_to(home)):
                found.append(path)
    return sorted(found)


def _resolved(path: Path) -> Path | None:
    try:
        return path.resolve(strict=True)
    except (OSError, RuntimeError):  # broken, or a loop (RuntimeError before Python 3.13)
        return None
