"""How a set's sorted vocabulary is cut into term shards (the rule a full index and a rebuild's share).

A shard closes at the term that takes its size to the limit, and at the vocabulary's last term; the next one
starts from nothing. So where both cuts close before the same term, and the terms that follow are unchanged,
both go on alike: a rebuild re-cuts from the shard an edit touched until it closes where the previous cut did,
and keeps every other shard as the previous build wrote it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Iterator, Sequence

FORMAT = "eiso-search/2"

Coded = dict[str, dict[str, list[int]]]  # per field, per term: its coded postings


@dataclass(frozen=True)
class KeptShard:
    """A term shard as the previous build wrote it (its first term, its file's bytes), not decoded."""

    first: str
    raw: bytes


def utf16(term: str) -> bytes:
    """The sort key of terms: lunr.js builds its TokenSet in JavaScript (UTF-16) order."""
    return term.encode("utf-16-be", "surrogatepass")


def term_size(term: str, fields: Sequence[str], coded: Coded) -> int:
    """A term's share of its shard's size: about its bytes in the shard's JSON."""
    return len(term) + 8 + sum(len(coded[name].get(term, ())) * 4 + 2 for name in fields)


def shard(terms: list[str], fields: Sequence[str], coded: Coded, df: dict[str, int]) -> dict:
    return {"format": FORMAT, "fields": list(fields), "terms": terms, "df": [df[t] for t in terms],
            "rows": {name: [coded[name].get(t, []) for t in terms] for name in fields}}


def cut(vocabulary: Iterable[str], fields: Sequence[str], coded: Coded, df: dict[str, int], limit: int
        ) -> Iterator[dict]:
    """The shards of ``vocabulary`` (sorted)."""
    terms: list[str] = []
    size = 0
    for term in vocabulary:
        terms.append(term)
        size += term_size(term, fields, coded)
        if size >= limit:
            yield shard(terms, fields, coded, df)
            terms, size = [], 0
    if terms:
        yield shard(terms, fields, coded, df)


def first_term(value: dict | KeptShard) -> str:
    return value.first if isinstance(value, KeptShard) else value["terms"][0]
