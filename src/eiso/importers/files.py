"""Writing the files an import or a sync makes, never through a link.

Git stores symbolic links, so a merge request can leave one where an importer will write (the next
procedure's name, its ``.eiso-tmp`` file, a manifest, ``sync-tthc.md``): writing through it would overwrite a
file anywhere the user can write. Each file is written to a fresh temporary file of its own (created, never
opened through a link) and renamed onto its name; a name, or a folder between it and the folder the command
writes into, that is a link is refused.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from eiso.documents.text import shown
from eiso.errors import EisoError


class LinkedPath(EisoError):
    """Where a file was to be written is, or lies under, a symbolic link."""


def write_file(path: Path, data: bytes | str, base: Path) -> None:
    """Write ``data`` (text as UTF-8) to ``path`` atomically; ``base``: the folder the command writes into
    (it and every folder between it and ``path`` must be real folders)."""
    path, base = Path(os.path.abspath(path)), Path(os.path.abspath(base))
    for part in (path, *path.parents):
        if part.is_symlink():
            raise LinkedPath(f"«{shown(str(part), 300)}» là liên kết tượng trưng: không ghi tệp qua liên kết")
        if part == base or not part.is_relative_to(base):
            break
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name[:40]}.", suffix=".eiso-tmp")
    try:
        os.fchmod(fd, 0o666 & ~_umask())  # as a plain open() would create it (mkstemp makes it private)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
