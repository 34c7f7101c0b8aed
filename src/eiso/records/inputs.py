"""Inputs of the next management review (TCVN ISO 9001:2015, 9.3.2) that the repository knows.

Compiled since the previous review held on or before the day (or the last twelve months
when there has been none): actions of previous reviews, nonconformities opened, closed and
overdue, audit results, documents changed and why, reviews due, and quality objectives.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from eiso.control.history import History
from eiso.control.reviews import ReviewDue, add_months, reviews_due
from eiso.documents.model import Document, Kind, Measurement, Status
from eiso.documents.text import slugify
from eiso.records.model import Decision, Grade, Record
from eiso.records.registers import (audits, is_done, is_open, nonconformities, nonconformity_counts,
                                    overdue_actions, previous_review, reviews)


@dataclass
class DecisionState:
    review: Record
    decision: Decision
    label: str  # Vietnamese state
    overdue: bool


@dataclass
class ObjectiveSeries:
    number: int
    points: list[Measurement]  # in period order

    @property
    def latest(self) -> Measurement:
        return self.points[-1]


@dataclass
class ReviewInputs:
    as_of: dt.date
    since: dt.date
    previous: Record | None
    decisions: list[DecisionState] = field(default_factory=list)
    opened: list[Record] = field(default_factory=list)
    closed: list[Record] = field(default_factory=list)
    overdue: list[Record] = field(default_factory=list)
    counts: dict[str, Any] = field(default_factory=dict)
    audits: list[tuple[Record, dict[Grade, int]]] = field(default_factory=list)
    changes: list[dict[str, str]] = field(default_factory=list)
    review_due: list[ReviewDue] = field(default_factory=list)
    objectives: list[ObjectiveSeries] = field(default_factory=list)
    objectives_document: Document | None = None
    legal_flags: list[Any] = field(default_factory=list)  # eiso.legal.flags.LegalFlag: document, reason


def compile_inputs(records: list[Record], documents: list[Document], history: History | None,
                   as_of: dt.date, legal_flags: list[Any] | None = None) -> ReviewInputs:
    previous = previous_review(records, as_of)
    since = previous.meta.date if previous else add_months(as_of, -12)
    inputs = ReviewInputs(as_of=as_of, since=since, previous=previous)
    inputs.decisions = decision_states(records, since, as_of)
    ncs = nonconformities(records)
    inputs.opened = [r for r in ncs if since < r.meta.found <= as_of]
    inputs.closed = [r for r in ncs if r.meta.closed and since < r.meta.closed <= as_of and not is_open(r.meta, as_of)]
    inputs.overdue = [r for r in ncs if r.meta.found <= as_of and overdue_actions(r.meta, as_of)]
    inputs.counts = nonconformity_counts(records, as_of)
    by_code = {r.slug: r for r in ncs}
    for audit in audits(records):
        if since < audit.meta.date <= as_of:
            found = [by_code[s].meta.grade for s in map(slugify, audit.meta.findings) if s in by_code]
            inputs.audits.append((audit, {grade: found.count(grade) for grade in Grade}))
    inputs.changes = document_changes(documents, history, since, as_of)
    inputs.review_due = reviews_due(documents, as_of)
    inputs.legal_flags = list(legal_flags or [])
    inputs.objectives_document, inputs.objectives = objective_series(documents)
    return inputs


def decision_states(records: list[Record], since: dt.date, as_of: dt.date) -> list[DecisionState]:
    """Decisions of the reviews held by the day, except those already done before the previous review."""
    states = []
    for review in reviews(records):
        if review.meta.date > as_of:
            continue
        for decision in review.meta.decisions:
            if decision.done is not None and decision.done <= since and review.meta.date < since:
                continue
            states.append(_state(review, decision, as_of))
    return states


def _state(review: Record, decision: Decision, as_of: dt.date) -> DecisionState:
    if is_done(decision.done, as_of):
        return DecisionState(review, decision, f"Đã hoàn thành ngày {decision.done:%d/%m/%Y}", False)
    if decision.due is not None and decision.due < as_of:
        return DecisionState(review, decision, f"Quá hạn {(as_of - decision.due).days} ngày", True)
    return DecisionState(review, decision, "Đang thực hiện", False)


def document_changes(documents: list[Document], history: History | None, since: dt.date,
                     as_of: dt.date) -> list[dict[str, str]]:
    """Each change of a current document since the day, with its reason (the merge request's title)."""
    if history is None or not history.available:
        return []
    rows = []
    for doc in documents:
        for change in history.changes(doc.path):
            day = change.date[:10]
            if since.isoformat() < day <= as_of.isoformat():
                reason = change.mr.title if change.mr and change.mr.title else change.subject
                rows.append({"code": doc.meta.code, "title": doc.meta.title, "url": doc.url, "date": day,
                             "revision": str(change.revision or ""), "reason": reason,
                             "mr": change.mr.ref if change.mr else ""})
    return sorted(rows, key=lambda r: (r["date"], r["code"]))


def objective_series(documents: list[Document]) -> tuple[Document | None, list[ObjectiveSeries]]:
    """Measurements of the effective quality objectives document, grouped by objective."""
    candidates = [d for d in documents if d.meta.kind is Kind.objectives and d.meta.status is Status.effective]
    if not candidates:
        return None, []
    doc = max(candidates, key=lambda d: (d.meta.effective or dt.date.min, d.slug))
    groups: dict[int, list[Measurement]] = {}
    for item in doc.meta.measurements:
        groups.setdefault(item.objective, []).append(item)
    return doc, [ObjectiveSeries(n, sorted(groups[n], key=lambda m: _period_key(m.period))) for n in sorted(groups)]


def _period_key(period: str) -> tuple[int, int]:
    """2026 < 2026-01 … 2026-Q1 … 2026-H1 by the month each period ends."""
    year, _, part = period.partition("-")
    if not part:
        return int(year), 12
    if part[0] == "Q":
        return int(year), int(part[1]) * 3
    if part[0] == "H":
        return int(year), int(part[1]) * 6
    return int(year), int(part)
