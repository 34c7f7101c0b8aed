"""The sites' JSON lists: valid JSON, the records as given, one per line whatever their text holds."""

from __future__ import annotations

import json

from eiso.sites.api_json import records_json


def test_one_record_per_line_whatever_the_text() -> None:
    records = [{"title": "Thủ tục «A»\nhai dòng\u2028", "code": "QT-01", "fees": [1, 2]}, {"title": "</script>"}, {}]
    data = records_json(records)
    assert json.loads(data) == records
    lines = data.decode("utf-8").split("\n")
    assert lines[0] == "[" and lines[-2] == "]" and lines[-1] == ""
    assert [json.loads(line.rstrip(",")) for line in lines[1:-2]] == records
    assert json.loads(records_json([])) == []
