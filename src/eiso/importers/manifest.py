"""``.eiso-import.json``: what ``eiso import tthc`` wrote, and the national facts it imported.

Version 2 keeps, per file (relative to the manifest's folder):

- ``files``: the SHA-256 of the content written, so that a re-import never overwrites an edited file;
- ``imported``: the flat national facts of the record at the last import or sync (the baseline of
  ``eiso sync tthc``), with the ``--level`` the import used;
- ``reported``: what ``eiso sync tthc --apply`` has already reported to a person (conflicts, local
  edits, abolished and new national records), so that the next sync says only what is new.

Version 1 manifests (``files`` only) are read as they are: their documents have no baseline, and
``eiso sync tthc`` says so.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eiso.boundedjson import loads
from eiso.importers.files import write_file

MANIFEST_NAME = ".eiso-import.json"
ABOUT = ("Tệp do «eiso import tthc» và «eiso sync tthc» quản lý: mã băm SHA-256 của nội dung mỗi tệp khi được "
         "nhập (tệp có nội dung khác là đã được sửa và sẽ không bị ghi đè), thông tin thủ tục đã nhập từ dữ liệu "
         "quốc gia (cơ sở để so sánh ba chiều) và những gì lệnh đồng bộ đã báo.")


class ManifestError(Exception):
    """The manifest exists but cannot be read."""


@dataclass
class Baseline:
    facts: dict[str, Any]
    level: str | None = None  # the --level of the import


@dataclass
class Manifest:
    files: dict[str, str] = field(default_factory=dict)
    imported: dict[str, Baseline] = field(default_factory=dict)
    reported: dict[str, dict[str, Any]] = field(default_factory=dict)
    version: int = 2


def read_manifest(path: Path) -> Manifest:
    """The manifest at ``path``; an empty one when there is none. Raises ``ManifestError``."""
    if not path.is_file():
        return Manifest()
    try:
        data = loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ManifestError(str(error)) from None
    if not isinstance(data, dict):
        raise ManifestError("không phải đối tượng JSON")
    files = data.get("files") if isinstance(data.get("files"), dict) else {}
    manifest = Manifest(files={str(k): v for k, v in files.items() if isinstance(v, str)},
                        version=data.get("version") if isinstance(data.get("version"), int) else 1)
    imported = data.get("imported") if isinstance(data.get("imported"), dict) else {}
    for rel, entry in imported.items():
        if isinstance(entry, dict) and isinstance(entry.get("facts"), dict):
            level = entry.get("level")
            manifest.imported[str(rel)] = Baseline(entry["facts"], level if isinstance(level, str) else None)
    reported = data.get("reported") if isinstance(data.get("reported"), dict) else {}
    manifest.reported = {str(k): v for k, v in reported.items() if isinstance(v, dict)}
    return manifest


def manifest_text(manifest: Manifest) -> str:
    data = {
        "about": ABOUT,
        "version": 2,
        "files": dict(sorted(manifest.files.items())),
        "imported": {rel: {"facts": b.facts, **({"level": b.level} if b.level else {})}
                     for rel, b in sorted(manifest.imported.items())},
    }
    if manifest.reported:
        data["reported"] = {k: v for k, v in sorted(manifest.reported.items()) if v}
    return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def write_manifest(path: Path, manifest: Manifest, base: Path) -> None:
    """Write only when the content changes: an identical import changes no byte. ``base``: the folder the
    command writes into (see :func:`eiso.importers.files.write_file`)."""
    text = manifest_text(manifest)
    if path.is_file() and not path.is_symlink() and path.read_text(encoding="utf-8") == text:
        return
    write_file(path, text, base)


def find_manifests(root: Path, procedures_dir: str) -> list[Path]:
    """Every manifest below the procedures folder (imports may use several ``--out`` folders)."""
    found = []
    for folder, dirs, files in os.walk(root / procedures_dir):
        dirs.sort()
        if MANIFEST_NAME in files:
            found.append(Path(folder) / MANIFEST_NAME)
    return found
