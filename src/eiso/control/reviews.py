"""Periodic review: when each effective document must be reviewed again."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from typing import Mapping

from eiso.documents.model import Document, Status

DUE_SOON_DAYS = 30


def add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def next_review(doc: Document) -> dt.date | None:
    if doc.meta.status is not Status.effective or doc.meta.effective is None:
        return None
    return add_months(doc.meta.effective, doc.meta.review_months)


@dataclass(frozen=True)
class ReviewDue:
    document: Document
    due: dt.date
    days_left: int  # negative when overdue
    reason: str = ""  # why it is due now, other than its periodic date (a change of the law)

    @property
    def state(self) -> str:
        return "Quá hạn" if self.days_left < 0 else "Đến hạn"

    @property
    def label(self) -> str:
        if self.reason and self.days_left < 0:  # overdue already: the change of the law does not make it less so
            return f"Quá hạn {-self.days_left} ngày ({self.reason})"
        if self.reason:
            return f"Đến hạn ngay ({self.reason})"
        if self.days_left < 0:
            return f"Quá hạn {-self.days_left} ngày"
        if self.days_left <= DUE_SOON_DAYS:
            return f"Đến hạn (còn {self.days_left} ngày)"
        return "Chưa đến hạn"


def review_schedule(documents: list[Document], today: dt.date,
                    flagged: Mapping[str, str] | None = None) -> list[ReviewDue]:
    """Every effective document with its next review date, soonest first.

    ``flagged`` maps a document's path to why it is due now (a cited law changed): its review is
    due today unless its periodic date has already passed.
    """
    flagged = flagged or {}
    rows = []
    for doc in documents:
        date = next_review(doc)
        if date is None:
            continue
        reason = flagged.get(doc.path, "")
        if reason and date > today:
            date = today
        rows.append(ReviewDue(doc, date, (date - today).days, reason))
    return sorted(rows, key=lambda r: (r.due, r.document.slug))


def reviews_due(documents: list[Document], today: dt.date, within_days: int = DUE_SOON_DAYS,
                flagged: Mapping[str, str] | None = None) -> list[ReviewDue]:
    """Effective documents whose review date has passed or falls within ``within_days``, or flagged."""
    return [r for r in review_schedule(documents, today, flagged) if r.days_left <= within_days or r.reason]
