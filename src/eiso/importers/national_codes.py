"""National procedure codes ("mã thủ tục") as keys, however a file writes them.

The national database names a procedure ``1.010028``; the public-service portals show the same
procedure as ``1.010028.000.00.00.H12`` (the procedure code, then the publishing agency's code). A
national file that moves from one form to the other still names the same procedures: compared by
the written text, every procedure would read as abolished and come back as a new one.
"""

from __future__ import annotations

import re

from eiso.documents.text import fold

# The portal's full form: procedure code . 000 . 00 . 00 . agency (H12: a province, G15: a ministry…).
_FULL = re.compile(r"(\d\.\d{6})\.\d{3}\.\d{2}\.\d{2}\.[a-z]\d{2}")
# Invisible characters that survive a copy from a web page or Word and change nothing a person sees.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
# In a line that is not valid JSON: the value of every "code" key, quoted or a bare number.
_CODE_VALUE = re.compile(r'"code"\s*:\s*(?:"((?:[^"\\\n]|\\.){1,64})"|(-?\d[\d.]{0,31}))')


def national_spelling(code: str) -> str:
    """A code as written, folded and trimmed: ``1.001193.000.00.00.H12`` and ``…G15`` stay apart (two agencies
    publish the procedure, each with its own fees), ``1.001193`` and its long form too."""
    return fold(code.translate(_INVISIBLE).strip())


def national_key(code: str) -> str:
    """The comparison key of a national procedure code: folded, trimmed, the portal's full form shortened."""
    key = national_spelling(code)
    full = _FULL.fullmatch(key)
    return full.group(1) if full else key


def is_full_form(code: str) -> bool:
    """The portal's long form, with an agency's code at its end."""
    return _FULL.fullmatch(national_spelling(code)) is not None


def codes_in_broken_line(text: str) -> set[str]:
    """Keys of the codes a line that could not be read as JSON seems to name (a truncated or damaged
    record): its procedure may be there, so it must not be taken for abolished."""
    return {national_key(quoted or number) for quoted, number in _CODE_VALUE.findall(text)}
