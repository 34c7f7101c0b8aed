"""Codes of legal documents ("số, ký hiệu"): one key per document however it is spelled.

``123/2015/NĐ-CP``, ``123/2015/ND-CP`` and ``123 / 2015 / NĐ – CP`` name one decree. The importer's
code pattern and normaliser are reused so that the national data and the register agree.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from eiso.documents.text import fold, nfc
from eiso.importers.tthc import find_codes, normalize_code, spelled_code

# Standards are cited beside laws ("TCVN ISO 9001:2015"); their codes have their own shape.
_STANDARD = re.compile(r"^\s*(?:TCVN|QCVN|ISO|IEC)(?:\s|$)")


@lru_cache(maxsize=8192)  # a few hundred laws cited thousands of times: each spelling keyed once per build
def legal_key(code: str) -> str:
    """The comparison key of a code: no spaces, no accents, upper case (``123/2015/ND-CP``)."""
    return fold(normalize_code(nfc(code))).upper()


def canonical_code(code: str) -> str:
    """The code as it should be written: spaces removed, Đ restored in the usual issuer segments."""
    if _STANDARD.match(code):
        return " ".join(nfc(code).split())  # "TCVN ISO 9001:2015" keeps its spaces
    return spelled_code(code)


@lru_cache(maxsize=8192)  # the same citations in thousands of documents, checked at every build
def code_problem(code: str) -> str | None:
    """Why a code is malformed, in Vietnamese; ``None`` when it is well written."""
    text = nfc(code)
    if not text.strip() or _STANDARD.match(text):
        return None
    canonical = canonical_code(text)
    found = find_codes(canonical)
    if not (len(found) == 1 and found[0][0] == 0 and found[0][1] == len(canonical)):
        return f"số, ký hiệu «{text}» không đúng dạng số/năm/ký hiệu (ví dụ 123/2015/NĐ-CP)"
    if canonical != text:
        hidden = any(unicodedata.category(char) in ("Cf", "Cc") for char in text)
        return (f"số, ký hiệu «{text}» viết chưa chuẩn" + (" (có ký tự ẩn, thường do chép từ Word hoặc trang web)"
                                                            if hidden else "") + f"; dạng chuẩn: «{canonical}»")
    return None
