"""Build the prebuilt lunr index of the e-ISO search.

The index is a real lunr index: the ``lunr`` Python package computes every field
vector (BM25 weights, field boosts) with the Vietnamese pipeline of
:mod:`eiso.search.pipeline`. What travels to the browser is that index split into
two *shards* and written compactly:

* ``core``: the fields ``title``, ``bigram``, ``accent`` and ``code`` plus what a
  result shows (location, title, labels). Small; the first search waits for it.
* ``text``: the field ``text`` (page bodies) plus a short excerpt per page. Loaded
  in the background after the core shard; results gain body matches when it lands.

Compact form of a shard (``format: eiso-search-shard/1``)::

    terms   sorted vocabulary of the shard; a term's lunr ``_index`` is its position
    df      per term, lunr's document frequency (postings over *all* fields)
    rows    per field, per term: the documents (refs ``0..n-1``) whose field holds the
            term, delta coded; a document where the term occurs tf > 1 times is
            preceded by -tf. Field lengths are the sums of tf.
    avg     per field, lunr's average field length; n = documents; k1, b, boosts

The browser (``assets/eiso-search-worker.js``) recomputes each weight from these
numbers with lunr's own formula
``idf * (k1 + 1) * tf / (k1 * (1 - b + b * len / avg) + tf) * boost`` rounded to
three decimals (:func:`decode_shard` is the Python twin; the tests check both against
lunr.py's field vectors). It never tokenises a document: it reads the weights into
per-term posting arrays for the ranking, and hands ``lunr.Index.load`` the
serialised index the first time lunr's own API (inverted index, field vectors,
token set) is used.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Sequence

from lunr import __TARGET_JS_VERSION__ as LUNR_JS_VERSION
from lunr.builder import Builder
from lunr.idf import idf as lunr_idf
from lunr.index import Index
from lunr.token import Token
from lunr.token_set import TokenSet
from lunr.vector import Vector

from eiso.search import pipeline as vp

if TYPE_CHECKING:  # pragma: no cover
    from eiso.search.model import SearchEntry

FORMAT = "eiso-search-shard/1"
#: Field boosts, applied inside the field vectors at build time.
BOOSTS: dict[str, float] = {"title": 10, "bigram": 8, "accent": 3, "code": 15, "text": 1}
CORE_FIELDS = ("title", "bigram", "accent", "code")
TEXT_FIELDS = ("text",)
FIELDS = CORE_FIELDS + TEXT_FIELDS
EXCERPT_CHARS = 160
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
_WS = re.compile(r"\s+")


def _utf16(term: str) -> bytes:
    return term.encode("utf-16-be", "surrogatepass")


def check_location(location: str) -> str:
    """A result link must stay inside the site: relative, no scheme, no ``//host`` (``""`` is the home page)."""
    if not isinstance(location, str) or _SCHEME.match(location) or location.startswith(("/", "\\")):
        raise ValueError(f"search entry location must be a site-relative URL, got {location!r}")
    if any(ch in location for ch in " \r\n\t\\<>\"'`") or any(unicodedata.category(ch) == "Cc" for ch in location):
        raise ValueError(f"search entry location has forbidden characters: {location!r}")
    return location


def chip(label: str, value: str) -> str:
    """Text of one label shown in a result: ``Cấp xã`` rather than ``Cấp: Cấp xã``."""
    label, value = _clean(label), _clean(value)
    if not label or vp.fold(vp.normalize(value)).startswith(vp.fold(vp.normalize(label))):
        return value
    return f"{label}: {value}"


def _clean(text: str) -> str:
    return _WS.sub(" ", unicodedata.normalize("NFC", text or "")).strip()


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    text = _clean((text or "")[: limit * 4])
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-") + "…"


def entry_fields(entry: "SearchEntry") -> dict[str, list[str]]:
    """Terms of each field, before lunr's pipeline (which folds all fields but ``accent``)."""
    title_tokens = vp.tokenize(entry.title)
    codes: list[str] = []
    for code in entry.codes:
        codes.extend(vp.tokenize(code))
    return {
        "title": title_tokens,
        "bigram": vp.bigrams(entry.title),
        "accent": [t for t in title_tokens if vp.has_accents(t)],
        "code": codes,
        "text": vp.tokenize(entry.text),
    }


