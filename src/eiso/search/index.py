"""Build the prebuilt lunr index of the e-ISO search.

The index is a real lunr index: the ``lunr`` Python package computes every field
vector (BM25 weights, field boosts) with the Vietnamese pipeline of
:mod:`eiso.search.pipeline`. What travels to the browser is that index cut so that a
query fetches only what it uses (format ``eiso-search/2``):

* the **docs** file: what a result shows (location, title, labels), each field's
  length per document (BM25 needs them), lunr's parameters, and the table of the
  term shards below (the first term of each). The worker fetches it at start.
* **term shards**, in two sets: ``titles`` (fields ``title``, ``bigram``, ``accent``,
  ``code``) and ``bodies`` (field ``text``). A set's vocabulary, sorted, is cut into
  contiguous ranges of about :data:`SHARD_BYTES`; a query loads the shards holding
  its terms (a word being typed: those holding the words it starts) and nothing else.
* the **excerpts** (a short text per page), loaded after the first answer.

Compact form of a term shard::

    terms   its range of the set's sorted vocabulary
    df      per term, lunr's document frequency (postings over *all* fields)
    rows    per field, per term: the documents (refs ``0..n-1``) whose field holds the
            term, delta coded; a document where the term occurs tf > 1 times is
            preceded by -tf.

The browser (``assets/eiso-search-worker.js``) recomputes each weight from these
numbers with lunr's own formula
``idf * (k1 + 1) * tf / (k1 * (1 - b + b * len / avg) + tf) * boost`` rounded to
three decimals (:func:`decode_shards` is the Python twin; the tests check both against
lunr.py's field vectors, and that ``lunr.Index.load`` reads the result).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Callable, Sequence

from lunr import __TARGET_JS_VERSION__ as LUNR_JS_VERSION
from lunr.builder import Builder
from lunr.idf import idf as lunr_idf
from lunr.index import Index
from lunr.token import Token
from lunr.token_set import TokenSet
from lunr.vector import Vector

from eiso.forked import forked_map
from eiso.search import pipeline as vp
from eiso.search.model import StoredEntry, entry_json, plain

from eiso.search.shards import FORMAT, KeptShard, cut, first_term, utf16
from eiso.search.update import Counts, PreviousIndex, updated_postings, updated_shards

if TYPE_CHECKING:  # pragma: no cover
    from eiso.documents.cache import DocumentCache as Memo
    from eiso.search.model import SearchEntry

#: Field boosts, applied inside the field vectors at build time.
BOOSTS: dict[str, float] = {"title": 10, "bigram": 8, "accent": 3, "code": 15, "text": 1}
#: The two sets of term shards, and their fields.
SETS: dict[str, tuple[str, ...]] = {"titles": ("title", "bigram", "accent", "code"), "bodies": ("text",)}
FIELDS = SETS["titles"] + SETS["bodies"]
#: Size of a term shard in JSON (before gzip, which takes it to a quarter or less), per set.
#: Titles: every first answer reads them and each request costs a round trip, so they come in
#: few large files loaded with the docs file (2,000 procedures: one). Bodies: read only for the
#: words of a query, in files small enough that a word's shard is one quick request (about 25).
SHARD_BYTES: dict[str, int] = {"titles": 1024 * 1024, "bodies": 96 * 1024}
EXCERPT_CHARS = 160
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
_WS = re.compile(r"\s+")


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


def entry_fields(entry: "SearchEntry | StoredEntry") -> dict[str, list[str]]:
    """Terms of each field, before lunr's pipeline (which folds all fields but ``accent``)."""
    entry = plain(entry)
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

    def counts(self, values: dict[str, list[str]]) -> dict[str, dict[str, int]]:
        """Per field, the terms lunr's pipeline makes of ``values`` and how often each occurs."""
        out = {}
        for field_name in self._fields:
            counts: dict[str, int] = defaultdict(int)
            for raw, times in Counter(values.get(field_name, ())).items():
                for term in self._run(raw, field_name):
                    counts[term] += times
            out[field_name] = dict(counts)
        return out

    def add_counts(self, doc_ref: str, per_field: dict[str, dict[str, int]], boost: float = 1) -> None:
        """What ``Builder.add`` stores for a document whose terms are ``per_field`` (see :meth:`counts`)."""
        self._documents[doc_ref] = {"boost": boost} if boost != 1 else {}
        self.document_count += 1
        for field_name in self._fields:
            counts = per_field.get(field_name, {})
            field_ref = f"{field_name}/{doc_ref}"
            self.field_term_frequencies[field_ref] = counts
            self.field_lengths[field_ref] = sum(counts.values())
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


