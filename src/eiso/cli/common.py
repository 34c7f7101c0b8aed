"""What every sub-command shares: exit codes, the command line's own error and its one-line text arguments."""

from __future__ import annotations

import unicodedata
from typing import Any, Callable

from eiso.documents.text import shown
from eiso.errors import EisoError

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
# Control and format characters, lone surrogates (bytes that are not UTF-8 on the command line) and line
# separators: YAML refuses some, others forge lines or hide text; a one-line field carries none of them.
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
_NONCHARACTERS = frozenset("\ufffe\uffff")  # YAML refuses them too


class UsageError(EisoError):
    """A problem with how the command was called (exit 2)."""


def checked_text(value: str, label: str) -> str:
    """``value`` for a one-line field, or a Vietnamese refusal naming the field ``label``."""
    bad = sorted({ch for ch in value if unicodedata.category(ch) in _REFUSED_CATEGORIES or ch in _NONCHARACTERS})
    if bad:
        listed = ", ".join(f"U+{ord(ch):04X}" for ch in bad[:5])
        raise UsageError(f"{label} «{shown(value)}» chứa ký tự điều khiển, ký tự ẩn hoặc byte không phải UTF-8 "
                         f"({listed}); hãy gõ lại {label} không có các ký tự này. Chưa tạo tệp nào.")
    if not value.strip():
        raise UsageError(f"{label} để trống. Chưa tạo tệp nào.")
    return value.strip()


def refuse_unloadable(rel: str, text: str, parse: Callable[[str, str], tuple[Any, list]], what: str) -> None:
    """What is about to be written must load again with ``parse`` (a document's, a record's): never leave a file
    ``eiso check`` refuses. ``what`` names it in the refusal ("tài liệu", "hồ sơ")."""
    loaded, findings = parse(rel, text)
    if loaded is None:
        reasons = "; ".join(f"{f.field}: {f.message}" for f in findings[:3])
        raise UsageError(f"{what} «{rel}» sẽ không đọc lại được ({shown(reasons, 300)}). Chưa tạo tệp nào.")
