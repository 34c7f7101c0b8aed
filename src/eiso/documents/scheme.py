"""Code schemes as the agency's documents use them: the next free code, and where a new file goes.

Every document file counts, valid or not: a draft with a schema error still owns its code,
so two ``eiso new`` in a row never propose the same one.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import PurePosixPath
from pathlib import Path

from eiso.documents import yamlsource
from eiso.documents.loader import find_sources, read_source
from eiso.documents.text import fold, slugify

_NUMBERED = re.compile(r"^(.*?)(\d{1,6})$")
_FRONT = re.compile(r"^---\n(.*?)\n(?:---|\.\.\.)[ \t]*$", re.DOTALL | re.MULTILINE)
MIN_WIDTH = 2


@dataclass(frozen=True)
class Known:
    """What a document file says of itself, whether or not it is valid."""

    path: str  # relative to the procedures folder (posix)
    code: str
    kind: str
    field: str


def known_documents(root: Path, procedures_dir: str = "procedures") -> list[Known]:
    base = root / procedures_dir
    found = []
    for source in find_sources(root, procedures_dir):
        rel = source.relative_to(root).as_posix()
        text = read_source(root, rel).text
        match = _FRONT.match(text) if text else None
        if match is None:
            continue
        try:
            data = yamlsource.load(match.group(1)).data
        except yamlsource.YamlError:
            continue
        if isinstance(data, dict):
            found.append(Known(source.relative_to(base).as_posix(), _text(data.get("code")), _text(data.get("kind")),
                               _text(data.get("field"))))
    return found


def _text(value: object) -> str:
    value = yamlsource.raw_text(value)
    return str(value).strip() if isinstance(value, (str, int, float)) else ""


@dataclass(frozen=True)
class Scheme:
    prefix: str  # e.g. "QT-HTICH-"
    width: int  # digits of the number
    folder: str  # relative to the procedures folder


def scheme_for(known: list[Known], kind: str, field: str | None, default_prefix: str, default_folder: str) -> Scheme:
    """The scheme the documents of ``field`` (else of ``kind``) use, or the defaults for a new one."""
    if field:
        peers = [k for k in known if fold(k.field) == fold(field)]
        fallback_folder = f"{default_folder}/{slugify(field)}" if peers == [] else default_folder
    else:
        peers = [k for k in known if k.kind == kind]
        fallback_folder = default_folder
    numbered = [(m.group(1), len(m.group(2))) for k in peers if (m := _NUMBERED.match(k.code))]
    if not numbered:
        return Scheme(default_prefix, MIN_WIDTH, fallback_folder)
    prefix = _most_common(p for p, _ in numbered)
    width = max(MIN_WIDTH, *(w for p, w in numbered if p == prefix))
    folders = [str(PurePosixPath(k.path).parent) for k in peers if (m := _NUMBERED.match(k.code)) and m.group(1) == prefix]
    folder = _most_common(folders)
    return Scheme(prefix, width, "" if folder == "." else folder)


def _most_common(values) -> str:
    counts = Counter(values)
    # Most used first; ties broken by name, so that the answer does not depend on file order.
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[0][0]


def next_code(scheme: Scheme, known: list[Known]) -> str:
    """One more than the highest number any document has under this prefix (compared as slugs)."""
    wanted = slugify(scheme.prefix)
    numbers = [int(m.group(2)) for k in known if (m := _NUMBERED.match(k.code)) and slugify(m.group(1)) == wanted]
    return f"{scheme.prefix}{max(numbers, default=0) + 1:0{scheme.width}d}"


def file_name(code: str, title: str, limit: int = 80) -> str:
    """``QT-HTICH-14`` + ``Đăng ký lại khai sinh`` -> ``qt-htich-14-dang-ky-lai-khai-sinh.md``."""
    stem = f"{slugify(code)}-{slugify(title)}".strip("-")
    return stem[:limit].rstrip("-") + ".md"