TERMS_SCOPE = "search-terms"


def _count_all(builder: _Builder, entries: Sequence["SearchEntry"], names: list[str], memo: "Memo | None",
               parallel: bool, each: Callable[[int, Counts], None]) -> list[str]:
    """``each(ref, counts)`` for every entry in order, and each entry's key in ``memo`` (by its ``names``): an
    unchanged entry's counts from ``memo``, the others counted (tokenising is most of the cost), in two processes
    when ``parallel``. One entry's counts at a time: all of them at once were a tenth of a build's memory."""
    keys = [memo.key_of(name, TERMS_SCOPE) for name in names] if memo is not None else []

    def count(entry: "SearchEntry") -> Counts:
        return builder.counts(entry_fields(entry))

    recalled: dict[int, Counts] = {}  # with ``parallel``: known, or counted in the forked copy
    if parallel:
        known = [memo.recall_key(key) for key in keys] if memo is not None else [None] * len(entries)
        missing = [i for i, found in enumerate(known) if found is None]
        recalled = {i: found for i, found in enumerate(known) if found is not None}
        for i, found in zip(missing, forked_map(count, [entries[i] for i in missing])):
            recalled[i] = found
            if memo is not None:
                memo.store_key(keys[i], found)
    for ref, entry in enumerate(entries):
        found = recalled.pop(ref, None)
        if found is None and memo is not None and not parallel:
            found = memo.recall_key(keys[ref])
        if found is None:
            found = count(entry)
            if memo is not None:
                memo.store_key(keys[ref], found)
        each(ref, found)
    return keys


class _Coder:
    """Each field's coded postings (see the module's docstring), lunr's df per term and each field's length per
    document, from the documents' counts given in order."""

    def __init__(self) -> None:
        self.coded: dict[str, dict[str, list[int]]] = {name: {} for name in FIELDS}
        self.df: dict[str, int] = defaultdict(int)
        self.lengths: dict[str, list[int]] = {name: [] for name in FIELDS}
        self._previous: dict[str, dict[str, int]] = {name: {} for name in FIELDS}

    def add(self, ref: int, counts: Counts) -> None:
        for name in FIELDS:
            found = counts.get(name, {})
            self.lengths[name].append(sum(found.values()))
            rows, previous = self.coded[name], self._previous[name]
            for term, tf in found.items():
                row = rows.get(term)
                if row is None:
                    row = rows[term] = []
                if tf > 1:
                    row.append(-tf)
                row.append(ref - previous.get(term, 0))
                previous[term] = ref
                self.df[term] += 1


def _entry_name(entry: "SearchEntry | StoredEntry") -> str:
    """Everything that decides an entry's terms (a stored entry holds it as it is)."""
    return entry.json() if isinstance(entry, StoredEntry) else entry_json(entry)


# lunr keeps a metadata dict per (term, field, document); e-ISO stores no metadata, so
# one shared, never-mutated empty dict saves a dict per posting (hundreds of MB at 10,000).
_NO_METADATA: dict = {}


@dataclass
class Doc:
    location: str
    title: str
    chips: list[str]
    excerpt: str


def _ordered(entries: Sequence["SearchEntry"]) -> list["SearchEntry"]:
    """By location, then title: titles read only where locations tie (an entry kept from the previous build is
    read from its JSON only when needed)."""
    ordered = sorted(entries, key=lambda e: e.location)
    if any(a.location == b.location for a, b in zip(ordered, ordered[1:])):
        ordered = sorted(entries, key=lambda e: (e.location, e.title))
    return ordered


def _doc(entry: "SearchEntry | StoredEntry") -> Doc:
    entry = plain(entry)
    return Doc(entry.location, _clean(entry.title), [chip(k, v) for k, v in entry.meta if _clean(v)],
               excerpt(entry.text))


