"""Document control from a real git history: revision table, approvals, archive, review dates."""

from __future__ import annotations

import json
import subprocess

import pytest
from conftest import build_site, run_eiso, soup
from factory import make_repo, system_meta, tthc_meta, write_doc
from gitrepo import Git

KHAI_SINH = "tthc/khai-sinh.md"


@pytest.fixture(scope="module")
def history_site(tmp_path_factory):
    repo = make_repo(tmp_path_factory.mktemp("control") / "repo")
    git = Git(repo).init()
    git.commit_all("Nhập tài liệu ban đầu")  # direct push: no MR, so not approved

    def bump(revision: int, effective: str, text: str):
        def change():
            write_doc(repo, KHAI_SINH, tthc_meta(revision=revision, effective=effective, related=["QT-NB-01"]),
                      f"## 1. Mục đích\n\n{text}\n")
        return change

    git.merge_request("lan-3", "Rút ngắn thời gian thẩm định", 5, bump(3, "2025-06-01", "Nội dung lần ba."),
                      approver="Lê Văn Cường", reviewer="Trần Văn Bình")
    # A fixup under the same revision, merged without an approval trailer; the feature commit
    # carries a trailer of its own, which must not count.
    git.merge_request("sua-loi", "Sửa lỗi chính tả", 6, bump(3, "2025-06-01", "Nội dung lần ba, đã sửa."),
                      feature_message="Sửa lỗi chính tả\n\nApproved-by: Kẻ Giả Mạo <fake@example.vn>")
    # A GitLab squash (fast-forward) commit from the squash template: the description is the author's
    # and its trailer never approves; only the trailers after "See merge request" do.
    bump(4, "2025-09-01", "Nội dung lần bốn.")()
    git.commit_all("Cập nhật lệ phí\n\nApproved-by: Kẻ Giả Mạo <fake@example.vn>\n\n"
                   "See merge request xa/e-iso!7\n\nApproved-by: Phạm Thị Dung <dung@example.vn>")
    # Rename a document through an MR: its history follows.
    git.merge_request("doi-ten", "Đổi tên tệp quy trình kiểm soát tài liệu", 8,
                      lambda: git("mv", "procedures/he-thong/kiem-soat-tai-lieu.md", "procedures/he-thong/qt-nb-01.md"),
                      approver="Lê Văn Cường")
    # A document added, then deleted from main.
    git.merge_request("them", "Thêm quy trình tạm", 9,
                      lambda: write_doc(repo, "he-thong/tam.md", system_meta(code="QT-NB-09", title="Quy trình tạm thời")),
                      approver="Lê Văn Cường")
    git.merge_request("xoa", "Hủy quy trình tạm", 10, lambda: git("rm", "-q", "procedures/he-thong/tam.md"),
                      approver="Lê Văn Cường")
    result, site = build_site(repo, "--as-of", "2025-12-01")
    assert result.returncode == 0, result.stderr
    return repo, site


def revision_rows(site, slug):
    page = soup(site / "quy-trinh" / slug / "index.html")
    return page, page.select(".eiso-revisions tbody tr")


def test_revision_table_rows(history_site):
    _, site = history_site
    page, rows = revision_rows(site, "qt-ht-01")
    assert page.select_one("#theo-doi-sua-doi").get_text() == "Theo dõi sửa đổi"
    revisions = [row.select("td")[0].get_text(strip=True) for row in rows]
    assert revisions == ["4", "3", "2"]  # newest first; the fixup is not a revision of its own
    four, three, two = rows
    assert "01/09/2025" in four.select("td")[1].get_text() and "Cập nhật lệ phí" in four.get_text()
    assert four.select("td")[3].get_text(strip=True) == "!7"  # the number only; the full reference is its tooltip
    assert four.select("td")[4].get_text(strip=True) == "Phạm Thị Dung"
    changes = [li.get_text(" ", strip=True) for li in three.select(".eiso-changes li")]
    assert len(changes) == 2 and "Rút ngắn thời gian thẩm định" in changes[0] and "Sửa lỗi chính tả" in changes[1]
    mr_links = [a["href"] for a in three.select("td")[3].select("a")]
    assert mr_links == ["https://gitlab.example.vn/xa/e-iso/-/merge_requests/5",
                        "https://gitlab.example.vn/xa/e-iso/-/merge_requests/6"]
    assert three.select("td")[4].get_text(strip=True) == "Lê Văn Cường"  # not the forged feature-branch trailer


def test_unapproved_changes_are_marked(history_site):
    _, site = history_site
    _, (four, three, two) = revision_rows(site, "qt-ht-01")
    assert four.select(".eiso-unapproved") == []
    fixup = three.select(".eiso-changes li")[1]
    assert "không ghi người phê duyệt" in fixup.select_one(".eiso-unapproved").get_text()
    assert "Kẻ Giả Mạo" not in three.get_text()
    assert "không qua yêu cầu hợp nhất" in two.select_one(".eiso-unapproved").get_text()