class _Builder(Builder):
    """lunr's Builder, fed with terms already split by our tokenizer.

    ``add_terms`` stores exactly what ``Builder.add`` would store for a list of tokens,
    but runs the pipeline once per distinct term and field instead of once per
    occurrence (2,000 procedures: 1.5 million occurrences, 30,000 distinct terms).
    """

    def __init__(self) -> None:
        super().__init__()
        self.pipeline = vp.make_pipeline(for_index=True)
        self.search_pipeline = vp.make_pipeline(for_index=False)
        self._memo: dict[str, dict[str, list[str]]] = defaultdict(dict)

    def _run(self, raw: str, field_name: str) -> list[str]:
        memo = self._memo[field_name]
        out = memo.get(raw)
        if out is None:
            out = memo[raw] = [str(t) for t in self.pipeline.run([Token(raw.lower(), {})], field_name)]
        return out

    def add_terms(self, doc_ref: str, values: dict[str, list[str]], boost: float = 1) -> None:
        self._documents[doc_ref] = {"boost": boost} if boost != 1 else {}
        self.document_count += 1
        for field_name in self._fields:
            counts: dict[str, int] = defaultdict(int)
            length = 0
            for raw, times in Counter(values.get(field_name, ())).items():
                for term in self._run(raw, field_name):
                    counts[term] += times
                    length += times
            field_ref = f"{field_name}/{doc_ref}"
            self.field_term_frequencies[field_ref] = counts
            self.field_lengths[field_ref] = length
            for term in counts:
                posting = self.inverted_index.get(term)
                if posting is None:
                    posting = {name: {} for name in self._fields}
                    posting["_index"] = self.term_index
                    self.term_index += 1
                    self.inverted_index[term] = posting
                posting[field_name][doc_ref] = _NO_METADATA

    def _create_field_vectors(self) -> None:
        """lunr's computation (same formula, same rounding), without its per-insert search."""
        idf_cache: dict[str, float] = {}
        vectors = {}
        for field_ref, frequencies in self.field_term_frequencies.items():
            field_name, doc_ref = field_ref.split("/", 1)
            if not frequencies:
                vectors[field_ref] = Vector()
                continue
            length = self.field_lengths[field_ref]
            boost = self._fields[field_name].boost * self._documents[doc_ref].get("boost", 1)
            norm = self._k1 * (1 - self._b + self._b * (length / self.average_field_length[field_name]))
            pairs = []
            for term, tf in frequencies.items():
                idf = idf_cache.get(term)
                if idf is None:
                    idf = idf_cache[term] = lunr_idf(self.inverted_index[term], self.document_count)
                score = idf * ((self._k1 + 1) * tf) / (norm + tf) * boost
                pairs.append((self.inverted_index[term]["_index"], round(score, 3)))
            pairs.sort()
            vectors[field_ref] = Vector([x for pair in pairs for x in pair])
        self.field_vectors = vectors


# lunr keeps a metadata dict per (term, field, document); e-ISO stores no metadata, so
# one shared, never-mutated empty dict saves a dict per posting (hundreds of MB at 10,000).
_NO_METADATA: dict = {}


@dataclass
class Doc:
    location: str
    title: str
    chips: list[str]
    excerpt: str


