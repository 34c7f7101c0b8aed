"""api/qms.json: the agency's numbers as of a date, from documents, history facts and adoption lags."""

from __future__ import annotations

import datetime as dt
import json

from factory import document_text, system_meta

from eiso.documents.loader import parse_document
from eiso.sites.qms import (MAX_ERRORS_SHOWN, MAX_MESSAGE_CHARS, CheckError, ControlFacts, LagEntry, qms_json,
                            qms_status)


def doc(code: str, **meta):
    document, findings = parse_document(f"procedures/{code}.md", document_text(system_meta(code, **meta)))
    assert findings == [] and document is not None
    return document


def test_counts_as_of_a_date():
    documents = [
        doc("A", effective="2024-01-10"),  # review due 2025-01-10: overdue on 2025-06-01
        doc("B", effective="2025-03-01"),  # in force, review due 2026-03-01
        doc("C", effective="2025-07-01"),  # effective in the future: not in force yet
        doc("D", status="draft", effective=None, approved_by=None),
        doc("E", status="withdrawn", effective="2023-01-01"),
    ]
    facts = {"procedures/A.md": ControlFacts(True, "2024-01-09"), "procedures/B.md": ControlFacts(False, None),
             "procedures/D.md": ControlFacts(False, "2025-05-20")}
    lags = [LagEntry("B", "QT-KHUNG-01", 1, 2)]
    status = qms_status(documents, facts, lags, {"name": "UBND xã X", "code": "1"}, dt.date(2025, 6, 1), (3, 1), (0, 2))
    assert status["documents"] == {"total": 5, "in_force": 2,
                                   "by_status": {"draft": 1, "effective": 3, "withdrawn": 1}}
    assert status["reviews_overdue"] == {"count": 1, "codes": ["A"]}
    assert status["unapproved_changes"] == {"count": 1, "codes": ["B"]}  # the draft D does not count
    assert status["adoptions"]["behind"] == [{"code": "B", "framework_code": "QT-KHUNG-01", "adopted_revision": 1,
                                             "framework_revision": 2}]
    assert status["nonconformities"] == {"open": 3, "overdue": 1}
    assert status["check"] == {"errors": 0, "warnings": 2, "error_details": []}
    assert status["last_approved_change"] == "2025-05-20"
    assert status["agency"] == {"name": "UBND xã X", "code": "1", "district": ""}
    assert json.loads(qms_json(status)) == status
    assert qms_json(status) == qms_json(qms_status(documents, facts, lags, {"name": "UBND xã X", "code": "1"},
                                                   dt.date(2025, 6, 1), (3, 1), (0, 2)))


from test_records_site import site  # noqa: E402,F401 - the records repository built once (module fixture)


def test_nonconformities_come_from_the_records_as_of_the_build_date(site):  # noqa: F811
    qms = json.loads((site / "api" / "qms.json").read_text(encoding="utf-8"))
    # The same records as the register's counts: NC-2026-02 and -03 open, -02 with an action overdue.
    assert qms["nonconformities"] == {"open": 2, "overdue": 1}


def test_check_errors_go_to_the_province_first_ones_first_and_cut_to_size():
    errors = [CheckError("procedures/b.md", 7, "effective", "ngày không hợp lệ"),
              CheckError("procedures/a.md", 3, "code", "x" * 2000)]
    errors += [CheckError("procedures/z.md", line, "title", "thiếu tên") for line in range(1, 80)]
    status = qms_status([doc("A", effective="2024-01-10")], {}, [], {}, dt.date(2025, 6, 1), (0, 0),
                        (len(errors), 0), errors)
    details = status["check"]["error_details"]
    assert len(details) == MAX_ERRORS_SHOWN
    assert [d["path"] for d in details[:3]] == ["procedures/a.md", "procedures/b.md", "procedures/z.md"]
    assert details[0]["line"] == 3 and details[0]["field"] == "code"
    assert len(details[0]["message"]) == MAX_MESSAGE_CHARS and details[0]["message"].endswith("…")
    assert details[1] == {"path": "procedures/b.md", "line": 7, "field": "effective", "message": "ngày không hợp lệ"}
    # the path and the key are a merge request's too: cut as well
    status = qms_status([], {}, [], {}, dt.date(2025, 6, 1), (0, 0), (1, 0),
                        [CheckError("p" * 1000 + ".md", 1, "k" * 1000, "lỗi")])
    detail = status["check"]["error_details"][0]
    assert len(detail["path"]) == len(detail["field"]) == 300
