"""QMS records in `eiso check`: valid records pass, each broken one gets its located finding."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml
from conftest import run_eiso
from factory import REPO, make_repo
from records_factory import audit, nc, review, write_record

sys.path.insert(0, str(REPO / "scripts"))
import generate_schema  # noqa: E402

from eiso.records.closing import closed_codes, parse_message  # noqa: E402
from eiso.records.loader import RecordSet  # noqa: E402
from eiso.records.model import Record  # noqa: E402
from eiso.records.registers import audit_coverage, clause_covered, nonconformity_counts  # noqa: E402
from eiso.cli.new_record import next_record_code  # noqa: E402


def line_of(path: Path, prefix: str) -> int:
    """1-based line of the first line of the file that starts with ``prefix`` (after indentation)."""
    for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1):
        if line.lstrip(" -").startswith(prefix):
            return number
    raise AssertionError(f"{prefix} not in {path}")


def findings(repo: Path) -> list[dict]:
    result = run_eiso("check", "--format", "json", cwd=repo)
    assert result.returncode in (0, 1), result.stderr
    return json.loads(result.stdout)


def valid_records(repo: Path) -> None:
    write_record(repo, "2026/dgnb-2026-01.md", audit("DGNB-2026-01", findings=["NC-2026-01"]))
    write_record(repo, "2026/nc-2026-01.md", nc("NC-2026-01", audit="DGNB-2026-01", status="closed", closed="2026-04-20",
                                               verified_by={"name": "Trần Thị Thu Hà"},
                                               actions=[{"action": "Sửa", "owner": "Thư ký ISO", "due": "2026-04-30", "done": "2026-04-15"}]))
    write_record(repo, "2026/xxld-2026-01.md", review("XXLD-2026-01", decisions=[
        {"decision": "Đánh giá nội bộ tháng 3", "owner": "Thư ký ISO", "due": "2026-03-31", "done": "2026-03-10"}]))


def test_valid_records_of_each_kind_have_no_finding(tmp_path):
    repo = make_repo(tmp_path / "repo")
    valid_records(repo)
    assert findings(repo) == []


def test_each_broken_record_gets_its_located_finding(tmp_path):
    repo = make_repo(tmp_path / "repo")
    valid_records(repo)
    undone = write_record(repo, "2026/nc-2026-02.md", nc(
        "NC-2026-02", status="closed", closed="2026-05-01", verified_by={"name": "Trần Thị Thu Hà"},
        actions=[{"action": "Xong", "owner": "A", "due": "2026-04-01", "done": "2026-04-01"},
                 {"action": "Chưa xong", "owner": "B", "due": "2026-04-15"}]))
    early = write_record(repo, "2026/nc-2026-03.md", nc("NC-2026-03", audit="DGNB-2026-01", found="2026-03-09"))
    missing = write_record(repo, "2026/nc-2026-04.md", nc("NC-2026-04", documents=["QT-HT-01", "QT-KHONG-CO"]))
    grade = write_record(repo, "2026/nc-2026-05.md", nc("NC-2026-05", grade="loai-2"))
    got = {(f["path"], f["line"], f["field"], f["severity"]) for f in findings(repo)}
    undone_line = undone.read_text(encoding="utf-8").split("\n").index("- action: Chưa xong") + 1
    expected = {
        ("records/2026/nc-2026-02.md", undone_line, "actions[1]", "error"),
        ("records/2026/nc-2026-03.md", line_of(early, "found:"), "found", "error"),
        ("records/2026/nc-2026-04.md", line_of(missing, "QT-KHONG-CO"), "documents[1]", "error"),
        ("records/2026/nc-2026-05.md", line_of(grade, "grade:"), "grade", "error"),
    }
    # NC-2026-03 names the audit, which does not list it: a warning on its own line, nothing else.
    expected.add(("records/2026/nc-2026-03.md", line_of(early, "audit:"), "audit", "warning"))
    assert got == expected
    messages = {f["path"]: f["message"] for f in findings(repo) if f["severity"] == "error"}
    assert "chưa có ngày hoàn thành" in messages["records/2026/nc-2026-02.md"]
    assert "trước ngày đánh giá 10/03/2026" in messages["records/2026/nc-2026-03.md"]
    assert "QT-KHONG-CO" in messages["records/2026/nc-2026-04.md"]
    assert "major, minor, observation" in messages["records/2026/nc-2026-05.md"]


def test_closed_nonconformity_needs_verifier_date_and_cause(tmp_path):
    repo = make_repo(tmp_path / "repo")
    write_record(repo, "nc-2026-09.md", nc("NC-2026-09", status="closed", cause="", actions=[]))
    got = sorted(f["message"] for f in findings(repo))
    assert len(got) == 4 and all(f for f in got)
    assert any("verified_by" in m for m in got) and any("ngày đóng" in m for m in got)
    assert any("nguyên nhân" in m for m in got) and any("ít nhất một hành động" in m for m in got)


def test_dates_out_of_order_and_unknown_kind(tmp_path):
    repo = make_repo(tmp_path / "repo")
    path = write_record(repo, "nc-2026-10.md", nc(
        "NC-2026-10", found="2026-05-01", status="closed", closed="2026-05-10", verified_by={"name": "X"},
        actions=[{"action": "Trước", "owner": "A", "due": "2026-04-01", "done": "2026-05-20"}]))
    write_record(repo, "la.md", {"code": "LA-01", "kind": "bien-ban", "title": "x"})
    got = {(f["path"], f["field"]) for f in findings(repo)}
    assert got == {("records/nc-2026-10.md", "actions[0].due"), ("records/nc-2026-10.md", "actions[0].done"),
                   ("records/la.md", "kind")}
    assert path.exists()


def test_record_code_may_not_take_a_register_url(tmp_path):
    repo = make_repo(tmp_path / "repo")
    write_record(repo, "a.md", nc("Khong phu hop"))
    assert [f["field"] for f in findings(repo)] == ["code"]


def test_record_codes_follow_the_documents_rule_for_codes(tmp_path):
    repo = make_repo(tmp_path / "repo")
    write_record(repo, "tag.md", review("<b>XXLD-9</b>"))
    write_record(repo, "dashes.md", review("---"))
    got = {f["path"]: (f["line"], f["field"], f["message"]) for f in findings(repo)}
    assert sorted(got) == ["records/dashes.md", "records/tag.md"]
    assert got["records/tag.md"][:2] == (2, "code") and "«<» (U+003C)" in got["records/tag.md"][2]
    # No letter or digit: no URL at all, not a clash with a register's URL ("ho-so//").
    assert got["records/dashes.md"][:2] == (2, "code") and "không có chữ cái hay chữ số" in got["records/dashes.md"][2]
    assert "ho-so//" not in got["records/dashes.md"][2]


def test_a_record_under_another_markdown_suffix_is_named_not_dropped(tmp_path):
    repo = make_repo(tmp_path / "repo")
    path = write_record(repo, "2026/nc-2026-01.md", nc("NC-2026-01"))
    path.rename(path.with_name("NC-2026-01.MD"))
    write_record(repo, "2026/nc-2026-02.md", nc("NC-2026-02")).rename(path.with_name("nc-2026-02.markdown"))
    (path.parent / "bien-ban-hop.pdf").write_bytes(b"%PDF-1.4")  # an attachment beside the records
    got = [(f["path"], f["line"], f["severity"]) for f in findings(repo)]
    assert got == [("records/2026/NC-2026-01.MD", 1, "warning"), ("records/2026/nc-2026-02.markdown", 1, "warning")]


def test_record_schema_is_in_sync_and_validates():
    schema_file = REPO / "schema" / "record-v1.schema.json"
    assert schema_file.read_text(encoding="utf-8") == generate_schema.render_records(), (
        "schema/record-v1.schema.json is stale: run scripts/generate_schema.py")
    validator = jsonschema.Draft202012Validator(json.loads(schema_file.read_text(encoding="utf-8")))
    for meta in (nc("NC-2026-01"), audit("DGNB-2026-01"), review("XXLD-2026-01")):
        assert list(validator.iter_errors(json.loads(json.dumps(meta)))) == []
    for broken in (nc("NC-2026-01", grade="loai-2"), {**audit("DGNB-2026-01"), "grade": "minor"},
                   nc("NC-2026-01", status="closed"), {"kind": "bien-ban"}):
        assert list(validator.iter_errors(broken)), broken


def test_demo_records_pass_the_check():
    result = run_eiso("check", "--format", "json", cwd=REPO)
    assert result.returncode == 0, result.stdout
    demo = [p for p in (REPO / "records").rglob("*.md")]
    metas = [yaml.safe_load(p.read_text(encoding="utf-8").split("---")[1]) for p in demo]
    audits = [m for m in metas if m["kind"] == "audit"]
    assert [a["code"] for a in audits] == ["DGNB-2026-01"]
    grades = sorted(m["grade"] for m in metas if m.get("audit") == "DGNB-2026-01")
    assert grades == ["minor", "minor", "observation", "observation", "observation"]


# ---- core functions without a build


def _records(tmp_path: Path, *metas: dict) -> list[Record]:
    from eiso.records.loader import load_records

    for i, meta in enumerate(metas):
        write_record(tmp_path, f"r{i}.md", meta)
    loaded: RecordSet = load_records(tmp_path)
    assert loaded.findings == []
    return loaded.records


def test_nonconformity_counts_as_of_a_day(tmp_path):
    import datetime as dt

    records = _records(
        tmp_path,
        nc("NC-1", actions=[{"action": "a", "owner": "o", "due": "2026-05-31"}]),
        nc("NC-2", grade="observation", actions=[{"action": "a", "owner": "o", "due": "2026-06-01"}]),
        nc("NC-3", status="closed", closed="2026-05-15", verified_by={"name": "V"},
           actions=[{"action": "a", "owner": "o", "due": "2026-05-01", "done": "2026-05-02"}]),
        nc("NC-4", found="2026-07-01"),  # not yet found on the day
    )
    counts = nonconformity_counts(records, dt.date(2026, 6, 1))
    # NC-1 is overdue (due the day before), NC-2 is due on the day itself: not overdue yet.
    assert counts == {"total": 3, "open": 2, "closed": 1, "overdue": 1,
                      "open_by_grade": {"major": 0, "minor": 1, "observation": 1}}
    assert nonconformity_counts(records, dt.date(2026, 6, 2))["overdue"] == 2
    # Before its closing day, NC-3 was still open.
    assert nonconformity_counts(records, dt.date(2026, 5, 14))["open"] == 3


def test_audit_coverage_and_clauses(tmp_path):
    import datetime as dt

    from eiso.documents.loader import load_corpus

    repo = make_repo(tmp_path / "repo")
    records = _records(tmp_path / "r", audit("DGNB-2025-01", date="2025-05-01", scope={"units": ["Khác"], "clauses": ["4"], "documents": ["QT-NB-01"]}),
                       audit("DGNB-2026-01"))
    coverage = audit_coverage(records, load_corpus(repo).documents, dt.date(2026, 6, 1))
    assert [d.meta.code for d in coverage.documents] == ["QT-NB-01"]  # audited more than 12 months ago
    assert coverage.units == []  # both documents belong to Văn phòng - Thống kê, audited in March
    assert ("4.1", "Hiểu bối cảnh của tổ chức") in coverage.clauses and "7.5" not in dict(coverage.clauses)
    assert clause_covered("7.5", ["7.5.3"]) and clause_covered("7.5", ["7"]) and not clause_covered("7.5", ["7.1"])


@pytest.mark.parametrize("message, expected", [
    ("Merge branch 'a' into 'main'\n\nSửa QT-HT-01\n\nSee merge request xa/e-iso!7\n\nApproved-by: A <a@x>\nCloses-nc: NC-2026-01",
     ("xa/e-iso!7", {"nc-2026-01": "trailer"})),
    ("Merge branch 'a' into 'main'\n\nKhắc phục NC-2026-02 theo đánh giá\n\nSee merge request xa/e-iso!8",
     ("xa/e-iso!8", {"nc-2026-02": "title"})),
    # Not in the last paragraph: not a trailer, and no code in the title.
    ("Merge branch 'a' into 'main'\n\nSửa quy trình\n\nCloses-nc: NC-2026-01\n\nGhi chú thêm.\n\nSee merge request xa/e-iso!9",
     ("xa/e-iso!9", {})),
    # NC-2026-010 is another code.
    ("Sửa NC-2026-010 (#12)", ("#12", {})),
    ("Merge pull request #5 from u/b\n\nĐóng hồ sơ\n\nCloses-nc: nc-2026-01, NC-2026-02", ("#5", {"nc-2026-01": "trailer", "nc-2026-02": "trailer"})),
    # A direct push names no merge request.
    ("Sửa trực tiếp\n\nCloses-nc: NC-2026-01", (None, {"nc-2026-01": "trailer"})),
])
def test_closing_merge_requests_follow_trailer_rules(message, expected):
    parsed = parse_message(message)
    assert (parsed.mr_ref, closed_codes(parsed, {"nc-2026-01", "nc-2026-02"})) == expected


def test_trailer_parsing_is_linear_on_hostile_messages():
    # Runs of spaces and colons that make backtracking parsers quadratic.
    message = "Merge\n\n" + ("a" + " " * 200_000 + "b:") + "\n\nSee merge request x!1"
    assert parse_message(message).mr_ref == "x!1"


def test_next_record_code_restarts_each_year():
    codes = ["NC-2026-01", "nc 2026 03", "NC-2025-09", "DGNB-2026-05"]
    assert next_record_code("NC", 2026, codes) == "NC-2026-04"
    assert next_record_code("NC", 2027, codes) == "NC-2027-01"
    assert next_record_code("DGNB", 2026, codes) == "DGNB-2026-06"


def test_eiso_new_scaffolds_a_record_that_passes_the_check(tmp_path):
    import datetime as dt
    from zoneinfo import ZoneInfo

    repo = make_repo(tmp_path / "repo")
    year = dt.datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).year
    write_record(repo, "old.md", nc(f"NC-{year}-03", found=f"{year}-01-02",
                                    actions=[{"action": "a", "owner": "o", "due": f"{year}-01-03"}]))
    result = run_eiso("new", "--kind", "nonconformity", "Sổ theo dõi: thiếu \"ngày\"", cwd=repo)
    assert result.returncode == 0, result.stderr
    created = repo / "records" / str(year) / "khong-phu-hop" / f"nc-{year}-04.md"
    assert created.is_file()
    for kind, prefix in (("audit", "DGNB"), ("management_review", "XXLD")):
        assert run_eiso("new", "--kind", kind, "Tên", cwd=repo).returncode == 0
        assert list((repo / "records" / str(year)).rglob(f"{prefix.lower()}-{year}-01.md"))
    assert findings(repo) == []
    assert run_eiso("new", "--kind", "system", "Không đơn vị", cwd=repo).returncode == 2


def test_records_folder_linked_outside_the_repository_is_refused(tmp_path):
    repo = make_repo(tmp_path / "repo")
    outside = tmp_path / "outside"
    write_record(outside, "nc.md", nc("NC-2026-01", title="BÍ MẬT NGOÀI KHO"))
    (repo / "records").symlink_to(outside / "records")
    got = findings(repo)
    assert [(f["path"], f["rule"]) for f in got] == [("records", "path")]


def test_records_sharing_a_code_give_one_finding_each_not_one_per_pair(tmp_path):
    # One finding per ordered pair: 2,000 files made four million findings and 4 GB.
    repo = make_repo(tmp_path / "repo")
    for i in range(300):
        write_record(repo, f"2026/trung/r{i:03}.md", review("XXLD-2026-09"))
    clashes = [f for f in findings(repo) if f["rule"] == "duplicate-code"]
    assert len(clashes) == 300  # each file is left out, each once
    first = next(f for f in clashes if f["path"].endswith("r000.md"))
    assert "trùng ở 300 hồ sơ" in first["message"] and "r001.md" in first["message"]
    assert "và 296 tệp khác" in first["message"]  # 299 others, three named


def test_control_and_format_characters_in_record_fields_are_located_findings(tmp_path):
    repo = make_repo(tmp_path / "repo")
    valid_records(repo)
    meeting = write_record(repo, "2026/xxld-2026-02.md", review("XXLD-2026-02", title="Họp\u0001 xem xét"))
    finding = write_record(repo, "2026/nc-2026-02.md", nc("NC-2026-02", unit="Văn\u202e phòng", actions=[
        {"action": "Sửa quy trình", "owner": "Thư ký\tISO", "due": "2026-04-30"}]))
    hidden = [(f["path"], f["line"], f["field"]) for f in findings(repo) if f["rule"] == "hidden-character"]
    assert sorted(hidden) == sorted([
        ("records/2026/xxld-2026-02.md", line_of(meeting, "title:"), "title"),
        ("records/2026/nc-2026-02.md", line_of(finding, "unit:"), "unit"),
        ("records/2026/nc-2026-02.md", line_of(finding, "owner:"), "actions[0].owner"),
    ])
    result = run_eiso("check", cwd=repo)
    assert result.returncode == 1 and "ký tự ẩn U+0001" in result.stdout + result.stderr


def test_items_of_one_line_lists_refuse_line_breaks_and_tabs_while_texts_keep_theirs(tmp_path):
    repo = make_repo(tmp_path / "repo")
    valid_records(repo)
    scope = {"units": ["Văn phòng\n\n# Tiêu đề giả"], "clauses": ["7.5\t**ĐẠT**"], "documents": ["QT-HT-01"]}
    write_record(repo, "2026/dgnb-2026-02.md", audit("DGNB-2026-02", scope=scope, findings=["NC-2026-01\n"]))
    write_record(repo, "2026/nc-2026-02.md", nc("NC-2026-02", description="Dòng một.\nDòng hai.\tThụt lề."))
    hidden = sorted((f["path"], f["field"]) for f in findings(repo) if f["rule"] == "hidden-character")
    assert hidden == sorted([("records/2026/dgnb-2026-02.md", "scope.units[0]"),
                             ("records/2026/dgnb-2026-02.md", "scope.clauses[0]"),
                             ("records/2026/dgnb-2026-02.md", "findings[0]")])
