"""What every sub-command shares: exit codes, the command line's own error and its one-line text arguments."""

from __future__ import annotations

import unicodedata

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
