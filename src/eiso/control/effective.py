"""What is in force on a given day: the as-of date and each document's revision in force.

DESIGN.md, "Effective dates": a revision whose ``effective`` date is after the as-of date is
upcoming; until that day the previous revision, read from git history, stays current. The
same holds for a withdrawal with a future date. Engine-independent.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from typing import Mapping
from zoneinfo import ZoneInfo

from eiso.control.archive import load_blob_document
from eiso.control.history import History
from eiso.control.revisions import Change
from eiso.documents.model import Document, Status
from eiso.errors import EisoError

TIMEZONE = ZoneInfo("Asia/Ho_Chi_Minh")
ENV_VAR = "EISO_AS_OF"


def today() -> dt.date:
    """Today in Vietnam, whatever the clock of the build machine says its zone is."""
    return dt.datetime.now(TIMEZONE).date()


def parse_as_of(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise EisoError(f"ngày «{text}» không hợp lệ, cần dạng YYYY-MM-DD (ví dụ 2026-12-15)") from None


def resolve_as_of(value: str | None = None, environ: Mapping[str, str] | None = None) -> dt.date:
    """The build's date: ``value`` (``--as-of``), else ``EISO_AS_OF``, else today in Vietnam."""
    env = os.environ if environ is None else environ
    text = value if value else env.get(ENV_VAR, "").strip()
    return parse_as_of(text) if text else today()


def epoch_of(day: dt.date) -> int:
    """Midnight of ``day`` in Vietnam, in Unix seconds (SOURCE_DATE_EPOCH outside git)."""
    return int(dt.datetime.combine(day, dt.time(), TIMEZONE).timestamp())


@dataclass(frozen=True)
class Timeline:
    """One controlled document on the as-of date."""

    head: Document  # the file as it is on the branch built
    current: Document | None  # the revision in force (None: none yet)
    upcoming: Document | None  # the head, when it takes effect after the as-of date

    @property
    def withdrawal(self) -> bool:
        """The upcoming change withdraws the document."""
        return self.upcoming is not None and self.upcoming.meta.status is Status.withdrawn

    @property
    def not_yet(self) -> bool:
        """Nothing is in force yet: a new document (or revision 1) effective later."""
        return self.upcoming is not None and self.current is None


def is_future(doc: Document, as_of: dt.date) -> bool:
    meta = doc.meta
    return meta.status is not Status.draft and meta.effective is not None and meta.effective > as_of


def timeline(doc: Document, history: History | None, as_of: dt.date) -> Timeline:
    if not is_future(doc, as_of):
        return Timeline(doc, doc, None)
    in_force = in_force_before(doc, history, as_of) if history is not None and history.available else None
    if doc.meta.status is Status.withdrawn and in_force is None:
        return Timeline(doc, doc, None)  # withdrawn before it ever took effect: nothing to announce
    return Timeline(doc, in_force, doc)


def in_force_before(doc: Document, history: History, as_of: dt.date) -> Document | None:
    """The latest earlier state of ``doc`` on main that was effective on ``as_of``."""
    change = in_force_change(doc, history, as_of)
    old = load_blob_document(history, change) if change is not None else None
    return old if old is not None and old.meta.status is Status.effective else None


def in_force_change(doc: Document, history: History, as_of: dt.date) -> Change | None:
    """The change of main that made the latest earlier state of ``doc`` that may be in force on ``as_of``
    (its content decides: :func:`in_force_before`)."""
    head = doc.meta
    for change in reversed(history.changes(doc.path)):
        if change.deleted or not change.blob or change.revision is None or change.effective is None:
            continue
        if change.effective > as_of.isoformat():
            continue  # not in force yet either (e.g. the upcoming revision's own commits)
        if change.revision > head.revision or (change.revision == head.revision and head.status is not Status.withdrawn):
            continue  # a state of the upcoming revision itself, before a fix of its date
        return change
    return None


def updated_dates(documents: list[Document], history: History | None, as_of: dt.date) -> dict[str, dt.date]:
    """The day of the last change of each document's state in force on ``as_of``, by the path of that state.

    A commit of an upcoming revision is not a change of what is in force: the public "updated" date of a page
    that shows revision 3 is not the day revision 4 was merged, which would announce it before its date.
    """
    if history is None or not history.available:
        return {}
    dates = {}
    for doc in documents:
        change = in_force_change(doc, history, as_of) if is_future(doc, as_of) else history.last_change(doc.path)
        if change is not None:
            dates[change.path] = dt.date.fromisoformat(change.date[:10])
    return dates


def in_force_documents(documents: list[Document], history: History | None, as_of: dt.date) -> list[Document]:
    """The revision in force of each document (documents not yet in force are left out)."""
    return [line.current for doc in documents if (line := timeline(doc, history, as_of)).current is not None]
