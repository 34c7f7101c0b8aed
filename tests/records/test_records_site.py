"""QMS record pages on the intranet: registers, overdue as of the build's date, document pages, review inputs."""

from __future__ import annotations

import os
import subprocess

import pytest
from conftest import build_site, soup
from factory import folder_tree, make_repo, system_meta, write_doc
from records_factory import audit, nc, review, write_record

# The build's date (--as-of); the last commit is made on this day too.
AS_OF = "2026-06-01"


def commit(repo, message: str, day: str, *, merge_of: str | None = None) -> None:
    stamp = f"{day}T12:00:00+07:00"
    env = dict(os.environ, GIT_AUTHOR_NAME="Vũ Thị Lan Anh", GIT_AUTHOR_EMAIL="a@x.vn", GIT_COMMITTER_NAME="GitLab",
               GIT_COMMITTER_EMAIL="g@x.vn", GIT_AUTHOR_DATE=stamp, GIT_COMMITTER_DATE=stamp)
    run = lambda *args: subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)  # noqa: E731
    if merge_of:
        run("merge", "-q", "--no-ff", merge_of, "-m", message)
    else:
        run("add", "-A")
        run("commit", "-q", "-m", message)


def records_repo(root):
    repo = make_repo(root)
    objectives = system_meta(code="MTCL", title="Mục tiêu chất lượng", kind="objectives", measurements=[
        {"objective": 1, "period": "2026-Q1", "value": 97.5, "note": "Chưa đạt"},
        {"objective": 1, "period": "2025-Q4", "value": 96.0},
        {"objective": 2, "period": "2026-Q1", "value": 100}])
    write_doc(repo, "he-thong/mtcl.md", objectives)
    # QT-HT-01 cites 123/2015/NĐ-CP: its repeal is an input of the review (9.3.2 b).
    (repo / "legal.yml").write_text("- {code: 123/2015/NĐ-CP, title: Nghị định hộ tịch, status: repealed, "
                                    "replaced_by: [07/2025/NĐ-CP]}\n", encoding="utf-8")
    write_record(repo, "2025/xxld-2025-01.md", review("XXLD-2025-01", date="2025-12-01", decisions=[
        {"decision": "Việc cũ đã xong", "owner": "A", "due": "2025-12-20", "done": "2025-12-15"}]))
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=repo, check=True)
    commit(repo, "Khởi tạo", "2025-12-01")
    write_record(repo, "2026/xxld-2026-01.md", review("XXLD-2026-01", date="2026-02-01", decisions=[
        {"decision": "Trang bị máy quét", "owner": "Văn phòng", "due": "2026-04-30"},
        {"decision": "Đánh giá nội bộ", "owner": "Thư ký ISO", "due": "2026-03-31", "done": "2026-03-10"}]))
    write_record(repo, "2026/dgnb-2026-01.md", audit("DGNB-2026-01", findings=["NC-2026-01", "NC-2026-02"]))
    write_record(repo, "2026/nc-2026-01.md", nc("NC-2026-01", audit="DGNB-2026-01", title="Hồ sơ NC một"))
    write_record(repo, "2026/nc-2026-02.md", nc("NC-2026-02", audit="DGNB-2026-01", grade="observation",
                                               title="Hồ sơ NC hai", actions=[
                                                   {"action": "Quá hạn một ngày", "owner": "B", "due": "2026-05-31"}]))
    write_record(repo, "2026/nc-2026-03.md", nc("NC-2026-03", source="complaint", documents=["QT-NB-01"], found="2026-05-20",
                                               title="Hồ sơ NC ba", unit="Bộ phận Một cửa", actions=[
                                                   {"action": "Đến hạn hôm nay", "owner": "C", "due": AS_OF}]))
    commit(repo, "Ghi nhận kết quả đánh giá nội bộ", "2026-03-11")
    # A merge request that changes the procedure and closes NC-2026-01 through its trailer.
    subprocess.run(["git", "checkout", "-q", "-b", "sua-qt"], cwd=repo, check=True)
    path = repo / "procedures" / "tthc" / "khai-sinh.md"
    path.write_text(path.read_text(encoding="utf-8").replace("UBND xã.", "UBND xã Hòa Bình."), encoding="utf-8")
    write_record(repo, "2026/nc-2026-01.md", nc(
        "NC-2026-01", audit="DGNB-2026-01", title="Hồ sơ NC một", status="closed", closed="2026-04-20",
        verified_by={"name": "Trần Thị Thu Hà"},
        actions=[{"action": "Sửa quy trình", "owner": "Thư ký ISO", "due": "2026-04-30", "done": "2026-04-15"}]))
    commit(repo, "Sửa quy trình khai sinh", "2026-04-15")
    subprocess.run(["git", "checkout", "-q", "main"], cwd=repo, check=True)
    commit(repo, "Merge branch 'sua-qt' into 'main'\n\nBổ sung bước ghi sổ vào QT-HT-01\n\nSee merge request xa/e-iso!4\n"
           "\nApproved-by: Lê Văn Cường <c@x.vn>\nCloses-nc: NC-2026-01", "2026-04-20", merge_of="sua-qt")
    # A direct push naming NC-2026-02 closes nothing: it is no merge request.
    (repo / "docs" / "ghi-chu.md").write_text("# Ghi chú\n", encoding="utf-8")
    commit(repo, "Ghi chú NC-2026-02\n\nCloses-nc: NC-2026-02", AS_OF)
    return repo


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    repo = records_repo(tmp_path_factory.mktemp("records") / "repo")
    result, site = build_site(repo, "--as-of", AS_OF)
    assert result.returncode == 0, result.stderr
    return site


