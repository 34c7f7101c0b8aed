"""``api/qms.json``: the agency's quality-management status in numbers, for the province's portal.

Plain data from what the intranet plan already computed (documents, their history-derived
control fields, adoption lags); no timestamp of the build itself, only the as-of date, so two
builds of one commit on one day are byte-identical. Field by field in docs/huong-dan/qms-json.md.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any, Iterable

from eiso.control.reviews import review_schedule
from eiso.documents.model import Document, Status

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class LagEntry:
    """An adoption behind the framework (plain data, so the site needs nothing of eiso.framework)."""

    code: str  # the agency's code
    framework_code: str
    adopted_revision: int
    framework_revision: int


@dataclass(frozen=True)
class CheckError:
    """One error of ``eiso check`` as the province reads it: where, which field, what (Vietnamese)."""

    path: str
    line: int
    field: str
    message: str


# The province needs to see what is wrong, not a dump: the first errors, each message cut to a readable size.
MAX_ERRORS_SHOWN = 50
MAX_MESSAGE_CHARS = 500
MAX_PATH_CHARS = 300


@dataclass(frozen=True)
class ControlFacts:
    """What the history says about one current document."""

    approved: bool | None  # None: no history for it
    last_approved_change: str | None  # YYYY-MM-DD


def qms_status(documents: list[Document], facts: dict[str, ControlFacts], lags: Iterable[LagEntry],
               agency: dict[str, Any], as_of: dt.date, nonconformities: tuple[int, int] = (0, 0),
               check: tuple[int, int] = (0, 0), errors: Iterable[CheckError] = ()) -> dict[str, Any]:
    by_status = {status.value: 0 for status in Status}
    for doc in documents:
        by_status[doc.meta.status.value] += 1
    in_force = [d for d in documents if d.meta.status is Status.effective and d.meta.effective and d.meta.effective <= as_of]
    overdue = [r.document.meta.code for r in review_schedule(documents, as_of) if r.days_left < 0]
    unapproved = sorted(d.meta.code for d in documents
                        if d.meta.status is not Status.draft and facts.get(d.path, _NONE).approved is False)
    approved_dates = [f.last_approved_change for f in facts.values() if f.last_approved_change]
    behind = sorted(lags, key=lambda lag: lag.code)
    return {
        "schema": SCHEMA_VERSION,
        "agency": {key: str(agency.get(key) or "") for key in ("name", "code", "district")},
        "as_of": as_of.isoformat(),
        "documents": {"total": len(documents), "by_status": by_status, "in_force": len(in_force)},
        "reviews_overdue": {"count": len(overdue), "codes": sorted(overdue)},
        "unapproved_changes": {"count": len(unapproved), "codes": unapproved},
        "adoptions": {
            "count": sum(1 for d in documents if d.adoption is not None),
            "behind_count": len(behind),
            "behind": [{"code": lag.code, "framework_code": lag.framework_code,
                        "adopted_revision": lag.adopted_revision, "framework_revision": lag.framework_revision}
                       for lag in behind],
        },
        "check": {"errors": check[0], "warnings": check[1], "error_details": _details(errors)},
        "nonconformities": {"open": nonconformities[0], "overdue": nonconformities[1]},
        "last_approved_change": max(approved_dates) if approved_dates else None,
    }


_NONE = ControlFacts(None, None)


def _details(errors: Iterable[CheckError]) -> list[dict[str, Any]]:
    shown = sorted(errors, key=lambda e: (e.path, e.line, e.field))[:MAX_ERRORS_SHOWN]
    return [{"path": _cut(e.path, MAX_PATH_CHARS), "line": e.line, "field": _cut(e.field, MAX_PATH_CHARS),
             "message": _cut(e.message, MAX_MESSAGE_CHARS)} for e in shown]


def _cut(text: str, size: int) -> str:
    # Every part cut, not only the message: a merge request writes the path and the key too.
    return text if len(text) <= size else text[:size - 1] + "…"


def qms_json(status: dict[str, Any]) -> bytes:
    return (json.dumps(status, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode()
