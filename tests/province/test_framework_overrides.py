"""An agency that writes its own value for a key the framework changes later: told so before and at the update."""

from __future__ import annotations

from conftest import run_eiso
from framework_repos import FW_CODE, adoption_text, b_tthc, make_agency, make_framework, write
from gitrepo import Git

NOTE = "đơn vị ghi riêng «Thủ tục hành chính» nên thay đổi của khung ở đó không tự có khi cập nhật"


def test_a_framework_change_under_a_local_override_is_named(tmp_path):
    agency = make_agency(tmp_path / "b", make_framework(tmp_path / "khung"))
    # Revision 3 adds a dossier item (tthc) and a body section; B writes its own tthc and unit, not the body.
    write(agency, "procedures/tthc/rieng.md", adoption_text(2, local_code="QT-RIENG", unit="Tư pháp phường", tthc=b_tthc()))
    write(agency, "procedures/tthc/chung.md", adoption_text(2, local_code="QT-CHUNG"))
    Git(agency).commit_all("B áp dụng khung lần 2")

    check = run_eiso("check", cwd=agency)
    lines = {line.split(":")[0]: line for line in check.stdout.splitlines() if "based_on.revision" in line}
    assert NOTE in lines["procedures/tthc/rieng.md"]
    assert "«Đơn vị chủ trì»" not in lines["procedures/tthc/rieng.md"]  # the framework did not change the unit
    assert "ghi riêng" not in lines["procedures/tthc/chung.md"]  # nothing overridden: the update brings it all

    update = run_eiso("adopt", "--update", "QT-RIENG", "QT-CHUNG", cwd=agency)
    assert update.returncode == 0, update.stderr
    written = {line.split(":")[0]: line for line in update.stdout.splitlines()}
    assert NOTE in written["procedures/tthc/rieng.md"] and "ghi riêng" not in written["procedures/tthc/chung.md"]
    assert f"based_on: {{code: {FW_CODE}, revision: 3}}" in (agency / "procedures/tthc/rieng.md").read_text(encoding="utf-8")