def rows(page, selector):
    return {tr.select_one(".eiso-code").get_text(strip=True): tr for tr in page.select(selector)}


def test_register_counts_and_overdue_exactly_as_of_the_build_date(site):
    page = soup(site / "ho-so" / "khong-phu-hop" / "index.html")
    counts = {td["data-count"]: int(td.get_text()) for td in page.select(".eiso-nc-counts td")}
    # NC-2026-01 closed by the merge request; NC-2026-02 overdue (due the day before); NC-2026-03 due today.
    assert counts == {"total": 3, "open": 2, "closed": 1, "overdue": 1, "major": 0, "minor": 1, "observation": 1}
    table = rows(page, ".eiso-nc-register tbody tr")
    assert sorted(table) == ["NC-2026-01", "NC-2026-02", "NC-2026-03"]
    assert [code for code, tr in table.items() if "eiso-overdue" in (tr.get("class") or [])] == ["NC-2026-02"]
    assert table["NC-2026-02"].select_one(".eiso-overdue-action").get_text().endswith("quá hạn 1 ngày")
    assert table["NC-2026-03"].select(".eiso-overdue-action") == []
    assert {code: tr["data-status"] for code, tr in table.items()} == {
        "NC-2026-01": "closed", "NC-2026-02": "open", "NC-2026-03": "open"}
    assert table["NC-2026-03"]["data-source"] == "complaint" and table["NC-2026-03"]["data-unit"] == "bo phan mot cua"
    # Every facet the issue names has a filter bound to the table.
    assert sorted(s["data-eiso-facet"] for s in page.select("select[data-eiso-scope=eiso-nc]")) == [
        "clause", "grade", "source", "status", "unit"]
    assert "Không phù hợp loại 2" in table["NC-2026-01"].get_text() and "Điểm cần lưu ý" in table["NC-2026-02"].get_text()


def test_document_page_lists_its_nonconformities_and_the_closing_merge_request(site):
    page = soup(site / "quy-trinh" / "qt-ht-01" / "index.html")
    table = rows(page, ".eiso-doc-ncs tbody tr")
    assert sorted(table) == ["NC-2026-01", "NC-2026-02"]
    closure = table["NC-2026-01"].select_one("a.eiso-closure")
    assert closure.get_text() == "xa/e-iso!4" and closure["href"] == "https://gitlab.example.vn/xa/e-iso/-/merge_requests/4"
    assert table["NC-2026-02"].select(".eiso-closure") == []  # the direct push does not count
    assert table["NC-2026-01"].select_one("a")["href"] == "../../ho-so/nc-2026-01/"
    other = soup(site / "quy-trinh" / "qt-nb-01" / "index.html")
    assert sorted(rows(other, ".eiso-doc-ncs tbody tr")) == ["NC-2026-03"]


