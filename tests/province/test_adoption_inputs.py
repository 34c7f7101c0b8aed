"""What an agency's merge request may write in an adoption file: every wrong value is a located error."""

from __future__ import annotations

from conftest import run_eiso
from framework_repos import FW_CODE, make_agency, make_framework, write


def test_a_boolean_is_not_a_revision(tmp_path):
    agency = make_agency(tmp_path / "xa", make_framework(tmp_path / "khung"))
    approver = "approved_by: {name: Hà Văn Tuấn, title: Chủ tịch UBND xã}\n"
    write(agency, "procedures/a.md", f"---\nbased_on: {{code: {FW_CODE}, revision: true}}\ncode: QT-A\nrevision: 1\n"
                                     f"effective: 2026-01-15\nstatus: effective\n{approver}---\n")
    write(agency, "procedures/b.md", f"---\nbased_on: {{code: {FW_CODE}, revision: 3}}\ncode: QT-B\nrevision: true\n"
                                     f"effective: 2026-01-15\nstatus: effective\n{approver}---\n")
    result = run_eiso("check", cwd=agency)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "procedures/a.md:2: based_on.revision: khai báo áp dụng mô hình khung không hợp lệ" in result.stdout
    assert "procedures/b.md:4: revision: phải là số nguyên" in result.stdout
    assert "lần ban hành 1 của tài liệu khung" not in result.stdout  # "true" was taken for revision 1
