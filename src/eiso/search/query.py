"""Query-time ranking of the e-ISO search: the reference implementation.

The browser runs the same algorithm (``assets/eiso-search-worker.js``, function
``rank``) on the same lunr index; this Python twin lets the ranking be tested
without a browser and explains the rules:

* a query is split into compounds with the index's tokenizer; each compound is a
  *word unit*. Its score in a document is, for the head fields (``title``, ``code``)
  and then for the body (``text``), the lunr field-vector weight of the folded
  compound plus :data:`PART_WEIGHT` times the mean weight of its parts
  (``123/2015/nđ-cp`` → ``nđ-cp``, ``123``, ``2015``, ``nđ``, ``cp``);
* a word typed with accents adds its weight in the ``accent`` field (accents kept),
  so ``cấp`` prefers titles written ``cấp`` to titles written ``cáp``;
* two consecutive compounds add the weight of their bigram (``ket_hon``) in the
  ``bigram`` field, and the score is multiplied by the square of
  ``PHRASE_FLOOR + (1 - PHRASE_FLOOR) * share of the query's bigrams in the title``:
  a title holding the words in the order typed wins;
* the last compound, while it is being typed (no space after it), also matches as a
  prefix: the best expansion counts :data:`PREFIX_FACTOR` times its weight (in the
  body only from three characters on);
* a result must contain every word unit of the query: a unit is found in a document
  when its whole compound (or, while typed, a word it starts) is there, or every one
  of its parts (``1.001193`` is not found by a page that only has ``1``). Only when no
  document contains them all are the documents with some of them returned, flagged
  as a fallback (the page says so: "kết quả gần đúng");
* when the title or codes of some documents hold every word unit, only those are
  results: the hundred pages that only mention a "giấy khai sinh" in their dossier are
  not listed for ``khai sinh``; otherwise every document holding them all is;
* the sum is multiplied by the square of the share of word units found (1 unless in
  the fallback), and by the square of
  ``HEAD_FLOOR + (1 - HEAD_FLOOR) * share found in the title or codes``, so a title
  holding every word of the query beats a shorter title that misses one (BM25's
  length normalisation alone would prefer the shorter title).

Weights come from lunr's field vectors, so field boosts and BM25 length
normalisation (shorter titles weigh more) are those of the build.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lunr.index import Index
from lunr.token_set import TokenSet

from eiso.search import pipeline as vp

PART_WEIGHT = 0.5
PREFIX_FACTOR = 0.7
HEAD_FIELDS = ("title", "code")
BODY_FIELDS = ("text",)
#: Weight kept by a document none of whose title or code words match (see ``rank``).
HEAD_FLOOR = 0.25
#: Weight kept by a document whose title has none of the query's word pairs.
PHRASE_FLOOR = 0.5
MAX_EXPANSIONS = 300
MAX_RESULTS = 100


@dataclass
class Unit:
    whole: str  # accented, normalised compound
    parts: tuple[str, ...]
    prefix: bool


@dataclass
class Plan:
    words: list[Unit]
    bigrams: list[tuple[str, bool]] = field(default_factory=list)  # (accented bigram, prefix)


def plan(query: str) -> Plan:
    comps = vp.compounds(query)
    normalized = vp.normalize(query)
    typing = bool(comps) and normalized.endswith(comps[-1])
    words = []
    for i, compound in enumerate(comps):
        tokens = vp.compound_tokens(compound)
        words.append(Unit(tokens[0], tokens[1:], typing and i == len(comps) - 1))
    result = Plan(words)
    for i in range(1, len(comps)):
        result.bigrams.append((f"{comps[i - 1]}{vp.BIGRAM_JOINER}{comps[i]}", words[i].prefix))
    return result


class IndexView:
    """Weights of one lunr.py index, as the scorer needs them."""

    def __init__(self, index: Index):
        self.index = index

    def term(self, raw: str, fields: tuple[str, ...]) -> str:
        out = self.index.pipeline.run_string(raw, {"fields": list(fields)})
        return out[0] if out else ""

    def postings(self, term: str, field_name: str) -> dict[str, float]:
        posting = self.index.inverted_index.get(term)
        if not posting or field_name not in posting:
            return {}
        ti = posting["_index"]
        result = {}
        for ref in posting[field_name]:
            elements = self.index.field_vectors[f"{field_name}/{ref}"].elements
            result[ref] = _lookup(elements, ti)
        return result

    def expand(self, prefix: str, fields: tuple[str, ...]) -> list[str]:
        """Index terms starting with ``prefix`` that occur in one of ``fields``."""
        found = self.index.token_set.intersect(TokenSet.from_string(prefix + "*")).to_list()
        inverted = self.index.inverted_index
        kept = [t for t in found if any(inverted[t].get(name) for name in fields)]
        return sorted(kept)[:MAX_EXPANSIONS]


def _lookup(elements: list, ti: int) -> float:
    lo, hi = 0, len(elements) // 2 - 1
    while lo <= hi:
        mid = (lo + hi) // 2
        value = elements[2 * mid]
        if value == ti:
            return elements[2 * mid + 1]
        if value < ti:
            lo = mid + 1
        else:
            hi = mid - 1
    return 0.0


def _add(target: dict[str, float], scores: dict[str, float], factor: float = 1.0) -> None:
    for ref, value in scores.items():
        target[ref] = target.get(ref, 0.0) + value * factor


def _fields_score(view: IndexView, raw: str, fields: tuple[str, ...]) -> dict[str, float]:
    scores: dict[str, float] = {}
    for name in fields:
        term = view.term(raw, (name,))
        if term:
            _add(scores, view.postings(term, name))
    return scores


def _prefix_score(view: IndexView, raw: str, fields: tuple[str, ...]) -> dict[str, float]:
    """Best expansion of a prefix, per document (the exact term excluded)."""
    best: dict[str, float] = {}
    prefix = view.term(raw, fields)
    if not prefix:
        return best
    for expansion in view.expand(prefix, fields):
        if expansion == prefix:
            continue
        scores: dict[str, float] = {}
        for name in fields:
            _add(scores, view.postings(expansion, name))
        for ref, value in scores.items():
            if value > best.get(ref, 0.0):
                best[ref] = value
    return best


def _unit_scores(view: IndexView, unit: Unit, fields: tuple[str, ...]) -> tuple[dict[str, float], set[str]]:
    """Score of one word unit in a group of fields (exact + parts, or the best prefix), and
    the documents that contain the unit (its whole compound, a prefix expansion, or all its parts)."""
    scores = _fields_score(view, unit.whole, fields)
    holders = {ref for ref, value in scores.items() if value > 0}
    if unit.parts:
        parts: dict[str, float] = {}
        every: set[str] | None = None
        for part in unit.parts:
            part_scores = _fields_score(view, part, fields)
            _add(parts, part_scores)
            found = {ref for ref, value in part_scores.items() if value > 0}
            every = found if every is None else every & found
        _add(scores, parts, PART_WEIGHT / len(unit.parts))
        holders |= every or set()
    if unit.prefix and (len(unit.whole) >= 3 or "text" not in fields):
        for ref, value in _prefix_score(view, unit.whole, fields).items():
            scores[ref] = max(scores.get(ref, 0.0), PREFIX_FACTOR * value)
            if value > 0:
                holders.add(ref)
    return scores, holders


def rank(view: IndexView, query: str) -> list[tuple[str, float]]:
    """``(ref, score)`` best first: the documents holding every word unit (see :func:`search`)."""
    return search(view, query)[0]


def search(view: IndexView, query: str) -> tuple[list[tuple[str, float]], bool]:
    """``(ranked, fallback)``: the documents holding every word unit of the query, best first;
    or, when there is none, those holding some of them, with ``fallback`` true."""
    p = plan(query)
    if not p.words:
        return [], False
    total: dict[str, float] = {}
    found: dict[str, int] = {}
    in_head: dict[str, int] = {}
    for unit in p.words:
        head, head_holders = _unit_scores(view, unit, HEAD_FIELDS)
        if vp.has_accents(unit.whole):
            _add(head, _fields_score(view, unit.whole, ("accent",)))
        body, body_holders = _unit_scores(view, unit, BODY_FIELDS)
        holders = head_holders | body_holders
        for ref in set(head) | set(body):
            h, b = head.get(ref, 0.0), body.get(ref, 0.0)
            if h + b > 0:
                total[ref] = total.get(ref, 0.0) + h + b
                if ref in holders:
                    found[ref] = found.get(ref, 0) + 1
                if h > 0:
                    in_head[ref] = in_head.get(ref, 0) + 1
    complete = {ref for ref, count in found.items() if count == len(p.words)}
    fallback = not complete
    total = {ref: score for ref, score in total.items() if ref in complete or (fallback and ref in found)}
    if any(in_head.get(ref, 0) == len(p.words) for ref in total):  # some titles or codes hold every word unit
        total = {ref: score for ref, score in total.items() if in_head.get(ref, 0) == len(p.words)}
    in_order: dict[str, int] = {}
    for bigram, prefix in p.bigrams:
        scores = _fields_score(view, bigram, ("bigram",))
        if prefix:
            for ref, value in _prefix_score(view, bigram, ("bigram",)).items():
                scores[ref] = max(scores.get(ref, 0.0), PREFIX_FACTOR * value)
        for ref, value in scores.items():
            if ref in total and value > 0:
                total[ref] += value
                in_order[ref] = in_order.get(ref, 0) + 1
    n, pairs = len(p.words), len(p.bigrams)
    ranked = []
    for ref, score in total.items():
        share = found[ref] / n
        head = HEAD_FLOOR + (1 - HEAD_FLOOR) * in_head.get(ref, 0) / n
        phrase = PHRASE_FLOOR + (1 - PHRASE_FLOOR) * in_order.get(ref, 0) / pairs if pairs else 1.0
        ranked.append((ref, score * (share * head * phrase) ** 2))
    ranked.sort(key=lambda item: (-round(item[1], 6), int(item[0]) if item[0].isdigit() else 0, item[0]))
    return ranked[:MAX_RESULTS], fallback


__all__ = ["HEAD_FLOOR", "PHRASE_FLOOR", "IndexView", "PART_WEIGHT", "PREFIX_FACTOR", "Plan", "Unit", "plan", "rank",
           "search"]