def test_superseded_revisions_are_archived_with_banner(history_site):
    _, site = history_site
    for revision, text in ((2, "Quy định trình tự giải quyết."), (3, "Nội dung lần ba, đã sửa.")):
        path = site / "quy-trinh" / "qt-ht-01" / f"lan-{revision}" / "index.html"
        page = soup(path)
        banner = page.select_one(".eiso-banner")
        assert "HẾT HIỆU LỰC — chỉ để tham khảo" in banner.get_text()
        assert banner.select_one("a")["href"] == "../../../quy-trinh/qt-ht-01/"
        assert page.select_one('meta[name="robots"]')["content"] == "noindex"
        assert text in page.select_one(".eiso-body").get_text()  # the file as it was then
        assert page.select_one(".eiso-iso-block").get_text(" ", strip=True).count(f"Lần ban hành {revision}") == 1
    assert not (site / "quy-trinh" / "qt-ht-01" / "lan-4").exists()
    _, rows = revision_rows(site, "qt-ht-01")
    assert rows[1].select_one("td a")["href"] == "../../quy-trinh/qt-ht-01/lan-3/"


def test_archived_pages_are_not_in_the_search_index(history_site):
    _, site = history_site
    from eiso.search import indexed_documents

    locations = {doc["location"] for doc in indexed_documents(site)}
    assert any(loc.startswith("quy-trinh/qt-ht-01/") and "lan-" not in loc for loc in locations)
    assert not any("lan-" in loc for loc in locations)
    assert not any(loc.startswith("quy-trinh/qt-nb-09/") for loc in locations)


def test_rename_keeps_history(history_site):
    _, site = history_site
    _, rows = revision_rows(site, "qt-nb-01")
    (row,) = rows  # revision 1 throughout: initial push, then the rename MR as a fixup
    texts = [li.get_text(" ", strip=True) for li in row.select(".eiso-changes li")]
    assert "Nhập tài liệu ban đầu" in texts[0] and "Đổi tên tệp" in texts[1]


def test_deleted_document_stays_in_the_archive(history_site):
    _, site = history_site
    page = soup(site / "quy-trinh" / "qt-nb-09" / "index.html")
    assert "HẾT HIỆU LỰC" in page.select_one(".eiso-banner").get_text()
    assert page.select_one('meta[name="robots"]')["content"] == "noindex"
    archive = soup(site / "danh-muc" / "luu-tru" / "index.html")
    rows = {r.select("td")[0].get_text(strip=True): r.get_text(" ", strip=True) for r in archive.select("tbody tr")}
    assert "Hết hiệu lực, đã hủy bỏ" in rows["QT-NB-09"]
    assert "QT-HT-01" in rows  # superseded revisions are listed too
    master = soup(site / "danh-muc" / "index.html").get_text()
    assert "QT-NB-09" not in master


def test_documents_json_has_control_fields(history_site):
    _, site = history_site
    records = {r["code"]: r for r in json.loads((site / "api" / "documents.json").read_text(encoding="utf-8"))}
    ks = records["QT-HT-01"]
    assert ks["revision"] == 4 and ks["effective"] == "2025-09-01"
    assert ks["mr"] == "xa/e-iso!7" and ks["approvers"] == ["Phạm Thị Dung"] and ks["approved"] is True
    assert ks["approval_state"] == "Đã phê duyệt"
    assert ks["next_review"] == "2026-09-01"  # effective + 12 months
    assert ks["last_change"] is not None and ks["last_change"] >= "2025-01-01"
    nb = records["QT-NB-01"]
    assert nb["approved"] is False and nb["approval_state"] == "Chưa phê duyệt"  # its revision 1 came by direct push
    assert "QT-NB-09" not in records


def test_master_list_shows_control_columns(history_site):
    _, site = history_site
    page = soup(site / "danh-muc" / "index.html")
    headers = [th.get_text(strip=True) for th in page.select("thead th")]
    assert headers[-4:] == ["Yêu cầu hợp nhất", "Phê duyệt", "Thay đổi gần nhất", "Hạn xem xét"]
    row = next(r for r in page.select("tbody tr") if r.select("td")[0].get_text(strip=True) == "QT-HT-01")
    assert "!7" in row.get_text() and "xa/e-iso!7" not in row.get_text() and "01/09/2026" in row.get_text()


def test_review_due_page_and_report(history_site):
    repo, site = history_site
    page = soup(site / "xem-xet-dinh-ky" / "index.html")
    first = page.select_one("table tbody tr")
    # Built as of 2025-12-01: QT-NB-01 (effective 2025-01-15, 12 months) is due in 45 days, more than
    # the 30 days that make a review "due", so the first table lists nothing and the schedule lists both.
    assert "Không có tài liệu nào đến hạn" in first.get_text()
    result = run_eiso("report", "review-due", "--today", "2026-02-01", cwd=repo)
    assert result.returncode == 0
    assert "QT-NB-01" in result.stdout and "Quá hạn" in result.stdout  # due 2026-01-15
    assert "QT-HT-01" not in result.stdout  # due 2026-09-01


def test_no_git_history(repo):
    result, site = build_site(repo)
    assert result.returncode == 0
    notice = soup(site / "quy-trinh" / "qt-ht-01" / "index.html").select_one(".eiso-history-notice")
    assert "Không có lịch sử" in notice.get_text()


def test_shallow_clone_warns(tmp_path):
    source = make_repo(tmp_path / "source")
    git = Git(source).init()
    git.commit_all("Một")
    write_doc(source, "he-thong/kiem-soat-tai-lieu.md", system_meta(revision=2))
    git.commit_all("Hai")
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{source}", str(tmp_path / "clone")], check=True)
    result, site = build_site(tmp_path / "clone")
    assert result.returncode == 0
    assert "GIT_DEPTH" in result.stderr or "fetch-depth" in result.stderr
    notice = soup(site / "quy-trinh" / "qt-nb-01" / "index.html").select_one(".eiso-history-notice")
    assert notice is not None and "shallow" in notice.get_text().lower()