class BuiltIndex:
    """The lunr index of a set of entries, and its shards for the browser.

    The shards are made from each entry's term counts directly: lunr's own index (a dict per term and
    field, a vector per document and field) is built only when asked for (:attr:`index`, tests), as it
    takes several times the memory of the counts.
    """

    def __init__(self, entries: Sequence["SearchEntry"], shard_bytes: int | None = None, memo: "Memo | None" = None,
                 parallel: bool = False, previous: "PreviousIndex | None" = None):
        """``memo`` (a :class:`eiso.documents.cache.DocumentCache`): each entry's terms from the
        previous build, reused while the entry is unchanged. ``parallel``: the others are counted in two
        processes (see :mod:`eiso.forked`; only where no other thread runs). ``previous``: the previous build's
        index, changed only where entries changed (:mod:`eiso.search.update`; with ``memo``)."""
        self.entries = _ordered(entries)
        for entry in self.entries:
            check_location(entry.location)
        self.builder = _new_builder()  # the pipelines and lunr's parameters
        self.shard_bytes = shard_bytes
        self._shards: dict[str, list[dict | KeptShard]] = {}
        self._coded: tuple[dict[str, dict[str, list[int]]], dict[str, int]] | None = None
        self._counts: list[dict[str, dict[str, int]]] | None = None
        postings = (updated_postings(self.entries, SETS, memo, _entry_name, self._count, TERMS_SCOPE, previous)
                    if previous is not None and memo is not None and self.entries else None)
        self.postings = postings
        if postings is not None:
            self.lengths, self.keys = postings.lengths, postings.keys
            # An unchanged entry shows what it showed: its row and excerpt as the previous build wrote them.
            self.docs = [Doc(*postings.rows[ref], postings.excerpts[ref]) if ref not in postings.changed else _doc(entry)
                         for ref, entry in enumerate(self.entries)]
        else:
            self.docs = [_doc(entry) for entry in self.entries]
            names = [_entry_name(entry) for entry in self.entries]
            coder = _Coder()
            self.keys = _count_all(self.builder, self.entries, names, memo, parallel, coder.add)
            self._coded, self.lengths = (coder.coded, coder.df), coder.lengths
        n = len(self.docs)
        # lunr's average: the sum of a field's lengths over the documents, divided by their number
        self.average = {name: sum(self.lengths[name]) / n if n else 0.0 for name in FIELDS}

    def _count(self, entry: "SearchEntry") -> dict[str, dict[str, int]]:
        return self.builder.counts(entry_fields(entry))

    @property
    def counts(self) -> list[dict[str, dict[str, int]]]:
        """Each entry's term counts (an index made from the previous one counted only the changed entries)."""
        if self._counts is None:
            self._counts = [self._count(entry) for entry in self.entries]
        return self._counts

    # -- the lunr index itself (Python side: tests, reference search) --------------------

    @cached_property
    def index(self) -> Index:
        """The lunr.py index, built from the same counts."""
        b = _new_builder()
        for ref, counts in enumerate(self.counts):
            b.add_counts(str(ref), counts)
        if self.counts:
            b._calculate_average_field_lengths()
        else:
            b.average_field_length = {name: 0.0 for name in FIELDS}
        b._create_field_vectors()
        return Index(
            inverted_index=b.inverted_index,
            field_vectors=b.field_vectors,
            token_set=TokenSet.from_list(sorted(b.inverted_index)),
            fields=list(b._fields),
            pipeline=b.search_pipeline,
        )

    def df(self, term: str) -> int:
        """lunr's document frequency: the (field, document) pairs holding the term."""
        return self._rows_and_df()[1][term]

    # -- the files of format eiso-search/2 ------------------------------------------------

    def docs_file(self, shard_names: dict[str, list[str]], excerpts_name: str | None) -> dict:
        """The docs file; ``shard_names``: per set, the file names of its term shards in order."""
        b = self.builder
        sets = {}
        for name, fields in SETS.items():
            firsts = [first_term(shard) for shard in self.term_shards(name)]
            sets[name] = {"fields": list(fields), "firsts": firsts, "files": shard_names.get(name, [])}
        return {
            "format": FORMAT,
            "lunr": LUNR_JS_VERSION,
            "pipeline": b.search_pipeline.serialize(),
            "k1": b._k1,
            "b": b._b,
            "n": len(self.docs),
            "boosts": {name: BOOSTS[name] for name in FIELDS},
            "avg": {name: self.average[name] for name in FIELDS},
            "lengths": {name: self.lengths[name] for name in FIELDS},
            "docs": [[d.location, d.title, d.chips] for d in self.docs],
            "sets": sets,
            "excerpts": excerpts_name,
        }

    def excerpts_file(self) -> dict:
        return {"format": FORMAT, "excerpts": [d.excerpt for d in self.docs]}

    def term_shards(self, set_name: str) -> list[dict | KeptShard]:
        """The term shards of a set: its sorted vocabulary cut into ranges of about ``shard_bytes``
        (tests make them small), or the set's own :data:`SHARD_BYTES`; an index made from the previous one
        keeps the shards no changed term falls in (:class:`KeptShard`)."""
        cached = self._shards.get(set_name)
        if cached is None:
            limit = self.shard_bytes or SHARD_BYTES[set_name]
            if self.postings is not None:
                cached = updated_shards(self.postings, set_name, limit)
            else:
                fields = SETS[set_name]
                coded, df = self._rows_and_df()
                vocabulary = sorted({term for name in fields for term in coded[name]}, key=utf16)
                cached = list(cut(vocabulary, fields, coded, df, limit))
            self._shards[set_name] = cached
        return cached

    def _rows_and_df(self) -> tuple[dict[str, dict[str, list[int]]], dict[str, int]]:
        """Per field and term, its coded postings (see the module's docstring); per term, lunr's df."""
        if self._coded is None:
            coder = _Coder()
            for ref, counts in enumerate(self.counts):
                coder.add(ref, counts)
            self._coded = coder.coded, coder.df
        return self._coded