def test_a_closing_merge_request_merged_after_the_build_date_is_not_shown(site):
    """Built as of the day before the merge request was merged: NC-2026-01 is still open, nothing closed it, and
    its history does not list that merge yet."""
    repo = site.parent
    result, before = build_site(repo, "--as-of", "2026-04-19", site="site-before")
    assert result.returncode == 0, result.stderr
    table = rows(soup(before / "quy-trinh" / "qt-ht-01" / "index.html"), ".eiso-doc-ncs tbody tr")
    assert table["NC-2026-01"].select(".eiso-closure") == []
    register = rows(soup(before / "ho-so" / "khong-phu-hop" / "index.html"), ".eiso-nc-register tbody tr")
    assert register["NC-2026-01"]["data-status"] == "open"
    assert register["NC-2026-01"].select(".eiso-closure") == []
    history = soup(before / "ho-so" / "nc-2026-01" / "index.html").select(".eiso-record-history tbody tr")
    assert [tr.select("td")[2].get_text(strip=True) for tr in history] == ["—"]  # not yet the merge of 20/04


def test_a_commit_claiming_a_day_to_come_still_shows_in_today_s_history(tmp_path):
    """A commit's date is its author's word: one dated 2099 is a change of today, not one hidden until then."""
    repo = records_repo(tmp_path / "repo")
    record = repo / "records" / "2026" / "nc-2026-02.md"
    record.write_text(record.read_text(encoding="utf-8").replace("Hồ sơ NC hai", "Hồ sơ NC hai (sửa)"),
                      encoding="utf-8")
    commit(repo, "Sửa NC-2026-02", "2099-01-01")
    result, built = build_site(repo)  # as of today
    assert result.returncode == 0, result.stderr
    history = soup(built / "ho-so" / "nc-2026-02" / "index.html").select(".eiso-record-history tbody tr")
    assert len(history) == 2, [tr.get_text(" ", strip=True) for tr in history]


def test_record_page_with_history_and_grade_in_vietnamese(site):
    page = soup(site / "ho-so" / "nc-2026-01" / "index.html")
    text = page.select_one(".eiso-record").get_text(" ", strip=True)
    assert "Không phù hợp loại 2" in text and "Đã đóng" in text
    history = page.select(".eiso-record-history tbody tr")
    assert [tr.select("td")[2].get_text(strip=True) for tr in history] == ["—", "xa/e-iso!4"]
    assert "Lê Văn Cường" in history[1].get_text()
    audit_page = soup(site / "ho-so" / "dgnb-2026-01" / "index.html")
    assert [a.get_text() for a in audit_page.select(".eiso-record table.eiso-table td a")] == ["Hồ sơ NC một", "Hồ sơ NC hai"]


def test_audit_programme_shows_what_was_not_audited(site):
    page = soup(site / "ho-so" / "danh-gia-noi-bo" / "index.html")
    assert [h.get_text() for h in page.select("article h2")][0] == "Năm 2026"
    not_docs = [li.select_one("a").get_text() for li in page.select(".eiso-not-audited-documents li")]
    assert not_docs == ["MTCL", "QT-NB-01"]  # QT-HT-01 was audited in March
    clauses = [li.get_text().split(" ")[0] for li in page.select(".eiso-not-audited-clauses li")]
    assert "7.5" not in clauses and "9.2" in clauses and len(clauses) == 27