class BuiltIndex:
    """The lunr index of a set of entries, and its shards for the browser."""

    def __init__(self, entries: Sequence["SearchEntry"]):
        ordered = sorted(entries, key=lambda e: (e.location, e.title))
        self.docs = [
            Doc(check_location(e.location), _clean(e.title), [chip(k, v) for k, v in e.meta if _clean(v)], excerpt(e.text))
            for e in ordered
        ]
        builder = _Builder()
        builder.ref("id")
        for name in FIELDS:
            builder.field(name, boost=BOOSTS[name])
        for ref, entry in enumerate(ordered):
            builder.add_terms(str(ref), entry_fields(entry))
        if ordered:
            builder._calculate_average_field_lengths()
        else:
            builder.average_field_length = {name: 0.0 for name in FIELDS}
        self.builder = builder

    # -- the lunr index itself (Python side: tests, reference search) --------------------

    @cached_property
    def index(self) -> Index:
        """The lunr.py index (field vectors computed on first use: the shards do not need them)."""
        b = self.builder
        b._create_field_vectors()
        return Index(
            inverted_index=b.inverted_index,
            field_vectors=b.field_vectors,
            token_set=TokenSet.from_list(sorted(b.inverted_index)),
            fields=list(b._fields),
            pipeline=b.search_pipeline,
        )

    def df(self, term: str) -> int:
        posting = self.builder.inverted_index[term]
        return sum(len(v) for k, v in posting.items() if k != "_index")

    # -- shards ---------------------------------------------------------------------------

    def shard(self, fields: Sequence[str]) -> dict:
        b = self.builder
        n = len(self.docs)
        postings: dict[str, dict[str, list[tuple[int, int]]]] = {name: defaultdict(list) for name in fields}
        for name in fields:
            by_term = postings[name]
            for ref in range(n):
                for term, tf in b.field_term_frequencies[f"{name}/{ref}"].items():
                    by_term[term].append((ref, tf))
        # lunr.js builds its TokenSet from terms in JavaScript (UTF-16) order
        vocab = sorted({t for name in fields for t in postings[name]}, key=_utf16)
        rows: dict[str, list[list[int]]] = {}
        for name in fields:
            per_term = []
            for term in vocab:
                row: list[int] = []
                prev = 0
                for ref, tf in postings[name].get(term, ()):
                    if tf > 1:
                        row.append(-tf)
                    row.append(ref - prev)
                    prev = ref
                per_term.append(row)
            rows[name] = per_term
        shard = {
            "format": FORMAT,
            "lunr": LUNR_JS_VERSION,
            "pipeline": b.search_pipeline.serialize(),
            "fields": list(fields),
            "boosts": {name: BOOSTS[name] for name in fields},
            "k1": b._k1,
            "b": b._b,
            "n": n,
            "avg": {name: b.average_field_length[name] for name in fields},
            "terms": vocab,
            "df": [self.df(t) for t in vocab],
            "rows": rows,
        }
        if "title" in fields:
            shard["docs"] = [[d.location, d.title, d.chips] for d in self.docs]
        if "text" in fields:
            shard["excerpts"] = [d.excerpt for d in self.docs]
        return shard

    def core_shard(self) -> dict:
        return self.shard(CORE_FIELDS)

    def text_shard(self) -> dict:
        return self.shard(TEXT_FIELDS)


def decode_shard(shard: dict) -> dict:
    """The lunr serialised index a shard stands for (the browser does the same in JS).

    Used by tests to check that a shard carries lunr's index without loss.
    """
    import math

    fields = shard["fields"]
    terms = shard["terms"]
    n, k1, b = shard["n"], shard["k1"], shard["b"]
    idf = [math.log(1 + abs((n - df + 0.5) / (df + 0.5))) for df in shard["df"]]
    inverted: dict[str, dict] = {t: {"_index": i, **{f: {} for f in fields}} for i, t in enumerate(terms)}
    vectors = []
    for name in fields:
        boost, avg = shard["boosts"][name], shard["avg"][name]
        entries: list[list[tuple[int, int]]] = [[] for _ in range(n)]
        for ti, row in enumerate(shard["rows"][name]):
            ref, tf = 0, 1
            for value in row:
                if value < 0:
                    tf = -value
                    continue
                ref += value
                entries[ref].append((ti, tf))
                tf = 1
        for ref, pairs in enumerate(entries):
            length = sum(tf for _, tf in pairs)
            elements: list[float] = []
            for ti, tf in pairs:
                score = idf[ti] * ((k1 + 1) * tf) / (k1 * (1 - b + b * (length / avg)) + tf) * boost
                elements += [ti, round(score, 3)]
                inverted[terms[ti]][name][str(ref)] = {}
            vectors.append([f"{name}/{ref}", elements])
    return {
        "version": shard["lunr"],
        "fields": fields,
        "fieldVectors": vectors,
        "invertedIndex": [[t, inverted[t]] for t in terms],
        "pipeline": shard["pipeline"],
    }


__all__ = ["BOOSTS", "BuiltIndex", "CORE_FIELDS", "FIELDS", "TEXT_FIELDS", "check_location", "decode_shard", "entry_fields"]
