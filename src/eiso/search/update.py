"""The index of a rebuild, made from the previous build's files and the entries that changed since.

After an edit of one page, counting every entry's terms again (or unpickling them from the cache) and coding
every posting is most of what building the index costs. The previous build's files already hold every posting,
coded (the term shards), and each field's length per document (the docs file): a rebuild changes only the postings
of the entries that changed — their old terms out, their new terms in. Only the shards whose range holds such a
term are decoded and cut again, by the full index's rule, until a shard closes where a previous one did
(:mod:`eiso.search.shards`); a shard where only a term's document frequency changed keeps its terms and gets the
new numbers; every other shard is kept as written. So the files are byte-identical to a full build's (the tests
compare them), and an edit of one page reads a few shards, not all.

It applies only when the documents are the same ones at the same places (same locations, in the same order): an
added, removed or renamed page makes a full index. The previous files are read through ``read``, which answers
only for files the previous build wrote and that are unchanged since; the terms of each previous entry come from
the (signed) terms cache, by the key noted for its location.
"""

from __future__ import annotations

import json
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Sequence

from eiso.search.shards import Coded, KeptShard, shard, term_size, utf16

if TYPE_CHECKING:  # pragma: no cover
    from eiso.documents.cache import DocumentCache
    from eiso.search.model import SearchEntry

#: The terms cache's record of what the last index was made of (its docs file, each location's entry key).
STATE = "\0index-state"

Counts = dict[str, dict[str, int]]


@dataclass
class PreviousIndex:
    """What a rebuild knows of the previous build's index."""

    read: Callable[[str], "bytes | None"]  # a search file the previous build wrote, if unchanged since
    reused: frozenset[str] = frozenset()  # locations whose entries are the previous build's, unchanged
    search_dir: str = "search"


@dataclass
class PreviousShards:
    """One set's term shards as the previous build wrote them: each one's first term and bytes."""

    fields: tuple[str, ...]
    firsts: list[str]
    raws: list[bytes]
    keys: list[bytes] = field(init=False)  # the first terms' sort keys

    def __post_init__(self) -> None:
        self.keys = [utf16(first) for first in self.firsts]

    def holding(self, term: str) -> int:
        """The shard whose range holds ``term`` (the first one for a term before every range)."""
        return max(bisect_right(self.keys, utf16(term)) - 1, 0)


@dataclass
class Postings:
    """The coded postings and document frequencies of the terms of the shards an edit touched (and of the terms
    it added), each field's length per document, and the previous shards."""

    coded: Coded
    df: dict[str, int]
    lengths: dict[str, list[int]]
    previous: dict[str, PreviousShards]
    keys: list[str] = field(default_factory=list)  # each entry's key in the terms cache
    changed: set[int] = field(default_factory=set)  # the entries (by place) whose terms changed
    rows: list[list] = field(default_factory=list)  # the previous docs file's row of each entry
    excerpts: list[str] = field(default_factory=list)  # and its excerpt
    rows_changed: dict[str, set[str]] = field(default_factory=dict)  # per set, the terms whose rows changed
    df_changed: set[str] = field(default_factory=set)  # the terms whose document frequency changed
    decoded: dict[str, dict[int, list[str]]] = field(default_factory=dict)  # per set, per shard read: its terms

    def touched(self, set_name: str, rows_only: bool = False) -> set[int]:
        """The set's previous shards whose range holds a term whose rows changed (or its document frequency)."""
        previous = self.previous[set_name]
        terms = self.rows_changed.get(set_name, set()) | (set() if rows_only else self.df_changed)
        return {previous.holding(term) for term in terms} if previous.raws else set()

    def decode(self, set_name: str, number: int) -> list[str]:
        """The terms of a previous shard, its postings added to :attr:`coded` (read once)."""
        decoded = self.decoded.setdefault(set_name, {})
        if number not in decoded:
            previous = self.previous[set_name]
            found = json.loads(previous.raws[number])
            if not isinstance(found, dict) or tuple(found["fields"]) != previous.fields:
                raise ValueError(f"{set_name}-{number}")
            for name in previous.fields:
                rows = self.coded[name]
                for term, row in zip(found["terms"], found["rows"][name]):
                    if row:
                        rows[term] = row
            self.df.update(zip(found["terms"], found["df"]))
            decoded[number] = list(found["terms"])
        return decoded[number]