def test_management_review_inputs_since_the_previous_review(site):
    page = soup(site / "ho-so" / "xem-xet-lanh-dao" / "dau-vao" / "index.html")
    period = page.select_one(".eiso-review-period").get_text(" ", strip=True)
    assert "01/02/2026" in period and "XXLD-2026-01" in period and "01/06/2026" in period
    decisions = [(tr.select("td")[1].get_text(), tr.select("td")[4].get_text()) for tr in page.select(".eiso-review-decisions tbody tr")]
    # The 2025 decision was done before the previous review: already reported then.
    assert decisions == [("Trang bị máy quét", "Quá hạn 32 ngày"), ("Đánh giá nội bộ", "Đã hoàn thành ngày 10/03/2026")]
    counts = {s["data-count"]: int(s.get_text()) for s in page.select(".eiso-review-nc-counts [data-count]")}
    assert counts == {"opened": 3, "closed": 1, "overdue": 1}
    assert [tr.select_one(".eiso-code").get_text() for tr in page.select(".eiso-review-overdue tbody tr")] == ["NC-2026-02"]
    audits = page.select(".eiso-review-audits tbody tr")
    assert [td.get_text() for td in audits[0].select("td")][3:] == ["0", "1", "1"]
    changes = [(tr.select("td")[1].get_text(), tr.select("td")[4].get_text()) for tr in page.select(".eiso-review-changes tbody tr")]
    assert changes == [("QT-HT-01", "Bổ sung bước ghi sổ vào QT-HT-01")]
    legal = [li.get_text(" ", strip=True) for li in page.select(".eiso-review-legal li")]
    assert len(legal) == 1 and legal[0].startswith("QT-HT-01") and "123/2015/NĐ-CP" in legal[0]
    objectives = {tr.select("td")[0].get_text(): tr for tr in page.select(".eiso-objectives tbody tr")}
    assert sorted(objectives) == ["Mục tiêu 1", "Mục tiêu 2"]
    assert objectives["Mục tiêu 1"].select("td")[1].get_text() == "2026-Q1"  # latest period, not the last written
    assert objectives["Mục tiêu 1"].select_one(".eiso-objective-value").get_text() == "97,5"
    chart = objectives["Mục tiêu 1"].select_one("svg.eiso-chart")
    assert len(chart.select("circle")) == 2 and chart.select_one("polyline") is not None
    assert page.select("article script") == []


def test_reviews_register_and_navigation(site):
    page = soup(site / "ho-so" / "xem-xet-lanh-dao" / "index.html")
    assert [a.get_text() for a in page.select("article h2 a")] == [
        "XXLD-2026-01 – Xem xét của lãnh đạo XXLD-2026-01", "XXLD-2025-01 – Xem xét của lãnh đạo XXLD-2025-01"]
    overdue = page.select("tr.eiso-overdue")
    assert len(overdue) == 1 and "Trang bị máy quét" in overdue[0].get_text()


def test_two_builds_of_one_commit_give_identical_record_pages(site, tmp_path):
    import hashlib

    repo = site.parent
    result, again = build_site(repo, "--as-of", AS_OF, site="site-again")
    assert result.returncode == 0, result.stderr
    digest = lambda root: {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()  # noqa: E731
                           for p in sorted((root / "ho-so").rglob("*")) + [root / "quy-trinh" / "qt-ht-01" / "index.html"]
                           if p.is_file()}
    first = digest(site)
    assert len(first) == 11 and digest(again) == first  # six records, four registers, one document page


def test_an_incremental_build_after_closing_a_record_matches_a_clean_build(tmp_path):
    import shutil

    from conftest import run_eiso
    from gitrepo import Git

    repo = make_repo(tmp_path / "repo")
    # Git() dates its commits from 2025-01-01: the record is overdue at the first build.
    write_record(repo, "nc.md", nc("NC-2024-01", found="2024-12-01", actions=[{"action": "Sửa", "owner": "A", "due": "2024-12-20"}]))
    git = Git(repo).init()
    git.commit_all("Hồ sơ")
    assert run_eiso("build", "-d", "site", cwd=repo, timeout=300).returncode == 0
    assert "eiso-overdue" in (repo / "site" / "ho-so" / "khong-phu-hop" / "index.html").read_text(encoding="utf-8")
    write_record(repo, "nc.md", nc("NC-2024-01", found="2024-12-01", status="closed", closed="2024-12-28", verified_by={"name": "V"},
                                   actions=[{"action": "Sửa", "owner": "A", "due": "2024-12-20", "done": "2024-12-19"}]))
    git.commit_all("Đóng hồ sơ")
    assert run_eiso("build", "-d", "site", cwd=repo, timeout=300).returncode == 0
    shutil.rmtree(repo / "clean", ignore_errors=True)
    assert run_eiso("build", "-d", "clean", "--clean", cwd=repo, timeout=300).returncode == 0
    incremental, clean = folder_tree(repo / "site"), folder_tree(repo / "clean")
    assert sorted(incremental) == sorted(clean)
    assert [name for name in clean if incremental[name] != clean[name]] == []
    # The closing reached the register and the document page, not only the record's own page.
    register = soup(repo / "site" / "ho-so" / "khong-phu-hop" / "index.html")
    assert register.select_one("tr[data-status]")["data-status"] == "closed"
    assert "Đã đóng" in soup(repo / "site" / "quy-trinh" / "qt-ht-01" / "index.html").select_one(".eiso-doc-ncs").get_text()
