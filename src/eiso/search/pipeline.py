"""Vietnamese text pipeline of the e-ISO search.

The same rules run at build time (here, through the ``lunr`` Python package) and in
the browser (``assets/eiso-pipeline.js``, through lunr.js); both register their
pipeline functions under the same names, ``eiso-normalize`` and ``eiso-fold``, so an
index serialised here loads there. Keep the two files in step:
``tests/test_search_pipeline.py`` compares their tokens on tricky strings.

Rules, in order:

1. **normalise**: Unicode NFC, lower case, NFC again; hyphen-like dashes
   (U+2010 to U+2013, U+2212) become ``-``.
2. **split** into *compounds*: runs of word characters (Unicode letters, marks and
   numbers) that may be joined by a single ``.``, ``/`` or ``-`` between two word
   characters. ``123/2015/NĐ-CP``, ``QT-HT-01`` and ``1.001193`` stay whole.
3. **tokens** of a compound: the compound itself, then, if it has joiners, its
   ``/``-separated segments that still hold a joiner (``nđ-cp``), then its atoms
   (``123``, ``2015``, ``nđ``, ``cp``); no duplicates within one compound.
4. **fold** (the ``eiso-fold`` pipeline function): decompose, drop non-spacing
   marks, ``đ`` → ``d``, recompose. Fields named in :data:`ACCENT_FIELDS` keep
   their accents.
5. **bigrams**: each pair of consecutive compounds gives a ``first_second`` term
   (``kết_hôn`` → ``ket_hon``), punctuation between them or not: people type
   ``tham dinh bo sung`` for the title ``Thẩm định, bổ sung …``.

There is no stemmer, no stop-word list and no trimmer: Vietnamese syllables are
short and every one of them carries meaning.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Iterable

from lunr.pipeline import Pipeline
from lunr.tokenizer import Tokenizer

#: Names of the lunr pipeline functions, identical in ``assets/eiso-pipeline.js``.
NORMALIZE = "eiso-normalize"
FOLD = "eiso-fold"
#: Index fields that keep accents (``eiso-fold`` leaves their tokens alone).
ACCENT_FIELDS = frozenset({"accent"})
#: Joins the two syllables of a bigram term; never produced by the tokenizer.
BIGRAM_JOINER = "_"

JOINERS = "./-"
_DASHES = ("\u2010", "\u2011", "\u2012", "\u2013", "\u2212")


def _word_ranges(limit: int) -> str:
    """Regex class body of Unicode categories L*, M*, N* below ``limit`` (JS: ``[\\p{L}\\p{M}\\p{N}]``)."""
    ranges: list[tuple[int, int]] = []
    start = None
    for cp in range(limit + 1):
        inside = cp < limit and unicodedata.category(chr(cp))[0] in "LMN"
        if inside and start is None:
            start = cp
        elif not inside and start is not None:
            ranges.append((start, cp - 1))
            start = None

    def esc(cp: int) -> str:
        return f"\\U{cp:08x}"

    return "".join(esc(a) if a == b else f"{esc(a)}-{esc(b)}" for a, b in ranges)


def _compound_pattern(word_class: str) -> re.Pattern[str]:
    word = f"[{word_class}]+"
    return re.compile(f"{word}(?:[{re.escape(JOINERS)}]{word})*")


@lru_cache(maxsize=2)
def _compound_re(astral: bool) -> re.Pattern[str]:
    # A class of BMP characters compiles to a bitmap (fast); one reaching past U+FFFF
    # compiles to a range list, so it is used only for the rare text that needs it.
    return _compound_pattern(_word_ranges(0x110000 if astral else 0x10000))


_ATOM_SPLIT = re.compile(f"[{re.escape(JOINERS)}]")


def normalize(text: str) -> str:
    """NFC, lower case, NFC; dashes become ``-``."""
    text = unicodedata.normalize("NFC", unicodedata.normalize("NFC", text).lower())
    for dash in _DASHES:
        if dash in text:
            text = text.replace(dash, "-")
    return text


@lru_cache(maxsize=200_000)
def fold(term: str) -> str:
    """Remove accents from a normalised term: ``giấy`` → ``giay``, ``đ`` → ``d``."""
    decomposed = unicodedata.normalize("NFD", term)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return unicodedata.normalize("NFC", stripped.replace("đ", "d"))


def has_accents(term: str) -> bool:
    return fold(term) != term


def compounds(text: str) -> list[str]:
    """The compounds of a text, normalised, accents kept."""
    text = normalize(text)
    return _compound_re(bool(text) and max(text) > "\uffff").findall(text)


@lru_cache(maxsize=200_000)
def compound_tokens(compound: str) -> tuple[str, ...]:
    """The tokens of one compound: whole, joined ``/`` segments, atoms."""
    out = [compound]
    if any(j in compound for j in JOINERS):
        if "/" in compound:
            out.extend(seg for seg in compound.split("/") if any(j in seg for j in ".-"))
        out.extend(_ATOM_SPLIT.split(compound))
    return tuple(dict.fromkeys(out))


def tokenize(text: str) -> list[str]:
    """Normalised tokens of a text (accents kept; ``eiso-fold`` removes them later)."""
    text = normalize(text)
    found = _compound_re(bool(text) and max(text) > "\uffff").findall(text)
    if not any(j in text for j in JOINERS):
        return found
    tokens: list[str] = []
    for compound in found:
        if "." in compound or "/" in compound or "-" in compound:
            tokens.extend(compound_tokens(compound))
        else:
            tokens.append(compound)
    return tokens


def bigrams(text: str) -> list[str]:
    """``first_second`` terms for each pair of consecutive compounds (accents kept)."""
    parts = compounds(text)
    return [f"{parts[i - 1]}{BIGRAM_JOINER}{parts[i]}" for i in range(1, len(parts))]


def analyze(text: str) -> list[str]:
    """Tokens as the index stores them in accent-folded fields."""
    return [fold(t) for t in tokenize(text)]


# --- lunr pipeline functions -------------------------------------------------------------


def _only_accent_fields(metadata: dict | None) -> bool:
    fields = (metadata or {}).get("fields")
    return bool(fields) and all(f in ACCENT_FIELDS for f in fields)


def eiso_normalize(token, i=None, tokens=None):
    """lunr pipeline function ``eiso-normalize``: NFC + lower case (idempotent)."""
    return token.update(lambda s, metadata=None: normalize(s))


def eiso_fold(token, i=None, tokens=None):
    """lunr pipeline function ``eiso-fold``: remove accents, except in accent fields.

    Index time (lunr.py) skips the accent fields with ``Pipeline.skip``; query time (both
    languages) reads the clause's fields from the token's metadata.
    """
    if _only_accent_fields(token.metadata):
        return token
    return token.update(lambda s, metadata=None: fold(s))


def _register() -> None:
    for fn, label in ((eiso_normalize, NORMALIZE), (eiso_fold, FOLD)):
        if Pipeline.registered_functions.get(label) is not fn:
            Pipeline.register_function(fn, label)


_register()


def make_pipeline(for_index: bool) -> Pipeline:
    pipeline = Pipeline()
    pipeline.add(eiso_normalize, eiso_fold)
    if for_index:
        pipeline.skip(eiso_fold, sorted(ACCENT_FIELDS))
    return pipeline


def run_pipeline(terms: Iterable[str], field: str) -> list[str]:
    """The terms of one field after the index pipeline (what lunr stores)."""
    tokens = Tokenizer(list(terms))
    return [str(t) for t in make_pipeline(True).run(tokens, field)]


__all__ = [
    "ACCENT_FIELDS", "BIGRAM_JOINER", "FOLD", "NORMALIZE", "analyze", "bigrams", "compound_tokens",
    "compounds", "eiso_fold", "eiso_normalize", "fold", "has_accents", "make_pipeline", "normalize",
    "run_pipeline", "tokenize",
]