def entry_keys(entries: Sequence["SearchEntry"], memo: "DocumentCache", name: Callable[["SearchEntry"], str],
               scope: str, previous: PreviousIndex, state: dict) -> list[str] | None:
    """Each entry's key in the terms cache: the noted one for an entry that is the previous build's."""
    noted: dict[str, str] = state.get("keys", {})
    keys = []
    for entry in entries:
        if entry.location in previous.reused:
            key = noted.get(entry.location)
            if key is None:
                return None
        else:
            key = memo.key_of(name(entry), scope)
        keys.append(key)
    return keys


def updated_postings(entries: Sequence["SearchEntry"], fields: dict[str, tuple[str, ...]], memo: "DocumentCache",
                     name: Callable[["SearchEntry"], str], count: Callable[["SearchEntry"], Counts], scope: str,
                     previous: PreviousIndex) -> Postings | None:
    """The postings of ``entries`` (sorted as the index orders them) where they changed, from the previous index;
    None when it cannot be used (then the index is made in full)."""
    state = memo.recall(STATE, scope)
    if not isinstance(state, dict):
        return None
    files = _previous_files(previous, state.get("docs"), fields)
    if files is None:
        return None
    docs, shards, excerpts = files
    locations = [entry.location for entry in entries]
    if [row[0] for row in docs["docs"]] != locations or len(set(locations)) != len(locations):
        return None
    keys = entry_keys(entries, memo, name, scope, previous, state)
    if keys is None or len(excerpts) != len(entries):
        return None
    all_fields = [name for names in fields.values() for name in names]
    if set(docs["lengths"]) != set(all_fields):
        return None
    postings = Postings({name: {} for name in all_fields}, {}, {name: list(docs["lengths"][name]) for name in all_fields},
                        shards, keys, rows=docs["docs"], excerpts=excerpts)
    noted = state.get("keys", {})
    moves = []
    for ref, (entry, key) in enumerate(zip(entries, keys)):
        memo.keep(key)
        if noted.get(entry.location) == key:
            continue
        old = memo.recall_key(noted.get(entry.location, ""))
        if not isinstance(old, dict):
            return None
        new = memo.recall_key(key)
        if new is None:
            new = count(entry)
            memo.store_key(key, new)
        moves.append((ref, old, new))
        _note_changes(postings, old, new, fields)
    try:
        for set_name in fields:
            for number in postings.touched(set_name):
                postings.decode(set_name, number)
    except (ValueError, TypeError, KeyError, AttributeError):
        return None
    for ref, old, new in moves:
        _move(postings, ref, old, new, all_fields)
        postings.changed.add(ref)
    if any(not shards[set_name].raws and any(postings.coded[f] for f in set_fields)
           for set_name, set_fields in fields.items()):
        return None  # a set that had no terms gets some: cut in full
    return postings


def updated_shards(postings: Postings, set_name: str, limit: int) -> list[dict | KeptShard]:
    """The set's term shards: those an edit touched cut again (see :mod:`eiso.search.shards`), the others kept."""
    previous, df = postings.previous[set_name], postings.df
    recut, touched = postings.touched(set_name, rows_only=True), postings.touched(set_name)
    placed: dict[int, list[str]] = {}
    for term in postings.rows_changed.get(set_name, ()):
        placed.setdefault(previous.holding(term), []).append(term)
    shards: list[dict | KeptShard] = []
    number = 0
    while number < len(previous.raws):
        if number in recut:
            number = _recut(postings, set_name, number, placed, limit, shards)
            continue
        terms = postings.decode(set_name, number) if number in touched else []
        if any(term in postings.df_changed for term in terms):  # its rows as they were: only its df column changes
            shards.append(shard(terms, previous.fields, postings.coded, df))
        else:
            shards.append(KeptShard(previous.firsts[number], previous.raws[number]))
        number += 1
    return shards


