"""The index of a rebuild, made from the previous build's files and the entries that changed since.

After an edit of one page, counting every entry's terms again (or unpickling them from the cache) and coding
every posting is most of what building the index costs. The previous build's files already hold every posting,
coded (the term shards), and each field's length per document (the docs file): a rebuild reads them back and
changes only the postings of the entries that changed — their old terms out, their new terms in. What comes out is
what :class:`eiso.search.index.BuiltIndex` would code from all the entries: the shards are cut from it by the same
rule, so the files are byte-identical to a full build's (the tests compare them).

It applies only when the documents are the same ones at the same places (same locations, in the same order): an
added, removed or renamed page makes a full index. The previous files are read through ``read``, which answers
only for files the previous build wrote and that are unchanged since; the terms of each previous entry come from
the (signed) terms cache, by the key noted for its location.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Sequence

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
class Postings:
    """Every field's coded postings, each term's document frequency and each field's length per document."""

    coded: dict[str, dict[str, list[int]]]
    df: dict[str, int]
    lengths: dict[str, list[int]]
    keys: list[str] = field(default_factory=list)  # each entry's key in the terms cache
    changed: set[int] = field(default_factory=set)  # the entries (by place) whose terms changed
    rows: list[list] = field(default_factory=list)  # the previous docs file's row of each entry
    excerpts: list[str] = field(default_factory=list)  # and its excerpt
    shards: dict[str, list[tuple[dict, bytes]]] = field(default_factory=dict)  # each set's previous shards, as read

    def same_shard(self, set_name: str, number: int, shard: dict) -> bytes | None:
        """The previous file of a term shard equal to ``shard`` (holding only texts and integers, whose JSON
        is one for equal values), to be written as it was rather than serialised again."""
        previous = self.shards.get(set_name, [])
        if number < len(previous) and previous[number][0] == shard:
            return previous[number][1]
        return None


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
    """The postings of ``entries`` (sorted as the index orders them), from the previous index; None when it
    cannot be used (then the index is made in full)."""
    state = memo.recall(STATE, scope)
    if not isinstance(state, dict):
        return None
    files = _previous_files(previous, state.get("docs"))
    if files is None:
        return None
    docs, shards, excerpts = files
    locations = [entry.location for entry in entries]
    if [row[0] for row in docs["docs"]] != locations or len(set(locations)) != len(locations):
        return None
    keys = entry_keys(entries, memo, name, scope, previous, state)
    if keys is None:
        return None
    all_fields = [name for names in fields.values() for name in names]
    postings = _decode(shards, all_fields, docs["lengths"])
    if postings is None or len(excerpts) != len(entries):
        return None
    noted = state.get("keys", {})
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
        _move(postings, ref, old, new, all_fields)
        postings.changed.add(ref)
    postings.keys, postings.rows, postings.excerpts = keys, docs["docs"], excerpts
    return postings


def _previous_files(previous: PreviousIndex, docs_name: object
                    ) -> tuple[dict, dict[str, list[tuple[dict, bytes]]], list[str]] | None:
    """The previous build's docs file (named by the terms cache: Material writes its own ``search_index.json``
    over the previous one before the index is made), term shards (with their bytes) and excerpts."""
    try:
        if not isinstance(docs_name, str):
            return None
        docs = _json(previous, docs_name)[0]
        shards = {set_name: [_json(previous, file) for file in docs["sets"][set_name]["files"]]
                  for set_name in docs["sets"]}
        excerpts = _json(previous, docs["excerpts"])[0]["excerpts"] if docs["excerpts"] else []
    except (ValueError, TypeError, KeyError, AttributeError):
        return None
    return docs, shards, excerpts


def _json(previous: PreviousIndex, name: str) -> tuple[dict, bytes]:
    data = previous.read(f"{previous.search_dir}/{name}")
    if data is None:
        raise KeyError(name)
    found = json.loads(data)
    if not isinstance(found, dict):
        raise TypeError(name)
    return found, data


def _decode(shards: dict[str, list[tuple[dict, bytes]]], fields: list[str], lengths: dict) -> Postings | None:
    coded: dict[str, dict[str, list[int]]] = {name: {} for name in fields}
    df: dict[str, int] = {}
    for set_shards in shards.values():
        for shard, _ in set_shards:
            for name in shard["fields"]:
                rows = coded[name]
                for term, row in zip(shard["terms"], shard["rows"][name]):
                    if row:
                        rows[term] = row
            df.update(zip(shard["terms"], shard["df"]))
    if set(lengths) != set(fields):
        return None
    return Postings(coded, df, {name: list(lengths[name]) for name in fields}, shards=shards)


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
