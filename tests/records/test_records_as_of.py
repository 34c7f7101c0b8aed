"""Record pages say what was true on the build's day: nothing dated after --as-of reads as already done."""

from __future__ import annotations

import pytest
from conftest import build_site, soup
from factory import make_repo
from gitrepo import Git
from records_factory import nc, write_record

AS_OF = "2026-09-15"
VERIFIER = {"name": "Ông Ích Khiêm", "title": "Phó Chủ tịch UBND xã"}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("as-of")
    repo = make_repo(root / "repo")
    # Done five days after the build's day: overdue on that day, 14 days past its due date.
    write_record(repo, "nc-2026-05.md", nc("NC-2026-05", found="2026-08-21", title="Bản in cũ vẫn dùng", actions=[
        {"action": "Thu hồi bản in", "owner": "Ông Lục Văn Bảo", "due": "2026-09-01", "done": "2026-09-20"}]))
    # Closed after the build's day: still open on it.
    write_record(repo, "nc-2026-06.md", nc("NC-2026-06", found="2026-07-20", title="Mục tiêu quý hai", status="closed",
                                           closed="2026-09-20", verified_by=VERIFIER, actions=[
        {"action": "Bổ sung máy quét", "owner": "Văn phòng", "due": "2026-09-30", "done": "2026-09-18"}]))
    # Found after the build's day: in no list of that day.
    write_record(repo, "nc-2026-07.md", nc("NC-2026-07", found="2026-10-02", title="Phát hiện sau ngày dựng",
                                           actions=[{"action": "Xử lý", "owner": "A", "due": "2026-10-30"}]))
    git = Git(repo).init()
    git.commit_all("Hồ sơ")
    result, built = build_site(repo, "--as-of", AS_OF)
    assert result.returncode == 0, result.stderr
    return built


def _register_rows(site):
    page = soup(site / "ho-so" / "khong-phu-hop" / "index.html")
    return {tr.select_one(".eiso-code").get_text(strip=True): tr for tr in page.select(".eiso-nc-register tbody tr")}


def test_an_action_done_after_the_day_is_overdue_on_the_register_and_the_record_page(site):
    row = _register_rows(site)["NC-2026-05"]
    action = row.select_one(".eiso-overdue-action").get_text()
    assert action.endswith("quá hạn 14 ngày") and "xong" not in action and "20/09/2026" not in action
    page = soup(site / "ho-so" / "nc-2026-05" / "index.html")
    cells = [td.get_text(strip=True) for td in page.select(".eiso-actions-table tbody tr td")]
    assert cells[-1] == "Quá hạn 14 ngày" and "20/09/2026" not in page.select_one(".eiso-record").get_text()


def test_a_closing_after_the_day_is_not_shown_on_the_record_page(site):
    page = soup(site / "ho-so" / "nc-2026-06" / "index.html")
    record = page.select_one(".eiso-record")
    assert record.select_one(".eiso-nc-status").get_text(strip=True) == "Đang xử lý"
    assert "Ngày đóng" not in record.get_text() and "20/09/2026" not in record.get_text()
    # Its action, done after the day too, reads as not yet done (due later: not overdue).
    assert [td.get_text(strip=True) for td in record.select(".eiso-actions-table tbody tr td")][-1] == "Chưa hoàn thành"
    assert "18/09/2026" not in _register_rows(site)["NC-2026-06"].get_text()


def test_the_document_page_lists_the_same_nonconformities_as_the_register(site):
    register = sorted(_register_rows(site))
    page = soup(site / "quy-trinh" / "qt-ht-01" / "index.html")
    listed = sorted(tr.select_one(".eiso-code").get_text(strip=True) for tr in page.select(".eiso-doc-ncs tbody tr"))
    assert register == listed == ["NC-2026-05", "NC-2026-06"]