def _new_builder() -> "_Builder":
    builder = _Builder()
    builder.ref("id")
    for name in FIELDS:
        builder.field(name, boost=BOOSTS[name])
    return builder


def decode_shards(docs: dict, shards: Sequence[dict]) -> dict:
    """The lunr serialised index that the term shards of one set stand for (the browser
    does the same in JS). Used by tests to check that the files carry lunr's index without loss.
    """
    import math

    fields = shards[0]["fields"] if shards else []
    terms = [t for shard in shards for t in shard["terms"]]
    dfs = [df for shard in shards for df in shard["df"]]
    n, k1, b = docs["n"], docs["k1"], docs["b"]
    idf = [math.log(1 + abs((n - df + 0.5) / (df + 0.5))) for df in dfs]
    inverted: dict[str, dict] = {t: {"_index": i, **{f: {} for f in fields}} for i, t in enumerate(terms)}
    vectors = []
    for name in fields:
        boost, avg, lengths = docs["boosts"][name], docs["avg"][name], docs["lengths"][name]
        entries: list[list[tuple[int, int]]] = [[] for _ in range(n)]
        rows = [row for shard in shards for row in shard["rows"][name]]
        for ti, row in enumerate(rows):
            ref, tf = 0, 1
            for value in row:
                if value < 0:
                    tf = -value
                    continue
                ref += value
                entries[ref].append((ti, tf))
                tf = 1
        for ref, pairs in enumerate(entries):
            elements: list[float] = []
            for ti, tf in pairs:
                score = idf[ti] * ((k1 + 1) * tf) / (k1 * (1 - b + b * (lengths[ref] / avg)) + tf) * boost
                elements += [ti, round(score, 3)]
                inverted[terms[ti]][name][str(ref)] = {}
            vectors.append([f"{name}/{ref}", elements])
    return {
        "version": docs["lunr"],
        "fields": fields,
        "fieldVectors": vectors,
        "invertedIndex": [[t, inverted[t]] for t in terms],
        "pipeline": docs["pipeline"],
    }


__all__ = ["BOOSTS", "BuiltIndex", "FIELDS", "SETS", "check_location", "decode_shards", "entry_fields"]