def _recut(postings: Postings, set_name: str, number: int, placed: dict[int, list[str]], limit: int,
           shards: list[dict | KeptShard]) -> int:
    """Cut the set's terms again from the start of shard ``number`` until a shard closes where a previous one
    did; return the number of the previous shard that starts there."""
    fields, coded, df = postings.previous[set_name].fields, postings.coded, postings.df
    terms: list[str] = []
    size = 0
    total = len(postings.previous[set_name].raws)
    while number < total:
        held = set(postings.decode(set_name, number)) | set(placed.get(number, ()))
        for term in sorted((t for t in held if any(t in coded[name] for name in fields)), key=utf16):
            terms.append(term)
            size += term_size(term, fields, coded)
            if size >= limit:
                shards.append(shard(terms, fields, coded, df))
                terms, size = [], 0
        number += 1
        if not terms:
            return number
    if terms:
        shards.append(shard(terms, fields, coded, df))
    return number


def _previous_files(previous: PreviousIndex, docs_name: object, fields: dict[str, tuple[str, ...]]
                    ) -> tuple[dict, dict[str, PreviousShards], list[str]] | None:
    """The previous build's docs file (named by the terms cache: Material writes its own ``search_index.json``
    over the previous one before the index is made), term shards (their bytes) and excerpts."""
    try:
        if not isinstance(docs_name, str):
            return None
        docs = _json(previous, docs_name)
        shards = {}
        for set_name, set_fields in fields.items():
            found = docs["sets"][set_name]
            if tuple(found["fields"]) != set_fields or len(found["firsts"]) != len(found["files"]):
                return None
            shards[set_name] = PreviousShards(set_fields, [str(first) for first in found["firsts"]],
                                              [_read(previous, file) for file in found["files"]])
        excerpts = _json(previous, docs["excerpts"])["excerpts"] if docs["excerpts"] else []
    except (ValueError, TypeError, KeyError, AttributeError):
        return None
    return docs, shards, excerpts


def _read(previous: PreviousIndex, name: str) -> bytes:
    data = previous.read(f"{previous.search_dir}/{name}")
    if data is None:
        raise KeyError(name)
    return data


def _json(previous: PreviousIndex, name: str) -> dict:
    found = json.loads(_read(previous, name))
    if not isinstance(found, dict):
        raise TypeError(name)
    return found


def _note_changes(postings: Postings, old: Counts, new: Counts, fields: dict[str, tuple[str, ...]]) -> None:
    """Note the terms whose rows change (per set) and those whose document frequency does (a term in or out of
    a field: its df counts the fields and documents holding it)."""
    for set_name, set_fields in fields.items():
        changed = postings.rows_changed.setdefault(set_name, set())
        for name in set_fields:
            before, after = old.get(name, {}), new.get(name, {})
            changed.update(term for term in before.keys() | after.keys() if before.get(term) != after.get(term))
            postings.df_changed.update(before.keys() ^ after.keys())


def _move(postings: Postings, ref: int, old: Counts, new: Counts, fields: list[str]) -> None:
    """Document ``ref``'s postings from its ``old`` terms to its ``new`` ones."""
    for name in fields:
        before, after = old.get(name, {}), new.get(name, {})
        rows = postings.coded[name]
        for term in before.keys() | after.keys():
            tf = after.get(term)
            if before.get(term) == tf:
                continue
            row = _recoded(_decoded(rows.get(term, [])), ref, tf)
            if row:
                rows[term] = row
            else:
                rows.pop(term, None)
            presence = (tf is not None) - (term in before)
            if presence:
                count = postings.df.get(term, 0) + presence
                if count:
                    postings.df[term] = count
                else:
                    postings.df.pop(term, None)
        postings.lengths[name][ref] = sum(after.values())


def _decoded(row: list[int]) -> list[tuple[int, int]]:
    """(document, term frequency) pairs of a coded row (see :mod:`eiso.search.index`)."""
    pairs, ref, tf = [], 0, 1
    for value in row:
        if value < 0:
            tf = -value
            continue
        ref += value
        pairs.append((ref, tf))
        tf = 1
    return pairs


def _recoded(pairs: list[tuple[int, int]], ref: int, tf: int | None) -> list[int]:
    pairs = [pair for pair in pairs if pair[0] != ref] + ([(ref, tf)] if tf is not None else [])
    pairs.sort()
    row, previous = [], 0
    for doc, times in pairs:
        if times > 1:
            row.append(-times)
        row.append(doc - previous)
        previous = doc
    return row
